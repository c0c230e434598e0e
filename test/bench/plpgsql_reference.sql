/*
 * test/bench/plpgsql_reference.sql: the fair alternative to the extension.
 *
 * Schema "ref" holds the extension's tables (same columns, defaults, CHECKs,
 * foreign keys and indexes, copied from sql/multipartner--0.1.sql, and the
 * GDAP tables of sql/multipartner--0.7.sql with admin_role's 17 seeded roles)
 * and PL/pgSQL triggers that enforce the same rules (SPEC §5, and R14-R20 of
 * SPEC §9 as src/gdap.c does) and write the same audit log, written the way
 * a competent DBA would: static SQL only (no
 * EXECUTE), every lookup served by the same indexes as the extension's, one
 * query per question, row locks where the extension takes them, fully
 * schema-qualified names and no SET clauses (which would cost a GUC
 * save/restore on every call).  make bench measures it next to the extension
 * and next to the bare foreign-key floor (test/bench/floor.sql).
 *
 * Identity: as in the extension, the acting role is current_user; its
 * partner memberships are the rows of ref.partner_member for that role, and
 * the setting multipartner.acting_partner narrows them.  Operators are
 * superusers and roles with the privileges of multipartner_operator.
 *
 * Differences a reader should know, none of which favours this file:
 *   - the triggers are SECURITY INVOKER (a SECURITY DEFINER trigger function
 *     cannot see the invoking current_user), so the application roles get
 *     SELECT on the lookup tables and INSERT on ref.audit_log, and the
 *     look-ups that lock membership rows (which needs UPDATE privilege) are
 *     small SECURITY DEFINER functions the triggers call; the audit log
 *     refuses an INSERT that does not come from a trigger
 *     (pg_trigger_depth() < 2) instead of the extension's in-process flag;
 *   - there is no per-transaction cache of the acting partner: PL/pgSQL has
 *     none, so every row looks its memberships up again (one index probe,
 *     which also takes the FOR KEY SHARE lock on the membership rows that
 *     the extension takes once per transaction);
 *   - no row security: the extension's tables have policies for SPEC §7
 *     (visibility), which its writes pay for too (WITH CHECK on INSERT,
 *     USING on UPDATE); the rules and the audit log do not depend on them;
 *   - R13 counts live subscriptions on the statement's snapshot, which under
 *     REPEATABLE READ is the transaction's (the extension uses the latest
 *     snapshot there, as ri_triggers.c does); the same for R15's unique
 *     display name and the id of an admin relationship, and the end of an
 *     ended admin relationship's assignments has no REPEATABLE READ re-check
 *     (40001 in the extension);
 *   - GDAP: a status set to the value it has (UPDATE ... SET status = status)
 *     is not judged by R14, since PL/pgSQL cannot see an UPDATE's target
 *     columns (the extension reads tg_updatedcols); the identity lookups are
 *     made only on the paths that need them (the extension asks for the
 *     partner and customer roles on every UPDATE, from its cache); the end of
 *     the assignments of an ended admin relationship is a SECURITY DEFINER
 *     function that the assignment trigger recognizes by its owner and
 *     trigger depth (the extension: a backend flag).
 *
 * test/bench/ref_refusals.sql checks, before every benchmark run, that this
 * file and the extension refuse the same GDAP writes with the same SQLSTATEs.
 *
 * Needs the roles multipartner_operator, multipartner_partner_app and
 * multipartner_customer_app (CREATE EXTENSION multipartner makes them).
 */
\set ON_ERROR_STOP 1

CREATE SCHEMA ref;

CREATE TYPE ref.cloud AS ENUM ('commercial', 'us_government');
CREATE TYPE ref.partner_role AS ENUM (
    'global_admin', 'user_management_admin', 'admin_agent',
    'sales_agent', 'helpdesk_agent', 'billing_admin');
CREATE TYPE ref.customer_role AS ENUM ('global_admin', 'billing_admin', 'reader');
CREATE TYPE ref.partner_status AS ENUM ('active', 'suspended');
CREATE TYPE ref.relationship_status AS ENUM (
    'pending', 'active', 'declined', 'expired', 'terminated');
CREATE TYPE ref.subscription_status AS ENUM (
    'active', 'suspended', 'cancelled', 'expired');

-------------------------------------------------------------------------------
-- Tables: the extension's, column for column
-------------------------------------------------------------------------------

CREATE TABLE ref.partner (
    partner_id      uuid NOT NULL DEFAULT gen_random_uuid(),
    name            text NOT NULL,
    cloud           ref.cloud NOT NULL,
    csp_tenant_id   uuid NOT NULL,
    status          ref.partner_status NOT NULL DEFAULT 'active',
    created_at      timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    CONSTRAINT partner_pkey PRIMARY KEY (partner_id),
    CONSTRAINT partner_csp_tenant_id_key UNIQUE (csp_tenant_id),
    CONSTRAINT partner_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 256)
);

CREATE TABLE ref.customer (
    customer_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL,
    name            text NOT NULL,
    cloud           ref.cloud NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    CONSTRAINT customer_pkey PRIMARY KEY (customer_id),
    CONSTRAINT customer_tenant_id_key UNIQUE (tenant_id),
    CONSTRAINT customer_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 256)
);

CREATE TABLE ref.partner_member (
    member          regrole NOT NULL,
    partner_id      uuid NOT NULL,
    role            ref.partner_role NOT NULL,
    CONSTRAINT partner_member_pkey PRIMARY KEY (member, partner_id, role),
    CONSTRAINT partner_member_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES ref.partner (partner_id)
);
CREATE INDEX partner_member_partner_id_idx ON ref.partner_member (partner_id);

CREATE TABLE ref.customer_member (
    member          regrole NOT NULL,
    customer_id     uuid NOT NULL,
    role            ref.customer_role NOT NULL,
    CONSTRAINT customer_member_pkey PRIMARY KEY (member, customer_id, role),
    CONSTRAINT customer_member_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES ref.customer (customer_id)
);
CREATE INDEX customer_member_customer_id_idx ON ref.customer_member (customer_id);

CREATE TABLE ref.relationship (
    relationship_id uuid NOT NULL DEFAULT gen_random_uuid(),
    customer_id     uuid NOT NULL,
    partner_id      uuid NOT NULL,
    status          ref.relationship_status NOT NULL DEFAULT 'pending',
    delegated_admin boolean NOT NULL DEFAULT true,
    requested_by    name NOT NULL DEFAULT CURRENT_USER,
    requested_at    timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    decided_by      name,
    decided_at      timestamptz,
    ended_by        name,
    ended_at        timestamptz,
    CONSTRAINT relationship_pkey PRIMARY KEY (relationship_id),
    CONSTRAINT relationship_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES ref.customer (customer_id),
    CONSTRAINT relationship_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES ref.partner (partner_id)
);
CREATE UNIQUE INDEX relationship_open_key ON ref.relationship (customer_id, partner_id)
    WHERE status = ANY (ARRAY['pending', 'active']::ref.relationship_status[]);
CREATE INDEX relationship_customer_partner_idx ON ref.relationship (customer_id, partner_id);
CREATE INDEX relationship_partner_id_idx ON ref.relationship (partner_id);
CREATE INDEX relationship_pending_idx ON ref.relationship (requested_at) WHERE status = 'pending';  -- 0.8

