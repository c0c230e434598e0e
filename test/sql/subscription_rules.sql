-- subscription_rules: the subscription rules of SPEC §5 (R1, R4-R7, R10, R11,
-- R13), each allowed and refused, as each role, through the SQL API and
-- through direct INSERT / UPDATE / DELETE / TRUNCATE.  Refusals are checked by
-- SQLSTATE only; the messages are in messages_subscription.
--
-- Row security (SPEC §7): another partner's subscription does not exist for
-- a partner role; its UPDATE matches no row and changes nothing.  R5 (MP002)
-- and R6 (MP003) are what a role gets that sees the subscription without
-- being its partner of record: the customer (multipartner_customer_app has
-- UPDATE for exactly that), or regress_bypass, an Azure global_admin with
-- BYPASSRLS (test/fixtures_bypass.psql).
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/fixtures_bypass.psql
\i test/fixtures_done.psql

-- more fixed ids for this file
\set sub_direct_ga  '77777777-7777-4777-8777-000000000001'
\set sub_direct_aa  '77777777-7777-4777-8777-000000000002'
\set sub_direct_op  '77777777-7777-4777-8777-000000000003'
\set sub_forged     '77777777-7777-4777-8777-000000000004'
\set sub_edge_out   '77777777-7777-4777-8777-000000000005'
\set sub_edge_in    '77777777-7777-4777-8777-000000000006'
\set sub_fab_a      '77777777-7777-4777-8777-000000000007'
\set sub_fab_b      '77777777-7777-4777-8777-000000000008'
\set sub_fab_azure  '77777777-7777-4777-8777-000000000009'
\set sub_fab_old    '77777777-7777-4777-8777-00000000000a'
\set northwind_id     '33333333-3333-4333-8333-000000000011'
-- its tenant id is its customer id: the form that works on Citus too, where a
-- customer's id is its tenant id (README "Running on Citus")
\set northwind_tenant :northwind_id
\set rel_azure_fabrikam   '55555555-5555-4555-8555-000000000011'
\set rel_azure_northwind  '55555555-5555-4555-8555-000000000012'

-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus", "The rule suites on distributed tables") Citus answers some forms
-- differently; each place says how, and the expected output stays the
-- single-node one:
-- - the primary key of subscription is (customer_id, subscription_id): an
--   ON CONFLICT target must include the distribution column (42P10 else);
-- - Citus refuses an UPDATE of the distribution column customer_id before
--   any trigger sees it (0A000 "modifying the partition value of rows is not
--   allowed"; MP003, R6, on one node): still refused, nothing written.
\set conflict_key subscription_id
\set want_sub_customer_update MP003
\if :{?mp_citus_rules}
\set conflict_key 'customer_id, subscription_id'
\set want_sub_customer_update 0A000
\endif

SELECT plan(252);

-------------------------------------------------------------------------------
-- R4 through the API: who may sell
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: global_admin sells to a customer with an active relationship');
SET ROLE regress_office_aa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: admin_agent sells');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: sales_agent sells');
SET ROLE regress_office_uma;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: user_management_admin cannot place orders');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: helpdesk_agent cannot place orders');
SET ROLE regress_office_ba;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: billing_admin cannot place orders');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: the customer''s global_admin cannot sell to itself');
SET ROLE regress_contoso_ba;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: the customer''s billing_admin cannot sell');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: the customer''s reader cannot sell');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: a partner application role that is no partner member cannot sell');
SET ROLE regress_nobody;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: a role without any grant cannot sell');
SET ROLE regress_operator;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: an operator acts for no partner, so it cannot sell through the API');
SET ROLE regress_multi;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: a member of two partners must pick the acting partner');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: the two-partner member sells as Office, where it is global_admin');
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: the two-partner member cannot sell as Azure, where it is helpdesk_agent');
SET multipartner.acting_partner = :'gov_id';
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 API: acting for a partner the role is no member of is refused');
RESET multipartner.acting_partner;

-- R4 through the API: for whom
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'MP001', NULL, 'R4 API: no relationship with the customer');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'unknown_id'),
    'MP001', NULL, 'R4 API: a customer that does not exist has no relationship either');
SET ROLE regress_gov_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'contoso_id'),
    'MP001', NULL, 'R4 API: a us_government partner has no relationship with a commercial customer');
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_G3', 'Microsoft 365 GCC', 3, 'P1Y', 'annual')$$, :'govcust_id'),
    'R4 API: the us_government partner sells to its own customer');
RESET ROLE;
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_office_fabrikam \gset
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 3, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'MP001', NULL, 'R4 API: a pending relationship does not allow a sale');
RESET ROLE;

-------------------------------------------------------------------------------
-- R4 through direct INSERT
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'sub_direct_ga', :'contoso_id'),
    'R4 INSERT: global_admin inserts a subscription without partner_of_record');
RESET ROLE;
SELECT is((SELECT partner_of_record FROM multipartner.subscription WHERE subscription_id = :'sub_direct_ga'),
    :'office_id'::uuid, 'R4 INSERT: partner_of_record defaults to the acting partner');
SELECT is((SELECT created_by FROM multipartner.subscription WHERE subscription_id = :'sub_direct_ga'),
    'regress_office_ga'::name, 'R4 INSERT: created_by is the inserting role');
SET ROLE regress_office_aa;
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'sub_direct_aa', :'contoso_id', :'office_id'),
    'R4 INSERT: admin_agent inserts with its own partner as partner_of_record');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id'),
    'R4 INSERT: sales_agent inserts');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id', :'azure_id'),
    '42501', NULL, 'R4 INSERT: partner_of_record = another partner is refused');
