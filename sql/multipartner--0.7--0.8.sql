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
