\i test/setup.psql
-- router_calls: the calls by id with the customer first (0.9, CITUS_DESIGN
-- §3).  On a single node each overload does what the call by id alone does
-- for the right customer (same rows, same stamps, same refusals), and for
-- any other customer answers exactly as for an unknown id (42704, the same
-- message and detail), even to an operator who sees the row: an id is
-- never confirmed at another customer.  check() given a customer_id runs
-- the overloads (and puts the customer into its subscription UPDATE).  The
-- old signatures keep their arguments and grants, and every existing call
-- form (positional, named) still resolves to them.  The Citus side (one
-- task per statement) is test/citus/sql/citus_router.sql.
\i test/fixtures.psql

SELECT plan(66);

-- SQLSTATE, message and detail of a statement that fails; 'ok' when it
-- succeeds (its effects stay)
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text;
    d text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || m || coalesce(' / ' || nullif(d, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.err(text) TO PUBLIC;
CREATE FUNCTION pg_temp.unknown(kind text, id uuid, role text) RETURNS text LANGUAGE sql AS $$
    SELECT format('42704: %s %s does not exist / No %s with this id is visible to role "%s".',
                  kind, id, kind, role)
$$;
CREATE FUNCTION pg_temp.rel(id uuid) RETURNS text LANGUAGE sql AS $$
    SELECT (status, delegated_admin, decided_by, ended_by)::text
      FROM multipartner.relationship WHERE relationship_id = id
$$;
CREATE FUNCTION pg_temp.ar(id uuid) RETURNS text LANGUAGE sql AS $$
    SELECT (status, decided_by, ended_by)::text
      FROM multipartner.admin_relationship WHERE admin_relationship_id = id
$$;
CREATE FUNCTION pg_temp.aa(id uuid) RETURNS text LANGUAGE sql AS $$
    SELECT (customer_id, status, ended_by)::text
      FROM multipartner.access_assignment WHERE access_assignment_id = id
$$;
GRANT EXECUTE ON FUNCTION pg_temp.unknown(text, uuid, text), pg_temp.rel(uuid),
    pg_temp.ar(uuid), pg_temp.aa(uuid) TO PUBLIC;

-------------------------------------------------------------------------------
-- The signatures: each old one kept, one overload with the customer first,
-- the same grants
-------------------------------------------------------------------------------
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.pronargs, p.oid::regprocedure::text)
             FROM pg_proc p WHERE p.pronamespace = 'multipartner'::regnamespace
              AND p.proname IN ('accept_relationship', 'decline_relationship', 'revoke_delegated_admin',
                                'terminate_relationship', 'request_admin_approval',
                                'approve_admin_relationship', 'decline_admin_relationship',
                                'terminate_admin_relationship', 'assign_admin_access', 'end_admin_access')),
          'multipartner.accept_relationship(uuid), multipartner.approve_admin_relationship(uuid), '
          'multipartner.decline_admin_relationship(uuid), multipartner.decline_relationship(uuid), '
          'multipartner.end_admin_access(uuid), multipartner.request_admin_approval(uuid), '
          'multipartner.revoke_delegated_admin(uuid), multipartner.terminate_admin_relationship(uuid), '
          'multipartner.terminate_relationship(uuid), '
          'multipartner.accept_relationship(uuid,uuid), multipartner.approve_admin_relationship(uuid,uuid), '
          'multipartner.decline_admin_relationship(uuid,uuid), multipartner.decline_relationship(uuid,uuid), '
          'multipartner.end_admin_access(uuid,uuid), multipartner.request_admin_approval(uuid,uuid), '
          'multipartner.revoke_delegated_admin(uuid,uuid), multipartner.terminate_admin_relationship(uuid,uuid), '
          'multipartner.terminate_relationship(uuid,uuid), '
          'multipartner.assign_admin_access(uuid,regrole,text[]), '
          'multipartner.assign_admin_access(uuid,uuid,regrole,text[])',
          'each call by id has its old signature and one overload with the customer first');
