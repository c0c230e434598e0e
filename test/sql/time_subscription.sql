\i test/setup.psql
-- time_subscription: what time makes of a subscription (SPEC §10, issue 14),
-- for every kind of term (P1M, P1Y, P3Y) and every state, read lazily at the
-- statement's clock before anything records it:
--   terms anchored on created_at (term k runs from created_at + k terms to
--   created_at + (k + 1) terms, calendar arithmetic in UTC): a renewal with
--   auto_renew, as often as due, without drift (bought on the 31st, it renews
--   on the 31st or the last day of a shorter month); without auto_renew, or
--   while suspended, expired at commitment_end, and then final (every write
--   refused, nothing written); cancelled and expired as recorded;
--   R7's 168-hour window from the effective term_start; a write records the
--   due renewal with it (row and audit row); only the effective values may be
--   written to term_start / commitment_end, for every writer; a new row's
--   term_start is created_at (428C9 otherwise); R13 and check() by the
--   effective state.
--
-- Past rows come only the way an import does: an operator (here the
-- superuser) loads a subscription's created_at (the trigger derives
-- term_start and commitment_end from it), and rows in a state a write today
-- cannot make (suspended or cancelled in an old term, a row recorded in a
-- later term) are loaded in restore mode, as pg_restore loads them (see
-- gdap_admin_relationship).  Every expected value is computed in SQL from
-- the row's created_at and the statement's clock (pg_temp.plus, pg_temp.k_now
-- below, the arithmetic views.sql's term_end oracle does), so no assertion
-- depends on today's date.  The file runs in UTC; the arithmetic is UTC's in
-- every TimeZone (checked at the end).
--
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") every statement is a transaction of its own: the rows are loaded,
-- restore mode included, before test/fixtures_done.psql distributes them,
-- the TimeZone is the session's (SET, not SET LOCAL: on one node rolled back
-- with the test transaction all the same), and the oracle reads the rows
-- through pg_temp.subs() and pg_temp.audits_of() (every row, fetched by the
-- coordinator), so that its pg_temp functions run where they exist (a
-- sub-select on a distributed table that calls one would be sent to the
-- shard's worker), and so that the row forms effective_status(s),
-- effective_term_start(s) and effective_commitment_end(s) get a row of
-- multipartner.subscription (a shard's row has the shard's type: README
-- "Time: what renews, expires and ends by itself").  On one node they are the tables' rows.
\i test/fixtures.psql
SET TimeZone = 'UTC';

-- relationships (fixed ids)
\set rel_oc '55555555-5555-4555-8555-000000001401'
\set rel_ac '55555555-5555-4555-8555-000000001402'
\set rel_of '55555555-5555-4555-8555-000000001403'
-- subscriptions (fixed ids), all of Contoso sold by Office unless noted
\set s_m_new    '66666666-6666-4666-8666-000000001401'
\set s_y_new    '66666666-6666-4666-8666-000000001402'
\set s_3y_new   '66666666-6666-4666-8666-000000001403'
\set s_m40      '66666666-6666-4666-8666-000000001404'
\set s_m400     '66666666-6666-4666-8666-000000001405'
\set s_y13r     '66666666-6666-4666-8666-000000001406'
\set s_y25r     '66666666-6666-4666-8666-000000001407'
\set s_3y_r     '66666666-6666-4666-8666-000000001408'
\set s_3y_win   '66666666-6666-4666-8666-000000001409'
\set s_y_win    '66666666-6666-4666-8666-00000000140a'
\set s_y_late   '66666666-6666-4666-8666-00000000140b'
\set s_m_win    '66666666-6666-4666-8666-00000000140c'
\set s_y13n     '66666666-6666-4666-8666-00000000140d'
\set s_m_n      '66666666-6666-4666-8666-00000000140e'
\set s_3y_n     '66666666-6666-4666-8666-00000000140f'
\set s_y_n_live '66666666-6666-4666-8666-000000001410'
\set s_susp_old '66666666-6666-4666-8666-000000001411'
\set s_susp     '66666666-6666-4666-8666-000000001412'
\set s_cancel   '66666666-6666-4666-8666-000000001413'
\set s_expired  '66666666-6666-4666-8666-000000001414'
\set s_jan31    '66666666-6666-4666-8666-000000001415'
\set s_jan31_23 '66666666-6666-4666-8666-000000001416'
\set s_mar31    '66666666-6666-4666-8666-000000001417'
\set s_jan31_rec '66666666-6666-4666-8666-000000001418'
\set s_half     '66666666-6666-4666-8666-000000001419'
\set s_new_sa   '66666666-6666-4666-8666-00000000141a'
\set s_new_op   '66666666-6666-4666-8666-00000000141b'
\set s_new_bad  '66666666-6666-4666-8666-00000000141c'
-- Azure's of Contoso (R13: only expired by time)
\set s_az_n     '66666666-6666-4666-8666-000000001421'
\set s_az_susp  '66666666-6666-4666-8666-000000001422'
-- Office's of Fabrikam (R13: renewed by time)
\set s_fab_r    '66666666-6666-4666-8666-000000001431'
-- the 31sts of the last 24 months: ids 66666666-6666-4666-8666-0000000015NN

SELECT plan(118);

-------------------------------------------------------------------------------
-- The oracle: the terms in SQL
-------------------------------------------------------------------------------
-- a + months, calendar arithmetic in UTC (as commitment_end is computed at the sale)
CREATE FUNCTION pg_temp.plus(a timestamptz, months int) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT ((a AT TIME ZONE 'UTC') + make_interval(months => months)) AT TIME ZONE 'UTC'
$$;
CREATE FUNCTION pg_temp.months(term text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE term WHEN 'P1M' THEN 1 WHEN 'P1Y' THEN 12 WHEN 'P3Y' THEN 36 END
$$;
-- the term k (k >= 0) of a subscription anchored at a, m months a term, that
-- contains the statement's clock
CREATE FUNCTION pg_temp.k_now(a timestamptz, m int) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT max(k) FROM generate_series(0, 1300) k
     WHERE pg_temp.plus(a, k * m) <= GREATEST(statement_timestamp(), now())
$$;
-- "status term k" for a status and a term [ts, ce) of a subscription
-- anchored at a (ts = a + k terms and ce = a + (k + 1) terms), or
-- "status unanchored ts - ce"
CREATE FUNCTION pg_temp.term_of(status text, a timestamptz, m int, ts timestamptz, ce timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT status || ' ' ||
           COALESCE((SELECT 'term ' || k FROM generate_series(0, 1300) k
                      WHERE pg_temp.plus(a, k * m) = ts AND pg_temp.plus(a, (k + 1) * m) = ce),
                    'unanchored ' || ts || ' - ' || ce)
$$;
-- the rows of subscription and audit_log, read by a statement of their own
-- (test/readers.psql says why)
\i test/readers.psql
-- what effective_status / effective_term_start / effective_commitment_end say
CREATE FUNCTION pg_temp.eff(id uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT pg_temp.term_of(multipartner.effective_status(s)::text, s.created_at, pg_temp.months(s.term),
                           multipartner.effective_term_start(s), multipartner.effective_commitment_end(s))
      FROM pg_temp.subs() s WHERE s.subscription_id = id
$$;
-- what the row records
CREATE FUNCTION pg_temp.rec(id uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT pg_temp.term_of(s.status::text, s.created_at, pg_temp.months(s.term), s.term_start, s.commitment_end)
      FROM pg_temp.subs() s WHERE s.subscription_id = id
$$;
-- "active term k" for the term that contains the statement's clock
CREATE FUNCTION pg_temp.now_term(id uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT 'active term ' || pg_temp.k_now(s.created_at, pg_temp.months(s.term))
      FROM pg_temp.subs() s WHERE s.subscription_id = id
$$;
-- (PL/pgSQL: Citus plans no query of an SQL function that uses its parameters)
CREATE FUNCTION pg_temp.created(id uuid) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT created_at FROM multipartner.subscription WHERE subscription_id = id);
END
$$;
-- whether an audit row of a subscription is about the subscription id: its
-- row_id is the id (on Citus too, where distribute() widens subscription's
-- primary key to (customer_id, subscription_id): the row id stays the id)
CREATE FUNCTION pg_temp.audit_of(row_id text, customer_id uuid, id uuid) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT row_id = id::text
$$;
-- the audit rows of a subscription
CREATE FUNCTION pg_temp.audits(id uuid) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT count(*) FROM pg_temp.audits_of() a
             WHERE a.table_name = 'subscription' AND pg_temp.audit_of(a.row_id, a.customer_id, id));
END
$$;
-- an UPDATE of one subscription as the current role: 'rows N' or the SQLSTATE
CREATE FUNCTION pg_temp.upd(id uuid, sets text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('UPDATE multipartner.subscription SET %s WHERE subscription_id = %L', sets, id);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN 'rows ' || n;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

-------------------------------------------------------------------------------
-- The rows
-------------------------------------------------------------------------------
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status) VALUES
    (:'rel_oc', :'contoso_id', :'office_id', 'active'),
    (:'rel_ac', :'contoso_id', :'azure_id', 'active'),
    (:'rel_of', :'fabrikam_id', :'office_id', 'active');

-- imported by an operator (the superuser): created_at in the past
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family,
     quantity, term, billing_cycle, auto_renew, created_at)
VALUES
    (:'s_m_new', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '10 days'),
    (:'s_y_new', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, now() - interval '100 days'),
    (:'s_3y_new', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P3Y', 'triennial', true, now() - interval '2 years'),
    (:'s_m40', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '40 days'),
    (:'s_m400', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '400 days'),
    (:'s_y13r', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, now() - interval '13 months'),
    (:'s_y25r', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly', true, now() - interval '25 months'),
    (:'s_3y_r', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P3Y', 'triennial', true, now() - interval '3 years' - interval '10 days'),
    (:'s_3y_win', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P3Y', 'annual', true, now() - interval '3 years' - interval '3 days'),
    (:'s_y_win', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, now() - interval '1 year' - interval '100 hours'),
    (:'s_y_late', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, now() - interval '1 year' - interval '200 hours'),
    (:'s_m_win', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '1 month' - interval '50 hours'),
    (:'s_y13n', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', false, now() - interval '13 months'),
    (:'s_m_n', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', false, now() - interval '40 days'),
    (:'s_3y_n', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P3Y', 'triennial', false, now() - interval '3 years' - interval '1 day'),
    (:'s_y_n_live', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', false, now() - interval '11 months'),
    (:'s_jan31', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, '2024-01-31 12:00:00+00'),
    (:'s_jan31_23', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, '2023-01-31 12:00:00+00'),
    (:'s_mar31', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, '2024-03-31 12:00:00+00'),
    (:'s_half', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '6 months' - interval '10 days'),
    (:'s_az_n', :'contoso_id', :'azure_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly', false, now() - interval '40 days'),
    (:'s_fab_r', :'fabrikam_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, now() - interval '40 days');
-- a subscription bought on the 31st of each of the last 24 months that has one
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family,
     quantity, term, billing_cycle, auto_renew, created_at)
SELECT format('66666666-6666-4666-8666-0000000015%s', lpad(j::text, 2, '0'))::uuid,
       :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', true,
       date_trunc('month', now()) - make_interval(months => j) + interval '30 days 9 hours'
  FROM generate_series(1, 24) j
 WHERE extract(day from date_trunc('month', now()) - make_interval(months => j) + interval '30 days') = 31;

-- loaded in restore mode (pg_restore's settings): rows in states a write
-- today cannot make, in their recorded terms, without audit rows
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle,
     auto_renew, status, created_at, created_by, term_start, commitment_end)
VALUES
    -- suspended in its first term, which ended a month ago (auto_renew or not)
    (:'s_susp_old', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, 'suspended',
     pg_catalog.now() - interval '13 months', 'regress_office_sa', pg_catalog.now() - interval '13 months',
     pg_temp.plus(pg_catalog.now() - interval '13 months', 12)),
    -- suspended in its first term, which runs on
    (:'s_susp', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'annual', true, 'suspended',
     pg_catalog.now() - interval '2 months', 'regress_office_sa', pg_catalog.now() - interval '2 months',
     pg_temp.plus(pg_catalog.now() - interval '2 months', 12)),
    -- cancelled and expired in 2020, one with auto_renew
    (:'s_cancel', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, 'cancelled',
     '2020-01-01 00:00:00+00', 'regress_office_sa', '2020-01-01 00:00:00+00', '2020-02-01 00:00:00+00'),
    (:'s_expired', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', false, 'expired',
     '2020-01-01 00:00:00+00', 'regress_office_sa', '2020-01-01 00:00:00+00', '2020-02-01 00:00:00+00'),
    -- bought on 2024-01-31 and recorded in its second term (2024-02-29 to 2024-03-31)
    (:'s_jan31_rec', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1M', 'monthly', true, 'active',
     '2024-01-31 12:00:00+00', 'regress_office_sa', '2024-02-29 12:00:00+00', '2024-03-31 12:00:00+00'),
    -- Azure's, suspended past its end
    (:'s_az_susp', :'contoso_id', :'azure_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly', true, 'suspended',
     pg_catalog.now() - interval '3 months', 'regress_azure_sa', pg_catalog.now() - interval '3 months',
     pg_temp.plus(pg_catalog.now() - interval '3 months', 1));
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\i test/fixtures_done.psql

-------------------------------------------------------------------------------
-- At the sale: term_start is created_at, commitment_end one term on (UTC
-- calendar: the 31st of January ends on the last day of February)
-------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM multipartner.subscription WHERE term_start <> created_at
              AND subscription_id NOT IN (:'s_jan31_rec')), 0::bigint,
          'every row an import or a sale wrote starts its first term at created_at');
SELECT is((SELECT count(*) FROM pg_temp.subs()
            WHERE commitment_end <> pg_temp.plus(created_at, pg_temp.months(term)) AND subscription_id NOT IN (:'s_jan31_rec')),
          0::bigint, '... and its commitment ends one term later');
SELECT is((SELECT array_agg(commitment_end ORDER BY created_at) FROM multipartner.subscription
            WHERE subscription_id IN (:'s_jan31_23', :'s_jan31', :'s_mar31')),
          ARRAY['2023-02-28 12:00:00+00', '2024-02-29 12:00:00+00', '2024-04-30 12:00:00+00']::timestamptz[],
          'bought on 2023-01-31, 2024-01-31 and 2024-03-31: the first term ends 2023-02-28, 2024-02-29, 2024-04-30');
SELECT cmp_ok((SELECT count(*) FROM multipartner.subscription WHERE subscription_id::text LIKE '66666666-6666-4666-8666-0000000015%'),
              '>=', 13::bigint, 'thirteen or more subscriptions bought on the 31st of a month of the last two years');

-- a new row: term_start is created_at, whoever writes it (428C9 otherwise)
SET ROLE regress_office_sa;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, term_start)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', '2020-01-01 00:00:00+00')$$, :'s_new_bad', :'contoso_id'),
                 '428C9', 'column "term_start" must be created_at',
                 'a partner''s new row may not name another term_start (428C9)');
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P3Y', 'triennial')$$, :'s_new_sa', :'contoso_id'),
                'a partner''s new row without term_start');
RESET ROLE;
SELECT is(pg_temp.rec(:'s_new_sa'), 'active term 0', '... starts its first term at created_at, three years long');
SET ROLE regress_operator;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, term_start)
                          VALUES (%L, %L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'annual', '2024-01-31 12:00:00+00', '2025-01-31 12:00:00+00')$$,
                        :'s_new_bad', :'contoso_id', :'office_id'),
                 '428C9', NULL, 'an operator importing a row may not start it in a later term (428C9)');
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, term_start)
                         VALUES (%L, %L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'annual', '2024-01-31 12:00:00+00', '2024-01-31 12:00:00+00')$$,
                       :'s_new_op', :'contoso_id', :'office_id'),
                'an operator may name term_start = created_at');
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, term_start)
                          VALUES (%L, %L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', '2024-01-31 12:00:00+00', '2024-02-29 12:00:00+00')$$,
                        :'s_new_bad', :'contoso_id', :'office_id'),
                 '428C9', NULL, 'nor may the superuser (428C9)');
