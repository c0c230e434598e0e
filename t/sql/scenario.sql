-- t/sql/scenario.sql: a small marketplace with every kind of row, for the
-- TAP tests t/*.pl (crash and restart, dump and restore, pg_upgrade).  Runs
-- as a superuser in a fresh database of a fresh cluster; every write goes
-- through the rules.
SET client_min_messages = warning;
CREATE EXTENSION multipartner;

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_office') THEN
    CREATE ROLE sc_office LOGIN; CREATE ROLE sc_azure LOGIN; CREATE ROLE sc_azure_sales LOGIN;
    CREATE ROLE sc_contoso LOGIN; CREATE ROLE sc_fabrikam LOGIN; CREATE ROLE sc_operator LOGIN;
  END IF;
END $$;
GRANT multipartner_partner_app TO sc_office, sc_azure, sc_azure_sales;
GRANT multipartner_customer_app TO sc_contoso, sc_fabrikam;
GRANT multipartner_operator TO sc_operator;

SET ROLE sc_operator;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  ('0ff1ce00-0000-4000-8000-000000000001', 'Office Partner', 'commercial', '0ff1ce00-0000-4000-8000-0000000000c5'),
  ('a2a2a2a2-0000-4000-8000-000000000002', 'Azure Partner', 'commercial', 'a2a2a2a2-0000-4000-8000-0000000000c5');
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
  ('sc_office', '0ff1ce00-0000-4000-8000-000000000001', 'global_admin'),
  ('sc_azure', 'a2a2a2a2-0000-4000-8000-000000000002', 'global_admin'),
  ('sc_azure_sales', 'a2a2a2a2-0000-4000-8000-000000000002', 'sales_agent');
RESET ROLE;

SET ROLE sc_office;
SELECT multipartner.create_customer('c0c0c0c0-0000-4000-8000-0000000000a1', 'Contoso', 'commercial') AS contoso \gset
SELECT multipartner.create_customer('fab00000-0000-4000-8000-0000000000a2', 'Fabrikam', 'commercial') AS fabrikam \gset
SELECT multipartner.create_subscription(:'contoso', 'O365_E3', 'Microsoft 365', 25, 'P1Y', 'annual') AS s1 \gset
SELECT multipartner.create_subscription(:'contoso', 'O365_E5', 'Microsoft 365', 5, 'P1M', 'monthly') AS s2 \gset
SELECT multipartner.create_subscription(:'fabrikam', 'O365_E1', 'Microsoft 365', 3, 'P3Y', 'triennial') AS s3 \gset
UPDATE multipartner.subscription SET quantity = 30 WHERE subscription_id = :'s1';
UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = :'s2';
UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = :'s3';
RESET ROLE;
INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES
  ('sc_contoso', :'contoso', 'global_admin'), ('sc_fabrikam', :'fabrikam', 'global_admin');

SET ROLE sc_azure_sales;
SELECT multipartner.request_relationship(:'contoso') AS r_azure_contoso \gset
SELECT multipartner.request_relationship(:'fabrikam') AS r_azure_fabrikam \gset
SET ROLE sc_contoso;
SELECT multipartner.accept_relationship(:'r_azure_contoso');
SET ROLE sc_fabrikam;
SELECT multipartner.decline_relationship(:'r_azure_fabrikam');
SET ROLE sc_azure_sales;
SELECT multipartner.create_subscription(:'contoso', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly') AS s4 \gset
SELECT multipartner.create_subscription(:'contoso', 'AZURE_RI', 'Azure', 2, 'P1Y', 'monthly') AS s5 \gset
UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = :'s5';
SET ROLE sc_contoso;
SELECT multipartner.revoke_delegated_admin(:'r_azure_contoso');
RESET ROLE;

-- history an operator loaded: an old request, expired since
SET ROLE sc_operator;
INSERT INTO multipartner.relationship (customer_id, partner_id, status, requested_at)
VALUES (:'fabrikam', 'a2a2a2a2-0000-4000-8000-000000000002', 'pending', now() - interval '120 days');
SELECT multipartner.expire_relationships();
RESET ROLE;

-- GDAP (0.7): an admin role an operator added, an active admin relationship
-- with an active assignment, and a terminated one whose assignment ended
-- with it
SET ROLE sc_operator;
INSERT INTO multipartner.admin_role (role_id, name)
VALUES ('44367163-eba1-44c3-98af-f5787879f96a', 'Dynamics 365 Administrator');
SET ROLE sc_office;
SELECT multipartner.create_admin_relationship(:'contoso', 'Contoso helpdesk',
         ARRAY['Helpdesk Administrator', 'User Administrator', 'Dynamics 365 Administrator'], '365 days') AS ar1 \gset
SELECT multipartner.create_admin_relationship(:'contoso', 'Contoso exchange',
         ARRAY['Exchange Administrator'], '90 days') AS ar2 \gset
SELECT multipartner.request_admin_approval(:'ar1');
SELECT multipartner.request_admin_approval(:'ar2');
SET ROLE sc_contoso;
SELECT multipartner.approve_admin_relationship(:'ar1');
SELECT multipartner.approve_admin_relationship(:'ar2');
SET ROLE sc_office;
SELECT multipartner.assign_admin_access(:'ar1', 'sc_office', ARRAY['Helpdesk Administrator', 'Dynamics 365 Administrator']);
SELECT multipartner.assign_admin_access(:'ar2', 'sc_office', ARRAY['Exchange Administrator']);
SELECT multipartner.terminate_admin_relationship(:'ar2');
RESET ROLE;

-- Time (0.8): subscriptions an operator imported, one renewing (bought 13
-- months ago, auto_renew) and one ending in 5 days without auto_renew;
-- run_maintenance() records the renewal and sends the 7-day notice, whose
-- memory (expiry_notice) a restore must bring back
SET ROLE sc_operator;
INSERT INTO multipartner.subscription
       (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, auto_renew)
VALUES (:'contoso', '0ff1ce00-0000-4000-8000-000000000001', 'VISIO_P2', 'Visio', 2, 'P1Y', 'annual',
        now() - interval '13 months', true),
       (:'contoso', '0ff1ce00-0000-4000-8000-000000000001', 'PROJECT_P3', 'Project', 1, 'P1M', 'monthly',
        now() - interval '1 month' + interval '5 days', false);
SELECT kind, count FROM multipartner.run_maintenance() WHERE count > 0;
RESET ROLE;