SELECT is((SELECT string_agg(n.proname, ', ' ORDER BY n.proname)
             FROM pg_proc n JOIN pg_proc o ON o.proname = n.proname AND o.pronamespace = n.pronamespace
              AND o.pronargs = n.pronargs - 1
            WHERE n.pronamespace = 'multipartner'::regnamespace
              AND n.proargnames[1] = 'customer_id' AND o.proargnames[1] <> 'customer_id'
              AND n.proargnames[2:] = o.proargnames
              AND n.proargtypes::text = 'uuid'::regtype::oid::text || ' ' || o.proargtypes::text
              AND n.proacl IS NOT DISTINCT FROM o.proacl AND n.prorettype = o.prorettype
              AND n.pronargdefaults = 0 AND o.pronargdefaults = 0
              AND n.provolatile = o.provolatile AND n.prosecdef = o.prosecdef AND n.proconfig = o.proconfig),
          'accept_relationship, approve_admin_relationship, assign_admin_access, decline_admin_relationship, '
          'decline_relationship, end_admin_access, request_admin_approval, revoke_delegated_admin, '
          'terminate_admin_relationship, terminate_relationship',
          'each overload: customer_id first, then the old arguments by the same names, the old grants, no defaults');

-------------------------------------------------------------------------------
-- Relationships
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'contoso_id') AS r1 \gset
SELECT multipartner.request_relationship(:'fabrikam_id') AS r2 \gset
SET ROLE regress_azure_ga;
SELECT multipartner.request_relationship(:'contoso_id') AS r3 \gset
RESET ROLE;

-- a wrong customer: as an unknown id, for an operator who sees the row too
SET ROLE regress_operator;
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_operator'),
          'accept_relationship(customer_id, id): another customer''s relationship does not exist, even for an operator');
SELECT is(pg_temp.err(format('SELECT multipartner.decline_relationship(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_operator'),
          'decline_relationship(customer_id, id): the same');
SELECT is(pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_operator'),
          'revoke_delegated_admin(customer_id, id): the same');
SELECT is(pg_temp.err(format('SELECT multipartner.terminate_relationship(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_operator'),
          'terminate_relationship(customer_id, id): the same');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'unknown_id')),
          pg_temp.err(format('SELECT multipartner.accept_relationship(%L)', :'unknown_id')),
          'accept_relationship(customer_id, unknown id): the old call''s answer for an unknown id');
SELECT is(pg_temp.rel(:'r1'), '(pending,t,,)', 'and the relationship is unchanged');
RESET ROLE;
SET ROLE regress_fabrikam_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_fabrikam_ga'),
          'the other customer''s global admin naming its own customer: does not exist');
RESET ROLE;

-- refusals of the right customer: the old call's
SET ROLE regress_contoso_reader;
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'r1')),
          pg_temp.err(format('SELECT multipartner.accept_relationship(%L)', :'r1')),
          'accept_relationship(customer_id, id) by a reader: the old call''s refusal (R3)');
SELECT matches(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'r1')),
               '^42501', 'which is 42501');
RESET ROLE;
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(NULL, %L)', :'r1')),
          '22004: customer_id must not be null', 'accept_relationship(NULL, id): 22004');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, NULL)', :'contoso_id')),
          '22004: relationship_id must not be null', 'accept_relationship(customer_id, NULL): 22004');
-- the right customer: what the old call does
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'r1')), 'ok',
          'accept_relationship(customer_id, id) by the customer''s global admin');
SELECT is(pg_temp.rel(:'r1'), '(active,t,regress_contoso_ga,)', 'the relationship is active, decided by it');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'r1')), 'ok',
          'accepting it again changes nothing and succeeds');
SELECT is(pg_temp.err(format('SELECT multipartner.decline_relationship(%L, %L)', :'contoso_id', :'r3')), 'ok',
          'decline_relationship(customer_id, id)');
SELECT is(pg_temp.rel(:'r3'), '(declined,t,regress_contoso_ga,)', 'the request is declined');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'contoso_id', :'r3')),
          pg_temp.err(format('SELECT multipartner.accept_relationship(%L)', :'r3')),
          'accepting a declined one: the old call''s refusal');
