-- citus_preload: the deployment loads multipartner into every session of
-- every node (shared_preload_libraries = 'citus,multipartner', README
-- "Running on Citus"), so its executor hooks run in the node's databases
-- that do not have the extension too, Citus's own CREATE EXTENSION script
-- among them.  There they must do nothing: until this test, the two-phase
-- commit of a customer INSERT (src/executor.c) looked up the extension's
-- customer table for every INSERT of a Citus database and failed with
-- "schema "multipartner" does not exist", CREATE EXTENSION citus first.
-- A database of the coordinator's own, Citus in it with its shards on the
-- coordinator, the library loaded as the preload does.
SET client_min_messages = warning;
\set coordinator_port :PORT
CREATE DATABASE mp_preload;
\c mp_preload
SET client_min_messages = warning;
LOAD 'multipartner';
CREATE EXTENSION citus;
SELECT citus_set_coordinator_host('127.0.0.1', :coordinator_port) IS NOT NULL AS coordinator;
SELECT citus_set_node_property('127.0.0.1', :coordinator_port, 'shouldhaveshards', true) IS NOT NULL AS shards_here;
SET citus.shard_count = 2;
CREATE TABLE orders (id int PRIMARY KEY, item text);
SELECT create_distributed_table('orders', 'id');
-- a distributed INSERT, in a block too, with a session TimeZone (which the
-- extension carries to the workers where it is installed)
INSERT INTO orders VALUES (1, 'one'), (2, 'two');
SET TimeZone = 'Asia/Kolkata';
BEGIN;
INSERT INTO orders VALUES (3, 'three');
UPDATE orders SET item = 'THREE' WHERE id = 3;
COMMIT;
SELECT id, item FROM orders ORDER BY id;
SELECT count(*) AS multipartner_here FROM pg_extension WHERE extname = 'multipartner';
RESET TimeZone;
\c mp_citus
SET client_min_messages = warning;
DROP DATABASE mp_preload WITH (FORCE);
