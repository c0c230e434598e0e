\i test/setup.psql
-- relationship_api: the relationship lifecycle through the SQL API, as each
-- role of the permission matrix (R1, R2, R3, R9), the state machine
-- (pending -> active | declined | expired, active -> terminated; declined,
-- expired and terminated are final), the 90-day request lifetime, and the
-- API's own argument checks.  Refusals are checked by SQLSTATE.
--
-- Row security (SPEC §7): a relationship of another partner or another
-- customer does not exist for an application role, so the API answers it
-- 42704 and changes nothing.  R3's own refusal (42501) of a foreign partner
-- or customer is reached by the BYPASSRLS roles of test/fixtures_bypass.psql,
-- which see every row.
\i test/fixtures.psql
\i test/fixtures_bypass.psql

SELECT plan(184);

-- Six more commercial customers without members: only operators decide for them.
\set c1_id '33333333-3333-4333-8333-0000000000a1'
\set c2_id '33333333-3333-4333-8333-0000000000a2'
\set c3_id '33333333-3333-4333-8333-0000000000a3'
\set c4_id '33333333-3333-4333-8333-0000000000a4'
\set c5_id '33333333-3333-4333-8333-0000000000a5'
\set c6_id '33333333-3333-4333-8333-0000000000a6'
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'c1_id', '44444444-4444-4444-8444-0000000000a1', 'Adatum', 'commercial'),
    (:'c2_id', '44444444-4444-4444-8444-0000000000a2', 'Litware', 'commercial'),
    (:'c3_id', '44444444-4444-4444-8444-0000000000a3', 'Tailspin', 'commercial'),
    (:'c4_id', '44444444-4444-4444-8444-0000000000a4', 'Wingtip', 'commercial'),
    (:'c5_id', '44444444-4444-4444-8444-0000000000a5', 'Proseware', 'commercial'),
    (:'c6_id', '44444444-4444-4444-8444-0000000000a6', 'Lucerne', 'commercial');
\i test/fixtures_done.psql
-- Tenants for the customers the partners create here.
\set t_nw    '55555555-5555-4555-8555-000000000001'
\set t_uma   '55555555-5555-4555-8555-000000000002'
\set t_aa    '55555555-5555-4555-8555-000000000003'
\set t_sa    '55555555-5555-4555-8555-000000000004'
\set t_multi '55555555-5555-4555-8555-000000000005'
\set t_gov   '55555555-5555-4555-8555-000000000006'
\set t_no    '55555555-5555-4555-8555-000000000007'
-- Relationships an operator loads with an old request time (90-day expiry).
\set e1_id '66666666-6666-4666-8666-0000000000e1'
\set e2_id '66666666-6666-4666-8666-0000000000e2'
\set e3_id '66666666-6666-4666-8666-0000000000e3'
\set e4_id '66666666-6666-4666-8666-0000000000e4'
\set e5_id '66666666-6666-4666-8666-0000000000e5'
-- effective_status() through a wrapper that turns an error into text, so
-- that a failing call is a failing assertion, not the end of the file.
CREATE FUNCTION pg_temp.eff(rid uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT multipartner.effective_status(r)::text
              FROM multipartner.relationship r WHERE r.relationship_id = rid);
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE FUNCTION pg_temp.eff_attr(rid uuid) RETURNS text LANGUAGE plpgsql
SET search_path = multipartner, pg_catalog AS $$
BEGIN
    RETURN (SELECT r.effective_status::text
              FROM multipartner.relationship r WHERE r.relationship_id = rid);
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
\set eff_bug 'BUG effective_status() raises 42883 on every call: in sql/multipartner--0.1.sql OPERATOR(pg_catalog.-) binds after OPERATOR(pg_catalog.<=)'

-------------------------------------------------------------------------------
-- create_customer: the creating partner gets an active relationship at once
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.create_customer(:'t_nw', 'Northwind', 'commercial') AS nw_id, statement_timestamp() AS t_nw_at,
       clock_timestamp() AS t_nw_end \gset
RESET ROLE;
SELECT is((SELECT (tenant_id, name, cloud)::text FROM multipartner.customer WHERE customer_id = :'nw_id'),
          format('(%s,Northwind,commercial)', :'t_nw'),
          'create_customer() inserts the customer with the given tenant, name and cloud');