RESET ROLE;
SET ROLE regress_office_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L, %L)', :'contoso_id', :'r1')), 'ok',
          'revoke_delegated_admin(customer_id, id) by the partner''s global admin');
SELECT is(pg_temp.rel(:'r1'), '(active,f,regress_contoso_ga,)', 'delegated admin is off, the relationship active');
SELECT is(pg_temp.err(format('SELECT multipartner.terminate_relationship(%L, %L)', :'fabrikam_id', :'r1')),
          pg_temp.unknown('relationship', :'r1', 'regress_office_ga'),
          'terminate_relationship(customer_id, id) naming another customer of the same partner: does not exist');
SELECT is(pg_temp.err(format('SELECT multipartner.terminate_relationship(%L, %L)', :'contoso_id', :'r1')), 'ok',
          'terminate_relationship(customer_id, id)');
SELECT is(pg_temp.rel(:'r1'), '(terminated,f,regress_contoso_ga,regress_office_ga)', 'the relationship is terminated, by it');
RESET ROLE;

-- every existing call form resolves to the old signature
SET ROLE regress_fabrikam_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(relationship_id => %L)', :'r2')), 'ok',
          'accept_relationship(relationship_id => id): the old signature by name');
SELECT is(pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L::uuid)', :'r2')), 'ok',
          'revoke_delegated_admin(id::uuid): the old signature');
SELECT is(pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r2')), 'ok',
          'revoke_delegated_admin(''id''): an untyped literal, the old signature');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(customer_id => %L, relationship_id => %L)',
                             :'fabrikam_id', :'r2')), 'ok',
          'accept_relationship(customer_id =>, relationship_id =>): the overload by name');
SELECT is(pg_temp.err(format('SELECT multipartner.accept_relationship(relationship_id => %L, customer_id => %L)',
                             :'r2', :'contoso_id')),
          pg_temp.unknown('relationship', :'r2', 'regress_fabrikam_ga'),
          'named in the other order, with the wrong customer: does not exist');
RESET ROLE;

-------------------------------------------------------------------------------
-- Admin relationships and assignments
-------------------------------------------------------------------------------
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active');
CREATE ROLE regress_router_tech NOLOGIN;
GRANT multipartner_partner_app TO regress_router_tech;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_router_tech', :'office_id', 'helpdesk_agent');
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Router 1', ARRAY['Helpdesk Administrator']) AS ar1 \gset
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Router 2', ARRAY['Helpdesk Administrator']) AS ar2 \gset
RESET ROLE;

SET ROLE regress_operator;
SELECT is(pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'fabrikam_id', :'ar1')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_operator'),
          'request_admin_approval(customer_id, id): another customer''s admin relationship does not exist, even for an operator');
SELECT is(pg_temp.err(format('SELECT multipartner.approve_admin_relationship(%L, %L)', :'fabrikam_id', :'ar1')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_operator'),
          'approve_admin_relationship(customer_id, id): the same');
SELECT is(pg_temp.err(format('SELECT multipartner.decline_admin_relationship(%L, %L)', :'fabrikam_id', :'ar1')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_operator'),
          'decline_admin_relationship(customer_id, id): the same');
SELECT is(pg_temp.err(format('SELECT multipartner.terminate_admin_relationship(%L, %L)', :'fabrikam_id', :'ar1')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_operator'),
          'terminate_admin_relationship(customer_id, id): the same');
SELECT is(pg_temp.ar(:'ar1'), '(created,,)', 'and the admin relationship is unchanged');
RESET ROLE;

SET ROLE regress_office_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.request_admin_approval(NULL, %L)', :'ar1')),
          '22004: customer_id must not be null', 'request_admin_approval(NULL, id): 22004');
SELECT is(pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'contoso_id', :'ar1')), 'ok',
          'request_admin_approval(customer_id, id)');
SELECT is(pg_temp.ar(:'ar1'), '(approval_pending,,)', 'approval_pending');
SELECT is(pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'contoso_id', :'ar2')), 'ok',
          'request_admin_approval(customer_id, id) of a second one');