SET ROLE regress_office_uma;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 INSERT: user_management_admin cannot place orders');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 INSERT: helpdesk_agent cannot place orders');
SET ROLE regress_office_ba;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'R4 INSERT: billing_admin cannot place orders');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id', :'office_id'),
    '42501', NULL, 'R4 INSERT: the customer''s global_admin has no INSERT privilege');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'contoso_id', :'office_id'),
    '42501', NULL, 'R4 INSERT: a role that is no partner member cannot insert');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly')$$, :'fabrikam_id'),
    'MP001', NULL, 'R4 INSERT: a pending relationship does not allow a sale');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, status)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1Y', 'monthly', 'cancelled')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: a new subscription must be active');
-- the record columns are the trigger's: forged values are refused
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', '2020-01-01 00:00:00+00')$$, :'sub_forged', :'contoso_id'),
    '428C9', NULL, 'R4 INSERT: a partner cannot backdate created_at (428C9)');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_by)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', 'regress_office_ga')$$, :'sub_forged', :'contoso_id'),
    '428C9', NULL, 'R4 INSERT: a partner cannot write another role into created_by (428C9)');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', now())$$, :'sub_forged', :'contoso_id'),
    '428C9', 'column "created_at" must be the time of the sale',
    'R4 INSERT: a partner cannot pin created_at to the transaction''s start (428C9)');
-- (the time of the sale lies between a statement before it and the clock
-- after it: each statement is a transaction of its own on Citus)
SELECT statement_timestamp() AS forged_before \gset
\if :{?mp_citus_rules}
-- On Citus the time of the sale is the statement time of the worker that
-- writes the row, a little later than the coordinator's statement_timestamp()
-- the writer names (README "Findings of subscription_rules on Citus"): that is
-- refused; the row is then sold naming created_by only.
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at, created_by)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', statement_timestamp(), current_user)$$, :'sub_forged', :'contoso_id'),
    '428C9', 'column "created_at" must be the time of the sale',
    'R4 INSERT: a partner may name created_at and created_by with their true values ...');
INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_by)
VALUES (:'sub_forged', :'contoso_id', 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', current_user);
\else
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at, created_by)
                         VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', statement_timestamp(), current_user)$$, :'sub_forged', :'contoso_id'),
    'R4 INSERT: a partner may name created_at and created_by with their true values ...');
\endif
SELECT clock_timestamp() AS forged_after \gset
RESET ROLE;
SELECT results_eq(format($$SELECT created_at > %L AND created_at < %L, created_by,
                                  commitment_end = ((created_at AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
                             FROM multipartner.subscription WHERE subscription_id = %L$$, :'forged_before', :'forged_after', :'sub_forged'),
    $$VALUES (true, 'regress_office_sa'::name, true)$$,
    '... created_at = the statement''s time, created_by = current_user, commitment_end derived from them');

-- the operator writes directly, naming the partner of record
SET ROLE regress_operator;
SELECT statement_timestamp() AS op_before \gset
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, %L, 'AZURE_RI', 'Azure', 1, 'P1Y', 'annual')$$, :'sub_direct_op', :'contoso_id', :'azure_id'),
    'R4 INSERT: an operator inserts for a partner with an active relationship');
SELECT clock_timestamp() AS op_after \gset
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_G3', 'Microsoft 365 GCC', 1, 'P1Y', 'annual')$$, :'contoso_id', :'gov_id'),
    'MP001', NULL, 'R4 INSERT: an operator cannot insert for a partner without an active relationship');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'annual')$$, :'fabrikam_id', :'office_id'),
    'MP001', NULL, 'R4 INSERT: an operator cannot insert for a pending relationship');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'annual')$$, :'contoso_id'),
    '23502', NULL, 'R4 INSERT: an operator must name the partner of record');
RESET ROLE;
SELECT results_eq(format($$SELECT partner_of_record, created_by, created_at > %L AND created_at < %L
                             FROM multipartner.subscription WHERE subscription_id = %L$$, :'op_before', :'op_after', :'sub_direct_op'),
    format($$VALUES (%L::uuid, 'regress_operator'::name, true)$$, :'azure_id'),
    'R4 INSERT: the operator''s row keeps the named partner; created_by/created_at default to the operator and the statement''s time');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'annual')$$, :'fabrikam_id', :'azure_id'),
    'MP001', NULL, 'R4 INSERT: the superuser cannot insert without an active relationship either');

-------------------------------------------------------------------------------
-- R4: the derived columns
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 7, 'P1M', 'monthly') AS s_p1m, statement_timestamp() AS s_p1m_at \gset
SELECT clock_timestamp() AS s_p1m_end \gset
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 7, 'P1Y', 'annual') AS s_p1y, statement_timestamp() AS s_p1y_at \gset
SELECT clock_timestamp() AS s_p1y_end \gset
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 7, 'P3Y', 'triennial') AS s_p3y, statement_timestamp() AS s_p3y_at \gset
SELECT clock_timestamp() AS s_p3y_end \gset
RESET ROLE;
-- the stamp is the statement's time (pg_temp.stamp_is(): on Citus the
-- worker's, between the coordinator's statement_timestamp() of the sale and
-- the clock after it: README "Findings of subscription_rules on Citus");
-- commitment_end is derived from it
SELECT results_eq(format($$SELECT customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, auto_renew, status::text,
                                  pg_temp.stamp_is(created_at, %L, %L), created_by
                           FROM multipartner.subscription WHERE subscription_id = %L$$, :'s_p1m_at', :'s_p1m_end', :'s_p1m'),
    format($$VALUES (%L::uuid, %L::uuid, 'O365_E3', 'Microsoft 365', 7, 'P1M', 'monthly', true, 'active', true, 'regress_office_sa'::name)$$, :'contoso_id', :'office_id'),
    'R4 API: the sale is active, auto-renewing, sold by the acting partner at its statement''s time, created_by the selling role');
