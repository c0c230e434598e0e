-- rls_plans: the plans of the customer-keyed queries under row security,
-- for a reader (plain output, not TAP; rls asserts the same with pgTAP).
-- Data: test/fixtures_scale.psql (200 partners, 2,000 customers, 4,000
-- relationships, 5,000 subscriptions, ANALYZEd), in a database of its own so
-- that the plans do not depend on what other test files left in the tables
-- and the statistics do not outlive this file.
--
-- What to look for: every policy compares a column with a STABLE function
-- of the acting identity, called as it is (no sub-select since 0.9: Citus
-- refuses one in a policy), so the call becomes an index condition next to
-- customer_id, evaluated once at the start of the scan:
--   a partner:  (customer_id = X AND partner_of_record / partner_id =
--               multipartner.acting_partner()) on the (customer_id,
--               partner_...) indexes;
--   a customer: (customer_id = ANY (multipartner.member_customers()) AND
--               customer_id = X).
-- A partner's customers (the customer policy) are a filter
-- partner_sees_customer(customer_id), one probe of the (customer_id,
-- partner_id) index per customer row, as the correlated EXISTS of 0.8 was; a
-- customer's partners (the partner policy) partner_id = ANY
-- (member_partners()), an array read once per statement over that index.
-- No InitPlan, no sequential scan of subscription, relationship or customer;
-- the 200-row partner table is small enough to be read whole.
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