SELECT is((SELECT count(*) FROM multipartner.subscription WHERE subscription_id = :'s_new_bad'), 0::bigint,
          'no refused row was written');

-------------------------------------------------------------------------------
-- Effective state, every kind of term and every state
-------------------------------------------------------------------------------
SELECT is(pg_temp.eff(:'s_m_new'), 'active term 0', 'P1M of 10 days: active in its first term');
SELECT is(pg_temp.eff(:'s_y_new'), 'active term 0', 'P1Y of 100 days: active in its first term');
SELECT is(pg_temp.eff(:'s_3y_new'), 'active term 0', 'P3Y of 2 years: active in its first term');
SELECT is(pg_temp.eff(:'s_m40'), 'active term 1', 'P1M of 40 days with auto_renew: renewed once, in its second term');
SELECT is(pg_temp.eff(:'s_m400'), pg_temp.now_term(:'s_m400'), 'P1M of 400 days with auto_renew: in the term that holds the statement''s clock');
SELECT cmp_ok(pg_temp.k_now(pg_temp.created(:'s_m400'), 1), '>=', 12, '... the thirteenth or a later one');
SELECT is(pg_temp.eff(:'s_y13r'), 'active term 1', 'P1Y of 13 months with auto_renew: in its second term');
SELECT is((SELECT (multipartner.effective_status(s), multipartner.effective_term_start(s) = s.created_at + interval '1 year',
                   multipartner.effective_commitment_end(s) = s.created_at + interval '2 years')::text
             FROM pg_temp.subs() s WHERE subscription_id = :'s_y13r'),
          '(active,t,t)', '... effective_term_start = created_at + 1 year, effective_commitment_end = created_at + 2 years');
