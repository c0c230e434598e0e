-- citus_acting: on a distributed install (its own database, mp_dist_acting on
-- every node, CALL multipartner.distribute() on a populated install with
-- LOGIN roles), the acting partner of a role that is a member of two
-- partners reaches the workers (CITUS_DESIGN §2.7): set by SET (the API
-- functions and, with the library loaded, direct DML in a transaction
-- block, in a function and for a top-level statement outside a transaction
-- block) and by SET LOCAL; unset, the worker refuses (42501).  And the lookups
-- that read this node's shards on Citus: R10 (party_in_use of a partner and
-- of a customer), R13, the end of an admin relationship's assignments
-- (end_assignments), the removal of a role's last member row
-- (member_rows_left), each once on distributed tables.
\set mp_db mp_dist_acting
\i test/citus/own_db.psql

-- SQLSTATE, message and detail of a statement (the context names a node's port)
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text;
    d text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || m || coalesce(' / ' || d, '');
END
$$;

-- the populated install: partners (made before distribute(): a partner
-- insert on distributed tables is the tenant registry's, not done here),
-- h5_dual a member of P1 and P2, customers with relationships with both
\set p1 '11111111-1111-4111-8111-0000000000a1'
\set p2 '11111111-1111-4111-8111-0000000000a2'
\set p3 '11111111-1111-4111-8111-0000000000a3'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Acting P1', 'commercial', '22222222-2222-4222-8222-0000000000a1'),
  (:'p2', 'Acting P2', 'commercial', '22222222-2222-4222-8222-0000000000a2'),
  (:'p3', 'Acting P3', 'commercial', '22222222-2222-4222-8222-0000000000a3');
CREATE ROLE regress_act_p1 LOGIN;
CREATE ROLE regress_act_p2 LOGIN;
CREATE ROLE regress_act_dual LOGIN;
CREATE ROLE regress_act_c1 LOGIN;
CREATE ROLE regress_act_c2 LOGIN;
CREATE ROLE regress_act_agent LOGIN;
GRANT multipartner_partner_app TO regress_act_p1, regress_act_p2, regress_act_dual, regress_act_agent;
GRANT multipartner_customer_app TO regress_act_c1, regress_act_c2;
INSERT INTO multipartner.partner_member VALUES
  ('regress_act_p1', :'p1', 'global_admin'), ('regress_act_p2', :'p2', 'global_admin'),
  ('regress_act_dual', :'p1', 'global_admin'), ('regress_act_dual', :'p2', 'global_admin'),
  ('regress_act_agent', :'p1', 'admin_agent');
SET ROLE regress_act_p1;
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000a1', 'Acting C1', 'commercial') AS c1 \gset
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000a2', 'Acting C2', 'commercial') AS c2 \gset
SELECT multipartner.create_subscription(:'c2', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly') IS NOT NULL AS sold;
SELECT multipartner.create_admin_relationship(:'c1', 'helpdesk', ARRAY['Helpdesk Administrator']) AS ar1 \gset
RESET ROLE;
INSERT INTO multipartner.customer_member VALUES ('regress_act_c1', :'c1', 'global_admin'), ('regress_act_c2', :'c2', 'global_admin');
SET ROLE regress_act_p2;
SELECT multipartner.request_relationship(:'c1') AS r2 \gset
RESET ROLE;
SET ROLE regress_act_c1;
SELECT multipartner.accept_relationship(:'r2') IS NOT NULL AS accepted;
RESET ROLE;
SET ROLE regress_act_p1;
SELECT multipartner.request_admin_approval(:'ar1') IS NOT NULL AS submitted;
RESET ROLE;
SET ROLE regress_act_c1;
SELECT multipartner.approve_admin_relationship(:'ar1') IS NOT NULL AS approved;
RESET ROLE;
SET ROLE regress_act_p1;
SELECT multipartner.assign_admin_access(:'ar1', 'regress_act_agent', ARRAY['Helpdesk Administrator']) IS NOT NULL AS assigned;
RESET ROLE;
SELECT relationship_id AS r1c2 FROM multipartner.relationship WHERE customer_id = :'c2' AND partner_id = :'p1' \gset

CALL multipartner.distribute();
SELECT count(*) AS distributed FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%';

-- 1. the acting partner on the workers
-- unset: the worker refuses (the role is a member of two partners)
SET ROLE regress_act_dual;
SELECT pg_temp.try(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')$$, :'c1')) AS unset;
-- SET: the API carries it to the worker shard, outside and inside a transaction block
SET multipartner.acting_partner = :'p1';
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly') IS NOT NULL AS sold_set;
BEGIN;
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly') IS NOT NULL AS sold_set_in_block;
COMMIT;
-- another value in the same session: carried again
SET multipartner.acting_partner = :'p2';
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 3, 'P1Y', 'monthly') IS NOT NULL AS sold_set_p2;
RESET multipartner.acting_partner;
-- SET LOCAL with Citus's propagation of SET LOCAL
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL multipartner.acting_partner = :'p1';
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 4, 'P1Y', 'monthly') IS NOT NULL AS sold_set_local;
COMMIT;
-- a subtransaction that carried it ends (Citus forgets its SET LOCALs): carried again
SET multipartner.acting_partner = :'p1';
BEGIN;
SAVEPOINT s;
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 5, 'P1Y', 'monthly') IS NOT NULL AS sold_in_savepoint;
RELEASE SAVEPOINT s;
SELECT multipartner.create_subscription(:'c2', 'O365_E3', 'Microsoft 365', 6, 'P1Y', 'monthly') IS NOT NULL AS sold_after_savepoint;
COMMIT;
-- a value that is not one of the role's partners: the worker refuses
SET multipartner.acting_partner = :'p3';
SELECT pg_temp.try(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')$$, :'c1')) AS not_member;
RESET ROLE;
-- direct DML, with the library loaded in the backend (preloaded on a real coordinator)
LOAD 'multipartner';
SET ROLE regress_act_dual;
SET multipartner.acting_partner = :'p1';
BEGIN;
INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
  VALUES (:'c1', :'p1', 'O365_E3', 'Microsoft 365', 7, 'P1Y', 'monthly');
COMMIT;
-- from a function (Citus counts it as a multi-statement transaction): carried
SELECT pg_temp.try(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
  VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 8, 'P1Y', 'monthly')$$, :'c1', :'p1')) AS in_function;
