/* sql/multipartner--0.9.sql: install script of multipartner 0.9 */

\echo Use "CREATE EXTENSION multipartner" to load this file. \quit

/*
 * A fresh install of the current version, maintained by hand: each object is
 * created once, in its final form, grouped by kind.  A database that reaches
 * 0.9 by upgrades (sql/multipartner--0.1.sql, then each step
 * sql/multipartner--X.Y--X.Z.sql) must end with exactly the catalog this
 * script makes; test/sql/upgrade.sql compares the two fact by fact
 * (test/catalog.psql), so a change here goes with the same change in the
 * step of the version that brings it.
 */

/*
 * Every name is schema-qualified and every function pins its search_path:
 * nothing here depends on the search_path of the role that installs or
 * calls it.  The rules themselves live in the C trigger functions of
 * multipartner.so; the SQL API only writes rows and lets those triggers
 * decide.
 */

-- The schema is created by CREATE EXTENSION (control file: schema =
-- multipartner).  Refuse to install into a schema that already holds
-- something or belongs to somebody else: an attacker could have prepared it.
DO $guard$
DECLARE
    nsp_owner pg_catalog.oid;
BEGIN
    SELECT n.nspowner INTO nsp_owner
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname OPERATOR(pg_catalog.=) 'multipartner';
    IF nsp_owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r
                                          WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RAISE EXCEPTION 'schema "multipartner" is not owned by the installing role'
            USING ERRCODE = '42501',
                  HINT = 'Drop the schema or install the extension as its owner.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c
                WHERE c.relnamespace OPERATOR(pg_catalog.=)
                      (SELECT n.oid FROM pg_catalog.pg_namespace n
                        WHERE n.nspname OPERATOR(pg_catalog.=) 'multipartner')) THEN
        RAISE EXCEPTION 'schema "multipartner" already contains objects'
            USING ERRCODE = '55000',
                  HINT = 'Install the extension into an empty schema.';
    END IF;
END
$guard$;

-- Only the extension owner may create objects in the schema.
REVOKE ALL ON SCHEMA multipartner FROM PUBLIC;

/*
 * Roles are cluster-wide: create them only if another database of the
 * cluster has not done so already.  They are not members of the extension
 * and pg_dump does not dump them (pg_dumpall --globals-only does).
 */
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['multipartner_operator',
                             'multipartner_partner_app',
                             'multipartner_customer_app']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                        WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;

GRANT USAGE ON SCHEMA multipartner
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------

CREATE TYPE multipartner.cloud AS ENUM ('commercial', 'us_government');

CREATE TYPE multipartner.partner_role AS ENUM (
    'global_admin', 'user_management_admin', 'admin_agent',
    'sales_agent', 'helpdesk_agent', 'billing_admin');

CREATE TYPE multipartner.customer_role AS ENUM (
    'global_admin', 'billing_admin', 'reader');

CREATE TYPE multipartner.partner_status AS ENUM ('active', 'suspended');

CREATE TYPE multipartner.relationship_status AS ENUM (
    'pending', 'active', 'declined', 'expired', 'terminated');

CREATE TYPE multipartner.subscription_status AS ENUM (
    'active', 'suspended', 'cancelled', 'expired');

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

/*
 * The clock.  Every time rule (the 168-hour cancellation window, the 90-day
 * request lifetime, "expired only after commitment_end") and every record
 * stamp (created_at, requested_at, decided_at, ended_at) is judged at the
 * start of the statement, not of its transaction, so a transaction held open
 * for days neither stretches a window nor backdates a sale.  Inside a
 * procedure that has committed, the transaction started after the CALL did:
 * then its start is the later, and the one taken.  The C side is
 * mp_statement_time() (util.c); the created_at and requested_at defaults
 * below are what the triggers compare a given value with, so they must say
 * the same.
 */

CREATE TABLE multipartner.partner (
    partner_id      uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    name            text NOT NULL,
    cloud           multipartner.cloud NOT NULL,
    csp_tenant_id   uuid NOT NULL,
    status          multipartner.partner_status NOT NULL DEFAULT 'active',
    -- a default, unlike the other stamps: no trigger stamps a partner, and on
    -- Citus (a reference table) one value computed once keeps every copy equal
    created_at      timestamptz NOT NULL
                    DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()),
    CONSTRAINT partner_pkey PRIMARY KEY (partner_id),
    CONSTRAINT partner_csp_tenant_id_key UNIQUE (csp_tenant_id),
    CONSTRAINT partner_name_check
        CHECK (pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 256)
);

