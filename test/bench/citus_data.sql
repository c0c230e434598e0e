-- test/bench/citus_data.sql: the data of make bench's citus layer (test/bench/citus.sh), loaded
-- into database single and, before CALL multipartner.distribute(), into dist: one partner,
-- :ncust customers (customer i: id = tenant id = md5('cc' || i)), each with an active
-- relationship with the partner and one subscription, and the LOGIN role bench_citus_sales, a
-- sales agent of the partner.  Loaded through the tables by the superuser, with every rule and
-- audit row (as an operator's history load would be); dist first, where Citus creates the role
-- on the workers too.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_citus_sales') AS new_role \gset
\if :new_role
CREATE ROLE bench_citus_sales LOGIN;
\endif
GRANT multipartner_partner_app TO bench_citus_sales;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
     VALUES ('b0000000-0000-4000-8000-0000000000c1', 'Citus bench partner', 'commercial',
             'b1000000-0000-4000-8000-0000000000c1');
INSERT INTO multipartner.partner_member VALUES
    ('bench_citus_sales', 'b0000000-0000-4000-8000-0000000000c1', 'sales_agent');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
SELECT md5('cc' || i)::uuid, md5('cc' || i)::uuid, 'Citus bench customer ' || i, 'commercial'
  FROM generate_series(1, :ncust) i;
INSERT INTO multipartner.relationship (customer_id, partner_id, status)
SELECT md5('cc' || i)::uuid, 'b0000000-0000-4000-8000-0000000000c1', 'active'
  FROM generate_series(1, :ncust) i;
-- subscription i of customer i, bought now (its first term)
INSERT INTO multipartner.subscription
       (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
SELECT md5('cs' || i)::uuid, md5('cc' || i)::uuid, 'b0000000-0000-4000-8000-0000000000c1',
       'CFQ7TTC0LF8Q', 'Office 365', 5, 'P1Y', 'annual'
  FROM generate_series(1, :ncust) i;
ANALYZE;
