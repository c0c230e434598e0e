-- The `make demo` scenario: Contoso works with two partners at once, one for
-- Office 365 and one for Azure, and neither can touch what the other sold.
-- Run by test/demo/demo.sh as: psql -v ON_ERROR_STOP=1 -X -d demo -f test/demo/demo.sql
\set QUIET on
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset footer off
SET client_min_messages = warning;

\echo
\echo '=== 1. The platform operator installs multipartner and registers two partners'
CREATE EXTENSION multipartner;

-- one PostgreSQL role per person; applications would SET ROLE to them
CREATE ROLE fabrikam_admin;          -- Fabrikam (Office 365 partner): global admin
CREATE ROLE northwind_admin;         -- Northwind (Azure partner): global admin
CREATE ROLE northwind_sales;         -- Northwind: sales agent
CREATE ROLE contoso_admin;           -- Contoso (the customer): global admin
GRANT multipartner_partner_app TO fabrikam_admin, northwind_admin, northwind_sales;
GRANT multipartner_customer_app TO contoso_admin;

INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  ('f0000000-0000-4000-8000-000000000001', 'Fabrikam (Office 365)', 'commercial', 'f1000000-0000-4000-8000-000000000001'),
  ('a0000000-0000-4000-8000-000000000002', 'Northwind (Azure)',     'commercial', 'a1000000-0000-4000-8000-000000000002');
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
  ('fabrikam_admin',  'f0000000-0000-4000-8000-000000000001', 'global_admin'),
  ('northwind_admin', 'a0000000-0000-4000-8000-000000000002', 'global_admin'),
  ('northwind_sales', 'a0000000-0000-4000-8000-000000000002', 'sales_agent');
SELECT partner_id, name, cloud, status FROM multipartner.partner ORDER BY name;

\echo
\echo '=== 2. Fabrikam creates the customer Contoso and sells it Office 365'
SET ROLE fabrikam_admin;
SELECT multipartner.create_customer('c1000000-0000-4000-8000-00000000c0a5', 'Contoso', 'commercial') AS contoso \gset
SELECT multipartner.create_subscription(:'contoso', 'O365-E3', 'Office 365', 25, 'P1Y', 'annual') AS office_sub \gset
RESET ROLE;
INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES ('contoso_admin', :'contoso', 'global_admin');

\echo
\echo '=== 3. Northwind asks Contoso for a relationship; Contoso accepts'
SET ROLE northwind_sales;
SELECT multipartner.request_relationship(:'contoso') AS northwind_rel \gset
SET ROLE contoso_admin;
SELECT multipartner.accept_relationship(:'northwind_rel') \gset

\echo
\echo '=== 4. Northwind sells Azure in the same tenant'
SET ROLE northwind_sales;
SELECT multipartner.create_subscription(:'contoso', 'AZURE-PLAN', 'Azure', 1, 'P1M', 'monthly') AS azure_sub \gset
RESET ROLE;

\echo
\echo '--- Contoso now has two active partners:'
SELECT c.name AS customer, p.name AS partner, r.status, r.delegated_admin, r.requested_by, r.decided_by
  FROM multipartner.relationship r
  JOIN multipartner.customer c USING (customer_id)
  JOIN multipartner.partner p USING (partner_id)
 ORDER BY p.name;
\echo '--- and two subscriptions, each with its own partner of record:'
SELECT s.offer_id, s.quantity, s.term, p.name AS partner_of_record, s.status, s.created_by
  FROM multipartner.subscription s
  JOIN multipartner.partner p ON p.partner_id = s.partner_of_record
 ORDER BY s.offer_id;

\echo
\echo '=== 5. Northwind oversteps: each attempt is refused by the database itself'
\set ON_ERROR_STOP off
SET ROLE northwind_admin;
\echo
\echo '--- raise the quantity of the Office 365 subscription Fabrikam sold (R5, SQLSTATE MP002):'
UPDATE multipartner.subscription SET quantity = 50 WHERE subscription_id = :'office_sub';
\echo
\echo '--- make itself partner of record of it (R6, SQLSTATE MP003):'
UPDATE multipartner.subscription SET partner_of_record = 'a0000000-0000-4000-8000-000000000002'
 WHERE subscription_id = :'office_sub';
\echo
\echo '--- sell to Fabrikam''s CSP transaction tenant as if it were a customer (R8, SQLSTATE MP005):'
SELECT multipartner.create_customer('f1000000-0000-4000-8000-000000000001', 'Fabrikam itself', 'commercial');
\echo
\echo '--- walk away from Contoso while its Azure subscription is live (R13, SQLSTATE MP009):'
SELECT multipartner.terminate_relationship(:'northwind_rel');
SET ROLE fabrikam_admin;
\echo
\echo '--- and Fabrikam cannot rewrite the terms it sold either (R7, SQLSTATE MP004):'
UPDATE multipartner.subscription SET term = 'P1M', billing_cycle = 'monthly' WHERE subscription_id = :'office_sub';
\set ON_ERROR_STOP on
RESET ROLE;

\echo
\echo '--- nothing changed:'
SELECT s.offer_id, s.quantity, s.term, p.name AS partner_of_record
  FROM multipartner.subscription s
  JOIN multipartner.partner p ON p.partner_id = s.partner_of_record
 ORDER BY s.offer_id;

\echo
\echo '=== 6. The audit log says who did what'
SELECT event_id, actor, operation, table_name,
       coalesce(new_row->>'status', '') AS new_status,
       coalesce(new_row->>'offer_id', new_row->>'name', '') AS what
  FROM multipartner.audit_log
 WHERE table_name IN ('customer', 'relationship', 'subscription')
 ORDER BY event_id;
