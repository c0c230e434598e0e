\i test/setup.psql
-- time_maintenance: multipartner.run_maintenance() (SPEC §10, issue 14) on a
-- known set of due rows of every kind, the notices it remembers in
-- expiry_notice, and the view expiring as each reader:
--   one row per kind (the seven kinds, ordered by kind, zero counts
--   included) with the right count; each recorded change has exactly one
--   audit row, with the operator who ran it as actor; a second run returns
--   zeros and writes nothing; only operators run it (42501 for partner and
--   customer application roles and a role with no grant);
--   notices: one expiry_notice row per (object, end, threshold), only the
--   nearest passed threshold sent (sent_at the run's clock), the wider ones
--   remembered with sent_at NULL; a threshold already sent is not sent
--   again; an end that moves (auto_renew turned off in a later term) gets
--   notices of its own; expiry_notice is written by run_maintenance() only;
--   expiring: what ends within 30 days without renewing, days_left, each
--   reader its own rows.
-- The NOTIFY payloads themselves are read by a listening connection in
-- t/030_notices.pl (a notification is delivered at commit, and this file
-- rolls back).  GDAP's transitions are tested in detail in
-- gdap_admin_relationship and gdap_access_assignment; here they are counted
-- with the others.
--
-- Past rows come the way an import does: an operator (the superuser) loads
-- a subscription's or a request's past created_at / requested_at; admin
-- relationships, assignments and rows in states a write today cannot make
-- are loaded in restore mode (pg_restore's settings); past notices are
-- loaded by an operator (INSERT on expiry_notice).  An end that must fall at
-- an exact distance from now (the notices) takes a P1M term, or P1Y where
-- the month before has no such day (as in clock.sql), so created_at + term
-- lands on it.  Fixtures and expected values are computed from one instant,
-- t0 (the test transaction's now()), none from today's date.
--
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") every statement is a transaction of its own, with a now() of its
-- own: t0 is taken once, so the fixtures and what is expected of them are
-- computed from the same instant, as on one node (where t0 is the now() of
-- every statement); the runs come later than t0 by the seconds the fixtures
-- and distribute() take, and no fixture is within hours of a threshold (30,
-- 7, 1 days before an end, 90 days, an end: the nearest, s_n12h, ends 12
-- hours after t0, its 1-day threshold 12 hours before), so those seconds
-- change no answer.  A run's notices are sent at its clock exactly in both
-- modes (run_maintenance() takes it once, on the coordinator, and writes it
-- as a value), so pg_temp.notices() compares sent_at with the run's
-- statement_timestamp() as on one node.  The rows, restore mode included, are
-- loaded before test/fixtures_done.psql distributes them (as a restore and
-- then distribute() would), and the TimeZone and intervalstyle are the
-- session's (SET, not SET LOCAL: on one node rolled back with the test
-- transaction all the same).
\i test/fixtures.psql
SET TimeZone = 'UTC';
-- intervals as text in PostgreSQL's own style (pg_regress sets postgres_verbose)
SET intervalstyle = postgres;
SELECT now() AS t0 \gset

\set role_hd '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set northwind_id '33333333-3333-4333-8333-000000001411'
-- reseller relationships and requests
\set rel_oc   '55555555-5555-4555-8555-000000001411'
\set rel_ac   '55555555-5555-4555-8555-000000001412'
\set rel_of   '55555555-5555-4555-8555-000000001413'
\set req_af   '55555555-5555-4555-8555-000000001414'
\set req_gg   '55555555-5555-4555-8555-000000001415'
\set req_on   '55555555-5555-4555-8555-000000001416'
-- admin relationships and assignments
\set a_p91      'aaaaaaaa-aaaa-4aaa-8aaa-000000001401'
\set a_end1     'aaaaaaaa-aaaa-4aaa-8aaa-000000001402'
\set a_end2     'aaaaaaaa-aaaa-4aaa-8aaa-000000001403'
\set a_ext1     'aaaaaaaa-aaaa-4aaa-8aaa-000000001404'
\set a_ext2     'aaaaaaaa-aaaa-4aaa-8aaa-000000001405'
\set a_live     'aaaaaaaa-aaaa-4aaa-8aaa-000000001406'
\set a_soon     'aaaaaaaa-aaaa-4aaa-8aaa-000000001407'
\set a_ext_soon 'aaaaaaaa-aaaa-4aaa-8aaa-000000001408'
\set x_1        'bbbbbbbb-bbbb-4bbb-8bbb-000000001401'
\set x_2        'bbbbbbbb-bbbb-4bbb-8bbb-000000001402'
\set x_done     'bbbbbbbb-bbbb-4bbb-8bbb-000000001403'
-- subscriptions
\set s_r1       '66666666-6666-4666-8666-000000001441'
\set s_r2       '66666666-6666-4666-8666-000000001442'
\set s_r3       '66666666-6666-4666-8666-000000001443'
\set s_moved2   '66666666-6666-4666-8666-000000001444'
\set s_e1       '66666666-6666-4666-8666-000000001445'
\set s_e2       '66666666-6666-4666-8666-000000001446'
\set s_live     '66666666-6666-4666-8666-000000001447'
\set s_cancel   '66666666-6666-4666-8666-000000001448'
\set s_n20      '66666666-6666-4666-8666-000000001449'
\set s_n5       '66666666-6666-4666-8666-00000000144a'
\set s_n12h     '66666666-6666-4666-8666-00000000144b'
\set s_moved    '66666666-6666-4666-8666-00000000144c'
\set s_hist     '66666666-6666-4666-8666-00000000144d'
\set s_renewing '66666666-6666-4666-8666-00000000144e'
\set s_far      '66666666-6666-4666-8666-00000000144f'

SELECT plan(52);

CREATE FUNCTION pg_temp.plus(a timestamptz, months int) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT ((a AT TIME ZONE 'UTC') + make_interval(months => months)) AT TIME ZONE 'UTC'
$$;
-- a subscription (imported by the superuser, without auto_renew) whose
-- commitment ends at exactly e: P1M, or P1Y when the month before e has no
-- such day
CREATE FUNCTION pg_temp.sell_ending(id uuid, customer uuid, partner uuid, e timestamptz) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO multipartner.subscription
        (subscription_id, customer_id, partner_of_record, offer_id, product_family,
         quantity, term, billing_cycle, auto_renew, created_at)
    SELECT id, customer, partner, 'O365_E3', 'Microsoft 365', 5, t.term, 'monthly', false,
           pg_temp.plus(e, -t.months)
      FROM (SELECT CASE WHEN pg_temp.plus(pg_temp.plus(e, -1), 1) = e THEN 'P1M' ELSE 'P1Y' END AS term,
                   CASE WHEN pg_temp.plus(pg_temp.plus(e, -1), 1) = e THEN 1 ELSE 12 END AS months) t
$$;
-- the run as "kind=count" in kind order
CREATE FUNCTION pg_temp.run() RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(kind || '=' || count ORDER BY o) FROM multipartner.run_maintenance() WITH ORDINALITY r(kind, count, o)
$$;
-- every subscription and every notice, read by PL/pgSQL (test/readers.psql says why)
\i test/readers.psql
-- the notices of an object as "days_before:sent|passed" (ends_at given)
CREATE FUNCTION pg_temp.notices(id uuid, e timestamptz, run_at timestamptz) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(n.days_before || ':' || CASE WHEN n.sent_at = run_at THEN 'sent'
                                                  WHEN n.sent_at IS NULL THEN 'passed'
                                                  ELSE 'sent ' || n.sent_at END
                     ORDER BY n.days_before)
      FROM pg_temp.all_notices() n WHERE n.object_id = id AND n.ends_at = e
$$;
CREATE FUNCTION pg_temp.sub_end(id uuid) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT commitment_end FROM pg_temp.subs() WHERE subscription_id = id
$$;
CREATE FUNCTION pg_temp.sub_rec(id uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT s.status || ' ' || (SELECT 'term ' || k FROM generate_series(0, 100) k
                                WHERE s.term_start = pg_temp.plus(s.created_at, k * t.m)
                                  AND s.commitment_end = pg_temp.plus(s.created_at, (k + 1) * t.m))
      FROM pg_temp.subs() s,
           LATERAL (SELECT CASE s.term WHEN 'P1M' THEN 1 WHEN 'P1Y' THEN 12 ELSE 36 END AS m) t
     WHERE s.subscription_id = id
$$;
GRANT EXECUTE ON FUNCTION pg_temp.run() TO PUBLIC;

-------------------------------------------------------------------------------
-- The rows: due and not due, of every kind
-------------------------------------------------------------------------------
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'northwind_id', '44444444-4444-4444-8444-000000001411', 'Northwind', 'commercial');
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status) VALUES
    (:'rel_oc', :'contoso_id', :'office_id', 'active'),
    (:'rel_ac', :'contoso_id', :'azure_id', 'active'),
    (:'rel_of', :'fabrikam_id', :'office_id', 'active');
-- requests: two older than 90 days (due), one of 89 days
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, requested_at) VALUES
    (:'req_af', :'fabrikam_id', :'azure_id', :'t0'::timestamptz - interval '91 days'),
    (:'req_gg', :'govcust_id', :'gov_id', :'t0'::timestamptz - interval '100 days'),
    (:'req_on', :'northwind_id', :'office_id', :'t0'::timestamptz - interval '89 days');