SELECT is((SELECT count(*)::int FROM multipartner.relationship WHERE customer_id = :'nw_id'), 1,
          'create_customer() gives the new customer exactly one relationship');
SELECT is((SELECT (partner_id, status, delegated_admin)::text FROM multipartner.relationship
            WHERE customer_id = :'nw_id'),
          format('(%s,active,t)', :'office_id'),
          'the creating partner''s relationship is active, with delegated admin');
SELECT is((SELECT (requested_by, decided_by)::text FROM multipartner.relationship WHERE customer_id = :'nw_id'),
          '(regress_office_ga,regress_office_ga)',
          'requested_by and decided_by are the creating role');
SELECT ok(pg_temp.stamp_is((SELECT requested_at FROM multipartner.relationship WHERE customer_id = :'nw_id'), :'t_nw_at', :'t_nw_end')
          AND (SELECT decided_at = requested_at AND ended_by IS NULL AND ended_at IS NULL
                 FROM multipartner.relationship WHERE customer_id = :'nw_id'),
          'requested_at = decided_at = the start of the create_customer() statement; nothing ended');
SELECT is((SELECT kind FROM multipartner.tenant WHERE tenant_id = :'t_nw' AND owner_id = :'nw_id'),
          'customer', 'the tenant registry records the new customer''s tenant');
SELECT relationship_id AS r_nw FROM multipartner.relationship WHERE customer_id = :'nw_id' \gset

SET ROLE regress_office_uma;
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_uma', 'UMA Customer', 'commercial'),
                'R2: an Office user_management_admin may create a customer');
SET ROLE regress_office_aa;
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_aa', 'AA Customer', 'commercial'),
                'R2: an Office admin_agent may create a customer');
SET ROLE regress_office_sa;
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_sa', 'SA Customer', 'commercial'),
                'R2: an Office sales_agent may create a customer');
RESET ROLE;
SELECT is((SELECT array_agg(r.requested_by::text || ':' || r.status ORDER BY r.requested_by)
             FROM multipartner.relationship r JOIN multipartner.customer c USING (customer_id)
            WHERE c.tenant_id IN (:'t_uma', :'t_aa', :'t_sa')),
          ARRAY['regress_office_aa:active', 'regress_office_sa:active', 'regress_office_uma:active'],
          'each of them got an active relationship recorded as theirs');
SELECT customer_id AS cc_uma FROM multipartner.customer WHERE tenant_id = :'t_uma' \gset
SELECT customer_id AS cc_sa FROM multipartner.customer WHERE tenant_id = :'t_sa' \gset
SELECT relationship_id AS r_cc_uma FROM multipartner.relationship WHERE customer_id = :'cc_uma' \gset
SELECT relationship_id AS r_cc_sa FROM multipartner.relationship WHERE customer_id = :'cc_sa' \gset

SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'HD Customer', 'commercial'),
                 '42501', 'permission denied to create customers for partner ' || :'office_id',
                 'R2: an Office helpdesk_agent may not create a customer (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'BA Customer', 'commercial'),
                 '42501', NULL, 'R2: an Office billing_admin may not create a customer (42501)');
SET ROLE regress_azure_hd;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'HD Customer', 'commercial'),
                 '42501', NULL, 'R2: an Azure helpdesk_agent may not create a customer (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Cust Customer', 'commercial'),
                 '42501', NULL, 'a customer global_admin may not create a customer (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Nobody''s', 'commercial'),
                 '42501', 'role "regress_papp_nomember" does not act for any partner',
                 'a partner-app role of no partner may not create a customer (42501)');
SET ROLE regress_nobody;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Nobody''s', 'commercial'),
                 '42501', NULL, 'a role with no grant may not create a customer (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Op''s', 'commercial'),
                 '42501', 'role "regress_operator" does not act for any partner',
                 'an operator acts for no partner: create_customer() refuses it (42501)');
SET ROLE regress_multi;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Multi', 'commercial'),
                 '42501', 'role "regress_multi" is a member of 2 partners',
                 'a member of two partners must pick one first (42501)');
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_no', 'Multi', 'commercial'),
                 '42501', NULL, 'acting for Azure (helpdesk_agent there), it may not create a customer');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_multi', 'Multi Customer', 'commercial'),
                'acting for Office (global_admin there), it may');
