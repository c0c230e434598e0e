/*
 * test/bench/plpgsql_reference.sql: the fair alternative to the extension.
 *
 * Schema "ref" holds the extension's tables (same columns, defaults, CHECKs,
 * foreign keys and indexes, copied from sql/multipartner--0.1.sql) and
 * PL/pgSQL triggers that enforce the same rules (SPEC §5) and write the same
 * audit log, written the way a competent DBA would: static SQL only (no
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
 *     snapshot there, as ri_triggers.c does).
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
       OR NEW.commitment_end IS DISTINCT FROM OLD.commitment_end
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'cannot change the terms of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = 'The terms and obligations of a subscription never change once it is created.';
    END IF;

    -- R7: the obligations
    IF NEW.status IS NULL OR NEW.quantity IS NULL THEN
        RETURN NEW;                     -- NOT NULL
    END IF;
    IF OLD.status IN ('cancelled', 'expired')
       AND (NEW.status <> OLD.status OR NEW.quantity <> OLD.quantity
            OR NEW.auto_renew IS DISTINCT FROM OLD.auto_renew) THEN
        RAISE EXCEPTION 'subscription % is %', OLD.subscription_id, OLD.status
            USING ERRCODE = 'MP004', DETAIL = 'Cancelled and expired subscriptions are final.';
    END IF;
    IF NEW.quantity < OLD.quantity AND GREATEST(statement_timestamp(), now()) >= OLD.created_at + interval '168 hours' THEN
        RAISE EXCEPTION 'cannot lower the quantity of subscription %', OLD.subscription_id
            USING ERRCODE = 'MP004',
                  DETAIL = format('The quantity may be lowered only within 168 hours of the purchase, at %s.', OLD.created_at),
                  HINT = 'Quantity can still be raised.';
    END IF;
    IF NEW.status <> OLD.status THEN
        IF NEW.status = 'cancelled' AND GREATEST(statement_timestamp(), now()) >= OLD.created_at + interval '168 hours' THEN
            RAISE EXCEPTION 'cannot cancel subscription %', OLD.subscription_id
                USING ERRCODE = 'MP004',
                      DETAIL = format('A subscription may be cancelled only within 168 hours of the purchase, at %s.', OLD.created_at),
                      HINT = 'Turn auto_renew off to end it at the end of its commitment.';
        END IF;
        IF NEW.status = 'expired' AND GREATEST(statement_timestamp(), now()) < OLD.commitment_end THEN
            RAISE EXCEPTION 'cannot expire subscription % before the end of its commitment', OLD.subscription_id
                USING ERRCODE = 'MP004', DETAIL = format('Its commitment ends at %s.', OLD.commitment_end);
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
                               row_id, old_row, new_row, txid, partner_id, customer_id)
    VALUES (current_user, session_user, v_acting, TG_OP, TG_TABLE_NAME,
            v_row_id, v_old, v_new, txid_current(),
            coalesce(v_key ->> 'partner_id', v_key ->> 'partner_of_record')::uuid,
            (v_key ->> 'customer_id')::uuid);
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
