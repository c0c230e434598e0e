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

-------------------------------------------------------------------------------
-- The data guard (guard.c): DROP EXTENSION multipartner (CASCADE or not),
-- DROP SCHEMA multipartner CASCADE and DROP OWNED BY the extension's owner
-- are refused (2BP01) while any table of the extension holds a row, unless
-- a superuser has set multipartner.allow_drop_with_data to on.
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.data_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mp_data_guard'
LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.data_guard() FROM PUBLIC;

CREATE EVENT TRIGGER multipartner_data_guard ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION multipartner.data_guard();
ALTER EVENT TRIGGER multipartner_data_guard ENABLE ALWAYS;