-- subscriptions imported with a past created_at
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family,
     quantity, term, billing_cycle, auto_renew, created_at)
VALUES
    -- due renewals: P1M of 40 days, P1Y of 13 months, P3Y of 3 years and 10 days, P1M of a month and 10 days
    (:'s_r1', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1M', 'monthly', true, :'t0'::timestamptz - interval '40 days'),
    (:'s_r2', :'contoso_id', :'azure_id', 'AZURE_RI', 'Azure', 5, 'P1Y', 'annual', true, :'t0'::timestamptz - interval '13 months'),
    (:'s_r3', :'fabrikam_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P3Y', 'triennial', true, :'t0'::timestamptz - interval '3 years 10 days'),
    (:'s_moved2', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1M', 'monthly', true, :'t0'::timestamptz - interval '1 month 10 days'),
    -- a due expiry: P1Y of 13 months without auto_renew
    (:'s_e1', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1Y', 'annual', false, :'t0'::timestamptz - interval '13 months'),
    -- not due: P1Y of 100 days
    (:'s_live', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1Y', 'annual', true, :'t0'::timestamptz - interval '100 days'),
    -- renews in 10 days (no notice), ends in 40 days without auto_renew (no notice yet)
    (:'s_renewing', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1Y', 'annual', true, :'t0'::timestamptz - interval '1 year' + interval '10 days'),
    (:'s_far', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P3Y', 'triennial', false, :'t0'::timestamptz - interval '3 years' + interval '40 days'),
    -- in its second term, which ends in about 20 days; auto_renew is turned off below
    (:'s_moved', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 5, 'P1M', 'monthly', true, :'t0'::timestamptz - interval '1 month 10 days');
-- ending without auto_renew at exact distances: 20 days, 5 days, 12 hours, 5 days
SELECT pg_temp.sell_ending(:'s_n20', :'contoso_id', :'office_id', :'t0'::timestamptz + interval '20 days') AS ignored \gset
SELECT pg_temp.sell_ending(:'s_n5', :'contoso_id', :'azure_id', :'t0'::timestamptz + interval '5 days') AS ignored \gset
SELECT pg_temp.sell_ending(:'s_n12h', :'fabrikam_id', :'office_id', :'t0'::timestamptz + interval '12 hours') AS ignored \gset
SELECT pg_temp.sell_ending(:'s_hist', :'contoso_id', :'office_id', :'t0'::timestamptz + interval '5 days') AS ignored \gset
-- its partner suspends s_n12h, and turns auto_renew off on s_moved in its
-- (unrecorded) second term: the write records that term, the end moves on
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = :'s_n12h';
UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = :'s_moved';
RESET ROLE;
SELECT pg_temp.plus(created_at, 1) AS moved_e0, commitment_end AS moved_e1
  FROM multipartner.subscription WHERE subscription_id = :'s_moved' \gset

-- the notices of s_moved's first end, and the 30-day one of s_hist, as an
-- operator imports them (sent in the past)
SET ROLE regress_operator;
INSERT INTO multipartner.expiry_notice (customer_id, kind, object_id, ends_at, days_before, partner_id, sent_at)
SELECT :'contoso_id', 'subscription', :'s_moved', :'moved_e0', d, :'office_id', :'moved_e0'::timestamptz - make_interval(days => d)
  FROM unnest(ARRAY[30, 7, 1]) d;
INSERT INTO multipartner.expiry_notice (customer_id, kind, object_id, ends_at, days_before, partner_id, sent_at)
SELECT :'contoso_id', 'subscription', :'s_hist', commitment_end, 30, :'office_id', :'t0'::timestamptz - interval '25 days'
  FROM multipartner.subscription WHERE subscription_id = :'s_hist';
RESET ROLE;

-- restore mode (pg_restore's settings): admin relationships, assignments,
-- and subscriptions in states a write today cannot make
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
VALUES
    -- approval_pending for 91 days: due
    (:'a_p91', :'contoso_id', :'office_id', 'p91', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'approval_pending',
     'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '100 days', :'t0'::pg_catalog.timestamptz - interval '91 days', NULL, NULL, NULL, NULL),
    -- active, ended a day ago, without auto_extend (two active assignments, one ended): due
    (:'a_end1', :'contoso_id', :'office_id', 'end1', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '40 days', :'t0'::pg_catalog.timestamptz - interval '40 days', 'regress_contoso_ga',
     :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '1 day'),
    (:'a_end2', :'fabrikam_id', :'azure_id', 'end2', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_azure_ga', :'t0'::pg_catalog.timestamptz - interval '40 days', :'t0'::pg_catalog.timestamptz - interval '40 days', 'regress_fabrikam_ga',
     :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '1 day'),
    -- active with auto_extend past end_at: a day (one step), 200 days (two steps): due
    (:'a_ext1', :'contoso_id', :'office_id', 'ext1', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '40 days', :'t0'::pg_catalog.timestamptz - interval '40 days', 'regress_contoso_ga',
     :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '31 days', :'t0'::pg_catalog.timestamptz - interval '1 day'),
    (:'a_ext2', :'contoso_id', :'azure_id', 'ext2', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_azure_ga', :'t0'::pg_catalog.timestamptz - interval '240 days', :'t0'::pg_catalog.timestamptz - interval '240 days', 'regress_contoso_ga',
     :'t0'::pg_catalog.timestamptz - interval '230 days', :'t0'::pg_catalog.timestamptz - interval '230 days', :'t0'::pg_catalog.timestamptz - interval '200 days'),
    -- active, ending in 10 and 5 days without auto_extend (notices), in 10 days with it (none)
    (:'a_live', :'contoso_id', :'office_id', 'live', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '30 days', :'t0'::pg_catalog.timestamptz - interval '30 days', 'regress_contoso_ga',
     :'t0'::pg_catalog.timestamptz - interval '20 days', :'t0'::pg_catalog.timestamptz - interval '20 days', :'t0'::pg_catalog.timestamptz + interval '10 days'),
    (:'a_soon', :'fabrikam_id', :'azure_id', 'soon', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_azure_ga', :'t0'::pg_catalog.timestamptz - interval '30 days', :'t0'::pg_catalog.timestamptz - interval '30 days', 'regress_fabrikam_ga',
     :'t0'::pg_catalog.timestamptz - interval '25 days', :'t0'::pg_catalog.timestamptz - interval '25 days', :'t0'::pg_catalog.timestamptz + interval '5 days'),
    (:'a_ext_soon', :'contoso_id', :'office_id', 'ext soon', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '30 days', :'t0'::pg_catalog.timestamptz - interval '30 days', 'regress_contoso_ga',
     :'t0'::pg_catalog.timestamptz - interval '20 days', :'t0'::pg_catalog.timestamptz - interval '20 days', :'t0'::pg_catalog.timestamptz + interval '10 days');
INSERT INTO multipartner.access_assignment
    (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status, created_by, created_at,
     ended_by, ended_at)
VALUES
    (:'x_1', :'a_end1', :'contoso_id', :'office_id', 'regress_office_hd'::pg_catalog.regrole, ARRAY[:'role_hd']::pg_catalog.uuid[],
     'active', 'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '20 days', NULL, NULL),
    (:'x_2', :'a_end1', :'contoso_id', :'office_id', 'regress_office_aa'::pg_catalog.regrole, ARRAY[:'role_hd']::pg_catalog.uuid[],
     'active', 'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '20 days', NULL, NULL),
    (:'x_done', :'a_end1', :'contoso_id', :'office_id', 'regress_office_uma'::pg_catalog.regrole, ARRAY[:'role_hd']::pg_catalog.uuid[],
     'ended', 'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '20 days', 'regress_office_ga', :'t0'::pg_catalog.timestamptz - interval '10 days');
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle,
     auto_renew, status, created_at, created_by, term_start, commitment_end)
VALUES
    -- suspended past its end: due to expire
    (:'s_e2', :'contoso_id', :'azure_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly', true, 'suspended',
     :'t0'::pg_catalog.timestamptz - interval '3 months', 'regress_azure_sa', :'t0'::pg_catalog.timestamptz - interval '3 months',
     pg_temp.plus(:'t0'::pg_catalog.timestamptz - interval '3 months', 1)),
    -- cancelled years ago (with auto_renew): nothing is due
    (:'s_cancel', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', true, 'cancelled',
     '2020-01-01 00:00:00+00', 'regress_office_sa', '2020-01-01 00:00:00+00', '2020-02-01 00:00:00+00');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\i test/fixtures_done.psql

SELECT is((SELECT array_agg(pg_temp.sub_rec(id) ORDER BY o)
             FROM unnest(ARRAY[:'s_moved', :'s_n12h']::uuid[]) WITH ORDINALITY u(id, o)),
          ARRAY['active term 1', 'suspended term 0'],
          'before the run: s_moved recorded in its second term (the write that turned auto_renew off), s_n12h suspended');
SELECT is((SELECT array_agg(commitment_end - :'t0'::timestamptz ORDER BY o)
             FROM unnest(ARRAY[:'s_n20', :'s_n5', :'s_n12h', :'s_hist']::uuid[]) WITH ORDINALITY u(id, o)
             JOIN multipartner.subscription s ON s.subscription_id = u.id),
          ARRAY[interval '20 days', interval '5 days', interval '12 hours', interval '5 days'],
          '... s_n20, s_n5, s_n12h and s_hist end 20 days, 5 days, 12 hours and 5 days after now()');

-------------------------------------------------------------------------------
-- Operators only
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 'a partner role may not run run_maintenance() (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 '... nor a partner-app role of no partner (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 '... nor a customer role (42501)');
SET ROLE regress_nobody;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 '... nor a role with no grant (42501)');
RESET ROLE;

-------------------------------------------------------------------------------
-- The first run: every kind, counted; one audit row per change
-------------------------------------------------------------------------------
-- the audit rows written from here on (test/setup.psql's audit_since(): each
-- node's ids above that node's last one, with a txid no older than that
-- node's transactions now; on one node event_id > max(event_id))
SELECT pg_temp.audit_since() AS after_ev0,
       (SELECT count(*) FROM multipartner.expiry_notice) AS notices0 \gset
-- the session the run's writes are audited with (session_actor): on one node
-- this session's session_user; on distributed tables the shard's trigger
-- records the role Citus connects to the worker as, the coordinator's
-- current_user, the operator who runs it (README "Running on Citus")
\if :{?mp_citus_rules}
\set run_session regress_operator
\else
SELECT session_user AS run_session \gset
\endif
SET ROLE regress_operator;
SELECT pg_temp.run() AS run1, statement_timestamp() AS run1_at \gset
RESET ROLE;
SELECT is(:'run1'::text[],
          ARRAY['access_assignment_ended=2', 'admin_relationship_expired=3', 'admin_relationship_extended=2',
                'notice_sent=7', 'relationship_expired=2', 'subscription_expired=2', 'subscription_renewed=4'],
          'run_maintenance(): the seven kinds in kind order, each with its count');
SELECT is((SELECT array_agg(table_name || ' ' || n ORDER BY table_name)
             FROM (SELECT table_name, count(*) AS n FROM multipartner.audit_log WHERE :after_ev0 GROUP BY table_name) x),
          ARRAY['access_assignment 2', 'admin_relationship 5', 'relationship 2', 'subscription 6'],
          '15 audit rows: 2 assignments, 3 + 2 admin relationships, 2 requests, 2 + 4 subscriptions');
SELECT is((SELECT array_agg(DISTINCT (actor, session_actor = :'run_session', operation)::text) FROM multipartner.audit_log WHERE :after_ev0),
          ARRAY['(regress_operator,t,UPDATE)'],
          '... every one an UPDATE with the operator who ran it as actor');
SELECT is((SELECT array_agg(id ORDER BY id) FROM (
              SELECT coalesce(new_row->>'access_assignment_id', new_row->>'admin_relationship_id',
                              new_row->>'relationship_id', new_row->>'subscription_id')::uuid AS id
                FROM multipartner.audit_log WHERE :after_ev0) x),
          (SELECT array_agg(id ORDER BY id) FROM unnest(ARRAY[:'x_1', :'x_2', :'a_p91', :'a_end1', :'a_end2', :'a_ext1', :'a_ext2',
                                                              :'req_af', :'req_gg', :'s_r1', :'s_r2', :'s_r3', :'s_moved2', :'s_e1', :'s_e2']::uuid[]) id),
          '... exactly one for each row that changed, and none for the rest');

-- what it recorded
SELECT is((SELECT array_agg(status::text || ' ' || ended_by ORDER BY relationship_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'req_af', :'req_gg', :'req_on') AND status <> 'pending'),
          ARRAY['expired regress_operator', 'expired regress_operator'],
          'the two requests older than 90 days expired, ended_by the operator; the 89-day one is pending');
SELECT is((SELECT array_agg(status::text ORDER BY admin_relationship_id) FROM multipartner.admin_relationship
            WHERE admin_relationship_id IN (:'a_p91', :'a_end1', :'a_end2', :'a_ext1', :'a_ext2', :'a_live')),
          ARRAY['expired', 'expired', 'expired', 'active', 'active', 'active'],
          'admin relationships: the request of 91 days and the two past end_at expired; the auto-extended and the live one active');
SELECT is((SELECT array_agg((end_at - activated_at)::text ORDER BY admin_relationship_id) FROM multipartner.admin_relationship
            WHERE admin_relationship_id IN (:'a_ext1', :'a_ext2')),
          ARRAY['210 days', '390 days'], '... extended by 180 days, and by twice 180 days');
SELECT is((SELECT array_agg((status, ended_by)::text ORDER BY access_assignment_id) FROM multipartner.access_assignment
            WHERE admin_relationship_id = :'a_end1'),
          ARRAY['(ended,regress_operator)', '(ended,regress_operator)', '(ended,regress_office_ga)'],
          'the two active assignments of the expired one ended by the operator; the one ended before stays as it was');
SELECT is((SELECT array_agg(pg_temp.sub_rec(id) ORDER BY o)
             FROM unnest(ARRAY[:'s_r1', :'s_r2', :'s_r3', :'s_moved2', :'s_e1', :'s_e2', :'s_live', :'s_cancel', :'s_moved']::uuid[])
                  WITH ORDINALITY u(id, o)),
          ARRAY['active term 1', 'active term 1', 'active term 1', 'active term 1', 'expired term 0', 'expired term 0',
                'active term 0', 'cancelled term 0', 'active term 1'],
          'subscriptions: four renewals recorded (P1M, P1Y, P3Y, P1M), two expiries (without auto_renew, suspended), the rest as they were');
SELECT is((SELECT ((a.old_row->>'term_start')::timestamptz = s.created_at,
                   (a.new_row->>'term_start')::timestamptz = s.created_at + interval '1 year',
                   (a.new_row->>'commitment_end')::timestamptz = s.created_at + interval '2 years')::text
             FROM multipartner.audit_log a JOIN multipartner.subscription s
               ON s.customer_id = a.audit_key AND s.subscription_id::text = a.new_row->>'subscription_id'
            WHERE :after_ev0 AND s.subscription_id = :'s_r2'),
          '(t,t,t)', 'the audit row of the P1Y renewal: from the first term to the second');

-- notices: one row per object, end and threshold; only the nearest passed one sent
SELECT is(pg_temp.notices(:'a_live', :'t0'::timestamptz + interval '10 days', :'run1_at'), ARRAY['30:sent'],
          'admin relationship ending in 10 days: the 30-day notice sent');
SELECT is(pg_temp.notices(:'a_soon', :'t0'::timestamptz + interval '5 days', :'run1_at'), ARRAY['7:sent', '30:passed'],
          'admin relationship ending in 5 days: the 7-day notice sent, the 30-day one remembered as passed (sent_at NULL)');
SELECT is(pg_temp.notices(:'s_n20', pg_temp.sub_end(:'s_n20'), :'run1_at'), ARRAY['30:sent'],
          'subscription ending in 20 days without auto_renew: the 30-day notice');
SELECT is(pg_temp.notices(:'s_n5', pg_temp.sub_end(:'s_n5'), :'run1_at'), ARRAY['7:sent', '30:passed'],
          'subscription ending in 5 days: the 7-day notice, 30 passed');
SELECT is(pg_temp.notices(:'s_n12h', pg_temp.sub_end(:'s_n12h'), :'run1_at'), ARRAY['1:sent', '7:passed', '30:passed'],
          'suspended subscription ending in 12 hours: the 1-day notice, 7 and 30 passed');
SELECT is((SELECT array_agg(days_before || ':' || (sent_at < :'t0'::timestamptz) ORDER BY days_before) FROM multipartner.expiry_notice
            WHERE object_id = :'s_hist'),
          ARRAY['7:false', '30:true'],
          'subscription ending in 5 days whose 30-day notice went out before: the 7-day one now, the 30-day one not again');
SELECT is(pg_temp.notices(:'s_moved', :'moved_e1', :'run1_at'), ARRAY['30:sent'],
          'an end that moved (auto_renew off in its second term): a notice for the new end');
SELECT is((SELECT count(*) FROM multipartner.expiry_notice WHERE object_id = :'s_moved' AND ends_at = :'moved_e0'), 3::bigint,
          '... next to the three of its first end');
SELECT is((SELECT count(*) FROM multipartner.expiry_notice
            WHERE object_id IN (:'a_ext_soon', :'s_renewing', :'s_far', :'s_moved2', :'s_live', :'s_r1', :'s_e1', :'a_end1')),
          0::bigint, 'no notice for what renews (auto_extend, auto_renew), ends in more than 30 days, or has ended');
SELECT is((SELECT count(*) FROM multipartner.expiry_notice), :notices0 + 11::bigint,
          '11 notice rows written, 7 of them sent');
SELECT is_empty($$SELECT n.* FROM multipartner.expiry_notice n
                    LEFT JOIN multipartner.subscription s
                           ON n.kind = 'subscription' AND s.customer_id = n.customer_id AND s.subscription_id = n.object_id
                    LEFT JOIN multipartner.admin_relationship a
                           ON n.kind = 'admin_relationship' AND a.customer_id = n.customer_id AND a.admin_relationship_id = n.object_id
                   WHERE (n.customer_id, n.partner_id) IS DISTINCT FROM
                         (coalesce(s.customer_id, a.customer_id), coalesce(s.partner_of_record, a.partner_id))$$,
                'each notice row names the customer and the partner (of record) of its object');

-------------------------------------------------------------------------------
-- A second run: nothing to do, nothing written
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS after_ev1,
       (SELECT count(*) FROM multipartner.expiry_notice) AS notices1 \gset
SET ROLE regress_operator;
SELECT pg_temp.run() AS run2 \gset
RESET ROLE;
SELECT is(:'run2'::text[],
          ARRAY['access_assignment_ended=0', 'admin_relationship_expired=0', 'admin_relationship_extended=0',
                'notice_sent=0', 'relationship_expired=0', 'subscription_expired=0', 'subscription_renewed=0'],
          'a second run: seven zeros');
SELECT is(((SELECT count(*) FROM multipartner.audit_log WHERE :after_ev1), (SELECT count(*) FROM multipartner.expiry_notice))::text,
          format('(0,%s)', :notices1), '... no audit row, no notice row');
-- expire_relationships(), the wrapper, agrees
SET ROLE regress_operator;
SELECT is(multipartner.expire_relationships(), 0::bigint, 'expire_relationships() finds nothing either');
RESET ROLE;

-------------------------------------------------------------------------------
-- expiring: what ends within 30 days without renewing, each reader its own
-------------------------------------------------------------------------------
\set q_exp 'SELECT kind, id, customer_id, partner_id, ends_at, days_left FROM multipartner.expiring ORDER BY kind, id'
SELECT format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'admin_relationship', :'a_live', :'contoso_id', :'office_id',
              :'t0'::timestamptz + interval '10 days', 10) AS x_a_live,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'admin_relationship', :'a_soon', :'fabrikam_id', :'azure_id',
              :'t0'::timestamptz + interval '5 days', 5) AS x_a_soon,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'subscription', :'s_n20', :'contoso_id', :'office_id',
              :'t0'::timestamptz + interval '20 days', 20) AS x_s_n20,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'subscription', :'s_n5', :'contoso_id', :'azure_id',
              :'t0'::timestamptz + interval '5 days', 5) AS x_s_n5,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'subscription', :'s_n12h', :'fabrikam_id', :'office_id',
              :'t0'::timestamptz + interval '12 hours', 1) AS x_s_n12h,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'subscription', :'s_moved', :'contoso_id', :'office_id',
              :'moved_e1'::timestamptz, ceil(extract(epoch FROM :'moved_e1'::timestamptz - :'t0'::timestamptz) / 86400)) AS x_s_moved,
       format('(%L, %L::uuid, %L::uuid, %L::uuid, %L::timestamptz, %s)', 'subscription', :'s_hist', :'contoso_id', :'office_id',
              :'t0'::timestamptz + interval '5 days', 5) AS x_s_hist
\gset
SELECT ok(:'moved_e1'::timestamptz - :'t0'::timestamptz > interval '7 days' AND :'moved_e1'::timestamptz - :'t0'::timestamptz <= interval '30 days',
          's_moved''s new end is between 7 and 30 days away (its days_left is computed from it)');
SET ROLE regress_operator;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_live', :'x_a_soon', :'x_s_n20', :'x_s_n5', :'x_s_n12h', :'x_s_moved', :'x_s_hist'),
                  'expiring, operator: the seven that end within 30 days without renewing, with days_left');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_live', :'x_s_n20', :'x_s_n12h', :'x_s_moved', :'x_s_hist'),
                  'expiring, Office: its own admin relationship and subscriptions, at both customers');
SET ROLE regress_office_hd;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_live', :'x_s_n20', :'x_s_n12h', :'x_s_moved', :'x_s_hist'),
                  'expiring, Office''s helpdesk_agent: the same');
SET ROLE regress_azure_sa;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_soon', :'x_s_n5'),
                  'expiring, Azure: its own two');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'azure_id';
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_soon', :'x_s_n5'),
                  'expiring, the two-partner member acting for Azure: Azure''s');
