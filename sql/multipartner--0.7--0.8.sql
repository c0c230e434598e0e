/* sql/multipartner--0.7--0.8.sql: upgrade multipartner from 0.7 to 0.8 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.8'" to load this file. \quit

/*
 * 0.8 adds time (SPEC §10, issue 14): subscription terms that renew or
 * expire, read lazily through effective_*(subscription), run_maintenance()
 * recording every kind of due transition, and expiry notices.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.8'::pg_catalog.text$$;

-------------------------------------------------------------------------------
-- Subscription terms (SPEC §10): term_start, renewals and expiry read
-- lazily through effective_*(subscription).
-------------------------------------------------------------------------------

-- term_start of the existing rows is their created_at (their first term;
-- the renewals due since are read lazily and recorded by run_maintenance()).
-- The backfill is no change of a subscription: the triggers stay out of it,
-- so it writes no audit rows, and are set back to ENABLE ALWAYS.
ALTER TABLE multipartner.subscription ADD COLUMN term_start timestamptz;
ALTER TABLE multipartner.subscription DISABLE TRIGGER subscription_guard;
ALTER TABLE multipartner.subscription DISABLE TRIGGER audit_identity;
ALTER TABLE multipartner.subscription DISABLE TRIGGER audit;
UPDATE multipartner.subscription SET term_start = created_at;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER subscription_guard;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit_identity;
ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit;
ALTER TABLE multipartner.subscription ALTER COLUMN term_start SET NOT NULL;

-- run_maintenance() finds the live subscriptions whose term has ended by
-- this index alone (SPEC §10: a run costs what is due, not the table)
CREATE INDEX subscription_due_idx
    ON multipartner.subscription (commitment_end)
    WHERE status OPERATOR(pg_catalog.=) ANY
          (ARRAY['active', 'suspended']::multipartner.subscription_status[]);

GRANT UPDATE (term_start)
   ON multipartner.subscription TO multipartner_partner_app, multipartner_customer_app;

/*
 * What time has made of a subscription (SPEC §10), at the statement's
 * clock: an active one with auto_renew past its commitment_end has renewed
 * (as often as due; terms are anchored on created_at), one without
 * auto_renew or suspended has expired there.  src/term.c; the trigger of
 * every UPDATE and run_maintenance() read the same.
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
REVOKE ALL ON FUNCTION
      multipartner.effective_status(multipartner.subscription),
      multipartner.effective_term_start(multipartner.subscription),
      multipartner.effective_commitment_end(multipartner.subscription)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
      multipartner.effective_status(multipartner.subscription),
      multipartner.effective_term_start(multipartner.subscription),
      multipartner.effective_commitment_end(multipartner.subscription)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

-- The views read the subscription as time has made it (effective_*());
-- subscriptions_by_partner gains term_start at its end.
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
       multipartner.effective_status(s) AS status,
       s.auto_renew,
       s.created_at,
       multipartner.effective_commitment_end(s) AS commitment_end,
       s.created_by,
       multipartner.effective_term_start(s) AS term_start
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record;

CREATE OR REPLACE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.quantity,
       multipartner.effective_status(s) AS status,
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
   AND multipartner.effective_status(s) OPERATOR(pg_catalog.=) ANY
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

    -- auto-extended admin relationships
    WITH x AS (
        UPDATE multipartner.admin_relationship ar
           SET end_at = multipartner.effective_end_at(ar)
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND ar.auto_extend
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_extended FROM x;

    -- subscriptions: renewed terms, then expiries
    WITH x AS (
        UPDATE multipartner.subscription s
           SET term_start = multipartner.effective_term_start(s),
               commitment_end = multipartner.effective_commitment_end(s)
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

-- Reference in the database
COMMENT ON COLUMN multipartner.subscription.quantity IS
    'licences, 1 to 1000000; may rise at any time, fall only within 168 hours of the start of the current term (R7)';
COMMENT ON COLUMN multipartner.subscription.commitment_end IS
    'the end of the current term, created_at plus the term at the sale; only a renewal moves it, one term on (R7, SPEC §10)';
COMMENT ON COLUMN multipartner.subscription.status IS
    'active, suspended, cancelled or expired, as recorded; cancelling only within 168 hours of the start of the current term, cancelled and expired are final (R7); effective_status() says what time has made of it';
COMMENT ON COLUMN multipartner.subscription.created_at IS
    'when it was sold (the statement''s time); anchors every term, never changes (R7)';
COMMENT ON COLUMN multipartner.subscription.term_start IS
    'the start of the current term: created_at at the sale; only a renewal moves it, to the old commitment_end (R7, SPEC §10)';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.status IS 'active, suspended, cancelled or expired, as time has made it (effective_status())';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.commitment_end IS 'the end of the current term (effective_commitment_end())';
COMMENT ON COLUMN multipartner.subscriptions_by_partner.term_start IS 'the start of the current term (effective_term_start())';
COMMENT ON COLUMN multipartner.orphaned_subscriptions.status IS 'active or suspended, as time has made it (effective_status())';
COMMENT ON FUNCTION multipartner.effective_status(multipartner.subscription) IS
    'the status a subscription reads as: past commitment_end, expired without auto_renew or while suspended, before anything records it';
COMMENT ON FUNCTION multipartner.effective_term_start(multipartner.subscription) IS
    'the start of the subscription''s current term: with auto_renew it has renewed at each commitment_end, before anything records it';
COMMENT ON FUNCTION multipartner.effective_commitment_end(multipartner.subscription) IS
    'the end of the subscription''s current term: with auto_renew one term on at each renewal, before anything records it';
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