SELECT ok((SELECT pg_temp.stamp_is(created_at, :'s_p1m_at', :'s_p1m_end')
                  AND commitment_end = ((created_at AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
             FROM multipartner.subscription WHERE subscription_id = :'s_p1m'),
    'R4: P1M commits until created_at + 1 month');
SELECT ok((SELECT pg_temp.stamp_is(created_at, :'s_p1y_at', :'s_p1y_end')
                  AND commitment_end = ((created_at AT TIME ZONE 'UTC') + interval '1 year') AT TIME ZONE 'UTC'
             FROM multipartner.subscription WHERE subscription_id = :'s_p1y'),
    'R4: P1Y commits until created_at + 1 year');
SELECT ok((SELECT pg_temp.stamp_is(created_at, :'s_p3y_at', :'s_p3y_end')
                  AND commitment_end = ((created_at AT TIME ZONE 'UTC') + interval '3 years') AT TIME ZONE 'UTC'
             FROM multipartner.subscription WHERE subscription_id = :'s_p3y'),
    'R4: P3Y commits until created_at + 3 years');
SELECT is((SELECT commitment_end FROM multipartner.subscription WHERE subscription_id = :'sub_office_done'),
    '2020-02-01 00:00:00+00'::timestamptz, 'R4: an operator''s historical created_at anchors commitment_end');
-- the commitment is calendar arithmetic in UTC, whatever the session's
-- TimeZone: a month across the end of US daylight saving time (2026-11-01)
SET TimeZone = 'America/Los_Angeles';
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at)
                         VALUES ('77777777-7777-4777-8777-0000000000d5', %L, %L, 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly', '2026-10-20 12:00:00+00')$$,
                        :'contoso_id', :'office_id'),
    'R4: the superuser loads a subscription sold before the end of daylight saving time');
SELECT is((SELECT commitment_end FROM multipartner.subscription WHERE subscription_id = '77777777-7777-4777-8777-0000000000d5'),
    '2026-11-20 12:00:00+00'::timestamptz, 'R4: commitment_end is the same instant in every TimeZone (UTC calendar)');
RESET TimeZone;
SET ROLE regress_office_sa;
\if :{?mp_citus_rules}
-- On Citus the commitment_end derived from the coordinator's
-- statement_timestamp() is not the one derived from the worker's stamp
-- (README "Findings of subscription_rules on Citus"): refused
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, commitment_end)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly', ((statement_timestamp() AT TIME ZONE 'UTC') + interval '1 year') AT TIME ZONE 'UTC')$$, :'contoso_id'),
    '428C9', 'column "commitment_end" must be created_at plus its term',
    'R4 INSERT: supplying the commitment_end the trigger derives is accepted');
\else
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, commitment_end)
                         VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly', ((statement_timestamp() AT TIME ZONE 'UTC') + interval '1 year') AT TIME ZONE 'UTC')$$, :'contoso_id'),
    'R4 INSERT: supplying the commitment_end the trigger derives is accepted');
\endif
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, commitment_end)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly', now() + interval '2 years')$$, :'contoso_id'),
    '428C9', NULL, 'R4 INSERT: supplying another commitment_end is refused');
SET ROLE regress_operator;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, commitment_end)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly', '2020-01-01 00:00:00+00', '2021-01-01 00:00:00+00')$$, :'contoso_id', :'office_id'),
    '428C9', NULL, 'R4 INSERT: an operator cannot supply another commitment_end either');
RESET ROLE;

-------------------------------------------------------------------------------
-- R4: the input
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P2Y', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: unknown term');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'weekly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: unknown billing cycle');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'annual')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: P1M billed annually is refused');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'triennial')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: P1Y billed triennially is refused');
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P3Y', 'monthly')$$, :'contoso_id'),
    'R4 API: P3Y billed monthly is allowed');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 0, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: quantity 0');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', -1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: quantity -1');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1000001, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: quantity 1000001');
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1000000, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: quantity 1000000 is the maximum');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', '3000000000', 'P1M', 'monthly')$$, :'contoso_id'),
    '22003', NULL, 'R4 API: quantity 3000000000 is out of range for integer');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 3000000000::bigint::integer, 'P1M', 'monthly')$$, :'contoso_id'),
    '22003', NULL, 'R4 API: quantity 3000000000::bigint cast to integer is out of range');
SELECT throws_ok($$SELECT multipartner.create_subscription(NULL, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$,
    '22004', NULL, 'R4 API: NULL customer_id');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, NULL, 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '22004', NULL, 'R4 API: NULL offer_id');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', NULL, 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '22004', NULL, 'R4 API: NULL product_family');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', NULL, 'P1M', 'monthly')$$, :'contoso_id'),
    '22004', NULL, 'R4 API: NULL quantity');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, NULL, 'monthly')$$, :'contoso_id'),
    '22004', NULL, 'R4 API: NULL term');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', NULL)$$, :'contoso_id'),
    '22004', NULL, 'R4 API: NULL billing_cycle');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, repeat('o', 129), 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: offer_id longer than 128 characters');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', repeat('p', 129), 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: product_family longer than 128 characters');
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, '', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 API: empty offer_id');
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, repeat('o', 128), repeat('p', 128), 1, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: offer_id and product_family of 128 characters are allowed');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'annual')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: P1M billed annually is refused');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P6M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: unknown term');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 0, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: quantity 0');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', -1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: quantity -1');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1000001, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: quantity 1000001');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 3000000000, 'P1M', 'monthly')$$, :'contoso_id'),
    '22003', NULL, 'R4 INSERT: quantity 3000000000');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', repeat('p', 129), 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: product_family longer than 128 characters');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, repeat('o', 129), 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '23514', NULL, 'R4 INSERT: offer_id longer than 128 characters');
RESET ROLE;

-------------------------------------------------------------------------------
-- R4: a suspended partner cannot sell
-------------------------------------------------------------------------------
SET ROLE regress_operator;
SELECT lives_ok(format($$UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = %L$$, :'azure_id'),
    'an operator suspends the Azure partner');
SET ROLE regress_azure_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '55000', NULL, 'R4 API: a suspended partner cannot sell');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '55000', NULL, 'R4 INSERT: a suspended partner cannot sell');
SET ROLE regress_operator;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id', :'azure_id'),
    '55000', NULL, 'R4 INSERT: an operator cannot sell for a suspended partner either');
