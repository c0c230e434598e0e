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

-------------------------------------------------------------------------------
-- Column forms of the effective_*() functions, and the views as joins
-- (issue 15, CITUS_DESIGN §1.11, §3).  A whole-row argument does not survive
-- Citus: on a shard the row's type is the shard's (subscription_102127), and
-- no function takes it.  So every caller inside the extension (the views,
-- effective_admin_roles(), run_maintenance(), the R13 lookup in C) passes
-- the columns; the row-typed functions stay as the interface (the
-- subscription ones are the same C functions, the others call the column
-- forms).  customer_partners, admin_relationships and orphaned_subscriptions
-- read their counts and GDAP flag from derived tables grouped by customer_id
-- instead of correlated subqueries, so that a filter by customer is one
-- task on Citus; the rows are the same for every role.
-------------------------------------------------------------------------------
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
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_relationship_status($1.status, $1.requested_at)
$$;
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
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.admin_relationship)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_status($1.status, $1.requested_at,
                                                             $1.auto_extend, $1.end_at)
$$;
CREATE OR REPLACE FUNCTION multipartner.effective_end_at(multipartner.admin_relationship)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_end_at($1.status, $1.auto_extend, $1.end_at)
$$;
REVOKE ALL ON FUNCTION
      multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz),
      multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text,
                                                 timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text,
                                                     timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text,
                                                         timestamptz, timestamptz, timestamptz),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
      multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz),
      multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text,
                                                 timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text,
                                                     timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text,
                                                         timestamptz, timestamptz, timestamptz),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

CREATE OR REPLACE VIEW multipartner.customer_partners WITH (security_invoker = true) AS
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

CREATE OR REPLACE VIEW multipartner.subscriptions_by_partner WITH (security_invoker = true) AS
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

CREATE OR REPLACE FUNCTION multipartner.effective_admin_roles(customer_id uuid)
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

CREATE OR REPLACE VIEW multipartner.admin_relationships WITH (security_invoker = true) AS
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

CREATE OR REPLACE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
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

CREATE OR REPLACE FUNCTION multipartner.run_maintenance()
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

    -- auto-extended admin relationships
    WITH x AS (
        UPDATE multipartner.admin_relationship ar
           SET end_at = multipartner.effective_admin_relationship_end_at(ar.status, ar.auto_extend, ar.end_at)
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND ar.auto_extend
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_extended FROM x;

    -- subscriptions: renewed terms, then expiries
    WITH x AS (
        UPDATE multipartner.subscription s
           SET term_start = multipartner.effective_subscription_term_start(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end),
               commitment_end = multipartner.effective_subscription_commitment_end(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end)
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
