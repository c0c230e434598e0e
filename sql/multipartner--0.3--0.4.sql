/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

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
