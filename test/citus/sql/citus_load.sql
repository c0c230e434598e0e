-- citus_load: multipartner loads next to Citus on every node, and CREATE
-- EXTENSION multipartner on the coordinator (test/citus/run.sh) reached the
-- workers.  0.3 could not: each of its caches took a relcache callback slot,
-- and PostgreSQL 15 has 10 per backend (core takes 2, Citus up to 5), so
-- CREATE EXTENSION ended the backend with FATAL "out of
-- relcache_callback_list slots" (CITUS_NOTES blocker 1).  Since 0.4 the
-- module takes one slot in all (src/cache.c).  Each node here preloads
-- Citus and multipartner, as the deployment does (README "Running on
-- Citus"); the slots are a backend's, whichever library registers first
-- (0.3 ran out of them loaded on demand or preloaded), so a fresh backend on
-- the coordinator and on a worker
-- uses the caches of both (a distributed table of the test's own, the extension's
-- rules and catalog lookups), then takes one slot more and is still there.
-- Nothing of the extension is distributed here.
SET client_min_messages = warning;
\set coordinator_host :HOST
\set coordinator_port :PORT

-- the coordinator: both extensions, Citus 13.2, the library of the objects
SELECT extname,
       CASE extname WHEN 'citus' THEN extversion LIKE '13.2-%'
                    ELSE extversion = multipartner.library_version() END AS expected_version
  FROM pg_extension WHERE extname IN ('citus', 'multipartner') ORDER BY extname;
SELECT current_setting('shared_preload_libraries') AS preloaded;
SELECT count(*) AS active_workers
  FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND groupid <> 0;

-- Citus propagated CREATE EXTENSION multipartner: every worker has it, at
-- the coordinator's version, with the same objects, roles and ENABLE ALWAYS
-- triggers, and its library loads there.
SELECT extversion AS coordinator_version FROM pg_extension WHERE extname = 'multipartner' \gset
SELECT success, result = :'coordinator_version' AS same_version
  FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'multipartner'$$)
 ORDER BY nodeport;
-- (the same query on every node, a row of counts and names as text)
\set objects 'SELECT row((SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid WHERE e.extname = ''multipartner'' AND d.deptype = ''e''), (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = ''multipartner''::regnamespace AND NOT t.tgisinternal), (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = ''multipartner''::regnamespace AND NOT t.tgisinternal AND t.tgenabled <> ''A''), (SELECT string_agg(rolname, '','' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE ''multipartner\_%''))::text AS objects'
:objects \gset coordinator_
SELECT :'coordinator_objects' ~ '^\(\d+,\d+,0,"multipartner_customer_app,multipartner_operator,multipartner_partner_app"\)$'
       AS coordinator_objects_as_expected;
SELECT success, result = :'coordinator_objects' AS same_objects
  FROM run_command_on_workers(:'objects')
 ORDER BY nodeport;
SELECT success, result = multipartner.library_version() AS same_library
  FROM run_command_on_workers($$SELECT multipartner.library_version()$$)
 ORDER BY nodeport;

-- A fresh backend on the coordinator: Citus's caches (a distributed table
-- of the test's own, a router query, a query on all shards) and the
-- extension's (a partner written and audited, the rules' lookups, the
-- catalog caches), then one relcache slot more.
\c
SET client_min_messages = warning;
CREATE TABLE public.citus_probe (id int PRIMARY KEY, v text);
SELECT create_distributed_table('public.citus_probe', 'id') AS distributed;
INSERT INTO public.citus_probe SELECT i, 'v' || i FROM generate_series(1, 20) i;
SELECT v AS router_read FROM public.citus_probe WHERE id = 7;
SELECT count(*) AS read_on_all_shards FROM public.citus_probe;
BEGIN;
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
     VALUES ('Coordinator partner', 'commercial', '22222222-2222-4222-8222-0000000000c1');
SELECT count(*) AS audited FROM multipartner.audit_log WHERE table_name = 'partner';
ROLLBACK;
CREATE FUNCTION pg_temp.fill_relcache_callbacks(int) RETURNS int
    AS 'fill_callbacks' LANGUAGE C STRICT;
SELECT pg_temp.fill_relcache_callbacks(1) AS one_more_slot_taken;
CREATE TEMP TABLE after_fill (i int);
DROP TABLE after_fill;
SELECT multipartner.is_operator() AS still_connected;

-- The same on a worker, in a fresh backend of its own (its port read from
-- Citus's node list).
SELECT nodeport AS worker_port FROM pg_dist_node
 WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport LIMIT 1 \gset
\c - - 127.0.0.1 :worker_port
SET client_min_messages = warning;
SELECT citus_is_coordinator() AS on_coordinator;
SELECT current_setting('shared_preload_libraries') AS preloaded;
SELECT v AS router_read FROM public.citus_probe WHERE id = 7;
SELECT count(*) AS read_on_all_shards FROM public.citus_probe;
BEGIN;
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
     VALUES ('Worker partner', 'commercial', '22222222-2222-4222-8222-0000000000c2');
SELECT count(*) AS audited FROM multipartner.audit_log WHERE table_name = 'partner';
ROLLBACK;
-- (Citus refuses CREATE FUNCTION on a worker unless it is not propagated)
SET citus.enable_ddl_propagation = off;
CREATE FUNCTION pg_temp.fill_relcache_callbacks(int) RETURNS int
    AS 'fill_callbacks' LANGUAGE C STRICT;
RESET citus.enable_ddl_propagation;
SELECT pg_temp.fill_relcache_callbacks(1) AS one_more_slot_taken;
CREATE TEMP TABLE after_fill (i int);
DROP TABLE after_fill;
SELECT multipartner.is_operator() AS still_connected;

-- back on the coordinator: nothing of the test stays
\c :DBNAME - :coordinator_host :coordinator_port
SET client_min_messages = warning;
DROP TABLE public.citus_probe;
SELECT count(*) AS partners_left FROM multipartner.partner;