SELECT is(pg_temp.rec(:'s_y13r'), 'active term 0', '... while the row still records its first term');
SELECT is(pg_temp.eff(:'s_y25r'), 'active term 2', 'P1Y of 25 months with auto_renew: in its third term');
SELECT is(pg_temp.eff(:'s_3y_r'), 'active term 1', 'P3Y of 3 years and 10 days with auto_renew: in its second term');
SELECT is(pg_temp.eff(:'s_3y_win'), 'active term 1', 'P3Y of 3 years and 3 days with auto_renew: in its second term');
SELECT is(pg_temp.eff(:'s_y_win'), 'active term 1', 'P1Y of a year and 100 hours: in its second term');
SELECT is(pg_temp.eff(:'s_m_win'), 'active term 1', 'P1M of a month and 50 hours: in its second term');
SELECT is(pg_temp.eff(:'s_y13n'), 'expired term 0', 'P1Y of 13 months without auto_renew: expired at the end of its first term');
SELECT is(pg_temp.rec(:'s_y13n'), 'active term 0', '... while the row still says active');
SELECT is(pg_temp.eff(:'s_m_n'), 'expired term 0', 'P1M of 40 days without auto_renew: expired');
SELECT is(pg_temp.eff(:'s_3y_n'), 'expired term 0', 'P3Y of 3 years and a day without auto_renew: expired');
SELECT is(pg_temp.eff(:'s_y_n_live'), 'active term 0', 'P1Y of 11 months without auto_renew: active until its commitment ends');
SELECT is(pg_temp.eff(:'s_susp_old'), 'expired term 0', 'suspended past commitment_end (with auto_renew): expired, not renewed');
SELECT is(pg_temp.eff(:'s_susp'), 'suspended term 0', 'suspended before commitment_end: suspended');
SELECT is(pg_temp.eff(:'s_cancel'), 'cancelled term 0', 'cancelled (with auto_renew, years ago): as recorded');
SELECT is(pg_temp.eff(:'s_expired'), 'expired term 0', 'expired: as recorded');
SELECT is((SELECT count(*) FROM pg_temp.subs() s
            WHERE multipartner.effective_status(s) = 'expired' AND s.customer_id = :'contoso_id'
              AND s.partner_of_record = :'office_id'), 5::bigint,
          'effective_status() in a WHERE clause: five of Office''s subscriptions of Contoso are expired');