CREATE TABLE multipartner.customer (
    customer_id     uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    tenant_id       uuid NOT NULL,
    name            text NOT NULL,
    cloud           multipartner.cloud NOT NULL,
    -- no default (0.9): the guard trigger writes the statement's time over a NULL
    -- on the node that judges the row (on Citus a default is the coordinator's)
    created_at      timestamptz NOT NULL,
    CONSTRAINT customer_pkey PRIMARY KEY (customer_id),
    CONSTRAINT customer_tenant_id_key UNIQUE (tenant_id),
    CONSTRAINT customer_name_check
        CHECK (pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 256)
);

/*
 * Which PostgreSQL roles act for which partner, and with which Partner
 * Center roles.  A role may hold several roles in one partner.
 *
 * A member row acts only for the role it was made for.  member is a regrole
 * (an OID) and PostgreSQL records no dependency for it, so DROP ROLE would
 * leave the row behind and a later role with that OID, or a role of a
 * cluster restored from a dump (which writes a dropped role as a bare
 * number), would act for the partner.  The member trigger grants a member
 * row's role USAGE on multipartner.partner_role (customer_role for customer
 * members), a privilege nobody needs but PostgreSQL tracks: DROP ROLE is
 * refused while the role holds it, removing its last member row revokes it,
 * pg_dump writes it by role name, pg_upgrade keeps it, and a member row
 * counts only while its role holds it (identity.c, role_is_bound).  These
 * grants are data, not the extension's initial privileges, so pg_dump writes
 * them.
 */
CREATE TABLE multipartner.partner_member (
    member          regrole NOT NULL,
    partner_id      uuid NOT NULL,
    role            multipartner.partner_role NOT NULL,
    CONSTRAINT partner_member_pkey PRIMARY KEY (member, partner_id, role),
    CONSTRAINT partner_member_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES multipartner.partner (partner_id)
);
CREATE INDEX partner_member_partner_id_idx
    ON multipartner.partner_member (partner_id);

CREATE TABLE multipartner.customer_member (
    member          regrole NOT NULL,
    customer_id     uuid NOT NULL,
    role            multipartner.customer_role NOT NULL,
    CONSTRAINT customer_member_pkey PRIMARY KEY (member, customer_id, role),
    CONSTRAINT customer_member_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES multipartner.customer (customer_id)
);
CREATE INDEX customer_member_customer_id_idx
    ON multipartner.customer_member (customer_id);

CREATE TABLE multipartner.relationship (
    relationship_id uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    customer_id     uuid NOT NULL,
    partner_id      uuid NOT NULL,
    status          multipartner.relationship_status NOT NULL DEFAULT 'pending',
    delegated_admin boolean NOT NULL DEFAULT true,
    requested_by    name NOT NULL DEFAULT CURRENT_USER,
    -- no default (0.9): the guard trigger writes the statement's time over a NULL
    -- on the node that judges the row (on Citus a default is the coordinator's)
    requested_at    timestamptz NOT NULL,
    decided_by      name,
    decided_at      timestamptz,
    ended_by        name,
    ended_at        timestamptz,
    CONSTRAINT relationship_pkey PRIMARY KEY (relationship_id),
    CONSTRAINT relationship_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES multipartner.customer (customer_id),
    CONSTRAINT relationship_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES multipartner.partner (partner_id)
);
-- At most one pending or active relationship per (customer, partner); the
-- index also serves every lookup of the rules, which are keyed by customer.
CREATE UNIQUE INDEX relationship_open_key
    ON multipartner.relationship (customer_id, partner_id)
    WHERE status OPERATOR(pg_catalog.=) ANY
          (ARRAY['pending', 'active']::multipartner.relationship_status[]);
CREATE INDEX relationship_customer_partner_idx
    ON multipartner.relationship (customer_id, partner_id);
CREATE INDEX relationship_partner_id_idx
    ON multipartner.relationship (partner_id);

/*
 * A subscription is sold by its partner of record to a customer.  term and
 * billing_cycle are ISO 8601 durations and Partner Center's billing cycles;
 * commitment_end is derived from created_at and term by the trigger.
 */
CREATE TABLE multipartner.subscription (
    subscription_id   uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    customer_id       uuid NOT NULL,
    partner_of_record uuid NOT NULL,
    offer_id          text NOT NULL,
    product_family    text NOT NULL,
    quantity          integer NOT NULL,
    term              text NOT NULL,
    billing_cycle     text NOT NULL,
    commitment_end    timestamptz NOT NULL,
    auto_renew        boolean NOT NULL DEFAULT true,
    status            multipartner.subscription_status NOT NULL DEFAULT 'active',
    -- no default (0.9): the guard trigger writes the statement's time over a NULL
    -- on the node that judges the row (on Citus a default is the coordinator's)
    created_at        timestamptz NOT NULL,
    created_by        name NOT NULL DEFAULT CURRENT_USER,
    -- the start of the current term (SPEC §10): created_at at first, moved
    -- by a renewal only; set by the trigger
    term_start        timestamptz NOT NULL,
    CONSTRAINT subscription_pkey PRIMARY KEY (subscription_id),
    CONSTRAINT subscription_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES multipartner.customer (customer_id),
    CONSTRAINT subscription_partner_of_record_fkey FOREIGN KEY (partner_of_record)
        REFERENCES multipartner.partner (partner_id),
    CONSTRAINT subscription_offer_id_check
        CHECK (pg_catalog.char_length(offer_id) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(offer_id) OPERATOR(pg_catalog.<=) 128),
    CONSTRAINT subscription_product_family_check
        CHECK (pg_catalog.char_length(product_family) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(product_family) OPERATOR(pg_catalog.<=) 128),
    CONSTRAINT subscription_quantity_check
        CHECK (quantity OPERATOR(pg_catalog.>=) 1
               AND quantity OPERATOR(pg_catalog.<=) 1000000),
    CONSTRAINT subscription_term_check
        CHECK (term OPERATOR(pg_catalog.=) ANY (ARRAY['P1M', 'P1Y', 'P3Y'])),
    CONSTRAINT subscription_billing_cycle_check
        CHECK (billing_cycle OPERATOR(pg_catalog.=) ANY (ARRAY['monthly', 'annual', 'triennial'])),
    -- a billing cycle never outlasts the term
    CONSTRAINT subscription_term_billing_cycle_check
        CHECK (billing_cycle OPERATOR(pg_catalog.=) 'monthly'
               OR (billing_cycle OPERATOR(pg_catalog.=) 'annual'
                   AND term OPERATOR(pg_catalog.<>) 'P1M')
               OR (billing_cycle OPERATOR(pg_catalog.=) 'triennial'
                   AND term OPERATOR(pg_catalog.=) 'P3Y'))
);
-- Every rule lookup is keyed by customer (R4, R13, the views).
CREATE INDEX subscription_customer_partner_idx
    ON multipartner.subscription (customer_id, partner_of_record);
CREATE INDEX subscription_partner_of_record_idx
    ON multipartner.subscription (partner_of_record);
-- run_maintenance() finds the live subscriptions whose term has ended by
-- this index alone (SPEC §10: a run costs what is due, not the table)
CREATE INDEX subscription_due_idx
    ON multipartner.subscription (commitment_end)
    WHERE status OPERATOR(pg_catalog.=) ANY
          (ARRAY['active', 'suspended']::multipartner.subscription_status[]);

/*
 * One row per change of partner, customer, member, relationship and
 * subscription rows, written by the audit trigger only.  Nobody, the owner
 * included, updates, deletes or truncates it, and nobody inserts into it
 * but the trigger.
 */
CREATE TABLE multipartner.audit_log (
    event_id        bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    actor           name NOT NULL,
    session_actor   name NOT NULL,
    acting_partner  uuid,
    operation       text NOT NULL,
    table_name      name NOT NULL,
    row_id          text NOT NULL,
    old_row         jsonb,
    new_row         jsonb,
    txid            bigint NOT NULL,
    partner_id      uuid,           -- the partner the row concerns, if any
    customer_id     uuid,           -- the customer the row concerns, if any
    audit_key       uuid NOT NULL,  -- customer_id, else partner_id, else role_id (0.9)
    CONSTRAINT audit_log_pkey PRIMARY KEY (event_id),
    CONSTRAINT audit_log_operation_check
        CHECK (operation OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE']))
);
CREATE INDEX audit_log_row_idx ON multipartner.audit_log (table_name, row_id);
CREATE INDEX audit_log_partner_idx ON multipartner.audit_log (partner_id);
CREATE INDEX audit_log_customer_idx ON multipartner.audit_log (customer_id);

/*
 * The tenant registry: every tenant id in use, by customers and as partners'
 * CSP transaction tenants.  It exists so that R8 (a CSP tenant is never a
 * customer) is decided by one unique key, whichever row comes second and
 * however the two writes interleave.  Maintained by the triggers only.
 */
CREATE TABLE multipartner.tenant (
    tenant_id       uuid NOT NULL,
    kind            text NOT NULL,
    owner_id        uuid NOT NULL,
    created_by_partner uuid,        -- the partner that created a customer
    CONSTRAINT tenant_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_kind_check
        CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['customer', 'partner_csp']))
);

/*
 * pg_restore -j loads the tables' data in any order.  pg_dump records no
 * dependency between the TABLE DATA entries of an extension's configuration
 * tables, so a parallel restore may load relationship or subscription before
 * customer, and the foreign key would refuse the whole COPY.  In restore
 * mode a row whose partner or customer is not loaded yet waits in
 * restore_held (its text image) and is put back by the load of its party
 * (guard.c, "Restore order").  The table is empty outside a restore in
 * progress; it is not a configuration table (a dump has nothing to keep
 * there), only superusers reach it: no grant to anyone, row security forced
 * with no policy, and TRUNCATE refused like on every table of the schema.
 * The member tables get a BEFORE INSERT row trigger for it (the other
 * tables hold their rows from their guards), partner and customer an AFTER
 * INSERT statement trigger that puts the rows back; outside restore mode
 * both return at once.  Since 0.7 an access_assignment row also waits for
 * its admin relationship, whose load puts it back the same way (the GDAP
 * section below).
 */
CREATE TABLE multipartner.restore_held (
    table_name text NOT NULL,
    row_image  text NOT NULL
);

-------------------------------------------------------------------------------
-- C functions: identity
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.acting_partner()
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_acting_partner_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION multipartner.member_customers()
RETURNS uuid[]
AS 'MODULE_PATHNAME', 'mp_member_customers_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION multipartner.is_operator()
RETURNS boolean
AS 'MODULE_PATHNAME', 'mp_is_operator_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

-- the two policies that are more than a column compared with the identity
-- (row-level visibility below)
CREATE FUNCTION multipartner.partner_sees_customer(uuid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mp_partner_sees_customer_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION multipartner.member_partners()
RETURNS uuid[]
AS 'MODULE_PATHNAME', 'mp_member_partners_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

-------------------------------------------------------------------------------
-- C and SQL functions: versions
-------------------------------------------------------------------------------

/*
 * The library writes only against objects of its own version.
 * schema_version() is the version of the objects in this database; every
 * upgrade script replaces it first, and the library reads it (version.c)
 * before every write.  library_version() is the version of the library this
 * session runs.
 */
CREATE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.9'::pg_catalog.text$$;
CREATE FUNCTION multipartner.library_version() RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mp_library_version_sql';

-------------------------------------------------------------------------------
-- Trigger functions (C)
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.partner_guard()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_partner_guard' LANGUAGE C;
CREATE FUNCTION multipartner.customer_guard()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_customer_guard' LANGUAGE C;
CREATE FUNCTION multipartner.relationship_guard()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_relationship_guard' LANGUAGE C;
CREATE FUNCTION multipartner.member_changed()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_member_changed' LANGUAGE C;
CREATE FUNCTION multipartner.subscription_guard()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_subscription_guard' LANGUAGE C;
CREATE FUNCTION multipartner.audit()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_audit' LANGUAGE C;
CREATE FUNCTION multipartner.audit_log_guard()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_audit_log_guard' LANGUAGE C;
CREATE FUNCTION multipartner.tenant_registry()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_tenant_registry' LANGUAGE C;
CREATE FUNCTION multipartner.forbid_truncate()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_forbid_truncate' LANGUAGE C;
CREATE FUNCTION multipartner.audit_identity()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_audit_identity' LANGUAGE C;
CREATE FUNCTION multipartner.restore_hold()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_restore_hold' LANGUAGE C;
CREATE FUNCTION multipartner.restore_release()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_restore_release' LANGUAGE C;
CREATE FUNCTION multipartner.creator_relationship_check()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_creator_relationship_check' LANGUAGE C;
-- the DDL guard's and the data guard's event trigger functions (below)
CREATE FUNCTION multipartner.ddl_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mp_ddl_guard'
LANGUAGE C;
CREATE FUNCTION multipartner.data_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mp_data_guard'
LANGUAGE C;

CREATE TRIGGER partner_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.partner
    FOR EACH ROW EXECUTE FUNCTION multipartner.partner_guard();
CREATE TRIGGER customer_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.customer
    FOR EACH ROW EXECUTE FUNCTION multipartner.customer_guard();
CREATE TRIGGER tenant_registry
    AFTER INSERT OR DELETE ON multipartner.partner
    FOR EACH ROW EXECUTE FUNCTION multipartner.tenant_registry();
CREATE TRIGGER tenant_registry
    AFTER INSERT OR DELETE ON multipartner.customer
    FOR EACH ROW EXECUTE FUNCTION multipartner.tenant_registry();
CREATE TRIGGER relationship_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.relationship_guard();
CREATE TRIGGER subscription_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.subscription
    FOR EACH ROW EXECUTE FUNCTION multipartner.subscription_guard();
CREATE TRIGGER subscription_forbid_truncate
    BEFORE TRUNCATE ON multipartner.subscription
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER audit_log_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.audit_log
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_log_guard();
CREATE TRIGGER audit_log_forbid_truncate
    BEFORE TRUNCATE ON multipartner.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER relationship_forbid_truncate
    BEFORE TRUNCATE ON multipartner.relationship
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER partner_forbid_truncate
    BEFORE TRUNCATE ON multipartner.partner
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER customer_forbid_truncate
    BEFORE TRUNCATE ON multipartner.customer
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER tenant_forbid_truncate
    BEFORE TRUNCATE ON multipartner.tenant
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER partner_member_forbid_truncate
    BEFORE TRUNCATE ON multipartner.partner_member
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER customer_member_forbid_truncate
    BEFORE TRUNCATE ON multipartner.customer_member
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER restore_held_forbid_truncate
    BEFORE TRUNCATE ON multipartner.restore_held
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();

/*
 * A write made as a partner member holds the membership that allows it
 * (identity.c, mp_lock_acting_membership).  Under READ COMMITTED the writer
 * does not lock its partner_member rows FOR KEY SHARE (a WAL record and a
 * dirtied page per transaction, and a MultiXact as soon as two transactions
 * of one role overlap); it takes a lock on the member role as an object
 * (pg_locks: locktype object, classid the partner_member table, objid the
 * role) in ACCESS SHARE mode, which writers never conflict on.  A change of
 * a membership row takes the same lock in ACCESS EXCLUSIVE mode, so it waits
 * for the writes in flight under the old membership, and the writes after it
 * wait for it and then read the new one.  The membership trigger also sends
 * a relcache invalidation of the table, which drops the memberships other
 * backends keep across transactions (they do not read them in every
 * transaction), and binds the row's role (partner_member above).
 * REPEATABLE READ and SERIALIZABLE writers keep the row lock, whose conflict
 * with a concurrent change is the serialization failure they need.  For
 * that the membership trigger sees each changed row: it is a row-level
 * trigger.
 */
CREATE TRIGGER partner_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.partner_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.member_changed();
CREATE TRIGGER customer_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.member_changed();

/*
 * The audit row records the identity the rules judged.  The audit trigger
 * runs AFTER ROW, at the end of the statement, when the role and
 * multipartner.acting_partner may have been switched by the statement itself
 * (UPDATE ... RETURNING set_config('multipartner.acting_partner', ...)).  A
 * BEFORE ROW trigger on every audited table, named to fire before the rule
 * triggers, takes the identity at the statement's first row and refuses a
 * later row written under another one; the audit trigger records the
 * identity taken for the statement that wrote the row
 * (src/audit_identity.c).
 */
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

-- The audit record: AFTER ROW, so it sees the row as the rules let it be.
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.partner
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.customer
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.partner_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.subscription
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();

-- Restore order (restore_held above).
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

/*
 * Tenant squatting.  A partner's direct INSERT into customer with no
 * relationship would claim the tenant for good and leave a customer only
 * operators see.  A customer a partner inserts must end its transaction with
 * a relationship with that partner (of any status), as create_customer()
 * leaves it; the check runs at commit (or at SET CONSTRAINTS ... IMMEDIATE),
 * so the relationship may follow the customer in the same transaction.  The
 * WHEN clause, evaluated when the row is inserted, queues nothing for an
 * operator's rows (imports, restores).  Refused with 23503, as a deferred
 * foreign key is.  Named to fire after tenant_registry (name order), whose
 * claim it reads.
 */
CREATE CONSTRAINT TRIGGER tenant_registry_relationship
    AFTER INSERT ON multipartner.customer
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NOT multipartner.is_operator())
    EXECUTE FUNCTION multipartner.creator_relationship_check();

-- ENABLE ALWAYS: session_replication_role = replica (which PostgreSQL 15 lets
-- a role granted SET on that parameter choose) does not switch them off.
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER partner_guard;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER partner_forbid_truncate;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER customer_guard;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER tenant_registry;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER tenant_registry;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER customer_forbid_truncate;
ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER relationship_guard;
ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER relationship_forbid_truncate;
ALTER TABLE multipartner.tenant ENABLE ALWAYS TRIGGER tenant_forbid_truncate;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER subscription_guard;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER subscription_forbid_truncate;
ALTER TABLE multipartner.audit_log ENABLE ALWAYS TRIGGER audit_log_guard;
ALTER TABLE multipartner.audit_log ENABLE ALWAYS TRIGGER audit_log_forbid_truncate;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER partner_member_changed;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER partner_member_forbid_truncate;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER customer_member_forbid_truncate;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER customer_member_changed;
ALTER TABLE multipartner.restore_held ENABLE ALWAYS TRIGGER restore_held_forbid_truncate;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER restore_hold;
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER restore_hold;
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER restore_release;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER restore_release;
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER tenant_registry_relationship;

/*
 * Foreign keys in force under session_replication_role = replica too: their
 * internal triggers become ENABLE ALWAYS like ours (a role granted SET on
 * that parameter must not be able to skip them).  Internal triggers can only
 * be altered by a superuser, which the install and upgrade scripts run as.
 * After pg_upgrade, which makes them ENABLE ORIGIN again,
 * multipartner.enable_always_triggers() (below) does the same.
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
           AND tg.tgisinternal
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END LOOP;
END
$fk_always$;

-------------------------------------------------------------------------------
-- SQL API (C).  SECURITY INVOKER: the caller's own privileges and identity
-- apply, and the triggers above decide.
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.create_customer(tenant_id uuid, name text,
                                             cloud multipartner.cloud)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_create_customer'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.request_relationship(customer_id uuid,
                                                  delegated_admin boolean DEFAULT true)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_request_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.accept_relationship(relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_accept_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.decline_relationship(relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.revoke_delegated_admin(relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_revoke_delegated_admin'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.terminate_relationship(relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

/*
 * The calls by id with the customer first (0.9): every statement they run
 * names the customer, so that on Citus each is one shard's (a router query).
 * An id that is not the customer's does not exist, as an unknown id.
 */
CREATE FUNCTION multipartner.accept_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_accept_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.decline_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.revoke_delegated_admin(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_revoke_delegated_admin_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.terminate_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.create_subscription(customer_id uuid, offer_id text,
                                                 product_family text, quantity integer,
                                                 term text, billing_cycle text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_create_subscription'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

/*
 * The dry run: performs the operation as the caller inside a subtransaction
 * that is always rolled back, and says whether it was allowed and, if not,
 * which rule refused it.  The id is positional (what the action acts on) or
 * named.
 */
CREATE FUNCTION multipartner.check(action text,
                                   id uuid DEFAULT NULL,
                                   customer_id uuid DEFAULT NULL,
                                   subscription_id uuid DEFAULT NULL,
                                   relationship_id uuid DEFAULT NULL,
                                   quantity integer DEFAULT NULL,
                                   status text DEFAULT NULL,
                                   auto_renew boolean DEFAULT NULL,
                                   partner_of_record uuid DEFAULT NULL,
                                   term text DEFAULT NULL,
                                   billing_cycle text DEFAULT NULL,
                                   OUT allowed boolean,
                                   OUT rule text,
                                   OUT sqlstate text,
                                   OUT message text,
                                   OUT detail text,
                                   OUT hint text)
RETURNS record
AS 'MODULE_PATHNAME', 'mp_check'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.expire_relationships()
RETURNS bigint
AS 'MODULE_PATHNAME', 'mp_expire_relationships'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

/*
 * The status a relationship reads as: a pending request older than 90 days
 * (at the statement's time, see "The clock" above) is expired even before
 * anything has written that down.  effective_relationship_status() takes
 * the columns, effective_status(relationship) the row; the views and the C
 * lookups use the column form, because a whole-row argument does not
 * survive Citus (on a shard the row type is the shard's).  With the
 * multipartner schema on the search_path, attribute notation works too on
 * a single node: SELECT r.effective_status FROM multipartner.relationship r.
 * The 90 days are MP_REQUEST_LIFETIME_DAYS in src/multipartner.h too.
 */
CREATE FUNCTION multipartner.effective_relationship_status(
    status multipartner.relationship_status, requested_at timestamptz)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status
                AND $2 OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.relationship_status
           ELSE $1
           END
$$;
CREATE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_relationship_status($1.status, $1.requested_at)
$$;

/*
 * What time has made of a subscription (SPEC §10), at the statement's
 * clock: an active one with auto_renew past its commitment_end has renewed
 * (as often as due; terms are anchored on created_at), one without
 * auto_renew or suspended has expired there.  src/term.c; the trigger of
 * every UPDATE and run_maintenance() read the same.  Each in two forms, the
 * same C function: of the row (the interface) and of the columns
 * (effective_subscription_*(), what the views, run_maintenance() and the C
 * lookups call, because a whole-row argument does not survive Citus).
 */
CREATE FUNCTION multipartner.effective_status(multipartner.subscription)
RETURNS multipartner.subscription_status
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_status';
CREATE FUNCTION multipartner.effective_term_start(multipartner.subscription)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_term_start';
CREATE FUNCTION multipartner.effective_commitment_end(multipartner.subscription)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_commitment_end';
CREATE FUNCTION multipartner.effective_subscription_status(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS multipartner.subscription_status
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_status';
CREATE FUNCTION multipartner.effective_subscription_term_start(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_term_start';
CREATE FUNCTION multipartner.effective_subscription_commitment_end(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_commitment_end';

/*
 * Which path each lookup took.  Per backend, since it started: for each
 * lookup that has a direct implementation (src/fastpath.c) and an SPI one,
 * how many times each ran.  Operators may read it (it tells how the
 * extension runs, nothing about rows); the tests assert with it that the
 * direct path really runs, and that multipartner.fast_path = off really
 * turns it off.
 */
CREATE FUNCTION multipartner.lookup_counts()
RETURNS TABLE (lookup text, direct bigint, spi bigint)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'mp_lookup_counts';

/*
 * pg_upgrade switches the foreign keys' triggers back to ENABLE ORIGIN.
 * pg_dump --binary-upgrade recreates the extension's foreign keys with ALTER
 * TABLE ... ADD CONSTRAINT, whose internal triggers are ENABLE ORIGIN, and
 * no script of the extension runs in the new cluster.  The extension's own
 * triggers refuse a write under session_replication_role = replica while the
 * written table has a trigger that replica mode would skip (util.c,
 * check_replica_skips_nothing); this function is the DBA's step after
 * pg_upgrade that puts them back: every trigger of the extension's tables
 * that is a foreign key's or the extension's own and not ENABLE ALWAYS
 * becomes ENABLE ALWAYS (not another extension's internal trigger, such as
 * the truncate trigger Citus puts on a distributed table's shell).  It returns how many it changed.  Internal triggers
 * can only be altered by a superuser, so it is for superusers only.
 */
CREATE FUNCTION multipartner.enable_always_triggers()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $enable_always$
DECLARE
    t record;
    n integer := 0;
    citus boolean := pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    propagation text := pg_catalog.current_setting('citus.enable_ddl_propagation', true);
    rels pg_catalog.oid[];
    shards pg_catalog.oid[];
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
             WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for function enable_always_triggers'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may alter the internal triggers of foreign keys.';
    END IF;
    -- the extension's tables
    SELECT pg_catalog.array_agg(e.objid) INTO rels
      FROM pg_catalog.pg_depend e
      JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid
     WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND e.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND e.deptype OPERATOR(pg_catalog.=) 'e'
       AND x.extname OPERATOR(pg_catalog.=) 'multipartner';
    -- On a Citus node also their shards with a placement here (not members
    -- of the extension; Citus's catalogs read by EXECUTE: they exist only
    -- with Citus), and the ALTERs not passed on by Citus to the shards by
    -- the shell's trigger names (a foreign key's trigger has another name on
    -- every shard and node): run it on every node (README "Running on
    -- Citus").
    IF citus THEN
        EXECUTE $q$
            SELECT coalesce(pg_catalog.array_agg(pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid), '{}')
              FROM pg_catalog.pg_dist_shard s
              JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
             WHERE s.logicalrelid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)
               AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) $q$
           INTO shards USING rels;
        rels := rels OPERATOR(pg_catalog.||) shards;
        PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
    END IF;
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
          FROM pg_catalog.pg_trigger tg
          JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
         WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (rels)
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
           AND ((tg.tgisinternal AND tg.tgconstraint OPERATOR(pg_catalog.<>) 0)
                OR p.pronamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace)
         ORDER BY 1, 2
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    IF citus THEN
        PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', propagation, true);
    END IF;
    RETURN n;
END
$enable_always$;

/*
 * The member trigger binds the role of each member row it sees (see
 * partner_member above).  Rows loaded with the triggers switched off (a bulk
 * load by a superuser, as the benchmark does) have roles nobody bound, and
 * count for nobody: this function binds the
 * existing roles of member rows that are not bound yet, as the upgrade to
 * 0.4 did for the rows already there.  Rows whose role no longer exists
 * are left alone (they count for nobody).  Each grant locks its role until
 * the transaction ends, so thousands of roles in one transaction can exceed
 * the lock table: max_roles binds that many at most, and a caller repeats
 * the call, each in its own transaction, until it returns 0.  It returns
 * how many roles (per member table) it bound.  Granting on the extension's
 * types is the owner's, so it is for superusers only.
 *
 * On Citus the grants are per node (distribute() runs this on every node),
 * and a node's customer_role binds the roles of the customer_member rows of
 * its own shards: the rows it judges, where the member trigger binds and
 * unbinds (identity.c).  So there the customer rows are read from the node's
 * shards, and a customer role bound on the node with no row there (bound
 * before distribute(), or before a shard moved away) is unbound (REVOKE
 * takes no lock on the role; not counted in the result): else DROP ROLE
 * would be refused on that node after the role's last row went.
 */
CREATE FUNCTION multipartner.bind_member_roles(max_roles integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $bind$
DECLARE
    r record;
    n integer := 0;
    shards text[];
    customer_members pg_catalog.oid[] := '{}';
    more pg_catalog.oid[];
    distributed boolean := false;
    stale text;
BEGIN
    IF NOT (SELECT a.rolsuper FROM pg_catalog.pg_roles a
             WHERE a.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for function bind_member_roles'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may grant on the extension''s member types.';
    END IF;
    IF max_roles OPERATOR(pg_catalog.<) 1 THEN
        RAISE EXCEPTION 'max_roles must be at least 1'
              USING ERRCODE = '22023';
    END IF;
    -- the customer rows this node judges: on Citus, once customer_member is
    -- distributed, those of its own shards (Citus's catalogs read by EXECUTE:
    -- they exist only with Citus); else the table's
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE $q$ SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition d
                                    WHERE d.logicalrelid OPERATOR(pg_catalog.=) 'multipartner.customer_member'::pg_catalog.regclass
                                      AND d.partmethod OPERATOR(pg_catalog.=) 'h') $q$
           INTO distributed;
    END IF;
    IF distributed THEN
        -- its shards with a placement here (none on the coordinator)
        EXECUTE $q$
            SELECT coalesce(pg_catalog.array_agg(pg_catalog.shard_name(s.logicalrelid, s.shardid)::pg_catalog.text), '{}')
              FROM pg_catalog.pg_dist_shard s
              JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
             WHERE s.logicalrelid OPERATOR(pg_catalog.=) 'multipartner.customer_member'::pg_catalog.regclass
               AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) $q$
           INTO shards;
    ELSE
        shards := ARRAY['multipartner.customer_member'];
    END IF;
    FOR r IN SELECT pg_catalog.unnest(shards) AS rel
    LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(DISTINCT m.member::pg_catalog.oid) FROM %s m', r.rel)
           INTO more;
        customer_members := customer_members OPERATOR(pg_catalog.||) coalesce(more, '{}');
    END LOOP;
    -- one GRANT per member type for all its roles: one rewrite of the type's ACL
    FOR r IN WITH bound AS (
                 -- the roles each member type binds now, read once
                 SELECT t.typname::pg_catalog.text AS typ, x.grantee
                   FROM pg_catalog.pg_type t, pg_catalog.aclexplode(t.typacl) x
                  WHERE t.typnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                    AND t.typname OPERATOR(pg_catalog.=) ANY (ARRAY['partner_role', 'customer_role']::pg_catalog.name[])
                    AND x.privilege_type OPERATOR(pg_catalog.=) 'USAGE'),
             unbound AS (
                 SELECT u.typ, u.member
                   FROM (SELECT DISTINCT 'partner_role' AS typ, m.member::pg_catalog.oid AS member
                           FROM multipartner.partner_member m
                         UNION
                         SELECT 'customer_role', c.member
                           FROM pg_catalog.unnest(customer_members) c(member)) u
                  WHERE EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) u.member)
                    AND NOT EXISTS (SELECT FROM bound b
                                     WHERE b.typ OPERATOR(pg_catalog.=) u.typ
                                       AND b.grantee OPERATOR(pg_catalog.=) u.member)
                  ORDER BY 1, 2
                  LIMIT max_roles)
             SELECT w.typ, pg_catalog.string_agg(w.member::pg_catalog.regrole::pg_catalog.text, ', ') AS members,
                    pg_catalog.count(*)::integer AS roles
               FROM unbound w GROUP BY w.typ
    LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON TYPE multipartner.%I TO %s', r.typ, r.members);
        n := n OPERATOR(pg_catalog.+) r.roles;
    END LOOP;
    -- on Citus: the customer roles bound here with no customer row here
    -- (on one node the trigger unbinds a role with its last row)
    IF NOT distributed THEN
        RETURN n;
    END IF;
    SELECT pg_catalog.string_agg(x.grantee::pg_catalog.regrole::pg_catalog.text, ', ') INTO stale
      FROM pg_catalog.pg_type t, pg_catalog.aclexplode(t.typacl) x
     WHERE t.oid OPERATOR(pg_catalog.=) 'multipartner.customer_role'::pg_catalog.regtype
       AND x.privilege_type OPERATOR(pg_catalog.=) 'USAGE'
       AND x.grantee OPERATOR(pg_catalog.<>) t.typowner
       AND x.grantee OPERATOR(pg_catalog.<>) 0
       AND EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) x.grantee)
       AND x.grantee OPERATOR(pg_catalog.<>) ALL (customer_members);
    IF stale IS NOT NULL THEN
        EXECUTE pg_catalog.format('REVOKE USAGE ON TYPE multipartner.customer_role FROM %s', stale);
    END IF;
    RETURN n;
END
$bind$;

/*
 * multipartner.distribute(): from a single-node install to a distributed one
 * on a Citus coordinator with workers (SPEC §11; since 0.9, issue 15).  A
 * procedure, because its last phase runs on every node after the commit of
 * the distributing transaction: CALL multipartner.distribute(), as a
 * superuser, on the coordinator, outside a transaction block.
 *
 * Phase 0 checks and refuses (55000, with a hint) unless Citus is ready: this
 * node is the coordinator and in the metadata, workers are registered, every
 * node runs with the settings of README "Running on Citus", every worker has
 * multipartner of this version (it is created there when absent) with no row
 * of its own in its tables (a worker's tables become the shells of the
 * distributed ones, whose rows nobody would see again) and every role named
 * by a member row.
 *
 * Phase A brings each worker's tables into the distributed shape, each in a
 * transaction of its own (idempotent): Citus makes no shell table for an
 * extension's table on a worker, it uses the one the worker's own CREATE
 * EXTENSION made, and propagates to it only what is run after distribution.
 *
 * Phase B, one transaction on the coordinator, with writers locked out
 * (EXCLUSIVE: reads go on): the foreign keys saved and dropped (Citus cannot
 * distribute the graph one table at a time), the same shape locally, the row
 * triggers switched off so that Citus's copy of the rows into the shards is
 * neither judged again nor audited (the rows were judged when written), the
 * rows naming a role (regrole: Citus copies it as an OID, and role OIDs
 * differ from node to node) taken out and put back by name, the tables
 * distributed (partner, partner_member, admin_role and admin_relationship_name
 * as reference tables;
 * customer by customer_id and every customer-keyed table co-located with it;
 * the tenant registry by tenant_id; audit_log by audit_key), the local copies
 * Citus leaves on the coordinator truncated, the foreign keys and the
 * triggers back, ENABLE ALWAYS.
 *
 * Phase C, after the commit, on every node: the foreign keys' internal
 * triggers ENABLE ALWAYS (their names are per node and per shard, so Citus
 * cannot propagate that), and the member roles bound on each node
 * (bind_member_roles(): the USAGE grants are per node).
 */
CREATE PROCEDURE multipartner.distribute()
LANGUAGE plpgsql
AS $distribute$
DECLARE
    -- in the order they are distributed: reference tables, customer, co-located
    reference_tables CONSTANT text[] := ARRAY['partner', 'partner_member', 'admin_role', 'admin_relationship_name'];
    customer_tables CONSTANT text[] := ARRAY['customer', 'customer_member', 'relationship',
        'subscription', 'admin_relationship', 'access_assignment', 'expiry_notice', 'tenant', 'audit_log'];
    all_tables text[];
    -- the tables whose rows name a role (regrole columns)
    role_tables CONSTANT text[] := ARRAY['partner_member', 'customer_member', 'access_assignment'];
    -- the node's tables in the distributed shape; idempotent, run on every node
    shape CONSTANT text := $shape$
        DO $do$
        DECLARE
            r record;
        BEGIN
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
            FOR r IN SELECT c.conrelid::pg_catalog.regclass AS rel, c.conname
                       FROM pg_catalog.pg_constraint c
                      WHERE c.connamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                        AND c.contype OPERATOR(pg_catalog.=) 'f'
                      ORDER BY 1, 2
            LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
            END LOOP;
            -- tenant uniqueness is the tenant registry's (distributed by tenant_id)
            ALTER TABLE multipartner.customer DROP CONSTRAINT IF EXISTS customer_tenant_id_key;
            CREATE INDEX IF NOT EXISTS customer_tenant_id_idx ON multipartner.customer (tenant_id);
            -- keys that include the distribution column; the by-id lookups keep an index
            FOR r IN SELECT * FROM (VALUES ('relationship', 'relationship_pkey', 'customer_id, relationship_id', 'relationship_id'),
                                           ('subscription', 'subscription_pkey', 'customer_id, subscription_id', 'subscription_id'),
                                           ('audit_log', 'audit_log_pkey', 'audit_key, event_id', NULL))
                                  v(tbl, con, cols, id)
            LOOP
                IF (SELECT pg_catalog.array_length(c.conkey, 1) FROM pg_catalog.pg_constraint c
                     WHERE c.conrelid OPERATOR(pg_catalog.=) ('multipartner.' OPERATOR(pg_catalog.||) r.tbl)::pg_catalog.regclass
                       AND c.conname OPERATOR(pg_catalog.=) r.con) OPERATOR(pg_catalog.=) 1 THEN
                    EXECUTE pg_catalog.format('ALTER TABLE multipartner.%I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%s)',
                                              r.tbl, r.con, r.con, r.cols);
                END IF;
                IF r.id IS NOT NULL THEN
                    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS %I ON multipartner.%I (%I)',
                                              r.id OPERATOR(pg_catalog.||) '_idx', r.tbl, r.id);
                END IF;
            END LOOP;
        END
        $do$
    $shape$;
    -- every foreign key's internal trigger of the schema's relations (shards too) ENABLE ALWAYS, on one node
    fk_always CONSTANT text := $fk$
        DO $do$
        DECLARE
            t record;
        BEGIN
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
            FOR t IN SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
                       FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
                      WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                        AND tg.tgisinternal AND tg.tgconstraint OPERATOR(pg_catalog.<>) 0
                        AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
            LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
            END LOOP;
        END
        $do$
    $fk$;
    r record;
    done integer;
    tbl text;
    cols text;
    vals text;
    rows_before bigint[] := '{}';
    n bigint;
    coordinator boolean;
    finish_only boolean;
    quiet text;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    all_tables := reference_tables OPERATOR(pg_catalog.||) customer_tables;

    ---------------------------------------------------------------- Phase 0
    IF NOT (SELECT a.rolsuper FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for procedure distribute'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may distribute the extension''s tables.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
              USING ERRCODE = '55000',
                    HINT = 'Run CREATE EXTENSION citus in this database on every node, then register the workers with citus_add_node() on the coordinator.';
    END IF;
    EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_partition p
              WHERE p.logicalrelid OPERATOR(pg_catalog.=) ANY (
                    SELECT (''multipartner.'' OPERATOR(pg_catalog.||) t)::pg_catalog.regclass FROM pg_catalog.unnest($1) t)'
       INTO done USING all_tables;
    finish_only := done OPERATOR(pg_catalog.=) pg_catalog.cardinality(all_tables);
    IF finish_only THEN
        -- only the last phase again (it is what a failed run asks to finish)
        RAISE NOTICE 'the tables of multipartner are distributed already';
    ELSIF done OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'the tables of multipartner are partly distributed'
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('%s of its %s tables are Citus tables.', done, pg_catalog.cardinality(all_tables)),
                    HINT = 'multipartner.distribute() distributes them all at once; undo the hand-made distribution first.';
    END IF;
    EXECUTE 'SELECT (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) OPERATOR(pg_catalog.=) 0
                AND EXISTS (SELECT FROM pg_catalog.pg_dist_node n WHERE n.groupid OPERATOR(pg_catalog.=) 0)'
       INTO coordinator;
    IF NOT coordinator THEN
        RAISE EXCEPTION 'multipartner.distribute() must run on the coordinator, registered in the Citus metadata'
              USING ERRCODE = '55000',
                    HINT = 'Run it on the coordinator, after SELECT citus_set_coordinator_host(...) there.';
    END IF;
    EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_node n
              WHERE n.groupid OPERATOR(pg_catalog.<>) 0 AND n.noderole OPERATOR(pg_catalog.=) ''primary'' AND n.isactive'
       INTO done;
    IF done OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'no worker node is registered'
              USING ERRCODE = '55000',
                    HINT = 'Register the workers with SELECT citus_add_node(host, port) on the coordinator.';
    END IF;
    IF NOT finish_only THEN
    -- the settings every node must run with (README "Running on Citus")
    FOR r IN EXECUTE $q$
        SELECT s.setting, s.wanted, pg_catalog.string_agg(n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) n.nodeport, ', '
                                                          ORDER BY n.nodeport) AS nodes
          FROM (VALUES ('citus.enable_unsafe_triggers', 'on'), ('citus.enable_binary_protocol', 'off'),
                       ('citus.allow_nested_distributed_execution', 'off')) s(setting, wanted),
               LATERAL pg_catalog.run_command_on_all_nodes('SHOW ' OPERATOR(pg_catalog.||) s.setting) c
               JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success OR c.result OPERATOR(pg_catalog.<>) s.wanted
         GROUP BY 1, 2 ORDER BY 1 $q$
    LOOP
        RAISE EXCEPTION 'setting "%" must be "%" on every node', r.setting, r.wanted
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('It is not on %s.', r.nodes),
                    HINT = 'Set it in postgresql.conf of every node (README "Running on Citus") and reload.';
    END LOOP;
    FOR r IN EXECUTE $q$
        SELECT pg_catalog.string_agg(n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) n.nodeport, ', ' ORDER BY n.nodeport) AS nodes
          FROM pg_catalog.run_command_on_all_nodes('SHOW max_prepared_transactions') c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success OR c.result OPERATOR(pg_catalog.=) '0'
        HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 $q$
    LOOP
        RAISE EXCEPTION 'setting "max_prepared_transactions" must be above 0 on every node'
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('It is not on %s.', r.nodes),
                    HINT = 'Writes to reference tables and to several shards commit in two phases.';
    END LOOP;
    -- multipartner on every worker, at this version, with empty tables
    -- (created where absent; a failure shows in the version check that follows)
    PERFORM FROM pg_catalog.run_command_on_workers(
            pg_catalog.format('SET citus.enable_ddl_propagation = off; CREATE EXTENSION IF NOT EXISTS multipartner VERSION %L',
                              multipartner.schema_version()));
    FOR r IN EXECUTE $q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(
               $c$SELECT coalesce((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'multipartner'), 'none')$c$) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) multipartner.schema_version()
         ORDER BY 2 $q$
    LOOP
        RAISE EXCEPTION 'the worker %:% has multipartner %, not %', r.nodename, r.nodeport, r.result, multipartner.schema_version()
              USING ERRCODE = '55000',
                    HINT = 'Install the same version of the extension''s files on every node and run ALTER EXTENSION multipartner UPDATE there.';
    END LOOP;
    -- (admin_role holds the rows CREATE EXTENSION seeds on every node)
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(%L) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) ''
         ORDER BY 2 $q$,
        'SELECT concat_ws('', ''' OPERATOR(pg_catalog.||)
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    ', CASE WHEN EXISTS (SELECT FROM multipartner.%I) THEN %L END', t, t), '' ORDER BY o)
           FROM pg_catalog.unnest(all_tables) WITH ORDINALITY u(t, o)
          WHERE t OPERATOR(pg_catalog.<>) 'admin_role') OPERATOR(pg_catalog.||) ')')
    LOOP
        RAISE EXCEPTION 'the worker %:% has rows in multipartner''s tables', r.nodename, r.nodeport
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('Tables with rows there: %s.', r.result),
                    HINT = 'A worker''s own tables become the shells of the distributed ones and their rows would be lost; write only through the coordinator''s install.';
    END LOOP;
    -- the roles member rows name, by name, on every worker
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(%L) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) ''
         ORDER BY 2 $q$,
        pg_catalog.format($c$SELECT coalesce(string_agg(quote_ident(n), ', ' ORDER BY n), '')
                                FROM unnest(%L::text[]) n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.rolname = n)$c$,
            (SELECT pg_catalog.array_agg(DISTINCT a.rolname::text)
               FROM pg_catalog.pg_roles a
              WHERE a.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.member FROM multipartner.partner_member m
                                                            UNION SELECT m.member FROM multipartner.customer_member m
                                                            UNION SELECT g.grantee FROM multipartner.access_assignment g)::pg_catalog.oid[]))))
    LOOP
        RAISE EXCEPTION 'the worker %:% lacks roles that member rows name', r.nodename, r.nodeport
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('Missing there: %s.', r.result),
                    HINT = 'Create every application role on every node (Citus propagates the roles created after CREATE EXTENSION citus, not older ones).';
    END LOOP;

    ---------------------------------------------------------------- Phase A
    FOR r IN EXECUTE pg_catalog.format('SELECT w.nodename, w.nodeport, w.result FROM pg_catalog.run_command_on_workers(%L) w
                                         WHERE NOT w.success ORDER BY 2', shape)
    LOOP
        RAISE EXCEPTION 'could not prepare the tables of the worker %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result;
    END LOOP;

    ---------------------------------------------------------------- Phase B
    -- foreign keys to reference tables need one connection per node for the whole transaction
    PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- nobody writes while a trigger is off: EXCLUSIVE blocks writers, not readers
    LOCK TABLE multipartner.partner, multipartner.partner_member, multipartner.admin_role,
         multipartner.customer, multipartner.customer_member, multipartner.relationship,
         multipartner.subscription, multipartner.admin_relationship, multipartner.access_assignment,
         multipartner.expiry_notice, multipartner.tenant, multipartner.audit_log,
         multipartner.admin_relationship_name IN EXCLUSIVE MODE;
    FOREACH tbl IN ARRAY all_tables LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM multipartner.%I', tbl) INTO n;
        rows_before := rows_before OPERATOR(pg_catalog.||) n;
    END LOOP;
    CREATE TEMP TABLE mp_distribute_fk ON COMMIT DROP AS
        SELECT c.conrelid::pg_catalog.regclass::pg_catalog.text AS rel, c.conname::pg_catalog.text AS conname,
               pg_catalog.pg_get_constraintdef(c.oid) AS def
          FROM pg_catalog.pg_constraint c
         WHERE c.connamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND c.contype OPERATOR(pg_catalog.=) 'f';
    EXECUTE shape;
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'on', true);
    CREATE TEMP TABLE mp_distribute_tg ON COMMIT DROP AS
        SELECT tg.tgrelid::pg_catalog.regclass::pg_catalog.text AS rel, tg.tgname::pg_catalog.text AS tgname,
               (tg.tgtype::integer OPERATOR(pg_catalog.&) 32) OPERATOR(pg_catalog.<>) 0 AS on_truncate
          FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND c.relname OPERATOR(pg_catalog.=) ANY (all_tables::pg_catalog.name[])
           AND NOT tg.tgisinternal;
    -- the copy into the shards must be quiet: the row triggers off (the shards are made with them off)
    FOR r IN SELECT * FROM mp_distribute_tg WHERE NOT on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    -- R15's claims (gdap.c): one for each admin relationship's name, made here
    -- (the table is empty on a single node, a restore may have brought some)
    DELETE FROM multipartner.admin_relationship_name;
    INSERT INTO multipartner.admin_relationship_name (partner_id, display_name, customer_id, admin_relationship_id)
        SELECT a.partner_id, a.display_name, a.customer_id, a.admin_relationship_id FROM multipartner.admin_relationship a;
    rows_before[pg_catalog.array_position(all_tables, 'admin_relationship_name')] :=
        (SELECT pg_catalog.count(*) FROM multipartner.admin_relationship_name);
    -- rows naming a role go by name: saved as VALUES lists of literals, then deleted here
    CREATE TEMP TABLE mp_distribute_roles (tbl text, cols text, vals text) ON COMMIT DROP;
    FOR i IN 1 .. pg_catalog.cardinality(role_tables) LOOP
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
               pg_catalog.string_agg(pg_catalog.format('pg_catalog.quote_nullable(%I::pg_catalog.text)', a.attname), ' || '', '' || ' ORDER BY a.attnum)
          INTO cols, vals
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) ('multipartner.' OPERATOR(pg_catalog.||) role_tables[i])::pg_catalog.regclass
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        EXECUTE pg_catalog.format('INSERT INTO mp_distribute_roles SELECT %L, %L, ''('' || %s || '')'' FROM multipartner.%I',
                                  role_tables[i], cols, vals, role_tables[i]);
        EXECUTE pg_catalog.format('DELETE FROM multipartner.%I', role_tables[i]);
    END LOOP;
    -- (Citus says for each table that it copies the rows and how to remove them here: this does)
    quiet := pg_catalog.current_setting('client_min_messages');
    PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);
    FOREACH tbl IN ARRAY reference_tables LOOP
        PERFORM pg_catalog.create_reference_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass);
    END LOOP;
    PERFORM pg_catalog.create_distributed_table('multipartner.customer', 'customer_id');
    FOREACH tbl IN ARRAY customer_tables[2:] LOOP
        PERFORM pg_catalog.create_distributed_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass,
                    CASE tbl WHEN 'tenant' THEN 'tenant_id' WHEN 'audit_log' THEN 'audit_key' ELSE 'customer_id' END,
                    colocate_with => 'multipartner.customer');
    END LOOP;
    PERFORM pg_catalog.set_config('client_min_messages', quiet, true);
    -- the role rows back, through Citus, which names the role in each shard's statement
    FOR r IN SELECT d.tbl, d.cols, pg_catalog.string_agg(d.vals, ', ') AS vals
               FROM mp_distribute_roles d GROUP BY 1, 2 ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('INSERT INTO multipartner.%I (%s) VALUES %s', r.tbl, r.cols, r.vals);
    END LOOP;
    -- Citus leaves the copied rows on the coordinator's disk; its TRUNCATE of
    -- them would be refused by forbid_truncate, switched off here only
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
    FOR r IN SELECT * FROM mp_distribute_tg WHERE on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    FOREACH tbl IN ARRAY all_tables LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass);
    END LOOP;
    FOR r IN SELECT * FROM mp_distribute_tg WHERE on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'on', true);
    -- the foreign keys back (propagated to the shards and the workers' tables)
    FOR r IN SELECT * FROM mp_distribute_fk ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def);
    END LOOP;
    -- the row triggers back, ENABLE ALWAYS, propagated to every shard
    FOR r IN SELECT * FROM mp_distribute_tg WHERE NOT on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    EXECUTE fk_always;
    -- nothing lost, nothing added
    FOR i IN 1 .. pg_catalog.cardinality(all_tables) LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM multipartner.%I', all_tables[i]) INTO n;
        IF n OPERATOR(pg_catalog.<>) rows_before[i] THEN
            RAISE EXCEPTION 'distributing table "%" changed its rows', all_tables[i]
                  USING ERRCODE = 'XX000',
                        DETAIL = pg_catalog.format('It had %s rows before and %s after.', rows_before[i], n);
        END IF;
    END LOOP;
    COMMIT;
    END IF;

    ---------------------------------------------------------------- Phase C
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT n.nodename, n.nodeport, c.result
          FROM pg_catalog.run_command_on_all_nodes(%L) c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success ORDER BY 2 $q$, fk_always)
    LOOP
        RAISE EXCEPTION 'could not make the foreign keys'' triggers ENABLE ALWAYS on %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result,
                    HINT = 'The tables are distributed; run CALL multipartner.distribute() again to finish.';
    END LOOP;
    FOR r IN EXECUTE $q$
        SELECT n.nodename, n.nodeport, c.result
          FROM pg_catalog.run_command_on_all_nodes('SELECT multipartner.bind_member_roles()') c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success ORDER BY 2 $q$
    LOOP
        RAISE EXCEPTION 'could not bind the member roles on %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result,
                    HINT = 'The tables are distributed; run CALL multipartner.distribute() again to finish.';
    END LOOP;
    RAISE NOTICE 'multipartner is distributed: % reference tables, % tables by customer',
          pg_catalog.cardinality(reference_tables), pg_catalog.cardinality(customer_tables);
