-- citus_refusals: multipartner.refusals on Citus, with the library in
-- shared_preload_libraries on every node (README "Running on Citus", as this
-- suite's nodes run).  The counters are in each node's shared memory, and a
-- refusal is counted where it is raised: a rule of a distributed table on
-- the worker whose shard holds the row (its trigger runs there), never on the
-- coordinator or the other worker.  So an operator reads every node's
-- counters from the coordinator through run_command_on_all_nodes() (the
-- README's query, below), and resets them all the same way.  The grants are
-- those of one node on every node: operators only.  In a database of its own
-- (mp_dist_refusals on every node), taken to Citus with CALL
-- multipartner.distribute().
\set mp_db mp_dist_refusals
\i test/citus/own_db.psql
\i test/citus/refusal.psql
-- (the API's ids are random: shown as <id>)
CREATE FUNCTION pg_temp.refused(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(pg_temp.refusal(sql), '[0-9a-f]{8}-[0-9a-f-]{27}', '<id>', 'g')
$$;

\set p1 '11111111-1111-4111-8111-0000000000f1'
\set p2 '11111111-1111-4111-8111-0000000000f2'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Refusals P1', 'commercial', '22222222-2222-4222-8222-0000000000f1'),
  (:'p2', 'Refusals P2', 'commercial', '22222222-2222-4222-8222-0000000000f2');
CREATE ROLE regress_ref_ga1 LOGIN;
CREATE ROLE regress_ref_sales1 LOGIN;
CREATE ROLE regress_ref_cust LOGIN;
CREATE ROLE regress_ref_operator LOGIN;
GRANT multipartner_partner_app TO regress_ref_ga1, regress_ref_sales1;
GRANT multipartner_customer_app TO regress_ref_cust;
GRANT multipartner_operator TO regress_ref_operator;
INSERT INTO multipartner.partner_member VALUES
  ('regress_ref_ga1', :'p1', 'global_admin'), ('regress_ref_sales1', :'p1', 'sales_agent');

CALL multipartner.distribute();

SET ROLE regress_ref_ga1;
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000f1', 'Refusals C1', 'commercial') AS c1 \gset
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly') AS s1 \gset
RESET ROLE;
INSERT INTO multipartner.customer_member VALUES ('regress_ref_cust', :'c1', 'global_admin');
SELECT relationship_id AS r1 FROM multipartner.relationship WHERE customer_id = :'c1' \gset
-- the node whose shards hold C1's rows (subscription and relationship are co-located)
CREATE TEMP TABLE c1_node AS
SELECT n.nodeid FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
 WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.subscription', :'c1');
SELECT count(*) AS c1_placements FROM pg_dist_placement p
 WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.subscription', :'c1');
GRANT SELECT ON pg_temp.c1_node TO PUBLIC;
-- which node a row of run_command_on_all_nodes() is
CREATE FUNCTION pg_temp.node(id int) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN id IN (SELECT nodeid FROM pg_temp.c1_node) THEN 'C1''s worker'
                WHEN n.groupid = 0 THEN 'coordinator' ELSE 'the other worker' END
      FROM pg_dist_node n WHERE n.nodeid = id
$$;
-- this database's refusal counters on every node, as kind|rule|SQLSTATE|partner|count
\set counted 'SELECT pg_temp.node(nodeid) AS node, success, result AS refusals FROM run_command_on_all_nodes($$SELECT coalesce(string_agg(concat_ws(''|'', kind, name, sqlstate, CASE partner_id WHEN ''11111111-1111-4111-8111-0000000000f1'' THEN ''P1'' ELSE coalesce(partner_id::text, ''-'') END, count), '', '' ORDER BY kind DESC, name, sqlstate), ''none'') FROM multipartner.refusals WHERE kind <> ''lookup'' AND database = current_database()$$) ORDER BY 1'

-- every node preloads the library: each has counters, and the setting
SELECT pg_temp.node(nodeid) AS node, success, result AS refusals_max
  FROM run_command_on_all_nodes($$SHOW multipartner.refusals_max$$) ORDER BY 1;
SELECT bool_and(success) AS reset_everywhere
  FROM run_command_on_all_nodes($$SELECT multipartner.refusals_reset()$$);

-- refusals of this database's rules, on the node that raises them
SET ROLE regress_ref_ga1;
SELECT pg_temp.refused(format($$UPDATE multipartner.subscription SET offer_id = 'O365_E5'
                                 WHERE customer_id = %L AND subscription_id = %L$$, :'c1', :'s1')) AS r7_terms;
SELECT pg_temp.refused(format($$UPDATE multipartner.subscription SET term = 'P1M'
                                 WHERE customer_id = %L AND subscription_id = %L$$, :'c1', :'s1')) AS r7_terms_again;
RESET ROLE;
SET ROLE regress_ref_cust;
SELECT pg_temp.refused(format($$UPDATE multipartner.subscription SET quantity = 1
                                 WHERE customer_id = %L AND subscription_id = %L$$, :'c1', :'s1')) AS r5_customer;
RESET ROLE;
SET ROLE regress_ref_sales1;
SELECT pg_temp.refused(format($$SELECT multipartner.terminate_relationship(%L)$$, :'r1')) AS r3_sales_agent;
RESET ROLE;
-- counted on the node that raised them, C1's worker, also the refusal of
-- terminate_relationship() by id (its statements run there)
:counted;
-- a dry run is an answer, not a refusal, on Citus too: check() carries
-- multipartner.dry_run to the worker with its dry run's statements, and the
-- worker counts their refusals under kind dry_run (a setting a client can
-- set too: it moves a refusal to that kind, it hides none)
SET ROLE regress_ref_cust;
SELECT allowed, rule FROM multipartner.check('update_subscription', :'s1', quantity => 1);
SELECT allowed, rule FROM multipartner.check('update_subscription', :'s1', customer_id => :'c1', quantity => 2);
RESET ROLE;
SET ROLE regress_ref_ga1;
SELECT allowed, rule FROM multipartner.check('update_subscription', :'s1', term => 'P1M');
RESET ROLE;
-- a client that claims a dry run, by a session's SET (carried to the worker
-- as check()'s is) or by a SET LOCAL that Citus passes on: counted as a dry
-- run, not hidden
SET ROLE regress_ref_cust;
SET multipartner.dry_run = on;
SELECT pg_temp.refused(format($$UPDATE multipartner.subscription SET quantity = 3
                                 WHERE customer_id = %L AND subscription_id = %L$$, :'c1', :'s1')) AS r5_set;
RESET multipartner.dry_run;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL multipartner.dry_run = on;
SELECT pg_temp.refused(format($$UPDATE multipartner.subscription SET quantity = 4
                                 WHERE customer_id = %L AND subscription_id = %L$$, :'c1', :'s1')) AS r5_set_local;
ROLLBACK;
RESET ROLE;

-- README "Running on Citus", "Watching it": every node's counters, read on
-- the coordinator by an operator (the same role on every node)
SET ROLE regress_ref_operator;
:counted;
-- and resets them all
SELECT bool_and(success) AS operator_resets_everywhere
  FROM run_command_on_all_nodes($$SELECT multipartner.refusals_reset()$$);
SELECT bool_and(result = '0') AS none_left
  FROM run_command_on_all_nodes($$SELECT count(*) FROM multipartner.refusals
                                    WHERE kind = 'refusal' AND database = current_database()$$);
RESET ROLE;

-- operators only, on every node
SET ROLE regress_ref_ga1;
SELECT pg_temp.refusal('SELECT count(*) FROM multipartner.refusals') AS partner_reads;
SELECT pg_temp.node(nodeid) AS node, success, result AS partner_reads_a_node
  FROM run_command_on_all_nodes($$SELECT count(*) FROM multipartner.refusals$$) ORDER BY 1;
SELECT bool_and(NOT success) AS partner_resets_nowhere
  FROM run_command_on_all_nodes($$SELECT multipartner.refusals_reset()$$);
RESET ROLE;
SET ROLE regress_ref_cust;
SELECT pg_temp.refusal('SELECT count(*) FROM multipartner.refusals') AS customer_reads;
RESET ROLE;
