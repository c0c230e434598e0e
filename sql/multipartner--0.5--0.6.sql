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
    'the counters behind the view multipartner.refusals (needs multipartner in shared_preload_libraries)';

CREATE VIEW multipartner.refusals WITH (security_invoker = true) AS
SELECT d.datname AS database, c.dbid, c.kind, c.name, c.sqlstate, c.partner_id,
       c.path, c.count, c.first_at, c.last_at
  FROM multipartner.refusal_counts() c
  LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) c.dbid;
COMMENT ON VIEW multipartner.refusals IS
    'refusals of the rules per database, rule, SQLSTATE and acting partner, and which path each lookup took, per database, since the server started or the last multipartner.refusals_reset() (needs multipartner in shared_preload_libraries)';
COMMENT ON COLUMN multipartner.refusals.database IS
    'the database counted in (NULL for the overflow rows, or a database dropped since)';
COMMENT ON COLUMN multipartner.refusals.dbid IS
    'the OID of that database (NULL for the overflow rows)';
COMMENT ON COLUMN multipartner.refusals.kind IS
    'refusal: a write or action a rule refused; lookup: a question a rule asked of the tables, answered on one path';
COMMENT ON COLUMN multipartner.refusals.name IS
    'for a refusal the rule: R2 to R13 of the rules, identity, suspended, lifecycle, recorded, audit or guard; for a lookup its name; overflow for what came when every counter was taken';
COMMENT ON COLUMN multipartner.refusals.sqlstate IS
    'the SQLSTATE of the refusal (NULL for lookups)';
COMMENT ON COLUMN multipartner.refusals.partner_id IS
    'the partner the refused role acted for (NULL when it acted for none, and for lookups)';
COMMENT ON COLUMN multipartner.refusals.path IS
    'for a lookup the path that answered: direct or spi (NULL for refusals)';
COMMENT ON COLUMN multipartner.refusals.count IS
    'how many times';
COMMENT ON COLUMN multipartner.refusals.first_at IS
    'when the first of them was counted';
COMMENT ON COLUMN multipartner.refusals.last_at IS
    'when the last of them was counted (for lookups: the end of the transaction that asked)';

CREATE FUNCTION multipartner.refusals_reset() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mp_refusals_reset';
COMMENT ON FUNCTION multipartner.refusals_reset() IS
    'remove every counter of multipartner.refusals, of every database (needs multipartner in shared_preload_libraries)';

-- operators only: the counts name partners and tell one partner of another's refusals
REVOKE ALL ON FUNCTION multipartner.refusal_counts(), multipartner.refusals_reset() FROM PUBLIC;
REVOKE ALL ON multipartner.refusals FROM PUBLIC;
GRANT SELECT ON multipartner.refusals TO multipartner_operator;
GRANT EXECUTE ON FUNCTION multipartner.refusal_counts(), multipartner.refusals_reset()
    TO multipartner_operator;
-- The data guard (guard.c): DROP EXTENSION multipartner (CASCADE or not),
-- DROP SCHEMA multipartner CASCADE and DROP OWNED BY the extension's or the
-- schema's owner
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

-------------------------------------------------------------------------------
-- Reference in the database: a comment on every object of the extension
-- (\dx+ multipartner, \d+ multipartner.subscription, \df+ multipartner.*,
-- \dy+), every column of its tables and views, every policy and trigger.
-- One sentence or two in PostgreSQL's catalog style: lower case, no final
-- period.  test/sql/comments.sql fails while any of them lacks one.  The
-- same section ends the install script and the upgrade step to 0.6.
-------------------------------------------------------------------------------

COMMENT ON SCHEMA multipartner IS
    'multi-partner Cloud Solution Provider rules (relationships, subscriptions, audit log) enforced by the C triggers of the multipartner extension';

-- Types

COMMENT ON TYPE multipartner.cloud IS
    'the Partner Center world a partner or customer belongs to: commercial, or us_government (Microsoft Cloud for US Government); the two never cross (R9)';
COMMENT ON TYPE multipartner.partner_role IS
    'a Partner Center role of a partner member (partner_member.role); R2, R3 and R4 say which of them request, terminate and sell';