END
$distribute$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC, then exactly what each role needs.
-------------------------------------------------------------------------------

-- restore_held is left out: it keeps the default ACL (its owner's
-- privileges only), which an explicit one equal to it would not outlive
-- pg_upgrade anyway.
REVOKE ALL ON multipartner.partner, multipartner.customer, multipartner.partner_member,
      multipartner.customer_member, multipartner.relationship, multipartner.subscription,
      multipartner.audit_log, multipartner.tenant
    FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA multipartner FROM PUBLIC;
-- (ALL FUNCTIONS leaves procedures out)
REVOKE ALL ON PROCEDURE multipartner.distribute() FROM PUBLIC;

-- Operators run the platform: partners, members, data fixes.
GRANT SELECT, INSERT, UPDATE, DELETE ON multipartner.partner, multipartner.customer,
      multipartner.partner_member, multipartner.customer_member
    TO multipartner_operator;
GRANT SELECT ON multipartner.tenant TO multipartner_operator;
-- R10 refuses DELETE and TRUNCATE of these for everyone, operators included;
-- the privileges let the trigger give that answer (MP007) itself.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
   ON multipartner.relationship, multipartner.subscription TO multipartner_operator;
GRANT SELECT, UPDATE, DELETE, TRUNCATE ON multipartner.audit_log TO multipartner_operator;

