-- upgrade: CREATE EXTENSION multipartner VERSION '0.1' followed by
-- ALTER EXTENSION multipartner UPDATE gives exactly the schema of a fresh
-- install of the default version: every catalog fact of test/catalog.psql
-- (classes, columns, constraints, indexes, triggers and their ENABLE ALWAYS,
-- policies, views, functions with their settings and ACLs, types, event
-- triggers, config tables, extension membership) is the same.
\set VERBOSITY terse
SET client_min_messages = warning;
\set regress_db :DBNAME
CREATE DATABASE regress_mp_upgraded;
CREATE DATABASE regress_mp_fresh;

\c regress_mp_upgraded
SET client_min_messages = warning;
CREATE EXTENSION multipartner VERSION '0.1';
SELECT extversion AS installed FROM pg_extension WHERE extname = 'multipartner';
ALTER EXTENSION multipartner UPDATE;
SELECT extversion AS updated_to FROM pg_extension WHERE extname = 'multipartner';
\set ECHO none
\i test/catalog.psql
\set ECHO all
\set upgraded :catalog

\c regress_mp_fresh
SET client_min_messages = warning;
CREATE EXTENSION multipartner;
SELECT extversion AS fresh FROM pg_extension WHERE extname = 'multipartner';
\set ECHO none
\i test/catalog.psql
\set ECHO all

-- the differences, both ways: none
SELECT 'only after the upgrade: ' || l AS difference
  FROM regexp_split_to_table(:'upgraded', E'\n') l
EXCEPT ALL SELECT 'only after the upgrade: ' || l FROM regexp_split_to_table(:'catalog', E'\n') l
UNION ALL
(SELECT 'only in a fresh install: ' || l FROM regexp_split_to_table(:'catalog', E'\n') l
 EXCEPT ALL SELECT 'only in a fresh install: ' || l FROM regexp_split_to_table(:'upgraded', E'\n') l)
ORDER BY 1;
SELECT count(*) > 300 AS compared_enough_facts FROM regexp_split_to_table(:'catalog', E'\n');

\c :regress_db
DROP DATABASE regress_mp_upgraded;
DROP DATABASE regress_mp_fresh;