COMMENT ON TYPE multipartner.customer_role IS
    'a role of a customer member (customer_member.role); only global_admin accepts, declines or revokes delegated admin (R3)';
COMMENT ON TYPE multipartner.partner_status IS
    'a partner''s status: active, or suspended (sells nothing and starts no relationship; its live subscriptions read as orphaned)';
COMMENT ON TYPE multipartner.relationship_status IS
    'a relationship''s status: pending goes to active, declined or expired (90 days), active to terminated; declined, expired and terminated are final';
COMMENT ON TYPE multipartner.subscription_status IS
    'a subscription''s status: active, suspended, cancelled or expired; cancelled and expired are final (R7)';

-- Tables

COMMENT ON TABLE multipartner.partner IS
    'a Cloud Solution Provider partner; written by operators, deleted only while nothing refers to it (R10)';
COMMENT ON COLUMN multipartner.partner.partner_id IS
    'the partner''s id; never changes (R12)';
COMMENT ON COLUMN multipartner.partner.name IS
    'display name, 1 to 256 characters';
COMMENT ON COLUMN multipartner.partner.cloud IS
    'the cloud the partner works in; never changes (R12), its customers are in the same one (R9)';
COMMENT ON COLUMN multipartner.partner.csp_tenant_id IS
    'the tenant the partner uses for CSP transactions; unique, never a customer (R8), never changes (R12)';
COMMENT ON COLUMN multipartner.partner.status IS
    'active or suspended; a suspended partner sells nothing and starts no relationship';
COMMENT ON COLUMN multipartner.partner.created_at IS
    'when the row was written (the statement''s time)';

COMMENT ON TABLE multipartner.customer IS
    'a customer tenant, created by a partner (create_customer(), R2, R9) or an operator; deleted only by an operator while nothing refers to it (R10)';
COMMENT ON COLUMN multipartner.customer.customer_id IS
    'the customer''s id; never changes (R12)';
COMMENT ON COLUMN multipartner.customer.tenant_id IS
    'the customer''s tenant; unique, never a partner''s CSP transaction tenant (R8), never changes (R12)';
COMMENT ON COLUMN multipartner.customer.name IS
    'display name, 1 to 256 characters';
COMMENT ON COLUMN multipartner.customer.cloud IS
    'the cloud the customer is in; never changes (R12), only partners of the same cloud work with it (R9)';
COMMENT ON COLUMN multipartner.customer.created_at IS
    'when the row was written (the statement''s time)';

COMMENT ON TABLE multipartner.partner_member IS
    'which PostgreSQL role acts for which partner, with which Partner Center roles (one row per role held); written by operators';
COMMENT ON COLUMN multipartner.partner_member.member IS
    'the role that acts for the partner (current_user); bound to the row, so DROP ROLE is refused while the row exists';
COMMENT ON COLUMN multipartner.partner_member.partner_id IS
    'the partner it acts for';
COMMENT ON COLUMN multipartner.partner_member.role IS
    'a Partner Center role it holds at that partner';

COMMENT ON TABLE multipartner.customer_member IS
    'which PostgreSQL role acts for which customer, with which customer roles (one row per role held); written by operators';
COMMENT ON COLUMN multipartner.customer_member.member IS
    'the role that acts for the customer (current_user); bound to the row, so DROP ROLE is refused while the row exists';
COMMENT ON COLUMN multipartner.customer_member.customer_id IS
    'the customer it acts for';
COMMENT ON COLUMN multipartner.customer_member.role IS
    'a customer role it holds at that customer';

COMMENT ON TABLE multipartner.relationship IS
    'a reseller relationship between a customer and a partner, from request to its end; at most one pending or active per pair, never deleted (R10)';
COMMENT ON COLUMN multipartner.relationship.relationship_id IS
    'the relationship''s id; never changes';
COMMENT ON COLUMN multipartner.relationship.customer_id IS
    'the customer; never changes';
COMMENT ON COLUMN multipartner.relationship.partner_id IS
    'the partner; never changes';
COMMENT ON COLUMN multipartner.relationship.status IS
    'pending, active, declined, expired or terminated; effective_status() says what a stale pending request reads as';
