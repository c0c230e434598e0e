/*
 * test/bench/floor.sql: the two baselines of the benchmark (make bench).
 *
 *   floor  the extension's tables with the same columns, defaults, CHECK
 *          constraints, foreign keys and indexes, and no trigger at all: what
 *          storing the same rows with plain referential integrity costs.
 *   bare   subscription and relationship once more, with the same columns,
 *          CHECKs and indexes but neither foreign keys nor triggers: the base
 *          cost of writing the row, subtracted from every variant in the
 *          callgrind layer ("overhead above bare").
 *
 * The enum types are copies of the extension's (same labels, same order), so
 * this file does not depend on the extension.
 */
\set ON_ERROR_STOP 1

CREATE SCHEMA floor;
CREATE SCHEMA bare;

CREATE TYPE floor.cloud AS ENUM ('commercial', 'us_government');
CREATE TYPE floor.partner_role AS ENUM (
    'global_admin', 'user_management_admin', 'admin_agent',
    'sales_agent', 'helpdesk_agent', 'billing_admin');
CREATE TYPE floor.customer_role AS ENUM ('global_admin', 'billing_admin', 'reader');
CREATE TYPE floor.partner_status AS ENUM ('active', 'suspended');
CREATE TYPE floor.relationship_status AS ENUM (
    'pending', 'active', 'declined', 'expired', 'terminated');
CREATE TYPE floor.subscription_status AS ENUM (
    'active', 'suspended', 'cancelled', 'expired');

CREATE TABLE floor.partner (
    partner_id      uuid NOT NULL DEFAULT gen_random_uuid(),
    name            text NOT NULL,
    cloud           floor.cloud NOT NULL,
    csp_tenant_id   uuid NOT NULL,
    status          floor.partner_status NOT NULL DEFAULT 'active',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT partner_pkey PRIMARY KEY (partner_id),
    CONSTRAINT partner_csp_tenant_id_key UNIQUE (csp_tenant_id),
    CONSTRAINT partner_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 256)
);

CREATE TABLE floor.customer (
    customer_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL,
    name            text NOT NULL,
    cloud           floor.cloud NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_pkey PRIMARY KEY (customer_id),
    CONSTRAINT customer_tenant_id_key UNIQUE (tenant_id),
    CONSTRAINT customer_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 256)
);

CREATE TABLE floor.partner_member (
    member          regrole NOT NULL,
    partner_id      uuid NOT NULL,
    role            floor.partner_role NOT NULL,
    CONSTRAINT partner_member_pkey PRIMARY KEY (member, partner_id, role),
    CONSTRAINT partner_member_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES floor.partner (partner_id)
);
CREATE INDEX partner_member_partner_id_idx ON floor.partner_member (partner_id);

CREATE TABLE floor.customer_member (
    member          regrole NOT NULL,
    customer_id     uuid NOT NULL,
    role            floor.customer_role NOT NULL,
    CONSTRAINT customer_member_pkey PRIMARY KEY (member, customer_id, role),
    CONSTRAINT customer_member_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES floor.customer (customer_id)
);
CREATE INDEX customer_member_customer_id_idx ON floor.customer_member (customer_id);

CREATE TABLE floor.relationship (
    relationship_id uuid NOT NULL DEFAULT gen_random_uuid(),
    customer_id     uuid NOT NULL,
    partner_id      uuid NOT NULL,
    status          floor.relationship_status NOT NULL DEFAULT 'pending',
    delegated_admin boolean NOT NULL DEFAULT true,
    requested_by    name NOT NULL DEFAULT CURRENT_USER,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    decided_by      name,
    decided_at      timestamptz,
    ended_by        name,
    ended_at        timestamptz,
    CONSTRAINT relationship_pkey PRIMARY KEY (relationship_id),
    CONSTRAINT relationship_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES floor.customer (customer_id),
    CONSTRAINT relationship_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES floor.partner (partner_id)
);
CREATE UNIQUE INDEX relationship_open_key ON floor.relationship (customer_id, partner_id)
    WHERE status = ANY (ARRAY['pending', 'active']::floor.relationship_status[]);
CREATE INDEX relationship_customer_partner_idx ON floor.relationship (customer_id, partner_id);
CREATE INDEX relationship_partner_id_idx ON floor.relationship (partner_id);

