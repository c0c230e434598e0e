\i test/setup.psql
-- identity: who is acting.  multipartner.acting_partner() (partner_member,
-- narrowed by the multipartner.acting_partner setting), is_operator(), and
-- the per-transaction identity cache (keyed by role and setting, dropped
-- when a membership table changes or a subtransaction rolls back).
\i test/fixtures.psql
\i test/fixtures_done.psql

SELECT plan(88);

-------------------------------------------------------------------------------
-- Single-partner members act for their partner, whatever their Partner Center role
-------------------------------------------------------------------------------
SELECT is(current_setting('multipartner.acting_partner'), '',
          'multipartner.acting_partner is empty by default');

SET ROLE regress_office_ga;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office global_admin acts for Office');
SET ROLE regress_office_uma;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office user_management_admin acts for Office');
SET ROLE regress_office_aa;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office admin_agent acts for Office');
SET ROLE regress_office_sa;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office sales_agent acts for Office');
SET ROLE regress_office_hd;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office helpdesk_agent acts for Office');
SET ROLE regress_office_ba;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'Office billing_admin acts for Office');
SET ROLE regress_azure_ga;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'Azure global_admin acts for Azure');
SET ROLE regress_azure_sa;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'Azure sales_agent acts for Azure');
SET ROLE regress_azure_ba;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'Azure billing_admin acts for Azure');
SET ROLE regress_gov_sa;
SELECT is(multipartner.acting_partner(), :'gov_id'::uuid, 'Gov sales_agent acts for the us_government partner');

-------------------------------------------------------------------------------
-- Non-members: NULL (or no access at all)
-------------------------------------------------------------------------------
SET ROLE regress_contoso_ga;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'a customer global_admin acts for no partner');
SET ROLE regress_papp_nomember;
SELECT is(multipartner.acting_partner(), NULL::uuid,
          'a partner-app role that is in no partner_member row acts for no partner');
SET ROLE regress_operator;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'an operator acts for no partner');
RESET ROLE;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'the superuser acts for no partner');
SET ROLE regress_nobody;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'a role with no grant cannot call acting_partner()');
RESET ROLE;

-- Membership is the explicit partner_member row, not inherited through role grants.
CREATE ROLE regress_child IN ROLE regress_office_ga;
SET ROLE regress_child;
SELECT is(multipartner.acting_partner(), NULL::uuid,
          'a role granted an Office member role does not act for Office');
RESET ROLE;

-------------------------------------------------------------------------------
-- A member of two partners picks one with SET multipartner.acting_partner
-------------------------------------------------------------------------------
SET ROLE regress_multi;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501',
                 'role "regress_multi" is a member of 2 partners',
                 'a member of two partners without the setting is refused (42501)');
SET multipartner.acting_partner = :'office_id';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'the setting picks Office');
SET multipartner.acting_partner = :'azure_id';
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'the setting picks Azure');
SET multipartner.acting_partner = :'gov_id';
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501',
                 'role "regress_multi" is not a member of partner ' || :'gov_id',
                 'the setting naming a partner the role is not a member of is refused (42501)');
SET multipartner.acting_partner = :'unknown_id';
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'the setting naming no partner at all is refused (42501)');
SET multipartner.acting_partner = '';
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501',
                 'role "regress_multi" is a member of 2 partners',
                 'an empty setting picks nothing: ambiguous again');
SET multipartner.acting_partner = :'office_id';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'the setting picks Office again');
RESET multipartner.acting_partner;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'RESET multipartner.acting_partner: ambiguous again');
RESET ROLE;

-- The setting only narrows: it never lends a partner to a role that is not its member.
SET ROLE regress_office_ga;
SET multipartner.acting_partner = :'office_id';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid,
          'a single-partner member may name its own partner');
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501',
                 'role "regress_office_ga" is not a member of partner ' || :'azure_id',
                 'a single-partner member naming another partner is refused (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'a customer role with the setting is refused (42501)');
RESET ROLE;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'the superuser with the setting is refused too (42501)');
-- The setting belongs to the session, not to the role: it follows SET ROLE.
SET multipartner.acting_partner = :'office_id';
SET ROLE regress_multi;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'SET ROLE keeps the setting (multi: Office)');
SET ROLE regress_azure_ga;
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'the same setting refuses the next role if it is no Office member');
RESET ROLE;
RESET multipartner.acting_partner;