SELECT is(pg_temp.err(format('SELECT multipartner.approve_admin_relationship(%L, %L)', :'contoso_id', :'ar1')),
          pg_temp.err(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1')),
          'approve_admin_relationship(customer_id, id) by the partner: the old call''s refusal');
RESET ROLE;
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.approve_admin_relationship(%L, %L)', :'contoso_id', :'ar1')), 'ok',
          'approve_admin_relationship(customer_id, id) by the customer''s global admin');
SELECT is(pg_temp.ar(:'ar1'), '(active,regress_contoso_ga,)', 'active, decided by it');
SELECT is(pg_temp.err(format('SELECT multipartner.decline_admin_relationship(%L, %L)', :'contoso_id', :'ar2')), 'ok',
          'decline_admin_relationship(customer_id, id)');
SELECT is(pg_temp.ar(:'ar2'), '(declined,regress_contoso_ga,)', 'declined, by it');
RESET ROLE;

SET ROLE regress_operator;
SELECT is(pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, %L, ARRAY[%L])', :'fabrikam_id', :'ar1',
                             'regress_router_tech', 'Helpdesk Administrator')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_operator'),
          'assign_admin_access(customer_id, id, ...): another customer''s admin relationship does not exist, even for an operator');
RESET ROLE;
SET ROLE regress_office_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, %L, ARRAY[%L])', :'fabrikam_id', :'ar1',
                             'regress_router_tech', 'Helpdesk Administrator')),
          pg_temp.unknown('admin relationship', :'ar1', 'regress_office_ga'),
          'assign_admin_access(customer_id, id, ...) naming another customer of the partner: does not exist');
SELECT is(pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, %L, ARRAY[%L])', :'contoso_id', :'ar1',
                             'regress_router_tech', 'Global Administrator')),
          pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, ARRAY[%L])', :'ar1',
                             'regress_router_tech', 'Global Administrator')),
          'assign_admin_access(customer_id, id, ...) of a role the relationship does not hold: the old call''s refusal (R19)');
SELECT multipartner.assign_admin_access(:'contoso_id', :'ar1', 'regress_router_tech', ARRAY['Helpdesk Administrator']) AS aa1 \gset
SELECT is(pg_temp.aa(:'aa1'), format('(%s,active,)', :'contoso_id'),
          'assign_admin_access(customer_id, id, grantee, roles): an active assignment at the customer');
SELECT is(pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, %L, ARRAY[%L])', :'contoso_id', :'ar1',
                             'regress_router_tech', 'Helpdesk Administrator')),
          pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, ARRAY[%L])', :'ar1',
                             'regress_router_tech', 'Helpdesk Administrator')),
          'a second one for the same grantee: the old call''s refusal');
SELECT is(pg_temp.err(format('SELECT multipartner.end_admin_access(%L, %L)', :'fabrikam_id', :'aa1')),
          pg_temp.unknown('access assignment', :'aa1', 'regress_office_ga'),
          'end_admin_access(customer_id, id) naming another customer: does not exist');
SELECT is(pg_temp.aa(:'aa1'), format('(%s,active,)', :'contoso_id'), 'and the assignment is unchanged');
SELECT is(pg_temp.err(format('SELECT multipartner.end_admin_access(%L, %L)', :'contoso_id', :'aa1')), 'ok',
          'end_admin_access(customer_id, id)');
SELECT is(pg_temp.aa(:'aa1'), format('(%s,ended,regress_office_ga)', :'contoso_id'), 'the assignment ended, by it');
-- the old call forms, by name
SELECT is(pg_temp.err(format('SELECT multipartner.assign_admin_access(admin_relationship_id => %L, grantee => %L, roles => ARRAY[%L])',
                             :'ar1', 'regress_router_tech', 'Helpdesk Administrator')), 'ok',
          'assign_admin_access(admin_relationship_id =>, grantee =>, roles =>): the old signature by name');
