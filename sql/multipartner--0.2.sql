/* sql/multipartner--0.2.sql: install script of multipartner 0.2 */

\echo Use "CREATE EXTENSION multipartner" to load this file. \quit

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

CREATE TABLE multipartner.partner (
    partner_id      uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    name            text NOT NULL,
    cloud           multipartner.cloud NOT NULL,
    csp_tenant_id   uuid NOT NULL,
    status          multipartner.partner_status NOT NULL DEFAULT 'active',
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
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
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT customer_pkey PRIMARY KEY (customer_id),
    CONSTRAINT customer_tenant_id_key UNIQUE (tenant_id),
    CONSTRAINT customer_name_check
        CHECK (pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
               AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 256)
);

/*
 * Which PostgreSQL roles act for which partner, and with which Partner
 * Center roles.  A role may hold several roles in one partner.
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
    requested_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
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
    created_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by        name NOT NULL DEFAULT CURRENT_USER,
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

-------------------------------------------------------------------------------
-- C functions: identity
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.acting_partner()
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_acting_partner_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION multipartner.acting_partner() IS
    'the partner the current role acts for: from partner_member, narrowed by multipartner.acting_partner; NULL when the role is no partner member';

CREATE FUNCTION multipartner.member_customers()
RETURNS uuid[]
AS 'MODULE_PATHNAME', 'mp_member_customers_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION multipartner.member_customers() IS
    'the customers the current role is a member of (customer_member), cached per transaction';

CREATE FUNCTION multipartner.is_operator()
RETURNS boolean
AS 'MODULE_PATHNAME', 'mp_is_operator_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION multipartner.is_operator() IS
    'true when the current role is a superuser or has the privileges of multipartner_operator';

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

CREATE TRIGGER partner_guard
    BEFORE UPDATE OR DELETE ON multipartner.partner
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
CREATE TRIGGER partner_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.partner_member
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.member_changed();
CREATE TRIGGER customer_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.customer_member
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.member_changed();

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
COMMENT ON FUNCTION multipartner.create_customer(uuid, text, multipartner.cloud) IS
    'create a customer; the acting partner gets an active relationship with delegated admin at once';

CREATE FUNCTION multipartner.request_relationship(customer_id uuid,
                                                  delegated_admin boolean DEFAULT true)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_request_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION multipartner.request_relationship(uuid, boolean) IS
    'the acting partner asks a customer for a relationship; pending until accepted, declined or 90 days old';

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

CREATE FUNCTION multipartner.create_subscription(customer_id uuid, offer_id text,
                                                 product_family text, quantity integer,
                                                 term text, billing_cycle text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_create_subscription'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION multipartner.create_subscription(uuid, text, text, integer, text, text) IS
    'the acting partner sells a subscription to a customer it has an active relationship with';

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
COMMENT ON FUNCTION multipartner.check(text, uuid, uuid, uuid, uuid, integer, text, boolean, uuid, text, text) IS
    'dry run: may the acting role do this action, and if not, which rule, SQLSTATE and message stop it';

CREATE FUNCTION multipartner.expire_relationships()
RETURNS bigint
AS 'MODULE_PATHNAME', 'mp_expire_relationships'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION multipartner.expire_relationships() IS
    'mark every pending request older than 90 days as expired; returns how many';

/*
 * The status a relationship reads as: a pending request older than 90 days
 * is expired even before anything has written that down.  With the
 * multipartner schema on the search_path, attribute notation works too:
 * SELECT r.effective_status FROM multipartner.relationship r.
 * The 90 days are MP_REQUEST_LIFETIME_DAYS in src/multipartner.h too.
 */
CREATE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1.status OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status
                AND $1.requested_at OPERATOR(pg_catalog.<=)
                    (pg_catalog.now() OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.relationship_status
           ELSE $1.status
           END
$$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC, then exactly what each role needs.
-------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA multipartner FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA multipartner FROM PUBLIC;

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
 * UPDATE (and DELETE where R10 refuses it anyway) is granted on whole tables
 * on purpose: which column may change, and by whom, is what the rules
 * decide, and a refused change must carry the rule's own SQLSTATE (MP003,
 * MP004, MP007, MP008 ...), not a generic 42501.
 */

-- Partner applications: create customers, request, revoke and terminate;
-- sell and manage their own subscriptions.
GRANT SELECT ON multipartner.partner, multipartner.customer,
      multipartner.partner_member, multipartner.relationship
    TO multipartner_partner_app;
GRANT INSERT ON multipartner.customer, multipartner.relationship
    TO multipartner_partner_app;
GRANT UPDATE, DELETE ON multipartner.relationship TO multipartner_partner_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON multipartner.subscription TO multipartner_partner_app;
GRANT SELECT ON multipartner.audit_log TO multipartner_partner_app;

-- Customer applications: accept, decline, revoke.
GRANT SELECT ON multipartner.partner, multipartner.customer,
      multipartner.customer_member, multipartner.relationship
    TO multipartner_customer_app;
GRANT UPDATE, DELETE ON multipartner.relationship TO multipartner_customer_app;
GRANT SELECT ON multipartner.audit_log TO multipartner_customer_app;
-- UPDATE only so that R5 answers a customer with MP002: only the partner
-- of record changes a subscription.
GRANT SELECT, UPDATE ON multipartner.subscription TO multipartner_customer_app;