SELECT is((SELECT r.partner_id FROM multipartner.relationship r JOIN multipartner.customer c USING (customer_id)
            WHERE c.tenant_id = :'t_multi'), :'office_id'::uuid,
          'the relationship is with the partner it acts for');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.customer WHERE tenant_id = :'t_no')
          + (SELECT count(*)::int FROM multipartner.tenant WHERE tenant_id = :'t_no'), 0,
          'the refused create_customer() calls left no customer and no tenant claim behind');

SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(NULL, %L, %L)', 'X', 'commercial'),
                 '22004', 'tenant_id must not be null', 'create_customer(NULL tenant_id): 22004');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, NULL, %L)', :'t_no', 'commercial'),
                 '22004', 'name must not be null', 'create_customer(NULL name): 22004');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, NULL)', :'t_no', 'X'),
                 '22004', 'cloud must not be null', 'create_customer(NULL cloud): 22004');
RESET ROLE;

-------------------------------------------------------------------------------
-- request_relationship (R2): global_admin, user_management_admin,
-- admin_agent and sales_agent may ask; a request starts pending
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'contoso_id') AS r_co_office, statement_timestamp() AS t_co_office_at,
       clock_timestamp() AS t_co_office_end \gset
RESET ROLE;
SELECT is((SELECT (customer_id, partner_id, status, delegated_admin, requested_by)::text
             FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          format('(%s,%s,pending,t,regress_office_ga)', :'contoso_id', :'office_id'),
          'request_relationship() returns the id of a pending request by the acting partner, delegated admin by default');
SELECT ok(pg_temp.stamp_is((SELECT requested_at FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
                           :'t_co_office_at', :'t_co_office_end')
          AND (SELECT decided_by IS NULL AND decided_at IS NULL AND ended_by IS NULL AND ended_at IS NULL
                 FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          'requested at the start of the request''s statement, nothing decided or ended yet');
SELECT is(pg_temp.error_of('SELECT multipartner.effective_status(r) FROM multipartner.relationship r'),
          NULL, 'effective_status() can be called');
SELECT is(pg_temp.eff(:'r_co_office'), 'pending', 'a fresh request reads as pending');

SET ROLE regress_office_uma;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c1_id'),
                'R2: an Office user_management_admin may request a relationship');
SET ROLE regress_office_aa;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c2_id'),
                'R2: an Office admin_agent may request a relationship');
SET ROLE regress_office_sa;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c3_id'),
                'R2: an Office sales_agent may request a relationship');
SET ROLE regress_azure_ga;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'contoso_id'),
                'R1: Azure may ask Contoso too while Office''s request is pending');
SET ROLE regress_azure_sa;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L, false)', :'c1_id'),
                'R2: an Azure sales_agent may request a relationship without delegated admin');
RESET ROLE;
SELECT is((SELECT delegated_admin FROM multipartner.relationship
            WHERE customer_id = :'c1_id' AND partner_id = :'azure_id'), false,
          'request_relationship(customer, false) asks for no delegated admin');
SELECT is((SELECT array_agg(requested_by::text ORDER BY requested_by) FROM multipartner.relationship
            WHERE customer_id IN (:'c1_id', :'c2_id', :'c3_id') AND status = 'pending'),
          ARRAY['regress_azure_sa', 'regress_office_aa', 'regress_office_sa', 'regress_office_uma'],
          'each request is recorded as its requester''s');

SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501',
                 'permission denied to request a relationship for partner ' || :'office_id',
                 'R2: an Office helpdesk_agent may not request (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'R2: an Office billing_admin may not request (42501)');
SET ROLE regress_azure_hd;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'R2: an Azure helpdesk_agent may not request (42501)');
SET ROLE regress_azure_ba;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'R2: an Azure billing_admin may not request (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'a customer-app role may not request (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'a partner-app role of no partner may not request (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'an operator acts for no partner: request_relationship() refuses it (42501)');
SET ROLE regress_multi;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'a member of two partners without the setting may not request (42501)');
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'), '42501', NULL,
                 'R2 follows the acting partner: as Azure helpdesk_agent it may not request');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'),
                'R2 follows the acting partner: as Office global_admin it may');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT (partner_id, requested_by)::text FROM multipartner.relationship WHERE customer_id = :'c4_id'),
          format('(%s,regress_multi)', :'office_id'), 'the request is Office''s, by regress_multi');