-- anchored on created_at: no drift
SELECT is(pg_temp.eff(:'s_jan31'), pg_temp.now_term(:'s_jan31'),
          'bought on 2024-01-31 (P1M): in the term that holds the clock, counted from created_at');
SELECT is(pg_temp.eff(:'s_jan31_rec'), pg_temp.now_term(:'s_jan31_rec'),
          'recorded in its 2024-02-29 term: its effective term is counted from created_at, not stepped from the 29th');
SELECT is((SELECT extract(day FROM multipartner.effective_term_start(s))::int
             FROM pg_temp.subs() s WHERE subscription_id = :'s_jan31_rec'),
          (SELECT least(31, extract(day FROM date_trunc('month', multipartner.effective_term_start(s)) + interval '1 month - 1 day'))::int
             FROM pg_temp.subs() s WHERE subscription_id = :'s_jan31_rec'),
          '... its term starts on the 31st, or on the last day of a shorter month');
SELECT is_empty($$
    SELECT s.subscription_id, s.created_at, multipartner.effective_term_start(s), multipartner.effective_commitment_end(s)
      FROM pg_temp.subs() s
     WHERE s.subscription_id::text LIKE '66666666-6666-4666-8666-0000000015%'
       AND (pg_temp.eff(s.subscription_id) <> pg_temp.now_term(s.subscription_id)
            OR extract(day FROM multipartner.effective_term_start(s)) <>
               least(31, extract(day FROM date_trunc('month', multipartner.effective_term_start(s)) + interval '1 month - 1 day'))
            OR extract(day FROM multipartner.effective_commitment_end(s)) <>
               least(31, extract(day FROM date_trunc('month', multipartner.effective_commitment_end(s)) + interval '1 month - 1 day'))
            OR multipartner.effective_term_start(s)::time <> '09:00')$$,
    'bought on the 31st of each of the last 24 months: each renews on the 31st, or the last day of a shorter month, at the hour of the sale');