GRANT EXECUTE ON FUNCTION multipartner.acting_partner(), multipartner.is_operator(),
      multipartner.effective_status(multipartner.relationship),
      multipartner.member_customers()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.create_customer(uuid, text, multipartner.cloud),
      multipartner.request_relationship(uuid, boolean),
      multipartner.terminate_relationship(uuid),
      multipartner.create_subscription(uuid, text, text, integer, text, text)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.accept_relationship(uuid),
      multipartner.decline_relationship(uuid)
    TO multipartner_operator, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.revoke_delegated_admin(uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.check(text, uuid, uuid, uuid, uuid, integer, text, boolean, uuid, text, text)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.expire_relationships()
    TO multipartner_operator;

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
-- to a STABLE function of the acting identity (C, cached per transaction),
-- wrapped in a scalar subquery so it is evaluated once per statement and
-- the comparison can use an index; the one subquery (a partner's customers)
-- is uncorrelated, so it is planned as a hashed subplan or a semi-join,
-- never per row.  Policies are TO the three roles, so other roles skip
-- them, and FORCE ROW LEVEL SECURITY makes the table owner obey them too
-- (superusers and the rules' own look-ups, which run with
-- SECURITY_NOFORCE_RLS like foreign keys, are not filtered).
-------------------------------------------------------------------------------

ALTER TABLE multipartner.partner ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.relationship ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.partner_member FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.customer_member FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.relationship FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.subscription FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE multipartner.tenant FORCE ROW LEVEL SECURITY;

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

-- Partner applications.
CREATE POLICY partner_own ON multipartner.partner
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY partner_own ON multipartner.partner_member
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY partner_own ON multipartner.relationship
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()))
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY partner_own ON multipartner.subscription
    FOR ALL TO multipartner_partner_app
    USING (partner_of_record OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()))
    WITH CHECK (partner_of_record OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY partner_own ON multipartner.customer
    FOR SELECT TO multipartner_partner_app
    USING (customer_id IN (SELECT r.customer_id FROM multipartner.relationship r
                            WHERE r.partner_id OPERATOR(pg_catalog.=)
                                  (SELECT multipartner.acting_partner())));
-- A partner creates customers (the triggers decide whether it may).
CREATE POLICY partner_create ON multipartner.customer
    FOR INSERT TO multipartner_partner_app WITH CHECK (true);
CREATE POLICY partner_own ON multipartner.audit_log
    FOR SELECT TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner())
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);

-- Customer applications.
CREATE POLICY customer_own ON multipartner.customer
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])));
CREATE POLICY customer_own ON multipartner.customer_member
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])));
CREATE POLICY customer_own ON multipartner.relationship
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])));
CREATE POLICY customer_own ON multipartner.subscription
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])));
-- the partners a customer works with, or ever asked to
CREATE POLICY customer_partners ON multipartner.partner
    FOR SELECT TO multipartner_customer_app
    USING (partner_id IN (SELECT r.partner_id FROM multipartner.relationship r
                           WHERE r.customer_id OPERATOR(pg_catalog.=)
                                 ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[]))));
CREATE POLICY customer_own ON multipartner.audit_log
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[]))
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);

-------------------------------------------------------------------------------
-- Views for DBAs (SPEC §6).  security_invoker: each reader sees through
-- them exactly what its role may see in the tables, counts included.
-- Every view is keyed by customer_id first, so "WHERE customer_id = ..."
-- reaches the primary key and the (customer_id, partner_id) indexes.
-------------------------------------------------------------------------------

-- Each customer with each of its active partners.
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
       (SELECT pg_catalog.count(*) FROM multipartner.subscription s
         WHERE s.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND s.partner_of_record OPERATOR(pg_catalog.=) r.partner_id
           AND s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[]))
           AS live_subscriptions,
       (SELECT pg_catalog.count(*) FROM multipartner.relationship r2
         WHERE r2.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND r2.status OPERATOR(pg_catalog.=) 'active')
           AS active_partners
  FROM multipartner.relationship r
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
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

-- Every subscription with its partner of record and customer.
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
       s.status,
       s.auto_renew,
       s.created_at,
       s.commitment_end,
       s.created_by
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record;

-- Live subscriptions whose partner of record has no active relationship
-- with delegated admin on the tenant any more, or is suspended.
CREATE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.quantity,
       s.status,
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
 WHERE s.status OPERATOR(pg_catalog.=) ANY
       (ARRAY['active', 'suspended']::multipartner.subscription_status[])
   AND (p.status OPERATOR(pg_catalog.=) 'suspended'
        OR r.relationship_id IS NULL
        OR NOT r.delegated_admin);

-- The life of each relationship, from the audit log.
CREATE VIEW multipartner.relationship_history WITH (security_invoker = true) AS
SELECT a.customer_id,
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
 WHERE a.table_name OPERATOR(pg_catalog.=) 'relationship';

GRANT SELECT ON multipartner.customer_partners, multipartner.partner_customers,
      multipartner.multi_partner_customers, multipartner.subscriptions_by_partner,
      multipartner.orphaned_subscriptions, multipartner.relationship_history
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-------------------------------------------------------------------------------
-- The DDL guard (new in 0.2).
-------------------------------------------------------------------------------

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