-- Any spelling uuid_in accepts is the same partner.
SET ROLE regress_office_ga;
SET multipartner.acting_partner = '11111111-1111-4111-8111-000000000001';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'the canonical spelling');
SET multipartner.acting_partner = '11111111111141118111000000000001';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'no hyphens');
SET multipartner.acting_partner = '{11111111-1111-4111-8111-000000000001}';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'braces');
SET multipartner.acting_partner = '1111-1111-1111-4111-8111-0000-0000-0001';
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'a hyphen after every group of four');
RESET multipartner.acting_partner;
RESET ROLE;

-------------------------------------------------------------------------------
-- Garbage values are refused at SET time (22023) and change nothing
-------------------------------------------------------------------------------
SET multipartner.acting_partner = :'office_id';
SELECT throws_ok($$SET multipartner.acting_partner = 'garbage'$$, '22023',
                 'invalid value for parameter "multipartner.acting_partner": "garbage"',
                 'SET refuses a word (22023)');
SELECT throws_ok($$SET multipartner.acting_partner = '1234'$$, '22023', NULL,
                 'SET refuses a number');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111-1111-4111-8111-00000000000g'$$, '22023', NULL,
                 'SET refuses a non-hex digit');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111-1111-4111-8111-00000000001'$$, '22023', NULL,
                 'SET refuses 31 digits');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111-1111-4111-8111-0000000000011'$$, '22023', NULL,
                 'SET refuses 33 digits');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111-1111-4111-8111-000000000001-'$$, '22023', NULL,
                 'SET refuses a trailing hyphen');
SELECT throws_ok($$SET multipartner.acting_partner = '-11111111-1111-4111-8111-000000000001'$$, '22023', NULL,
                 'SET refuses a leading hyphen');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111--1111-4111-8111-000000000001'$$, '22023', NULL,
                 'SET refuses a double hyphen');
SELECT throws_ok($$SET multipartner.acting_partner = '111-11111-1111-4111-8111-000000000001'$$, '22023', NULL,
                 'SET refuses a hyphen inside a group of four');
SELECT throws_ok($$SET multipartner.acting_partner = '{11111111-1111-4111-8111-000000000001'$$, '22023', NULL,
                 'SET refuses an unclosed brace');
SELECT throws_ok($$SET multipartner.acting_partner = '11111111-1111-4111-8111-000000000001}'$$, '22023', NULL,
                 'SET refuses a closing brace without an opening one');
SELECT throws_ok($$SET multipartner.acting_partner = ' 11111111-1111-4111-8111-000000000001'$$, '22023', NULL,
                 'SET refuses surrounding blanks');
SELECT throws_ok($$SELECT set_config('multipartner.acting_partner', 'garbage', true)$$, '22023', NULL,
                 'set_config() refuses garbage too');
SELECT is(current_setting('multipartner.acting_partner'), :'office_id',
          'refused values left the setting as it was');
SELECT throws_ok($$SET multipartner.acting_partner = '{11111111-1111-4111-8111-000000000001-}'$$, '22023', NULL,
                 'SET refuses a hyphen before the closing brace');
RESET multipartner.acting_partner;
SELECT throws_ok('SET multipartner.no_such_setting = 1', '42602', NULL,
                 'the multipartner.* prefix is reserved: unknown settings are refused');

-------------------------------------------------------------------------------
-- is_operator()
-------------------------------------------------------------------------------
SELECT is(multipartner.is_operator(), true, 'the superuser is an operator');
SET ROLE regress_operator;
SELECT is(multipartner.is_operator(), true, 'a member of multipartner_operator is an operator');
SET ROLE multipartner_operator;
SELECT is(multipartner.is_operator(), true, 'multipartner_operator itself is an operator');
RESET ROLE;
CREATE ROLE regress_op_grandchild IN ROLE regress_operator;
SET ROLE regress_op_grandchild;
SELECT is(multipartner.is_operator(), true, 'an indirect member of multipartner_operator is an operator');
SET ROLE multipartner_partner_app;
SELECT is(multipartner.is_operator(), false, 'multipartner_partner_app is not an operator');
SET ROLE multipartner_customer_app;
SELECT is(multipartner.is_operator(), false, 'multipartner_customer_app is not an operator');
SET ROLE regress_office_ga;
SELECT is(multipartner.is_operator(), false, 'a partner global_admin is not an operator');
SET ROLE regress_contoso_ga;
SELECT is(multipartner.is_operator(), false, 'a customer global_admin is not an operator');
SET ROLE regress_nobody;
SELECT throws_ok('SELECT multipartner.is_operator()', '42501', NULL,
                 'a role with no grant cannot call is_operator()');
