/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

/*
 * Item 13: which path each lookup took.  Per backend, since it started: for
 * each lookup that has a direct implementation (src/fastpath.c) and an SPI
 * one, how many times each ran.  Operators may read it (it tells how the
 * extension runs, nothing about rows); the tests assert with it that the
 * direct path really runs, and that multipartner.fast_path = off really
 * turns it off.
 */
CREATE FUNCTION multipartner.lookup_counts()
RETURNS TABLE (lookup text, direct bigint, spi bigint)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mp_lookup_counts';
COMMENT ON FUNCTION multipartner.lookup_counts() IS
    'Per backend: how many times each rule lookup and the audit insert took the direct path and the SPI path';
REVOKE ALL ON FUNCTION multipartner.lookup_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.lookup_counts() TO multipartner_operator;