RESET multipartner.acting_partner;
SET ROLE regress_contoso_ga;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_live', :'x_s_n20', :'x_s_n5', :'x_s_moved', :'x_s_hist'),
                  'expiring, Contoso''s global_admin: its tenant''s, from both partners');
SET ROLE regress_contoso_reader;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_live', :'x_s_n20', :'x_s_n5', :'x_s_moved', :'x_s_hist'),
                  'expiring, Contoso''s reader: the same');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_exp', 'VALUES ' || concat_ws(', ', :'x_a_soon', :'x_s_n12h'),
                  'expiring, Fabrikam: its tenant''s two');
SET ROLE regress_govcust_ga;
SELECT is_empty(:'q_exp', 'expiring, GovCust: nothing');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_exp', 'expiring, a partner-app role of no partner: nothing');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_exp', '42501', NULL, 'expiring, a role with no grant: permission denied (42501)');
RESET ROLE;

-------------------------------------------------------------------------------
-- auto_renew off in a later term: notices for the new end, once
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = :'s_moved2';
RESET ROLE;
SET ROLE regress_operator;
SELECT pg_temp.run() AS run3, statement_timestamp() AS run3_at \gset
RESET ROLE;
SELECT is(:'run3'::text[],
          ARRAY['access_assignment_ended=0', 'admin_relationship_expired=0', 'admin_relationship_extended=0',
                'notice_sent=1', 'relationship_expired=0', 'subscription_expired=0', 'subscription_renewed=0'],
          'auto_renew turned off in the second term (recorded by the first run): the next run sends one notice');