RESET ROLE;

-------------------------------------------------------------------------------
-- The cache is keyed by role: SET ROLE changes the answer at once
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'switching roles: Office sales_agent');
SET ROLE regress_azure_sa;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'switching roles: Azure sales_agent');
SET ROLE regress_office_sa;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'switching roles: Office sales_agent again');
SET ROLE regress_contoso_reader;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'switching roles: a customer reader');
RESET ROLE;

-- Inside one statement: a SECURITY DEFINER function runs as its owner.
CREATE FUNCTION public.regress_acting_as_azure() RETURNS uuid
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
    AS 'SELECT multipartner.acting_partner()';
ALTER FUNCTION public.regress_acting_as_azure() OWNER TO regress_azure_ga;
GRANT EXECUTE ON FUNCTION public.regress_acting_as_azure() TO regress_office_ga;
SET ROLE regress_office_ga;
SELECT is(ARRAY[multipartner.acting_partner(), public.regress_acting_as_azure(), multipartner.acting_partner()],
          ARRAY[:'office_id', :'azure_id', :'office_id']::uuid[],
          'one statement: the caller, a SECURITY DEFINER owner, the caller again');
RESET ROLE;

-------------------------------------------------------------------------------
-- Membership changes in this transaction are seen at once
-------------------------------------------------------------------------------
SET ROLE regress_papp_nomember;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'before: no membership');
RESET ROLE;
INSERT INTO multipartner.partner_member VALUES ('regress_papp_nomember', :'azure_id', 'sales_agent');
SET ROLE regress_papp_nomember;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'a membership inserted by the superuser is seen at once');
RESET ROLE;

-- The same role, no role switch in between: only the member_changed trigger can tell.
SET ROLE regress_operator;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'the operator acts for no partner (cached)');
INSERT INTO multipartner.partner_member VALUES ('regress_operator', :'office_id', 'global_admin');
SELECT is(multipartner.acting_partner(), :'office_id'::uuid,
          'the operator''s own new membership is seen by the next statement');
INSERT INTO multipartner.partner_member VALUES ('regress_operator', :'azure_id', 'global_admin');
SELECT throws_ok('SELECT multipartner.acting_partner()', '42501', NULL,
                 'a second membership makes the operator ambiguous at once');
DELETE FROM multipartner.partner_member WHERE member = 'regress_operator'::regrole;
SELECT is(multipartner.acting_partner(), NULL::uuid, 'deleted memberships are gone at once');
UPDATE multipartner.partner_member SET partner_id = :'office_id'
 WHERE member = 'regress_papp_nomember'::regrole;
RESET ROLE;
SET ROLE regress_papp_nomember;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'an updated membership is seen at once');
RESET ROLE;

-- Several Partner Center roles in one partner are still one partner.
INSERT INTO multipartner.partner_member VALUES ('regress_office_hd', :'office_id', 'sales_agent');
SET ROLE regress_office_hd;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid,
          'two roles in one partner: not ambiguous');
RESET ROLE;

-- A membership rolled back with its savepoint is forgotten.  (In Citus mode,
-- every statement its own transaction, the savepoint gets one of its own.)
\if :{?mp_citus_rules}
BEGIN;
\endif
SET ROLE regress_operator;
SAVEPOINT regress_sp;
INSERT INTO multipartner.partner_member VALUES ('regress_operator', :'gov_id', 'sales_agent');
SELECT multipartner.acting_partner() AS sp_inside \gset
ROLLBACK TO SAVEPOINT regress_sp;
SELECT is(:'sp_inside'::uuid, :'gov_id'::uuid, 'inside the savepoint: the new membership counts');
SELECT is(multipartner.acting_partner(), NULL::uuid, 'after ROLLBACK TO SAVEPOINT: forgotten again');
RESET ROLE;
\if :{?mp_citus_rules}
COMMIT;
\endif

-- A member row acts only for the role it was made for (0.4).  Writing a row
-- binds its role (USAGE on type partner_role / customer_role, which
-- PostgreSQL tracks), so DROP ROLE is refused while the role has member
-- rows, and a row whose role holds no binding (a role that got a dropped
-- role's OID, or any role of a restored cluster where a dropped role is a
-- bare number) acts for nobody.
SELECT coalesce(pg_temp.error_of('DROP ROLE regress_office_uma'), 'dropped') AS drop1,
       coalesce(pg_temp.error_of('DROP ROLE regress_contoso_reader'), 'dropped') AS drop2 \gset