-- A second Partner Center role in the same partner adds its rights.
INSERT INTO multipartner.partner_member VALUES ('regress_azure_hd', :'azure_id', 'admin_agent');
SET ROLE regress_azure_hd;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c4_id'),
                'R2: helpdesk_agent plus admin_agent in Azure may request');
RESET ROLE;

-- One pending or active relationship per (customer, partner)
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'contoso_id'), '23505',
                 format('customer %s already has a pending relationship request from partner %s', :'contoso_id', :'office_id'),
                 'a second request while one is pending is refused (23505)');
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'nw_id'), '23505',
                 format('customer %s already has an active relationship with partner %s', :'nw_id', :'office_id'),
                 'a request while the relationship is active is refused (23505)');
-- R9 and unknown customers
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'govcust_id'), 'MP006', NULL,
                 'R9: a commercial partner cannot ask a us_government customer (MP006)');
SET ROLE regress_gov_ga;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'contoso_id'), 'MP006', NULL,
                 'R9: a us_government partner cannot ask a commercial customer (MP006)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'unknown_id'), '23503', NULL,
                 'an unknown customer is refused by the foreign key (23503)');
SELECT throws_ok('SELECT multipartner.request_relationship(NULL)', '22004', 'customer_id must not be null',
                 'request_relationship(NULL): 22004');
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L, NULL)', :'c5_id'), '22004',
                 'delegated_admin must not be null', 'request_relationship(customer, NULL): 22004');
RESET ROLE;

SELECT relationship_id AS r_co_azure FROM multipartner.relationship
 WHERE customer_id = :'contoso_id' AND partner_id = :'azure_id' \gset
SELECT relationship_id AS r_c1_office FROM multipartner.relationship
 WHERE customer_id = :'c1_id' AND partner_id = :'office_id' \gset
SELECT relationship_id AS r_c2_office FROM multipartner.relationship
 WHERE customer_id = :'c2_id' AND partner_id = :'office_id' \gset
SELECT relationship_id AS r_c3_office FROM multipartner.relationship
 WHERE customer_id = :'c3_id' AND partner_id = :'office_id' \gset
SELECT relationship_id AS r_c4_office FROM multipartner.relationship
 WHERE customer_id = :'c4_id' AND partner_id = :'office_id' \gset

-------------------------------------------------------------------------------
-- accept / decline (R3): the customer's global_admin or an operator
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501',
                 'permission denied to accept relationship ' || :'r_co_office',
                 'R3: the customer''s reader may not accept (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '42501',
                 'permission denied to decline relationship ' || :'r_co_office',
                 'R3: the customer''s reader may not decline (42501)');
SET ROLE regress_contoso_ba;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the customer''s billing_admin may not accept (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the customer''s billing_admin may not decline (42501)');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42704',
                 format('relationship %s does not exist', :'r_co_office'),
                 'another customer''s global_admin cannot see the request: accepting it says it does not exist (42704)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '42704',
                 format('relationship %s does not exist', :'r_co_office'),
                 '... and so does declining it (42704)');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501',
                 'permission denied to accept relationship ' || :'r_co_office',
                 'R3: another customer''s global_admin that sees the request (BYPASSRLS) may not accept (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: ... nor decline (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the requesting partner''s global_admin may not accept its own request (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the requesting partner''s global_admin may not decline (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: another partner''s global_admin may not accept (42501)');
SET ROLE regress_nobody;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: a role with no grant may not accept (42501)');
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          'pending'::multipartner.relationship_status, 'after all these refusals the request is still pending');

-- a statement before the accepting one: in the test transaction of one node,
-- later than its start (now()); on Citus (a transaction per statement), the
-- bound that is left
SELECT statement_timestamp() AS t_before_accept \gset
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'),
                'R3: the customer''s global_admin accepts');
RESET ROLE;
SELECT is((SELECT (status, delegated_admin, requested_by, decided_by)::text
             FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          '(active,t,regress_office_ga,regress_contoso_ga)',
          'accepted: active, delegated admin kept, decided_by the customer''s global_admin');
SELECT ok((SELECT decided_at > :'t_before_accept' AND decided_at < statement_timestamp() AND ended_at IS NULL
             FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          'decided_at is the time of the accepting statement, not the transaction''s start');
SELECT row_to_json(r)::text AS snap FROM multipartner.relationship r WHERE relationship_id = :'r_co_office' \gset
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'),
                'accepting an active relationship again succeeds');
RESET ROLE;
SELECT is((SELECT row_to_json(r)::text FROM multipartner.relationship r WHERE relationship_id = :'r_co_office'),
          :'snap', '... and changes nothing');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'),
                 '42501', NULL,
                 'a no-op accept is still checked: a reader cannot accept an active relationship (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '55000',
                 format('cannot change relationship %s from active to declined', :'r_co_office'),
                 'an active relationship cannot be declined (55000)');
