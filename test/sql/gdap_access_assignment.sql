\i test/setup.psql
-- gdap_access_assignment: access assignments (SPEC §9, R19, R14's assignment
-- part, R20; the lead's design of issue 13) through assign_admin_access() /
-- end_admin_access() and through direct DML, as every role that matters:
-- only the partner's global_admin, user_management_admin or admin_agent
-- assign and end (an operator may end one); only on an effectively active
-- relationship (55000), to a member of its partner with a non-empty subset
-- of its current roles (MP012), one active assignment per (relationship,
-- grantee) (23505); an assignment only goes active -> ended; the assignments
-- of a terminated or expired relationship end with it; nothing is deleted.
\i test/fixtures.psql
\i test/fixtures_bypass.psql

SELECT plan(71);

\set role_ga     '62e90394-69f5-4237-9190-012177145e10'
\set role_exch   '29232cdf-9323-42fd-ade2-1d097af3e4de'
\set role_hd     '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set role_user   'fe930be7-5e62-47db-91af-98c3a49a38b1'
\set role_reader 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active'),
    (:'contoso_id', :'azure_id', 'active'),
    (:'fabrikam_id', :'office_id', 'active');
-- technicians: two more Office roles (helpdesk agents) to assign to
CREATE ROLE regress_office_tech1 NOLOGIN;
CREATE ROLE regress_office_tech2 NOLOGIN;
GRANT multipartner_partner_app TO regress_office_tech1, regress_office_tech2;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_office_tech1', :'office_id', 'helpdesk_agent'),
    ('regress_office_tech2', :'office_id', 'helpdesk_agent');
-- Two active relationships Office -> Fabrikam past their end_at (one
-- auto-extending) and an assignment of each, for the tests of time below,
-- loaded in restore mode (a superuser session with row_security = off,
-- check_function_bodies = off and an empty search_path: the triggers let the
-- past stamps through) with the fixtures: on Citus restore mode is a
-- session's of one node, not carried to the workers (a restore runs against
-- one node, then CALL distribute(), which claims the names), so the rows are
-- there before the tables are distributed.  Nothing before the tests of time
-- reads Fabrikam's admin relationships or tech1's assignments there.
\set a_end  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000c1'
\set a_ext  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000c2'
\set x_end  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000d1'
\set x_ext  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000d2'
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
VALUES
    (:'a_end', :'fabrikam_id', :'office_id', 'Ended by time', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_office_ga', now() - interval '40 days', now() - interval '40 days', 'regress_fabrikam_ga', now() - interval '31 days',
     now() - interval '31 days', now() - interval '1 day'),
    (:'a_ext', :'fabrikam_id', :'office_id', 'Extended by time', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_office_ga', now() - interval '40 days', now() - interval '40 days', 'regress_fabrikam_ga', now() - interval '31 days',
     now() - interval '31 days', now() - interval '1 day');
INSERT INTO multipartner.access_assignment
    (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status, created_by, created_at)
VALUES
    (:'x_end', :'a_end', :'fabrikam_id', :'office_id', 'regress_office_tech1'::pg_catalog.regrole, ARRAY[:'role_hd']::pg_catalog.uuid[],
     'active', 'regress_office_ga', now() - interval '20 days'),
    (:'x_ext', :'a_ext', :'fabrikam_id', :'office_id', 'regress_office_tech1'::pg_catalog.regrole, ARRAY[:'role_hd']::pg_catalog.uuid[],
     'active', 'regress_office_ga', now() - interval '20 days');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\i test/fixtures_done.psql

