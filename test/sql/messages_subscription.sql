-- messages_subscription: the errors of the subscription rules (R4-R7, R10,
-- R11, R13), each raised once with fixed ids, so that the expected output is
-- a readable catalogue of errmsg, DETAIL and HINT.  Not a pgTAP file.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/fixtures_bypass.psql
-- a timestamp in the future, so that a commitment has not ended yet
\set sub_future '66666666-6666-4666-8666-0000000000f1'
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family,
     quantity, term, billing_cycle, created_at)
VALUES (:'sub_future', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 3,
        'P1M', 'monthly', '2099-01-01 00:00:00+00');
\i test/fixtures_done.psql
-- an error whose detail holds a time that moves with the clock (the start
-- of a term that began days ago), printed with that time masked
CREATE FUNCTION pg_temp.masked(sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    st text; m text; d text; h text;
BEGIN
    EXECUTE sql;
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT,
                            d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RAISE INFO E'%: %\nDETAIL:  %\nHINT:  %', st, m,
          regexp_replace(d, '\d{4}-\d\d-\d\d [0-9:.]+\+00', '<time>', 'g'), h;
END
$$;
\set ON_ERROR_STOP false
\set VERBOSITY default
-- the catalogue is each error's message, DETAIL and HINT, not the
-- CONTEXT of the statement a function ran (on Citus: the node it ran on)
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
\set ECHO all

-- R4: who places orders
SET ROLE regress_office_hd;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
SET ROLE regress_office_sa;
INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
VALUES (:'contoso_id', :'azure_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly');
SET ROLE regress_papp_nomember;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
SET ROLE regress_multi;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
SET multipartner.acting_partner = :'gov_id';
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
RESET multipartner.acting_partner;
SET ROLE regress_contoso_ga;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
VALUES (:'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
RESET ROLE;

-- R4 / R11: no active relationship
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'fabrikam_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_office_fabrikam \gset
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'fabrikam_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
SET ROLE regress_azure_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_azure_fabrikam \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.decline_relationship(:'rel_azure_fabrikam') AS ignored \gset
SET ROLE regress_azure_sa;
SELECT multipartner.create_subscription(:'fabrikam_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly');
SET ROLE regress_gov_ga;
SELECT multipartner.terminate_relationship(:'rel_gov_govcust') AS ignored \gset
SET ROLE regress_gov_sa;
SELECT multipartner.create_subscription(:'govcust_id', 'O365_G3', 'Microsoft 365 GCC', 1, 'P1M', 'monthly');
RESET ROLE;
-- a request older than 90 days reads as expired before anything records it
-- (Northwind's id is its tenant id, the form that works on Citus too)
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES ('44444444-4444-4444-8444-000000000011', '44444444-4444-4444-8444-000000000011', 'Northwind', 'commercial');
INSERT INTO multipartner.relationship (customer_id, partner_id, status, requested_at)
VALUES ('44444444-4444-4444-8444-000000000011', :'office_id', 'pending', now() - interval '91 days');
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription('44444444-4444-4444-8444-000000000011', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
RESET ROLE;
SELECT multipartner.expire_relationships() AS ignored \gset
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription('44444444-4444-4444-8444-000000000011', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
RESET ROLE;

-- R4: a suspended partner
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'azure_id';
SET ROLE regress_azure_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly');
RESET ROLE;
UPDATE multipartner.partner SET status = 'active' WHERE partner_id = :'azure_id';

-- R4: the row itself
SET ROLE regress_office_sa;
INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, status)
VALUES (:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', 'suspended');
INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, commitment_end)
VALUES (:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', '2030-01-01 00:00:00+00');
INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at)
VALUES (:'contoso_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', '2020-01-01 00:00:00+00');
SELECT multipartner.create_subscription(:'contoso_id', NULL, 'Microsoft 365', 1, 'P1M', 'monthly');
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', '3000000000', 'P1M', 'monthly');
RESET ROLE;
-- CHECK violations print the whole row: written by the superuser with a
-- fixed id and created_at, so that the row is the same on every run
INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, created_by)
VALUES ('66666666-6666-4666-8666-0000000000f2', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 0, 'P1M', 'monthly', '2020-01-01 00:00:00+00', 'regress_office_sa');
INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, created_by)
VALUES ('66666666-6666-4666-8666-0000000000f2', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'annual', '2020-01-01 00:00:00+00', 'regress_office_sa');

-- R5: only the partner of record.  Another partner does not see the
-- subscription (row security): its UPDATE matches no row, without an error.
SET ROLE regress_azure_ga;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
\echo rows :ROW_COUNT
-- The customer and a partner role with BYPASSRLS see it: R5 refuses them.
SET ROLE regress_contoso_ga;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
SET ROLE regress_bypass;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
SET ROLE regress_office_hd;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';

-- R6: no transition
SET ROLE regress_office_ga;
UPDATE multipartner.subscription SET partner_of_record = :'azure_id' WHERE subscription_id = :'sub_office';
UPDATE multipartner.subscription SET customer_id = :'fabrikam_id' WHERE subscription_id = :'sub_office';
RESET ROLE;
UPDATE multipartner.subscription SET created_by = 'regress_office_ga' WHERE subscription_id = :'sub_office';

-- R7: terms and obligations
SET ROLE regress_office_ga;
UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = :'sub_office';
UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = :'sub_office_done';
UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = :'sub_office_done';
SELECT pg_temp.masked(format('UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = %L', :'sub_office_old'));
SELECT pg_temp.masked(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'cancelled', :'sub_office_old'));
UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = :'sub_future';
UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = :'sub_office';
UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = :'sub_office';
UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = :'sub_office_done';
UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id = :'sub_office_done';
RESET ROLE;

-- R10: nothing is deleted
DELETE FROM multipartner.subscription WHERE subscription_id = :'sub_office';
TRUNCATE multipartner.subscription;
SET ROLE regress_operator;
DELETE FROM multipartner.subscription WHERE subscription_id = :'sub_office';
RESET ROLE;

-- R13: cancel first
SET ROLE regress_office_ga;
SELECT multipartner.terminate_relationship(:'rel_office_contoso');
SET ROLE regress_azure_ga;
SELECT multipartner.terminate_relationship(:'rel_azure_contoso');
RESET ROLE;

\set ECHO none
\i test/teardown.psql