SELECT lives_ok(format($$UPDATE multipartner.partner SET status = 'active' WHERE partner_id = %L$$, :'azure_id'),
    'the operator reactivates the Azure partner');
SET ROLE regress_azure_sa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: the reactivated partner sells again');
RESET ROLE;

-- revoking delegated admin keeps the relationship active: the partner still sells
SET ROLE regress_contoso_ga;
SELECT lives_ok(format($$SELECT multipartner.revoke_delegated_admin(%L)$$, :'rel_azure_contoso'),
    'Contoso''s global_admin revokes Azure''s delegated admin rights');
SET ROLE regress_azure_sa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    'R4 API: without delegated admin rights the partner still sells on its active relationship');
RESET ROLE;

-------------------------------------------------------------------------------
-- R1: two partners sell to one customer, Azure from both in one tenant
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly') AS s_r1_office \gset
SET ROLE regress_azure_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly') AS s_r1_azure \gset
RESET ROLE;
SELECT is((SELECT partner_of_record FROM multipartner.subscription WHERE subscription_id = :'s_r1_office'),
    :'office_id'::uuid, 'R1: Office''s Azure plan for Contoso has Office as partner of record');
SELECT is((SELECT partner_of_record FROM multipartner.subscription WHERE subscription_id = :'s_r1_azure'),
    :'azure_id'::uuid, 'R1: Azure''s Azure plan for the same tenant has Azure as partner of record');
SELECT is((SELECT count(DISTINCT partner_of_record) FROM multipartner.subscription
            WHERE customer_id = :'contoso_id' AND offer_id = 'AZURE_PLAN' AND status = 'active'),
    2::bigint, 'R1: the customer holds live Azure plans from two partners at once');

-------------------------------------------------------------------------------
-- R5: only the partner of record (or an operator) updates
-------------------------------------------------------------------------------
-- another partner cannot even find it
SET ROLE regress_azure_ga;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: the other partner''s global_admin raising the quantity matches no row');
SET ROLE regress_azure_sa;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: the other partner''s sales_agent changing auto_renew matches no row');
SET ROLE regress_azure_aa;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: the other partner''s admin_agent suspending matches no row');
SET ROLE regress_azure_hd;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: the other partner''s helpdesk_agent cancelling matches no row');
SET ROLE regress_papp_nomember;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: a role that is no partner member matches no row');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'azure_id';
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'R5/§7: the two-partner member acting as Azure matches no row of Office''s');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT results_eq(format($$SELECT quantity, auto_renew, status::text FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    $$VALUES (10, true, 'active')$$, 'R5/§7: ... and the subscription is unchanged');
-- roles that see it but are not its partner of record: R5
SET ROLE regress_bypass;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: the other partner''s global_admin that sees it (BYPASSRLS) cannot raise the quantity');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: ... nor change auto_renew');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: ... nor suspend');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: ... nor cancel');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: the other partner cannot even write an unchanged row');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: the customer''s global_admin, who sees it, cannot update it');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_azure'),
    'MP002', NULL, 'R5: the customer''s reader cannot update another partner''s subscription either');
SET ROLE regress_multi;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R5: the two-partner member must pick the acting partner');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'R5: the two-partner member acting as Office (global_admin) updates Office''s subscription');
RESET multipartner.acting_partner;
-- INSERT ... ON CONFLICT DO UPDATE and MERGE
SET ROLE regress_azure_sa;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')
                          ON CONFLICT (%s) DO UPDATE SET quantity = 1$$, :'sub_office', :'contoso_id', :'conflict_key'),
    '42501', 'new row violates row-level security policy (USING expression) for table "subscription"',
    'R5/§7: the other partner''s INSERT ... ON CONFLICT DO UPDATE on it is refused by row security (42501)');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')
                          ON CONFLICT (%s) DO UPDATE SET partner_of_record = EXCLUDED.partner_of_record$$, :'sub_office', :'contoso_id', :'conflict_key'),
    '42501', NULL, 'R6/§7: the other partner''s takeover through INSERT ... ON CONFLICT DO UPDATE is refused by row security (42501)');
\if :{?mp_citus_rules}
-- Citus refuses a MERGE into a distributed table under row security before
-- any trigger sees it: the policy calls multipartner.acting_partner(),
-- which is STABLE (XX000, Citus's own; still refused, nothing written)
SELECT throws_ok(format($$MERGE INTO multipartner.subscription s
                            USING (SELECT customer_id, subscription_id FROM multipartner.subscription WHERE subscription_id = %L) v
                               ON s.customer_id = v.customer_id AND s.subscription_id = v.subscription_id
                          WHEN MATCHED THEN UPDATE SET auto_renew = false$$, :'sub_office'),
    'XX000', 'non-IMMUTABLE functions are not yet supported in MERGE sql with distributed tables',
    'R5/§7: the other partner''s MERGE matches no row');
\else
SELECT is(pg_temp.rows_of(format($$MERGE INTO multipartner.subscription s USING (VALUES (%L::uuid)) v(id) ON s.subscription_id = v.id
                                   WHEN MATCHED THEN UPDATE SET auto_renew = false$$, :'sub_office')),
    0::bigint, 'R5/§7: the other partner''s MERGE matches no row');
\endif
SET ROLE regress_bypass;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')
                          ON CONFLICT (%s) DO UPDATE SET quantity = 1$$, :'sub_office', :'contoso_id', :'conflict_key'),
    'MP002', NULL, 'R5: the other partner (BYPASSRLS) cannot change it through INSERT ... ON CONFLICT DO UPDATE');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly')
                          ON CONFLICT (%s) DO UPDATE SET partner_of_record = EXCLUDED.partner_of_record$$, :'sub_office', :'contoso_id', :'conflict_key'),
    'MP003', NULL, 'R6: the other partner (BYPASSRLS) cannot take it over through INSERT ... ON CONFLICT DO UPDATE');
