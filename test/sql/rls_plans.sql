-- rls_plans: the plans of the customer-keyed queries under row security,
-- for a reader (plain output, not TAP; rls asserts the same with pgTAP).
-- Data: test/fixtures_scale.psql (200 partners, 2,000 customers, 4,000
-- relationships, 5,000 subscriptions, ANALYZEd), in a database of its own so
-- that the plans do not depend on what other test files left in the tables
-- and the statistics do not outlive this file.
--
-- What to look for: every policy is a comparison with a scalar sub-select of
-- a STABLE function of the acting identity (an InitPlan, evaluated once per
-- statement), so it becomes an index condition next to customer_id:
--   a partner:  (customer_id = X AND partner_of_record / partner_id = $n)
--               on the (customer_id, partner_...) indexes;
--   a customer: (customer_id = ANY ($n) AND customer_id = X), $n the
--               InitPlan of member_customers().
-- A partner's customers (the customer policy) are a correlated EXISTS
-- probing the (customer_id, partner_id) index; a customer's partners (the
-- partner policy) an array built once, an InitPlan over that index, that
-- partner_id is compared with.  No sequential scan of subscription,
-- relationship or customer; the 200-row partner table is small enough to be
-- read whole.
SET client_min_messages = warning;
\set first_db :DBNAME
DROP DATABASE IF EXISTS regress_mp_rls_plans;
CREATE DATABASE regress_mp_rls_plans;
\c regress_mp_rls_plans
SET client_min_messages = warning;
CREATE EXTENSION multipartner;
BEGIN;
\set ECHO none
\i test/fixtures_scale.psql
\set ECHO all

-- a partner role (Bulk Partner 1, which works with Bulk Customer 1)
SET ROLE regress_scale_partner;
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.subscription WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.relationship WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.customer_partners WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.subscriptions_by_partner WHERE customer_id = :'scale_customer';
-- what it gets: its own two subscriptions there, itself as the only partner
SELECT subscription_id, partner_id FROM multipartner.subscriptions_by_partner
 WHERE customer_id = :'scale_customer' ORDER BY subscription_id;
SELECT partner_name, live_subscriptions, active_partners FROM multipartner.customer_partners
 WHERE customer_id = :'scale_customer';

-- a customer role (Bulk Customer 1)
SET ROLE regress_scale_customer;
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.subscription WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.relationship WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.customer_partners WHERE customer_id = :'scale_customer';
EXPLAIN (COSTS OFF) SELECT * FROM multipartner.subscriptions_by_partner WHERE customer_id = :'scale_customer';
-- what it gets: its three subscriptions from both partners
SELECT subscription_id, partner_id FROM multipartner.subscriptions_by_partner
 WHERE customer_id = :'scale_customer' ORDER BY subscription_id;
SELECT partner_name, live_subscriptions, active_partners FROM multipartner.customer_partners
 WHERE customer_id = :'scale_customer' ORDER BY partner_name;
RESET ROLE;

ROLLBACK;
\c :first_db
DROP DATABASE regress_mp_rls_plans;