-------------------------------------------------------------------------------
-- check() answers by the effective state (and writes nothing)
-------------------------------------------------------------------------------
SELECT pg_temp.audits(:'s_y_win') AS audits_y_win, (SELECT count(*) FROM multipartner.audit_log) AS audits_all \gset
SET ROLE regress_office_sa;
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('cancel_subscription', subscription_id => :'s_y_win') c), 't',
          'check(): a P1Y 100 hours into its second term may be cancelled');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_y_win', quantity => 1) c), 't',
          'check(): ... and its quantity lowered');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('cancel_subscription', subscription_id => :'s_y_late') c), 'f R7 MP004',
          'check(): 200 hours into its second term, not cancelled (R7, MP004)');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_y_late', quantity => 1) c), 'f R7 MP004',
          'check(): ... nor lowered (R7, MP004)');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_y_late', quantity => 11) c), 't',
          'check(): ... but raised');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('cancel_subscription', subscription_id => :'s_m_new') c), 'f R7 MP004',
          'check(): a P1M 10 days into its first term is past its window (R7, MP004)');
SELECT is((multipartner.check('update_subscription', subscription_id => :'s_y13n', quantity => 11)).message,
          format('subscription %s is expired', :'s_y13n'),
          'check(): a P1Y of 13 months without auto_renew is expired: no change, not even a raise');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_y13n', auto_renew => true) c), 'f R7 MP004',
          'check(): ... not even turning auto_renew on (R7, MP004)');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_susp_old', status => 'active') c), 'f R7 MP004',
          'check(): a suspended one past its end cannot be resumed (R7, MP004)');
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('update_subscription', subscription_id => :'s_susp', status => 'active') c), 't',
          'check(): a suspended one before its end can');
RESET ROLE;
SELECT is(pg_temp.rec(:'s_y_win'), 'active term 0', 'check() recorded no renewal');
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'audits_all'::bigint, '... and wrote no audit row');

-------------------------------------------------------------------------------
-- R7: the 168-hour window runs from the effective term_start
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(:'s_y13r', 'status = ''cancelled'''), 'MP004',
          'R7: a P1Y a month into its second term cannot be cancelled (MP004)');
SELECT is(pg_temp.upd(:'s_y13r', 'quantity = 9'), 'MP004', 'R7: ... nor lowered (MP004)');
SELECT is(pg_temp.upd(:'s_y_late', 'status = ''cancelled'''), 'MP004',
          'R7: 200 hours into its second term: no cancellation (MP004)');
SELECT is(pg_temp.upd(:'s_y_late', 'quantity = 9'), 'MP004', 'R7: ... no lowering (MP004)');
SELECT is(pg_temp.upd(:'s_3y_r'::uuid, 'status = ''cancelled'''), 'MP004',
          'R7: a P3Y 10 days into its second term: no cancellation (MP004)');
