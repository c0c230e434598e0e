-- explain_counts: EXPLAIN ANALYZE tells a role under row security nothing
-- about rows it cannot see (issue 10, item 2).  Row security filters a scan
-- after the index condition the user chose, and the executor counts what it
-- read before the filter: "Rows Removed by Filter", a bitmap index scan's
-- rows, heap fetches and blocks, buffers.  Bisecting a tenant_id range would
-- recover every tenant on the platform.  src/executor.c resets the counters
-- of such an execution; operators keep theirs.
--
-- In a database of its own with committed data, so that brand-new
-- connections (dblink, as a LOGIN partner role) can run the EXPLAIN as their
-- very first statement, before the backend has loaded the library.
\set own_db regress_mp_explain
\i test/own_db.psql

-- Two partners: P1 (3 customers, 2 subscriptions), P2 (20 customers,
-- 10 subscriptions).  regress_xc_p1 may log in (the fresh connections).
\set p1 '11111111-1111-4111-8111-0000000000c1'
\set p2 '11111111-1111-4111-8111-0000000000c2'
CREATE ROLE regress_xc_p1 LOGIN;
CREATE ROLE regress_xc_p2 NOLOGIN;
CREATE ROLE regress_xc_op NOLOGIN;
GRANT multipartner_partner_app TO regress_xc_p1, regress_xc_p2;
GRANT multipartner_operator TO regress_xc_op;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (:'p1', 'Explain One', 'commercial', '22222222-2222-4222-8222-0000000000c1'),
    (:'p2', 'Explain Two', 'commercial', '22222222-2222-4222-8222-0000000000c2');
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_xc_p1', :'p1', 'global_admin'),
    ('regress_xc_p2', :'p2', 'global_admin');

SET ROLE regress_xc_p1;
SELECT count(multipartner.create_customer(
           format('44444444-4444-4444-8444-0000000000%s', 10 + 20 * i)::uuid,
           'p1 customer ' || i, 'commercial'))
  FROM generate_series(0, 2) i \g /dev/null
