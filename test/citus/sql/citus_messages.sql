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
