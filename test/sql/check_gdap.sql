-- check_gdap: multipartner.check() for the GDAP operations (SPEC §9):
-- create_admin_relationship, request_admin_approval,
-- approve_admin_relationship, decline_admin_relationship,
-- terminate_admin_relationship and end_admin_access, as every role that
-- matters, allowed and refused, and that the dry run agrees with the real
-- call.  The case runner pg_temp.agree() calls check() as the role, then
-- performs the real API call (written here independently of check(); the
-- creation with terms of its own) as the same role and undoes it, and
-- reports both:
--   'allowed <check.allowed>, sqlstate <check.sqlstate>, rule <check.rule>; operation <SQLSTATE>'
-- ('-' for NULL, 00000 for a call that succeeded).  The expected text of
-- each case states the answer, the rule (R14..R20) and, with it, that
-- check() and the operation agree.  Then: check() leaves nothing behind,
-- repeated calls keep their answer (generic plans), and the id is
-- positional only.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_bypass.psql

-- Entra role template ids
\set role_hd     '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set role_exch   '29232cdf-9323-42fd-ade2-1d097af3e4de'
-- more of the world, with fixed ids:
--   :c_none     a customer no partner has a reseller relationship with
--   :litware_id a suspended partner with an active reseller relationship
--               with Contoso; regress_litware_ga its global_admin
\set c_none     '33333333-3333-4333-8333-0000000000d1'
\set litware_id '11111111-1111-4111-8111-0000000000c1'
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'c_none', '44444444-4444-4444-8444-0000000000d1', 'Adatum', 'commercial');
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (:'litware_id', 'Litware Reseller', 'commercial', '22222222-2222-4222-8222-0000000000c1');
CREATE ROLE regress_litware_ga NOLOGIN;
GRANT multipartner_partner_app TO regress_litware_ga;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_litware_ga', :'litware_id', 'global_admin');
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active'),
    (:'contoso_id', :'azure_id', 'active'),
    (:'fabrikam_id', :'office_id', 'active'),
    (:'contoso_id', :'litware_id', 'active');
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'litware_id';

