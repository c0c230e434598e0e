/* sql/multipartner--0.8--0.9.sql: upgrade multipartner from 0.8 to 0.9 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.9'" to load this file. \quit

/*
 * 0.9 makes the schema distributable with Citus (SPEC §11, issue 15): keys
 * that include the distribution column, policies without subqueries, stamps
 * that the node judging the row fills in, and multipartner.distribute().
 * On a single node every rule, message and visible row stays as in 0.8.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.9'::pg_catalog.text$$;