SELECT is(pg_temp.notices(:'s_moved2', pg_temp.sub_end(:'s_moved2'), :'run3_at'), ARRAY['30:sent'],
          '... the 30-day notice of the end of its second term');
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id = :'s_moved2';
UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = :'s_moved2';
RESET ROLE;
SET ROLE regress_operator;
SELECT pg_temp.run() AS run4 \gset
RESET ROLE;
SELECT is(:'run4'::text[],
          ARRAY['access_assignment_ended=0', 'admin_relationship_expired=0', 'admin_relationship_extended=0',
                'notice_sent=0', 'relationship_expired=0', 'subscription_expired=0', 'subscription_renewed=0'],
          'auto_renew on and off again, the same end: nothing sent again');

-------------------------------------------------------------------------------
-- expiry_notice: operators read it, run_maintenance() writes it, nobody
-- changes or forgets it
-------------------------------------------------------------------------------
SET ROLE regress_operator;
SELECT is((SELECT count(*) FROM multipartner.expiry_notice), :notices0 + 12::bigint, 'an operator reads every notice');
SELECT throws_ok(format('UPDATE multipartner.expiry_notice SET sent_at = NULL WHERE object_id = %L', :'s_n20'), '42501', NULL,
                 'an operator cannot change a notice (42501)');
SELECT throws_ok(format('DELETE FROM multipartner.expiry_notice WHERE object_id = %L', :'s_n20'), '42501', NULL,
                 '... nor delete one (42501)');
SELECT throws_ok('TRUNCATE multipartner.expiry_notice', '42501', NULL, '... nor truncate them (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.expiry_notice', '42501', NULL, 'a partner role cannot read them (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.expiry_notice', '42501', NULL, 'nor a customer role (42501)');
RESET ROLE;
SELECT isnt(pg_temp.error_of('TRUNCATE multipartner.expiry_notice'), NULL, 'the superuser cannot truncate them either');

SELECT * FROM finish();
\i test/teardown.psql
