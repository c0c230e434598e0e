-- citus_messages: the messages PostgreSQL itself writes on a worker (or for
-- a placement on the coordinator) name the extension's table, its
-- constraint and its index, never a shard (SPEC §11; src/shard.c, its
-- error hook).  In a database of its own (mp_dist_messages on every node),
-- taken to Citus with CALL multipartner.distribute():
--   row security (42501) of a distributed table, for table "customer";
--   NOT NULL (23502), CHECK (23514) and the primary key (23505) of a
--        distributed table, relation "customer", index "customer_pkey";
--   a foreign key to a distributed table (23503) from a co-located one,
--        constraint "customer_member_customer_id_fkey", its detail naming
--        table "customer";
--   the primary key (23505) of a reference table, index "partner_pkey";
--   on a worker, the errors of a shard written directly there;
-- and what is left as it is: a value PostgreSQL echoes in double quotes
-- (22P02, a uuid written "customer_102040"), another table's name that
-- begins like one of ours and ends in digits (customer_2024), and its
-- constraint's.
\set mp_db mp_dist_messages
\i test/citus/own_db.psql

\i test/citus/refusal.psql
\set p1 '11111111-1111-4111-8111-0000000000e1'
\set p2 '11111111-1111-4111-8111-0000000000e2'
\set t1 '44444444-4444-4444-8444-0000000000e1'
\set t2 '44444444-4444-4444-8444-0000000000e2'
\set t9 '44444444-4444-4444-8444-0000000000e9'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Messages P1', 'commercial', '22222222-2222-4222-8222-0000000000e1'),
  (:'p2', 'Messages P2', 'commercial', '22222222-2222-4222-8222-0000000000e2');
CREATE ROLE regress_msg_ga1 LOGIN;
CREATE ROLE regress_msg_ga2 LOGIN;
CREATE ROLE regress_msg_operator LOGIN;
GRANT multipartner_partner_app TO regress_msg_ga1, regress_msg_ga2;
GRANT multipartner_operator TO regress_msg_operator;
INSERT INTO multipartner.partner_member VALUES
  ('regress_msg_ga1', :'p1', 'global_admin'), ('regress_msg_ga2', :'p2', 'global_admin');

CALL multipartner.distribute();

SET ROLE regress_msg_ga1;
SELECT multipartner.create_customer(:'t1', 'Messages C1', 'commercial') = :'t1' AS c1;
RESET ROLE;

-------------------------------------------------------------------------------
-- a distributed table
-------------------------------------------------------------------------------
-- row security: with a conflict target the SELECT policy checks the new
-- row, and P2 sees no customer it has no relationship with
SET ROLE regress_msg_ga2;
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, 'Squatter', 'commercial')
                                ON CONFLICT (customer_id) DO NOTHING$$, :'t1', :'t2')) AS row_security;
RESET ROLE;
SET ROLE regress_msg_operator;
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, NULL, 'commercial')$$, :'t2', :'t2')) AS not_null;
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, '', 'commercial')$$, :'t2', :'t2')) AS check_constraint;
-- (C1's id with another tenant: the key refuses it before the tenant rules)
SELECT regexp_replace(pg_temp.refusal(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, 'Again', 'commercial')$$, :'t1', :'t2')),
                      E'\n.*', '') AS primary_key;
-- a foreign key to the customer, from its co-located member table
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES ('regress_msg_ga1', %L, 'reader')$$, :'t9')) AS foreign_key;

-------------------------------------------------------------------------------
-- a reference table
-------------------------------------------------------------------------------
SELECT regexp_replace(pg_temp.refusal(format($$INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, 'Again', 'commercial', %L)$$,
                                             :'p1', '22222222-2222-4222-8222-0000000000e7')),
                      E'\n.*', '') AS reference_primary_key;
RESET ROLE;

-------------------------------------------------------------------------------
-- left as they are
-------------------------------------------------------------------------------
-- a value echoed in double quotes (class 22)
SELECT pg_temp.refusal($$SELECT customer_id FROM multipartner.customer WHERE customer_id = 'customer_102040'$$) AS echoed_value;
-- another table's name that ends in digits, and its constraint's, in an
-- error of this node (written with the acting partner set, so that the
-- statement's executor has asked whether Citus is there, executor.c: the
-- error hook then knows it is)
CREATE TEMP TABLE customer_2024 (id int PRIMARY KEY CONSTRAINT customer_2024_id_check CHECK (id > 0));
GRANT INSERT ON customer_2024 TO regress_msg_ga1;
SET ROLE regress_msg_ga1;
SET multipartner.acting_partner = :'p1';
-- (reported, not caught: the hook rewrites what is sent; terse: the
-- message alone)
\set VERBOSITY terse
INSERT INTO customer_2024 VALUES (0);
\set VERBOSITY default
RESET multipartner.acting_partner;
RESET ROLE;