COMMENT ON COLUMN multipartner.relationship.delegated_admin IS
    'the partner holds delegated admin rights (DAP) on the customer''s tenant; revoke_delegated_admin() turns it off, the relationship stays active';
COMMENT ON COLUMN multipartner.relationship.requested_by IS
    'the role that requested it';
COMMENT ON COLUMN multipartner.relationship.requested_at IS
    'when it was requested; a pending request expires 90 days later';
COMMENT ON COLUMN multipartner.relationship.decided_by IS
    'the role that accepted or declined it, written by the trigger';
COMMENT ON COLUMN multipartner.relationship.decided_at IS
    'when it was accepted or declined, written by the trigger';
COMMENT ON COLUMN multipartner.relationship.ended_by IS
    'the role that terminated it or recorded its expiry, written by the trigger';
COMMENT ON COLUMN multipartner.relationship.ended_at IS
    'when it was terminated or recorded as expired, written by the trigger';

COMMENT ON TABLE multipartner.subscription IS
    'a subscription a partner of record sold to a customer (R4, R11); only its partner of record updates it (R5), never deleted (R10)';
COMMENT ON COLUMN multipartner.subscription.subscription_id IS
    'the subscription''s id; never changes';
COMMENT ON COLUMN multipartner.subscription.customer_id IS
    'the customer it was sold to; never changes (R6)';
COMMENT ON COLUMN multipartner.subscription.partner_of_record IS
    'the partner that sold it, the acting partner at the sale (R4); never changes (R6)';
COMMENT ON COLUMN multipartner.subscription.offer_id IS
    'the offer sold, 1 to 128 characters; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.product_family IS
    'the product family of the offer, 1 to 128 characters; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.quantity IS
    'licences, 1 to 1000000; may rise at any time, fall only within 168 hours of created_at (R7)';
COMMENT ON COLUMN multipartner.subscription.term IS
    'the term, an ISO 8601 duration: P1M, P1Y or P3Y; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.billing_cycle IS
    'monthly, annual or triennial, never longer than the term; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.commitment_end IS
    'the end of the term, derived from created_at and term by the trigger; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.auto_renew IS
    'whether the subscription renews at commitment_end';
COMMENT ON COLUMN multipartner.subscription.status IS
    'active, suspended, cancelled or expired; cancelling only within 168 hours of created_at, cancelled and expired are final (R7)';
COMMENT ON COLUMN multipartner.subscription.created_at IS
    'when it was sold (the statement''s time); anchors the 168-hour window and commitment_end, never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.created_by IS
    'the role that sold it';

COMMENT ON TABLE multipartner.audit_log IS
    'append-only record of every change to partner, customer, partner_member, customer_member, relationship and subscription, with the identity the rules judged; written by the audit trigger only (R10)';
COMMENT ON COLUMN multipartner.audit_log.event_id IS
    'the event''s number, increasing';
COMMENT ON COLUMN multipartner.audit_log.at IS
    'when the audit row was written (clock time)';
COMMENT ON COLUMN multipartner.audit_log.actor IS
    'the role the rules judged: current_user at the statement''s first row';
COMMENT ON COLUMN multipartner.audit_log.session_actor IS
    'the session''s login role (session_user) at the statement''s first row';
COMMENT ON COLUMN multipartner.audit_log.acting_partner IS
    'the partner the actor acted for, NULL if none';
COMMENT ON COLUMN multipartner.audit_log.operation IS
    'INSERT, UPDATE or DELETE';
COMMENT ON COLUMN multipartner.audit_log.table_name IS
    'the table of the changed row';
COMMENT ON COLUMN multipartner.audit_log.row_id IS
    'the primary key of the changed row, as text';
COMMENT ON COLUMN multipartner.audit_log.old_row IS
    'the row before the change (to_jsonb), NULL for an INSERT';
COMMENT ON COLUMN multipartner.audit_log.new_row IS
    'the row after the change (to_jsonb), NULL for a DELETE';
COMMENT ON COLUMN multipartner.audit_log.txid IS
    'the id of the transaction that made the change';
COMMENT ON COLUMN multipartner.audit_log.partner_id IS
    'the partner the changed row concerns, if any; partners see the audit rows about themselves';