-- PL/pgSQL: Citus plans a SQL function's parameter in a query on a
-- distributed table only when the function is inlined
CREATE FUNCTION pg_temp.ast(id uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT a.status::text FROM multipartner.access_assignment a WHERE a.access_assignment_id = id);
END
$$;
CREATE FUNCTION pg_temp.sorted(a uuid[]) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(x ORDER BY x) FROM unnest(a) x
$$;
CREATE FUNCTION pg_temp.upd(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN 'rows ' || n;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.ast(uuid), pg_temp.sorted(uuid[]), pg_temp.upd(text) TO PUBLIC;

-- An active admin relationship Office -> Contoso: Exchange, Helpdesk, Global Administrator
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso admin',
           ARRAY['Exchange Administrator', 'Helpdesk Administrator', 'Global Administrator'], '180 days') AS ar \gset
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso created', ARRAY['Helpdesk Administrator']) AS ar_created \gset
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso pending', ARRAY['Helpdesk Administrator']) AS ar_pending \gset
SELECT multipartner.request_admin_approval(:'ar') AS ignored \gset
SELECT multipartner.request_admin_approval(:'ar_pending') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar') AS ignored \gset
RESET ROLE;

-------------------------------------------------------------------------------
-- R14: who assigns
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.assign_admin_access(:'ar', 'regress_office_tech1', ARRAY['Helpdesk Administrator']) AS as1,
       statement_timestamp() AS as1_at \gset
-- A stamp is the statement time of the node that writes the row: on one node
-- the statement_timestamp() above (as1_hi is as1_at, so BETWEEN is equality);
-- on Citus the worker's, a little later, so there it lies between the
-- coordinator's statement_timestamp() and clock_timestamp() after the
-- statement (README "Running on Citus")
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'as1_at' END AS as1_hi \gset
RESET ROLE;
SELECT is((SELECT (admin_relationship_id, customer_id, grantee::text, roles = ARRAY[:'role_hd']::uuid[], status, created_by,
                   created_at BETWEEN :'as1_at' AND :'as1_hi', ended_by IS NULL AND ended_at IS NULL)::text
             FROM multipartner.access_assignment WHERE access_assignment_id = :'as1'),
          format('(%s,%s,regress_office_tech1,t,active,regress_office_ga,t,t)', :'ar', :'contoso_id'),
          'assign_admin_access(): an active assignment of the relationship''s customer, by the assigning role, at its statement');
SET ROLE regress_office_uma;
SELECT lives_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_tech2', ARRAY['Exchange Administrator', 'Helpdesk Administrator'])$$, :'ar'),
                'R14: a user_management_admin assigns');
SET ROLE regress_office_aa;
SELECT lives_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_hd', ARRAY[%L])$$, :'ar', :'role_exch'),
                'R14: an admin_agent assigns (roles by id)');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_sa', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: a sales_agent may not assign (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: a helpdesk_agent may not assign (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: a billing_admin may not assign (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: the customer''s global_admin may not assign (42501)');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: the customer''s reader may not assign (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: an operator does not assign on a partner''s behalf (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_azure_hd', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42704', NULL, 'another partner does not see the relationship: it does not exist (42704)');
SET ROLE regress_bypass;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_azure_hd', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '42501', NULL, 'R14: another partner''s global_admin that sees it (BYPASSRLS) may not assign (42501)');
-- direct INSERT
SET ROLE regress_office_aa;
SELECT lives_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                       :'ar', :'contoso_id', 'regress_office_aa', ARRAY[:'role_ga']::uuid[]),
                'direct INSERT: an admin_agent assigns Global Administrator to itself');
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_sa', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a sales_agent may not (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a helpdesk_agent may not (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles, created_by) VALUES (%L, %L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[], 'regress_office_aa'),
                 '428C9', NULL, 'direct INSERT: created_by another role (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles, created_at) VALUES (%L, %L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[], '2020-01-01 00:00:00+00'),
                 '428C9', NULL, 'direct INSERT: a backdated created_at (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles, ended_at) VALUES (%L, %L, %L, %L, statement_timestamp())',
                        :'ar', :'contoso_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[]),
                 '428C9', NULL, 'direct INSERT: ended_at (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles, status) VALUES (%L, %L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[], 'ended'),
                 NULL, NULL, 'direct INSERT: an assignment does not start ended');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'fabrikam_id', 'regress_office_ga', ARRAY[:'role_hd']::uuid[]),
                 '23503', NULL, 'direct INSERT: the relationship with another customer_id does not exist (23503, foreign key)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment WHERE admin_relationship_id = :'ar'), 4,
          'four assignments made, the refused ones left nothing');