/*
 * No application role can stall other tenants with LOCK TABLE.  LOCK TABLE
 * in any mode stronger than ROW EXCLUSIVE needs UPDATE, DELETE or TRUNCATE
 * on the whole table (LockTableAclCheck), so an application role with
 * UPDATE or DELETE on relationship or subscription could take ACCESS
 * EXCLUSIVE and make every tenant's reads and sales wait.  They get UPDATE
 * column by column instead: UPDATE and SELECT ... FOR UPDATE accept it, LOCK
 * TABLE does not (42501), and this holds in a backend that never loaded the
 * library.  Every column is granted, so which column may change, and by
 * whom, is still the rules' answer, with the rule's own SQLSTATE (MP003,
 * MP004, MP008 ...), not a generic 42501.  DELETE is not granted to them: R10
 * refuses it anyway, for them with 42501 from the privilege check.  A
 * version that adds a column to these tables grants UPDATE on it to the same
 * roles.
 */

-- Partner applications: create customers, request, revoke and terminate;
-- sell and manage their own subscriptions.
GRANT SELECT ON multipartner.partner, multipartner.customer,
      multipartner.partner_member, multipartner.relationship
    TO multipartner_partner_app;
GRANT INSERT ON multipartner.customer, multipartner.relationship
    TO multipartner_partner_app;
GRANT SELECT, INSERT ON multipartner.subscription TO multipartner_partner_app;
GRANT SELECT ON multipartner.audit_log TO multipartner_partner_app;

-- Customer applications: accept, decline, revoke.
GRANT SELECT ON multipartner.partner, multipartner.customer,
      multipartner.customer_member, multipartner.relationship
    TO multipartner_customer_app;
GRANT SELECT ON multipartner.audit_log TO multipartner_customer_app;
GRANT SELECT ON multipartner.subscription TO multipartner_customer_app;

-- UPDATE of every column (above) for both; on subscription for customers only
-- so that R5 answers a customer with MP002: only the partner of record
-- changes a subscription.
GRANT UPDATE (relationship_id, customer_id, partner_id, status, delegated_admin,
              requested_by, requested_at, decided_by, decided_at, ended_by, ended_at)
   ON multipartner.relationship TO multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (subscription_id, customer_id, partner_of_record, offer_id, product_family,
              quantity, term, billing_cycle, commitment_end, auto_renew, status,
              created_at, created_by, term_start)
   ON multipartner.subscription TO multipartner_partner_app, multipartner_customer_app;

GRANT EXECUTE ON FUNCTION multipartner.acting_partner(), multipartner.is_operator(),
      multipartner.effective_status(multipartner.relationship),
      multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz),
      multipartner.member_customers(), multipartner.partner_sees_customer(uuid),
      multipartner.member_partners()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.effective_status(multipartner.subscription),
      multipartner.effective_term_start(multipartner.subscription),
      multipartner.effective_commitment_end(multipartner.subscription),
      multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text,
                                                 timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text,
                                                     timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text,
                                                         timestamptz, timestamptz, timestamptz)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.create_customer(uuid, text, multipartner.cloud),
      multipartner.request_relationship(uuid, boolean),
      multipartner.terminate_relationship(uuid),
      multipartner.terminate_relationship(uuid, uuid),
      multipartner.create_subscription(uuid, text, text, integer, text, text)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.accept_relationship(uuid),
      multipartner.accept_relationship(uuid, uuid),
      multipartner.decline_relationship(uuid),
      multipartner.decline_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.revoke_delegated_admin(uuid),
      multipartner.revoke_delegated_admin(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.check(text, uuid, uuid, uuid, uuid, integer, text, boolean, uuid, text, text)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.expire_relationships(), multipartner.lookup_counts()
    TO multipartner_operator;
GRANT EXECUTE ON FUNCTION multipartner.schema_version(), multipartner.library_version()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
-- enable_always_triggers(), bind_member_roles(integer), the trigger and event
-- trigger functions: nobody's but the owner's and superusers'.

-------------------------------------------------------------------------------
-- pg_dump keeps the rows of these tables (they are extension members).
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('multipartner.partner', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.customer', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.partner_member', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.customer_member', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.relationship', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.tenant', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.subscription', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.audit_log_event_id_seq', '');


-------------------------------------------------------------------------------
-- Row-level visibility (SPEC §7).
--
-- A partner role sees its own partner, members, relationships, the
-- customers it has relationships with, the subscriptions it is partner of
-- record of, and the audit rows about them; a customer role sees its own
-- tenant's rows; operators see everything.  Every policy compares a column
-- to a STABLE C function of the acting identity (acting_partner(),
-- member_customers(): kept per backend, see src/identity.c), called as it
-- is: partner_id = acting_partner(), customer_id = ANY (member_customers()).
-- Next to customer_id (or as the only key) the call is an index condition,
-- evaluated once at the start of the scan.  No policy holds a sub-select
-- (0.9): Citus refuses one in any policy (SPEC §11).  Until 0.9 the calls
-- were wrapped in scalar sub-selects (InitPlans), and the two policies that
-- are more than a comparison were sub-selects of relationship; they are C
-- functions of the lookup layer now, which read relationship as a
-- sub-select does (on the statement's snapshot) and give the same rows:
--   a partner's customers: partner_sees_customer(customer_id), "has the
--     acting partner a relationship with this customer", one probe of the
--     relationship's (customer_id, partner_id) index per customer row read,
--     as the correlated EXISTS it replaces did (an uncorrelated IN built a
--     hash of all of a partner's relationships for every statement:
--     measured 7.8x the cost of an unfiltered one-customer read for a
--     partner with 12,500 customers);
--   a customer's partners: partner_id = ANY (member_partners()), the
--     partners of its customers' relationships, few, read once per
--     statement over the same index, keyed by the customer.
-- They read relationship as its owner, without row security; the
-- sub-selects read it under the caller's, whose policies on relationship
-- only ever hid rows they did not ask for (another partner's, another
-- customer's), so every role sees the same rows as before.
-- member_customers() never returns NULL: a role that is no customer member
-- gets '{}', which matches no row, and so does member_partners().
--
-- Policies are TO the three roles, so other roles skip them, and FORCE ROW
-- LEVEL SECURITY makes the table owner obey them too (superusers and the
-- rules' own look-ups, which run with SECURITY_NOFORCE_RLS like foreign
-- keys, are not filtered).  restore_held has row security and no policy:
-- nobody but superusers reads it.
-------------------------------------------------------------------------------

ALTER TABLE multipartner.partner ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.relationship ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.restore_held ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner_member FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer_member FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.relationship FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.subscription FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.tenant FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.restore_held FORCE ROW LEVEL SECURITY;

-- Operators: everything (FOR ALL, so an UPDATE or DELETE the rules refuse
-- reaches the trigger and gets the rule's SQLSTATE).
CREATE POLICY operator_all ON multipartner.partner
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.customer
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.partner_member
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.customer_member
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.relationship
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.subscription
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.audit_log
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON multipartner.tenant
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);

-- Partner applications.  Partner's own row as "= ANY" of a one-element
-- array, not "=": with an equality PostgreSQL puts partner_id and
-- acting_partner() in one equivalence class, and a view that outer-joins
-- partner to a table whose policy is the same equality (admin_relationships)
-- gets a one-time filter acting_partner() = acting_partner(), which Citus
-- does not plan on PostgreSQL 15 ("outer joins and pseudoconstant quals").
-- Same rows, same index scan.
CREATE POLICY partner_own ON multipartner.partner
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) ANY (ARRAY[multipartner.acting_partner()]));
CREATE POLICY partner_own ON multipartner.partner_member
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
CREATE POLICY partner_own ON multipartner.relationship
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
CREATE POLICY partner_own ON multipartner.subscription
    FOR ALL TO multipartner_partner_app
    USING (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner());
CREATE POLICY partner_own ON multipartner.customer
    FOR SELECT TO multipartner_partner_app
    USING (multipartner.partner_sees_customer(customer_id));
-- A partner creates customers (the triggers decide whether it may).
CREATE POLICY partner_create ON multipartner.customer
    FOR INSERT TO multipartner_partner_app WITH CHECK (true);
CREATE POLICY partner_own ON multipartner.audit_log
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner()
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);

-- Customer applications.
CREATE POLICY customer_own ON multipartner.customer
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
CREATE POLICY customer_own ON multipartner.customer_member
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
CREATE POLICY customer_own ON multipartner.relationship
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
CREATE POLICY customer_own ON multipartner.subscription
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
-- the partners a customer works with, or ever asked to
CREATE POLICY customer_partners ON multipartner.partner
    FOR SELECT TO multipartner_customer_app
    USING (partner_id OPERATOR(pg_catalog.=) ANY (multipartner.member_partners()));
CREATE POLICY customer_own ON multipartner.audit_log
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers())
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);

-------------------------------------------------------------------------------
-- Views for DBAs (SPEC §6).  security_invoker: each reader sees through
-- them exactly what its role may see in the tables, counts included.
-- Every view is keyed by customer_id first, so "WHERE customer_id = ..."
-- reaches the primary key and the (customer_id, partner_id) indexes.
-------------------------------------------------------------------------------

-- Each customer with each of its active partners.  The counts come from
-- derived tables grouped by customer_id (not correlated subqueries), so that
-- on Citus a filter by customer is one task on the customer's shards.
CREATE VIEW multipartner.customer_partners WITH (security_invoker = true) AS
SELECT c.customer_id,
       c.name AS customer_name,
       c.tenant_id,
       c.cloud,
       p.partner_id,
       p.name AS partner_name,
       p.status AS partner_status,
       r.relationship_id,
       r.delegated_admin,
       r.decided_at AS active_since,
       COALESCE(ls.n, 0::bigint) AS live_subscriptions,
       COALESCE(ap.n, 0::bigint) AS active_partners
  FROM multipartner.relationship r
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN (SELECT s.customer_id, s.partner_of_record, pg_catalog.count(*) AS n
               FROM multipartner.subscription s
              WHERE s.status OPERATOR(pg_catalog.=) ANY
                    (ARRAY['active', 'suspended']::multipartner.subscription_status[])
              GROUP BY s.customer_id, s.partner_of_record) ls
         ON ls.customer_id OPERATOR(pg_catalog.=) r.customer_id
        AND ls.partner_of_record OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN (SELECT r2.customer_id, pg_catalog.count(*) AS n
               FROM multipartner.relationship r2
              WHERE r2.status OPERATOR(pg_catalog.=) 'active'
              GROUP BY r2.customer_id) ap
         ON ap.customer_id OPERATOR(pg_catalog.=) r.customer_id
 WHERE r.status OPERATOR(pg_catalog.=) 'active';

