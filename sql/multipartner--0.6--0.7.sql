/* sql/multipartner--0.6--0.7.sql: upgrade multipartner from 0.6 to 0.7 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.7'" to load this file. \quit

/*
 * 0.7 adds granular delegated admin (GDAP, SPEC §9, issue 13): admin roles,
 * admin relationships and access assignments, their rules R14-R20 in C
 * (src/gdap.c), their API and read functions.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.7'::pg_catalog.text$$;
