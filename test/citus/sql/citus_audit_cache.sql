-- citus_audit_cache: on a distributed install (its own database,
-- mp_dist_audit on every node), one session sells to customers on many
-- shards in turn, so the worker backends Citus keeps for it write audit rows
-- into one audit_log shard after another.  The direct audit insert keeps
-- what it needs to know of each of them (src/fastpath.c, one entry per
-- shard; before 0.9 it kept one and filled it again at every change of
-- shard): every sale has exactly one audit row, in its customer's shard,
-- and every index of every audit shard holds exactly its heap's rows
-- (amcheck's bt_index_check with heapallindexed), so no row went into
-- another shard's index.
\set mp_db mp_dist_audit
\i test/citus/own_db.psql
SELECT bool_and(success) AS amcheck_everywhere
  FROM run_command_on_all_nodes('SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS amcheck');

CREATE ROLE regress_audit_sales LOGIN;
GRANT multipartner_partner_app TO regress_audit_sales;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
     VALUES ('a0000000-0000-4000-8000-0000000000a1', 'Audit cache partner', 'commercial',
             'a1000000-0000-4000-8000-0000000000a1');
INSERT INTO multipartner.partner_member VALUES
    ('regress_audit_sales', 'a0000000-0000-4000-8000-0000000000a1', 'sales_agent');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
SELECT md5('ac' || i)::uuid, md5('ac' || i)::uuid, 'Audit cache customer ' || i, 'commercial'
  FROM generate_series(1, 64) i;
INSERT INTO multipartner.relationship (customer_id, partner_id, status)
SELECT md5('ac' || i)::uuid, 'a0000000-0000-4000-8000-0000000000a1', 'active'
  FROM generate_series(1, 64) i;
CALL multipartner.distribute();
-- the 64 customers are on every audit shard there is
SELECT count(DISTINCT get_shard_id_for_distribution_column('multipartner.audit_log', md5('ac' || i)::uuid)) AS audit_shards
  FROM generate_series(1, 64) i;

-- one session, 128 sales, two rounds over the 64 customers, each sale its own statement
SET ROLE regress_audit_sales;
SELECT format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
  VALUES (%L, 'a0000000-0000-4000-8000-0000000000a1', 'CFQ7TTC0LF8Q', 'Office 365', %s, 'P1Y', 'annual')$$,
              md5('ac' || (i % 64 + 1))::uuid, i + 1)
  FROM generate_series(0, 127) i ORDER BY i \gexec
RESET ROLE;
-- every sale once, audited once, in its customer's shard
SELECT count(*) AS sold FROM multipartner.subscription;
SELECT count(*) AS audited_once FROM (
  SELECT s.subscription_id FROM multipartner.subscription s
    JOIN multipartner.audit_log a ON a.audit_key = s.customer_id AND a.table_name = 'subscription'
     AND a.operation = 'INSERT' AND a.new_row->>'subscription_id' = s.subscription_id::text
   GROUP BY s.subscription_id HAVING count(*) = 1) o;
-- every index of every audit shard: each heap row indexed, nothing else
SELECT count(*) AS audit_placements, bool_and(success) AS checked, min(result) AS min_indexes, max(result) AS max_indexes,
       min(result) FILTER (WHERE NOT success) AS failure
  FROM run_command_on_placements('multipartner.audit_log',
       $$SELECT count(*) FROM (SELECT bt_index_check(i.indexrelid, true) FROM pg_index i WHERE i.indrelid = '%s'::regclass) c$$);