-- Each partner with each of its active customers.
CREATE VIEW multipartner.partner_customers WITH (security_invoker = true) AS
SELECT p.partner_id,
       p.name AS partner_name,
       p.cloud,
       c.customer_id,
       c.name AS customer_name,
       c.tenant_id,
       r.relationship_id,
       r.delegated_admin,
       r.decided_at AS active_since,
       (SELECT pg_catalog.count(*) FROM multipartner.subscription s
         WHERE s.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND s.partner_of_record OPERATOR(pg_catalog.=) r.partner_id
           AND s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[]))
           AS live_subscriptions
  FROM multipartner.relationship r
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
 WHERE r.status OPERATOR(pg_catalog.=) 'active';

-- Customers with more than one active partner (as far as the reader sees).
CREATE VIEW multipartner.multi_partner_customers WITH (security_invoker = true) AS
SELECT c.customer_id,
       c.name AS customer_name,
       c.tenant_id,
       c.cloud,
       pg_catalog.count(*) AS active_partners,
       pg_catalog.array_agg(p.name ORDER BY p.name) AS partner_names,
       pg_catalog.bool_or(r.delegated_admin) AS any_delegated_admin
  FROM multipartner.relationship r
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
 WHERE r.status OPERATOR(pg_catalog.=) 'active'
 GROUP BY c.customer_id, c.name, c.tenant_id, c.cloud
HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1;

