-- The `make demo` scenario: Contoso works with two partners at once, one for
-- Office 365 and one for Azure, and neither can touch what the other sold.
-- Then the views show the state as each role may see it, and the audit log
-- says who did what. Then Northwind gets granular admin roles at Contoso (GDAP)
-- for 180 days and hands one of them to a technician. Last, time: a renewal
-- nobody recorded yet, and an expiry notice.
-- Run by test/demo/demo.sh as: psql -v ON_ERROR_STOP=1 -X -d demo -f test/demo/demo.sql
-- (and by test/scripts/t_readme_examples.sh, whose README examples start where it ends).
-- psql prints every statement before its result (ECHO queries: as sent, with the psql variables
-- filled in), and after every refusal its SQLSTATE (:SQLSTATE, the code of the last error). The
-- dry run shows check()'s allowed, rule and sqlstate, which fit an 80-column terminal; its
-- message, detail and hint are the errors the real attempts print after it.
\set QUIET on
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset footer off
SET client_min_messages = warning;
\set ECHO queries

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
\echo '=== 5. Northwind oversteps: the database itself refuses'
\echo
\echo '--- Northwind asks multipartner.check() first (a dry run through the same triggers):'
SET ROLE northwind_admin;
SELECT a.attempt, c.allowed, c.rule, c.sqlstate
  FROM (VALUES
          ('raise Fabrikam''s Office 365 quantity', 'update_subscription', :'office_sub'::uuid, 50, NULL::uuid, NULL),
          ('move its Azure subscription to Fabrikam', 'update_subscription', :'azure_sub', NULL,
           'f0000000-0000-4000-8000-000000000001', NULL),
          ('change the term of its Azure plan', 'update_subscription', :'azure_sub', NULL, NULL, 'P3Y'),
          ('terminate while Azure is live', 'terminate_relationship', :'northwind_rel', NULL, NULL, NULL),
          ('sell Contoso one more Azure plan', 'create_subscription', :'contoso', NULL, NULL, NULL)
       ) AS a(attempt, action, id, qty, por, term)
 CROSS JOIN LATERAL multipartner.check(a.action, a.id, quantity => a.qty,
                                       partner_of_record => a.por, term => a.term) AS c;
\echo '(Fabrikam''s subscription "does not exist" (42704) for Northwind: row-level security hides it.'
\echo ' check() also returns the message, detail and hint: the errors the real attempts raise below.)'

\set ON_ERROR_STOP off
\echo
\echo '--- and then tries for real; each attempt is refused, with the rule''s SQLSTATE:'
\echo '--- raise Fabrikam''s quantity (R5): the row is invisible to Northwind, nothing is updated'
\set QUIET off
UPDATE multipartner.subscription SET quantity = 50 WHERE subscription_id = :'office_sub';
\set QUIET on
\echo '--> SQLSTATE' :SQLSTATE '(no error: no row matched)'
\echo '--- move its own subscription to another partner of record (R6, MP003):'
UPDATE multipartner.subscription SET partner_of_record = 'f0000000-0000-4000-8000-000000000001'
 WHERE subscription_id = :'azure_sub';
\echo '--> SQLSTATE' :SQLSTATE
\echo
\echo '--- sell to Fabrikam''s CSP transaction tenant as if it were a customer (R8, MP005):'
SELECT multipartner.create_customer('f1000000-0000-4000-8000-000000000001', 'Fabrikam itself', 'commercial');
\echo '--> SQLSTATE' :SQLSTATE
\echo
\echo '--- walk away from Contoso while its Azure subscription is live (R13, MP009):'
SELECT multipartner.terminate_relationship(:'northwind_rel');
\echo '--> SQLSTATE' :SQLSTATE
SET ROLE contoso_admin;
\echo
\echo '--- Contoso itself cannot change a subscription either (R5, MP002):'
UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = :'office_sub';
\echo '--> SQLSTATE' :SQLSTATE
SET ROLE fabrikam_admin;
\echo
\echo '--- and Fabrikam cannot rewrite the terms it sold (R7, MP004):'
UPDATE multipartner.subscription SET term = 'P1M', billing_cycle = 'monthly' WHERE subscription_id = :'office_sub';
\echo '--> SQLSTATE' :SQLSTATE
\set ON_ERROR_STOP on
RESET ROLE;

\echo
\echo '--- nothing changed:'
SELECT partner_name, offer_id, quantity, term, status FROM multipartner.subscriptions_by_partner ORDER BY offer_id;

\echo
\echo '=== 6. What each role sees through the DBA views (security_invoker: row security applies)'
\echo '--- customer_partners, as the operator:'
SELECT customer_name, partner_name, delegated_admin, live_subscriptions, active_partners
  FROM multipartner.customer_partners ORDER BY partner_name;
\echo '--- customer_partners, as Northwind: it never learns who else works with Contoso'
SET ROLE northwind_admin;
SELECT customer_name, partner_name, delegated_admin, live_subscriptions, active_partners
  FROM multipartner.customer_partners ORDER BY partner_name;
\echo '--- subscriptions_by_partner, as Northwind:'
SELECT customer_name, partner_name, offer_id, quantity FROM multipartner.subscriptions_by_partner;
SET ROLE contoso_admin;
\echo '--- multi_partner_customers, as Contoso:'
SELECT customer_name, active_partners, partner_names FROM multipartner.multi_partner_customers;
\echo
\echo '--- Contoso revokes Northwind''s delegated admin rights; the relationship stays active:'
SELECT multipartner.revoke_delegated_admin(:'northwind_rel') \gset
RESET ROLE;
\echo '--- orphaned_subscriptions, as the operator:'
SELECT customer_name, partner_name, offer_id, status, reason FROM multipartner.orphaned_subscriptions;