-- a top-level statement outside a transaction block: carried (the hook makes it a coordinated
-- transaction, whose remote block carries the SET LOCAL)
INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
  VALUES (:'c1', :'p1', 'O365_E3', 'Microsoft 365', 9, 'P1Y', 'monthly');
-- ... and a lone multi-shard read (row security on every worker asks who the role acts for)
SELECT count(*) AS seen_acting_p1 FROM multipartner.subscription;
RESET multipartner.acting_partner;
RESET ROLE;
SELECT partner_of_record = :'p1' AS p1, array_agg(quantity ORDER BY quantity) AS quantities
  FROM multipartner.subscription WHERE customer_id = :'c1' GROUP BY 1 ORDER BY 1;

-- 2. the lookups on this node's shards
-- R10, party_in_use of a partner: every node reads its own shards; without
-- its member rows (a reference table: every node checks its placement) P2
-- is still referred to by its relationship with C1, whose shards are on one
-- worker only: that worker refuses, and the delete is undone everywhere
DELETE FROM multipartner.partner_member WHERE partner_id = :'p2';
SELECT pg_temp.try(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'p2')) AS delete_partner;
SELECT count(*) AS p2_kept FROM multipartner.partner WHERE partner_id = :'p2';
-- R10, party_in_use of a customer: its own shards
SELECT replace(pg_temp.try(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'c2')), :'c2', '<c2>') AS delete_customer;
-- R13: terminating a relationship with a live subscription
SET ROLE regress_act_p1;
SELECT replace(replace(pg_temp.try(format('SELECT multipartner.terminate_relationship(%L)', :'r1c2')), :'c2', '<c2>'), :'r1c2', '<r>') AS terminate_with_subscription;
RESET ROLE;
-- the assignments of an admin relationship end with it (end_assignments, on the customer's shard)
SET ROLE regress_act_c1;
SELECT multipartner.terminate_admin_relationship(:'ar1') IS NOT NULL AS terminated;
RESET ROLE;
SELECT status, ended_by FROM multipartner.access_assignment WHERE customer_id = :'c1';
-- a customer role is bound on the node whose shard holds its row, and only
-- there (distribute()'s bind_member_roles() on every node binds the rows of
-- the node's own shards, and unbinds the roles bound before it with no row
-- there: the coordinator holds no shard, the other worker never judges that
-- customer); when the last member row of a role goes (member_rows_left), the
-- role is unbound there, and DROP ROLE goes through on every node
\set bound 'SELECT coalesce(string_agg(a.grantee::regrole::text, '','' ORDER BY 1), '''') FROM pg_type t, aclexplode(t.typacl) a WHERE t.oid = ''multipartner.customer_role''::regtype AND a.grantee::regrole::text LIKE ''regress_act_c_'''
SELECT n.nodeid AS c2_node FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
 WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.customer_member', :'c2') \gset
SELECT bool_and((result LIKE '%regress_act_c2%') = (nodeid = :c2_node)) AS bound_where_its_row_is
  FROM run_command_on_all_nodes(:'bound');
DELETE FROM multipartner.customer_member WHERE customer_id = :'c2';  -- its one row
SELECT bool_and(result NOT LIKE '%regress_act_c2%') AS unbound_everywhere
  FROM run_command_on_all_nodes(:'bound');
DROP ROLE regress_act_c2;
SELECT bool_and(result = '0') AS dropped_everywhere
  FROM run_command_on_all_nodes($$SELECT count(*) FROM pg_roles WHERE rolname = 'regress_act_c2'$$);
-- a role that keeps a row on that node stays bound there (regress_act_c1 a
-- member of C2 too, then of C1 no more)
INSERT INTO multipartner.customer_member VALUES ('regress_act_c1', :'c2', 'global_admin');
DELETE FROM multipartner.customer_member WHERE customer_id = :'c1';
SELECT result LIKE '%regress_act_c1%' AS c1_bound_where_its_row_is
  FROM run_command_on_all_nodes(:'bound') WHERE nodeid = :c2_node;

-- 3. the session's TimeZone, DateStyle and IntervalStyle reach the workers,
-- where the rules count an admin relationship's days and PostgreSQL writes
-- times into messages: each one the session has from anything but the node's
-- configuration (here pg_regress's PGTZ, PGDATESTYLE and PGINTERVALSTYLE, then
-- SET), carried as the acting partner is
\set on_c1 'FROM multipartner.customer WHERE customer_id = ' :'c1'
SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds,
       current_setting('IntervalStyle') AS istyle;
SELECT current_setting('TimeZone') AS worker_tz, current_setting('DateStyle') AS worker_ds,
       current_setting('IntervalStyle') AS worker_istyle :on_c1;
-- a SET of the session; in a transaction block; changed in it (carried again)
SET TimeZone = 'Asia/Kolkata';
SET IntervalStyle = 'sql_standard';
SELECT current_setting('TimeZone') AS worker_tz, current_setting('IntervalStyle') AS worker_istyle :on_c1;
BEGIN;
SELECT current_setting('TimeZone') AS worker_tz :on_c1;
SET TimeZone = 'Europe/Rome';
SELECT current_setting('TimeZone') AS worker_tz :on_c1;
COMMIT;
SET TimeZone = 'Europe/Rome';
-- the worker writes a time as text in the session's style and zone: as this
-- node writes the same value
CREATE FUNCTION pg_temp.as_text_here(c uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz;
BEGIN
    SELECT created_at INTO t FROM multipartner.customer WHERE customer_id = c;
    RETURN t::text;
END
$$;
SELECT created_at::text AS worker_text :on_c1 \gset
SELECT :'worker_text' = pg_temp.as_text_here(:'c1') AS worker_writes_times_as_here,
       :'worker_text' LIKE '%CET' AS in_rome_and_postgres_style;
RESET TimeZone;
RESET IntervalStyle;

-- 4. a customer role reading partner on the coordinator, which holds no shard
-- of customer_member or relationship: the policy's member_partners() asks the
-- distributed tables (the local shards would answer none), on the statement's
-- snapshot, so a member row removed is seen at the next statement
SELECT count(*) AS coordinator_shards FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
 WHERE s.logicalrelid = 'multipartner.customer_member'::regclass AND p.groupid = 0;
SET ROLE regress_act_c1;
SELECT string_agg(name, ', ' ORDER BY name) AS c1_sees_partners FROM multipartner.partner;
RESET ROLE;
DELETE FROM multipartner.customer_member WHERE customer_id = :'c2';  -- regress_act_c1's last row
SET ROLE regress_act_c1;
SELECT count(*) AS c1_sees_partners_after_removal FROM multipartner.partner;
RESET ROLE;