SELECT is((SELECT partner_id FROM multipartner.access_assignment WHERE access_assignment_id = :'as1'), :'office_id'::uuid,
          'the assignment carries its relationship''s partner (design: partner_id, copied by the trigger)');

-------------------------------------------------------------------------------
-- R19: grantee, roles, one active per grantee, the relationship's status
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_tech1', ARRAY['Exchange Administrator'])$$, :'ar'),
                 '23505', NULL, 'R19: a second active assignment for the same grantee (23505)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_azure_hd', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: a member of another partner is no grantee (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_contoso_ga', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: a customer role is no grantee (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_nobody', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: a role of no partner is no grantee (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['User Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: a role the relationship does not carry (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator', 'User Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: roles that are not a subset (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', '{}')$$, :'ar'),
                 'MP012', NULL, 'R19: no role at all (MP012)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator', 'Helpdesk Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: a role twice (MP012)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ba', ARRAY[:'role_user']::uuid[]),
                 'MP012', NULL, 'R19: direct INSERT with a role outside the relationship''s (MP012)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_tech1', ARRAY[:'role_exch']::uuid[]),
                 '23505', NULL, 'R19: direct INSERT of a second active assignment for a grantee (23505)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar_created'),
                 '55000', NULL, 'R19: no assignment on a created relationship (55000)');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar_pending'),
                 '55000', NULL, 'R19: no assignment on an approval_pending relationship (55000)');
RESET ROLE;

-------------------------------------------------------------------------------
-- An assignment goes only active -> ended (who, stamps, immutable columns)
-------------------------------------------------------------------------------
-- grantee compared by name: on Citus a regrole literal reaches the shards as this node's OID
-- ((grantee)::oid = '...'::oid), and role OIDs differ per node
SELECT access_assignment_id AS as2 FROM multipartner.access_assignment WHERE grantee::text = 'regress_office_tech2' \gset
SELECT access_assignment_id AS as3 FROM multipartner.access_assignment WHERE grantee::text = 'regress_office_hd' \gset
SELECT access_assignment_id AS as4 FROM multipartner.access_assignment WHERE grantee::text = 'regress_office_aa' \gset
SET ROLE regress_office_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET roles = %L WHERE access_assignment_id = %L', ARRAY[:'role_exch']::uuid[], :'as2')),
          'MP010', 'an assignment''s roles never change (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET grantee = %L WHERE access_assignment_id = %L', 'regress_office_ba', :'as2')),
          'MP008', 'an assignment''s grantee never changes (MP008)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET admin_relationship_id = %L WHERE access_assignment_id = %L', :'ar_created', :'as2')),
          'MP008', 'an assignment never moves to another relationship (MP008)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET access_assignment_id = %L WHERE access_assignment_id = %L', :'unknown_id', :'as2')),
          'MP008', 'an assignment''s id never changes (MP008)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET partner_id = %L WHERE access_assignment_id = %L', :'azure_id', :'as2')),
          'MP008', 'an assignment''s partner_id never changes (MP008)');
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET status = %L WHERE access_assignment_id = %L', 'ended', :'as2')),
          '42501', 'R14: a sales_agent may not end an assignment (42501)');
SET ROLE regress_office_tech2;
SELECT throws_ok(format('SELECT multipartner.end_admin_access(%L)', :'as2'), '42501', NULL,
                 'R14: the grantee (a helpdesk_agent) may not end its own assignment (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.end_admin_access(%L)', :'as2'), '42501', NULL,
                 'R14: the customer''s global_admin may not end an assignment (42501; it terminates the relationship instead)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.end_admin_access(%L)', :'as2'), '42704', NULL,
                 'another partner does not see it: it does not exist (42704)');