-------------------------------------------------------------------------------
-- on the worker itself: the superuser writes C1's shard directly, and the
-- error on its way to this client names the table
-------------------------------------------------------------------------------
SELECT shard_name('multipartner.customer', get_shard_id_for_distribution_column('multipartner.customer', :'t1')) AS c1_shard,
       (SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
         WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.customer', :'t1')) AS c1_port \gset
\c :mp_db - - :c1_port
SET client_min_messages = warning;
-- (the message alone: the detail holds the row's stamp)
\set VERBOSITY terse
INSERT INTO :c1_shard (customer_id, tenant_id, name, cloud)
VALUES ('44444444-4444-4444-8444-0000000000e3', '44444444-4444-4444-8444-0000000000e3', '', 'commercial');
INSERT INTO :c1_shard (customer_id, tenant_id, name, cloud)
VALUES (:'t1', '44444444-4444-4444-8444-0000000000e3', 'Again', 'commercial');
\set VERBOSITY default

-------------------------------------------------------------------------------
-- replica mode on the worker while the foreign keys' triggers of C1's shard
-- are ENABLE ORIGIN (as pg_upgrade leaves them): refused, naming the trigger
-- as PostgreSQL named it and the referencing shard's constraint without its
-- shard id (trigger.c, mp_constraint_name); then enable_always_triggers(),
-- run on every node, makes every trigger of the extension's tables and
-- shards that it counts ENABLE ALWAYS again (its ALTERs not passed on by
-- Citus, under whose shell names a shard's trigger does not exist)
-------------------------------------------------------------------------------
-- (the triggers of the extension's tables and shards on a node that are
-- ENABLE ORIGIN, Citus's own internal ones aside; by regclass, which Citus
-- does not hide, as it hides a worker's shards from pg_class)
\set origin 'SELECT count(*) FROM pg_trigger t WHERE t.tgrelid::regclass::text LIKE ''multipartner.%'' AND t.tgenabled = ''O'' AND NOT (t.tgisinternal AND t.tgconstraint = 0)'
\c :mp_db - - :c1_port
SET client_min_messages = warning;
-- (this session's own: Citus creates no function and passes on no ALTER
-- from a worker)
SET citus.enable_ddl_propagation = off;
\i test/citus/refusal.psql
-- (the foreign keys' triggers of C1's shard ENABLE ORIGIN; their names hold
-- OIDs, so the statements are not shown)
\set ECHO none
SELECT format('ALTER TABLE %s ENABLE TRIGGER %I', tgrelid::regclass, tgname)
  FROM pg_trigger WHERE tgrelid = :'c1_shard'::regclass AND tgisinternal AND tgconstraint <> 0 \gexec
\set ECHO all
RESET citus.enable_ddl_propagation;
SELECT (:origin) > 0 AS foreign_keys_enable_origin;
SET session_replication_role = replica;
SELECT regexp_replace(pg_temp.refusal(format('UPDATE %s SET name = name WHERE customer_id = %L', :'c1_shard', :'t1')),
                      'RI_ConstraintTrigger_a_[0-9]+', 'RI_ConstraintTrigger_a_<oid>') AS replica_mode_on_c1s_shard;
RESET session_replication_role;
-- the repair in this session (where Citus hides the node's shards from
-- pg_class), then on every node from the coordinator
SELECT multipartner.enable_always_triggers() AS repaired_on_c1s_worker;
SELECT (:origin) AS origin_left_on_c1s_worker;
\c :mp_db - - :coordinator_port
SET client_min_messages = warning;
SELECT bool_and(success AND result::int >= 0) AS repaired_on_every_node
  FROM run_command_on_all_nodes($$SELECT multipartner.enable_always_triggers()$$);
SELECT bool_and(success AND result = '0') AS none_left
  FROM run_command_on_all_nodes(:'origin');
