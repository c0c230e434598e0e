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

-------------------------------------------------------------------------------
-- audit_log.audit_key (issue 15, CITUS_DESIGN §1.7): the key the audit log is
-- distributed by on Citus, co-located with customer.  The old rows get it by
-- a rewrite of the table (ALTER COLUMN ... TYPE ... USING), which fires no
-- trigger: an UPDATE is refused by the append-only guard.  The rule is the
-- audit trigger's (src/audit.c): customer_id for the rows of the tables that
-- have one, partner_id for partner and partner_member, role_id (the row id)
-- for admin_role.  audit_log_pkey stays (event_id); distribute() makes the
-- composite key.
-------------------------------------------------------------------------------
ALTER TABLE multipartner.audit_log ADD COLUMN audit_key uuid;
ALTER TABLE multipartner.audit_log
    ALTER COLUMN audit_key TYPE uuid USING
        CASE table_name
        WHEN 'partner' THEN partner_id
        WHEN 'partner_member' THEN partner_id
        WHEN 'admin_role' THEN (row_id)::uuid
        ELSE customer_id
        END,
    ALTER COLUMN audit_key SET NOT NULL;
COMMENT ON COLUMN multipartner.audit_log.audit_key IS
    'the key the row is kept by (distributed by, on Citus): customer_id for the rows of customer-keyed tables, partner_id for partner and partner_member rows, role_id for admin_role rows';

-- The life of each relationship, from the audit log.  customer_id is the
-- audit row's audit_key (so on Citus a filter by customer is one shard);
-- for a relationship row it always equals the row's customer_id, and
-- saying so lets a single node reach audit_log_customer_idx by it.
CREATE OR REPLACE VIEW multipartner.relationship_history WITH (security_invoker = true) AS
SELECT a.audit_key AS customer_id,
       a.partner_id,
       (a.row_id)::uuid AS relationship_id,
       a.event_id,
       a.at,
       a.operation,
       (a.old_row OPERATOR(pg_catalog.->>) 'status') AS old_status,
       (a.new_row OPERATOR(pg_catalog.->>) 'status') AS new_status,
       (a.old_row OPERATOR(pg_catalog.->>) 'delegated_admin')::boolean AS old_delegated_admin,
       (a.new_row OPERATOR(pg_catalog.->>) 'delegated_admin')::boolean AS new_delegated_admin,
       a.actor,
       a.session_actor,
       a.acting_partner,
       a.txid
  FROM multipartner.audit_log a
 WHERE a.table_name OPERATOR(pg_catalog.=) 'relationship'
   AND a.customer_id OPERATOR(pg_catalog.=) a.audit_key;