RESET ROLE;

SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_azure'),
                'R3: the customer''s global_admin declines Azure''s request');
RESET ROLE;
SELECT is((SELECT (status, decided_by)::text FROM multipartner.relationship WHERE relationship_id = :'r_co_azure'),
          '(declined,regress_contoso_ga)', 'declined, decided_by the customer''s global_admin');
SELECT row_to_json(r)::text AS snap FROM multipartner.relationship r WHERE relationship_id = :'r_co_azure' \gset
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_azure'),
                'declining a declined request again succeeds');
RESET ROLE;
SELECT is((SELECT row_to_json(r)::text FROM multipartner.relationship r WHERE relationship_id = :'r_co_azure'),
          :'snap', '... and changes nothing');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_azure'), '55000',
                 format('cannot change relationship %s from declined to active', :'r_co_azure'),
                 'declined is final: the customer cannot accept it any more (55000)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_azure'), '55000', NULL,
                 'declined is final for an operator too (55000)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_azure'), '55000', NULL,
                 'a declined request cannot be terminated (55000)');
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'contoso_id'),
                'after a decline the partner may ask again');
RESET ROLE;
SELECT relationship_id AS r_co_azure2 FROM multipartner.relationship
 WHERE customer_id = :'contoso_id' AND partner_id = :'azure_id' AND status = 'pending' \gset
SELECT isnt(:'r_co_azure2'::uuid, :'r_co_azure'::uuid, 'the new request is a new relationship');
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_azure2'),
                'the customer accepts the second request');
RESET ROLE;
SELECT is((SELECT array_agg(partner_id ORDER BY partner_id) FROM multipartner.relationship
            WHERE customer_id = :'contoso_id' AND status = 'active'),
          ARRAY[:'office_id', :'azure_id']::uuid[],
          'R1: Contoso now has two active partners, Office and Azure');
SELECT is((SELECT array_agg(status::text ORDER BY requested_at, status) FROM multipartner.relationship
            WHERE customer_id = :'contoso_id' AND partner_id = :'azure_id'),
          ARRAY['declined', 'active'], 'the declined request stays on record before the active one');

-- Operators decide for customers that have no members.
SET ROLE regress_operator;
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_c1_office'),
                'R3: an operator may accept');
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_c4_office'),
                'an operator accepts regress_multi''s request');
SELECT lives_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_c3_office'),
                'R3: an operator may decline');
RESET ROLE;
SELECT is((SELECT array_agg(status::text || ':' || decided_by ORDER BY customer_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'r_c1_office', :'r_c3_office', :'r_c4_office')),
          ARRAY['active:regress_operator', 'declined:regress_operator', 'active:regress_operator'],
          'decided_by records the operator');

SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'unknown_id'), '42704',
                 format('relationship %s does not exist', :'unknown_id'),
                 'accepting an unknown relationship: 42704');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'unknown_id'), '42704', NULL,
                 'declining an unknown relationship: 42704');
SELECT throws_ok('SELECT multipartner.accept_relationship(NULL)', '22004', 'relationship_id must not be null',
                 'accept_relationship(NULL): 22004');
SELECT throws_ok('SELECT multipartner.decline_relationship(NULL)', '22004', NULL,
                 'decline_relationship(NULL): 22004');
RESET ROLE;

-------------------------------------------------------------------------------
-- revoke_delegated_admin (R3): the customer's or the partner's global_admin,
-- or an operator; the relationship stays active
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501',
                 'permission denied to revoke delegated admin rights of relationship ' || :'r_co_office',
                 'R3: the customer''s reader may not revoke (42501)');
SET ROLE regress_contoso_ba;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the customer''s billing_admin may not revoke (42501)');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42704', NULL,
                 'another customer''s global_admin cannot see the relationship: revoking says it does not exist (42704)');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501',
                 'permission denied to revoke delegated admin rights of relationship ' || :'r_co_office',
                 'R3: another customer''s global_admin that sees it (BYPASSRLS) may not revoke (42501)');