SELECT is(pg_temp.upd(:'s_m_new', 'quantity = 9'), 'MP004',
          'R7: a P1M 10 days into its first term: no lowering (MP004)');
SELECT is(pg_temp.upd(:'s_y_win', 'quantity = 9'), 'rows 1', 'R7: 100 hours into its second term a P1Y may be lowered');
SELECT is(pg_temp.upd(:'s_y_win', 'status = ''cancelled'''), 'rows 1', 'R7: ... and cancelled');
SELECT is(pg_temp.upd(:'s_m_win', 'status = ''cancelled'''), 'rows 1', 'R7: 50 hours into its second term a P1M may be cancelled');
SELECT is(pg_temp.upd(:'s_3y_win', 'quantity = 9'), 'rows 1', 'R7: 3 days into its second term a P3Y may be lowered');
SELECT is(pg_temp.upd(:'s_y_late', 'quantity = 11'), 'rows 1', 'R7: raising is allowed at any time');
RESET ROLE;
SELECT is(pg_temp.upd(:'s_y_late', 'status = ''cancelled'''), 'MP004', 'R7: the superuser is held to the window too (MP004)');
SELECT is(pg_temp.upd(:'s_y13r', 'quantity = 9'), 'MP004', '... also for lowering (MP004)');
SELECT is((SELECT array_agg(pg_temp.rec(id) || ' qty ' || (SELECT quantity FROM pg_temp.subs() WHERE subscription_id = id) ORDER BY o)
             FROM unnest(ARRAY[:'s_y_win', :'s_m_win', :'s_3y_win', :'s_y_late']::uuid[]) WITH ORDINALITY u(id, o)),
          ARRAY['cancelled term 1 qty 9', 'cancelled term 1 qty 10', 'active term 1 qty 9', 'active term 1 qty 11'],
          'each allowed write recorded the renewal with it (second term), and its change');

-------------------------------------------------------------------------------
-- A write to a lazily renewed subscription records the renewal with it
-------------------------------------------------------------------------------
SELECT pg_temp.audits(:'s_y13r') AS audits_y13r \gset
SELECT is(:'audits_y13r'::bigint, 1::bigint, 's_y13r has its INSERT audit row only: the refused writes wrote none');
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(:'s_y13r', 'quantity = 12'), 'rows 1', 'a P1Y in its unrecorded second term: the quantity is raised');
RESET ROLE;
SELECT is((SELECT (status, quantity, term_start = created_at + interval '1 year', commitment_end = created_at + interval '2 years')::text
             FROM multipartner.subscription WHERE subscription_id = :'s_y13r'),
          '(active,12,t,t)', '... the row records its second term: term_start = created_at + 1 year, commitment_end = created_at + 2 years');
SELECT is((SELECT ((a.old_row->>'term_start')::timestamptz = s.created_at,
                   (a.old_row->>'commitment_end')::timestamptz = s.created_at + interval '1 year',
                   (a.new_row->>'term_start')::timestamptz = s.created_at + interval '1 year',
                   (a.new_row->>'commitment_end')::timestamptz = s.created_at + interval '2 years',
                   a.new_row->>'quantity', a.actor)::text
             FROM pg_temp.audits_of() a JOIN pg_temp.subs() s ON pg_temp.audit_of(a.row_id, a.customer_id, s.subscription_id)
            WHERE a.table_name = 'subscription' AND s.subscription_id = :'s_y13r' AND a.operation = 'UPDATE'),
          '(t,t,t,t,12,regress_office_sa)',
          '... and its one audit row shows the renewal: old_row the first term, new_row the second');
SELECT is(pg_temp.eff(:'s_y13r'), 'active term 1', '... which is still the effective term');

SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(:'s_jan31_rec', 'auto_renew = true'), 'rows 1', 'a write to the one recorded in its 2024-02-29 term');
RESET ROLE;
SELECT is(pg_temp.rec(:'s_jan31_rec'), pg_temp.now_term(:'s_jan31_rec'),
          '... records the term that holds the clock, counted from created_at (2024-01-31)');
SELECT is((SELECT extract(day FROM term_start)::int = least(31, extract(day FROM date_trunc('month', term_start) + interval '1 month - 1 day'))::int
             FROM pg_temp.subs() WHERE subscription_id = :'s_jan31_rec'),
          true, '... its term_start the 31st or the last day of a shorter month');

-------------------------------------------------------------------------------
-- R7: only a renewal moves term_start and commitment_end, for every writer
-------------------------------------------------------------------------------
SELECT pg_temp.audits(:'s_y25r') AS audits_y25r, pg_temp.audits(:'s_y_new') AS audits_y_new \gset
SET ROLE regress_office_sa;
-- (the moved times as constants: Citus refuses a stable function with a
-- column reference in an UPDATE, 0A000, before any trigger sees it)
SELECT is(pg_temp.upd(:'s_y25r', format('commitment_end = %L',
                                        (SELECT commitment_end + interval '1 day' FROM pg_temp.subs() WHERE subscription_id = :'s_y25r'))),
          'MP004', 'R7: a partner cannot move commitment_end (MP004)');
