-- callbacks: next to other extensions, multipartner still loads.  PostgreSQL
-- 15 has 10 relcache callback slots per backend, shared by core and every
-- module (Citus takes up to five); running out ends the backend (FATAL).
-- multipartner takes one relcache slot and one syscache slot per catalog
-- cache it watches, whatever the number of its caches.  A fresh backend
-- first gives six slots (with them, 0.3 ran out and
-- died) to test/modules/fill_callbacks (built and
-- installed by test/run-tests.sh), then loads multipartner and runs DDL
-- (which sets up core's lazily registered caches).
\c
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS multipartner;
\c
CREATE FUNCTION pg_temp.fill_relcache_callbacks(int) RETURNS int
    AS 'fill_callbacks' LANGUAGE C STRICT;
SELECT pg_temp.fill_relcache_callbacks(6) AS slots_taken_by_another_module;
SELECT multipartner.is_operator() AS loaded_multipartner;
CREATE TEMP TABLE after_load (i int);
DROP TABLE after_load;
SELECT count(*) AS still_connected FROM multipartner.partner WHERE false;