-- Every subscription with its partner of record and customer, its status,
-- term and commitment as time has made them (SPEC §10, effective_*()).
CREATE VIEW multipartner.subscriptions_by_partner WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.product_family,
       s.quantity,
       s.term,
       s.billing_cycle,
       multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS status,
       s.auto_renew,
       s.created_at,
       multipartner.effective_subscription_commitment_end(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS commitment_end,
       s.created_by,
       multipartner.effective_subscription_term_start(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS term_start
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record;

-- orphaned_subscriptions: in the GDAP section below (since 0.7 it reads
-- the admin relationships too).

-- The life of each relationship, from the audit log.  customer_id is the
-- audit row's audit_key (so on Citus a filter by customer is one shard);
-- for a relationship row it always equals the row's customer_id, and
-- saying so lets a single node reach audit_log_customer_idx by it.
CREATE VIEW multipartner.relationship_history WITH (security_invoker = true) AS
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

GRANT SELECT ON multipartner.customer_partners, multipartner.partner_customers,
      multipartner.multi_partner_customers, multipartner.subscriptions_by_partner,
      multipartner.relationship_history
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-------------------------------------------------------------------------------
-- The DDL guard: a non-superuser that came to own one of the extension's
-- objects still cannot disable or drop its triggers, drop or alter its
-- policies, or turn row security off.
-------------------------------------------------------------------------------

CREATE EVENT TRIGGER multipartner_ddl_guard ON ddl_command_end
    EXECUTE FUNCTION multipartner.ddl_guard();
CREATE EVENT TRIGGER multipartner_drop_guard ON sql_drop
    EXECUTE FUNCTION multipartner.ddl_guard();
-- fire also under session_replication_role = replica
ALTER EVENT TRIGGER multipartner_ddl_guard ENABLE ALWAYS;
ALTER EVENT TRIGGER multipartner_drop_guard ENABLE ALWAYS;

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
    'refusal: a write or action a rule refused; lookup: a question a rule asked of the tables, answered on one path; dry_run (since 0.9): a refusal under multipartner.dry_run, which multipartner.check() carries to the Citus workers with its dry run''s statements';
COMMENT ON COLUMN multipartner.refusals.name IS
    'for a refusal or a dry run the rule: R2 to R20 of the rules, identity, suspended, lifecycle, recorded, audit or guard; for a lookup its name; overflow for what came when every counter was taken';
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
-- drop every row of the extension's tables, the audit log included.  They
-- are refused (2BP01) while any of those tables holds a row, unless a
-- superuser has set multipartner.allow_drop_with_data to on.  It fires at
-- the start of the command, before anything is dropped.
-------------------------------------------------------------------------------

CREATE EVENT TRIGGER multipartner_data_guard ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION multipartner.data_guard();
ALTER EVENT TRIGGER multipartner_data_guard ENABLE ALWAYS;

-------------------------------------------------------------------------------
-- Granular delegated admin (GDAP, SPEC §9; since 0.7, issue 13).
--
-- A partner asks a customer for a set of Microsoft Entra built-in roles
-- (admin_role) for a fixed number of days (admin_relationship); the
-- customer's global admin approves; the partner assigns subsets of those
-- roles to its own members (access_assignment).  The rules R14-R20 are the
-- C triggers of src/gdap.c; the API below only writes rows.  Time-driven
-- states read through effective_status()/effective_end_at() (SPEC §10).
-------------------------------------------------------------------------------

CREATE TYPE multipartner.admin_relationship_status AS ENUM
    ('created', 'approval_pending', 'active', 'declined', 'expired', 'terminated');
CREATE TYPE multipartner.access_assignment_status AS ENUM ('active', 'ended');

/*
 * The Entra built-in roles an admin relationship may carry, by template id.
 * A small reference table (SPEC §8); operators add roles, nobody deletes or
 * renames one.
 */
CREATE TABLE multipartner.admin_role (
    role_id      uuid NOT NULL,
    name         text NOT NULL,
    global_admin boolean NOT NULL DEFAULT false,
    CONSTRAINT admin_role_pkey PRIMARY KEY (role_id),
    CONSTRAINT admin_role_name_key UNIQUE (name),
    CONSTRAINT admin_role_name_check
        CHECK (pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 256)
);

/*
 * Template ids checked against Microsoft's Entra built-in roles reference
 * (MicrosoftDocs/entra-docs, permissions-reference.md).
 */
INSERT INTO multipartner.admin_role (role_id, name, global_admin) VALUES
    ('62e90394-69f5-4237-9190-012177145e10', 'Global Administrator', true),
    ('f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'Global Reader', false),
    ('fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator', false),
    ('729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator', false),
    ('b0f54661-2d74-4c50-afa3-1ec803f12efe', 'Billing Administrator', false),
    ('4d6ac14f-3453-41d0-bef9-a3e0c569773a', 'License Administrator', false),
    ('29232cdf-9323-42fd-ade2-1d097af3e4de', 'Exchange Administrator', false),
    ('f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'SharePoint Administrator', false),
    ('69091246-20e8-4a56-aa4d-066075b2a7a8', 'Teams Administrator', false),
    ('3a2c62db-5318-420d-8d74-23affee5d9d5', 'Intune Administrator', false),
    ('194ae4cb-b126-40b2-bd5b-6091b380977d', 'Security Administrator', false),
    ('5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader', false),
    ('e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator', false),
    ('88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'Directory Readers', false),
    ('f023fd81-a637-4b56-95fd-791ac0226033', 'Service Support Administrator', false),
    ('7698a772-787b-4ac8-901f-60d6b08affd2', 'Cloud Device Administrator', false),
    ('9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', 'Application Administrator', false);

/*
 * An admin relationship.  Keyed by customer_id (SPEC §8: in every unique
 * key); the API looks rows up by id alone through admin_relationship_id_idx,
 * and the insert trigger refuses a reused id (23505).  display_name is
 * unique per partner (R15), checked by the trigger under a transaction
 * advisory lock on (partner_id, display_name), through
 * admin_relationship_partner_name_idx.
 */
CREATE TABLE multipartner.admin_relationship (
    admin_relationship_id uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    customer_id  uuid NOT NULL,
    partner_id   uuid NOT NULL,
    display_name text NOT NULL,
    roles        uuid[] NOT NULL,
    duration     interval NOT NULL DEFAULT '730 days',
    auto_extend  boolean NOT NULL DEFAULT false,
    status       multipartner.admin_relationship_status NOT NULL DEFAULT 'created',
    created_by   name NOT NULL DEFAULT CURRENT_USER,
    -- no default (0.9): the guard trigger writes the statement's time over a NULL
    -- on the node that judges the row (on Citus a default is the coordinator's)
    created_at   timestamptz NOT NULL,
    requested_at timestamptz,
    decided_by   name,
    decided_at   timestamptz,
    activated_at timestamptz,
    end_at       timestamptz,
    ended_by     name,
    ended_at     timestamptz,
    CONSTRAINT admin_relationship_pkey PRIMARY KEY (customer_id, admin_relationship_id),
    CONSTRAINT admin_relationship_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES multipartner.customer (customer_id),
    CONSTRAINT admin_relationship_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES multipartner.partner (partner_id)
);
CREATE INDEX admin_relationship_id_idx
    ON multipartner.admin_relationship (admin_relationship_id);
CREATE INDEX admin_relationship_partner_name_idx
    ON multipartner.admin_relationship (partner_id, display_name);
CREATE INDEX admin_relationship_partner_id_idx
    ON multipartner.admin_relationship (partner_id);

/*
 * A partner member's share of an admin relationship's roles.  partner_id is
 * not in SPEC §9's column list: it is the relationship's, copied by the
 * trigger and immutable, so that the partner's row policy needs no subquery
 * (SPEC §8).
 */
CREATE TABLE multipartner.access_assignment (
    access_assignment_id  uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    admin_relationship_id uuid NOT NULL,
    customer_id  uuid NOT NULL,
    partner_id   uuid NOT NULL,
    grantee      regrole NOT NULL,
    roles        uuid[] NOT NULL,
    status       multipartner.access_assignment_status NOT NULL DEFAULT 'active',
    created_by   name NOT NULL DEFAULT CURRENT_USER,
    -- no default (0.9): the guard trigger writes the statement's time over a NULL
    -- on the node that judges the row (on Citus a default is the coordinator's)
    created_at   timestamptz NOT NULL,
    ended_by     name,
    ended_at     timestamptz,
    CONSTRAINT access_assignment_pkey PRIMARY KEY (customer_id, access_assignment_id),
    CONSTRAINT access_assignment_admin_relationship_fkey
        FOREIGN KEY (customer_id, admin_relationship_id)
        REFERENCES multipartner.admin_relationship (customer_id, admin_relationship_id)
);
-- R19: at most one active assignment per (relationship, grantee)
CREATE UNIQUE INDEX access_assignment_active_key
    ON multipartner.access_assignment (customer_id, admin_relationship_id, grantee)
    WHERE status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status;
CREATE INDEX access_assignment_id_idx
    ON multipartner.access_assignment (access_assignment_id);
CREATE INDEX access_assignment_grantee_idx
    ON multipartner.access_assignment (customer_id, grantee)
    WHERE status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status;
CREATE INDEX access_assignment_partner_id_idx
    ON multipartner.access_assignment (partner_id);

CREATE FUNCTION multipartner.admin_role_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mp_admin_role_guard'
LANGUAGE C;
CREATE FUNCTION multipartner.admin_relationship_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mp_admin_relationship_guard'
LANGUAGE C;
CREATE FUNCTION multipartner.access_assignment_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mp_access_assignment_guard'
LANGUAGE C;

CREATE TRIGGER admin_role_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_role
    FOR EACH ROW EXECUTE FUNCTION multipartner.admin_role_guard();
CREATE TRIGGER admin_role_forbid_truncate
    BEFORE TRUNCATE ON multipartner.admin_role
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER admin_relationship_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.admin_relationship_guard();
CREATE TRIGGER admin_relationship_forbid_truncate
    BEFORE TRUNCATE ON multipartner.admin_relationship
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER access_assignment_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.access_assignment
    FOR EACH ROW EXECUTE FUNCTION multipartner.access_assignment_guard();
CREATE TRIGGER access_assignment_forbid_truncate
    BEFORE TRUNCATE ON multipartner.access_assignment
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_role
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit_identity
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.access_assignment
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit_identity();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.admin_role
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.admin_relationship
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();
CREATE TRIGGER audit
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.access_assignment
    FOR EACH ROW EXECUTE FUNCTION multipartner.audit();

ALTER TABLE multipartner.admin_role ENABLE ALWAYS TRIGGER admin_role_guard;
ALTER TABLE multipartner.admin_role ENABLE ALWAYS TRIGGER admin_role_forbid_truncate;
ALTER TABLE multipartner.admin_role ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.admin_role ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.admin_relationship ENABLE ALWAYS TRIGGER admin_relationship_guard;
ALTER TABLE multipartner.admin_relationship ENABLE ALWAYS TRIGGER admin_relationship_forbid_truncate;
ALTER TABLE multipartner.admin_relationship ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.admin_relationship ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.access_assignment ENABLE ALWAYS TRIGGER access_assignment_guard;
ALTER TABLE multipartner.access_assignment ENABLE ALWAYS TRIGGER access_assignment_forbid_truncate;
ALTER TABLE multipartner.access_assignment ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.access_assignment ENABLE ALWAYS TRIGGER audit;
-- Restore order: a restore-mode load of admin relationships puts back the
-- access assignments held for them (restore_held; src/restore.c).
CREATE TRIGGER restore_release
    AFTER INSERT ON multipartner.admin_relationship
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.restore_release();
ALTER TABLE multipartner.admin_relationship ENABLE ALWAYS TRIGGER restore_release;

-- the new foreign keys' internal triggers, ENABLE ALWAYS like the others
DO $fk_always_gdap$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
          FROM pg_catalog.pg_trigger tg
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND tg.tgisinternal
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END LOOP;
END
$fk_always_gdap$;

-- The API (C, SECURITY INVOKER: the triggers decide).
CREATE FUNCTION multipartner.create_admin_relationship(customer_id uuid, display_name text,
                                                       roles text[],
                                                       duration interval DEFAULT '730 days',
                                                       auto_extend boolean DEFAULT false)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_create_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.request_admin_approval(admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_request_admin_approval'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.approve_admin_relationship(admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_approve_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.decline_admin_relationship(admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.terminate_admin_relationship(admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.assign_admin_access(admin_relationship_id uuid, grantee regrole,
                                                 roles text[])
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_assign_admin_access'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.end_admin_access(access_assignment_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_end_admin_access'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

-- The same with the customer first (0.9): every statement names the customer
-- (on Citus one shard); an id that is not the customer's does not exist.
CREATE FUNCTION multipartner.request_admin_approval(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_request_admin_approval_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.approve_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_approve_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.decline_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.terminate_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.assign_admin_access(customer_id uuid, admin_relationship_id uuid,
                                                 grantee regrole, roles text[])
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_assign_admin_access_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.end_admin_access(customer_id uuid, access_assignment_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_end_admin_access_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

/*
 * What time has made of an admin relationship (SPEC §10), at the
 * statement's clock: a request pending 90 days has expired, an active one
 * past end_at has expired, or with auto_extend runs on in steps of 180
 * days.  The day arithmetic is timestamptz + interval's, as for relationship
 * requests (effective_status(relationship)) and end_at = activated_at +
 * duration in the trigger; the 90 days are MP_REQUEST_LIFETIME_DAYS too.
 * effective_admin_relationship_status()/_end_at() take the columns (what
 * the views, effective_admin_roles() and run_maintenance() call: a
 * whole-row argument does not survive Citus), effective_status() and
 * effective_end_at() the row.
 */
CREATE FUNCTION multipartner.effective_admin_relationship_status(
    status multipartner.admin_relationship_status, requested_at timestamptz,
    auto_extend boolean, end_at timestamptz)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status
                AND $2 OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.admin_relationship_status
           WHEN $1 OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND NOT $3
                AND $4 OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN 'expired'::multipartner.admin_relationship_status
           ELSE $1
           END
$$;
CREATE FUNCTION multipartner.effective_admin_relationship_end_at(
    status multipartner.admin_relationship_status, auto_extend boolean, end_at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND $2
                AND $3 OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN (SELECT pg_catalog.min(x.e)
                   FROM (SELECT $3 OPERATOR(pg_catalog.+)
                                (interval '180 days' OPERATOR(pg_catalog.*) k.k) AS e
                           FROM (SELECT pg_catalog.floor(pg_catalog.date_part('epoch',
                                            GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                                            OPERATOR(pg_catalog.-) $3)
                                        OPERATOR(pg_catalog./) 15552000::double precision)::integer AS k0) f,
                                pg_catalog.generate_series(GREATEST(f.k0, 1), f.k0 OPERATOR(pg_catalog.+) 2) AS k(k)
                         ) x
                  WHERE x.e OPERATOR(pg_catalog.>)
                        GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))
           ELSE $3
           END
$$;
CREATE FUNCTION multipartner.effective_status(multipartner.admin_relationship)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_status($1.status, $1.requested_at,
                                                             $1.auto_extend, $1.end_at)
$$;
CREATE FUNCTION multipartner.effective_end_at(multipartner.admin_relationship)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_end_at($1.status, $1.auto_extend, $1.end_at)
$$;

/*
 * The admin roles the acting role holds at the customer now (SPEC §9): from
 * its active assignments on effectively active admin relationships, the
 * assignment's roles that the relationship still holds; from DAP only when
 * it has no such assignment there (GDAP takes precedence): Global
 * Administrator for an admin_agent, Helpdesk Administrator for a
 * helpdesk_agent of the acting partner, while that partner's reseller
 * relationship with the customer is effectively active with delegated admin.
 * A role that may not read partner_member (a customer's) holds none; a NULL
 * customer_id is 22004.  Row security applies (SECURITY INVOKER).
 */
CREATE FUNCTION multipartner.effective_admin_roles(customer_id uuid)
RETURNS TABLE (role_id uuid, role_name text, source text,
               admin_relationship_id uuid, until timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    IF $1 IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
              MESSAGE = 'customer_id must not be null';
    END IF;
    -- a role that may not read partner_member (a customer's) is no
    -- partner's member: it holds no partner admin role
    IF NOT pg_catalog.has_table_privilege('multipartner.partner_member', 'SELECT') THEN
        RETURN;
    END IF;
    -- GDAP takes precedence: a role with an active assignment on an
    -- effectively active admin relationship at the customer gets no DAP
    -- role, even when the assignment's roles have all left the
    -- relationship's (Global Administrator removed) and it grants nothing
    RETURN QUERY
        WITH assigned AS (
            SELECT a.roles AS assigned_roles, r.admin_relationship_id, r.roles AS rel_roles,
                   multipartner.effective_admin_relationship_end_at(r.status, r.auto_extend, r.end_at) AS until
              FROM multipartner.access_assignment a
              JOIN multipartner.admin_relationship r
                ON r.customer_id OPERATOR(pg_catalog.=) a.customer_id
               AND r.admin_relationship_id OPERATOR(pg_catalog.=) a.admin_relationship_id
             WHERE a.customer_id OPERATOR(pg_catalog.=) $1
               AND a.grantee OPERATOR(pg_catalog.=) (SELECT pg_catalog.to_regrole(CURRENT_USER::pg_catalog.text))
               AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status
               AND multipartner.effective_admin_relationship_status(r.status, r.requested_at, r.auto_extend, r.end_at) OPERATOR(pg_catalog.=)
                   'active'::multipartner.admin_relationship_status
        ), gdap AS (
            SELECT ar.role_id, ar.name AS role_name, 'gdap'::pg_catalog.text AS source,
                   x.admin_relationship_id, x.until
              FROM assigned x
              JOIN multipartner.admin_role ar
                ON ar.role_id OPERATOR(pg_catalog.=) ANY (x.assigned_roles)
               AND ar.role_id OPERATOR(pg_catalog.=) ANY (x.rel_roles)
        ), dap AS (
            SELECT ar.role_id, ar.name AS role_name, 'dap'::pg_catalog.text AS source,
                   NULL::uuid AS admin_relationship_id, NULL::timestamptz AS until
              FROM multipartner.partner_member m
              JOIN multipartner.admin_role ar
                ON ar.role_id OPERATOR(pg_catalog.=) CASE m.role
                       WHEN 'admin_agent' THEN '62e90394-69f5-4237-9190-012177145e10'::uuid
                       WHEN 'helpdesk_agent' THEN '729827e3-9c14-49f7-bb1b-9608f156bbb8'::uuid
                   END
             WHERE m.member OPERATOR(pg_catalog.=) (SELECT pg_catalog.to_regrole(CURRENT_USER::pg_catalog.text))
               AND m.partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner())
               AND EXISTS (SELECT FROM multipartner.relationship rel
                            WHERE rel.customer_id OPERATOR(pg_catalog.=) $1
                              AND rel.partner_id OPERATOR(pg_catalog.=) m.partner_id
                              AND rel.status OPERATOR(pg_catalog.=) 'active'::multipartner.relationship_status
                              AND rel.delegated_admin)
               AND NOT EXISTS (SELECT FROM assigned)
        )
        SELECT DISTINCT ON (x.role_id, x.source, x.admin_relationship_id) x.*
          FROM (SELECT * FROM gdap UNION ALL SELECT * FROM dap) x
         ORDER BY x.role_id, x.source, x.admin_relationship_id;
END
$fn$;


-- Each admin relationship with its effective status and end and its role
-- names (SPEC §9); row security of the tables applies (security_invoker).
-- Joins, not correlated subqueries, so that on Citus a filter by customer
-- is one task: the role names by a LATERAL over admin_role (a reference
-- table, so Citus routes it), the assignments counted in a derived table
-- grouped by customer_id.
CREATE VIEW multipartner.admin_relationships WITH (security_invoker = true) AS
SELECT r.admin_relationship_id,
       r.customer_id,
       c.name AS customer_name,
       r.partner_id,
       p.name AS partner_name,
       r.display_name,
       r.status,
       multipartner.effective_admin_relationship_status(r.status, r.requested_at, r.auto_extend, r.end_at) AS effective_status,
       r.end_at,
       multipartner.effective_admin_relationship_end_at(r.status, r.auto_extend, r.end_at) AS effective_end_at,
       r.auto_extend,
       COALESCE(rn.role_names, '{}'::text[]) AS role_names,
       COALESCE(aa.n, 0::bigint) AS active_assignments
  FROM multipartner.admin_relationship r
  LEFT JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  LEFT JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN LATERAL (SELECT pg_catalog.array_agg(ar.name ORDER BY ar.name) AS role_names
                       FROM multipartner.admin_role ar
                      WHERE ar.role_id OPERATOR(pg_catalog.=) ANY (r.roles)) rn ON true
  LEFT JOIN (SELECT a.customer_id, a.admin_relationship_id, pg_catalog.count(*) AS n
               FROM multipartner.access_assignment a
              WHERE a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status
              GROUP BY a.customer_id, a.admin_relationship_id) aa
         ON aa.customer_id OPERATOR(pg_catalog.=) r.customer_id
        AND aa.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id;

REVOKE ALL ON multipartner.admin_relationships FROM PUBLIC;
GRANT SELECT ON multipartner.admin_relationships
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-- Live subscriptions whose partner of record has no active relationship
-- with delegated admin on the tenant any more, or is suspended (SPEC §6).
-- Since 0.7 "delegated admin" is either: the active relationship's DAP flag,
-- or an effectively active GDAP admin relationship of the partner with the
-- customer (effective_status(), so one past its end reads expired before
-- anything records it); 'delegated admin revoked' means neither.  The
-- admin relationships are seen through their row security
-- (security_invoker), in a derived table grouped by (customer_id,
-- partner_id) rather than an EXISTS, so that on Citus a filter by customer
-- is one task.
CREATE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.quantity,
       multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS status,
       CASE
       WHEN p.status OPERATOR(pg_catalog.=) 'suspended' THEN 'partner suspended'
       WHEN r.relationship_id IS NULL THEN 'no active relationship'
       ELSE 'delegated admin revoked'
       END AS reason
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
  LEFT JOIN multipartner.relationship r
         ON r.customer_id OPERATOR(pg_catalog.=) s.customer_id
        AND r.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
        AND r.status OPERATOR(pg_catalog.=) 'active'
  LEFT JOIN (SELECT ar.customer_id, ar.partner_id
               FROM multipartner.admin_relationship ar
              WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND multipartner.effective_admin_relationship_status(ar.status, ar.requested_at, ar.auto_extend, ar.end_at)
                    OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
              GROUP BY ar.customer_id, ar.partner_id) g
         ON g.customer_id OPERATOR(pg_catalog.=) s.customer_id
        AND g.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
 WHERE s.status OPERATOR(pg_catalog.=) ANY
       (ARRAY['active', 'suspended']::multipartner.subscription_status[])
   AND multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end)
       OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended']::multipartner.subscription_status[])
   AND (p.status OPERATOR(pg_catalog.=) 'suspended'
        OR r.relationship_id IS NULL
        OR NOT (r.delegated_admin OR g.customer_id IS NOT NULL));
GRANT SELECT ON multipartner.orphaned_subscriptions
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

REVOKE ALL ON multipartner.admin_role, multipartner.admin_relationship,
      multipartner.access_assignment
    FROM PUBLIC;
REVOKE ALL ON FUNCTION
      multipartner.admin_role_guard(), multipartner.admin_relationship_guard(),
      multipartner.access_assignment_guard(),
      multipartner.create_admin_relationship(uuid, text, text[], interval, boolean),
      multipartner.request_admin_approval(uuid), multipartner.approve_admin_relationship(uuid),
      multipartner.decline_admin_relationship(uuid), multipartner.terminate_admin_relationship(uuid),
      multipartner.assign_admin_access(uuid, regrole, text[]), multipartner.end_admin_access(uuid),
      multipartner.request_admin_approval(uuid, uuid), multipartner.approve_admin_relationship(uuid, uuid),
      multipartner.decline_admin_relationship(uuid, uuid),
      multipartner.terminate_admin_relationship(uuid, uuid),
      multipartner.assign_admin_access(uuid, uuid, regrole, text[]),
      multipartner.end_admin_access(uuid, uuid),
      multipartner.effective_status(multipartner.admin_relationship),
      multipartner.effective_end_at(multipartner.admin_relationship),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz),
      multipartner.effective_admin_roles(uuid)
    FROM PUBLIC;

-- Operators: every privilege, so that R10/R20 (MP007) and R12 (MP008) are
-- the triggers' answers; which writes they may make is the rules' answer.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
   ON multipartner.admin_role, multipartner.admin_relationship, multipartner.access_assignment
   TO multipartner_operator;
-- Applications: read the roles; write admin relationships and assignments
-- (UPDATE column by column, see above: no LOCK TABLE).
GRANT SELECT ON multipartner.admin_role TO multipartner_partner_app, multipartner_customer_app;
GRANT SELECT, INSERT ON multipartner.admin_relationship, multipartner.access_assignment
   TO multipartner_partner_app;
GRANT SELECT ON multipartner.admin_relationship, multipartner.access_assignment
   TO multipartner_customer_app;
GRANT UPDATE (admin_relationship_id, customer_id, partner_id, display_name, roles, duration,
              auto_extend, status, created_by, created_at, requested_at, decided_by,
              decided_at, activated_at, end_at, ended_by, ended_at)
   ON multipartner.admin_relationship TO multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee,
              roles, status, created_by, created_at, ended_by, ended_at)
   ON multipartner.access_assignment TO multipartner_partner_app;

GRANT EXECUTE ON FUNCTION
      multipartner.effective_status(multipartner.admin_relationship),
      multipartner.effective_end_at(multipartner.admin_relationship),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz),
      multipartner.effective_admin_roles(uuid),
      multipartner.terminate_admin_relationship(uuid),
      multipartner.terminate_admin_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.create_admin_relationship(uuid, text, text[], interval, boolean),
      multipartner.request_admin_approval(uuid),
      multipartner.request_admin_approval(uuid, uuid),
      multipartner.assign_admin_access(uuid, regrole, text[]),
      multipartner.assign_admin_access(uuid, uuid, regrole, text[]),
      multipartner.end_admin_access(uuid),
      multipartner.end_admin_access(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.approve_admin_relationship(uuid),
      multipartner.approve_admin_relationship(uuid, uuid),
      multipartner.decline_admin_relationship(uuid),
      multipartner.decline_admin_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_customer_app;

-- pg_dump keeps their rows; of admin_role only the roles operators added
-- (the seeded ones come from CREATE EXTENSION).
SELECT pg_catalog.pg_extension_config_dump('multipartner.admin_role',
    $$WHERE role_id NOT IN ('62e90394-69f5-4237-9190-012177145e10', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'fe930be7-5e62-47db-91af-98c3a49a38b1', '729827e3-9c14-49f7-bb1b-9608f156bbb8', 'b0f54661-2d74-4c50-afa3-1ec803f12efe', '4d6ac14f-3453-41d0-bef9-a3e0c569773a', '29232cdf-9323-42fd-ade2-1d097af3e4de', 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', '69091246-20e8-4a56-aa4d-066075b2a7a8', '3a2c62db-5318-420d-8d74-23affee5d9d5', '194ae4cb-b126-40b2-bd5b-6091b380977d', '5d6b6bb7-de71-4623-b4af-96380a352509', 'e8611ab8-c189-46e8-94e1-60213ab1f814', '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'f023fd81-a637-4b56-95fd-791ac0226033', '7698a772-787b-4ac8-901f-60d6b08affd2', '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3')$$);
SELECT pg_catalog.pg_extension_config_dump('multipartner.admin_relationship', '');
SELECT pg_catalog.pg_extension_config_dump('multipartner.access_assignment', '');

-- Row security: operators all; a partner its own (by partner_id), a
-- customer its tenant's (by customer_id); the roles are everyone's to read.
ALTER TABLE multipartner.admin_role ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.admin_relationship ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.access_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.admin_role FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.admin_relationship FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.access_assignment FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_all ON multipartner.admin_role
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY everyone_reads ON multipartner.admin_role
    FOR SELECT TO multipartner_partner_app, multipartner_customer_app USING (true);
CREATE POLICY operator_all ON multipartner.admin_relationship
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY partner_own ON multipartner.admin_relationship
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
CREATE POLICY customer_own ON multipartner.admin_relationship
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
CREATE POLICY operator_all ON multipartner.access_assignment
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY partner_own ON multipartner.access_assignment
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
CREATE POLICY customer_own ON multipartner.access_assignment
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));

-------------------------------------------------------------------------------
-- R15 on Citus (since 0.9, issue 15): the claims of display names.  On a
-- distributed install admin_relationship is split by customer, so no shard
-- holds all of a partner's names and no lock of one node serializes their
-- writers.  There this table is a reference table (a placement on every
-- node): create_admin_relationship() and rename_admin_relationship() claim
-- the name, as the caller, before the admin relationship is written with
-- it; its primary key makes the second writer of a name wait for the
-- first; a claim passes to another admin relationship of the partner only
-- once its holder has another name (the claim's trigger asks the node
-- holding the holder's shard); and the admin relationship's trigger
-- requires the claim of its name in its node's placement (another
-- relationship's: R15's 23505; none: 42501).  On a single node the table stays empty (its trigger refuses
-- claims there) and R15 reads admin_relationship itself.  distribute()
-- fills it from admin_relationship.
-------------------------------------------------------------------------------
CREATE TABLE multipartner.admin_relationship_name (
    partner_id            uuid NOT NULL,
    display_name          text NOT NULL,
    customer_id           uuid NOT NULL,
    admin_relationship_id uuid NOT NULL,
    CONSTRAINT admin_relationship_name_pkey PRIMARY KEY (partner_id, display_name)
);
SELECT pg_catalog.pg_extension_config_dump('multipartner.admin_relationship_name', '');

CREATE FUNCTION multipartner.admin_relationship_name_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mp_admin_relationship_name_guard'
LANGUAGE C;
CREATE TRIGGER admin_relationship_name_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_relationship_name
    FOR EACH ROW EXECUTE FUNCTION multipartner.admin_relationship_name_guard();
CREATE TRIGGER admin_relationship_name_forbid_truncate
    BEFORE TRUNCATE ON multipartner.admin_relationship_name
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
ALTER TABLE multipartner.admin_relationship_name ENABLE ALWAYS TRIGGER admin_relationship_name_guard;
ALTER TABLE multipartner.admin_relationship_name ENABLE ALWAYS TRIGGER admin_relationship_name_forbid_truncate;

ALTER TABLE multipartner.admin_relationship_name ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.admin_relationship_name FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_reads ON multipartner.admin_relationship_name
    FOR SELECT TO multipartner_operator USING (true);
CREATE POLICY partner_own ON multipartner.admin_relationship_name
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
REVOKE ALL ON multipartner.admin_relationship_name FROM PUBLIC;
REVOKE ALL ON FUNCTION multipartner.admin_relationship_name_guard() FROM PUBLIC;
GRANT SELECT ON multipartner.admin_relationship_name TO multipartner_operator;
GRANT SELECT, INSERT ON multipartner.admin_relationship_name TO multipartner_partner_app;
-- (column by column, as everywhere: no LOCK TABLE)
GRANT UPDATE (customer_id, admin_relationship_id) ON multipartner.admin_relationship_name
   TO multipartner_partner_app;

CREATE FUNCTION multipartner.rename_admin_relationship(customer_id uuid, admin_relationship_id uuid,
                                                       display_name text)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_rename_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

COMMENT ON TABLE multipartner.admin_relationship_name IS
    'R15 on Citus: the claim of each display name of a partner''s admin relationships (a reference table there; empty on a single node)';
COMMENT ON COLUMN multipartner.admin_relationship_name.partner_id IS
    'the partner whose name it is (filled in with the acting partner)';
COMMENT ON COLUMN multipartner.admin_relationship_name.display_name IS
    'the display name, unique per partner';
COMMENT ON COLUMN multipartner.admin_relationship_name.customer_id IS
    'the customer of the admin relationship that holds the name';
COMMENT ON COLUMN multipartner.admin_relationship_name.admin_relationship_id IS
    'the admin relationship that holds the name';
COMMENT ON FUNCTION multipartner.admin_relationship_name_guard() IS
    'R14/R15 on Citus: claims are made by the partner''s global_admin or admin_agent, never deleted, passed on only once their holder has another name';
COMMENT ON TRIGGER admin_relationship_name_guard ON multipartner.admin_relationship_name IS
    'who claims a display name; a claim is never deleted and passes to another admin relationship only once its holder has another name';
COMMENT ON TRIGGER admin_relationship_name_forbid_truncate ON multipartner.admin_relationship_name IS
    'R10: TRUNCATE is refused';
COMMENT ON POLICY operator_reads ON multipartner.admin_relationship_name IS
    'operators read every claim';
COMMENT ON POLICY partner_own ON multipartner.admin_relationship_name IS
    'a partner application claims and sees its acting partner''s names';
COMMENT ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text) IS
    'gives the admin relationship of this customer a new display name (while created, by the partner''s global_admin or admin_agent; R15, R16); on Citus it claims the new name first';

-------------------------------------------------------------------------------
-- Time (SPEC §10; since 0.8, issue 14): what run_maintenance() records and
-- the notices it sends.  The rules never wait for it: they read the
-- effective state (effective_*()); it writes down what is due, each change
-- through the triggers with its audit row, and sends each notice once.
-------------------------------------------------------------------------------

-- A run finds what is due by these partial indexes alone, so it costs what
-- is due (and what ends within 30 days without renewing), not the tables.
CREATE INDEX relationship_pending_idx
    ON multipartner.relationship (requested_at)
    WHERE status OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status;
CREATE INDEX admin_relationship_pending_idx
    ON multipartner.admin_relationship (requested_at)
    WHERE status OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status;
CREATE INDEX admin_relationship_active_end_idx
    ON multipartner.admin_relationship (end_at)
    WHERE status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status;
CREATE INDEX subscription_ending_idx
    ON multipartner.subscription (commitment_end)
    WHERE status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
       OR (status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
           AND NOT auto_renew);

/*
 * The notices sent (SPEC §10): one row per object, end and threshold, so a
 * notice goes out once, across runs, sessions and restarts, and an end that
 * moves (auto_renew turned off in a later term) gets notices of its own.
 * Written by run_maintenance() (INSERT ... ON CONFLICT DO NOTHING: only the
 * session whose row goes in notifies).  sent_at is NULL for a threshold
 * that passed while no run was there to send it: a run sends only the
 * nearest threshold it finds passed, and remembers the wider ones.
 * Keyed by customer_id first (SPEC §8).
 */
CREATE TABLE multipartner.expiry_notice (
    customer_id  uuid NOT NULL,
    kind         text NOT NULL,
    object_id    uuid NOT NULL,
    ends_at      timestamptz NOT NULL,
    days_before  integer NOT NULL,
    partner_id   uuid NOT NULL,
    sent_at      timestamptz,
    CONSTRAINT expiry_notice_pkey
        PRIMARY KEY (customer_id, kind, object_id, ends_at, days_before),
    CONSTRAINT expiry_notice_kind_check
        CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['admin_relationship', 'subscription'])),
    CONSTRAINT expiry_notice_days_before_check
        CHECK (days_before OPERATOR(pg_catalog.=) ANY (ARRAY[30, 7, 1]))
);
REVOKE ALL ON multipartner.expiry_notice FROM PUBLIC;
GRANT SELECT, INSERT ON multipartner.expiry_notice TO multipartner_operator;
SELECT pg_catalog.pg_extension_config_dump('multipartner.expiry_notice', '');
-- Nothing forgets a notice: TRUNCATE is refused, like every table's.
CREATE TRIGGER expiry_notice_forbid_truncate
    BEFORE TRUNCATE ON multipartner.expiry_notice
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
ALTER TABLE multipartner.expiry_notice ENABLE ALWAYS TRIGGER expiry_notice_forbid_truncate;
-- Row security like every table of the extension: operators only.
ALTER TABLE multipartner.expiry_notice ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.expiry_notice FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_all ON multipartner.expiry_notice
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);

/*
 * Records what time has done (SPEC §10), one row per kind, zero counts
 * included, and sends the notices.  Every transition is an UPDATE through
 * the triggers (so it has its audit row, as the operator who runs it),
 * chosen by the partial indexes above and re-checked on the row it locks:
 * under READ COMMITTED a row another session changed first is judged again
 * as it is now (a second run finds nothing left to do; an application's
 * write that came first is seen), under REPEATABLE READ such a conflict is
 * 40001.  So each transition is recorded once, and a run that finds nothing
 * due reads next to nothing.  The clock is the statement's, as everywhere.
 *   relationship_expired        pending requests 90 days old
 *   admin_relationship_expired  approval_pending 90 days, or active past
 *                               end_at without auto_extend
 *   access_assignment_ended     the active assignments of those (the
 *                               admin_relationship trigger ends them)
 *   admin_relationship_extended active with auto_extend past end_at: end_at
 *                               moves on by 180 days, as often as due
 *   subscription_renewed        active with auto_renew past commitment_end:
 *                               the current term is recorded
 *   subscription_expired        past commitment_end without auto_renew or
 *                               while suspended
 *   notice_sent                 NOTIFY multipartner_expiring, 30, 7 and 1
 *                               days before an end without renewal
 * Operators only (EXECUTE).
 */
CREATE FUNCTION multipartner.run_maintenance()
RETURNS TABLE (kind text, count bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    t timestamptz := GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
    n_relationship bigint;
    n_expired bigint := 0;
    n_extended bigint;
    n_ended bigint := 0;
    n_renewed bigint;
    n_sub_expired bigint;
    n_notices bigint;
    n bigint;
    r record;
BEGIN
    n_relationship := multipartner.expire_relationships();

    -- admin relationships time has ended (their assignments end with them)
    FOR r IN
        SELECT ar.customer_id, ar.admin_relationship_id
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status
           AND ar.requested_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.-) interval '90 days')
        UNION ALL
        SELECT ar.customer_id, ar.admin_relationship_id
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND NOT ar.auto_extend
    LOOP
        PERFORM FROM multipartner.admin_relationship ar
          WHERE ar.customer_id OPERATOR(pg_catalog.=) r.customer_id
            AND ar.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
            AND ar.status OPERATOR(pg_catalog.=) ANY
                ('{approval_pending,active}'::multipartner.admin_relationship_status[])
            AND multipartner.effective_admin_relationship_status(ar.status, ar.requested_at, ar.auto_extend, ar.end_at) OPERATOR(pg_catalog.=)
                'expired'::multipartner.admin_relationship_status
          FOR UPDATE;
        CONTINUE WHEN NOT FOUND;
        SELECT pg_catalog.count(*) INTO n
          FROM multipartner.access_assignment a
         WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND a.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
           AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status;
        UPDATE multipartner.admin_relationship ar
           SET status = 'expired'
         WHERE ar.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND ar.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id;
        n_expired := n_expired OPERATOR(pg_catalog.+) 1;
        -- the assignments its trigger ended (the row lock keeps new ones out)
        n_ended := n_ended OPERATOR(pg_catalog.+) n OPERATOR(pg_catalog.-)
                   (SELECT pg_catalog.count(*)
                      FROM multipartner.access_assignment a
                     WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
                       AND a.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
                       AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status);
    END LOOP;

    -- auto-extended admin relationships: the write leaves end_at as it
    -- is recorded and the trigger moves it on as effective_end_at() reads
    -- (gdap.c), so the new end is computed once, where the row is (a STABLE
    -- function of the row's columns in SET is refused on Citus, 0A000)
    WITH x AS (
        UPDATE multipartner.admin_relationship ar
           SET end_at = ar.end_at
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND ar.auto_extend
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_extended FROM x;

    -- subscriptions: renewed terms, then expiries; as above, the write
    -- leaves the term as recorded and the trigger writes the current one
    -- (subscription.c, term.c)
    WITH x AS (
        UPDATE multipartner.subscription s
           SET term_start = s.term_start
         WHERE s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[])
           AND s.commitment_end OPERATOR(pg_catalog.<=) t
           AND s.status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
           AND s.auto_renew
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_renewed FROM x;
    WITH x AS (
        UPDATE multipartner.subscription s
           SET status = 'expired'
         WHERE s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[])
           AND s.commitment_end OPERATOR(pg_catalog.<=) t
           AND (s.status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
                OR NOT s.auto_renew)
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_sub_expired FROM x;

    -- notices: what ends within 30 days without renewing, once per
    -- threshold; only the nearest threshold passed is sent
    WITH ending AS (
        SELECT 'admin_relationship'::pg_catalog.text AS kind, ar.admin_relationship_id AS id,
               ar.customer_id, ar.partner_id, ar.end_at AS ends_at
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.>) t
           AND ar.end_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) interval '30 days')
           AND NOT ar.auto_extend
        UNION ALL
        SELECT 'subscription', s.subscription_id, s.customer_id, s.partner_of_record, s.commitment_end
          FROM multipartner.subscription s
         WHERE (s.status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
                OR (s.status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
                    AND NOT s.auto_renew))
           AND s.commitment_end OPERATOR(pg_catalog.>) t
           AND s.commitment_end OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) interval '30 days')
    ), passed AS (
        SELECT e.*, d.d AS days_before,
               d.d OPERATOR(pg_catalog.=) pg_catalog.min(d.d) OVER (PARTITION BY e.kind, e.id) AS nearest
          FROM ending e,
               LATERAL pg_catalog.unnest('{30,7,1}'::integer[]) AS d(d)
         WHERE e.ends_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) pg_catalog.make_interval(days => d.d))
    ), sent AS (
        INSERT INTO multipartner.expiry_notice AS en
               (customer_id, kind, object_id, ends_at, days_before, partner_id, sent_at)
        SELECT p.customer_id, p.kind, p.id, p.ends_at, p.days_before, p.partner_id,
               CASE WHEN p.nearest THEN t END
          FROM passed p
        ON CONFLICT DO NOTHING
        RETURNING en.*
    )
    SELECT pg_catalog.count(pg_catalog.pg_notify('multipartner_expiring',
               pg_catalog.json_build_object(
                   'kind', x.kind, 'id', x.object_id, 'customer', x.customer_id,
                   'partner', x.partner_id, 'ends_at', x.ends_at,
                   'days_left', x.days_before)::pg_catalog.text))
      INTO n_notices
      FROM sent x
     WHERE x.sent_at IS NOT NULL;

    RETURN QUERY VALUES ('access_assignment_ended'::pg_catalog.text, n_ended),
                        ('admin_relationship_expired', n_expired),
                        ('admin_relationship_extended', n_extended),
                        ('notice_sent', n_notices),
                        ('relationship_expired', n_relationship),
                        ('subscription_expired', n_sub_expired),
                        ('subscription_renewed', n_renewed);
