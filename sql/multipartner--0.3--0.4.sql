/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

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
