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
-- Watching it (issue 12): refusals and lookup paths, counted in shared memory
-- with the library in shared_preload_libraries (src/refusals.c)
-------------------------------------------------------------------------------

/*
 * Every counter: a refusal counter per database, rule, SQLSTATE and acting
 * partner; a lookup counter per database, lookup and path; and an overflow
 * counter per kind once multipartner.refusals_max counters are taken.  The
 * counters are the cluster's, of every database.  Without preloading it
 * raises 55000.  The view below is what operators read.
 */
CREATE FUNCTION multipartner.refusal_counts(
    OUT dbid oid, OUT kind text, OUT name text, OUT sqlstate text,
    OUT partner_id uuid, OUT path text, OUT count bigint,
    OUT first_at timestamptz, OUT last_at timestamptz)
RETURNS SETOF record
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mp_refusal_counts';
COMMENT ON FUNCTION multipartner.refusal_counts() IS
    'The counters behind the view multipartner.refusals (needs multipartner in shared_preload_libraries)';

CREATE VIEW multipartner.refusals WITH (security_invoker = true) AS
SELECT d.datname AS database, c.dbid, c.kind, c.name, c.sqlstate, c.partner_id,
       c.path, c.count, c.first_at, c.last_at
  FROM multipartner.refusal_counts() c
  LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) c.dbid;
COMMENT ON VIEW multipartner.refusals IS
    'Refusals of the rules per database, rule, SQLSTATE and acting partner, and which path each lookup took, per database, since the server started or the last multipartner.refusals_reset() (needs multipartner in shared_preload_libraries)';
COMMENT ON COLUMN multipartner.refusals.database IS
    'The database counted in (NULL for the overflow rows, or a database dropped since)';
COMMENT ON COLUMN multipartner.refusals.dbid IS
    'The OID of that database (NULL for the overflow rows)';
COMMENT ON COLUMN multipartner.refusals.kind IS
    'refusal: a write or action a rule refused; lookup: a question a rule asked of the tables, answered on one path';
COMMENT ON COLUMN multipartner.refusals.name IS
    'For a refusal the rule: R2 to R13 of the rules, identity, suspended, lifecycle, recorded, audit or guard; for a lookup its name; overflow for what came when every counter was taken';
COMMENT ON COLUMN multipartner.refusals.sqlstate IS
    'The SQLSTATE of the refusal (NULL for lookups)';
COMMENT ON COLUMN multipartner.refusals.partner_id IS
    'The partner the refused role acted for (NULL when it acted for none, and for lookups)';
COMMENT ON COLUMN multipartner.refusals.path IS
    'For a lookup the path that answered: direct or spi (NULL for refusals)';
COMMENT ON COLUMN multipartner.refusals.count IS
    'How many times';
COMMENT ON COLUMN multipartner.refusals.first_at IS
    'When the first of them was counted';
COMMENT ON COLUMN multipartner.refusals.last_at IS
    'When the last of them was counted (for lookups: the end of the transaction that asked)';

CREATE FUNCTION multipartner.refusals_reset() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mp_refusals_reset';
COMMENT ON FUNCTION multipartner.refusals_reset() IS
    'Remove every counter of multipartner.refusals, of every database (needs multipartner in shared_preload_libraries)';

-- operators only: the counts name partners and tell one partner of another's refusals
REVOKE ALL ON FUNCTION multipartner.refusal_counts(), multipartner.refusals_reset() FROM PUBLIC;
REVOKE ALL ON multipartner.refusals FROM PUBLIC;
GRANT SELECT ON multipartner.refusals TO multipartner_operator;
GRANT EXECUTE ON FUNCTION multipartner.refusal_counts(), multipartner.refusals_reset()
    TO multipartner_operator;
