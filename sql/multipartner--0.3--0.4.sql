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

/*
 * Item 6: pg_upgrade switches the foreign keys' triggers back to ENABLE
 * ORIGIN.  pg_dump --binary-upgrade recreates the extension's foreign keys
 * with ALTER TABLE ... ADD CONSTRAINT, whose internal triggers are ENABLE
 * ORIGIN, and no script of the extension runs in the new cluster.  The
 * extension's own triggers refuse a write under session_replication_role =
 * replica while the written table has a trigger that replica mode would skip
 * (util.c, check_replica_skips_nothing); this function is the DBA's step
 * after pg_upgrade that puts them back: every trigger of the extension's
 * tables that is a foreign key's or the extension's own and not ENABLE
 * ALWAYS becomes ENABLE ALWAYS.  It returns how many it changed.  Internal
 * triggers can only be altered by a superuser, so it is for superusers only.
 */
CREATE FUNCTION multipartner.enable_always_triggers()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $enable_always$
DECLARE
    t record;
    n integer := 0;
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
             WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for function enable_always_triggers'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may alter the internal triggers of foreign keys.';
    END IF;
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
          FROM pg_catalog.pg_trigger tg
          JOIN pg_catalog.pg_depend e ON e.objid OPERATOR(pg_catalog.=) tg.tgrelid
          JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid
          JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
         WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND e.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND e.deptype OPERATOR(pg_catalog.=) 'e'
           AND x.extname OPERATOR(pg_catalog.=) 'multipartner'
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
           AND (tg.tgisinternal
                OR p.pronamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace)
         ORDER BY 1, 2
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RETURN n;
END
$enable_always$;
REVOKE ALL ON FUNCTION multipartner.enable_always_triggers() FROM PUBLIC;
COMMENT ON FUNCTION multipartner.enable_always_triggers() IS
    'superusers: make every trigger of the extension''s tables (foreign keys'' included) ENABLE ALWAYS again, as after pg_upgrade; returns how many changed';

/*
 * Item 8: pg_restore -j loads the tables' data in any order.  pg_dump records
 * no dependency between the TABLE DATA entries of an extension's
 * configuration tables, so a parallel restore loaded relationship or
 * subscription before customer, and the foreign key refused the whole COPY.
 * In restore mode a row whose partner or customer is not loaded yet waits in
 * restore_held (its text image) and is put back by the load of its party
 * (guard.c, "Restore order").  The table is empty outside a restore in
 * progress; it is not a configuration table (a dump has nothing to keep
 * there), only superusers reach it.  The member tables get a BEFORE INSERT
 * row trigger for it (the other two tables hold their rows from their
 * guards), partner and customer an AFTER INSERT statement trigger that puts
 * the rows back; outside restore mode both return at once.
 */
CREATE TABLE multipartner.restore_held (
    table_name text NOT NULL,
    row_image  text NOT NULL
);
COMMENT ON TABLE multipartner.restore_held IS
    'rows a restore loaded before their partner or customer, put back when it is loaded; empty after a complete restore';
-- no grant to anyone (a new table gives PUBLIC nothing), row security forced
-- with no policy, and TRUNCATE refused like on every table of the schema
ALTER TABLE multipartner.restore_held ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.restore_held FORCE ROW LEVEL SECURITY;
CREATE TRIGGER restore_held_forbid_truncate
    BEFORE TRUNCATE ON multipartner.restore_held
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
ALTER TABLE multipartner.restore_held ENABLE ALWAYS TRIGGER restore_held_forbid_truncate;

CREATE FUNCTION multipartner.restore_hold()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_restore_hold' LANGUAGE C;
CREATE FUNCTION multipartner.restore_release()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_restore_release' LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.restore_hold() FROM PUBLIC;
REVOKE ALL ON FUNCTION multipartner.restore_release() FROM PUBLIC;

CREATE TRIGGER restore_hold
    BEFORE INSERT ON multipartner.partner_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.restore_hold();
CREATE TRIGGER restore_hold
    BEFORE INSERT ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.restore_hold();
CREATE TRIGGER restore_release
    AFTER INSERT ON multipartner.partner
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.restore_release();
CREATE TRIGGER restore_release
    AFTER INSERT ON multipartner.customer
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.restore_release();
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER restore_hold;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER restore_hold;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER restore_release;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER restore_release;

/*
 * Item 3: the audit row records the identity the rules judged.  The audit
 * trigger runs AFTER ROW, at the end of the statement, and read the role and
 * multipartner.acting_partner then, so a statement that switched them
 * (UPDATE ... RETURNING set_config('multipartner.acting_partner', ...)) was
 * audited under an identity the rules never judged it by.  A BEFORE ROW
 * trigger on every audited table, named to fire before the rule triggers,
 * takes the identity at the statement's first row and refuses a later row
 * written under another one; the audit trigger records the identity taken
 * for the statement that wrote the row (src/audit_identity.c).
 */
CREATE FUNCTION multipartner.audit_identity()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_audit_identity' LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.audit_identity() FROM PUBLIC;

CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.partner
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.customer
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.partner_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.subscription
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit_identity;

/*
 * Item 4, the clock.  Every time rule (the 168-hour cancellation window,
 * the 90-day request lifetime, "expired only after commitment_end") and
 * every record stamp (created_at, requested_at, decided_at, ended_at) is
 * judged at the start of the statement, not of its transaction, so a
 * transaction held open for days neither stretches a window nor backdates a
 * sale.  Inside a procedure that has committed, the transaction started
 * after the CALL did: then its start is the later, and the one taken.  The
 * C side is mp_statement_time() (util.c); the defaults below are what the
 * triggers compare a given value with, so they must say the same.
 */
ALTER TABLE multipartner.partner
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.customer
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.relationship
    ALTER COLUMN requested_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.subscription
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());

/*
 * The status a relationship reads as: a pending request older than 90 days
 * (at the statement's time) is expired even before anything has written
 * that down.  The 90 days are MP_REQUEST_LIFETIME_DAYS in src/multipartner.h.
 */
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1.status OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status
                AND $1.requested_at OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.relationship_status
           ELSE $1.status
           END
$$;

/*
 * Item 5, tenant squatting.  A partner's direct INSERT into customer with no
 * relationship claimed the tenant for good and left a customer only
 * operators see.  A customer a partner inserts must end its transaction with
 * a relationship with that partner (of any status), as create_customer()
 * leaves it; the check runs at commit (or at SET CONSTRAINTS ... IMMEDIATE),
 * so the relationship may follow the customer in the same transaction.  The
 * WHEN clause, evaluated when the row is inserted, queues nothing for an
 * operator's rows (imports, restores).  Refused with 23503, as a deferred
 * foreign key is.
 */
CREATE FUNCTION multipartner.creator_relationship_check()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_creator_relationship_check' LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.creator_relationship_check() FROM PUBLIC;
-- named to fire after tenant_registry (name order), whose claim it reads
CREATE CONSTRAINT TRIGGER tenant_registry_relationship
    AFTER INSERT ON multipartner.customer
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NOT multipartner.is_operator())
    EXECUTE FUNCTION multipartner.creator_relationship_check();
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER tenant_registry_relationship;