-- (the source a table, joined on the whole key: Citus merges into a
-- distributed table only from Citus tables)
SELECT throws_ok(format($$MERGE INTO multipartner.subscription s
                            USING (SELECT customer_id, subscription_id FROM multipartner.subscription WHERE subscription_id = %L) v
                               ON s.customer_id = v.customer_id AND s.subscription_id = v.subscription_id
                          WHEN MATCHED THEN UPDATE SET auto_renew = false$$, :'sub_office'),
    'MP002', NULL, 'R5: the other partner (BYPASSRLS) cannot change it through MERGE');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R5: the partner of record''s helpdesk_agent cannot change an order');
SET ROLE regress_office_uma;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R5: the partner of record''s user_management_admin cannot change an order');
SET ROLE regress_office_ba;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R5: the partner of record''s billing_admin cannot change an order');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'R5: the customer''s global_admin may UPDATE, and R5 refuses it (MP002)');
SET ROLE regress_office_aa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'R5: the partner of record''s admin_agent raises the quantity');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office'),
    'R5: the partner of record''s sales_agent changes auto_renew');
SET ROLE regress_office_ga;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id = %L$$, :'sub_office'),
    'R5: the partner of record''s global_admin changes auto_renew back');
RESET ROLE;
SELECT results_eq(format($$SELECT quantity, auto_renew FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    $$VALUES (12, true)$$, 'R5: only the partner of record''s changes were applied');
-- one statement over the rows of two partners: for a partner role the
-- other partner's row is not there; a role that sees both fails whole
SET ROLE regress_office_ga;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET quantity = quantity, auto_renew = auto_renew WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'sub_azure')),
    1::bigint, 'R5/§7: a partner''s UPDATE naming the rows of two partners reaches only its own');
SET ROLE regress_bypass;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1, auto_renew = false WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'sub_azure'),
    'MP002', NULL, 'R5: an UPDATE that touches rows of two partners fails (BYPASSRLS)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'sub_azure'),
    'MP002', NULL, 'R5: the customer''s UPDATE over the rows of two partners fails');
RESET ROLE;
SELECT results_eq(format($$SELECT subscription_id, quantity, auto_renew FROM multipartner.subscription WHERE subscription_id IN (%L, %L) ORDER BY subscription_id$$, :'sub_office', :'sub_azure'),
    format($$VALUES (%L::uuid, 12, true), (%L::uuid, 1, true)$$, :'sub_office', :'sub_azure'),
    '... and changes nothing, not even the rows of the own partner of record');
SET ROLE regress_operator;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_azure'),
    'R5: an operator updates any partner''s subscription');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE customer_id = %L AND subscription_id IN (%L, %L)$$, :'contoso_id', :'sub_office', :'sub_azure'),
    'R5: an operator updates the rows of two partners in one statement');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'sub_azure'),
    'R5: ... and back');
RESET ROLE;
SELECT results_eq(format($$SELECT subscription_id, quantity, auto_renew FROM multipartner.subscription WHERE subscription_id IN (%L, %L) ORDER BY subscription_id$$, :'sub_office', :'sub_azure'),
    format($$VALUES (%L::uuid, 12, true), (%L::uuid, 2, true)$$, :'sub_office', :'sub_azure'),
    'R5: the operator''s updates were applied');

-------------------------------------------------------------------------------
-- R6: no transition to another partner or customer
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
    'MP003', NULL, 'R6: the partner of record cannot hand the subscription to another partner');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L$$, :'fabrikam_id', :'sub_office'),
    :'want_sub_customer_update', NULL, 'R6: the partner of record cannot move it to another customer');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office')),
    0::bigint, 'R6/§7: the other partner''s takeover matches no row');
SET ROLE regress_bypass;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
    'MP003', NULL, 'R6: the other partner that sees it (BYPASSRLS) cannot take the subscription over');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L$$, :'fabrikam_id', :'sub_office'),
    :'want_sub_customer_update', NULL, 'R6: the customer cannot move it to another customer');
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
    'MP003', NULL, 'R6: an operator cannot change the partner of record');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L$$, :'fabrikam_id', :'sub_office'),
    :'want_sub_customer_update', NULL, 'R6: an operator cannot move it to another customer');
RESET ROLE;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
    'MP003', NULL, 'R6: the superuser cannot change the partner of record');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L$$, :'fabrikam_id', :'sub_office'),
    :'want_sub_customer_update', NULL, 'R6: the superuser cannot move it to another customer');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET subscription_id = %L WHERE subscription_id = %L$$, :'unknown_id', :'sub_office'),
    'MP008', NULL, 'the subscription_id never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET created_by = 'regress_office_ga' WHERE subscription_id = %L$$, :'sub_office'),
    'MP008', NULL, 'created_by never changes');
SELECT results_eq(format($$SELECT customer_id, partner_of_record FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    format($$VALUES (%L::uuid, %L::uuid)$$, :'contoso_id', :'office_id'),
    'R6: the subscription still belongs to Contoso, sold by Office');

-------------------------------------------------------------------------------
-- R7: terms never change, for anyone
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: offer_id never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET product_family = 'Office' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: product_family never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET term = 'P3Y' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: term never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET billing_cycle = 'annual' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: billing_cycle never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET commitment_end = ((commitment_end AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: commitment_end never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET created_at = ((created_at AT TIME ZONE 'UTC') - interval '1 day') AT TIME ZONE 'UTC' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: created_at never changes');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET term = 'P3Y', commitment_end = ((created_at AT TIME ZONE 'UTC') + interval '3 years') AT TIME ZONE 'UTC' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: term and commitment_end changed consistently are refused too');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET created_at = now() WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: moving created_at forward to reopen the cancellation window is refused');
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: an operator cannot change offer_id');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET created_at = now() WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: an operator cannot change created_at');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET billing_cycle = 'monthly' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: an operator cannot change billing_cycle');
RESET ROLE;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET term = 'P1M' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the superuser cannot change term');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET commitment_end = now() WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the superuser cannot change commitment_end');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET product_family = 'Office' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the superuser cannot change product_family');