SET ROLE regress_office_uma;
SELECT multipartner.end_admin_access(:'as2') AS ignored, statement_timestamp() AS as2_end_at \gset
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'as2_end_at' END AS as2_end_hi \gset
RESET ROLE;
SELECT is((SELECT (status, ended_by, ended_at BETWEEN :'as2_end_at' AND :'as2_end_hi')::text FROM multipartner.access_assignment WHERE access_assignment_id = :'as2'),
          '(ended,regress_office_uma,t)', 'end_admin_access(): a user_management_admin ends it; ended_by/at stamped');
SET ROLE regress_office_uma;
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET status = %L WHERE access_assignment_id = %L', 'active', :'as2')),
          '55000', 'an ended assignment is never active again (55000)');
SET ROLE regress_office_ga;
SELECT lives_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_tech2', ARRAY['Exchange Administrator'])$$, :'ar'),
                'R19: once ended, the grantee may get a new assignment');
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET status = %L WHERE access_assignment_id = %L', 'ended', :'as3')),
          'rows 1', 'direct UPDATE: an admin_agent ends one');
SELECT is(pg_temp.upd(format('UPDATE multipartner.access_assignment SET ended_by = %L WHERE access_assignment_id = %L', 'regress_office_ga', :'as3')),
          '428C9', 'ended_by is the trigger''s (428C9)');
SET ROLE regress_operator;
SELECT lives_ok(format('SELECT multipartner.end_admin_access(%L)', :'as4'), 'an operator may end an assignment');
RESET ROLE;
SELECT is((SELECT array_agg((grantee::text, status, ended_by)::text ORDER BY grantee::text)
             FROM multipartner.access_assignment WHERE access_assignment_id IN (:'as3', :'as4')),
          ARRAY['(regress_office_aa,ended,regress_operator)', '(regress_office_hd,ended,regress_office_aa)'],
          'ended_by records who ended each');

-- R20
SET ROLE regress_office_ga;
SELECT ok(pg_temp.error_of(format('DELETE FROM multipartner.access_assignment WHERE access_assignment_id = %L', :'as1')) IN ('42501', 'MP007'),
          'R20: a partner cannot DELETE an assignment');
SET ROLE regress_operator;
SELECT throws_ok(format('DELETE FROM multipartner.access_assignment WHERE access_assignment_id = %L', :'as1'), 'MP007', NULL,
                 'R20: an operator cannot DELETE an assignment (MP007)');
SELECT throws_ok('TRUNCATE multipartner.access_assignment', 'MP007', NULL,
                 'R20: an operator cannot TRUNCATE access_assignment (MP007)');
RESET ROLE;
SELECT throws_ok(format('DELETE FROM multipartner.access_assignment WHERE access_assignment_id = %L', :'as1'), 'MP007', NULL,
                 'R20: the superuser cannot DELETE an assignment (MP007)');

-------------------------------------------------------------------------------
-- Removing Global Administrator from the relationship: assignments are read
-- against its current roles
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT lives_ok(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                       ARRAY[:'role_exch', :'role_hd']::uuid[], :'ar'),
                'the partner removes Global Administrator from the active relationship');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_aa', ARRAY['Global Administrator'])$$, :'ar'),
                 'MP012', NULL, 'R19: Global Administrator is no longer the relationship''s to assign (MP012)');
RESET ROLE;

-------------------------------------------------------------------------------
-- Termination ends every active assignment (cascade), and only those
-------------------------------------------------------------------------------
SELECT count(*) AS n_active FROM multipartner.access_assignment WHERE admin_relationship_id = :'ar' AND status = 'active' \gset
SELECT is(:'n_active'::int, 2, 'two assignments of the relationship are active (tech1, tech2''s new one)');
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.terminate_admin_relationship(:'ar') AS ignored, statement_timestamp() AS ar_end_at \gset
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'ar_end_at' END AS ar_end_hi \gset
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment WHERE admin_relationship_id = :'ar' AND status = 'active'), 0,
          'cascade: no assignment of the terminated relationship is active');
