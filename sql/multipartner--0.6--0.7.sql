/* sql/multipartner--0.6--0.7.sql: upgrade multipartner from 0.6 to 0.7 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.7'" to load this file. \quit

/*
 * 0.7 adds granular delegated admin (GDAP, SPEC §9, issue 13): admin roles,
 * admin relationships and access assignments, their rules R14-R20 in C
 * (src/gdap.c), their API and read functions.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.7'::pg_catalog.text$$;

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
    created_at   timestamptz NOT NULL
                 DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()),
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
    created_at   timestamptz NOT NULL
                 DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()),
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

/*
 * What time has made of an admin relationship (SPEC §10), at the
 * statement's clock: a request pending 90 days has expired, an active one
 * past end_at has expired, or with auto_extend runs on in steps of 180
 * days.  The day arithmetic is timestamptz + interval's, as for relationship
 * requests (effective_status(relationship)) and end_at = activated_at +
 * duration in the trigger; the 90 days are MP_REQUEST_LIFETIME_DAYS too.
 */
CREATE FUNCTION multipartner.effective_status(multipartner.admin_relationship)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1.status OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status
                AND $1.requested_at OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.admin_relationship_status
           WHEN $1.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND NOT $1.auto_extend
                AND $1.end_at OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN 'expired'::multipartner.admin_relationship_status
           ELSE $1.status
           END
$$;
CREATE FUNCTION multipartner.effective_end_at(multipartner.admin_relationship)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND $1.auto_extend
                AND $1.end_at OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN (SELECT pg_catalog.min(x.e)
                   FROM (SELECT $1.end_at OPERATOR(pg_catalog.+)
                                (interval '180 days' OPERATOR(pg_catalog.*) k.k) AS e
                           FROM (SELECT pg_catalog.floor(pg_catalog.date_part('epoch',
                                            GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                                            OPERATOR(pg_catalog.-) $1.end_at)
                                        OPERATOR(pg_catalog./) 15552000::double precision)::integer AS k0) f,
                                pg_catalog.generate_series(GREATEST(f.k0, 1), f.k0 OPERATOR(pg_catalog.+) 2) AS k(k)
                         ) x
                  WHERE x.e OPERATOR(pg_catalog.>)
                        GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))
           ELSE $1.end_at
           END
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
            SELECT a.roles AS assigned_roles, r AS rel
              FROM multipartner.access_assignment a
              JOIN multipartner.admin_relationship r
                ON r.customer_id OPERATOR(pg_catalog.=) a.customer_id
               AND r.admin_relationship_id OPERATOR(pg_catalog.=) a.admin_relationship_id
             WHERE a.customer_id OPERATOR(pg_catalog.=) $1
               AND a.grantee OPERATOR(pg_catalog.=) (SELECT pg_catalog.to_regrole(CURRENT_USER::pg_catalog.text))
               AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status
               AND multipartner.effective_status(r) OPERATOR(pg_catalog.=)
                   'active'::multipartner.admin_relationship_status
        ), gdap AS (
            SELECT ar.role_id, ar.name AS role_name, 'gdap'::pg_catalog.text AS source,
                   (x.rel).admin_relationship_id, multipartner.effective_end_at(x.rel) AS until
              FROM assigned x
              JOIN multipartner.admin_role ar
                ON ar.role_id OPERATOR(pg_catalog.=) ANY (x.assigned_roles)
               AND ar.role_id OPERATOR(pg_catalog.=) ANY ((x.rel).roles)
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

/*
 * Records what time has done (SPEC §10): the relationship requests pending
 * 90 days (expire_relationships()), the admin relationships time has
 * expired (their active assignments end with them, in the trigger), and the
 * auto-extended ones whose end_at has passed (end_at moves to
 * effective_end_at()).  One row per kind, zero counts included.  Operators
 * only (EXECUTE); each change goes through the triggers as the operator's
 * UPDATE, so it has its audit row.  Idempotent and safe in several sessions
 * at once: each admin relationship is locked and its due state re-read
 * before it is changed (READ COMMITTED re-checks the row; REPEATABLE READ
 * fails with 40001), so each transition is recorded once.
 */
CREATE FUNCTION multipartner.run_maintenance()
RETURNS TABLE (kind text, count bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    n_relationship bigint;
    n_expired bigint := 0;
    n_extended bigint := 0;
    n_ended bigint := 0;
    n bigint;
    r record;
BEGIN
    n_relationship := multipartner.expire_relationships();
    FOR r IN
        SELECT ar.customer_id, ar.admin_relationship_id
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) ANY
               ('{approval_pending,active}'::multipartner.admin_relationship_status[])
           AND multipartner.effective_status(ar) OPERATOR(pg_catalog.=)
               'expired'::multipartner.admin_relationship_status
    LOOP
        PERFORM FROM multipartner.admin_relationship ar
          WHERE ar.customer_id OPERATOR(pg_catalog.=) r.customer_id
            AND ar.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
            AND ar.status OPERATOR(pg_catalog.=) ANY
                ('{approval_pending,active}'::multipartner.admin_relationship_status[])
            AND multipartner.effective_status(ar) OPERATOR(pg_catalog.=)
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
    WITH x AS (
        UPDATE multipartner.admin_relationship ar
           SET end_at = multipartner.effective_end_at(ar)
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.auto_extend
           AND ar.end_at OPERATOR(pg_catalog.<=)
               GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_extended FROM x;
    RETURN QUERY VALUES ('access_assignment_ended'::pg_catalog.text, n_ended),
                        ('admin_relationship_expired', n_expired),
                        ('admin_relationship_extended', n_extended),
                        ('relationship_expired', n_relationship);
END
$fn$;

-- Each admin relationship with its effective status and end and its role
-- names (SPEC §9); row security of the tables applies (security_invoker).
CREATE VIEW multipartner.admin_relationships WITH (security_invoker = true) AS
SELECT r.admin_relationship_id,
       r.customer_id,
       c.name AS customer_name,
       r.partner_id,
       p.name AS partner_name,
       r.display_name,
       r.status,
       multipartner.effective_status(r) AS effective_status,
       r.end_at,
       multipartner.effective_end_at(r) AS effective_end_at,
       r.auto_extend,
       ARRAY(SELECT ar.name FROM multipartner.admin_role ar
              WHERE ar.role_id OPERATOR(pg_catalog.=) ANY (r.roles)
              ORDER BY ar.name) AS role_names,
       (SELECT pg_catalog.count(*) FROM multipartner.access_assignment a
         WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND a.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
           AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status)
         AS active_assignments
  FROM multipartner.admin_relationship r
  LEFT JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  LEFT JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id;

REVOKE ALL ON FUNCTION multipartner.run_maintenance() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.run_maintenance() TO multipartner_operator;
REVOKE ALL ON multipartner.admin_relationships FROM PUBLIC;
GRANT SELECT ON multipartner.admin_relationships
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-- Same columns as in 0.6, so its grants and comments stay.
-- Live subscriptions whose partner of record has no active relationship
-- with delegated admin on the tenant any more, or is suspended (SPEC §6).
-- Since 0.7 "delegated admin" is either: the active relationship's DAP flag,
-- or an effectively active GDAP admin relationship of the partner with the
-- customer (effective_status(), so one past its end reads expired before
-- anything records it); 'delegated admin revoked' means neither.  The
-- admin relationship is found by (customer_id, ...) on its primary key and
-- seen through its row security (security_invoker).
CREATE OR REPLACE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
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
        OR NOT (r.delegated_admin
                OR EXISTS (SELECT FROM multipartner.admin_relationship ar
                            WHERE ar.customer_id OPERATOR(pg_catalog.=) s.customer_id
                              AND ar.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
                              AND ar.status OPERATOR(pg_catalog.=)
                                  'active'::multipartner.admin_relationship_status
                              AND multipartner.effective_status(ar) OPERATOR(pg_catalog.=)
                                  'active'::multipartner.admin_relationship_status)));

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
      multipartner.effective_status(multipartner.admin_relationship),
      multipartner.effective_end_at(multipartner.admin_relationship),
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
      multipartner.effective_admin_roles(uuid),
      multipartner.terminate_admin_relationship(uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.create_admin_relationship(uuid, text, text[], interval, boolean),
      multipartner.request_admin_approval(uuid),
      multipartner.assign_admin_access(uuid, regrole, text[]),
      multipartner.end_admin_access(uuid)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.approve_admin_relationship(uuid),
      multipartner.decline_admin_relationship(uuid)
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
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()))
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY customer_own ON multipartner.admin_relationship
    FOR ALL TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));