SET ROLE regress_office_uma;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s user_management_admin may not revoke (42501)');
SET ROLE regress_office_aa;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s admin_agent may not revoke (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s sales_agent may not revoke (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s helpdesk_agent may not revoke (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s billing_admin may not revoke (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42704',
                 format('relationship %s does not exist', :'r_co_office'),
                 'another partner''s global_admin cannot see the relationship: revoking says it does not exist (42704)');
SET ROLE regress_bypass;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42501', NULL,
                 'R3: another partner''s global_admin that sees it (BYPASSRLS) may not revoke (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42704', NULL,
                 'a partner-app role of no partner sees no relationship: revoking says it does not exist (42704)');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'), '42704', NULL,
                 'regress_multi acting for Azure sees only Azure''s rows: Office''s relationship does not exist (42704)');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT delegated_admin FROM multipartner.relationship WHERE relationship_id = :'r_co_office'), true,
          'after all these refusals delegated admin is still granted');

SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'),
                'R3: the customer''s global_admin revokes delegated admin');
RESET ROLE;
SELECT is((SELECT (status, delegated_admin, decided_by)::text FROM multipartner.relationship
            WHERE relationship_id = :'r_co_office'),
          '(active,f,regress_contoso_ga)', 'the relationship stays active, without delegated admin');
SELECT ok((SELECT ended_by IS NULL AND ended_at IS NULL FROM multipartner.relationship
            WHERE relationship_id = :'r_co_office'), 'revoking ends nothing');
SELECT row_to_json(r)::text AS snap FROM multipartner.relationship r WHERE relationship_id = :'r_co_office' \gset
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'),
                'revoking again succeeds');
RESET ROLE;
SELECT is((SELECT row_to_json(r)::text FROM multipartner.relationship r WHERE relationship_id = :'r_co_office'),
          :'snap', '... and changes nothing');

SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_nw'),
                'R3: the partner''s global_admin may revoke');
SET ROLE regress_operator;
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_c1_office'),
                'R3: an operator may revoke');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_c4_office'),
                'R3: regress_multi acting for Office (global_admin) may revoke');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT array_agg((status, delegated_admin)::text) FROM multipartner.relationship
            WHERE relationship_id IN (:'r_nw', :'r_c1_office', :'r_c4_office')),
          ARRAY['(active,f)', '(active,f)', '(active,f)'], 'all three are active without delegated admin');

SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_c2_office'), '55000',
                 'cannot revoke delegated admin rights of relationship ' || :'r_c2_office',
                 'revoking on a pending request is refused (55000)');
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'unknown_id'), '42704', NULL,
                 'revoking on an unknown relationship: 42704');
SELECT throws_ok('SELECT multipartner.revoke_delegated_admin(NULL)', '22004', NULL,
                 'revoke_delegated_admin(NULL): 22004');
RESET ROLE;

-------------------------------------------------------------------------------
-- terminate_relationship (R3): the partner's global_admin or an operator
-------------------------------------------------------------------------------
SET ROLE regress_office_uma;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501',
                 'permission denied to terminate relationship ' || :'r_co_office',
                 'R3: the partner''s user_management_admin may not terminate (42501)');
SET ROLE regress_office_aa;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s admin_agent may not terminate (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s sales_agent may not terminate (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s helpdesk_agent may not terminate (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the partner''s billing_admin may not terminate (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42704',
                 format('relationship %s does not exist', :'r_co_office'),
                 'another partner''s global_admin cannot see the relationship: terminating says it does not exist (42704)');
SET ROLE regress_bypass;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501',
                 'permission denied to terminate relationship ' || :'r_co_office',
                 'R3: another partner''s global_admin that sees it (BYPASSRLS) may not terminate (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42501', NULL,
                 'R3: the customer''s global_admin may not terminate (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42704', NULL,
                 'a partner-app role of no partner sees no relationship: terminating says it does not exist (42704)');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'), '42704', NULL,
                 'regress_multi acting for Azure cannot see Office''s relationship: it does not exist (42704)');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          'active'::multipartner.relationship_status, 'after all these refusals the relationship is still active');

SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'),
                'R3: the partner''s global_admin terminates');
RESET ROLE;
SELECT is((SELECT (status, decided_by, ended_by)::text FROM multipartner.relationship
            WHERE relationship_id = :'r_co_office'),
          '(terminated,regress_contoso_ga,regress_office_ga)',
          'terminated: ended_by the partner''s global_admin, the decision kept');