COMMENT ON COLUMN multipartner.audit_log.customer_id IS
    'the customer the changed row concerns, if any; customers see the audit rows about themselves';
COMMENT ON SEQUENCE multipartner.audit_log_event_id_seq IS
    'the numbers of audit_log.event_id (an identity column); pg_dump keeps its position';

COMMENT ON TABLE multipartner.tenant IS
    'the tenant registry: every tenant id in use, by a customer or as a partner''s CSP transaction tenant, so that one unique key decides R8; maintained by the triggers';
COMMENT ON COLUMN multipartner.tenant.tenant_id IS
    'the tenant id claimed';
COMMENT ON COLUMN multipartner.tenant.kind IS
    'customer, or partner_csp for a partner''s CSP transaction tenant';
COMMENT ON COLUMN multipartner.tenant.owner_id IS
    'the customer_id or partner_id that claims it';
COMMENT ON COLUMN multipartner.tenant.created_by_partner IS
    'the partner that created the customer, NULL if an operator did; it must have a relationship with it by commit';

COMMENT ON TABLE multipartner.restore_held IS
    'rows a restore loaded before their partner or customer, put back when it is loaded; empty after a complete restore';
COMMENT ON COLUMN multipartner.restore_held.table_name IS
    'the table the held row belongs to';
COMMENT ON COLUMN multipartner.restore_held.row_image IS
    'the held row as text';

-- Views

COMMENT ON VIEW multipartner.customer_partners IS
    'each customer with each of its active partners, as far as the reader sees them';
COMMENT ON COLUMN multipartner.customer_partners.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.customer_partners.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.customer_partners.tenant_id IS 'the customer''s tenant';
COMMENT ON COLUMN multipartner.customer_partners.cloud IS 'the customer''s cloud';
COMMENT ON COLUMN multipartner.customer_partners.partner_id IS 'an active partner of the customer';
COMMENT ON COLUMN multipartner.customer_partners.partner_name IS 'the partner''s name';
COMMENT ON COLUMN multipartner.customer_partners.partner_status IS 'the partner''s status';
COMMENT ON COLUMN multipartner.customer_partners.relationship_id IS 'their active relationship';
COMMENT ON COLUMN multipartner.customer_partners.delegated_admin IS 'whether the partner holds delegated admin rights';
COMMENT ON COLUMN multipartner.customer_partners.active_since IS 'when the relationship was accepted (decided_at)';
COMMENT ON COLUMN multipartner.customer_partners.live_subscriptions IS 'the active or suspended subscriptions the partner sold the customer';
COMMENT ON COLUMN multipartner.customer_partners.active_partners IS 'how many active partners the customer has';

COMMENT ON VIEW multipartner.partner_customers IS
    'each partner with each of its active customers, as far as the reader sees them';
COMMENT ON COLUMN multipartner.partner_customers.partner_id IS 'the partner';
COMMENT ON COLUMN multipartner.partner_customers.partner_name IS 'the partner''s name';
COMMENT ON COLUMN multipartner.partner_customers.cloud IS 'the partner''s cloud';
COMMENT ON COLUMN multipartner.partner_customers.customer_id IS 'an active customer of the partner';
COMMENT ON COLUMN multipartner.partner_customers.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.partner_customers.tenant_id IS 'the customer''s tenant';
COMMENT ON COLUMN multipartner.partner_customers.relationship_id IS 'their active relationship';
COMMENT ON COLUMN multipartner.partner_customers.delegated_admin IS 'whether the partner holds delegated admin rights';
COMMENT ON COLUMN multipartner.partner_customers.active_since IS 'when the relationship was accepted (decided_at)';
COMMENT ON COLUMN multipartner.partner_customers.live_subscriptions IS 'the active or suspended subscriptions the partner sold the customer';

COMMENT ON VIEW multipartner.multi_partner_customers IS
    'customers with more than one active partner (R1), as far as the reader sees them';