SELECT is(pg_temp.upd(:'s_y25r', 'term_start = statement_timestamp()'), 'MP004',
          'R7: ... nor set term_start to now (MP004)');
SELECT is(pg_temp.upd(:'s_y25r', format('term_start = %L, commitment_end = %L',
                                        pg_temp.plus(pg_temp.created(:'s_y25r'), 12), pg_temp.plus(pg_temp.created(:'s_y25r'), 24))),
          'MP004', 'R7: ... nor record a term that is over (the second of three) (MP004)');
SELECT throws_ok(format('UPDATE multipartner.subscription SET commitment_end = %L WHERE subscription_id = %L',
                        (SELECT commitment_end + interval '1 day' FROM pg_temp.subs() WHERE subscription_id = :'s_y25r'), :'s_y25r'),
                 'MP004', format('cannot change column "commitment_end" of subscription %s', :'s_y25r'),
                 'R7: the message names the column and the subscription');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(:'s_y25r', format('commitment_end = %L', pg_temp.plus(pg_temp.created(:'s_y25r'), 48))), 'MP004',
          'R7: an operator cannot set commitment_end one term too far (MP004)');
SELECT is(pg_temp.upd(:'s_y25r', format('term_start = %L, commitment_end = %L',
                                        pg_temp.plus(pg_temp.created(:'s_y25r'), 24), pg_temp.plus(pg_temp.created(:'s_y25r'), 48))),
          'MP004', 'R7: ... nor the right term_start with a wrong commitment_end (MP004)');
RESET ROLE;
SELECT is(pg_temp.upd(:'s_y25r', format('term_start = %L, commitment_end = %L',
                                        pg_temp.plus(pg_temp.created(:'s_y25r'), 36), pg_temp.plus(pg_temp.created(:'s_y25r'), 48))),
          'MP004', 'R7: the superuser cannot record a future term (MP004)');
SELECT is(pg_temp.upd(:'s_y25r', format('term_start = %L', pg_temp.created(:'s_y25r') - interval '1 year')), 'MP004',
          'R7: ... nor a term before created_at (MP004)');
SELECT is(pg_temp.upd(:'s_y_new', format('commitment_end = %L',
                                         (SELECT commitment_end + interval '1 year' FROM pg_temp.subs() WHERE subscription_id = :'s_y_new'))),
          'MP004', 'R7: the superuser cannot renew a subscription in its first term early (MP004)');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(:'s_y_new', 'term_start = statement_timestamp()'), 'MP004',
          'R7: ... nor an operator start its term anew (MP004)');
RESET ROLE;
SELECT is((SELECT (pg_temp.rec(:'s_y25r'), pg_temp.audits(:'s_y25r'), pg_temp.rec(:'s_y_new'), pg_temp.audits(:'s_y_new'))::text),
          format('("active term 0",%s,"active term 0",%s)', :'audits_y25r', :'audits_y_new'),
          'the refused writes left both rows as they were, without audit rows');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(:'s_y25r', format('term_start = %L, commitment_end = %L',
                                        pg_temp.plus(pg_temp.created(:'s_y25r'), 24), pg_temp.plus(pg_temp.created(:'s_y25r'), 36))),
          'rows 1', 'R7: exactly the effective values may be written: that records the renewal');
RESET ROLE;
SELECT is(pg_temp.rec(:'s_y25r'), 'active term 2', '... the row records its third term');
SELECT is(pg_temp.upd(:'s_y25r', format('commitment_end = %L', pg_temp.plus(pg_temp.created(:'s_y25r'), 48))), 'MP004',
          'R7: once recorded, the superuser still cannot move it on (MP004)');

-------------------------------------------------------------------------------
-- Expired by time is final: every kind of write refused, nothing written
-------------------------------------------------------------------------------
SELECT pg_temp.audits(:'s_y13n') AS audits_y13n, pg_temp.audits(:'s_susp_old') AS audits_susp_old \gset
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.subscription SET quantity = 11 WHERE subscription_id = %L', :'s_y13n'),
                 'MP004', format('subscription %s is expired', :'s_y13n'),
                 'expired by time (P1Y of 13 months without auto_renew): no raise (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'quantity = 9'), 'MP004', '... no lowering (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'status = ''cancelled'''), 'MP004', '... no cancellation (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'status = ''suspended'''), 'MP004', '... no suspension (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'auto_renew = true'), 'MP004', '... no auto_renew to bring it back (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', format('term_start = %L, commitment_end = %L',
                                        pg_temp.plus(pg_temp.created(:'s_y13n'), 12), pg_temp.plus(pg_temp.created(:'s_y13n'), 24))),
          'MP004', '... no renewal written by hand (MP004)');
SELECT is(pg_temp.upd(:'s_susp_old', 'status = ''active'''), 'MP004', 'suspended past its end: not resumed (MP004)');
SELECT is(pg_temp.upd(:'s_susp_old', 'quantity = 11'), 'MP004', '... not raised (MP004)');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(:'s_y13n', 'quantity = 11'), 'MP004', 'an operator cannot change an expired one either (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'auto_renew = true'), 'MP004', '... nor turn auto_renew on (MP004)');
SELECT is(pg_temp.upd(:'s_susp_old', 'status = ''active'''), 'MP004', '... nor resume one suspended past its end (MP004)');
RESET ROLE;
SELECT is(pg_temp.upd(:'s_y13n', 'status = ''cancelled'''), 'MP004', 'nor can the superuser (MP004)');
SELECT is(pg_temp.upd(:'s_y13n', 'quantity = 11'), 'MP004', '... in any way (MP004)');
SELECT is((SELECT (pg_temp.rec(:'s_y13n'), (SELECT quantity FROM pg_temp.subs() WHERE subscription_id = :'s_y13n'),
                   pg_temp.audits(:'s_y13n'), pg_temp.rec(:'s_susp_old'), pg_temp.audits(:'s_susp_old'))::text),
          format('("active term 0",10,%s,"suspended term 0",%s)', :'audits_y13n', :'audits_susp_old'),
          'nothing was written: the rows are as loaded, with no new audit row');