-------------------------------------------------------------------------------
-- R7: obligations within the 168-hour window
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = 5 WHERE subscription_id = %L$$, :'sub_office'),
    'R7: quantity may be lowered within 168 hours');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = 50 WHERE subscription_id = %L$$, :'sub_office'),
    'R7: quantity may be raised');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'s_p1m'),
    'R7: a subscription may be suspended');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled', quantity = 1 WHERE subscription_id = %L$$, :'s_p1m'),
    'R7: a suspended subscription may be cancelled within 168 hours, lowering the quantity at once');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office'),
    'R7: a subscription may be cancelled within 168 hours');
RESET ROLE;
SELECT set_eq(format($$SELECT subscription_id, status::text, quantity FROM multipartner.subscription WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'s_p1m'),
    format($$VALUES (%L::uuid, 'cancelled', 50), (%L::uuid, 'cancelled', 1)$$, :'sub_office', :'s_p1m'),
    'R7: both cancellations were applied');

-- cancelled is final
SET ROLE regress_office_sa;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: a cancelled subscription cannot be reactivated');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: a cancelled subscription cannot be suspended');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: a cancelled subscription cannot expire');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the quantity of a cancelled subscription cannot be raised');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the quantity of a cancelled subscription cannot be lowered');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: auto_renew of a cancelled subscription cannot change');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office'),
    'R7: an UPDATE that changes nothing on a cancelled subscription is harmless');
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: an operator cannot reactivate a cancelled subscription');
RESET ROLE;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office'),
    'MP004', NULL, 'R7: the superuser cannot reactivate a cancelled subscription');

-------------------------------------------------------------------------------
-- R7: after the 168-hour window (sub_office_old was sold 8 days ago)
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = 25 WHERE subscription_id = %L$$, :'sub_office_old'),
    'R7: after 168 hours the quantity may still rise');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = 24 WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours the quantity cannot be lowered');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours the subscription cannot be cancelled');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_office_old'),
    'R7: after 168 hours it may be suspended');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours a suspended subscription cannot be cancelled either');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office_old'),
    'R7: after 168 hours it may be reactivated');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L$$, :'sub_office_old'),
    'R7: after 168 hours auto_renew may be turned off');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id = %L$$, :'sub_office_old'),
    'R7: ... and on again');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: a subscription cannot expire before its commitment ends');
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours an operator cannot lower the quantity');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours an operator cannot cancel');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: an operator cannot expire a subscription before its commitment ends');
RESET ROLE;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office_old'),
    'MP004', NULL, 'R7: after 168 hours the superuser cannot cancel');
SELECT results_eq(format($$SELECT status::text, quantity, auto_renew FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office_old'),
    $$VALUES ('active', 25, true)$$, 'R7: the old subscription is active with the raised quantity');
-- the window's edge: 168 hours exactly is outside, one minute less inside
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at)
VALUES
    (:'sub_edge_out', :'contoso_id', :'office_id', 'O365_E1', 'Microsoft 365', 4, 'P1Y', 'monthly', now() - interval '168 hours'),
    (:'sub_edge_in', :'contoso_id', :'office_id', 'O365_E1', 'Microsoft 365', 4, 'P1Y', 'monthly', now() - interval '167 hours 59 minutes');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_edge_out'),
    'MP004', NULL, 'R7: exactly 168 hours after the purchase the window is closed');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = 3 WHERE subscription_id = %L$$, :'sub_edge_out'),
    'MP004', NULL, 'R7: exactly 168 hours after the purchase the quantity cannot be lowered');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = 3 WHERE subscription_id = %L$$, :'sub_edge_in'),
    'R7: 167 hours 59 minutes after the purchase the quantity can be lowered');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_edge_in'),
    'R7: 167 hours 59 minutes after the purchase it can be cancelled');

-------------------------------------------------------------------------------
-- R7: expiry
-------------------------------------------------------------------------------
SET ROLE regress_azure_sa;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_azure'),
    'MP004', NULL, 'R7: a one-month subscription sold today cannot expire');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_office_done'),
    'R7: a subscription whose commitment has ended may expire');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP004', NULL, 'R7: an expired subscription cannot be reactivated');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP004', NULL, 'R7: the quantity of an expired subscription cannot change');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET auto_renew = true WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP004', NULL, 'R7: auto_renew of an expired subscription cannot change');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP004', NULL, 'R7: an expired subscription cannot be cancelled');
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP004', NULL, 'R7: an operator cannot reactivate an expired subscription');
RESET ROLE;
SELECT is((SELECT status::text FROM multipartner.subscription WHERE subscription_id = :'sub_office_done'),
    'expired', 'R7: the subscription stays expired');

-------------------------------------------------------------------------------
-- R10: nothing is deleted
-------------------------------------------------------------------------------
SELECT count(*) AS subs_before FROM multipartner.subscription \gset
SET ROLE regress_office_ga;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R10: a partner''s global_admin has no DELETE privilege');
SELECT throws_ok('TRUNCATE multipartner.subscription',
    '42501', NULL, 'R10: a partner''s global_admin has no TRUNCATE privilege');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    '42501', NULL, 'R10: a customer''s global_admin has no DELETE privilege');
SET ROLE regress_operator;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    NULL::char(5), NULL, 'R10: an operator cannot delete a subscription');
SELECT throws_ok('TRUNCATE multipartner.subscription',
    NULL::char(5), NULL, 'R10: an operator cannot truncate subscription');
-- SPEC §5 R10: refused for everyone, operators included, with MP007.
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    'MP007', NULL, 'R10: an operator''s DELETE of a subscription is refused with MP007');
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office_done'),
    'MP007', NULL, 'R10: an operator''s DELETE of an expired subscription is refused with MP007');
