/* sql/multipartner--0.8--0.9.sql: upgrade multipartner from 0.8 to 0.9 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.9'" to load this file. \quit

/*
 * 0.9 makes the schema distributable with Citus (SPEC §11, issue 15): keys
 * that include the distribution column, policies without subqueries, stamps
 * that the node judging the row fills in, and multipartner.distribute().
 * On a single node every rule, message and visible row stays as in 0.8.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.9'::pg_catalog.text$$;

/*
 * ---------------------------------------------------------------------------
 * Policies without sub-selects, stamps without coordinator-evaluated
 * defaults (CITUS_DESIGN §1.10 and §1.8, blockers 3 and 11)
 * ---------------------------------------------------------------------------
 *
 * Citus refuses any sub-select in a policy, on a reference table and a
 * distributed one alike.  The fourteen policies that wrapped a call in an
 * InitPlan compare the column with the call itself; the two sub-selects of
 * relationship are C functions of the lookup layer, which read it as the
 * sub-select did and give every role the same rows.
 */
CREATE FUNCTION multipartner.partner_sees_customer(uuid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mp_partner_sees_customer_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION multipartner.member_partners()
RETURNS uuid[]
AS 'MODULE_PATHNAME', 'mp_member_partners_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

REVOKE ALL ON FUNCTION multipartner.partner_sees_customer(uuid),
    multipartner.member_partners() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.partner_sees_customer(uuid),
    multipartner.member_partners()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

COMMENT ON FUNCTION multipartner.partner_sees_customer(uuid) IS
    'true when the acting partner has a relationship, of any status, with the customer (the policy partner_own of customer); false when the role acts for no partner';
COMMENT ON FUNCTION multipartner.member_partners() IS
    'the partners that have or had a relationship with a customer the current role is a member of (the policy customer_partners of partner), ''{}'' for none; read once per statement';

ALTER POLICY partner_own ON multipartner.partner
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.partner_member
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.relationship
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.subscription
    USING (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.customer
    USING (multipartner.partner_sees_customer(customer_id));
ALTER POLICY partner_own ON multipartner.audit_log
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner()
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);
ALTER POLICY customer_own ON multipartner.customer
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.customer_member
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.relationship
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.subscription
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_partners ON multipartner.partner
    USING (partner_id OPERATOR(pg_catalog.=) ANY (multipartner.member_partners()));
ALTER POLICY customer_own ON multipartner.audit_log
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers())
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);
ALTER POLICY partner_own ON multipartner.admin_relationship
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY customer_own ON multipartner.admin_relationship
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY partner_own ON multipartner.access_assignment
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY customer_own ON multipartner.access_assignment
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));

/*
 * On Citus a column default is evaluated on the coordinator and shipped as a
 * constant, which the shard's trigger then refuses as "not the time of the
 * sale".  The guard triggers write the statement's time over a NULL stamp
 * (the 0.9 library, for every writer, operators and restore mode included),
 * so these defaults go.  partner.created_at keeps its default: no trigger
 * stamps a partner, and on Citus (a reference table) the one value the
 * coordinator computes is what keeps every copy equal.
 */
ALTER TABLE multipartner.customer ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.relationship ALTER COLUMN requested_at DROP DEFAULT;
ALTER TABLE multipartner.subscription ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.admin_relationship ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.access_assignment ALTER COLUMN created_at DROP DEFAULT;
