/* sql/multipartner--0.5--0.6.sql: upgrade multipartner from 0.5 to 0.6 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.6'" to load this file. \quit

/*
 * 0.6 makes multipartner a package a DBA can install, read, upgrade,
 * uninstall and watch (issue 12).  No rule changes.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.6'::pg_catalog.text$$;