-- Admin relationships (Office with Contoso unless said), loaded by the
-- superuser in restore mode (pg_dump's settings) with their history:
--   ar_created   created
--   ar_pend      approval_pending, requested now
--   ar_stale     approval_pending, requested 91 days ago (effectively expired)
--   ar_active    active, Helpdesk and Exchange, ends in 100 days
--   ar_declined  declined
--   ar_term      terminated
--   ar_fab       Office with Fabrikam, approval_pending
--   ar_azure     Azure with Contoso, active
-- Assignments on ar_active: as_active (regress_office_hd, Helpdesk),
-- as_ended (regress_office_sa, ended).
\set ar_created  'bbbbbbbb-bbbb-4bbb-8bbb-000000000001'
\set ar_pend     'bbbbbbbb-bbbb-4bbb-8bbb-000000000002'
\set ar_stale    'bbbbbbbb-bbbb-4bbb-8bbb-000000000003'
\set ar_active   'bbbbbbbb-bbbb-4bbb-8bbb-000000000004'
\set ar_declined 'bbbbbbbb-bbbb-4bbb-8bbb-000000000005'
\set ar_term     'bbbbbbbb-bbbb-4bbb-8bbb-000000000006'
\set ar_fab      'bbbbbbbb-bbbb-4bbb-8bbb-000000000007'
\set ar_azure    'bbbbbbbb-bbbb-4bbb-8bbb-000000000008'
\set as_active   'cccccccc-cccc-4ccc-8ccc-000000000001'
\set as_ended    'cccccccc-cccc-4ccc-8ccc-000000000002'
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at, ended_by, ended_at)
VALUES
    (:'ar_created', :'contoso_id', :'office_id', 'created', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'created',
     'regress_office_ga', now() - interval '1 day', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (:'ar_pend', :'contoso_id', :'office_id', 'pending', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'approval_pending',
     'regress_office_ga', now() - interval '1 day', now(), NULL, NULL, NULL, NULL, NULL, NULL),
    (:'ar_stale', :'contoso_id', :'office_id', 'stale', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'approval_pending',
     'regress_office_ga', now() - interval '100 days', now() - interval '91 days', NULL, NULL, NULL, NULL, NULL, NULL),
    (:'ar_active', :'contoso_id', :'office_id', 'active', ARRAY[:'role_hd', :'role_exch']::pg_catalog.uuid[], '180 days', 'active',
     'regress_office_ga', now() - interval '90 days', now() - interval '90 days', 'regress_contoso_ga', now() - interval '80 days',
     now() - interval '80 days', now() + interval '100 days', NULL, NULL),
    (:'ar_declined', :'contoso_id', :'office_id', 'declined', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'declined',
     'regress_office_ga', now() - interval '10 days', now() - interval '10 days', 'regress_contoso_ga', now() - interval '9 days',
     NULL, NULL, NULL, NULL),
    (:'ar_term', :'contoso_id', :'office_id', 'terminated', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'terminated',
     'regress_office_ga', now() - interval '10 days', NULL, NULL, NULL, NULL, NULL, 'regress_office_ga', now() - interval '9 days'),
    (:'ar_fab', :'fabrikam_id', :'office_id', 'fabrikam', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'approval_pending',
     'regress_office_ga', now() - interval '1 day', now(), NULL, NULL, NULL, NULL, NULL, NULL),
    (:'ar_azure', :'contoso_id', :'azure_id', 'azure', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', 'active',
     'regress_azure_ga', now() - interval '20 days', now() - interval '20 days', 'regress_contoso_ga', now() - interval '10 days',
     now() - interval '10 days', now() + interval '20 days', NULL, NULL);
INSERT INTO multipartner.access_assignment
    (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status,
     created_by, created_at, ended_by, ended_at)
VALUES
    (:'as_active', :'ar_active', :'contoso_id', :'office_id', 'regress_office_hd', ARRAY[:'role_hd']::pg_catalog.uuid[], 'active',
     'regress_office_aa', now() - interval '70 days', NULL, NULL),
    (:'as_ended', :'ar_active', :'contoso_id', :'office_id', 'regress_office_sa', ARRAY[:'role_hd']::pg_catalog.uuid[], 'ended',
     'regress_office_aa', now() - interval '70 days', 'regress_office_aa', now() - interval '60 days');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\i test/fixtures_done.psql

-- The case runner (keeps the session's plans, so the cases run past the
-- switch to generic plans).
CREATE FUNCTION pg_temp.agree(role name, acting uuid, action text, id uuid)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c record;
    checked text;
    op text;
    sql text;
BEGIN
    EXECUTE format('SET ROLE %I', role);
    PERFORM set_config('multipartner.acting_partner', coalesce(acting::text, ''), false);
    BEGIN
        SELECT * INTO c FROM multipartner.check(action, id);
        checked := format('allowed %s, sqlstate %s, rule %s', c.allowed, coalesce(c.sqlstate, '-'), coalesce(c.rule, '-'));
    EXCEPTION WHEN OTHERS THEN
        checked := 'check() raised ' || SQLSTATE;
    END;
    -- the real operation, written here independently of check()
    IF action = 'create_admin_relationship' THEN
        sql := format($q$SELECT multipartner.create_admin_relationship(%L, 'Exchange for check_gdap', ARRAY['Exchange Administrator'], '90 days')$q$, id);
    ELSE
        sql := format('SELECT multipartner.%I(%L)', action, id);
    END IF;
    BEGIN
        EXECUTE sql;
        op := '00000';
        RAISE EXCEPTION 'undo the operation' USING ERRCODE = 'P0001';
    EXCEPTION WHEN OTHERS THEN
        IF op IS NULL THEN
            op := SQLSTATE;
        END IF;
    END;
    RESET ROLE;
    PERFORM set_config('multipartner.acting_partner', '', false);
    RETURN checked || '; operation ' || op;
END
$$;

CREATE TEMP TABLE cases (
    n integer PRIMARY KEY,
    role name NOT NULL,
    acting uuid,
    action text NOT NULL,
    id uuid,
    e_allowed boolean NOT NULL,
    e_sqlstate text,
    e_rule text,
    description text NOT NULL
);
INSERT INTO cases VALUES
-- create_admin_relationship: R14 (who; an active reseller relationship; an active partner)
( 1, 'regress_office_ga', NULL, 'create_admin_relationship', :'contoso_id', true, NULL, NULL, 'R14: the partner''s global_admin may create'),
( 2, 'regress_office_aa', NULL, 'create_admin_relationship', :'contoso_id', true, NULL, NULL, 'R14: an admin_agent may create'),
( 3, 'regress_multi', :'office_id', 'create_admin_relationship', :'contoso_id', true, NULL, NULL, 'R14: a two-partner member acting for Office, where it is global_admin, may create'),
( 4, 'regress_office_uma', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: a user_management_admin may not create'),
( 5, 'regress_office_sa', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: a sales_agent may not create'),
( 6, 'regress_office_hd', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: a helpdesk_agent may not create'),
( 7, 'regress_multi', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: a two-partner member that did not pick its partner may not create'),
( 8, 'regress_contoso_ga', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: the customer''s global_admin does not create'),
( 9, 'regress_operator', NULL, 'create_admin_relationship', :'contoso_id', false, '42501', 'R14', 'R14: an operator does not create on a partner''s behalf'),
(10, 'regress_office_aa', NULL, 'create_admin_relationship', :'c_none', false, 'MP001', 'R14', 'R14: no reseller relationship with the customer, no admin relationship'),
(11, 'regress_litware_ga', NULL, 'create_admin_relationship', :'contoso_id', false, '55000', 'R14', 'R14: a suspended partner does not create'),
-- request_admin_approval: R14, R18
(12, 'regress_office_ga', NULL, 'request_admin_approval', :'ar_created', true, NULL, NULL, 'R14: the partner''s global_admin may submit'),
(13, 'regress_office_aa', NULL, 'request_admin_approval', :'ar_created', true, NULL, NULL, 'R14: an admin_agent may submit'),
(14, 'regress_office_uma', NULL, 'request_admin_approval', :'ar_created', false, '42501', 'R14', 'R14: a user_management_admin may not submit'),
(15, 'regress_office_sa', NULL, 'request_admin_approval', :'ar_created', false, '42501', 'R14', 'R14: a sales_agent may not submit'),
(16, 'regress_contoso_ga', NULL, 'request_admin_approval', :'ar_created', false, '42501', 'R14', 'R14: the customer, who sees it, may not submit'),
(17, 'regress_operator', NULL, 'request_admin_approval', :'ar_created', false, '42501', 'R14', 'R14: an operator may not submit'),
(18, 'regress_azure_ga', NULL, 'request_admin_approval', :'ar_created', false, '42704', NULL, 'another partner''s admin relationship does not exist for it'),
(19, 'regress_office_ga', NULL, 'request_admin_approval', :'ar_term', false, '55000', 'R18', 'R18: a terminated one is not submitted'),
(20, 'regress_office_ga', NULL, 'request_admin_approval', :'ar_active', false, '55000', 'R18', 'R18: an active one is not submitted'),
-- approve_admin_relationship: R14, R18
(21, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'ar_pend', true, NULL, NULL, 'R14: the customer''s global_admin may approve'),
(22, 'regress_contoso_reader', NULL, 'approve_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the customer''s reader may not approve'),
(23, 'regress_contoso_ba', NULL, 'approve_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the customer''s billing_admin may not approve'),
(24, 'regress_office_ga', NULL, 'approve_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the requesting partner''s global_admin may not approve'),
(25, 'regress_office_aa', NULL, 'approve_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: ... nor its admin_agent'),
(26, 'regress_operator', NULL, 'approve_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: an operator does not approve on a customer''s behalf'),
(27, 'regress_fabrikam_ga', NULL, 'approve_admin_relationship', :'ar_pend', false, '42704', NULL, 'another customer''s admin relationship does not exist for it'),
(28, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'ar_stale', false, '55000', 'R18', 'R18: a request older than 90 days has expired'),
(29, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'ar_created', false, '55000', 'R18', 'R18: a created one is not approved before it is submitted'),
(30, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'ar_declined', false, '55000', 'R18', 'R18: declined is final'),
(31, 'regress_fabrikam_ga', NULL, 'approve_admin_relationship', :'ar_fab', true, NULL, NULL, 'R14: Fabrikam''s global_admin approves its own'),
-- decline_admin_relationship: R14, R18
(32, 'regress_contoso_ga', NULL, 'decline_admin_relationship', :'ar_pend', true, NULL, NULL, 'R14: the customer''s global_admin may decline'),
(33, 'regress_contoso_reader', NULL, 'decline_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the customer''s reader may not decline'),
(34, 'regress_office_ga', NULL, 'decline_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the partner does not decline (it withdraws: terminate)'),
(35, 'regress_operator', NULL, 'decline_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: an operator does not decline'),
(36, 'regress_contoso_ga', NULL, 'decline_admin_relationship', :'ar_active', false, '55000', 'R18', 'R18: an active one is not declined'),
-- terminate_admin_relationship: R14, R18
(37, 'regress_office_ga', NULL, 'terminate_admin_relationship', :'ar_active', true, NULL, NULL, 'R14: the partner''s global_admin may terminate an active one'),
(38, 'regress_office_aa', NULL, 'terminate_admin_relationship', :'ar_active', true, NULL, NULL, 'R14: an admin_agent may terminate'),
(39, 'regress_contoso_ga', NULL, 'terminate_admin_relationship', :'ar_active', true, NULL, NULL, 'R14: the customer''s global_admin may terminate an active one'),
(40, 'regress_operator', NULL, 'terminate_admin_relationship', :'ar_active', true, NULL, NULL, 'R14: an operator may terminate an active one'),
(41, 'regress_office_sa', NULL, 'terminate_admin_relationship', :'ar_active', false, '42501', 'R14', 'R14: a sales_agent may not terminate'),
(42, 'regress_office_uma', NULL, 'terminate_admin_relationship', :'ar_active', false, '42501', 'R14', 'R14: a user_management_admin may not terminate'),
(43, 'regress_contoso_reader', NULL, 'terminate_admin_relationship', :'ar_active', false, '42501', 'R14', 'R14: the customer''s reader may not terminate'),
(44, 'regress_azure_ga', NULL, 'terminate_admin_relationship', :'ar_active', false, '42704', NULL, 'another partner''s admin relationship does not exist for it'),
(45, 'regress_office_ga', NULL, 'terminate_admin_relationship', :'ar_created', true, NULL, NULL, 'R14: the partner withdraws a created one'),
(46, 'regress_office_aa', NULL, 'terminate_admin_relationship', :'ar_pend', true, NULL, NULL, 'R14: the partner withdraws a pending one'),
(47, 'regress_contoso_ga', NULL, 'terminate_admin_relationship', :'ar_pend', false, '42501', 'R14', 'R14: the customer declines a request, it does not withdraw it'),
(48, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'ar_term', false, '55000', 'R18', 'R18: terminated is final'),
(49, 'regress_office_ga', NULL, 'terminate_admin_relationship', :'ar_declined', false, '55000', 'R18', 'R18: declined is final'),
(50, 'regress_azure_ga', NULL, 'terminate_admin_relationship', :'ar_azure', true, NULL, NULL, 'R14: Azure terminates its own'),
-- end_admin_access: R14, R18
(51, 'regress_office_ga', NULL, 'end_admin_access', :'as_active', true, NULL, NULL, 'R14: the partner''s global_admin may end an assignment'),
(52, 'regress_office_uma', NULL, 'end_admin_access', :'as_active', true, NULL, NULL, 'R14: a user_management_admin may end one'),
(53, 'regress_office_aa', NULL, 'end_admin_access', :'as_active', true, NULL, NULL, 'R14: an admin_agent may end one'),
(54, 'regress_operator', NULL, 'end_admin_access', :'as_active', true, NULL, NULL, 'R14: an operator may end one'),
(55, 'regress_office_sa', NULL, 'end_admin_access', :'as_active', false, '42501', 'R14', 'R14: a sales_agent may not end one'),
(56, 'regress_office_hd', NULL, 'end_admin_access', :'as_active', false, '42501', 'R14', 'R14: the grantee, a helpdesk_agent, may not end its own'),
(57, 'regress_contoso_ga', NULL, 'end_admin_access', :'as_active', false, '42501', 'R14', 'R14: the customer, who sees it, may not end it'),
(58, 'regress_azure_ga', NULL, 'end_admin_access', :'as_active', false, '42704', NULL, 'another partner''s assignment does not exist for it'),
(59, 'regress_office_aa', NULL, 'end_admin_access', :'as_ended', true, NULL, NULL, 'ending an ended assignment changes nothing: the real call succeeds, and check() says so'),
-- unknown ids
(60, 'regress_office_ga', NULL, 'request_admin_approval', :'unknown_id', false, '42704', NULL, 'unknown admin relationship to submit: 42704'),
(61, 'regress_contoso_ga', NULL, 'approve_admin_relationship', :'unknown_id', false, '42704', NULL, 'unknown admin relationship to approve: 42704'),
(62, 'regress_contoso_ga', NULL, 'decline_admin_relationship', :'unknown_id', false, '42704', NULL, 'unknown admin relationship to decline: 42704'),
(63, 'regress_office_ga', NULL, 'terminate_admin_relationship', :'unknown_id', false, '42704', NULL, 'unknown admin relationship to terminate: 42704'),
(64, 'regress_office_ga', NULL, 'end_admin_access', :'unknown_id', false, '42704', NULL, 'unknown assignment to end: 42704'),
(65, 'regress_office_aa', NULL, 'create_admin_relationship', :'unknown_id', false, 'MP001', 'R14', 'unknown customer: no reseller relationship with it');

SELECT plan(89);
-- every row of every table, as the superuser sees them
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
        SELECT 'relationship ' || to_jsonb(x)::text AS t FROM multipartner.relationship x
        UNION ALL SELECT 'admin_relationship ' || to_jsonb(x)::text FROM multipartner.admin_relationship x
        UNION ALL SELECT 'access_assignment ' || to_jsonb(x)::text FROM multipartner.access_assignment x
        UNION ALL SELECT 'admin_role ' || to_jsonb(x)::text FROM multipartner.admin_role x
        UNION ALL SELECT 'audit_log ' || to_jsonb(x)::text FROM multipartner.audit_log x) s
$$;
SELECT pg_temp.snapshot() AS snap_before_cases \gset

-- Each case is a statement of its own (\gexec over the case table, in its
-- order): on distributed tables (the Citus mode of the suite, README
-- "Running on Citus") every statement is a transaction, and Citus refuses a
-- query on a shard that another role wrote earlier in the same transaction
-- (25001), undone or not.
SELECT $$SELECT is(pg_temp.agree(c.role, c.acting, c.action, c.id),
          format('allowed %s, sqlstate %s, rule %s; operation %s', c.e_allowed, coalesce(c.e_sqlstate, '-'),
                 coalesce(c.e_rule, '-'), coalesce(c.e_sqlstate, '00000')),
          format('case %s, %s: %s', c.n, c.action, c.description))
  FROM cases c WHERE c.n = $$ || n
  FROM cases ORDER BY n \gexec
SELECT is(current_user::text, session_user::text, 'the case runner is back to the superuser');
SELECT is(pg_temp.snapshot(), :'snap_before_cases', 'the case table left nothing behind: every row of every GDAP table and the audit log as it was');

-------------------------------------------------------------------------------
-- check() leaves nothing behind, allowed or refused
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM multipartner.audit_log \gset
SET ROLE regress_office_aa;
SELECT ok((multipartner.check('create_admin_relationship', :'contoso_id')).allowed, 'a check of a creation that would succeed ...');
SELECT ok((multipartner.check('create_admin_relationship', :'contoso_id')).allowed, '... twice in a transaction (the placeholder name is never taken) ...');
SELECT ok((multipartner.check('request_admin_approval', :'ar_created')).allowed, '... of a submission ...');
SELECT ok((multipartner.check('terminate_admin_relationship', :'ar_active')).allowed, '... of a termination with an active assignment ...');
SELECT ok((multipartner.check('end_admin_access', :'as_active')).allowed, '... of the end of an assignment ...');
SET ROLE regress_contoso_ga;
SELECT ok((multipartner.check('approve_admin_relationship', :'ar_pend')).allowed, '... of an approval ...');
SELECT ok((multipartner.check('decline_admin_relationship', :'ar_pend')).allowed, '... and of a refusal that would succeed ...');
RESET ROLE;
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'audit_before'::bigint, '... write no audit row ...');
SELECT is(pg_temp.snapshot(), :'snap_before_cases', '... and leave every row as it was');
SELECT is((SELECT string_agg(display_name, ',' ORDER BY display_name) FROM multipartner.admin_relationship
            WHERE display_name LIKE 'multipartner.check%'), NULL, 'no admin relationship with check()''s placeholder name is left');

-------------------------------------------------------------------------------
-- Repeated calls in one session (generic plans from the sixth execution on):
-- every action has its own plan, so a role that may execute one function
-- only stays allowed
-------------------------------------------------------------------------------
SET ROLE regress_office_aa;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('create_admin_relationship', :'contoso_id') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(create_admin_relationship) as an admin_agent, seven times: allowed every time');
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('request_admin_approval', :'ar_created') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(request_admin_approval), seven times: allowed every time');
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('end_admin_access', :'as_active') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(end_admin_access), seven times: allowed every time');
SET ROLE regress_contoso_ga;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('approve_admin_relationship', :'ar_pend') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(approve_admin_relationship) as the customer''s global_admin, seven times: allowed every time');
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('decline_admin_relationship', :'ar_pend') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(decline_admin_relationship), seven times: allowed every time');
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('terminate_admin_relationship', :'ar_active') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(terminate_admin_relationship) as the customer''s global_admin, seven times: allowed every time');
RESET ROLE;
DISCARD PLANS;

-------------------------------------------------------------------------------
-- Arguments and answers
-------------------------------------------------------------------------------
-- the message and detail of the error a statement raises
CREATE FUNCTION pg_temp.err(sql text, OUT m text, OUT d text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.err(text) TO PUBLIC;
SET ROLE regress_office_ga;
SELECT throws_ok($$SELECT * FROM multipartner.check('request_admin_approval')$$,
    '22004', 'request_admin_approval needs an admin_relationship_id', 'no id: 22004');
SELECT throws_ok(format($$SELECT * FROM multipartner.check('terminate_admin_relationship', relationship_id => %L)$$, :'ar_active'),
    '22004', 'terminate_admin_relationship needs an admin_relationship_id', 'the id of an admin relationship is positional only: relationship_id => is the reseller relationship''s');
SELECT throws_ok($$SELECT * FROM multipartner.check('end_admin_access', NULL)$$,
    '22004', 'end_admin_access needs an access_assignment_id', 'a NULL assignment id: 22004');
SELECT results_eq(format($$SELECT * FROM multipartner.check('create_admin_relationship', customer_id => %L)$$, :'c_none'),
    format($$SELECT * FROM multipartner.check('create_admin_relationship', %L)$$, :'c_none'),
    'named customer_id => works like the positional id (create_admin_relationship, MP001)');
SELECT throws_ok(format($$SELECT * FROM multipartner.check('assign_admin_access', %L)$$, :'ar_active'),
    '22023', 'unknown action "assign_admin_access"', 'assign_admin_access is not a check() action (its grantee and roles have no parameter)');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate, message, detail FROM multipartner.check('terminate_admin_relationship', %L)$$, :'ar_declined'),
    format($$SELECT false, 'R18', '55000', m, d FROM pg_temp.err(%L)$$,
           format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_declined')),
    'check() returns the operation''s own message and detail (R18)');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