COMMENT ON COLUMN multipartner.multi_partner_customers.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.multi_partner_customers.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.multi_partner_customers.tenant_id IS 'the customer''s tenant';
COMMENT ON COLUMN multipartner.multi_partner_customers.cloud IS 'the customer''s cloud';
COMMENT ON COLUMN multipartner.multi_partner_customers.active_partners IS 'how many active partners it has';
COMMENT ON COLUMN multipartner.multi_partner_customers.partner_names IS 'their names, sorted';
COMMENT ON COLUMN multipartner.multi_partner_customers.any_delegated_admin IS 'whether any of them holds delegated admin rights';

COMMENT ON VIEW multipartner.subscriptions_by_partner IS
    'every subscription with its partner of record and customer, as far as the reader sees them';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.partner_id IS 'the partner of record';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.partner_name IS 'the partner''s name';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.subscription_id IS 'the subscription';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.offer_id IS 'the offer sold';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.product_family IS 'the offer''s product family';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.quantity IS 'licences';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.term IS 'the term: P1M, P1Y or P3Y';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.billing_cycle IS 'monthly, annual or triennial';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.status IS 'active, suspended, cancelled or expired';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.auto_renew IS 'whether it renews at commitment_end';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.created_at IS 'when it was sold';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.commitment_end IS 'the end of the term';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.created_by IS 'the role that sold it';

COMMENT ON VIEW multipartner.orphaned_subscriptions IS
    'active or suspended subscriptions whose partner of record is suspended or no longer has an active relationship with delegated admin on the tenant';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.partner_id IS 'the partner of record';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.partner_name IS 'the partner''s name';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.subscription_id IS 'the subscription';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.offer_id IS 'the offer sold';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.quantity IS 'licences';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.status IS 'active or suspended';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.reason IS
    'partner suspended, no active relationship, or delegated admin revoked';

COMMENT ON VIEW multipartner.relationship_history IS
    'the life of each relationship, one row per change, from the audit log';
COMMENT ON COLUMN multipartner.relationship_history.customer_id IS 'the relationship''s customer';
COMMENT ON COLUMN multipartner.relationship_history.partner_id IS 'the relationship''s partner';
COMMENT ON COLUMN multipartner.relationship_history.relationship_id IS 'the relationship';
COMMENT ON COLUMN multipartner.relationship_history.event_id IS 'the audit event''s number';
COMMENT ON COLUMN multipartner.relationship_history.at IS 'when the change was recorded';
COMMENT ON COLUMN multipartner.relationship_history.operation IS 'INSERT or UPDATE';
COMMENT ON COLUMN multipartner.relationship_history.old_status IS 'the status before, NULL for an INSERT';
COMMENT ON COLUMN multipartner.relationship_history.new_status IS 'the status after';
COMMENT ON COLUMN multipartner.relationship_history.old_delegated_admin IS 'delegated_admin before, NULL for an INSERT';
COMMENT ON COLUMN multipartner.relationship_history.new_delegated_admin IS 'delegated_admin after';
COMMENT ON COLUMN multipartner.relationship_history.actor IS 'the role the rules judged';
COMMENT ON COLUMN multipartner.relationship_history.session_actor IS 'the session''s login role';
COMMENT ON COLUMN multipartner.relationship_history.acting_partner IS 'the partner the actor acted for, NULL if none';
COMMENT ON COLUMN multipartner.relationship_history.txid IS 'the id of the transaction that made the change';

-- Functions: identity and versions

COMMENT ON FUNCTION multipartner.acting_partner() IS
    'the partner the current role acts for: from partner_member, narrowed by multipartner.acting_partner; NULL when the role is no partner member';
COMMENT ON FUNCTION multipartner.member_customers() IS
    'the customers the current role is a member of (its customer_member rows, while the role is bound to them), ''{}'' for none; kept by the backend across transactions until the current role, a membership table or a binding changes, or a transaction aborts';
COMMENT ON FUNCTION multipartner.is_operator() IS
    'true when the current role is a superuser or has the privileges of multipartner_operator';
COMMENT ON FUNCTION multipartner.schema_version() IS
    'the version of the extension''s objects in this database; the library writes only when it equals library_version()';
COMMENT ON FUNCTION multipartner.library_version() IS
    'the version of the multipartner library this session runs';

-- Functions: the SQL API (SECURITY INVOKER; the triggers decide)