SELECT count(multipartner.create_subscription(c.customer_id, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly'))
  FROM multipartner.customer c WHERE c.name IN ('p1 customer 0', 'p1 customer 1') \g /dev/null
SET ROLE regress_xc_p2;
SELECT count(multipartner.create_customer(
           format('44444444-4444-4444-8444-0000000000%s', 11 + i + (i / 9))::uuid,
           'p2 customer ' || i, 'commercial'))
  FROM generate_series(0, 19) i \g /dev/null
SELECT count(multipartner.create_subscription(c.customer_id, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly'))
  FROM (SELECT customer_id FROM multipartner.customer ORDER BY tenant_id LIMIT 10) c \g /dev/null
RESET ROLE;
ANALYZE multipartner.customer;
ANALYZE multipartner.subscription;

-- EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of q, as the current role.
CREATE SCHEMA regress_xc;
GRANT USAGE ON SCHEMA regress_xc TO PUBLIC;
CREATE FUNCTION regress_xc.explain(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' || q INTO p;
    RETURN p::jsonb;
END
$$;
-- The largest value of any of keys anywhere in the plan tree (not in
-- "Planning", which the planner's catalog reads fill).
CREATE FUNCTION regress_xc.max_of(p jsonb, VARIADIC keys text[]) RETURNS numeric
LANGUAGE sql AS $$
    SELECT coalesce(max(v::text::numeric), 0)
      FROM unnest(keys) k,
           jsonb_path_query(p -> 0 -> 'Plan', 'strict $.**') n,
           jsonb_each(CASE WHEN jsonb_typeof(n) = 'object' THEN n ELSE '{}' END) e(key, v)
     WHERE e.key = k
$$;
-- A non-inlined function reading customer (its statements are not
-- instrumented, but their buffers count in the calling node).
CREATE FUNCTION regress_xc.customers_in(lo uuid, hi uuid)
RETURNS SETOF multipartner.customer LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT * FROM multipartner.customer WHERE tenant_id BETWEEN lo AND hi ORDER BY tenant_id;
END
$$;
\set lo '44444444-4444-4444-8444-000000000000'
\set hi '44444444-4444-4444-8444-000000000099'
\set q_customer 'SELECT * FROM multipartner.customer WHERE tenant_id BETWEEN ''44444444-4444-4444-8444-000000000000'' AND ''44444444-4444-4444-8444-000000000099'' ORDER BY tenant_id'
-- the same without the ORDER BY, for the bitmap plan: with the ORDER BY the
-- planner may keep the ordered index scan, disabled as it is, over a bitmap
-- scan and a sort, and here it does since the customer policy is a function
-- call (0.9, partner_sees_customer(), no sub-select)
\set q_customer_unordered 'SELECT * FROM multipartner.customer WHERE tenant_id BETWEEN ''44444444-4444-4444-8444-000000000000'' AND ''44444444-4444-4444-8444-000000000099'''
\set q_subscription 'SELECT * FROM multipartner.subscription WHERE subscription_id BETWEEN ''00000000-0000-0000-0000-000000000000'' AND ''ffffffff-ffff-ffff-ffff-ffffffffffff'' ORDER BY subscription_id'
\set q_view 'SELECT * FROM multipartner.subscriptions_by_partner WHERE subscription_id BETWEEN ''00000000-0000-0000-0000-000000000000'' AND ''ffffffff-ffff-ffff-ffff-ffffffffffff'''
\set q_cte 'WITH c AS MATERIALIZED (SELECT * FROM multipartner.customer WHERE tenant_id BETWEEN ''44444444-4444-4444-8444-000000000000'' AND ''44444444-4444-4444-8444-000000000099'') SELECT count(*) FROM c'
\set q_function 'SELECT * FROM regress_xc.customers_in(''44444444-4444-4444-8444-000000000000'', ''44444444-4444-4444-8444-000000000099'')'

BEGIN;
SELECT plan(45);

-- what each partner sees
SET ROLE regress_xc_p1;
SELECT is((SELECT count(*) FROM multipartner.customer WHERE tenant_id BETWEEN :'lo' AND :'hi'), 3::bigint,
          'P1 sees its 3 customers in the range');
SELECT is((SELECT count(*) FROM multipartner.subscription), 2::bigint, 'P1 sees its 2 subscriptions');

-- plans of the attack, as P1: index scans forced, then bitmap scans forced
CREATE TEMP TABLE plans (name text, plan jsonb, visible int);
GRANT ALL ON plans TO PUBLIC;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
INSERT INTO plans VALUES
    ('customer by index', regress_xc.explain(:'q_customer'), 3),
    ('subscription by index', regress_xc.explain(:'q_subscription'), 2),
    ('view by index', regress_xc.explain(:'q_view'), 2),
    ('CTE by index', regress_xc.explain(:'q_cte'), 3),
    ('function', regress_xc.explain(:'q_function'), 3);
SET enable_bitmapscan = on;
SET enable_indexscan = off;
INSERT INTO plans VALUES
    ('customer by bitmap', regress_xc.explain(:'q_customer_unordered'), 3),
    ('subscription by bitmap', regress_xc.explain(:'q_subscription'), 2);
RESET enable_indexscan;
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET ROLE;

-- the plans did use the scans the attack needs
SELECT ok(plan::text LIKE '%"Index Scan"%' OR plan::text LIKE '%"Index Only Scan"%', name || ': an index scan')
  FROM plans WHERE name LIKE '%by index' ORDER BY name;
SELECT ok(plan::text LIKE '%"Bitmap Index Scan"%', name || ': a bitmap index scan')
  FROM plans WHERE name LIKE '%by bitmap' ORDER BY name;
-- no row count beyond the visible rows, nothing removed by a filter, no
-- heap fetch, heap block, buffer or WAL count
SELECT cmp_ok(regress_xc.max_of(plan, 'Actual Rows'), '<=', visible::numeric, name || ': no Actual Rows beyond the visible rows')
  FROM plans ORDER BY name;
SELECT is(regress_xc.max_of(plan, 'Rows Removed by Filter', 'Rows Removed by Index Recheck', 'Rows Removed by Join Filter'),
          0::numeric, name || ': no Rows Removed')
  FROM plans ORDER BY name;
SELECT is(regress_xc.max_of(plan, 'Heap Fetches', 'Exact Heap Blocks', 'Lossy Heap Blocks'), 0::numeric,
          name || ': no heap fetches or blocks')
  FROM plans ORDER BY name;
SELECT is(regress_xc.max_of(plan, 'Shared Hit Blocks', 'Shared Read Blocks', 'Shared Dirtied Blocks',
                            'Shared Written Blocks', 'Local Hit Blocks', 'Local Read Blocks',
                            'Temp Read Blocks', 'Temp Written Blocks'), 0::numeric,
          name || ': no buffer counts')
  FROM plans ORDER BY name;

-- an operator keeps its counts (it sees every row: 23 customers)
SET ROLE regress_xc_op;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT regress_xc.explain(:'q_customer') AS op_plan \gset
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET ROLE;
SELECT is((:'op_plan'::jsonb -> 0 -> 'Plan' ->> 'Actual Rows')::numeric, 23::numeric,
          'operator: Actual Rows of all 23 customers');
SELECT cmp_ok(regress_xc.max_of(:'op_plan'::jsonb, 'Shared Hit Blocks', 'Shared Read Blocks'), '>', 0::numeric,
              'operator: buffer counts shown');

-- a brand-new connection of the LOGIN partner role: the EXPLAIN is its
-- first statement (seq and bitmap scans off through the connection
-- options, not through SET)
SELECT pg_temp.fresh_conn('regress_xc_p1') AS conn \gset
SELECT is(pg_temp.library_loaded(:'conn'), false,
          'fresh connection: the library is not loaded before its first statement');
INSERT INTO plans
SELECT 'fresh ' || n, p::jsonb, visible
  FROM (VALUES ('customer by index', :'q_customer', 3), ('function', :'q_function', 3)) v(n, q, visible),
       dblink(:'conn' || ' options=''-c enable_seqscan=off -c enable_bitmapscan=off''',
              'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' || q) AS t(p json);
SELECT ok(plan::text LIKE '%"Index Scan"%' OR plan::text LIKE '%"Function Scan"%', name || ': the plan was made')
  FROM plans WHERE name LIKE 'fresh %' ORDER BY name;
SELECT cmp_ok(regress_xc.max_of(plan, 'Actual Rows'), '<=', visible::numeric, name || ': no Actual Rows beyond the visible rows')
  FROM plans WHERE name LIKE 'fresh %' ORDER BY name;
SELECT is(regress_xc.max_of(plan, 'Rows Removed by Filter', 'Heap Fetches', 'Shared Hit Blocks', 'Shared Read Blocks'),
          0::numeric, name || ': no Rows Removed, heap fetches or buffers')
  FROM plans WHERE name LIKE 'fresh %' ORDER BY name;

SELECT * FROM finish();
ROLLBACK;

\c :first_db
SET client_min_messages = warning;
DROP DATABASE :own_db;
DROP ROLE regress_xc_p1, regress_xc_p2, regress_xc_op;
