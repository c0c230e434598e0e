/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

/*
 * Item 4, the clock.  Every time rule (the 168-hour cancellation window,
 * the 90-day request lifetime, "expired only after commitment_end") and
 * every record stamp (created_at, requested_at, decided_at, ended_at) is
 * judged at the start of the statement, not of its transaction, so a
 * transaction held open for days neither stretches a window nor backdates a
 * sale.  Inside a procedure that has committed, the transaction started
 * after the CALL did: then its start is the later, and the one taken.  The
 * C side is mp_statement_time() (util.c); the defaults below are what the
 * triggers compare a given value with, so they must say the same.
 */
ALTER TABLE multipartner.partner
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.customer
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.relationship
    ALTER COLUMN requested_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
ALTER TABLE multipartner.subscription
    ALTER COLUMN created_at SET DEFAULT GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());

/*
 * The status a relationship reads as: a pending request older than 90 days
 * (at the statement's time) is expired even before anything has written
 * that down.  The 90 days are MP_REQUEST_LIFETIME_DAYS in src/multipartner.h.
 */
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1.status OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status
                AND $1.requested_at OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.relationship_status
           ELSE $1.status
           END
$$;

/*
 * Item 5, tenant squatting.  A partner's direct INSERT into customer with no
 * relationship claimed the tenant for good and left a customer only
 * operators see.  A customer a partner inserts must end its transaction with
 * a relationship with that partner (of any status), as create_customer()
 * leaves it; the check runs at commit (or at SET CONSTRAINTS ... IMMEDIATE),
 * so the relationship may follow the customer in the same transaction.  The
 * WHEN clause, evaluated when the row is inserted, queues nothing for an
 * operator's rows (imports, restores).  Refused with 23503, as a deferred
 * foreign key is.
 */
CREATE FUNCTION multipartner.creator_relationship_check()
RETURNS trigger AS 'MODULE_PATHNAME', 'mp_creator_relationship_check' LANGUAGE C;
REVOKE ALL ON FUNCTION multipartner.creator_relationship_check() FROM PUBLIC;
-- named to fire after tenant_registry (name order), whose claim it reads
CREATE CONSTRAINT TRIGGER tenant_registry_relationship
    AFTER INSERT ON multipartner.customer
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NOT multipartner.is_operator())
    EXECUTE FUNCTION multipartner.creator_relationship_check();
ALTER TABLE multipartner.customer ENABLE ALWAYS TRIGGER tenant_registry_relationship;