COMMENT ON FUNCTION multipartner.create_customer(uuid, text, multipartner.cloud) IS
    'create a customer; the acting partner gets an active relationship with delegated admin at once (R2, R8, R9)';
COMMENT ON FUNCTION multipartner.request_relationship(uuid, boolean) IS
    'the acting partner asks a customer for a relationship; pending until accepted, declined or 90 days old (R2)';
COMMENT ON FUNCTION multipartner.accept_relationship(uuid) IS
    'the customer''s global admin accepts a pending request, which becomes active (R3); accepting an active one again changes nothing';
COMMENT ON FUNCTION multipartner.decline_relationship(uuid) IS
    'the customer''s global admin declines a pending request (R3); declined is final';
COMMENT ON FUNCTION multipartner.revoke_delegated_admin(uuid) IS
    'the customer''s or the partner''s global admin removes delegated admin rights (R3); the relationship stays active and the partner can still sell';
COMMENT ON FUNCTION multipartner.terminate_relationship(uuid) IS
    'the partner''s global admin or an operator ends an active relationship (R3), only once it has no active or suspended subscription (R13)';
COMMENT ON FUNCTION multipartner.create_subscription(uuid, text, text, integer, text, text) IS
    'the acting partner sells a subscription to a customer it has an active relationship with, and becomes its partner of record (R4, R11)';
COMMENT ON FUNCTION multipartner.check(text, uuid, uuid, uuid, uuid, integer, text, boolean, uuid, text, text) IS
    'dry run: may the acting role do this action, and if not, which rule, SQLSTATE and message stop it';
COMMENT ON FUNCTION multipartner.expire_relationships() IS
    'mark every pending request older than 90 days as expired; returns how many';
COMMENT ON FUNCTION multipartner.effective_status(multipartner.relationship) IS
    'the status a relationship reads as: a pending request older than 90 days is expired even before expire_relationships() records it';

-- Functions: operations

COMMENT ON FUNCTION multipartner.lookup_counts() IS
    'per backend: how many times each rule lookup and the audit insert took the direct path and the SPI path';
COMMENT ON FUNCTION multipartner.enable_always_triggers() IS
    'superusers: make every trigger of the extension''s tables (foreign keys'' included) ENABLE ALWAYS again, as after pg_upgrade; returns how many changed';
COMMENT ON FUNCTION multipartner.bind_member_roles(integer) IS
    'superusers: bind the roles of member rows loaded with the triggers off to their member type, at most max_roles of them (NULL: all); returns how many it bound, 0 when none is left';

-- Functions: triggers and event triggers (C)

COMMENT ON FUNCTION multipartner.partner_guard() IS
    'trigger on partner: its id, CSP transaction tenant and cloud never change (R12); only an operator deletes it, while nothing refers to it (R10)';
COMMENT ON FUNCTION multipartner.customer_guard() IS
    'trigger on customer: a partner creates customers in its own cloud (R2, R9); id, tenant and cloud never change (R12); only an operator deletes one, while nothing refers to it (R10)';
COMMENT ON FUNCTION multipartner.relationship_guard() IS
    'trigger on relationship: who requests, decides and terminates (R2, R3), same cloud (R9), the state machine, no live subscription at termination (R13), never deleted (R10)';
COMMENT ON FUNCTION multipartner.subscription_guard() IS
    'trigger on subscription: sales need an active relationship (R4, R11), only the partner of record updates (R5), parties and terms never change (R6, R7), never deleted (R10)';
COMMENT ON FUNCTION multipartner.member_changed() IS
    'trigger on the member tables: binds a member row''s role, waits for the writes made under the old membership, and drops the identity answers backends keep';
COMMENT ON FUNCTION multipartner.audit() IS
    'trigger: writes the audit_log row of each inserted, updated or deleted row, with the identity the statement''s rules judged';
COMMENT ON FUNCTION multipartner.audit_identity() IS
    'trigger: takes the identity the rules judge at a statement''s first row, for its audit rows, and refuses a later row written as another identity (42501)';
COMMENT ON FUNCTION multipartner.audit_log_guard() IS
    'trigger on audit_log: append-only (R10); only the audit trigger and a restore insert';