SELECT is(:'drop1'::text, '2BP01', 'DROP ROLE of a partner member is refused while it has member rows (2BP01)');
SELECT is(:'drop2'::text, '2BP01', 'DROP ROLE of a customer member is refused while it has member rows (2BP01)');
-- (by name: a row of a dropped role shows its bare OID; on Citus a role's
-- OID differs from node to node, and pg_roles is read on the coordinator
-- while the rows of customer_member are read on the workers)
SELECT is((SELECT count(*)::int FROM multipartner.partner_member m
            WHERE NOT EXISTS (SELECT FROM pg_roles r WHERE quote_ident(r.rolname) = m.member::text))
          + (SELECT count(*)::int FROM multipartner.customer_member m
              WHERE NOT EXISTS (SELECT FROM pg_roles r WHERE quote_ident(r.rolname) = m.member::text)),
          0, 'no membership row is left pointing at a dropped role');

-- removing a role's last member row unbinds it: DROP ROLE goes through
SELECT ok(has_type_privilege('regress_office_uma', 'multipartner.partner_role', 'USAGE')
          AND 'regress_office_uma'::regrole IN (SELECT (aclexplode(typacl)).grantee FROM pg_type
                                                 WHERE oid = 'multipartner.partner_role'::regtype),
          'a partner member holds USAGE on type partner_role, granted to it directly');
DELETE FROM multipartner.partner_member WHERE member = 'regress_office_uma'::regrole;
SELECT ok('regress_office_uma'::regrole NOT IN (SELECT (aclexplode(typacl)).grantee FROM pg_type
                                                 WHERE oid = 'multipartner.partner_role'::regtype),
          'its last member row removed, the role is unbound');
SELECT is(pg_temp.error_of('DROP ROLE regress_office_uma'), NULL::text, '... and DROP ROLE goes through');
DELETE FROM multipartner.customer_member WHERE member = 'regress_contoso_reader'::regrole;
SELECT is(pg_temp.error_of('DROP ROLE regress_contoso_reader'), NULL::text, 'the same for a customer member');
-- a role with two rows keeps its binding until the last one goes
DELETE FROM multipartner.partner_member WHERE member = 'regress_multi'::regrole AND partner_id = :'azure_id';
SELECT ok('regress_multi'::regrole IN (SELECT (aclexplode(typacl)).grantee FROM pg_type
                                        WHERE oid = 'multipartner.partner_role'::regtype),
          'a role that still has a member row stays bound');

-- a renamed role is the same role: its membership stays
ALTER ROLE regress_office_ba RENAME TO regress_office_ba_renamed;
SET ROLE regress_office_ba_renamed;
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'a renamed member role still acts for its partner');
RESET ROLE;
ALTER ROLE regress_office_ba_renamed RENAME TO regress_office_ba;

-- a row for a role that was not bound to it: what a restore of a dump writes
-- for a dropped role (a bare OID that may be another role's now).  Loaded
-- in restore mode, where the triggers step aside; the role acts for nobody.
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.partner_member (member, partner_id, role)
     VALUES ('regress_nobody'::pg_catalog.regrole::pg_catalog.oid::pg_catalog.regrole, :'office_id', 'global_admin');
INSERT INTO multipartner.customer_member (member, customer_id, role)
     VALUES ('regress_nobody'::pg_catalog.regrole::pg_catalog.oid::pg_catalog.regrole, :'contoso_id', 'global_admin');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
GRANT multipartner_partner_app, multipartner_customer_app TO regress_nobody;
SET ROLE regress_nobody;
SELECT is(multipartner.acting_partner(), NULL::uuid,
          'a member row whose role was never bound to it acts for nobody (partner)');
SELECT is(multipartner.member_customers(), '{}'::uuid[],
          'a member row whose role was never bound to it acts for nobody (customer)');
SELECT is((SELECT count(*)::int FROM multipartner.subscription), 0, '... and sees nothing');
RESET ROLE;

-- a member row for an OID no role has is refused
SELECT throws_ok(format('INSERT INTO multipartner.partner_member VALUES (%s::oid::regrole, %L, ''sales_agent'')',
                        (SELECT max(oid::int8) + 1000 FROM pg_authid), :'office_id'),
                 '23503', NULL, 'a member row naming no existing role is refused (23503)');

SELECT * FROM finish();
\i test/teardown.psql
