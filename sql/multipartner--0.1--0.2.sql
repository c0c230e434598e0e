/* sql/multipartner--0.1--0.2.sql: upgrade multipartner from 0.1 to 0.2 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2 adds, in C only (no SQL change needed):
 *   - restore mode: the triggers step aside for a pg_dump/pg_restore session
 *     (a superuser with row_security = off, check_function_bodies = off and
 *     an empty search_path), so a restore neither re-runs the rules on
 *     history nor writes the audit log twice;
 *   - a sale or request holds the acting role's membership FOR KEY SHARE, so
 *     a member removed concurrently cannot sell after its removal;
 * and in SQL the DDL guard below.
 */

/*
 * The DDL guard: a non-superuser that came to own one of the extension's
 * objects still cannot disable or drop its triggers, drop or alter its
 * policies, or turn row security off.
 */
CREATE FUNCTION multipartner.ddl_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mp_ddl_guard'
LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.ddl_guard() FROM PUBLIC;

CREATE EVENT TRIGGER multipartner_ddl_guard ON ddl_command_end
    EXECUTE FUNCTION multipartner.ddl_guard();
CREATE EVENT TRIGGER multipartner_drop_guard ON sql_drop
    EXECUTE FUNCTION multipartner.ddl_guard();
-- fire also under session_replication_role = replica
ALTER EVENT TRIGGER multipartner_ddl_guard ENABLE ALWAYS;
ALTER EVENT TRIGGER multipartner_drop_guard ENABLE ALWAYS;

/*
 * Foreign keys in force under session_replication_role = replica too: their
 * internal triggers become ENABLE ALWAYS like ours (a role granted SET on
 * that parameter must not be able to skip them).  Internal triggers can only
 * be altered by a superuser, which the install and upgrade scripts run as.
 */
DO $fk_always$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
          FROM pg_catalog.pg_trigger tg
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END LOOP;
END
$fk_always$;

/*
 * A partner's customers, and a customer's partners, as a correlated EXISTS
 * on the relationship's (customer_id, partner_id) index instead of an
 * uncorrelated IN: the IN built a hash of all of a partner's relationships
 * for every statement (measured 7.8x the cost of an unfiltered one-customer
 * read for a partner with 12,500 customers), the EXISTS probes the index
 * once per row read, so a one-customer read costs one probe.
 */
ALTER POLICY partner_own ON multipartner.customer
    USING (EXISTS (SELECT FROM multipartner.relationship r
                    WHERE r.customer_id OPERATOR(pg_catalog.=) customer.customer_id
                      AND r.partner_id OPERATOR(pg_catalog.=)
                          (SELECT multipartner.acting_partner())));
ALTER POLICY customer_partners ON multipartner.partner
    USING (EXISTS (SELECT FROM multipartner.relationship r
                    WHERE r.partner_id OPERATOR(pg_catalog.=) partner.partner_id
                      AND r.customer_id OPERATOR(pg_catalog.=)
                          ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()),
                                                    '{}'::uuid[]))));