CREATE POLICY operator_all ON multipartner.access_assignment
    FOR ALL TO multipartner_operator USING (true) WITH CHECK (true);
CREATE POLICY partner_own ON multipartner.access_assignment
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()))
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner()));
CREATE POLICY customer_own ON multipartner.access_assignment
    FOR SELECT TO multipartner_customer_app
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));

-------------------------------------------------------------------------------
-- Reference in the database: the comments of the new objects (as in the
-- install script), and the audit log's, which now names the new tables.
-------------------------------------------------------------------------------

COMMENT ON TABLE multipartner.audit_log IS
    'append-only record of every change to partner, customer, partner_member, customer_member, relationship, subscription, admin_role, admin_relationship and access_assignment, with the identity the rules judged; written by the audit trigger only (R10)';

-- GDAP (since 0.7)
COMMENT ON TABLE multipartner.restore_held IS
    'rows a restore loaded before their partner, customer or admin relationship, put back when it is loaded; empty after a complete restore';
COMMENT ON FUNCTION multipartner.restore_release() IS
    'trigger: in restore mode, puts back the held rows once the rows of their partner, customer or admin relationship are loaded';
COMMENT ON VIEW multipartner.orphaned_subscriptions IS
    'active or suspended subscriptions whose partner of record is suspended or no longer has an active relationship with delegated admin on the tenant (its DAP flag, or an effectively active GDAP admin relationship)';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.reason IS
    'partner suspended, no active relationship, or delegated admin revoked (neither DAP nor an effectively active GDAP admin relationship)';

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
COMMENT ON FUNCTION multipartner.effective_status(multipartner.admin_relationship) IS
    'the status an admin relationship reads as at the statement''s time: expired once its request is 90 days old or its end passed without auto_extend';
COMMENT ON FUNCTION multipartner.effective_end_at(multipartner.admin_relationship) IS
    'the end of an admin relationship at the statement''s time: end_at, or with auto_extend the first end_at plus a multiple of 180 days still ahead';
COMMENT ON FUNCTION multipartner.effective_admin_roles(uuid) IS
    'the admin roles the acting role holds at the customer now, from GDAP assignments, or from DAP where it has none there';
COMMENT ON FUNCTION multipartner.run_maintenance() IS
    'records what time has done: expired relationship requests and admin relationships (their assignments end), auto-extended admin relationships; one row per kind; operators only';
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
