/* sql/multipartner--0.3--0.4.sql: upgrade multipartner from 0.3 to 0.4 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 closes the holes found by attacking, operating and upgrading 0.3
 * (issue 10).  Each section below says which.
 */

/*
 * Item 1: no application role can stall other tenants with LOCK TABLE.
 * LOCK TABLE in any mode stronger than ROW EXCLUSIVE needs UPDATE, DELETE or
 * TRUNCATE on the whole table (LockTableAclCheck), and the application roles
 * had UPDATE and DELETE on relationship and subscription, so any of them could
 * take ACCESS EXCLUSIVE and make every tenant's reads and sales wait.  They
 * now get UPDATE column by column: UPDATE and SELECT ... FOR UPDATE accept it,
 * LOCK TABLE does not (42501), and this holds in a backend that never loaded
 * the library.  Every column is granted, so which column may change, and by
 * whom, is still the rules' answer, with the rule's own SQLSTATE.  DELETE is
 * no longer granted to them: R10 refused it anyway, now with 42501 from the
 * privilege check instead of MP007 from the trigger.  A version that adds a
 * column to these tables grants UPDATE on it to the same roles.
 */
REVOKE UPDATE, DELETE ON multipartner.relationship
  FROM multipartner_partner_app, multipartner_customer_app;
REVOKE UPDATE, DELETE ON multipartner.subscription
  FROM multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (relationship_id, customer_id, partner_id, status, delegated_admin,
              requested_by, requested_at, decided_by, decided_at, ended_by, ended_at)
   ON multipartner.relationship TO multipartner_partner_app, multipartner_customer_app;
GRANT UPDATE (subscription_id, customer_id, partner_of_record, offer_id, product_family,
              quantity, term, billing_cycle, commitment_end, auto_renew, status,
              created_at, created_by)
   ON multipartner.subscription TO multipartner_partner_app, multipartner_customer_app;