SELECT ok((SELECT ended_at > decided_at AND ended_at < statement_timestamp()
             FROM multipartner.relationship WHERE relationship_id = :'r_co_office'),
          'ended_at is the time of the terminating statement, after the decision');
SELECT row_to_json(r)::text AS snap FROM multipartner.relationship r WHERE relationship_id = :'r_co_office' \gset
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_co_office'),
                'terminating again succeeds');
RESET ROLE;
SELECT is((SELECT row_to_json(r)::text FROM multipartner.relationship r WHERE relationship_id = :'r_co_office'),
          :'snap', '... and changes nothing');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'r_co_office'), '55000', NULL,
                 'terminated is final: it cannot be accepted (55000)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'r_co_office'), '55000', NULL,
                 'terminated is final: it cannot be declined (55000)');
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_co_office'),
                'revoking on a terminated relationship whose rights are already gone changes nothing');
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'contoso_id'),
                'after termination the partner may ask again');
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_cc_uma'),
                'the partner''s global_admin terminates a relationship another role of it created');
SELECT throws_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_cc_uma'), '55000', NULL,
                 'revoking on a terminated relationship that still shows delegated admin is refused (55000)');
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_c2_office'), '55000',
                 format('cannot change relationship %s from pending to terminated', :'r_c2_office'),
                 'a pending request cannot be terminated (55000)');
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_c3_office'), '55000', NULL,
                 'a declined request cannot be terminated (55000)');
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'unknown_id'), '42704', NULL,
                 'terminating an unknown relationship: 42704');
SELECT throws_ok('SELECT multipartner.terminate_relationship(NULL)', '22004', NULL,
                 'terminate_relationship(NULL): 22004');
SET ROLE regress_operator;
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_c1_office'),
                'R3: an operator may terminate');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'r_c4_office'),
                'R3: regress_multi acting for Office (global_admin) may terminate');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT array_agg(status::text || ':' || ended_by ORDER BY ended_by) FROM multipartner.relationship
            WHERE relationship_id IN (:'r_c1_office', :'r_c4_office', :'r_cc_uma')),
          ARRAY['terminated:regress_multi', 'terminated:regress_office_ga', 'terminated:regress_operator'],
          'ended_by records who terminated');

-------------------------------------------------------------------------------
-- The 90-day request lifetime
-------------------------------------------------------------------------------
SET ROLE regress_operator;
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, requested_at) VALUES
    (:'e1_id', :'fabrikam_id', :'office_id', now() - interval '91 days'),
    (:'e2_id', :'fabrikam_id', :'azure_id', now() - interval '90 days'),
    (:'e3_id', :'c5_id', :'office_id', now() - interval '89 days'),
    (:'e4_id', :'c6_id', :'office_id', now() - interval '91 days'),
    (:'e5_id', :'c6_id', :'azure_id', now() - interval '200 days');
RESET ROLE;
SELECT is((SELECT array_agg(status::text ORDER BY relationship_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'e1_id', :'e2_id', :'e3_id', :'e4_id', :'e5_id')),
          ARRAY['pending', 'pending', 'pending', 'pending', 'pending'],
          'an operator may load pending requests with an old request time');
SELECT is(pg_temp.eff(:'e1_id'), 'expired', 'effective_status(): a 91-day-old request reads as expired');
SELECT is(pg_temp.eff(:'e2_id'), 'expired', 'effective_status(): a request exactly 90 days old reads as expired');
SELECT is(pg_temp.eff(:'e3_id'), 'pending', 'effective_status(): an 89-day-old request reads as pending');
SELECT is(pg_temp.eff(:'e5_id'), 'expired', 'effective_status(): a 200-day-old request reads as expired');
-- Attribute notation finds the function through the search_path only.
SELECT is(pg_temp.eff_attr(:'e1_id'), 'expired',
          'attribute notation r.effective_status works with multipartner on the search_path');
SELECT throws_ok(format('SELECT r.effective_status FROM multipartner.relationship r WHERE r.relationship_id = %L', :'e1_id'),
                 '42703', NULL, '... and not without it (42703)');
SELECT is(pg_temp.eff(:'r_nw'), 'active', 'effective_status() of an active relationship is active');

SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e1_id'), '55000',
                 format('relationship request %s has expired', :'e1_id'),
                 'a 91-day-old request can no longer be accepted (55000)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'e1_id'), '55000', NULL,
                 'nor declined (55000)');
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e2_id'), '55000', NULL,
                 'a request exactly 90 days old has expired (55000)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e1_id'), '55000', NULL,
                 'not even an operator can accept an expired request (55000)');
SELECT lives_ok(format('SELECT multipartner.accept_relationship(%L)', :'e3_id'),
                'an 89-day-old request can still be accepted');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e1_id'), '42704', NULL,
                 'another customer''s stale request does not exist for a customer role (42704, not 55000)');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e4_id'), '42501', NULL,
                 'R3 is checked before expiry: another customer''s global_admin that sees the stale request (BYPASSRLS) gets 42501, not 55000');
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'e3_id'),
          'active'::multipartner.relationship_status, 'the accepted 89-day-old request is active');

-- A new request for a pair whose pending request is stale replaces it.
SET ROLE regress_office_sa;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'c6_id'),
                'a new request succeeds while the pair''s pending request is older than 90 days');
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'e4_id'),
          'expired'::multipartner.relationship_status, 'the stale request is now expired');
SELECT is((SELECT (e.ended_by, e.ended_at = r.requested_at)::text
             FROM multipartner.relationship e, multipartner.relationship r
            WHERE e.relationship_id = :'e4_id' AND r.customer_id = :'c6_id' AND e.customer_id = r.customer_id
              AND r.partner_id = :'office_id' AND r.status = 'pending'),
          '(regress_office_sa,t)',
          'ended_by is the role whose new request expired it, ended_at the time of that request');
SELECT is((SELECT (status, requested_by)::text FROM multipartner.relationship
            WHERE customer_id = :'c6_id' AND partner_id = :'office_id' AND relationship_id <> :'e4_id'),
          '(pending,regress_office_sa)', 'and the new request is pending');

SET ROLE regress_office_ga;
SELECT throws_ok('SELECT multipartner.expire_relationships()', '42501', NULL,
                 'a partner role may not run expire_relationships() (42501)');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok('SELECT multipartner.expire_relationships()', '42501', NULL,
                 'a customer role may not run expire_relationships() (42501)');
SET ROLE regress_operator;
SELECT is(multipartner.expire_relationships(), 3::bigint,
          'expire_relationships() marks the three stale requests and says so');
SELECT is(multipartner.expire_relationships(), 0::bigint, 'a second run finds nothing');
RESET ROLE;
SELECT is((SELECT array_agg(status::text || ':' || ended_by ORDER BY relationship_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'e1_id', :'e2_id', :'e5_id')),
          ARRAY['expired:regress_operator', 'expired:regress_operator', 'expired:regress_operator'],
          'the three are expired, ended_by the operator who ran it');
SELECT is((SELECT count(*)::int FROM multipartner.relationship WHERE status = 'pending'
             AND requested_at <= now() - interval '90 days'), 0, 'no stale pending request is left');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'e1_id'), '55000',
                 format('cannot change relationship %s from expired to active', :'e1_id'),
                 'expired is final (55000)');
SELECT throws_ok(format('SELECT multipartner.terminate_relationship(%L)', :'e1_id'), '55000', NULL,
                 'an expired request cannot be terminated (55000)');
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'fabrikam_id'),
                'after expiry the partner may ask again');
RESET ROLE;

-------------------------------------------------------------------------------
-- A suspended partner starts nothing new
-------------------------------------------------------------------------------
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'gov_id';
SET ROLE regress_gov_ga;
SELECT throws_ok(format('SELECT multipartner.request_relationship(%L)', :'govcust_id'), '55000',
                 format('partner %s is suspended', :'gov_id'),
                 'a suspended partner cannot request a relationship (55000)');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_gov', 'Gov New', 'us_government'),
                 '55000', NULL, 'a suspended partner cannot create a customer (55000)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.customer WHERE tenant_id = :'t_gov'), 0,
          'the refused create_customer() left no customer behind');
UPDATE multipartner.partner SET status = 'active' WHERE partner_id = :'gov_id';
SET ROLE regress_gov_ga;
SELECT lives_ok(format('SELECT multipartner.request_relationship(%L)', :'govcust_id'),
                'reactivated, it may request again');
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_gov', 'Gov New', 'us_government'),
                'and create customers in its own cloud');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