SELECT throws_ok('TRUNCATE multipartner.subscription',
    'MP007', NULL, 'R10: an operator''s TRUNCATE of subscription is refused with MP007');
RESET ROLE;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    'MP007', NULL, 'R10: the superuser cannot delete a subscription');
SELECT throws_ok('DELETE FROM multipartner.subscription',
    'MP007', NULL, 'R10: the superuser cannot delete all subscriptions');
SELECT throws_ok('TRUNCATE multipartner.subscription',
    'MP007', NULL, 'R10: the superuser cannot truncate subscription');
SELECT throws_ok('TRUNCATE multipartner.subscription CASCADE',
    'MP007', NULL, 'R10: the superuser cannot truncate subscription with CASCADE');
-- ENABLE ALWAYS: session_replication_role = replica does not switch the rules off
SET session_replication_role = replica;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    'MP007', NULL, 'R10: the superuser cannot delete a subscription with session_replication_role = replica');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
    'MP003', NULL, 'R6: nor change its partner of record with session_replication_role = replica');
RESET session_replication_role;
SELECT is((SELECT count(*) FROM multipartner.subscription), :'subs_before'::bigint,
    'R10: every subscription is still there');

-------------------------------------------------------------------------------
-- R13: no termination while the partner has live subscriptions there
-------------------------------------------------------------------------------
SET ROLE regress_fabrikam_ga;
SELECT lives_ok(format($$SELECT multipartner.accept_relationship(%L)$$, :'rel_office_fabrikam'),
    'Fabrikam accepts Office''s request');
RESET ROLE;
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status)
VALUES (:'rel_azure_fabrikam', :'fabrikam_id', :'azure_id', 'active');
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, auto_renew)
VALUES
    (:'sub_fab_old', :'fabrikam_id', :'office_id', 'PROJECT_P3', 'Project', 2, 'P1M', 'monthly', '2020-01-01 00:00:00+00', false);
SET ROLE regress_office_sa;
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly'), (%L, %L, 'TEAMS_EE', 'Teams', 10, 'P1M', 'monthly')$$,
                  :'sub_fab_a', :'fabrikam_id', :'sub_fab_b', :'fabrikam_id'),
    'R13: Office sells two subscriptions to Fabrikam');
SET ROLE regress_azure_sa;
SELECT lives_ok(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                         VALUES (%L, %L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'sub_fab_azure', :'fabrikam_id'),
    'R13: Azure sells to Fabrikam too');
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_office_fabrikam'),
    'MP009', NULL, 'R13: no termination while the partner has active subscriptions there');
SELECT throws_ok(format($$UPDATE multipartner.relationship SET status = 'terminated' WHERE relationship_id = %L$$, :'rel_office_fabrikam'),
    'MP009', NULL, 'R13: no termination by direct UPDATE either');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_fab_a'),
    'R13: Office cancels one subscription');
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = %L$$, :'sub_fab_b'),
    'R13: Office suspends the other');
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_office_fabrikam'),
    'MP009', NULL, 'R13: a suspended subscription blocks the termination too');
SET ROLE regress_operator;
SELECT throws_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_office_fabrikam'),
    'MP009', NULL, 'R13: an operator cannot terminate it either');
RESET ROLE;
SELECT throws_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_office_fabrikam'),
    'MP009', NULL, 'R13: nor can the superuser');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$$, :'sub_fab_b'),
    'R13: Office cancels the suspended subscription');
SET ROLE regress_office_ga;
SELECT is((SELECT (s.status, multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end))::text
             FROM multipartner.subscription s
            WHERE subscription_id = :'sub_fab_old'),
    '(active,expired)', 'R13: the old subscription is recorded active, but its commitment ended without a renewal: expired (SPEC §10)');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET status = 'expired' WHERE subscription_id = %L$$, :'sub_fab_old'),
    'R13: Office records that the ended subscription expired');
SET ROLE regress_office_ga;
SELECT lives_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_office_fabrikam'),
    'R13: with only cancelled and expired subscriptions left, and Azure''s live one, Office terminates');
RESET ROLE;
SELECT set_eq(format($$SELECT relationship_id, status::text FROM multipartner.relationship WHERE customer_id = %L$$, :'fabrikam_id'),
    format($$VALUES (%L::uuid, 'active'), (%L::uuid, 'terminated')$$, :'rel_azure_fabrikam', :'rel_office_fabrikam'),
    'R13: Office''s relationship is terminated, Azure''s is still active');

-------------------------------------------------------------------------------
-- R11: terminated, declined and expired relationships allow no sale
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'MP001', NULL, 'R11 API: no sale after the relationship was terminated');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'MP001', NULL, 'R11 INSERT: no sale after the relationship was terminated');
SET ROLE regress_operator;
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id', :'office_id'),
    'MP001', NULL, 'R11 INSERT: an operator cannot sell for a terminated relationship');
RESET ROLE;
SELECT results_eq(format($$SELECT subscription_id, partner_of_record, status::text FROM multipartner.subscription WHERE customer_id = %L ORDER BY subscription_id$$, :'fabrikam_id'),
    format($$VALUES (%L::uuid, %L::uuid, 'cancelled'), (%L::uuid, %L::uuid, 'cancelled'), (%L::uuid, %L::uuid, 'active'), (%L::uuid, %L::uuid, 'expired')$$,
           :'sub_fab_a', :'office_id', :'sub_fab_b', :'office_id', :'sub_fab_azure', :'azure_id', :'sub_fab_old', :'office_id'),
    'R11: existing subscriptions keep their partner of record after the termination');
SET ROLE regress_azure_sa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 2, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'R11: the other partner still sells to the customer');
-- a terminated relationship can be followed by a new one
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_office_fabrikam2 \gset
SET ROLE regress_fabrikam_ga;
SELECT lives_ok(format($$SELECT multipartner.accept_relationship(%L)$$, :'rel_office_fabrikam2'),
    'R11: Fabrikam accepts a new request from Office');