COMMENT ON FUNCTION multipartner.tenant_registry() IS
    'trigger on partner and customer: claims the row''s tenant in the tenant registry, and releases it on delete, so a CSP transaction tenant is never a customer (R8)';
COMMENT ON FUNCTION multipartner.forbid_truncate() IS
    'trigger: TRUNCATE is refused on every table of the extension, for everyone (R10)';
COMMENT ON FUNCTION multipartner.creator_relationship_check() IS
    'constraint trigger on customer: a customer a partner inserts has a relationship with that partner by commit (23503)';
COMMENT ON FUNCTION multipartner.restore_hold() IS
    'trigger: in restore mode, holds a member row whose partner or customer is not loaded yet in restore_held';
COMMENT ON FUNCTION multipartner.restore_release() IS
    'trigger: in restore mode, puts back the held rows once the rows of their partner or customer are loaded';
COMMENT ON FUNCTION multipartner.ddl_guard() IS
    'event trigger: refuses a non-superuser''s change of the extension''s triggers, policies, row security, grants and tables';
COMMENT ON FUNCTION multipartner.data_guard() IS
    'event trigger: refuses DROP EXTENSION multipartner, DROP SCHEMA multipartner CASCADE and DROP OWNED BY its owner or the schema''s while its tables hold rows, unless multipartner.allow_drop_with_data is on';

-- Triggers

COMMENT ON TRIGGER partner_guard ON multipartner.partner IS
    'R10, R12: identity never changes; deleted only by an operator, while nothing refers to it';
COMMENT ON TRIGGER customer_guard ON multipartner.customer IS
    'R2, R9, R10, R12: who creates customers, in which cloud; identity never changes; deleted only by an operator, while nothing refers to it';
COMMENT ON TRIGGER tenant_registry ON multipartner.partner IS
    'R8: claims the partner''s CSP transaction tenant in the tenant registry';
COMMENT ON TRIGGER tenant_registry ON multipartner.customer IS
    'R8: claims the customer''s tenant in the tenant registry';
COMMENT ON TRIGGER tenant_registry_relationship ON multipartner.customer IS
    'a customer a partner inserts has a relationship with that partner by commit (deferred; not for operators)';
COMMENT ON TRIGGER relationship_guard ON multipartner.relationship IS
    'R2, R3, R9, R10, R13 and the relationship state machine';
COMMENT ON TRIGGER subscription_guard ON multipartner.subscription IS
    'R4, R5, R6, R7, R10, R11';
COMMENT ON TRIGGER audit_log_guard ON multipartner.audit_log IS
    'R10: the audit log is append-only';
COMMENT ON TRIGGER partner_member_changed ON multipartner.partner_member IS
    'binds the member''s role and makes every backend read the membership again';
COMMENT ON TRIGGER customer_member_changed ON multipartner.customer_member IS
    'binds the member''s role and makes every backend read the membership again';
COMMENT ON TRIGGER partner_forbid_truncate ON multipartner.partner IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER customer_forbid_truncate ON multipartner.customer IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER partner_member_forbid_truncate ON multipartner.partner_member IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER customer_member_forbid_truncate ON multipartner.customer_member IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER relationship_forbid_truncate ON multipartner.relationship IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER subscription_forbid_truncate ON multipartner.subscription IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER audit_log_forbid_truncate ON multipartner.audit_log IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER tenant_forbid_truncate ON multipartner.tenant IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER restore_held_forbid_truncate ON multipartner.restore_held IS 'R10: TRUNCATE is refused';
COMMENT ON TRIGGER audit_identity ON multipartner.partner IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit_identity ON multipartner.customer IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit_identity ON multipartner.partner_member IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit_identity ON multipartner.customer_member IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit_identity ON multipartner.relationship IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit_identity ON multipartner.subscription IS 'takes the identity of the statement for its audit rows';
COMMENT ON TRIGGER audit ON multipartner.partner IS 'writes the audit row of each change';
COMMENT ON TRIGGER audit ON multipartner.customer IS 'writes the audit row of each change';
COMMENT ON TRIGGER audit ON multipartner.partner_member IS 'writes the audit row of each change';
COMMENT ON TRIGGER audit ON multipartner.customer_member IS 'writes the audit row of each change';
COMMENT ON TRIGGER audit ON multipartner.relationship IS 'writes the audit row of each change';
COMMENT ON TRIGGER audit ON multipartner.subscription IS 'writes the audit row of each change';
COMMENT ON TRIGGER restore_hold ON multipartner.partner_member IS 'restore mode: holds a row whose partner is not loaded yet';
COMMENT ON TRIGGER restore_hold ON multipartner.customer_member IS 'restore mode: holds a row whose customer is not loaded yet';
COMMENT ON TRIGGER restore_release ON multipartner.partner IS 'restore mode: puts back the rows held for the partners loaded';
COMMENT ON TRIGGER restore_release ON multipartner.customer IS 'restore mode: puts back the rows held for the customers loaded';

