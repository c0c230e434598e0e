/* sql/multipartner--0.7--0.8.sql: upgrade multipartner from 0.7 to 0.8 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.8'" to load this file. \quit

/*
 * 0.8 adds time (SPEC §10, issue 14): subscription terms that renew or
 * expire, read lazily through effective_*(subscription), run_maintenance()
 * recording every kind of due transition, and expiry notices.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.8'::pg_catalog.text$$;