CREATE TABLE ref.subscription (
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
    status            ref.subscription_status NOT NULL DEFAULT 'active',
    created_at        timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    created_by        name NOT NULL DEFAULT CURRENT_USER,
    term_start        timestamptz NOT NULL,        -- 0.8: set by the trigger
    CONSTRAINT subscription_pkey PRIMARY KEY (subscription_id),
    CONSTRAINT subscription_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES ref.customer (customer_id),
    CONSTRAINT subscription_partner_of_record_fkey FOREIGN KEY (partner_of_record)
        REFERENCES ref.partner (partner_id),
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
CREATE INDEX subscription_customer_partner_idx ON ref.subscription (customer_id, partner_of_record);
CREATE INDEX subscription_partner_of_record_idx ON ref.subscription (partner_of_record);
-- 0.8: the partial indexes run_maintenance() reads (every write maintains them)
CREATE INDEX subscription_due_idx ON ref.subscription (commitment_end)
    WHERE status = ANY (ARRAY['active', 'suspended']::ref.subscription_status[]);
CREATE INDEX subscription_ending_idx ON ref.subscription (commitment_end)
    WHERE status = 'suspended' OR (status = 'active' AND NOT auto_renew);

CREATE TABLE ref.audit_log (
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
    partner_id      uuid,           -- the partner the row concerns, if any
    customer_id     uuid,           -- the customer the row concerns, if any
    audit_key       uuid NOT NULL,  -- its customer, else its partner, else its own id (0.9)
    CONSTRAINT audit_log_pkey PRIMARY KEY (event_id),
    CONSTRAINT audit_log_operation_check CHECK (operation = ANY (ARRAY['INSERT', 'UPDATE', 'DELETE']))
);
CREATE INDEX audit_log_row_idx ON ref.audit_log (table_name, row_id);
CREATE INDEX audit_log_partner_idx ON ref.audit_log (partner_id);
CREATE INDEX audit_log_customer_idx ON ref.audit_log (customer_id);

CREATE TABLE ref.tenant (
    tenant_id       uuid NOT NULL,
    kind            text NOT NULL,
    owner_id        uuid NOT NULL,
    created_by_partner uuid,        -- the partner that created a customer
    CONSTRAINT tenant_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_kind_check CHECK (kind = ANY (ARRAY['customer', 'partner_csp']))
);

-- GDAP (SPEC §9, the extension's 0.7): the Entra roles, admin relationships
-- and access assignments, column for column as sql/multipartner--0.7.sql
CREATE TYPE ref.admin_relationship_status AS ENUM
    ('created', 'approval_pending', 'active', 'declined', 'expired', 'terminated');
CREATE TYPE ref.access_assignment_status AS ENUM ('active', 'ended');

CREATE TABLE ref.admin_role (
    role_id      uuid NOT NULL,
    name         text NOT NULL,
    global_admin boolean NOT NULL DEFAULT false,
    CONSTRAINT admin_role_pkey PRIMARY KEY (role_id),
    CONSTRAINT admin_role_name_key UNIQUE (name),
    CONSTRAINT admin_role_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 256)
);
INSERT INTO ref.admin_role (role_id, name, global_admin) VALUES
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

CREATE TABLE ref.admin_relationship (
    admin_relationship_id uuid NOT NULL DEFAULT gen_random_uuid(),
    customer_id  uuid NOT NULL,
    partner_id   uuid NOT NULL,
    display_name text NOT NULL,
    roles        uuid[] NOT NULL,
    duration     interval NOT NULL DEFAULT '730 days',
    auto_extend  boolean NOT NULL DEFAULT false,
    status       ref.admin_relationship_status NOT NULL DEFAULT 'created',
    created_by   name NOT NULL DEFAULT CURRENT_USER,
    created_at   timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    requested_at timestamptz,
    decided_by   name,
    decided_at   timestamptz,
    activated_at timestamptz,
    end_at       timestamptz,
    ended_by     name,
    ended_at     timestamptz,
    CONSTRAINT admin_relationship_pkey PRIMARY KEY (customer_id, admin_relationship_id),
    CONSTRAINT admin_relationship_customer_id_fkey FOREIGN KEY (customer_id)
        REFERENCES ref.customer (customer_id),
    CONSTRAINT admin_relationship_partner_id_fkey FOREIGN KEY (partner_id)
        REFERENCES ref.partner (partner_id)
);
CREATE INDEX admin_relationship_id_idx ON ref.admin_relationship (admin_relationship_id);
CREATE INDEX admin_relationship_partner_name_idx ON ref.admin_relationship (partner_id, display_name);
CREATE INDEX admin_relationship_partner_id_idx ON ref.admin_relationship (partner_id);
-- 0.8: the partial indexes run_maintenance() reads
CREATE INDEX admin_relationship_pending_idx ON ref.admin_relationship (requested_at)
    WHERE status = 'approval_pending';
CREATE INDEX admin_relationship_active_end_idx ON ref.admin_relationship (end_at)
    WHERE status = 'active';
-- 0.8: the memory of the notices (no workload writes it; here so the shapes match)
CREATE TABLE ref.expiry_notice (
    customer_id  uuid NOT NULL,
    kind         text NOT NULL,
    object_id    uuid NOT NULL,
    ends_at      timestamptz NOT NULL,
    days_before  integer NOT NULL,
    partner_id   uuid NOT NULL,
    sent_at      timestamptz,
    CONSTRAINT expiry_notice_pkey PRIMARY KEY (customer_id, kind, object_id, ends_at, days_before),
    CONSTRAINT expiry_notice_kind_check CHECK (kind = ANY (ARRAY['admin_relationship', 'subscription'])),
    CONSTRAINT expiry_notice_days_before_check CHECK (days_before = ANY (ARRAY[30, 7, 1]))
);

CREATE TABLE ref.access_assignment (
    access_assignment_id  uuid NOT NULL DEFAULT gen_random_uuid(),
    admin_relationship_id uuid NOT NULL,
    customer_id  uuid NOT NULL,
    partner_id   uuid NOT NULL,
    grantee      regrole NOT NULL,
    roles        uuid[] NOT NULL,
    status       ref.access_assignment_status NOT NULL DEFAULT 'active',
    created_by   name NOT NULL DEFAULT CURRENT_USER,
    created_at   timestamptz NOT NULL DEFAULT GREATEST(statement_timestamp(), now()),
    ended_by     name,
    ended_at     timestamptz,
    CONSTRAINT access_assignment_pkey PRIMARY KEY (customer_id, access_assignment_id),
    CONSTRAINT access_assignment_admin_relationship_fkey
        FOREIGN KEY (customer_id, admin_relationship_id)
        REFERENCES ref.admin_relationship (customer_id, admin_relationship_id)
);
-- R19: at most one active assignment per (relationship, grantee)
CREATE UNIQUE INDEX access_assignment_active_key
    ON ref.access_assignment (customer_id, admin_relationship_id, grantee)
    WHERE status = 'active'::ref.access_assignment_status;
CREATE INDEX access_assignment_id_idx ON ref.access_assignment (access_assignment_id);
CREATE INDEX access_assignment_grantee_idx ON ref.access_assignment (customer_id, grantee)
    WHERE status = 'active'::ref.access_assignment_status;
CREATE INDEX access_assignment_partner_id_idx ON ref.access_assignment (partner_id);

-------------------------------------------------------------------------------
-- Identity helpers (cold paths only: the hot paths inline their one query)
-------------------------------------------------------------------------------

/*
 * The membership rows behind a write made as a member are held FOR KEY SHARE
 * until the transaction ends, so a member removed concurrently cannot act
 * after its removal.  Row locks need UPDATE privilege on the table, which the
 * application roles must not have on the membership tables: so the locking
 * look-ups are SECURITY DEFINER functions (owned by the schema owner, every
 * name and operator schema-qualified, so no SET search_path is needed), and
 * the triggers pass them current_user.
 */

-- The partners p_member may act for (narrowed by p_guc, the setting
-- multipartner.acting_partner): how many, the first, and all their roles.
CREATE FUNCTION ref.lock_membership(p_member regrole, p_guc text,
                                    OUT n bigint, OUT partner_id uuid,
                                    OUT roles ref.partner_role[])
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
BEGIN
    SELECT pg_catalog.count(DISTINCT m.partner_id), (pg_catalog.array_agg(m.partner_id))[1],
           pg_catalog.array_agg(m.role)
      INTO n, partner_id, roles
      FROM (SELECT m.partner_id, m.role FROM ref.partner_member m
             WHERE m.member OPERATOR(pg_catalog.=) p_member
               AND (p_guc OPERATOR(pg_catalog.=) ''
                    OR m.partner_id OPERATOR(pg_catalog.=) NULLIF(p_guc, '')::uuid)
               FOR KEY SHARE OF m) m;
END
$fn$;

-- p_member's roles in one partner / one customer.
CREATE FUNCTION ref.lock_partner_roles(p_member regrole, p_partner uuid)
RETURNS ref.partner_role[]
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
    v_roles ref.partner_role[];
BEGIN
    SELECT pg_catalog.array_agg(m.role) INTO v_roles
      FROM (SELECT m.role FROM ref.partner_member m
             WHERE m.member OPERATOR(pg_catalog.=) p_member
               AND m.partner_id OPERATOR(pg_catalog.=) p_partner
               FOR KEY SHARE OF m) m;
    RETURN v_roles;
END
$fn$;

CREATE FUNCTION ref.lock_customer_roles(p_member regrole, p_customer uuid)
RETURNS ref.customer_role[]
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
    v_roles ref.customer_role[];
BEGIN
    SELECT pg_catalog.array_agg(m.role) INTO v_roles
      FROM (SELECT m.role FROM ref.customer_member m
             WHERE m.member OPERATOR(pg_catalog.=) p_member
               AND m.customer_id OPERATOR(pg_catalog.=) p_customer
               FOR KEY SHARE OF m) m;
    RETURN v_roles;
END
$fn$;

-- The acting partner of current_user and its Partner Center roles, or an
-- error naming why there is none that can act.
CREATE FUNCTION ref.require_acting_partner(OUT partner_id uuid, OUT roles ref.partner_role[])
LANGUAGE plpgsql AS $fn$
DECLARE
    v_guc   text := coalesce(current_setting('multipartner.acting_partner', true), '');
    v_n     bigint;
BEGIN
    SELECT l.n, l.partner_id, l.roles INTO v_n, partner_id, roles
      FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
    IF v_n = 1 THEN
        RETURN;
    ELSIF v_n > 1 THEN
        RAISE EXCEPTION 'role "%" is a member of % partners', current_user, v_n
            USING ERRCODE = '42501', DETAIL = 'The partner the role acts for is ambiguous.',
                  HINT = 'Set multipartner.acting_partner to the partner to act for.';
    ELSIF v_guc <> '' THEN
        RAISE EXCEPTION 'role "%" is not a member of partner %', current_user, v_guc
            USING ERRCODE = '42501';
    ELSE
        RAISE EXCEPTION 'role "%" does not act for any partner', current_user
            USING ERRCODE = '42501',
                  HINT = 'An operator must add the role to ref.partner_member.';
    END IF;
END
$fn$;

-------------------------------------------------------------------------------
-- subscription: R4, R5, R6, R7, R10, R11
-------------------------------------------------------------------------------

CREATE FUNCTION ref.subscription_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_op        boolean;
    v_guc       text;
    v_n         bigint;
    v_acting    uuid;
    v_roles     ref.partner_role[];
    v_pstatus   ref.partner_status;
    v_rstatus   ref.relationship_status;
    v_rat       timestamptz;
    v_end       timestamptz;
    v_now       timestamptz;
    v_months    integer;
    v_k         integer;
    v_status    ref.subscription_status;
    v_ts        timestamptz;
BEGIN
    -- R10
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cannot delete from table "%"', TG_TABLE_NAME
            USING ERRCODE = 'MP007', DETAIL = 'Subscriptions are never deleted.',
                  HINT = 'Cancel the subscription within its cancellation window, or turn auto_renew off.';
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.customer_id IS NULL THEN
            RETURN NEW;                 -- the NOT NULL constraint says so
        END IF;
        v_op := pg_has_role('multipartner_operator', 'USAGE');
        IF NOT v_op THEN
            -- R4: the acting partner sells, with an ordering role
            v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
            SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
              FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
            IF v_n <> 1 THEN
                SELECT r.partner_id, r.roles INTO v_acting, v_roles
                  FROM ref.require_acting_partner() r;       -- raises the reason
            END IF;
            IF NEW.partner_of_record IS NULL THEN
                NEW.partner_of_record := v_acting;
            ELSIF NEW.partner_of_record <> v_acting THEN
                RAISE EXCEPTION 'permission denied to sell for partner %', NEW.partner_of_record
                    USING ERRCODE = '42501',
                          DETAIL = format('Role "%s" acts for partner %s, which is the partner of record of what it sells.',
                                          current_user, v_acting);
            END IF;
            IF NOT v_roles && '{global_admin,admin_agent,sales_agent}'::ref.partner_role[] THEN
                RAISE EXCEPTION 'permission denied to place orders for partner %', NEW.partner_of_record
                    USING ERRCODE = '42501',
                          DETAIL = 'Placing an order needs the partner role global_admin, admin_agent or sales_agent.';
            END IF;
        ELSIF NEW.partner_of_record IS NULL THEN
            RETURN NEW;
        END IF;

        IF NEW.status IS NOT NULL AND NEW.status <> 'active' THEN
            RAISE EXCEPTION 'a new subscription must be active'
                USING ERRCODE = '23514',
                      DETAIL = 'A subscription starts active; suspend it afterwards if needed.';
        END IF;

        SELECT p.status INTO v_pstatus FROM ref.partner p
         WHERE p.partner_id = NEW.partner_of_record;
        IF FOUND AND v_pstatus <> 'active' THEN
            RAISE EXCEPTION 'partner % is suspended', NEW.partner_of_record
                USING ERRCODE = '55000', DETAIL = 'A suspended partner cannot sell.';
        END IF;

        -- R4/R11: hold the active relationship that allows the sale
        PERFORM FROM ref.relationship r
         WHERE r.customer_id = NEW.customer_id
           AND r.partner_id = NEW.partner_of_record
           AND r.status = 'active'
           FOR SHARE OF r;
        IF NOT FOUND THEN
            SELECT r.status, r.requested_at INTO v_rstatus, v_rat
              FROM ref.relationship r
             WHERE r.customer_id = NEW.customer_id AND r.partner_id = NEW.partner_of_record
             ORDER BY r.requested_at DESC LIMIT 1;
            IF v_rstatus = 'pending' AND v_rat <= GREATEST(statement_timestamp(), now()) - interval '90 days' THEN
                v_rstatus := 'expired';
            END IF;
            RAISE EXCEPTION 'partner % has no active relationship with customer %',
                    NEW.partner_of_record, NEW.customer_id
                USING ERRCODE = 'MP001',
                      DETAIL = CASE WHEN v_rstatus IS NULL THEN 'There is no relationship between them.'
                                    WHEN v_rstatus = 'pending' THEN 'Their latest relationship is pending: the customer has not accepted it yet.'
                                    ELSE format('Their latest relationship is %s.', v_rstatus) END,
                      HINT = 'The partner must request a relationship and the customer must accept it first.';
        END IF;

        -- the record: who sold, when, and until when it commits the customer
        IF NOT v_op OR NEW.created_at IS NULL THEN
            NEW.created_at := GREATEST(statement_timestamp(), now());
        END IF;
        v_end := NEW.created_at + CASE NEW.term WHEN 'P1M' THEN interval '1 month'
                                                WHEN 'P1Y' THEN interval '1 year'
                                                WHEN 'P3Y' THEN interval '3 years' END;
        IF v_end IS NULL THEN
            v_end := NEW.created_at;     -- the term's CHECK constraint refuses the row
        END IF;
        IF NEW.commitment_end IS NOT NULL AND NEW.commitment_end <> v_end THEN
            RAISE EXCEPTION 'column "commitment_end" is derived from created_at and term'
                USING ERRCODE = '428C9',
                      DETAIL = 'Leave it out; the subscription commits until created_at plus its term.';
        END IF;
        NEW.commitment_end := v_end;
        IF NEW.term_start IS NOT NULL AND NEW.term_start <> NEW.created_at THEN
            RAISE EXCEPTION 'column "term_start" must be created_at'
                USING ERRCODE = '428C9',
                      DETAIL = 'Leave it out: the first term starts at created_at, and only a renewal moves it.';
        END IF;
        NEW.term_start := NEW.created_at;
        IF NOT v_op THEN
            NEW.created_by := current_user;
        END IF;
        RETURN NEW;
    END IF;

    -- UPDATE.  R6 first: what no one may do, operators included.
    IF NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record
       OR NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN
        RAISE EXCEPTION 'cannot change column "%" of subscription %',
                CASE WHEN NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record
                     THEN 'partner_of_record' ELSE 'customer_id' END, OLD.subscription_id
            USING ERRCODE = 'MP003',
                  DETAIL = 'A subscription never moves to another partner of record or another customer.',
                  HINT = 'Cancel it within its cancellation window and let the other partner sell a new one.';
    END IF;
    IF NEW.subscription_id IS DISTINCT FROM OLD.subscription_id
       OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
        RAISE EXCEPTION 'cannot change column "%" of subscription %',
                CASE WHEN NEW.subscription_id IS DISTINCT FROM OLD.subscription_id
                     THEN 'subscription_id' ELSE 'created_by' END, OLD.subscription_id
            USING ERRCODE = 'MP008',
                  DETAIL = 'The id of a subscription and the role that created it never change.';
    END IF;

    -- R5: only the partner of record (or an operator)
    v_op := pg_has_role('multipartner_operator', 'USAGE');
    IF NOT v_op THEN
        v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
        SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
          FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
        IF v_n > 1 OR (v_n = 0 AND v_guc <> '') THEN
            PERFORM ref.require_acting_partner();               -- raises the reason
        END IF;
        IF v_n = 0 OR v_acting <> OLD.partner_of_record THEN
            RAISE EXCEPTION 'permission denied to change subscription %', OLD.subscription_id
                USING ERRCODE = 'MP002',
                      DETAIL = 'Only the partner of record of a subscription may change it.';
        END IF;
        IF NOT v_roles && '{global_admin,admin_agent,sales_agent}'::ref.partner_role[] THEN
            RAISE EXCEPTION 'permission denied to change subscription %', OLD.subscription_id
                USING ERRCODE = '42501',
                      DETAIL = 'Changing an order needs the partner role global_admin, admin_agent or sales_agent.';
        END IF;
    END IF;

    -- R7: the terms
    IF NEW.offer_id IS DISTINCT FROM OLD.offer_id
       OR NEW.product_family IS DISTINCT FROM OLD.product_family
       OR NEW.term IS DISTINCT FROM OLD.term
       OR NEW.billing_cycle IS DISTINCT FROM OLD.billing_cycle
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'cannot change the terms of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = 'The terms and obligations of a subscription never change once it is created.';
    END IF;

    -- time (0.8): the row as the statement's clock reads it; terms anchored
    -- on created_at (src/term.c does the same in C)
    v_now := GREATEST(statement_timestamp(), now());
    v_status := OLD.status;
    v_ts := OLD.term_start;
    v_end := OLD.commitment_end;
    IF v_status IN ('active', 'suspended') AND v_end <= v_now THEN
        IF v_status = 'suspended' OR NOT OLD.auto_renew THEN
            v_status := 'expired';
        ELSE
            v_months := CASE OLD.term WHEN 'P1M' THEN 1 WHEN 'P1Y' THEN 12 WHEN 'P3Y' THEN 36 END;
            v_k := GREATEST(1, floor(extract(epoch FROM v_now - OLD.created_at)
                                     / (v_months * 30.436875 * 86400))::integer);
            WHILE v_k > 1 AND ((OLD.created_at AT TIME ZONE 'UTC') + make_interval(months => v_k * v_months))
                              AT TIME ZONE 'UTC' > v_now LOOP
                v_k := v_k - 1;
            END LOOP;
            WHILE ((OLD.created_at AT TIME ZONE 'UTC') + make_interval(months => (v_k + 1) * v_months))
                  AT TIME ZONE 'UTC' <= v_now LOOP
                v_k := v_k + 1;
            END LOOP;
            v_ts := ((OLD.created_at AT TIME ZONE 'UTC') + make_interval(months => v_k * v_months)) AT TIME ZONE 'UTC';
            v_end := ((OLD.created_at AT TIME ZONE 'UTC') + make_interval(months => (v_k + 1) * v_months)) AT TIME ZONE 'UTC';
        END IF;
    END IF;
    -- R7: only a renewal moves term_start and commitment_end
    IF NEW.term_start IS NULL OR NEW.commitment_end IS NULL THEN
        RETURN NEW;                     -- NOT NULL
    END IF;
    IF NEW.term_start = OLD.term_start THEN
        NEW.term_start := v_ts;
    ELSIF NEW.term_start <> v_ts THEN
        RAISE EXCEPTION 'cannot change column "term_start" of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = format('Only a renewal moves term_start and commitment_end; the current term runs from %s to %s.', v_ts, v_end);
    END IF;
    IF NEW.commitment_end = OLD.commitment_end THEN
        NEW.commitment_end := v_end;
    ELSIF NEW.commitment_end <> v_end THEN
        RAISE EXCEPTION 'cannot change column "commitment_end" of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = format('Only a renewal moves term_start and commitment_end; the current term runs from %s to %s.', v_ts, v_end);
    END IF;

    -- R7: the obligations, judged by the effective status
    IF NEW.status IS NULL OR NEW.quantity IS NULL THEN
        RETURN NEW;                     -- NOT NULL
    END IF;
    IF NEW.status = OLD.status AND v_status <> OLD.status THEN
        NEW.status := v_status;         -- expired by time: recorded by this write
    END IF;
    IF v_status IN ('cancelled', 'expired')
       AND (NEW.status <> v_status OR NEW.quantity <> OLD.quantity
            OR NEW.auto_renew IS DISTINCT FROM OLD.auto_renew) THEN
        RAISE EXCEPTION 'subscription % is %', OLD.subscription_id, v_status
            USING ERRCODE = 'MP004', DETAIL = 'Cancelled and expired subscriptions are final.';
    END IF;
    IF NEW.quantity < OLD.quantity AND v_now >= v_ts + interval '168 hours' THEN
        RAISE EXCEPTION 'cannot lower the quantity of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = format('The quantity may be lowered only within 168 hours of the start of the current term, at %s.', v_ts),
                  HINT = 'Quantity can still be raised.';
    END IF;
    IF NEW.status <> v_status THEN
        IF NEW.status = 'cancelled' AND v_now >= v_ts + interval '168 hours' THEN
            RAISE EXCEPTION 'cannot cancel subscription %', OLD.subscription_id
                USING ERRCODE = 'MP004',
                      DETAIL = format('A subscription may be cancelled only within 168 hours of the start of the current term, at %s.', v_ts),
                      HINT = 'Turn auto_renew off to end it at the end of its commitment.';
        END IF;
        IF NEW.status = 'expired' AND v_now < v_end THEN
            RAISE EXCEPTION 'cannot expire subscription % before the end of its commitment', OLD.subscription_id
                USING ERRCODE = 'MP004', DETAIL = format('Its commitment ends at %s.', v_end);
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;

-------------------------------------------------------------------------------
-- relationship: R2, R3, R9, R10, R13, the state machine, the record columns
-------------------------------------------------------------------------------

CREATE FUNCTION ref.relationship_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_op        boolean;
    v_guc       text;
    v_n         bigint;
    v_acting    uuid;
    v_roles     ref.partner_role[];
    v_pcloud    ref.cloud;
    v_pstatus   ref.partner_status;
    v_ccloud    ref.cloud;
    v_cnew      boolean;
    v_rid       uuid;
    v_ostatus   ref.relationship_status;
    v_oat       timestamptz;
    v_live      bigint;
BEGIN
    -- R10
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cannot delete from table "%"', TG_TABLE_NAME
            USING ERRCODE = 'MP007', DETAIL = 'Relationships are never deleted.',
                  HINT = 'Terminate or decline the relationship instead.';
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.customer_id IS NULL OR NEW.status IS NULL THEN
            RETURN NEW;
        END IF;
        v_op := pg_has_role('multipartner_operator', 'USAGE');
        IF NOT v_op THEN
            -- R2
            v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
            SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
              FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
            IF v_n <> 1 THEN
                SELECT a.partner_id, a.roles INTO v_acting, v_roles
                  FROM ref.require_acting_partner() a;                -- raises the reason
            END IF;
            IF NEW.partner_id IS NULL THEN
                NEW.partner_id := v_acting;
            ELSIF NEW.partner_id <> v_acting THEN
                RAISE EXCEPTION 'permission denied to request a relationship for partner %', NEW.partner_id
                    USING ERRCODE = '42501',
                          DETAIL = format('Role "%s" acts for partner %s.', current_user, v_acting);
            END IF;
            IF NOT v_roles && '{global_admin,user_management_admin,admin_agent,sales_agent}'::ref.partner_role[] THEN
                RAISE EXCEPTION 'permission denied to request a relationship for partner %', NEW.partner_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Requesting a relationship needs the partner role global_admin, user_management_admin, admin_agent or sales_agent.';
            END IF;
        ELSIF NEW.partner_id IS NULL THEN
            RETURN NEW;
        END IF;

        -- the parties; missing ones are left to the foreign keys
        SELECT p.cloud, p.status INTO v_pcloud, v_pstatus FROM ref.partner p
         WHERE p.partner_id = NEW.partner_id;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        IF v_pstatus <> 'active' THEN
            RAISE EXCEPTION 'partner % is suspended', NEW.partner_id
                USING ERRCODE = '55000', DETAIL = 'A suspended partner cannot start new relationships.';
        END IF;
        SELECT c.cloud, c.xmin = pg_current_xact_id()::xid INTO v_ccloud, v_cnew
          FROM ref.customer c WHERE c.customer_id = NEW.customer_id;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        -- R9
        IF v_pcloud <> v_ccloud THEN
            RAISE EXCEPTION 'partner % and customer % are in different clouds', NEW.partner_id, NEW.customer_id
                USING ERRCODE = 'MP006',
                      DETAIL = format('The partner works in cloud "%s", the customer in cloud "%s".', v_pcloud, v_ccloud);
        END IF;

        -- start state: pending, or active for the partner that creates the customer
        IF NEW.status = 'active' AND NOT v_op THEN
            IF NOT v_cnew OR EXISTS (SELECT FROM ref.relationship r WHERE r.customer_id = NEW.customer_id) THEN
                RAISE EXCEPTION 'permission denied to create an active relationship with customer %', NEW.customer_id
                    USING ERRCODE = '42501',
                          DETAIL = 'A relationship starts as pending until the customer''s global administrator accepts it.';
            END IF;
        ELSIF NEW.status NOT IN ('pending', 'active') THEN
            RAISE EXCEPTION 'a new relationship must be pending or active, not "%"', NEW.status
                USING ERRCODE = '23514';
        END IF;

        -- one open relationship per pair; a stale request makes way
        SELECT r.relationship_id, r.status, r.requested_at INTO v_rid, v_ostatus, v_oat
          FROM ref.relationship r
         WHERE r.customer_id = NEW.customer_id AND r.partner_id = NEW.partner_id
           AND r.status = ANY (ARRAY['pending', 'active']::ref.relationship_status[]);
        IF FOUND THEN
            IF v_ostatus = 'pending' AND v_oat <= GREATEST(statement_timestamp(), now()) - interval '90 days' THEN
                UPDATE ref.relationship r SET status = 'expired'
                 WHERE r.relationship_id = v_rid AND r.status = 'pending';
            ELSE
                RAISE EXCEPTION 'customer % already has a % relationship with partner %',
                        NEW.customer_id, v_ostatus, NEW.partner_id
                    USING ERRCODE = '23505', DETAIL = format('Relationship %s is %s.', v_rid, v_ostatus);
            END IF;
        END IF;

        -- the record of who asked and when
        IF NOT v_op THEN
            IF NEW.decided_by IS NOT NULL OR NEW.decided_at IS NOT NULL
               OR NEW.ended_by IS NOT NULL OR NEW.ended_at IS NOT NULL THEN
                RAISE EXCEPTION 'the decided_* and ended_* columns can only be set by a status change'
                    USING ERRCODE = '428C9';
            END IF;
            NEW.requested_by := current_user;
            NEW.requested_at := GREATEST(statement_timestamp(), now());
        END IF;
        IF NEW.status = 'active' AND NEW.decided_at IS NULL THEN
            NEW.decided_by := current_user;
            NEW.decided_at := GREATEST(statement_timestamp(), now());
        END IF;
        RETURN NEW;
    END IF;

    -- UPDATE
    IF NEW.relationship_id IS DISTINCT FROM OLD.relationship_id
       OR NEW.customer_id IS DISTINCT FROM OLD.customer_id
       OR NEW.partner_id IS DISTINCT FROM OLD.partner_id
       OR NEW.requested_by IS DISTINCT FROM OLD.requested_by
       OR NEW.requested_at IS DISTINCT FROM OLD.requested_at THEN
        RAISE EXCEPTION 'cannot change the parties or the request of relationship %', OLD.relationship_id
            USING ERRCODE = 'MP008',
                  DETAIL = 'The parties of a relationship and its request never change.',
                  HINT = 'Request a new relationship instead.';
    END IF;
    IF NEW.decided_by IS DISTINCT FROM OLD.decided_by OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
       OR NEW.ended_by IS DISTINCT FROM OLD.ended_by OR NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        RAISE EXCEPTION 'the decided_* and ended_* columns can only be set by a status change'
            USING ERRCODE = '428C9';
    END IF;
    IF NEW.status IS NULL OR NEW.delegated_admin IS NULL THEN
        RETURN NEW;                     -- NOT NULL
    END IF;
    v_op := pg_has_role('multipartner_operator', 'USAGE');

    IF NEW.status <> OLD.status THEN
        IF OLD.status = 'pending' AND NEW.status IN ('active', 'declined') THEN
            -- R3: the customer's global_admin (membership held FOR KEY SHARE)
            IF NOT v_op AND NOT coalesce('global_admin' = ANY (
                    ref.lock_customer_roles(current_user::text::regrole, OLD.customer_id)), false) THEN
                RAISE EXCEPTION 'permission denied to % relationship %',
                        CASE NEW.status WHEN 'active' THEN 'accept' ELSE 'decline' END, OLD.relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only a global administrator of the customer or an operator may accept or decline a relationship request.';
            END IF;
            IF OLD.requested_at <= GREATEST(statement_timestamp(), now()) - interval '90 days' THEN
                RAISE EXCEPTION 'relationship request % has expired', OLD.relationship_id
                    USING ERRCODE = '55000', HINT = 'The partner must request the relationship again.';
            END IF;
            NEW.decided_by := current_user;
            NEW.decided_at := GREATEST(statement_timestamp(), now());
        ELSIF OLD.status = 'pending' AND NEW.status = 'expired' THEN
            IF OLD.requested_at > GREATEST(statement_timestamp(), now()) - interval '90 days' THEN
                RAISE EXCEPTION 'relationship request % has not expired', OLD.relationship_id
                    USING ERRCODE = '55000';
            END IF;
            NEW.ended_by := current_user;
            NEW.ended_at := GREATEST(statement_timestamp(), now());
        ELSIF OLD.status = 'active' AND NEW.status = 'terminated' THEN
            -- R3: the partner's global_admin (membership held FOR KEY SHARE)
            IF NOT v_op AND NOT coalesce('global_admin' = ANY (
                    ref.lock_partner_roles(current_user::text::regrole, OLD.partner_id)), false) THEN
                RAISE EXCEPTION 'permission denied to terminate relationship %', OLD.relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only a global administrator of the partner or an operator may terminate a relationship.';
            END IF;
            -- R13
            SELECT count(*) INTO v_live FROM ref.subscription s
             WHERE s.customer_id = OLD.customer_id AND s.partner_of_record = OLD.partner_id
               AND s.status = ANY (ARRAY['active', 'suspended']::ref.subscription_status[]);
            IF v_live > 0 THEN
                RAISE EXCEPTION 'cannot terminate relationship %', OLD.relationship_id
                    USING ERRCODE = 'MP009',
                          DETAIL = format('Partner %s still has %s active or suspended subscriptions with customer %s.',
                                          OLD.partner_id, v_live, OLD.customer_id),
                          HINT = 'Cancel the subscriptions or let them expire first.';
            END IF;
            NEW.ended_by := current_user;
            NEW.ended_at := GREATEST(statement_timestamp(), now());
        ELSE
            RAISE EXCEPTION 'cannot change relationship % from % to %', OLD.relationship_id, OLD.status, NEW.status
                USING ERRCODE = '55000';
        END IF;
    END IF;

    IF NEW.delegated_admin <> OLD.delegated_admin THEN
        IF NEW.delegated_admin THEN
            IF NOT v_op THEN
                RAISE EXCEPTION 'permission denied to grant delegated admin rights on relationship %', OLD.relationship_id
                    USING ERRCODE = '42501';
            END IF;
        ELSE
            IF NEW.status <> 'active' THEN
                RAISE EXCEPTION 'cannot revoke delegated admin rights of relationship %', OLD.relationship_id
                    USING ERRCODE = '55000';
            END IF;
            IF NOT v_op
               AND NOT coalesce('global_admin' = ANY (
                       ref.lock_customer_roles(current_user::text::regrole, OLD.customer_id)), false)
               AND NOT coalesce('global_admin' = ANY (
                       ref.lock_partner_roles(current_user::text::regrole, OLD.partner_id)), false) THEN
                RAISE EXCEPTION 'permission denied to revoke delegated admin rights of relationship %', OLD.relationship_id
                    USING ERRCODE = '42501';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;

-------------------------------------------------------------------------------
-- partner and customer: R8 (tenant registry), R9, R10, R12
-------------------------------------------------------------------------------

CREATE FUNCTION ref.claim_tenant(p_tenant uuid, p_kind text, p_owner uuid,
                                 p_created_by_partner uuid DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_existing text;
BEGIN
    INSERT INTO ref.tenant (tenant_id, kind, owner_id, created_by_partner)
    VALUES (p_tenant, p_kind, p_owner, p_created_by_partner)
        ON CONFLICT (tenant_id) DO NOTHING;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT t.kind INTO v_existing FROM ref.tenant t WHERE t.tenant_id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'could not register tenant % due to a concurrent change', p_tenant
            USING ERRCODE = '40001';
    ELSIF v_existing = 'partner_csp' AND p_kind = 'customer' THEN
        RAISE EXCEPTION 'tenant % is the CSP transaction tenant of a partner', p_tenant
            USING ERRCODE = 'MP005';
    ELSIF v_existing = 'customer' AND p_kind = 'partner_csp' THEN
        RAISE EXCEPTION 'tenant % is already a customer', p_tenant USING ERRCODE = 'MP005';
    ELSE
        RAISE EXCEPTION 'tenant % is already in use', p_tenant USING ERRCODE = '23505';
    END IF;
END
$fn$;

CREATE FUNCTION ref.partner_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.partner_id IS NOT NULL AND NEW.csp_tenant_id IS NOT NULL THEN
            PERFORM ref.claim_tenant(NEW.csp_tenant_id, 'partner_csp', NEW.partner_id);
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.partner_id IS DISTINCT FROM OLD.partner_id
           OR NEW.csp_tenant_id IS DISTINCT FROM OLD.csp_tenant_id
           OR NEW.cloud IS DISTINCT FROM OLD.cloud THEN
            RAISE EXCEPTION 'cannot change the identity of partner %', OLD.partner_id
                USING ERRCODE = 'MP008', HINT = 'Create a new partner instead.';
        END IF;
        RETURN NEW;
    END IF;
    IF NOT pg_has_role('multipartner_operator', 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to delete partner %', OLD.partner_id USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT FROM ref.relationship r WHERE r.partner_id = OLD.partner_id)
       OR EXISTS (SELECT FROM ref.partner_member m WHERE m.partner_id = OLD.partner_id)
       OR EXISTS (SELECT FROM ref.subscription s WHERE s.partner_of_record = OLD.partner_id) THEN
        RAISE EXCEPTION 'cannot delete partner %', OLD.partner_id
            USING ERRCODE = 'MP007', HINT = 'Suspend the partner instead.';
    END IF;
    DELETE FROM ref.tenant t WHERE t.tenant_id = OLD.csp_tenant_id AND t.owner_id = OLD.partner_id;
    RETURN OLD;
END
$fn$;

CREATE FUNCTION ref.customer_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_acting    uuid;
    v_roles     ref.partner_role[];
    v_pcloud    ref.cloud;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT pg_has_role('multipartner_operator', 'USAGE') THEN
            SELECT a.partner_id, a.roles INTO v_acting, v_roles FROM ref.require_acting_partner() a;
            IF NOT v_roles && '{global_admin,user_management_admin,admin_agent,sales_agent}'::ref.partner_role[] THEN
                RAISE EXCEPTION 'role "%" cannot create customers for partner %', current_user, v_acting
                    USING ERRCODE = '42501';
            END IF;
            SELECT p.cloud INTO v_pcloud FROM ref.partner p WHERE p.partner_id = v_acting;
            IF FOUND AND NEW.cloud IS NOT NULL AND v_pcloud <> NEW.cloud THEN
                RAISE EXCEPTION 'partner % cannot create a customer in cloud "%"', v_acting, NEW.cloud
                    USING ERRCODE = 'MP006';
            END IF;
        END IF;
        IF NEW.customer_id IS NOT NULL AND NEW.tenant_id IS NOT NULL THEN
            PERFORM ref.claim_tenant(NEW.tenant_id, 'customer', NEW.customer_id, v_acting);
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.customer_id IS DISTINCT FROM OLD.customer_id
           OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
           OR NEW.cloud IS DISTINCT FROM OLD.cloud THEN
            RAISE EXCEPTION 'cannot change the identity of customer %', OLD.customer_id
                USING ERRCODE = 'MP008', HINT = 'Create a new customer instead.';
        END IF;
        RETURN NEW;
    END IF;
    IF NOT pg_has_role('multipartner_operator', 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to delete customer %', OLD.customer_id USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT FROM ref.relationship r WHERE r.customer_id = OLD.customer_id)
       OR EXISTS (SELECT FROM ref.customer_member m WHERE m.customer_id = OLD.customer_id)
       OR EXISTS (SELECT FROM ref.subscription s WHERE s.customer_id = OLD.customer_id) THEN
        RAISE EXCEPTION 'cannot delete customer %', OLD.customer_id USING ERRCODE = 'MP007';
    END IF;
    DELETE FROM ref.tenant t WHERE t.tenant_id = OLD.tenant_id AND t.owner_id = OLD.customer_id;
    RETURN OLD;
END
$fn$;

-------------------------------------------------------------------------------
-- GDAP (SPEC §9): admin_role, admin_relationship, access_assignment: R14-R20
-- (src/gdap.c).  The clock is GREATEST(statement_timestamp(), now()), as for
-- the other rules; a request is approval_pending for 90 days.
-------------------------------------------------------------------------------

-- admin_role: operators add roles; nothing changes (R20), nothing is deleted
CREATE FUNCTION ref.admin_role_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cannot delete from table "%"', TG_TABLE_NAME
            USING ERRCODE = 'MP007', DETAIL = 'Admin roles are never deleted.';
    ELSIF TG_OP = 'INSERT' THEN
        IF NOT pg_has_role('multipartner_operator', 'USAGE') THEN
            RAISE EXCEPTION 'permission denied to insert into table "%"', TG_TABLE_NAME
                USING ERRCODE = '42501', DETAIL = 'Only operators add admin roles.';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.role_id IS DISTINCT FROM OLD.role_id OR NEW.name IS DISTINCT FROM OLD.name
       OR NEW.global_admin IS DISTINCT FROM OLD.global_admin THEN
        RAISE EXCEPTION 'cannot change column "%" of admin role %',
                CASE WHEN NEW.role_id IS DISTINCT FROM OLD.role_id THEN 'role_id'
                     WHEN NEW.name IS DISTINCT FROM OLD.name THEN 'name' ELSE 'global_admin' END,
                OLD.role_id
            USING ERRCODE = 'MP008',
                  DETAIL = 'Admin roles are never renamed, and their id and global_admin never change.';
    END IF;
    RETURN NEW;
END
$fn$;

/*
 * R15 and R17 on the terms of an admin relationship (display name, roles,
 * duration, auto_extend), then R15's unique display name per partner under a
 * transaction advisory lock on (partner, name), so that of two concurrent
 * writers of one name the second waits and then sees the first (READ
 * COMMITTED: each statement here takes a new snapshot).  Called by the
 * insert and by an edit while created; false if a term is NULL (its NOT NULL
 * constraint answers).
 */
CREATE FUNCTION ref.admin_check_terms(p_id uuid, p_partner uuid, p_name text, p_roles uuid[],
                                      p_duration interval, p_auto_extend boolean,
                                      p_check_name boolean)
RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    v_len       int;
    v_dup       uuid;
    v_unknown   uuid;
    v_ga        boolean;
    v_days      double precision;
BEGIN
    IF p_name IS NULL THEN
        RETURN false;
    END IF;
    v_len := char_length(p_name);
    IF v_len < 1 OR v_len > 50 THEN
        RAISE EXCEPTION 'display name of an admin relationship must have 1 to 50 characters'
            USING ERRCODE = '23514', DETAIL = format('It has %s.', v_len);
    END IF;
    IF p_roles IS NULL THEN
        RETURN false;
    END IF;
    IF array_ndims(p_roles) > 1 THEN
        RAISE EXCEPTION 'roles must be a one-dimensional array' USING ERRCODE = '2202E';
    END IF;
    IF array_position(p_roles, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'roles must not contain null' USING ERRCODE = '23514';
    END IF;
    IF cardinality(p_roles) = 0 THEN
        RAISE EXCEPTION 'an admin relationship must ask for at least one admin role'
            USING ERRCODE = '23514';
    END IF;
    -- one query: the first role given twice, the first unknown one, any global_admin
    SELECT (array_agg(u.r ORDER BY u.i) FILTER (WHERE u.k > 1))[1],
           (array_agg(u.r ORDER BY u.i) FILTER (WHERE a.role_id IS NULL))[1],
           coalesce(bool_or(a.global_admin), false)
      INTO v_dup, v_unknown, v_ga
      FROM (SELECT x.r, x.i, row_number() OVER (PARTITION BY x.r ORDER BY x.i) AS k
              FROM unnest(p_roles) WITH ORDINALITY x(r, i)) u
      LEFT JOIN ref.admin_role a ON a.role_id = u.r;
    IF v_dup IS NOT NULL THEN
        RAISE EXCEPTION 'admin role % is asked for more than once', v_dup
            USING ERRCODE = '23514';
    END IF;
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION 'admin role % does not exist', v_unknown
            USING ERRCODE = '23503', HINT = 'The admin roles are the rows of ref.admin_role.';
    END IF;
    IF p_duration IS NULL THEN
        RETURN false;
    END IF;
    -- whole days only: no month or time part (interval comparison would equate 30 days and 1 month)
    v_days := date_part('day', p_duration);
    IF date_part('year', p_duration) <> 0 OR date_part('month', p_duration) <> 0
       OR date_part('hour', p_duration) <> 0 OR date_part('minute', p_duration) <> 0
       OR date_part('microseconds', p_duration) <> 0 OR v_days < 1 OR v_days > 730 THEN
        RAISE EXCEPTION 'duration of an admin relationship must be a whole number of days from 1 to 730'
            USING ERRCODE = '23514', DETAIL = format('It is %s.', p_duration);
    END IF;
    -- R17
    IF p_auto_extend AND v_ga THEN
        RAISE EXCEPTION 'admin relationship % cannot auto-extend', p_id
            USING ERRCODE = 'MP011',
                  DETAIL = 'Its roles include Global Administrator (a global_admin role); such a relationship cannot auto-extend.',
                  HINT = 'Remove the global_admin roles, or leave auto_extend off.';
    END IF;
    IF p_check_name THEN
        PERFORM pg_advisory_xact_lock(hashtext(p_partner::text) # 18244, hashtext(p_name));
        PERFORM FROM ref.admin_relationship r
         WHERE r.partner_id = p_partner AND r.display_name = p_name
           AND r.admin_relationship_id <> p_id
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'partner % already has an admin relationship named "%"', p_partner, p_name
                USING ERRCODE = '23505',
                      DETAIL = 'Display names are unique among all the partner''s admin relationships, of any status and customer.';
        END IF;
    END IF;
    RETURN true;
END
$fn$;

-- The active assignments of an admin relationship that ended end with it
-- (SECURITY DEFINER: a customer's global admin may terminate, and cannot
-- write assignments); the assignment guard lets exactly this through.
CREATE FUNCTION ref.end_assignments(p_customer uuid, p_id uuid, p_by name, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
    n bigint;
BEGIN
    UPDATE ref.access_assignment a
       SET status = 'ended'::ref.access_assignment_status, ended_by = p_by, ended_at = p_at
     WHERE a.customer_id OPERATOR(pg_catalog.=) p_customer
       AND a.admin_relationship_id OPERATOR(pg_catalog.=) p_id
       AND a.status OPERATOR(pg_catalog.=) 'active'::ref.access_assignment_status;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;

CREATE FUNCTION ref.admin_relationship_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_now       timestamptz := GREATEST(statement_timestamp(), now());
    v_op        boolean;
    v_guc       text;
    v_n         bigint;
    v_acting    uuid;
    v_roles     ref.partner_role[];
    v_partner   boolean;            -- the caller is the row's partner's global_admin or admin_agent
    v_croles    ref.customer_role[];
    v_cadmin    boolean;            -- ... a global_admin of the row's customer
    v_pcloud    ref.cloud;
    v_pstatus   ref.partner_status;
    v_ccloud    ref.cloud;
    v_eff       ref.admin_relationship_status;
    v_ext       timestamptz;
    v_k         int;
    v_extension boolean := false;
    v_ends      boolean := false;
    v_ended_at  timestamptz;
    v_first     text;
    v_ga        uuid[];
    v_keep      uuid[];
BEGIN
    -- R20
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cannot delete from table "%"', TG_TABLE_NAME
            USING ERRCODE = 'MP007', DETAIL = 'Admin relationships are never deleted.',
                  HINT = 'Terminate the admin relationship instead.';
    END IF;

    IF TG_OP = 'INSERT' THEN
        -- R14: the partner's global_admin or admin_agent, never an operator
        -- (unless it also acts for the partner)
        v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
        SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
          FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
        IF v_n <> 1 THEN
            IF pg_has_role('multipartner_operator', 'USAGE') THEN
                RAISE EXCEPTION 'permission denied to insert into table "%"', TG_TABLE_NAME
                    USING ERRCODE = '42501',
                          DETAIL = 'Operators terminate admin relationships and end access assignments; the partner''s global_admin or admin_agent creates admin relationships.';
            END IF;
            PERFORM ref.require_acting_partner();               -- raises the reason
        END IF;
        IF NEW.partner_id IS NULL THEN
            NEW.partner_id := v_acting;
        ELSIF NEW.partner_id <> v_acting THEN
            RAISE EXCEPTION 'permission denied to create an admin relationship for partner %', NEW.partner_id
                USING ERRCODE = '42501', DETAIL = format('Role "%s" acts for partner %s.', current_user, v_acting);
        END IF;
        IF NOT v_roles && '{global_admin,admin_agent}'::ref.partner_role[] THEN
            RAISE EXCEPTION 'permission denied to create an admin relationship for partner %', NEW.partner_id
                USING ERRCODE = '42501',
                      DETAIL = 'Creating an admin relationship needs the partner role global_admin or admin_agent.';
        END IF;
        IF NEW.admin_relationship_id IS NULL OR NEW.customer_id IS NULL OR NEW.status IS NULL
           OR NEW.auto_extend IS NULL THEN
            RETURN NEW;                 -- the NOT NULL constraints say so
        END IF;

        -- R18: it starts created
        IF NEW.status <> 'created' THEN
            RAISE EXCEPTION 'a new admin relationship must be created, not "%"', NEW.status
                USING ERRCODE = '55000',
                      HINT = 'Submit it for approval afterwards; the customer approves it.';
        END IF;

        -- the partner exists and is active
        SELECT p.cloud, p.status INTO v_pcloud, v_pstatus FROM ref.partner p
         WHERE p.partner_id = NEW.partner_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'partner % does not exist', NEW.partner_id USING ERRCODE = '23503';
        END IF;
        IF v_pstatus <> 'active' THEN
            RAISE EXCEPTION 'partner % is suspended', NEW.partner_id
                USING ERRCODE = '55000', DETAIL = 'A suspended partner cannot create admin relationships.';
        END IF;
        -- R14: an active reseller relationship, held until commit (before the
        -- customer is looked up: an unknown customer is MP001 too)
        PERFORM FROM ref.relationship r
         WHERE r.customer_id = NEW.customer_id AND r.partner_id = NEW.partner_id
           AND r.status = 'active'
           FOR SHARE OF r;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'partner % has no active relationship with customer %', NEW.partner_id, NEW.customer_id
                USING ERRCODE = 'MP001',
                      DETAIL = 'An admin relationship is created only with a customer the partner has an active reseller relationship with.',
                      HINT = 'Request a relationship first.';
        END IF;
        -- R9
        SELECT c.cloud INTO v_ccloud FROM ref.customer c WHERE c.customer_id = NEW.customer_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'customer % does not exist', NEW.customer_id USING ERRCODE = '23503';
        END IF;
        IF v_pcloud <> v_ccloud THEN
            RAISE EXCEPTION 'partner % and customer % are in different clouds', NEW.partner_id, NEW.customer_id
                USING ERRCODE = 'MP006';
        END IF;

        -- R15, R17, R15's unique name
        IF NOT ref.admin_check_terms(NEW.admin_relationship_id, NEW.partner_id, NEW.display_name,
                                     NEW.roles, NEW.duration, NEW.auto_extend, true) THEN
            RETURN NEW;
        END IF;
        -- the primary key has customer_id first (SPEC §8): the id alone is checked here
        PERFORM FROM ref.admin_relationship r
         WHERE r.admin_relationship_id = NEW.admin_relationship_id AND r.customer_id <> NEW.customer_id
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'admin relationship id % is already in use', NEW.admin_relationship_id
                USING ERRCODE = '23505', HINT = 'Leave admin_relationship_id out: its default makes a new one.';
        END IF;

        -- the record: written by this trigger only
        IF NEW.requested_at IS NOT NULL OR NEW.decided_by IS NOT NULL OR NEW.decided_at IS NOT NULL
           OR NEW.activated_at IS NOT NULL OR NEW.end_at IS NOT NULL
           OR NEW.ended_by IS NOT NULL OR NEW.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'column "%" must be null',
                    CASE WHEN NEW.requested_at IS NOT NULL THEN 'requested_at'
                         WHEN NEW.decided_by IS NOT NULL THEN 'decided_by'
                         WHEN NEW.decided_at IS NOT NULL THEN 'decided_at'
                         WHEN NEW.activated_at IS NOT NULL THEN 'activated_at'
                         WHEN NEW.end_at IS NOT NULL THEN 'end_at'
                         WHEN NEW.ended_by IS NOT NULL THEN 'ended_by' ELSE 'ended_at' END
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: the trigger sets it when the status changes.';
        END IF;
        IF NEW.created_by IS NOT NULL AND NEW.created_by <> current_user THEN
            RAISE EXCEPTION 'column "created_by" must be the creating role'
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: it is set to the current role.';
        END IF;
        IF NEW.created_at IS NOT NULL AND NEW.created_at <> v_now THEN
            RAISE EXCEPTION 'column "created_at" must be the time of the creation'
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: it is set to the start of the statement.';
        END IF;
        NEW.created_by := current_user;
        NEW.created_at := v_now;
        RETURN NEW;
    END IF;

    -- UPDATE.  R20 first: the parties and the id.
    IF NEW.admin_relationship_id IS DISTINCT FROM OLD.admin_relationship_id
       OR NEW.customer_id IS DISTINCT FROM OLD.customer_id
       OR NEW.partner_id IS DISTINCT FROM OLD.partner_id THEN
        RAISE EXCEPTION 'cannot change column "%" of admin relationship %',
                CASE WHEN NEW.admin_relationship_id IS DISTINCT FROM OLD.admin_relationship_id
                     THEN 'admin_relationship_id'
                     WHEN NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN 'customer_id'
                     ELSE 'partner_id' END, OLD.admin_relationship_id
            USING ERRCODE = 'MP008',
                  DETAIL = 'The parties and the id of an admin relationship never change.';
    END IF;
    IF NEW.status IS NULL OR NEW.auto_extend IS NULL THEN
        RETURN NEW;                     -- NOT NULL
    END IF;
    v_eff := CASE WHEN OLD.status = 'approval_pending' AND OLD.requested_at <= v_now - interval '90 days'
                  THEN 'expired'
                  WHEN OLD.status = 'active' AND NOT OLD.auto_extend AND OLD.end_at <= v_now
                  THEN 'expired'
                  ELSE OLD.status END;
    v_op := pg_has_role('multipartner_operator', 'USAGE');

    -- an operator's extension of an active relationship with auto_extend that
    -- is due: end_at moves on to effective_end_at() (run_maintenance())
    IF v_op AND OLD.status = 'active' AND NEW.status = 'active' AND OLD.auto_extend
       AND OLD.end_at <= v_now AND NEW.end_at IS DISTINCT FROM OLD.end_at THEN
        v_k := greatest(floor(extract(epoch FROM v_now - OLD.end_at) / (86400 * 180))::int, 1);
        LOOP
            v_ext := OLD.end_at + make_interval(days => 180 * v_k);
            EXIT WHEN v_ext > v_now;
            v_k := v_k + 1;
        END LOOP;
        v_extension := NEW.end_at = v_ext;
    END IF;
    -- the record: written by this trigger only
    IF NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.requested_at IS DISTINCT FROM OLD.requested_at
       OR NEW.decided_by IS DISTINCT FROM OLD.decided_by OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
       OR NEW.activated_at IS DISTINCT FROM OLD.activated_at
       OR (NEW.end_at IS DISTINCT FROM OLD.end_at AND NOT v_extension)
       OR NEW.ended_by IS DISTINCT FROM OLD.ended_by OR NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        RAISE EXCEPTION 'column "%" must be left as it is',
                CASE WHEN NEW.created_by IS DISTINCT FROM OLD.created_by THEN 'created_by'
                     WHEN NEW.created_at IS DISTINCT FROM OLD.created_at THEN 'created_at'
                     WHEN NEW.requested_at IS DISTINCT FROM OLD.requested_at THEN 'requested_at'
                     WHEN NEW.decided_by IS DISTINCT FROM OLD.decided_by THEN 'decided_by'
                     WHEN NEW.decided_at IS DISTINCT FROM OLD.decided_at THEN 'decided_at'
                     WHEN NEW.activated_at IS DISTINCT FROM OLD.activated_at THEN 'activated_at'
                     WHEN NEW.end_at IS DISTINCT FROM OLD.end_at THEN 'end_at'
                     WHEN NEW.ended_by IS DISTINCT FROM OLD.ended_by THEN 'ended_by' ELSE 'ended_at' END
            USING ERRCODE = '428C9', DETAIL = 'Leave it out: the trigger sets it when the status changes.';
    END IF;

    IF NEW.status <> OLD.status THEN
        -- R18: a move of the lifecycle, for anyone (55000 before who asks, 42501)
        IF NOT ((OLD.status = 'created' AND NEW.status IN ('approval_pending', 'terminated'))
                OR (OLD.status = 'approval_pending'
                    AND NEW.status IN ('active', 'declined', 'terminated', 'expired'))
                OR (OLD.status = 'active' AND NEW.status IN ('terminated', 'expired'))) THEN
            RAISE EXCEPTION 'cannot change admin relationship % from % to %', OLD.admin_relationship_id, OLD.status, NEW.status
                USING ERRCODE = '55000',
                      DETAIL = 'An admin relationship goes from created to approval_pending or terminated, from approval_pending to active, declined or terminated, and from active to terminated; time expires approval_pending and active ones; declined, expired and terminated are final.';
        END IF;
        -- R14: who moves it (memberships held FOR KEY SHARE until commit)
        IF NEW.status = 'approval_pending' OR NEW.status = 'terminated' THEN
            v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
            SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
              FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
            IF v_n > 1 OR (v_n = 0 AND v_guc <> '') THEN
                PERFORM ref.require_acting_partner();           -- raises the reason
            END IF;
            v_partner := v_n = 1 AND v_acting = OLD.partner_id
                         AND v_roles && '{global_admin,admin_agent}'::ref.partner_role[];
        END IF;
        IF NEW.status = 'approval_pending' THEN
            IF NOT v_partner THEN
                RAISE EXCEPTION 'permission denied to submit admin relationship %', OLD.admin_relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only the partner''s global_admin or admin_agent submits an admin relationship for approval.';
            END IF;
            NEW.requested_at := v_now;
        ELSIF NEW.status IN ('active', 'declined') THEN
            v_croles := ref.lock_customer_roles(current_user::text::regrole, OLD.customer_id);
            IF NOT coalesce('global_admin' = ANY (v_croles), false) THEN
                RAISE EXCEPTION 'permission denied to % admin relationship %',
                        CASE NEW.status WHEN 'active' THEN 'approve' ELSE 'decline' END, OLD.admin_relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only a global administrator of the customer approves or declines an admin relationship.';
            END IF;
            IF v_eff <> 'approval_pending' THEN
                RAISE EXCEPTION 'admin relationship % has expired', OLD.admin_relationship_id
                    USING ERRCODE = '55000',
                          DETAIL = format('It was submitted at %s; requests expire after 90 days.', OLD.requested_at),
                          HINT = 'An expired admin relationship is never restored: create a new one.';
            END IF;
            NEW.decided_by := current_user;
            NEW.decided_at := v_now;
            IF NEW.status = 'active' THEN
                NEW.activated_at := v_now;
                NEW.end_at := v_now + OLD.duration;
            END IF;
        ELSIF NEW.status = 'terminated' THEN
            IF OLD.status = 'active' THEN
                IF NOT v_partner AND NOT v_op THEN
                    v_croles := ref.lock_customer_roles(current_user::text::regrole, OLD.customer_id);
                    IF NOT coalesce('global_admin' = ANY (v_croles), false) THEN
                        RAISE EXCEPTION 'permission denied to terminate admin relationship %', OLD.admin_relationship_id
                            USING ERRCODE = '42501',
                                  DETAIL = 'Only the partner''s global_admin or admin_agent, a global administrator of the customer, or an operator terminates an active admin relationship.';
                    END IF;
                END IF;
            ELSIF NOT v_partner THEN
                RAISE EXCEPTION 'permission denied to withdraw admin relationship %', OLD.admin_relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only the partner''s global_admin or admin_agent withdraws an admin relationship before it is active.';
            END IF;
            IF v_eff = 'expired' THEN
                RAISE EXCEPTION 'admin relationship % has expired', OLD.admin_relationship_id
                    USING ERRCODE = '55000',
                          HINT = 'An expired admin relationship is never restored: create a new one.';
            END IF;
            NEW.ended_by := current_user;
            NEW.ended_at := v_now;
            v_ends := OLD.status = 'active';
            v_ended_at := v_now;
        ELSE                            -- expired
            IF NOT v_op THEN
                RAISE EXCEPTION 'permission denied to expire admin relationship %', OLD.admin_relationship_id
                    USING ERRCODE = '42501',
                          DETAIL = 'Only an operator records that an admin relationship expired (run_maintenance()).';
            END IF;
            IF v_eff <> 'expired' THEN
                RAISE EXCEPTION 'cannot change admin relationship % from % to %', OLD.admin_relationship_id, OLD.status, NEW.status
                    USING ERRCODE = '55000', DETAIL = 'It has not expired yet.';
            END IF;
            v_ended_at := CASE WHEN OLD.status = 'active' THEN OLD.end_at
                               ELSE OLD.requested_at + interval '90 days' END;
            NEW.ended_by := current_user;
            NEW.ended_at := v_ended_at;
            v_ends := OLD.status = 'active';
        END IF;
    END IF;

    -- R16: the terms an UPDATE changes
    IF NEW.display_name IS DISTINCT FROM OLD.display_name OR NEW.roles IS DISTINCT FROM OLD.roles
       OR NEW.duration IS DISTINCT FROM OLD.duration OR NEW.auto_extend IS DISTINCT FROM OLD.auto_extend THEN
        v_first := CASE WHEN NEW.display_name IS DISTINCT FROM OLD.display_name THEN 'display_name'
                        WHEN NEW.roles IS DISTINCT FROM OLD.roles THEN 'roles'
                        WHEN NEW.duration IS DISTINCT FROM OLD.duration THEN 'duration'
                        ELSE 'auto_extend' END;
        IF v_partner IS NULL THEN
            v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
            SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
              FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
            IF v_n > 1 OR (v_n = 0 AND v_guc <> '') THEN
                PERFORM ref.require_acting_partner();           -- raises the reason
            END IF;
            v_partner := v_n = 1 AND v_acting = OLD.partner_id
                         AND v_roles && '{global_admin,admin_agent}'::ref.partner_role[];
        END IF;
        IF NOT v_partner THEN
            IF NOT v_op AND NOT (v_n = 1 AND v_acting = OLD.partner_id)
               AND EXISTS (SELECT FROM ref.customer_member m
                            WHERE m.member = current_user::text::regrole AND m.customer_id = OLD.customer_id) THEN
                RAISE EXCEPTION 'cannot change column "%" of admin relationship %', v_first, OLD.admin_relationship_id
                    USING ERRCODE = 'MP010',
                          DETAIL = 'The customer changes nothing of an admin relationship but its status.';
            END IF;
            RAISE EXCEPTION 'permission denied to edit admin relationship %', OLD.admin_relationship_id
                USING ERRCODE = '42501',
                      DETAIL = 'Only the partner''s global_admin or admin_agent edits an admin relationship.';
        END IF;
        IF OLD.status = 'created' THEN
            -- R15, R17 on the new terms, the name again if it changed
            PERFORM ref.admin_check_terms(OLD.admin_relationship_id, OLD.partner_id, NEW.display_name,
                                          NEW.roles, NEW.duration, NEW.auto_extend,
                                          NEW.display_name IS DISTINCT FROM OLD.display_name);
        ELSE
            IF OLD.status <> 'active' OR v_eff <> 'active' THEN
                RAISE EXCEPTION 'cannot change column "%" of admin relationship %', v_first, OLD.admin_relationship_id
                    USING ERRCODE = 'MP010',
                          DETAIL = format('The terms of an admin relationship change only while it is created; it is %s.', v_eff);
            END IF;
            IF NEW.display_name IS DISTINCT FROM OLD.display_name OR NEW.duration IS DISTINCT FROM OLD.duration THEN
                RAISE EXCEPTION 'cannot change column "%" of admin relationship %',
                        CASE WHEN NEW.display_name IS DISTINCT FROM OLD.display_name THEN 'display_name' ELSE 'duration' END,
                        OLD.admin_relationship_id
                    USING ERRCODE = 'MP010',
                          DETAIL = 'While an admin relationship is active, only Global Administrator may be removed from its roles and auto_extend turned on or off.';
            END IF;
            IF NEW.roles IS DISTINCT FROM OLD.roles AND NEW.roles IS NOT NULL THEN
                IF array_ndims(NEW.roles) > 1 THEN
                    RAISE EXCEPTION 'roles must be a one-dimensional array' USING ERRCODE = '2202E';
                END IF;
                IF array_position(NEW.roles, NULL) IS NOT NULL THEN
                    RAISE EXCEPTION 'roles must not contain null' USING ERRCODE = 'MP010';
                END IF;
                -- the new roles are the old ones less all their global_admin ones, as a set
                SELECT array_agg(u.r) FILTER (WHERE a.global_admin), array_agg(u.r) FILTER (WHERE NOT coalesce(a.global_admin, false))
                  INTO v_ga, v_keep
                  FROM unnest(OLD.roles) u(r) LEFT JOIN ref.admin_role a ON a.role_id = u.r;
                IF NOT (NEW.roles <@ coalesce(v_keep, '{}') AND coalesce(v_keep, '{}') <@ NEW.roles)
                   OR cardinality(NEW.roles) <> (SELECT count(DISTINCT x) FROM unnest(NEW.roles) x) THEN
                    RAISE EXCEPTION 'cannot change column "roles" of admin relationship %', OLD.admin_relationship_id
                        USING ERRCODE = 'MP010',
                              DETAIL = 'While an admin relationship is active, its roles change only by removing the global_admin roles (Global Administrator), all of them at once.';
                END IF;
                IF cardinality(NEW.roles) = 0 THEN
                    RAISE EXCEPTION 'an admin relationship must ask for at least one admin role'
                        USING ERRCODE = '23514',
                              DETAIL = 'Removing Global Administrator would leave it none: terminate it instead.';
                END IF;
            END IF;
            -- R17 on the result
            IF NEW.auto_extend AND EXISTS (SELECT FROM ref.admin_role a
                                            WHERE a.role_id = ANY (NEW.roles) AND a.global_admin) THEN
                RAISE EXCEPTION 'admin relationship % cannot auto-extend', OLD.admin_relationship_id
                    USING ERRCODE = 'MP011',
                          DETAIL = 'Its roles include Global Administrator (a global_admin role); such a relationship cannot auto-extend.',
                          HINT = 'Remove the global_admin roles, or leave auto_extend off.';
            END IF;
        END IF;
    END IF;

    -- ending it ends its active assignments, in the same statement
    IF v_ends THEN
        PERFORM ref.end_assignments(OLD.customer_id, OLD.admin_relationship_id, current_user, v_ended_at);
    END IF;
    RETURN NEW;
END
$fn$;

CREATE FUNCTION ref.access_assignment_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_now       timestamptz := GREATEST(statement_timestamp(), now());
    v_guc       text;
    v_n         bigint;
    v_acting    uuid;
    v_roles     ref.partner_role[];
    v_rpartner  uuid;
    v_rstatus   ref.admin_relationship_status;
    v_rroles    uuid[];
    v_rat       timestamptz;
    v_rend      timestamptz;
    v_rext      boolean;
    v_eff       ref.admin_relationship_status;
    v_bad       uuid;
BEGIN
    -- R20
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cannot delete from table "%"', TG_TABLE_NAME
            USING ERRCODE = 'MP007', DETAIL = 'Access assignments are never deleted.',
                  HINT = 'End the assignment instead.';
    END IF;

    IF TG_OP = 'INSERT' THEN
        -- R14: the partner's global_admin, user_management_admin or admin_agent
        v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
        SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
          FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
        IF v_n <> 1 THEN
            IF pg_has_role('multipartner_operator', 'USAGE') THEN
                RAISE EXCEPTION 'permission denied to insert into table "%"', TG_TABLE_NAME
                    USING ERRCODE = '42501',
                          DETAIL = 'Operators end access assignments; the partner''s global_admin, user_management_admin or admin_agent makes them.';
            END IF;
            PERFORM ref.require_acting_partner();               -- raises the reason
        END IF;
        IF NOT v_roles && '{global_admin,user_management_admin,admin_agent}'::ref.partner_role[] THEN
            RAISE EXCEPTION 'permission denied to assign admin access for partner %', v_acting
                USING ERRCODE = '42501',
                      DETAIL = 'Assigning admin access needs the partner role global_admin, user_management_admin or admin_agent.';
        END IF;
        IF NEW.admin_relationship_id IS NULL OR NEW.customer_id IS NULL THEN
            RETURN NEW;                 -- the NOT NULL constraints say so
        END IF;

        -- the admin relationship, held FOR SHARE until commit: its
        -- termination, expiry or change of roles waits for this assignment
        SELECT r.partner_id, r.status, r.roles, r.requested_at, r.end_at, r.auto_extend
          INTO v_rpartner, v_rstatus, v_rroles, v_rat, v_rend, v_rext
          FROM ref.admin_relationship r
         WHERE r.customer_id = NEW.customer_id AND r.admin_relationship_id = NEW.admin_relationship_id
           FOR SHARE OF r;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'admin relationship % of customer % does not exist',
                    NEW.admin_relationship_id, NEW.customer_id
                USING ERRCODE = '23503';
        END IF;
        IF v_rpartner <> v_acting THEN
            RAISE EXCEPTION 'permission denied to assign admin access of admin relationship %', NEW.admin_relationship_id
                USING ERRCODE = '42501',
                      DETAIL = format('Role "%s" acts for partner %s, which does not hold this admin relationship.',
                                      current_user, v_acting);
        END IF;
        IF NEW.partner_id IS NOT NULL AND NEW.partner_id <> v_rpartner THEN
            RAISE EXCEPTION 'column "partner_id" must be the admin relationship''s partner'
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: it is copied from the admin relationship.';
        END IF;
        NEW.partner_id := v_rpartner;
        IF NEW.status IS NOT NULL AND NEW.status <> 'active' THEN
            RAISE EXCEPTION 'a new access assignment must be active' USING ERRCODE = '55000';
        END IF;

        -- R19: the relationship is effectively active
        v_eff := CASE WHEN v_rstatus = 'approval_pending' AND v_rat <= v_now - interval '90 days'
                      THEN 'expired'
                      WHEN v_rstatus = 'active' AND NOT v_rext AND v_rend <= v_now
                      THEN 'expired'
                      ELSE v_rstatus END;
        IF v_eff <> 'active' THEN
            RAISE EXCEPTION 'admin relationship % is not active', NEW.admin_relationship_id
                USING ERRCODE = '55000',
                      DETAIL = format('It is %s; admin access is assigned only on an active admin relationship.', v_eff);
        END IF;

        -- R19: the grantee is a member of the partner (held until commit)
        IF NEW.grantee IS NULL THEN
            RETURN NEW;
        END IF;
        IF ref.lock_partner_roles(NEW.grantee, v_rpartner) IS NULL THEN
            RAISE EXCEPTION 'role "%" is not a member of partner %', NEW.grantee, v_rpartner
                USING ERRCODE = 'MP012',
                      DETAIL = 'Admin access is assigned only to members of the admin relationship''s partner.',
                      HINT = 'An operator adds the role to ref.partner_member.';
        END IF;

        -- R19: a non-empty subset of the relationship's roles, no duplicates
        IF NEW.roles IS NULL THEN
            RETURN NEW;
        END IF;
        IF array_ndims(NEW.roles) > 1 THEN
            RAISE EXCEPTION 'roles must be a one-dimensional array' USING ERRCODE = '2202E';
        END IF;
        IF array_position(NEW.roles, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'roles must not contain null' USING ERRCODE = 'MP012';
        END IF;
        IF cardinality(NEW.roles) = 0 THEN
            RAISE EXCEPTION 'an access assignment must hold at least one admin role' USING ERRCODE = 'MP012';
        END IF;
        IF cardinality(NEW.roles) > 1 AND cardinality(NEW.roles) <> (SELECT count(DISTINCT x) FROM unnest(NEW.roles) x) THEN
            RAISE EXCEPTION 'admin role % is assigned more than once',
                    (SELECT x FROM unnest(NEW.roles) x GROUP BY x HAVING count(*) > 1 LIMIT 1)
                USING ERRCODE = 'MP012';
        END IF;
        IF NOT NEW.roles <@ v_rroles THEN
            SELECT x INTO v_bad FROM unnest(NEW.roles) WITH ORDINALITY u(x, i)
             WHERE NOT x = ANY (v_rroles) ORDER BY i LIMIT 1;
            RAISE EXCEPTION 'admin role % is not a role of admin relationship %', v_bad, NEW.admin_relationship_id
                USING ERRCODE = 'MP012',
                      DETAIL = 'An access assignment holds a subset of its admin relationship''s current roles.';
        END IF;

        -- the record
        IF NEW.ended_by IS NOT NULL OR NEW.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'column "%" must be null', CASE WHEN NEW.ended_by IS NOT NULL THEN 'ended_by' ELSE 'ended_at' END
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: the trigger sets it when the status changes.';
        END IF;
        IF NEW.created_by IS NOT NULL AND NEW.created_by <> current_user THEN
            RAISE EXCEPTION 'column "created_by" must be the assigning role'
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: it is set to the current role.';
        END IF;
        IF NEW.created_at IS NOT NULL AND NEW.created_at <> v_now THEN
            RAISE EXCEPTION 'column "created_at" must be the time of the assignment'
                USING ERRCODE = '428C9', DETAIL = 'Leave it out: it is set to the start of the statement.';
        END IF;
        NEW.created_by := current_user;
        NEW.created_at := v_now;
        RETURN NEW;
    END IF;

    -- UPDATE.  R20 first.
    IF NEW.access_assignment_id IS DISTINCT FROM OLD.access_assignment_id
       OR NEW.admin_relationship_id IS DISTINCT FROM OLD.admin_relationship_id
       OR NEW.customer_id IS DISTINCT FROM OLD.customer_id
       OR NEW.partner_id IS DISTINCT FROM OLD.partner_id
       OR NEW.grantee IS DISTINCT FROM OLD.grantee THEN
        RAISE EXCEPTION 'cannot change column "%" of access assignment %',
                CASE WHEN NEW.access_assignment_id IS DISTINCT FROM OLD.access_assignment_id THEN 'access_assignment_id'
                     WHEN NEW.admin_relationship_id IS DISTINCT FROM OLD.admin_relationship_id THEN 'admin_relationship_id'
                     WHEN NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN 'customer_id'
                     WHEN NEW.partner_id IS DISTINCT FROM OLD.partner_id THEN 'partner_id'
                     ELSE 'grantee' END, OLD.access_assignment_id
            USING ERRCODE = 'MP008',
                  DETAIL = 'The relationship, the parties and the grantee of an access assignment never change.';
    END IF;
    IF NEW.status IS NULL THEN
        RETURN NEW;
    END IF;
    -- the end of an ended admin relationship's assignments: ref.end_assignments(),
    -- run as the owner from the admin relationship's trigger
    IF OLD.status = 'active' AND NEW.status = 'ended' AND pg_trigger_depth() > 1
       AND current_user = (SELECT n.nspowner::regrole::name FROM pg_catalog.pg_namespace n
                            WHERE n.nspname = 'ref') THEN
        RETURN NEW;
    END IF;
    IF NOT pg_has_role('multipartner_operator', 'USAGE') THEN
        v_guc := coalesce(current_setting('multipartner.acting_partner', true), '');
        SELECT l.n, l.partner_id, l.roles INTO v_n, v_acting, v_roles
          FROM ref.lock_membership(current_user::text::regrole, v_guc) l;
        IF v_n > 1 OR (v_n = 0 AND v_guc <> '') THEN
            PERFORM ref.require_acting_partner();               -- raises the reason
        END IF;
        IF NOT (v_n = 1 AND v_acting = OLD.partner_id
                AND v_roles && '{global_admin,user_management_admin,admin_agent}'::ref.partner_role[]) THEN
            RAISE EXCEPTION 'permission denied to change access assignment %', OLD.access_assignment_id
                USING ERRCODE = '42501',
                      DETAIL = 'Only the partner''s global_admin, user_management_admin or admin_agent, or an operator, ends an access assignment.';
        END IF;
    END IF;
    IF NEW.roles IS DISTINCT FROM OLD.roles THEN
        RAISE EXCEPTION 'cannot change column "roles" of access assignment %', OLD.access_assignment_id
            USING ERRCODE = 'MP010',
                  DETAIL = 'The roles of an access assignment never change: end it and make a new one.';
    END IF;
    IF NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.ended_by IS DISTINCT FROM OLD.ended_by OR NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        RAISE EXCEPTION 'column "%" must be left as it is',
                CASE WHEN NEW.created_by IS DISTINCT FROM OLD.created_by THEN 'created_by'
                     WHEN NEW.created_at IS DISTINCT FROM OLD.created_at THEN 'created_at'
                     WHEN NEW.ended_by IS DISTINCT FROM OLD.ended_by THEN 'ended_by' ELSE 'ended_at' END
            USING ERRCODE = '428C9', DETAIL = 'Leave it out: the trigger sets it when the status changes.';
    END IF;
    IF NEW.status <> OLD.status THEN
        IF OLD.status <> 'active' THEN
            RAISE EXCEPTION 'access assignment % has ended', OLD.access_assignment_id
                USING ERRCODE = '55000', DETAIL = 'An ended access assignment is final.',
                      HINT = 'Make a new assignment.';
        END IF;
        NEW.ended_by := current_user;
        NEW.ended_at := v_now;
    END IF;
    RETURN NEW;
END
$fn$;

-------------------------------------------------------------------------------
-- The audit log: one row per change, as jsonb, written by the trigger only
-------------------------------------------------------------------------------

-- AFTER ... FOR EACH ROW; the arguments name the primary key columns.
CREATE FUNCTION ref.audit() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_guc       text := coalesce(current_setting('multipartner.acting_partner', true), '');
    v_acting    uuid;
    v_old       jsonb;
    v_new       jsonb;
    v_row_id    text;
    v_key       jsonb;
BEGIN
    -- the acting partner if there is exactly one; the record never refuses
    SELECT CASE WHEN count(DISTINCT m.partner_id) = 1 THEN (array_agg(m.partner_id))[1] END
      INTO v_acting
      FROM ref.partner_member m
     WHERE m.member = current_user::text::regrole
       AND (v_guc = '' OR m.partner_id = nullif(v_guc, '')::uuid);
    IF TG_OP <> 'INSERT' THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        v_new := to_jsonb(NEW);
    END IF;
    v_key := coalesce(v_new, v_old);
    v_row_id := v_key ->> TG_ARGV[0];
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        v_row_id := v_row_id || ',' || (v_key ->> TG_ARGV[i]);
    END LOOP;
    -- the partner and the customer the row concerns, for row security on the log
    INSERT INTO ref.audit_log (actor, session_actor, acting_partner, operation, table_name,
                               row_id, old_row, new_row, txid, partner_id, customer_id, audit_key)
    VALUES (current_user, session_user, v_acting, TG_OP, TG_TABLE_NAME,
            v_row_id, v_old, v_new, txid_current(),
            coalesce(v_key ->> 'partner_id', v_key ->> 'partner_of_record')::uuid,
            (v_key ->> 'customer_id')::uuid,
            coalesce(v_key ->> 'customer_id', v_key ->> 'partner_id', v_key ->> TG_ARGV[0])::uuid);
    RETURN NULL;
END
$fn$;

-- BEFORE ... FOR EACH ROW on audit_log: append-only, written from triggers only.
CREATE FUNCTION ref.audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF pg_trigger_depth() < 2 THEN
            RAISE EXCEPTION 'permission denied to write to table "%"', TG_TABLE_NAME
                USING ERRCODE = '42501', DETAIL = 'Only the audit trigger writes the audit log.';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cannot % table "%"', lower(TG_OP), TG_TABLE_NAME
        USING ERRCODE = 'MP007', DETAIL = 'The audit log is append-only.';
END
$fn$;

CREATE FUNCTION ref.forbid_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'cannot truncate table "%"', TG_TABLE_NAME
        USING ERRCODE = 'MP007', DETAIL = 'Rows of this table are never deleted.';
END
$fn$;

-------------------------------------------------------------------------------
-- Triggers, as the extension declares them, ENABLE ALWAYS
-------------------------------------------------------------------------------

CREATE TRIGGER partner_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.partner
    FOR EACH ROW EXECUTE FUNCTION ref.partner_guard();
CREATE TRIGGER customer_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.customer
    FOR EACH ROW EXECUTE FUNCTION ref.customer_guard();
CREATE TRIGGER relationship_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.relationship
    FOR EACH ROW EXECUTE FUNCTION ref.relationship_guard();
CREATE TRIGGER subscription_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.subscription
    FOR EACH ROW EXECUTE FUNCTION ref.subscription_guard();
CREATE TRIGGER audit_log_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.audit_log
    FOR EACH ROW EXECUTE FUNCTION ref.audit_log_guard();
CREATE TRIGGER admin_role_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.admin_role
    FOR EACH ROW EXECUTE FUNCTION ref.admin_role_guard();
CREATE TRIGGER admin_relationship_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.admin_relationship
    FOR EACH ROW EXECUTE FUNCTION ref.admin_relationship_guard();
CREATE TRIGGER access_assignment_guard BEFORE INSERT OR UPDATE OR DELETE ON ref.access_assignment
    FOR EACH ROW EXECUTE FUNCTION ref.access_assignment_guard();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.partner
    FOR EACH ROW EXECUTE FUNCTION ref.audit('partner_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.customer
    FOR EACH ROW EXECUTE FUNCTION ref.audit('customer_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.partner_member
    FOR EACH ROW EXECUTE FUNCTION ref.audit('member', 'partner_id', 'role');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.customer_member
    FOR EACH ROW EXECUTE FUNCTION ref.audit('member', 'customer_id', 'role');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.relationship
    FOR EACH ROW EXECUTE FUNCTION ref.audit('relationship_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.subscription
    FOR EACH ROW EXECUTE FUNCTION ref.audit('subscription_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.admin_role
    FOR EACH ROW EXECUTE FUNCTION ref.audit('role_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.admin_relationship
    FOR EACH ROW EXECUTE FUNCTION ref.audit('customer_id', 'admin_relationship_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ref.access_assignment
    FOR EACH ROW EXECUTE FUNCTION ref.audit('customer_id', 'access_assignment_id');

CREATE TRIGGER partner_forbid_truncate BEFORE TRUNCATE ON ref.partner
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER customer_forbid_truncate BEFORE TRUNCATE ON ref.customer
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER partner_member_forbid_truncate BEFORE TRUNCATE ON ref.partner_member
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER customer_member_forbid_truncate BEFORE TRUNCATE ON ref.customer_member
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER relationship_forbid_truncate BEFORE TRUNCATE ON ref.relationship
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER subscription_forbid_truncate BEFORE TRUNCATE ON ref.subscription
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER audit_log_forbid_truncate BEFORE TRUNCATE ON ref.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER tenant_forbid_truncate BEFORE TRUNCATE ON ref.tenant
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER admin_role_forbid_truncate BEFORE TRUNCATE ON ref.admin_role
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER admin_relationship_forbid_truncate BEFORE TRUNCATE ON ref.admin_relationship
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();
CREATE TRIGGER access_assignment_forbid_truncate BEFORE TRUNCATE ON ref.access_assignment
    FOR EACH STATEMENT EXECUTE FUNCTION ref.forbid_truncate();

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname, tg.tgname
               FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
              WHERE c.relnamespace = 'ref'::regnamespace AND NOT tg.tgisinternal
    LOOP
        EXECUTE format('ALTER TABLE ref.%I ENABLE ALWAYS TRIGGER %I', t.relname, t.tgname);
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Privileges: the extension's, plus what invoker-rights triggers need to read
-------------------------------------------------------------------------------

GRANT USAGE ON SCHEMA ref TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ref FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ref
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT SELECT ON ALL TABLES IN SCHEMA ref
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT INSERT, UPDATE, DELETE ON ref.partner, ref.customer, ref.partner_member, ref.customer_member
    TO multipartner_operator;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ref.relationship, ref.subscription TO multipartner_operator;
GRANT INSERT ON ref.customer, ref.relationship, ref.subscription TO multipartner_partner_app;
GRANT UPDATE, DELETE ON ref.relationship, ref.subscription TO multipartner_partner_app;
GRANT UPDATE, DELETE ON ref.relationship TO multipartner_customer_app;
GRANT INSERT ON ref.audit_log, ref.tenant
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT DELETE ON ref.tenant TO multipartner_operator;
-- GDAP: as the extension grants them (UPDATE column by column)
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ref.admin_role, ref.admin_relationship, ref.access_assignment
    TO multipartner_operator;
GRANT INSERT ON ref.admin_relationship, ref.access_assignment TO multipartner_partner_app;
GRANT UPDATE (admin_relationship_id, customer_id, partner_id, display_name, roles, duration,
              auto_extend, status, created_by, created_at, requested_at, decided_by,
              decided_at, activated_at, end_at, ended_by, ended_at)
    ON ref.admin_relationship TO multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee,
              roles, status, created_by, created_at, ended_by, ended_at)
    ON ref.access_assignment TO multipartner_partner_app;