-- Row security policies (SPEC section 7)

COMMENT ON POLICY operator_all ON multipartner.partner IS 'operators read and write every row';
COMMENT ON POLICY operator_all ON multipartner.customer IS 'operators read and write every row';
COMMENT ON POLICY operator_all ON multipartner.partner_member IS 'operators read and write every row';
COMMENT ON POLICY operator_all ON multipartner.customer_member IS 'operators read and write every row';
COMMENT ON POLICY operator_all ON multipartner.relationship IS 'operators read and write every row (the triggers still refuse what R10 forbids)';
COMMENT ON POLICY operator_all ON multipartner.subscription IS 'operators read and write every row (the triggers still refuse what R10 forbids)';
COMMENT ON POLICY operator_all ON multipartner.audit_log IS 'operators read every row (the trigger refuses any change)';
COMMENT ON POLICY operator_all ON multipartner.tenant IS 'operators read every row';
COMMENT ON POLICY partner_own ON multipartner.partner IS 'a partner application sees its acting partner';
COMMENT ON POLICY partner_own ON multipartner.partner_member IS 'a partner application sees its acting partner''s members';
COMMENT ON POLICY partner_own ON multipartner.relationship IS 'a partner application sees and writes its acting partner''s relationships';
COMMENT ON POLICY partner_own ON multipartner.subscription IS 'a partner application sees and writes the subscriptions its acting partner is partner of record of';
COMMENT ON POLICY partner_own ON multipartner.customer IS 'a partner application sees the customers its acting partner has a relationship with';
COMMENT ON POLICY partner_create ON multipartner.customer IS 'a partner application inserts customers (the triggers decide whether it may)';
COMMENT ON POLICY partner_own ON multipartner.audit_log IS 'a partner application sees the audit rows about its acting partner and those of its own changes';
COMMENT ON POLICY customer_own ON multipartner.customer IS 'a customer application sees its own customers';
COMMENT ON POLICY customer_own ON multipartner.customer_member IS 'a customer application sees its own customers'' members';
COMMENT ON POLICY customer_own ON multipartner.relationship IS 'a customer application sees and writes its own customers'' relationships';
COMMENT ON POLICY customer_own ON multipartner.subscription IS 'a customer application sees its own customers'' subscriptions; the trigger refuses its writes (R5)';
COMMENT ON POLICY customer_partners ON multipartner.partner IS 'a customer application sees the partners its customers have or had a relationship with';
COMMENT ON POLICY customer_own ON multipartner.audit_log IS 'a customer application sees the audit rows about its own customers and those of its own changes';

-- Event triggers

COMMENT ON EVENT TRIGGER multipartner_ddl_guard IS
    'DDL guard: after a command, refuses a non-superuser''s change of the extension''s objects and checks that every table keeps its triggers ENABLE ALWAYS and row security forced';
COMMENT ON EVENT TRIGGER multipartner_drop_guard IS
    'DDL guard: refuses a non-superuser''s drop of the extension''s triggers, policies and other objects';
COMMENT ON EVENT TRIGGER multipartner_data_guard IS
    'data guard: refuses DROP EXTENSION multipartner, DROP SCHEMA multipartner CASCADE and DROP OWNED BY its owner or the schema''s while its tables hold rows, unless multipartner.allow_drop_with_data is on (2BP01)';
