/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

/*
 * Item 9: the library writes only against objects of its own version.
 * schema_version() is the version of the objects in this database; every
 * upgrade script from now on replaces it first, and the library reads it
 * (version.c) before every write.  library_version() is the version of the
 * library this session runs.
 */
CREATE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.4'::pg_catalog.text$$;
CREATE FUNCTION multipartner.library_version() RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mp_library_version_sql';
REVOKE ALL ON FUNCTION multipartner.schema_version(), multipartner.library_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.schema_version(), multipartner.library_version()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

/*
 * Item 1: no application role can stall other tenants with LOCK TABLE.
 * LOCK TABLE in any mode stronger than ROW EXCLUSIVE needs UPDATE, DELETE or
 * TRUNCATE on the whole table (LockTableAclCheck), and the application roles
 * had UPDATE and DELETE on relationship and subscription, so any of them could
 * take ACCESS EXCLUSIVE and make every tenant's reads and sales wait.  They
 * now get UPDATE column by column: UPDATE and SELECT ... FOR UPDATE accept it,
 * LOCK TABLE does not (42501), and this holds in a backend that never loaded
 * the library.  Every column is granted, so which column may change, and by
 * whom, is still the rules' answer, with the rule's own SQLSTATE.  DELETE is
 * no longer granted to them: R10 refused it anyway, now with 42501 from the
 * privilege check instead of MP007 from the trigger.  A version that adds a
 * column to these tables grants UPDATE on it to the same roles.
 */
REVOKE UPDATE, DELETE ON multipartner.relationship
  FROM multipartner_partner_app, multipartner_customer_app;
REVOKE UPDATE, DELETE ON multipartner.subscription
  FROM multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (relationship_id, customer_id, partner_id, status, delegated_admin,
              requested_by, requested_at, decided_by, decided_at, ended_by, ended_at)
   ON multipartner.relationship TO multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (subscription_id, customer_id, partner_of_record, offer_id, product_family,
              quantity, term, billing_cycle, commitment_end, auto_renew, status,
              created_at, created_by)
   ON multipartner.subscription TO multipartner_partner_app, multipartner_customer_app;

/*
 * Item 7: a member row acts only for the role it was made for.  member is a
 * regrole (an OID) and PostgreSQL records no dependency for it, so DROP ROLE
 * left the row behind and a later role with that OID, or a role of a cluster
 * restored from a dump (which writes a dropped role as a bare number), acted
 * for the partner.  From 0.4 the member trigger grants a member row's role
 * USAGE on multipartner.partner_role (customer_role for customer members), a
 * privilege nobody needs but PostgreSQL tracks: DROP ROLE is refused while
 * the role holds it, removing its last member row revokes it, pg_dump writes
 * it by role name, pg_upgrade keeps it, and a member row counts only while
 * its role holds it (identity.c, role_is_bound).  The roles of the rows
 * already there are bound now; rows of roles dropped before count for
 * nobody.  These grants are data, not the extension's initial privileges:
 * pg_dump must write them, so they are taken out of pg_init_privs again.
 */
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT 'partner_role' AS typ, m.member::pg_catalog.text AS member
               FROM multipartner.partner_member m
              WHERE EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) m.member)
             UNION
             SELECT DISTINCT 'customer_role', m.member::pg_catalog.text
               FROM multipartner.customer_member m
              WHERE EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) m.member)
    LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON TYPE multipartner.%I TO %s', r.typ, r.member);
    END LOOP;
END
$$;
DELETE FROM pg_catalog.pg_init_privs
 WHERE classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
   AND objoid OPERATOR(pg_catalog.=) ANY (ARRAY['multipartner.partner_role'::pg_catalog.regtype,
                                                'multipartner.customer_role'::pg_catalog.regtype]::pg_catalog.oid[]);

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
