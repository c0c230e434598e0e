\i test/setup.psql
-- bind_member_roles: member rows loaded with the member trigger stepped
-- aside (here: in restore mode, as a restore or a bulk load by a superuser
-- would) have roles nobody bound, which act for nobody (issue 10, item 7).
-- multipartner.bind_member_roles(max_roles) binds them, at most max_roles
-- a call, only those not bound yet, and says how many; superusers only.
\i test/fixtures.psql
SELECT plan(11);

CREATE ROLE regress_bind_a;
CREATE ROLE regress_bind_b;
CREATE ROLE regress_bind_op;
GRANT multipartner_partner_app TO regress_bind_a, regress_bind_b;
GRANT multipartner_operator TO regress_bind_op;
-- loaded the way a restore loads them: the member trigger binds nothing
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
SELECT set_config('search_path', '', true) AS restore_search_path \gset
INSERT INTO multipartner.partner_member (member, partner_id, role)
     VALUES ('regress_bind_a', :'office_id', 'sales_agent'),
            ('regress_bind_b', :'office_id', 'global_admin');
RESET row_security;
RESET check_function_bodies;
RESET search_path;

SET ROLE regress_bind_a;
SELECT is(multipartner.acting_partner(), NULL, 'a member row loaded without its binding acts for nobody');
RESET ROLE;

SET ROLE regress_bind_op;
SELECT throws_ok('SELECT multipartner.bind_member_roles()', '42501', NULL,
                 'an operator that is no superuser may not bind roles (42501)');
RESET ROLE;
SELECT throws_ok('SELECT multipartner.bind_member_roles(0)', '22023', 'max_roles must be at least 1',
                 'max_roles below 1 is refused (22023)');

SELECT is(multipartner.bind_member_roles(1), 1, 'with max_roles 1 one role is bound');
SELECT is((SELECT count(*)::int FROM pg_type t, aclexplode(t.typacl) x
            WHERE t.oid = 'multipartner.partner_role'::regtype
              AND x.grantee IN ('regress_bind_a'::regrole, 'regress_bind_b'::regrole)
              AND x.privilege_type = 'USAGE'), 1, '... and only one holds the binding');
SELECT is(multipartner.bind_member_roles(), 1, 'the next call binds the one left (bound roles are not granted again)');
SELECT is(multipartner.bind_member_roles(), 0, 'then none is left: 0');

SET ROLE regress_bind_a;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'the bound role acts for its partner');
RESET ROLE;
SET ROLE regress_bind_b;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, '... and so does the other');
RESET ROLE;
-- roles the member trigger bound already are left as they are
SELECT is(multipartner.bind_member_roles(), 0, 'the fixtures'' members, bound by the trigger, need nothing');
SELECT ok(has_type_privilege('regress_office_sa', 'multipartner.partner_role', 'USAGE'),
          'a role bound by the member trigger holds the binding');

SELECT * FROM finish();
ROLLBACK;