SET ROLE regress_office_sa;
SELECT lives_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id'),
    'R11: with the new active relationship Office sells again');
RESET ROLE;
-- declined
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'northwind_id', :'northwind_tenant', 'Northwind', 'commercial');
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'northwind_id') AS rel_office_northwind \gset
SET ROLE regress_operator;
SELECT lives_ok(format($$SELECT multipartner.decline_relationship(%L)$$, :'rel_office_northwind'),
    'R11: Office''s request to Northwind is declined');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'northwind_id'),
    'MP001', NULL, 'R11 API: no sale after the relationship was declined');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'northwind_id'),
    'MP001', NULL, 'R11 INSERT: no sale after the relationship was declined');
RESET ROLE;
-- expired: a request made 91 days ago (the operator loads history)
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_at)
VALUES (:'rel_azure_northwind', :'northwind_id', :'azure_id', 'pending', now() - interval '91 days');
SET ROLE regress_azure_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'northwind_id'),
    'MP001', NULL, 'R11 API: no sale on a request older than 90 days (reads as expired)');
SET ROLE regress_operator;
SELECT cmp_ok(multipartner.expire_relationships(), '>=', 1::bigint, 'R11: expire_relationships() marks the stale request expired');
SET ROLE regress_azure_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'northwind_id'),
    'MP001', NULL, 'R11 API: no sale after the relationship expired');
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle)
                          VALUES (%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'northwind_id'),
    'MP001', NULL, 'R11 INSERT: no sale after the relationship expired');
RESET ROLE;
SELECT is((SELECT status::text FROM multipartner.relationship WHERE relationship_id = :'rel_azure_northwind'),
    'expired', 'R11: the stale request is recorded as expired');
SELECT is((SELECT count(*) FROM multipartner.subscription WHERE customer_id = :'northwind_id'),
    0::bigint, 'R11: Northwind has no subscription');

-- R13 once more: the other partner's subscriptions don't block, its own (active) do
SET ROLE regress_azure_ga;
SELECT throws_ok(format($$SELECT multipartner.terminate_relationship(%L)$$, :'rel_azure_contoso'),
    'MP009', NULL, 'R13: Azure cannot terminate with Contoso while its own subscriptions there are live');

-------------------------------------------------------------------------------
-- How a sale holds the membership that allows it (identity.c,
-- mp_lock_acting_membership): under READ COMMITTED, the member role's
-- object lock in ACCESS SHARE mode and no row lock on partner_member; a
-- change of a membership row takes the same object lock in ACCESS EXCLUSIVE
-- mode.  (REPEATABLE READ keeps the row lock: test/specs/member_removed_vs_sale.)
-------------------------------------------------------------------------------
-- The member object locks of this transaction on the member's role.  On
-- Citus (each statement a transaction of its own) the section runs in one
-- transaction, as on one node, and the lock is taken where the row is
-- written: the sale's on the worker of the customer's shard, a membership
-- change's on every node (partner_member is a reference table).  So there it
-- reads the locks of this distributed transaction (its global pid) on every
-- node, names resolved on each node (OIDs differ per node).
\if :{?mp_citus_rules}
CREATE FUNCTION pg_temp.member_locks(member text)
RETURNS TABLE (mode text, granted boolean) LANGUAGE sql AS $f$
    SELECT DISTINCT r->>'mode', (r->>'granted')::boolean
      FROM run_command_on_all_nodes(format($c$
               SELECT coalesce(jsonb_agg(jsonb_build_object('mode', l.mode, 'granted', l.granted)), '[]')
                 FROM pg_locks l JOIN get_all_active_transactions() t ON t.process_id = l.pid
                WHERE t.global_pid = %s AND l.locktype = 'object'
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = 'multipartner.partner_member'::regclass AND l.objid = %L::regrole$c$,
               citus_backend_gpid(), member)) n,
           jsonb_array_elements(n.result::jsonb) r
$f$;
BEGIN;
\else
CREATE FUNCTION pg_temp.member_locks(member text)
RETURNS TABLE (mode text, granted boolean) LANGUAGE sql AS $f$
    SELECT mode, granted FROM pg_locks
     WHERE locktype = 'object' AND pid = pg_backend_pid()
       AND classid = 'multipartner.partner_member'::regclass AND objid = member::regrole
$f$;
\endif
SET ROLE regress_office_sa;
SELECT isnt(multipartner.create_subscription(:'contoso_id', 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly'), NULL,
    'membership lock: the sales_agent sells');
RESET ROLE;
SELECT results_eq(
    $$SELECT mode, granted FROM pg_temp.member_locks('regress_office_sa')$$,
    $$VALUES ('AccessShareLock'::text, true)$$,
    'membership lock: a sale holds its seller''s member object lock in ACCESS SHARE mode');
SELECT is((SELECT count(*) FROM multipartner.partner_member
            WHERE member = 'regress_office_sa'::regrole AND xmax <> '0'::xid), 0::bigint,
    'membership lock: ... and no lock on its membership rows');
SET ROLE regress_operator;
UPDATE multipartner.partner_member SET role = 'billing_admin'
 WHERE member = 'regress_office_hd'::regrole AND role = 'helpdesk_agent';
RESET ROLE;
SELECT results_eq(
    $$SELECT mode, granted FROM pg_temp.member_locks('regress_office_hd')$$,
    $$VALUES ('AccessExclusiveLock'::text, true)$$,
    'membership lock: changing a membership row takes the member''s object lock in ACCESS EXCLUSIVE mode');
SET ROLE regress_operator;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_office_ba', :'azure_id', 'billing_admin');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_temp.member_locks('regress_office_ba')),
    0::bigint, 'membership lock: a new membership takes nothing away and locks nothing');
\if :{?mp_citus_rules}
COMMIT;
\endif

SELECT * FROM finish();
\i test/teardown.psql