END
$fn$;
REVOKE ALL ON FUNCTION multipartner.run_maintenance() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.run_maintenance() TO multipartner_operator;

-- What ends within 30 days without renewing (SPEC §10), for dashboards: an
-- active admin relationship without auto_extend, a subscription without
-- auto_renew or suspended.  Row security of the tables decides who sees
-- what (security_invoker).  days_left counts whole days, rounded up.
CREATE VIEW multipartner.expiring WITH (security_invoker = true) AS
SELECT 'admin_relationship'::pg_catalog.text AS kind,
       ar.admin_relationship_id AS id,
       ar.customer_id,
       ar.partner_id,
       ar.end_at AS ends_at,
       pg_catalog.ceil(pg_catalog.date_part('epoch', ar.end_at OPERATOR(pg_catalog.-)
               GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))
           OPERATOR(pg_catalog./) 86400::double precision)::integer AS days_left
  FROM multipartner.admin_relationship ar
 WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
   AND NOT ar.auto_extend
   AND ar.end_at OPERATOR(pg_catalog.>) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
   AND ar.end_at OPERATOR(pg_catalog.<=)
       (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()) OPERATOR(pg_catalog.+) interval '30 days')
UNION ALL
SELECT 'subscription',
       s.subscription_id,
       s.customer_id,
       s.partner_of_record,
       s.commitment_end,
       pg_catalog.ceil(pg_catalog.date_part('epoch', s.commitment_end OPERATOR(pg_catalog.-)
               GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))
           OPERATOR(pg_catalog./) 86400::double precision)::integer
  FROM multipartner.subscription s
 WHERE (s.status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
        OR (s.status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
            AND NOT s.auto_renew))
   AND s.commitment_end OPERATOR(pg_catalog.>) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
   AND s.commitment_end OPERATOR(pg_catalog.<=)
       (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()) OPERATOR(pg_catalog.+) interval '30 days');
REVOKE ALL ON multipartner.expiring FROM PUBLIC;
GRANT SELECT ON multipartner.expiring
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-------------------------------------------------------------------------------
-- Reference in the database: a comment on every object of the extension
-- (\dx+ multipartner, \d+ multipartner.subscription, \df+ multipartner.*,
-- \dy+), every column of its tables and views, every policy and trigger.
-- One sentence or two in PostgreSQL's catalog style: lower case, no final
-- period.  test/sql/comments.sql fails while any of them lacks one.  The
-- same section ends the install script; each upgrade step from 0.6 on ends with the comments of its objects.
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
    'licences, 1 to 1000000; may rise at any time, fall only within 168 hours of the start of the current term (R7)';
COMMENT ON COLUMN multipartner.subscription.term IS
    'the term, an ISO 8601 duration: P1M, P1Y or P3Y; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.billing_cycle IS
    'monthly, annual or triennial, never longer than the term; never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.commitment_end IS
    'the end of the current term, created_at plus the term at the sale; only a renewal moves it, one term on (R7, SPEC §10)';
COMMENT ON COLUMN multipartner.subscription.auto_renew IS
    'whether the subscription renews at commitment_end';
COMMENT ON COLUMN multipartner.subscription.status IS
    'active, suspended, cancelled or expired, as recorded; cancelling only within 168 hours of the start of the current term, cancelled and expired are final (R7); effective_status() says what time has made of it';
COMMENT ON COLUMN multipartner.subscription.created_at IS
    'when it was sold (the statement''s time); anchors every term, never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.created_by IS
    'the role that sold it';
COMMENT ON COLUMN multipartner.subscription.term_start IS
    'the start of the current term: created_at at the sale; only a renewal moves it, to the old commitment_end (R7, SPEC §10)';

COMMENT ON TABLE multipartner.audit_log IS
    'append-only record of every change to partner, customer, partner_member, customer_member, relationship, subscription, admin_role, admin_relationship and access_assignment, with the identity the rules judged; written by the audit trigger only (R10)';
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
COMMENT ON COLUMN multipartner.audit_log.audit_key IS
    'the key the row is kept by (distributed by, on Citus): customer_id for the rows of customer-keyed tables, partner_id for partner and partner_member rows, role_id for admin_role rows';
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
    'rows a restore loaded before their partner, customer or admin relationship, put back when it is loaded; empty after a complete restore';
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
COMMENT ON COLUMN multipartner.subscriptions_by_partner.status IS 'active, suspended, cancelled or expired, as time has made it (effective_status())';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.auto_renew IS 'whether it renews at commitment_end';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.created_at IS 'when it was sold';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.commitment_end IS 'the end of the current term (effective_commitment_end())';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.created_by IS 'the role that sold it';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.term_start IS 'the start of the current term (effective_term_start())';

COMMENT ON VIEW multipartner.orphaned_subscriptions IS
    'active or suspended subscriptions whose partner of record is suspended or no longer has an active relationship with delegated admin on the tenant (its DAP flag, or an effectively active GDAP admin relationship)';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.customer_name IS 'the customer''s name';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.partner_id IS 'the partner of record';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.partner_name IS 'the partner''s name';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.subscription_id IS 'the subscription';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.offer_id IS 'the offer sold';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.quantity IS 'licences';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.status IS 'active or suspended, as time has made it (effective_status())';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.reason IS
    'partner suspended, no active relationship, or delegated admin revoked (neither DAP nor an effectively active GDAP admin relationship)';

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
COMMENT ON FUNCTION multipartner.partner_sees_customer(uuid) IS
    'true when the acting partner has a relationship, of any status, with the customer (the policy partner_own of customer); false when the role acts for no partner';
COMMENT ON FUNCTION multipartner.member_partners() IS
    'the partners that have or had a relationship with a customer the current role is a member of (the policy customer_partners of partner), ''{}'' for none; read once per statement';
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
COMMENT ON FUNCTION multipartner.accept_relationship(uuid, uuid) IS
    'accept_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.decline_relationship(uuid, uuid) IS
    'decline_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.revoke_delegated_admin(uuid, uuid) IS
    'revoke_delegated_admin(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.terminate_relationship(uuid, uuid) IS
    'terminate_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.create_subscription(uuid, text, text, integer, text, text) IS
    'the acting partner sells a subscription to a customer it has an active relationship with, and becomes its partner of record (R4, R11)';
COMMENT ON FUNCTION multipartner.check(text, uuid, uuid, uuid, uuid, integer, text, boolean, uuid, text, text) IS
    'dry run: may the acting role do this action, and if not, which rule, SQLSTATE and message stop it';
COMMENT ON FUNCTION multipartner.expire_relationships() IS
    'mark every pending request older than 90 days as expired; returns how many';
COMMENT ON FUNCTION multipartner.effective_status(multipartner.relationship) IS
    'the status a relationship reads as: a pending request older than 90 days is expired even before expire_relationships() records it';