CREATE TABLE floor.subscription (
    subscription_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    customer_id       uuid NOT NULL,
    partner_of_record uuid NOT NULL,
    offer_id          text NOT NULL,
    product_family    text NOT NULL,
    quantity          integer NOT NULL,
    term              text NOT NULL,
    billing_cycle     text NOT NULL,
    commitment_end    timestamptz NOT NULL,
    auto_renew        boolean NOT NULL DEFAULT true,
    status            floor.subscription_status NOT NULL DEFAULT 'active',
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        name NOT NULL DEFAULT CURRENT_USER,
    CONSTRAINT subscription_pkey PRIMARY KEY (subscription_id),
    CONSTRAINT subscription_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES floor.customer (customer_id),
    CONSTRAINT subscription_partner_of_record_fkey FOREIGN KEY (partner_of_record)
        REFERENCES floor.partner (partner_id),
    CONSTRAINT subscription_offer_id_check
        CHECK (char_length(offer_id) >= 1 AND char_length(offer_id) <= 128),
    CONSTRAINT subscription_product_family_check
        CHECK (char_length(product_family) >= 1 AND char_length(product_family) <= 128),
    CONSTRAINT subscription_quantity_check CHECK (quantity >= 1 AND quantity <= 1000000),
    CONSTRAINT subscription_term_check CHECK (term = ANY (ARRAY['P1M', 'P1Y', 'P3Y'])),
    CONSTRAINT subscription_billing_cycle_check
        CHECK (billing_cycle = ANY (ARRAY['monthly', 'annual', 'triennial'])),
    CONSTRAINT subscription_term_billing_cycle_check
        CHECK (billing_cycle = 'monthly'
               OR (billing_cycle = 'annual' AND term <> 'P1M')
               OR (billing_cycle = 'triennial' AND term = 'P3Y'))
);
CREATE INDEX subscription_customer_partner_idx ON floor.subscription (customer_id, partner_of_record);
CREATE INDEX subscription_partner_of_record_idx ON floor.subscription (partner_of_record);

CREATE TABLE floor.audit_log (
    event_id        bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           name NOT NULL,
    session_actor   name NOT NULL,
    acting_partner  uuid,
    operation       text NOT NULL,
    table_name      name NOT NULL,
    row_id          text NOT NULL,
    old_row         jsonb,
    new_row         jsonb,
    txid            bigint NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (event_id),
    CONSTRAINT audit_log_operation_check CHECK (operation = ANY (ARRAY['INSERT', 'UPDATE', 'DELETE']))
);
CREATE INDEX audit_log_row_idx ON floor.audit_log (table_name, row_id);

CREATE TABLE floor.tenant (
    tenant_id       uuid NOT NULL,
    kind            text NOT NULL,
    owner_id        uuid NOT NULL,
    CONSTRAINT tenant_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_kind_check CHECK (kind = ANY (ARRAY['customer', 'partner_csp']))
);

-- bare: the written tables without foreign keys (and, like floor, without triggers)
CREATE TABLE bare.relationship (LIKE floor.relationship INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE bare.relationship ADD CONSTRAINT relationship_pkey PRIMARY KEY (relationship_id);
CREATE UNIQUE INDEX relationship_open_key ON bare.relationship (customer_id, partner_id)
    WHERE status = ANY (ARRAY['pending', 'active']::floor.relationship_status[]);
CREATE INDEX relationship_customer_partner_idx ON bare.relationship (customer_id, partner_id);
CREATE INDEX relationship_partner_id_idx ON bare.relationship (partner_id);

CREATE TABLE bare.subscription (LIKE floor.subscription INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE bare.subscription ADD CONSTRAINT subscription_pkey PRIMARY KEY (subscription_id);
CREATE INDEX subscription_customer_partner_idx ON bare.subscription (customer_id, partner_of_record);
CREATE INDEX subscription_partner_of_record_idx ON bare.subscription (partner_of_record);

-- The application roles of the extension write here too (the roles exist once
-- CREATE EXTENSION multipartner has run).  No row security, no triggers.
GRANT USAGE ON SCHEMA floor, bare TO multipartner_partner_app, multipartner_customer_app;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA floor, bare
    TO multipartner_partner_app, multipartner_customer_app;