SELECT is(pg_temp.upd(:'s_cancel', 'status = ''active'''), 'MP004', 'cancelled (with auto_renew) is final (MP004)');
SELECT is(pg_temp.upd(:'s_expired', 'auto_renew = true'), 'MP004', 'recorded expired is final (MP004)');
-- recording the expiry: status expired, or a write that changes nothing
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(:'s_y13n', 'status = ''expired'''), 'rows 1', 'the partner may record what time did: status expired');
SELECT is(pg_temp.upd(:'s_m_n', 'quantity = quantity'), 'rows 1', 'a write that changes nothing records the expiry too');
RESET ROLE;
SELECT is((SELECT array_agg(pg_temp.rec(id) ORDER BY id) FROM unnest(ARRAY[:'s_y13n', :'s_m_n']::uuid[]) id),
          ARRAY['expired term 0', 'expired term 0'], '... both rows now say expired, in their first term');
SELECT is((SELECT array_agg(a.new_row->>'status' ORDER BY a.row_id) FROM pg_temp.audits_of() a
            WHERE a.table_name = 'subscription' AND a.operation = 'UPDATE'
              AND (pg_temp.audit_of(a.row_id, a.customer_id, :'s_y13n') OR pg_temp.audit_of(a.row_id, a.customer_id, :'s_m_n'))),
          ARRAY['expired', 'expired'], '... each with its audit row');
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.subscription SET quantity = 11 WHERE subscription_id = %L', :'s_y13n'),
                 'MP004', format('subscription %s is expired', :'s_y13n'), 'recorded, it stays final (MP004)');
SELECT is(pg_temp.upd(:'s_susp', 'status = ''active'''), 'rows 1', 'a suspended one before its end is resumed');
RESET ROLE;

-------------------------------------------------------------------------------
-- R13: a relationship is terminated once no subscription is effectively live
-------------------------------------------------------------------------------
SELECT is((SELECT array_agg(status::text || '/' || multipartner.effective_status(s)::text ORDER BY subscription_id)
             FROM pg_temp.subs() s WHERE customer_id = :'contoso_id' AND partner_of_record = :'azure_id'),
          ARRAY['active/expired', 'suspended/expired'],
          'Azure''s subscriptions of Contoso: recorded active and suspended, both expired by time');
SET ROLE regress_azure_ga;
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('terminate_relationship', relationship_id => :'rel_ac') c), 't',
          'check(): Azure may terminate with Contoso (R13 counts by the effective status)');
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'rel_ac'),
                'R13: subscriptions expired by time (not recorded) do not block the termination');
SET ROLE regress_office_ga;
SELECT is((SELECT concat_ws(' ', c.allowed, c.rule, c.sqlstate) FROM multipartner.check('terminate_relationship', relationship_id => :'rel_of') c), 'f R13 MP009',
          'check(): Office may not terminate with Fabrikam: a P1M of 40 days renewed by time (R13, MP009)');
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'rel_of'), 'MP009', NULL,
                 'R13: an active auto-renewed subscription past its first end blocks the termination (MP009)');
RESET ROLE;
SELECT is((SELECT array_agg(status::text ORDER BY relationship_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'rel_ac', :'rel_of')),
          ARRAY['terminated', 'active'], 'Azure - Contoso terminated, Office - Fabrikam still active');

-------------------------------------------------------------------------------
-- The arithmetic is UTC's in every session TimeZone
-------------------------------------------------------------------------------
SELECT pg_temp.eff(:'s_half') AS eff_half_utc, pg_temp.now_term(:'s_half') AS now_half \gset
SELECT is(:'eff_half_utc'::text, :'now_half'::text, 'a P1M of six months and ten days, in UTC: in the term that holds the clock');
SET TimeZone = 'America/Los_Angeles';
SELECT is(pg_temp.eff(:'s_half'), :'now_half'::text, '... the same term in America/Los_Angeles');
SET TimeZone = 'Australia/Sydney';
SELECT is(pg_temp.eff(:'s_half'), :'now_half'::text, '... and in Australia/Sydney');
SET TimeZone = 'UTC';

SELECT * FROM finish();
\i test/teardown.psql