SELECT is(pg_temp.err(format('SELECT multipartner.end_admin_access(access_assignment_id => (SELECT access_assignment_id FROM multipartner.access_assignment WHERE status = %L))',
                             'active')), 'ok',
          'end_admin_access(access_assignment_id =>): the old signature by name');
RESET ROLE;
SET ROLE regress_operator;
SELECT is(pg_temp.err(format('SELECT multipartner.end_admin_access(%L, %L)', :'fabrikam_id', :'aa1')),
          pg_temp.unknown('access assignment', :'aa1', 'regress_operator'),
          'end_admin_access(customer_id, id) naming another customer, for an operator: does not exist');
RESET ROLE;
SET ROLE regress_office_ga;
SELECT is(pg_temp.err(format('SELECT multipartner.terminate_admin_relationship(%L, %L)', :'contoso_id', :'ar1')), 'ok',
          'terminate_admin_relationship(customer_id, id)');
SELECT is(pg_temp.ar(:'ar1'), '(terminated,regress_contoso_ga,regress_office_ga)', 'terminated, by it');
RESET ROLE;

-------------------------------------------------------------------------------
-- check() with a customer_id: the customer in every statement it runs
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.create_subscription(:'fabrikam_id', 'O365_E3', 'Microsoft 365', 5, 'P1Y', 'monthly') AS s1 \gset
SELECT is((SELECT (allowed, sqlstate, message)::text FROM multipartner.check('update_subscription', :'s1', quantity => 6)),
          '(t,,)', 'check(update_subscription, id): allowed');
SELECT is((SELECT (allowed, sqlstate, message)::text
             FROM multipartner.check('update_subscription', :'s1', customer_id => :'fabrikam_id', quantity => 6)),
          '(t,,)', 'check(update_subscription, id, customer_id => its customer): allowed');
SELECT is((SELECT (allowed, sqlstate, message)::text
             FROM multipartner.check('update_subscription', :'s1', customer_id => :'contoso_id', quantity => 6)),
          format('(f,42704,"subscription %s does not exist")', :'s1'),
          'check(update_subscription, id, customer_id => another customer): does not exist');
SELECT is((SELECT (allowed, sqlstate, message)::text
             FROM multipartner.check('cancel_subscription', subscription_id => :'s1', customer_id => :'contoso_id')),
          format('(f,42704,"subscription %s does not exist")', :'s1'),
          'check(cancel_subscription, subscription_id =>, customer_id => another customer): does not exist');
SELECT is((SELECT (allowed, sqlstate, message)::text
             FROM multipartner.check('terminate_relationship', relationship_id => :'r2', customer_id => :'contoso_id')),
          format('(f,42704,"relationship %s does not exist")', :'r2'),
          'check(terminate_relationship, relationship_id =>, customer_id => another customer): does not exist');
SELECT is((SELECT (allowed, rule, sqlstate)::text
             FROM multipartner.check('terminate_relationship', relationship_id => :'r2', customer_id => :'fabrikam_id')),
          (SELECT (allowed, rule, sqlstate)::text FROM multipartner.check('terminate_relationship', :'r2')),
          'check(terminate_relationship, ..., customer_id => its customer): the answer without it (R13)');
SELECT is((SELECT (allowed, sqlstate, message)::text
             FROM multipartner.check('terminate_admin_relationship', :'ar2', customer_id => :'fabrikam_id')),
          format('(f,42704,"admin relationship %s does not exist")', :'ar2'),
          'check(terminate_admin_relationship, id, customer_id => another customer): does not exist');
SELECT is((SELECT (allowed, sqlstate)::text
             FROM multipartner.check('request_admin_approval', :'ar2', customer_id => :'contoso_id')),
          (SELECT (allowed, sqlstate)::text FROM multipartner.check('request_admin_approval', :'ar2')),
          'check(request_admin_approval, id, customer_id => its customer): the answer without it');
SELECT is((SELECT (allowed, sqlstate)::text FROM multipartner.check('create_subscription', customer_id => :'fabrikam_id')),
          '(t,)', 'check(create_subscription, customer_id =>): still the customer acted on');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
