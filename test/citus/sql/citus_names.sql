-- citus_names: on a Citus shard the extension still knows which of its
-- tables it is writing (CITUS_NOTES blocker 9).  Citus copies a table's
-- triggers to its shards, so the triggers fire with the shard as their
-- relation (multipartner.partner_102008 for multipartner.partner).  Until
-- 0.8 the C code went by the relation's name: the tenant registry took the
-- customer branch for a partner row ("column "customer_id" of relation
-- "partner_102008" does not exist"), the audit wrote the shard's name as
-- table_name, and messages and their table field named the shard.  Now
-- src/shard.c maps a shard to its table through pg_dist_shard.
--
-- partner and admin_role are made reference tables by hand: the four
-- foreign keys to partner are dropped first (blocker 6; a workaround of
-- this test only; since 0.9 no policy holds a sub-select, blocker 3).  A reference table
-- has a placement (a shard) on every node, the coordinator included, and a
-- write fires the triggers on each, so each node's own audit_log and tenant
-- registry (both still local tables) show what its shard's triggers did.
-- At the end the extension is dropped and created again on every node, so
-- the files after this one find a fresh install.
SET client_min_messages = warning;
-- (a worker's error carries the worker's address as CONTEXT: not shown)
\set SHOW_CONTEXT never
\set coordinator_host :HOST
\set coordinator_port :PORT
\set partner_id '11111111-1111-4111-8111-0000000000d1'
\set shard_partner_id '11111111-1111-4111-8111-0000000000d2'

BEGIN;
ALTER TABLE multipartner.partner_member DROP CONSTRAINT partner_member_partner_id_fkey;
ALTER TABLE multipartner.relationship DROP CONSTRAINT relationship_partner_id_fkey;
ALTER TABLE multipartner.subscription DROP CONSTRAINT subscription_partner_of_record_fkey;
ALTER TABLE multipartner.admin_relationship DROP CONSTRAINT admin_relationship_partner_id_fkey;
SELECT create_reference_table('multipartner.partner') AS partner_reference;
-- admin_role holds its 17 seeded roles: the copy to each placement fires
-- the audit (blocker 7: distribution should be quiet; here only the name
-- it writes matters)
SELECT create_reference_table('multipartner.admin_role') AS admin_role_reference;
COMMIT;
SELECT logicalrelid, partmethod FROM pg_dist_partition
 WHERE logicalrelid::text LIKE 'multipartner.%' ORDER BY 1::text;

-- A partner written through the reference table: on every placement the
-- tenant registry claims its CSP tenant (the partner branch), the audit
-- names table partner.
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
     VALUES (:'partner_id', 'Reference partner', 'commercial', '22222222-2222-4222-8222-0000000000d1');
SELECT name FROM multipartner.partner;
-- the audit of every node: table_name, rows (copy of admin_role, partner)
\set audit 'SELECT coalesce(string_agg(table_name || '':'' || n, '','' ORDER BY table_name), ''none'') AS audit FROM (SELECT table_name, count(*) AS n FROM multipartner.audit_log GROUP BY table_name) a'
\set claims 'SELECT coalesce(string_agg(kind || '':'' || tenant_id, '','' ORDER BY tenant_id), ''none'') AS claims FROM multipartner.tenant'
:audit;
:claims;
SELECT result AS audit FROM run_command_on_workers(:'audit') ORDER BY nodeport;
SELECT result AS claims FROM run_command_on_workers(:'claims') ORDER BY nodeport;

-- Refusals raised on a shard name the table: R12 (MP008) from a worker's
-- placement, R20's DELETE (MP007) of admin_role, R20's UPDATE of it.
UPDATE multipartner.partner SET csp_tenant_id = '22222222-2222-4222-8222-0000000000d9';
DELETE FROM multipartner.admin_role WHERE role_id = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';
UPDATE multipartner.admin_role SET name = name || ' (renamed)'
 WHERE role_id = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';

-- On a worker, writing its placement of partner directly (the shard by
-- its name, which only this test spells): the rules run there as on the
-- table, and the error fields (errtable, errtablecol) name the table too.
-- (Citus passes a worker's message on to the coordinator but not its
-- table and column fields, so they are read where they are raised.)
SELECT nodeport AS worker_port FROM pg_dist_node
 WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport LIMIT 1 \gset
SELECT shardid AS partner_shard FROM pg_dist_shard
 WHERE logicalrelid = 'multipartner.partner'::regclass \gset
\c - - 127.0.0.1 :worker_port
SET client_min_messages = warning;
SELECT set_config('citus_names.shard', 'partner_' || :'partner_shard', false) IS NOT NULL AS shard_named;
SELECT citus_is_coordinator() AS on_coordinator;
BEGIN;
DO $$
BEGIN
    EXECUTE format('INSERT INTO multipartner.%I (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                   current_setting('citus_names.shard'), '11111111-1111-4111-8111-0000000000d2',
                   'Shard partner', 'commercial', '22222222-2222-4222-8222-0000000000d2');
END $$;
:audit;
:claims;
DO $$
DECLARE
    m text; t text; s text; c text;
BEGIN
    EXECUTE format('UPDATE multipartner.%I SET csp_tenant_id = %L WHERE partner_id = %L',
                   current_setting('citus_names.shard'), '22222222-2222-4222-8222-0000000000d9',
                   '11111111-1111-4111-8111-0000000000d2');
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, s = SCHEMA_NAME, t = TABLE_NAME, c = COLUMN_NAME;
    RAISE WARNING 'on the shard: % (schema %, table %, column %)', m, s, t, c;
END $$;
ROLLBACK;

-- back on the coordinator: drop the extension and create it again on every
-- node (DROP EXTENSION leaves the shards of its reference tables behind on
-- each node, so the schema goes with them), then check it is fresh
\c :DBNAME - :coordinator_host :coordinator_port
SET client_min_messages = warning;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner CASCADE;
COMMIT;
DROP SCHEMA multipartner CASCADE;
SELECT result FROM run_command_on_workers($$DROP SCHEMA IF EXISTS multipartner CASCADE$$)
 ORDER BY nodeport;
CREATE EXTENSION multipartner;
SELECT count(*) AS distributed_left FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%';
:audit;
SELECT result AS audit FROM run_command_on_workers(:'audit') ORDER BY nodeport;
SELECT result = (SELECT extversion FROM pg_extension WHERE extname = 'multipartner') AS same_version
  FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'multipartner'$$)
 ORDER BY nodeport;