COMMENT ON FUNCTION multipartner.effective_status(multipartner.subscription) IS
    'the status a subscription reads as: past commitment_end, expired without auto_renew or while suspended, before anything records it';
COMMENT ON FUNCTION multipartner.effective_term_start(multipartner.subscription) IS
    'the start of the subscription''s current term: with auto_renew it has renewed at each commitment_end, before anything records it';
COMMENT ON FUNCTION multipartner.effective_commitment_end(multipartner.subscription) IS
    'the end of the subscription''s current term: with auto_renew one term on at each renewal, before anything records it';

-- Functions: operations

COMMENT ON FUNCTION multipartner.lookup_counts() IS
    'per backend: how many times each rule lookup and the audit insert took the direct path and the SPI path';
COMMENT ON FUNCTION multipartner.enable_always_triggers() IS
    'superusers: make every trigger of the extension''s tables (foreign keys'' included) ENABLE ALWAYS again, as after pg_upgrade; returns how many changed; on Citus this node''s tables and shards, run on every node';
COMMENT ON FUNCTION multipartner.bind_member_roles(integer) IS
    'superusers: bind the roles of member rows loaded with the triggers off to their member type, at most max_roles of them (NULL: all); returns how many it bound, 0 when none is left; on Citus per node: the customer rows of the node''s shards, a customer role with none there unbound';
COMMENT ON PROCEDURE multipartner.distribute() IS
    'superusers, on a Citus coordinator: distribute the extension''s tables (partner, partner_member, admin_role, admin_relationship_name as reference tables; the customer-keyed tables by customer, co-located) without judging or auditing their rows again; CALL it again to finish a run cut off after its commit';

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
    'trigger: in restore mode, puts back the held rows once the rows of their partner, customer or admin relationship are loaded';
COMMENT ON FUNCTION multipartner.ddl_guard() IS
    'event trigger: refuses a non-superuser''s change of the extension''s triggers, policies, row security, grants and tables';
COMMENT ON FUNCTION multipartner.data_guard() IS
    'event trigger: refuses DROP EXTENSION multipartner, DROP SCHEMA multipartner CASCADE and DROP OWNED BY its owner or the schema''s while its tables hold rows, unless multipartner.allow_drop_with_data is on';

-- Triggers

COMMENT ON TRIGGER partner_guard ON multipartner.partner IS
    'R8 on Citus: one partner per CSP tenant; R10, R12: identity never changes; deleted only by an operator, while nothing refers to it';
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

-- GDAP (since 0.7)

COMMENT ON TYPE multipartner.admin_relationship_status IS
    'an admin relationship''s status: created goes to approval_pending or terminated, approval_pending to active, declined, expired (90 days) or terminated, active to terminated or expired; declined, expired and terminated are final';
COMMENT ON TYPE multipartner.access_assignment_status IS
    'an access assignment''s status: active, or ended (final)';
COMMENT ON TABLE multipartner.admin_role IS
    'the Microsoft Entra built-in roles an admin relationship may carry, by template id; operators add roles, none is deleted or renamed (R20)';
COMMENT ON COLUMN multipartner.admin_role.role_id IS
    'the role''s Entra template id; never changes';
COMMENT ON COLUMN multipartner.admin_role.name IS
    'the role''s Entra display name, 1 to 256 characters, unique; never changes';
COMMENT ON COLUMN multipartner.admin_role.global_admin IS
    'the role is Global Administrator-like: an admin relationship holding it cannot auto-extend (R17); never changes';
COMMENT ON TABLE multipartner.admin_relationship IS
    'a granular delegated admin (GDAP) relationship: a partner''s request for a set of admin roles at a customer for a number of days, approved by the customer; never deleted (R20)';
COMMENT ON COLUMN multipartner.admin_relationship.admin_relationship_id IS
    'the admin relationship''s id; never changes';
COMMENT ON COLUMN multipartner.admin_relationship.customer_id IS
    'the customer whose tenant the roles are for; never changes';
COMMENT ON COLUMN multipartner.admin_relationship.partner_id IS
    'the partner that asks for the roles; never changes';
COMMENT ON COLUMN multipartner.admin_relationship.display_name IS
    '1 to 50 characters, unique among all the partner''s admin relationships (R15); changes only while created';
COMMENT ON COLUMN multipartner.admin_relationship.roles IS
    'the admin roles asked for (admin_role ids, non-empty, no duplicates); while active only Global Administrator may be removed (R16)';
COMMENT ON COLUMN multipartner.admin_relationship.duration IS
    'how long it lasts once approved: a whole number of days from 1 to 730';
COMMENT ON COLUMN multipartner.admin_relationship.auto_extend IS
    'at end_at it runs on by 180 days instead of expiring; refused while roles hold a global_admin role (R17)';
COMMENT ON COLUMN multipartner.admin_relationship.status IS
    'its recorded status; effective_status() says what time has made of it';
COMMENT ON COLUMN multipartner.admin_relationship.created_by IS
    'the role that created it; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.created_at IS
    'when it was created; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.requested_at IS
    'when it was submitted for approval; it expires 90 days later unless approved; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.decided_by IS
    'the customer''s role that approved or declined it; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.decided_at IS
    'when it was approved or declined; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.activated_at IS
    'when it became active; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.end_at IS
    'when it ends as recorded: activated_at plus duration, moved on by recorded extensions; effective_end_at() reads the extensions not yet recorded';
COMMENT ON COLUMN multipartner.admin_relationship.ended_by IS
    'the role that terminated it or recorded its expiry; written by the trigger';
COMMENT ON COLUMN multipartner.admin_relationship.ended_at IS
    'when it was terminated, or the time it expired; written by the trigger';
COMMENT ON TABLE multipartner.access_assignment IS
    'a partner member''s share of an active admin relationship''s roles; at most one active per relationship and grantee (R19); never deleted (R20)';
COMMENT ON COLUMN multipartner.access_assignment.access_assignment_id IS
    'the assignment''s id; never changes';
COMMENT ON COLUMN multipartner.access_assignment.admin_relationship_id IS
    'the admin relationship whose roles it hands on; never changes';
COMMENT ON COLUMN multipartner.access_assignment.customer_id IS
    'the admin relationship''s customer; never changes';
COMMENT ON COLUMN multipartner.access_assignment.partner_id IS
    'the admin relationship''s partner, copied by the trigger (for row security without a subquery); never changes';
COMMENT ON COLUMN multipartner.access_assignment.grantee IS
    'the partner member that holds the roles; never changes';
COMMENT ON COLUMN multipartner.access_assignment.roles IS
    'the roles handed on: a non-empty subset of the admin relationship''s roles, no duplicates; never changes';
COMMENT ON COLUMN multipartner.access_assignment.status IS
    'active, or ended (final)';
COMMENT ON COLUMN multipartner.access_assignment.created_by IS
    'the role that made it; written by the trigger';
COMMENT ON COLUMN multipartner.access_assignment.created_at IS
    'when it was made; written by the trigger';
COMMENT ON COLUMN multipartner.access_assignment.ended_by IS
    'the role that ended it, or that ended its admin relationship; written by the trigger';
COMMENT ON COLUMN multipartner.access_assignment.ended_at IS
    'when it ended; written by the trigger';
COMMENT ON FUNCTION multipartner.admin_role_guard() IS
    'trigger function of admin_role: operators add roles, nobody changes or deletes one (R20)';
COMMENT ON FUNCTION multipartner.admin_relationship_guard() IS
    'trigger function of admin_relationship: R14 to R18 and R20, the stamps, and the end of the assignments of a terminated one';
COMMENT ON FUNCTION multipartner.access_assignment_guard() IS
    'trigger function of access_assignment: R14''s roles, R19 and R20, and the stamps';
COMMENT ON FUNCTION multipartner.create_admin_relationship(uuid, text, text[], interval, boolean) IS
    'a partner''s new admin relationship with a customer, status created; roles by name or by id; returns its id';
COMMENT ON FUNCTION multipartner.request_admin_approval(uuid) IS
    'submits a created admin relationship to the customer: created to approval_pending';
COMMENT ON FUNCTION multipartner.approve_admin_relationship(uuid) IS
    'the customer''s global admin approves: approval_pending to active, ending after its duration';
COMMENT ON FUNCTION multipartner.decline_admin_relationship(uuid) IS
    'the customer''s global admin declines: approval_pending to declined';
COMMENT ON FUNCTION multipartner.terminate_admin_relationship(uuid) IS
    'ends an active admin relationship, or withdraws a created or pending one; its assignments end with it';
COMMENT ON FUNCTION multipartner.assign_admin_access(uuid, regrole, text[]) IS
    'hands a subset of an active admin relationship''s roles to a member of its partner; returns the assignment''s id';
COMMENT ON FUNCTION multipartner.end_admin_access(uuid) IS
    'ends an access assignment';
COMMENT ON FUNCTION multipartner.request_admin_approval(uuid, uuid) IS
    'request_admin_approval(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.approve_admin_relationship(uuid, uuid) IS
    'approve_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.decline_admin_relationship(uuid, uuid) IS
    'decline_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.terminate_admin_relationship(uuid, uuid) IS
    'terminate_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.assign_admin_access(uuid, uuid, regrole, text[]) IS
    'assign_admin_access(admin_relationship_id, grantee, roles) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.end_admin_access(uuid, uuid) IS
    'end_admin_access(access_assignment_id) for the access assignment of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.effective_status(multipartner.admin_relationship) IS
    'the status an admin relationship reads as at the statement''s time: expired once its request is 90 days old or its end passed without auto_extend';
COMMENT ON FUNCTION multipartner.effective_end_at(multipartner.admin_relationship) IS
    'the end of an admin relationship at the statement''s time: end_at, or with auto_extend the first end_at plus a multiple of 180 days still ahead';
COMMENT ON FUNCTION multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz) IS
    'effective_status(relationship) from the columns (status, requested_at): what the views call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_status(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end): what the views and lookups call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_term_start(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end)';
COMMENT ON FUNCTION multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_commitment_end(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end)';
COMMENT ON FUNCTION multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status, timestamptz, boolean, timestamptz) IS
    'effective_status(admin_relationship) from the columns (status, requested_at, auto_extend, end_at): what the views call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status, boolean, timestamptz) IS
    'effective_end_at(admin_relationship) from the columns (status, auto_extend, end_at)';
COMMENT ON FUNCTION multipartner.effective_admin_roles(uuid) IS
    'the admin roles the acting role holds at the customer now, from GDAP assignments, or from DAP where it has none there';
COMMENT ON VIEW multipartner.admin_relationships IS
    'each admin relationship the reader sees, with its effective status and end and the names of its roles';
COMMENT ON COLUMN multipartner.admin_relationships.admin_relationship_id IS 'the admin relationship';
COMMENT ON COLUMN multipartner.admin_relationships.customer_id IS 'the customer';
COMMENT ON COLUMN multipartner.admin_relationships.customer_name IS 'the customer''s name (null where the reader cannot see the customer)';
COMMENT ON COLUMN multipartner.admin_relationships.partner_id IS 'the partner that asked for the roles';
COMMENT ON COLUMN multipartner.admin_relationships.partner_name IS 'the partner''s name (null where the reader cannot see the partner)';
COMMENT ON COLUMN multipartner.admin_relationships.display_name IS 'the partner''s name for it';
COMMENT ON COLUMN multipartner.admin_relationships.status IS 'the recorded status';
COMMENT ON COLUMN multipartner.admin_relationships.effective_status IS 'the status at the statement''s time (effective_status())';
COMMENT ON COLUMN multipartner.admin_relationships.end_at IS 'the recorded end';
COMMENT ON COLUMN multipartner.admin_relationships.effective_end_at IS 'the end at the statement''s time (effective_end_at())';
COMMENT ON COLUMN multipartner.admin_relationships.auto_extend IS 'whether it extends by 180 days at its end';
COMMENT ON COLUMN multipartner.admin_relationships.role_names IS 'the names of its roles, in name order';
COMMENT ON COLUMN multipartner.admin_relationships.active_assignments IS 'how many active access assignments it has (that the reader sees)';
COMMENT ON TRIGGER admin_role_guard ON multipartner.admin_role IS
    'R20: operators add roles; no role changes or is deleted';
COMMENT ON TRIGGER admin_role_forbid_truncate ON multipartner.admin_role IS
    'R10: TRUNCATE is refused for everyone';
COMMENT ON TRIGGER audit_identity ON multipartner.admin_role IS
    'takes the statement''s identity for its audit rows';
COMMENT ON TRIGGER audit ON multipartner.admin_role IS
    'writes the audit row of each change';
COMMENT ON TRIGGER admin_relationship_guard ON multipartner.admin_relationship IS
    'R14 to R18 and R20: who, the terms, the states and the stamps of admin relationships';
COMMENT ON TRIGGER admin_relationship_forbid_truncate ON multipartner.admin_relationship IS
    'R10: TRUNCATE is refused for everyone';
COMMENT ON TRIGGER audit_identity ON multipartner.admin_relationship IS
    'takes the statement''s identity for its audit rows';
COMMENT ON TRIGGER audit ON multipartner.admin_relationship IS
    'writes the audit row of each change';
COMMENT ON TRIGGER access_assignment_guard ON multipartner.access_assignment IS
    'R14 and R19 to R20: who assigns, to whom, which roles, and the stamps';
COMMENT ON TRIGGER access_assignment_forbid_truncate ON multipartner.access_assignment IS
    'R10: TRUNCATE is refused for everyone';
COMMENT ON TRIGGER audit_identity ON multipartner.access_assignment IS
    'takes the statement''s identity for its audit rows';
COMMENT ON TRIGGER audit ON multipartner.access_assignment IS
    'writes the audit row of each change';
COMMENT ON TRIGGER restore_release ON multipartner.admin_relationship IS 'restore mode: puts back the rows held for the admin relationships loaded';
COMMENT ON POLICY operator_all ON multipartner.admin_role IS
    'operators read and add roles';
COMMENT ON POLICY everyone_reads ON multipartner.admin_role IS
    'partner and customer applications read every role';
COMMENT ON POLICY operator_all ON multipartner.admin_relationship IS
    'operators see and may write every admin relationship (the triggers decide)';
COMMENT ON POLICY partner_own ON multipartner.admin_relationship IS
    'a partner sees and writes its own admin relationships';
COMMENT ON POLICY customer_own ON multipartner.admin_relationship IS
    'a customer sees and decides the admin relationships of its tenant';
COMMENT ON POLICY operator_all ON multipartner.access_assignment IS
    'operators see every assignment and may end one';
COMMENT ON POLICY partner_own ON multipartner.access_assignment IS
    'a partner sees and writes the assignments of its own admin relationships';
COMMENT ON POLICY customer_own ON multipartner.access_assignment IS
    'a customer sees the assignments at its tenant';

-- Time (SPEC §10, since 0.8)
COMMENT ON TABLE multipartner.expiry_notice IS
    'the expiry notices run_maintenance() has sent or passed, one per object, end and threshold, so each goes out once';
COMMENT ON COLUMN multipartner.expiry_notice.customer_id IS 'the customer of the object';
COMMENT ON COLUMN multipartner.expiry_notice.kind IS 'admin_relationship or subscription';
COMMENT ON COLUMN multipartner.expiry_notice.object_id IS 'the admin relationship or subscription';
COMMENT ON COLUMN multipartner.expiry_notice.ends_at IS 'the end the notice is about';
COMMENT ON COLUMN multipartner.expiry_notice.days_before IS 'the threshold: 30, 7 or 1 days before ends_at';
COMMENT ON COLUMN multipartner.expiry_notice.partner_id IS 'the partner of the object';
COMMENT ON COLUMN multipartner.expiry_notice.sent_at IS 'when the notice was sent; null for a threshold passed together with a nearer one, which alone was sent';
COMMENT ON FUNCTION multipartner.run_maintenance() IS
    'records what time has done (expired requests, admin relationships and their assignments, auto-extensions, subscription renewals and expiries) and sends the expiry notices; one row per kind; operators only';
COMMENT ON VIEW multipartner.expiring IS
    'what ends within 30 days without renewing: active admin relationships without auto_extend, subscriptions without auto_renew or suspended, as far as the reader sees them';
COMMENT ON COLUMN multipartner.expiring.kind IS 'admin_relationship or subscription';
COMMENT ON COLUMN multipartner.expiring.id IS 'the admin relationship or subscription';
COMMENT ON COLUMN multipartner.expiring.customer_id IS 'its customer';
COMMENT ON COLUMN multipartner.expiring.partner_id IS 'its partner (of record)';
COMMENT ON COLUMN multipartner.expiring.ends_at IS 'when it ends';
COMMENT ON COLUMN multipartner.expiring.days_left IS 'whole days left, rounded up';
COMMENT ON POLICY operator_all ON multipartner.expiry_notice IS 'operators read the notices and run_maintenance() records them';
COMMENT ON TRIGGER expiry_notice_forbid_truncate ON multipartner.expiry_notice IS 'TRUNCATE is refused for everyone';