\echo
\echo '=== 7. Who did what: relationship_history and the audit log'
SELECT at::time(0) AS at, actor, operation, old_status AS old, new_status AS new,
       old_delegated_admin AS old_admin, new_delegated_admin AS new_admin
  FROM multipartner.relationship_history
 WHERE relationship_id = :'northwind_rel'
 ORDER BY event_id;
SELECT event_id, actor, operation, table_name,
       coalesce(new_row->>'status', '') AS new_status,
       coalesce(new_row->>'offer_id', new_row->>'name', '') AS what
  FROM multipartner.audit_log
 WHERE table_name IN ('customer', 'relationship', 'subscription')
 ORDER BY event_id;

\echo
\echo '=== 8. Granular delegated admin (GDAP): Northwind asks for two admin roles for 180 days'
-- a Northwind technician, a member like the others
CREATE ROLE northwind_tech;          -- Northwind: helpdesk agent
GRANT multipartner_partner_app TO northwind_tech;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
  ('northwind_tech', 'a0000000-0000-4000-8000-000000000002', 'helpdesk_agent');
SET ROLE northwind_admin;
SELECT multipartner.create_admin_relationship(:'contoso', 'Northwind Azure support',
         ARRAY['Exchange Administrator', 'Helpdesk Administrator'], '180 days') AS northwind_gdap \gset
SELECT multipartner.request_admin_approval(:'northwind_gdap') \gset
\echo '--- Contoso''s global admin approves: the relationship runs 180 days from now'
SET ROLE contoso_admin;
SELECT multipartner.approve_admin_relationship(:'northwind_gdap') \gset
\echo '--- Northwind hands Helpdesk Administrator (not Exchange) to its technician'
SET ROLE northwind_admin;
SELECT multipartner.assign_admin_access(:'northwind_gdap', 'northwind_tech',
         ARRAY['Helpdesk Administrator']) AS tech_access \gset
\echo '--- what the technician holds at Contoso now (GDAP; DAP was revoked in scene 6):'
SET ROLE northwind_tech;
SELECT e.role_name, e.source, e.until = r.end_at AS until_is_end,
       round(extract(epoch FROM e.until - now()) / 86400) AS days_left
  FROM multipartner.effective_admin_roles(:'contoso') e
  JOIN multipartner.admin_relationship r USING (admin_relationship_id);

\set ON_ERROR_STOP off
SET ROLE northwind_admin;
\echo
\echo '--- a second relationship with Global Administrator that would extend itself (R17, MP011):'
SELECT multipartner.create_admin_relationship(:'contoso', 'Northwind break-glass',
         ARRAY['Global Administrator'], '30 days', auto_extend => true);
\echo '--> SQLSTATE' :SQLSTATE
\set ON_ERROR_STOP on
RESET ROLE;

\echo
\echo '--- admin_relationships, as the operator:'
\x on
SELECT customer_name, partner_name, display_name, status, effective_status, auto_extend,
       role_names, active_assignments,
       round(extract(epoch FROM effective_end_at - now()) / 86400) AS days_left
  FROM multipartner.admin_relationships ORDER BY display_name;
\x off

\echo
\echo '=== 9. Time: renewals and expiry notices (SPEC §10)'
\echo '--- the operator imports two older Fabrikam subscriptions of Contoso (history: created_at in the past)'
INSERT INTO multipartner.subscription
       (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, auto_renew)
VALUES (:'contoso', 'f0000000-0000-4000-8000-000000000001', 'VISIO-P2', 'Visio', 5, 'P1Y', 'annual',
        now() - interval '13 months', true),
       (:'contoso', 'f0000000-0000-4000-8000-000000000001', 'PROJECT-P3', 'Project', 3, 'P1M', 'monthly',
        now() - interval '1 month' + interval '5 days', false);
\echo '--- Visio (P1Y, auto_renew) is recorded in its first term, but time has renewed it: its second term'
\echo '--- started a month ago, and nothing had to record that. Project (P1M, no auto_renew) ends in 5 days:'
SELECT offer_id, status, multipartner.effective_status(s) AS effective,
       term_start::date AS recorded_term_start,
       multipartner.effective_term_start(s)::date AS effective_term_start,
       multipartner.effective_commitment_end(s)::date AS ends
  FROM multipartner.subscription s WHERE offer_id IN ('VISIO-P2', 'PROJECT-P3') ORDER BY offer_id;
\echo '--- what ends within 30 days without renewing, as Fabrikam sees it:'
SET ROLE fabrikam_admin;
SELECT kind, days_left FROM multipartner.expiring;
RESET ROLE;
\echo '--- the operator runs the maintenance (pg_cron would, every minute); this session listens:'
LISTEN multipartner_expiring;
SELECT kind, count FROM multipartner.run_maintenance() WHERE count > 0;
\echo '--- the renewal is recorded (with its audit row), and a second run sends nothing again:'
SELECT offer_id, term_start::date, commitment_end::date FROM multipartner.subscription
 WHERE offer_id = 'VISIO-P2';
SELECT kind, count FROM multipartner.run_maintenance() WHERE count > 0;
UNLISTEN multipartner_expiring;
