-- fastpath: the direct path (src/fastpath.c) really runs when
-- multipartner.fast_path is on, and SPI really runs when it is off.  Both
-- paths give the same answers, so without this every suite would pass twice
-- even if the direct path's shape check sent every lookup to SPI.
-- multipartner.lookup_counts() counts, per backend, which path each lookup
-- took; this file runs a known workload under READ COMMITTED on the plain
-- heap tables and asserts, for each lookup, that the path current_setting(
-- 'multipartner.fast_path') says moved and the other did not (the same
-- expected output for both runs of the suite).
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/state.psql

-- 'direct' in the run with the direct path, 'spi' in the run without it
SELECT CASE WHEN current_setting('multipartner.fast_path')::boolean THEN 'direct' ELSE 'spi' END AS expect \gset

-- the counts at a mark, and which path moved since: direct, spi, both, none
CREATE TEMP TABLE regress_mark (lookup text PRIMARY KEY, direct bigint, spi bigint);
CREATE FUNCTION pg_temp.mark() RETURNS void LANGUAGE sql AS $$
    DELETE FROM pg_temp.regress_mark;
    INSERT INTO pg_temp.regress_mark SELECT * FROM multipartner.lookup_counts();
$$;
CREATE FUNCTION pg_temp.moved(l text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN c.direct > m.direct AND c.spi > m.spi THEN 'both'
                WHEN c.direct > m.direct THEN 'direct'
                WHEN c.spi > m.spi THEN 'spi'
                ELSE 'none' END
      FROM multipartner.lookup_counts() c JOIN pg_temp.regress_mark m USING (lookup)
     WHERE c.lookup = l
$$;
-- one sale by Office for Contoso (a new statement, so it reads the partner's status)
CREATE FUNCTION pg_temp.sale() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.sqlstate_of($q$SELECT multipartner.create_subscription('33333333-3333-4333-8333-000000000001', 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly')$q$)
$$;

SELECT plan(13);

-------------------------------------------------------------------------------
-- 1. The function
-------------------------------------------------------------------------------
SELECT set_eq('SELECT lookup FROM multipartner.lookup_counts()',
    ARRAY['partner_memberships', 'customer_memberships', 'partner_membership_lock', 'customer_membership_lock',
          'active_relationship_lock', 'partner_status', 'audit_insert'],
    'lookup_counts() has a row for each lookup with a direct and an SPI implementation');
SET ROLE regress_operator;
SELECT lives_ok('SELECT * FROM multipartner.lookup_counts()', 'an operator may read lookup_counts()');
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.lookup_counts()', '42501', NULL, 'a partner application role may not');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.lookup_counts()', '42501', NULL, 'a customer application role may not');
RESET ROLE;

-------------------------------------------------------------------------------
-- 2. A known workload, READ COMMITTED, plain heap tables: every lookup on
--    the path the setting chose, none on the other
-------------------------------------------------------------------------------
SELECT is(current_setting('transaction_isolation'), 'read committed', 'the workload runs under READ COMMITTED');
SELECT pg_temp.mark() \gset
-- a sale (the role changes, so its memberships are read again)
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS w_sale \gset
-- a request, and the customer's accept (a customer member's write)
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS w_rel \gset
SET ROLE regress_fabrikam_ga;
SELECT pg_temp.sqlstate_of(format('SELECT multipartner.accept_relationship(%L)', :'w_rel')) AS w_accept \gset
RESET ROLE;
SELECT is(:'w_sale' || '/' || :'w_accept', 'ok/ok', 'workload: the sale and the accept succeed');
SELECT is(pg_temp.moved('partner_memberships'), :'expect', 'workload: partner_memberships took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('customer_memberships'), :'expect', 'workload: customer_memberships took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('customer_membership_lock'), :'expect', 'workload: customer_membership_lock took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('active_relationship_lock'), :'expect', 'workload: active_relationship_lock took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('partner_status'), :'expect', 'workload: partner_status took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('audit_insert'), :'expect', 'workload: audit_insert took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('partner_membership_lock'), 'none',
    'workload: no partner_membership_lock lookup under READ COMMITTED (a partner member holds its member object lock instead)');

SELECT * FROM finish();
ROLLBACK;