SELECT is((SELECT array_agg(DISTINCT (ended_by, ended_at BETWEEN :'ar_end_at' AND :'ar_end_hi')::text)
             FROM multipartner.access_assignment WHERE admin_relationship_id = :'ar' AND ended_at >= :'ar_end_at'),
          ARRAY['(regress_contoso_ga,t)'],
          'cascade: ended_by the terminating role, ended_at the start of the terminating statement');
SELECT is((SELECT (ended_by, ended_at BETWEEN :'as2_end_at' AND :'as2_end_hi')::text FROM multipartner.access_assignment WHERE access_assignment_id = :'as2'),
          '(regress_office_uma,t)', 'cascade: an assignment ended before keeps its own end');
SELECT is((SELECT count(*)::int FROM multipartner.audit_log
            WHERE event_id > :ev AND table_name = 'access_assignment' AND operation = 'UPDATE'), 2,
          'cascade: each ended assignment has its audit row');
SELECT is((SELECT array_agg(DISTINCT (actor, acting_partner IS NULL)::text) FROM multipartner.audit_log
            WHERE event_id > :ev AND table_name = 'access_assignment'),
          ARRAY['(regress_contoso_ga,t)'],
          'cascade: audited as the terminating role (as ended_by says), not as the extension owner that writes them');
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'ar'),
                 '55000', NULL, 'R19: no assignment on a terminated relationship (55000)');
SELECT throws_ok(format('INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (%L, %L, %L, %L)',
                        :'ar', :'contoso_id', 'regress_office_ba', ARRAY[:'role_hd']::uuid[]),
                 '55000', NULL, 'R19: ... nor by direct INSERT (55000)');
RESET ROLE;

-------------------------------------------------------------------------------
-- Time: no assignment on a relationship time has expired; run_maintenance()
-- ends the assignments of the ones it expires
-------------------------------------------------------------------------------
-- (a_end, a_ext and their assignments x_end, x_ext: loaded in restore mode with the fixtures)
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_tech2', ARRAY['Helpdesk Administrator'])$$, :'a_end'),
                 '55000', NULL, 'R19: no assignment on a relationship past its end_at, before anything recorded it (55000)');
SELECT lives_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_tech2', ARRAY['Helpdesk Administrator'])$$, :'a_ext'),
                'R19: an auto-extended relationship past its recorded end_at is active: it takes assignments');
SET ROLE regress_operator;
SELECT array_agg(kind || '=' || count ORDER BY kind) AS maint FROM multipartner.run_maintenance() \gset
RESET ROLE;
SELECT ok(:'maint'::text[] @> ARRAY['access_assignment_ended=1', 'admin_relationship_expired=1', 'admin_relationship_extended=1'],
          'run_maintenance(): one relationship expired, its one assignment ended, one extended');
SELECT is((SELECT (x.status, x.ended_by, x.ended_at = ar.end_at)::text
             FROM multipartner.access_assignment x
             JOIN multipartner.admin_relationship ar USING (customer_id, admin_relationship_id)
            WHERE x.access_assignment_id = :'x_end'),
          '(ended,regress_operator,t)', 'the assignment of the expired relationship ended at its end_at, by the operator');
SELECT is(pg_temp.ast(:'x_ext'), 'active', 'the assignment of the extended relationship stays active');
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment WHERE admin_relationship_id = :'a_ext' AND status = 'active'), 2,
          '... with the new one');

-------------------------------------------------------------------------------
-- API bad input for the assignment functions is in gdap_bad_input; the
-- membership of the grantee is read under its lock (isolation specs)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.end_admin_access(%L)', :'unknown_id'), '42704', NULL,
                 'end_admin_access() of an unknown assignment: 42704');
SELECT throws_ok(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_ba', ARRAY['Helpdesk Administrator'])$$, :'unknown_id'),
                 '42704', NULL, 'assign_admin_access() on an unknown relationship: 42704');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
