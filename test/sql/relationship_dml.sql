\i test/setup.psql
-- relationship_dml: the relationship rules through DIRECT DML on
-- multipartner.relationship, as the application roles, an operator and the
-- superuser: the same rules as through the API (R2, R3, R9, R10, the
-- state machine), the start state, immutable columns (MP008) and the record
-- columns only the trigger writes (428C9).
--
-- Row security (SPEC §7): another partner's or customer's relationship
-- matches no row in an application role's UPDATE (nothing changes, no
-- error); R3's own refusal of a foreign party is reached by the BYPASSRLS
-- roles of test/fixtures_bypass.psql.
--
-- A customer that existed before the transaction cannot be made inside the
-- test transaction, so one is committed here first and deleted at the end
-- (nothing else refers to it by then: every relationship is rolled back).
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") there is no test transaction: every fixture is committed, these
-- two like the rest, and the file's database goes at its end.
\set old_id     '33333333-3333-4333-8333-0000000000b1'
\set old_tenant '44444444-4444-4444-8444-0000000000b1'
\set old2_id     '33333333-3333-4333-8333-0000000000b2'
\set old2_tenant '44444444-4444-4444-8444-0000000000b2'
\if :{?mp_citus_rules}
\else
COMMIT;
DELETE FROM multipartner.customer WHERE customer_id IN (:'old_id', :'old2_id');
\endif
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'old_id', :'old_tenant', 'Committed Customer', 'commercial'),
    (:'old2_id', :'old2_tenant', 'Committed Customer 2', 'commercial');
\if :{?mp_citus_rules}
\else
BEGIN;
\endif
\i test/fixtures.psql
\i test/fixtures_bypass.psql

SELECT plan(133);

-- Relationships with fixed ids, created below.
\set rp1 '77777777-7777-4777-8777-000000000001'
\set rp2 '77777777-7777-4777-8777-000000000002'
\set rp3 '77777777-7777-4777-8777-000000000003'
\set ra1 '77777777-7777-4777-8777-000000000011'
\set ra2 '77777777-7777-4777-8777-000000000012'
\set rold '77777777-7777-4777-8777-000000000021'
\set rhist '77777777-7777-4777-8777-000000000031'
\set c1_id '33333333-3333-4333-8333-0000000000a1'
\set c2_id '33333333-3333-4333-8333-0000000000a2'
\set c3_id '33333333-3333-4333-8333-0000000000a3'
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'c1_id', '44444444-4444-4444-8444-0000000000a1', 'Adatum', 'commercial'),
    (:'c2_id', '44444444-4444-4444-8444-0000000000a2', 'Litware', 'commercial'),
    (:'c3_id', '44444444-4444-4444-8444-0000000000a3', 'Tailspin', 'commercial');
\i test/fixtures_done.psql
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") Citus itself refuses some statements below before any trigger of
-- the extension sees them, with its own SQLSTATE: an INSERT with a NULL
-- customer_id, the distribution column (22004 "cannot perform an INSERT with
-- NULL in the partition column"; 23502 on one node), and an UPDATE of
-- customer_id (0A000 "modifying the partition value of rows is not
-- allowed"; MP008 on one node).  Still refused, nothing written.  A stamp is
-- the statement time of the node that writes the row (the worker), a little
-- later than the coordinator's statement_timestamp(), so a partner that names
-- requested_at = statement_timestamp() (the coordinator evaluates it) is
-- refused 428C9 there, and the file inserts that row without it.
\set want_null_customer 23502
\set want_customer_update MP008
\set want_customer_update_msg 'cannot change column "customer_id" of relationship ' :ra1
\if :{?mp_citus_rules}
\set want_null_customer 22004
\set want_customer_update 0A000
\set want_customer_update_msg 'modifying the partition value of rows is not allowed'
\endif

-------------------------------------------------------------------------------
-- INSERT as a partner: pending, for the acting partner, by an R2 role
-------------------------------------------------------------------------------
-- A stamp is judged against the statement time of a statement before the
-- writing one (later than now(), the transaction's start, on one node) and of
-- the asserting one: both hold on one node and on Citus, where every
-- statement is its own transaction and the worker stamps the row.
SELECT statement_timestamp() AS t_rp1 \gset
SET ROLE regress_office_sa;
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id) VALUES (%L, %L, %L)',
                       :'rp1', :'contoso_id', :'office_id'),
                'a sales_agent inserts a pending relationship for its own partner');
RESET ROLE;
SELECT is((SELECT (status, delegated_admin, requested_by)::text FROM multipartner.relationship
            WHERE relationship_id = :'rp1'),
          '(pending,t,regress_office_sa)', 'pending, delegated admin by default, requested_by the inserting role');
SELECT ok((SELECT requested_at > :'t_rp1' AND requested_at < statement_timestamp()
                  AND decided_by IS NULL AND decided_at IS NULL
             FROM multipartner.relationship WHERE relationship_id = :'rp1'),
          'requested at the time of the inserting statement (not the transaction''s start), nothing decided');

SET ROLE regress_azure_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, requested_by) VALUES (%L, %L, %L)',
                        :'rp2', :'contoso_id', 'regress_office_ga'),
                 '428C9', NULL, 'a partner cannot write another role into requested_by (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, requested_at) VALUES (%L, %L, %L)',
                        :'rp2', :'contoso_id', '2000-01-01 00:00:00+00'),
                 '428C9', NULL, 'a partner cannot backdate requested_at (428C9)');
SELECT statement_timestamp() AS t_rp2 \gset
\if :{?mp_citus_rules}
SELECT throws_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, requested_by, requested_at) VALUES (%L, %L, current_user, statement_timestamp())',
                        :'rp2', :'contoso_id'),
                 '428C9', 'column "requested_at" must be the time of the request',
                 'partner_id omitted, requested_by and requested_at given their true values');
INSERT INTO multipartner.relationship (relationship_id, customer_id, requested_by) VALUES (:'rp2', :'contoso_id', current_user);
\else
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, requested_by, requested_at) VALUES (%L, %L, current_user, statement_timestamp())',
                       :'rp2', :'contoso_id'),
                'partner_id omitted, requested_by and requested_at given their true values');
\endif
RESET ROLE;
SELECT is((SELECT partner_id FROM multipartner.relationship WHERE relationship_id = :'rp2'), :'azure_id'::uuid,
          'an omitted partner_id defaults to the acting partner');
SELECT is((SELECT (requested_by, requested_at > :'t_rp2' AND requested_at < statement_timestamp())::text
             FROM multipartner.relationship WHERE relationship_id = :'rp2'),
          '(regress_azure_sa,t)', 'requested_by and requested_at are the requesting role and its statement''s time');
SET ROLE regress_azure_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, requested_at) VALUES (%L, now())', :'fabrikam_id'),
                 '428C9', 'column "requested_at" must be the time of the request',
                 'a partner cannot pin requested_at to the transaction''s start (428C9)');
RESET ROLE;

SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)',
                        :'fabrikam_id', :'azure_id'), '42501',
                 'permission denied to request a relationship for partner ' || :'azure_id',
                 'a partner cannot insert a relationship for another partner (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'fabrikam_id'), '42501',
                 'permission denied to request a relationship for partner ' || :'office_id',
                 'R2: a helpdesk_agent cannot insert a relationship (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'fabrikam_id'), '42501', NULL,
                 'R2: a billing_admin cannot insert a relationship (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)',
                        :'contoso_id', :'office_id'), '42501', NULL,
                 'a customer role has no INSERT privilege (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'fabrikam_id'), '42501',
                 'role "regress_papp_nomember" does not act for any partner',
                 'a partner-app role of no partner cannot insert (42501)');
SET ROLE regress_multi;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'c3_id'), '42501', NULL,
                 'a member of two partners without the setting cannot insert (42501)');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'c3_id'),
                'with the setting it inserts for the partner it picked');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT partner_id FROM multipartner.relationship WHERE customer_id = :'c3_id'), :'office_id'::uuid,
          '... Office');

SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'contoso_id'), '23505',
                 format('customer %s already has a pending relationship request from partner %s', :'contoso_id', :'office_id'),
                 'a second pending relationship for the pair is refused (23505)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)', :'fabrikam_id', 'declined'),
                 '23514', 'a new relationship must be pending or active, not "declined"',
                 'a partner cannot insert a declined relationship (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)', :'fabrikam_id', 'terminated'),
                 '23514', NULL, 'a partner cannot insert a terminated relationship (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES (%L, %L, NULL)', :'fabrikam_id', :'office_id'),
                 '23502', NULL, 'status NULL: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (NULL, %L)', :'office_id'),
                 :'want_null_customer', NULL, 'customer_id NULL: 23502');
-- Without partner_id the trigger returns at the NULL before it fills
-- partner_id in, and the row security WITH CHECK (partner_id = the acting
-- partner), which PostgreSQL checks before NOT NULL, refuses the row first.
SELECT is(pg_temp.error_of(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, NULL)', :'fabrikam_id')),
          '23502', 'status NULL, partner_id left out: 23502');
SELECT is(pg_temp.error_of('INSERT INTO multipartner.relationship (customer_id) VALUES (NULL)'),
          :'want_null_customer', 'customer_id NULL, partner_id left out: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'unknown_id'),
                 '23503', NULL, 'an unknown customer: 23503');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, decided_by) VALUES (%L, %L)',
                        :'fabrikam_id', 'regress_contoso_ga'),
                 '428C9', 'column "decided_by" can only be set by a status change',
                 'a partner cannot supply decided_by (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, ended_at) VALUES (%L, now())', :'fabrikam_id'),
                 '428C9', NULL, 'a partner cannot supply ended_at (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'govcust_id'),
                 'MP006', NULL, 'R9: a commercial partner cannot insert a relationship with a us_government customer (MP006)');
RESET ROLE;

-------------------------------------------------------------------------------
-- INSERT ... status active: only for a customer this transaction created,
-- before anybody has a relationship with it (what create_customer() does)
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)', :'old_id', 'active'),
                 '42501', 'permission denied to create an active relationship with customer ' || :'old_id',
                 'a partner cannot insert an active relationship with a customer that existed before (42501)');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'old_id'),
                '... but may ask it (pending)');
-- (its customer id is its tenant id, the form that works on Citus too; on
-- Citus the two statements are one transaction of their own)
SELECT statement_timestamp() AS t_direct \gset
\if :{?mp_citus_rules}
BEGIN;
\endif
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                       '33333333-3333-4333-8333-0000000000c1', '33333333-3333-4333-8333-0000000000c1',
                       'Direct Customer', 'commercial'),
                'a sales_agent inserts a customer directly');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)',
                       '33333333-3333-4333-8333-0000000000c1', 'active'),
                '... and an active relationship with it in the same transaction');
\if :{?mp_citus_rules}
COMMIT;
\endif
RESET ROLE;
SELECT is((SELECT (status, requested_by, decided_by, decided_at = requested_at AND decided_at > :'t_direct')::text FROM multipartner.relationship
            WHERE customer_id = '33333333-3333-4333-8333-0000000000c1'),
          '(active,regress_office_sa,regress_office_sa,t)', 'active, requested and decided by the creating role');
SET ROLE regress_azure_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)',
                        '33333333-3333-4333-8333-0000000000c1', 'active'),
                 '42501', NULL,
                 'once the customer has a relationship, no other partner starts active with it (42501)');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)',
                       '33333333-3333-4333-8333-0000000000c1'),
                '... it may ask (pending)');
-- Only the partner that created the customer, in this transaction, starts
-- active: a customer the superuser inserted in this transaction does not count.
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)', :'c2_id', 'active'),
                 '42501', NULL,
                 'a customer created in this transaction by somebody else: no active start (42501)');
RESET ROLE;

-- The xmin of the customer row stands for "created by this transaction": an
-- UPDATE of an old customer in this transaction makes it look new.
UPDATE multipartner.customer SET name = 'Committed Customer 2 (renamed)' WHERE customer_id = :'old2_id';
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L)', :'old2_id', 'active'),
                 '42501', NULL,
                 'a customer that existed before, renamed in this transaction, is no new customer: active insert refused');
RESET ROLE;

-------------------------------------------------------------------------------
-- INSERT as an operator: any partner, active allowed, history may be loaded
-------------------------------------------------------------------------------
SET ROLE regress_operator;
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status) VALUES (%L, %L, %L, %L)',
                       :'ra1', :'fabrikam_id', :'office_id', 'active'),
                'an operator inserts an active relationship');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status) VALUES (%L, %L, %L, %L)',
                       :'ra2', :'fabrikam_id', :'azure_id', 'active'),
                'an operator inserts a second partner''s active relationship (R1)');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_by, requested_at, decided_by, decided_at)'
                       ' VALUES (%L, %L, %L, %L, %L, %L, %L, %L)',
                       :'rhist', :'c1_id', :'azure_id', 'active', 'regress_azure_ga', '2020-01-01 00:00:00+00',
                       'regress_fabrikam_ga', '2020-01-02 00:00:00+00'),
                'an operator may load a historical relationship with its record columns');
RESET ROLE;
SELECT is((SELECT (status, requested_by, decided_by)::text FROM multipartner.relationship WHERE relationship_id = :'ra1'),
          '(active,regress_operator,regress_operator)', 'requested_by and decided_by default to the operator');
-- (compared as values: on Citus the row's text would be the worker's, in its
-- DateStyle)
SELECT ok((SELECT (requested_by, requested_at, decided_by, decided_at)
                  = ('regress_azure_ga'::name, '2020-01-01 00:00:00+00'::timestamptz,
                     'regress_fabrikam_ga'::name, '2020-01-02 00:00:00+00'::timestamptz)
             FROM multipartner.relationship WHERE relationship_id = :'rhist'),
          'the loaded history is kept as given');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'fabrikam_id', :'office_id'),
                 '23505', NULL, 'an operator cannot add a second open relationship for a pair either (23505)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES (%L, %L, %L)',
                        :'c2_id', :'office_id', 'expired'),
                 '23514', NULL, 'an operator cannot insert an expired relationship (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'c2_id'),
                 '23502', NULL, 'an operator must name the partner (23502)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'c2_id', :'unknown_id'),
                 '23503', NULL, 'an unknown partner: 23503');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'govcust_id', :'office_id'),
                 'MP006', format('partner %s and customer %s are in different clouds', :'office_id', :'govcust_id'),
                 'R9: an operator cannot relate a commercial partner to a us_government customer (MP006)');
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES (%L, %L, %L)',
                        :'contoso_id', :'gov_id', 'active'),
                 'MP006', NULL, 'R9: nor a us_government partner to a commercial customer (MP006)');
RESET ROLE;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'contoso_id', :'gov_id'),
                 'MP006', NULL, 'R9 holds for the superuser too (MP006)');
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'gov_id';
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'govcust_id', :'gov_id'),
                 '55000', NULL, 'a suspended partner gets no new relationship, not even from an operator (55000)');
RESET ROLE;
UPDATE multipartner.partner SET status = 'active' WHERE partner_id = :'gov_id';
SET ROLE regress_gov_ga;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'contoso_id'),
                 'MP006', NULL, 'R9: a us_government partner cannot insert a relationship with a commercial customer (MP006)');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'govcust_id'),
                'it may with its own cloud''s customer');
RESET ROLE;

-------------------------------------------------------------------------------
-- UPDATE status: accept / decline (R3)
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                 '42501', 'permission denied to accept relationship ' || :'rp1',
                 'R3: UPDATE to active by the customer''s reader is refused (42501)');
SET ROLE regress_contoso_ba;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'declined', :'rp1'),
                 '42501', 'permission denied to decline relationship ' || :'rp1',
                 'R3: UPDATE to declined by the customer''s billing_admin is refused (42501)');
SET ROLE regress_fabrikam_ga;
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1')),
          0::bigint, 'another customer''s global_admin cannot see the request: its UPDATE to active matches no row');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                 '42501', NULL, 'R3: UPDATE to active by another customer''s global_admin that sees it (BYPASSRLS) is refused (42501)');
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'rp1'),
          'pending'::multipartner.relationship_status, '... the request is still pending');
SET ROLE regress_office_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                 '42501', NULL, 'R3: the requesting partner''s global_admin cannot accept by UPDATE (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'declined', :'rp1'),
                 '42501', NULL, 'R3: the requesting sales_agent cannot withdraw it by declining (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L, decided_by = %L WHERE relationship_id = %L',
                        'active', 'regress_contoso_reader', :'rp1'),
                 '428C9', NULL, 'the customer''s global_admin cannot name somebody else as decided_by (428C9)');
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                'R3: the customer''s global_admin accepts by UPDATE');
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'declined', :'rp2'),
                'R3: the customer''s global_admin declines by UPDATE');
RESET ROLE;
SELECT is((SELECT array_agg((status, decided_by, decided_at > requested_at AND decided_at < statement_timestamp())::text ORDER BY relationship_id)
             FROM multipartner.relationship WHERE relationship_id IN (:'rp1', :'rp2')),
          ARRAY['(active,regress_contoso_ga,t)', '(declined,regress_contoso_ga,t)'],
          'the trigger records decided_by and decided_at');

-- The state machine
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'pending', :'rp1'),
                 '55000', format('cannot change relationship %s from active to pending', :'rp1'),
                 'active -> pending is refused (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'declined', :'rp1'),
                 '55000', NULL, 'active -> declined is refused (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'expired', :'rp1'),
                 '55000', NULL, 'active -> expired is refused (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp2'),
                 '55000', NULL, 'declined -> active is refused (55000)');
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                'active -> active changes nothing and succeeds');
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'pending', :'rp2'),
                 '55000', NULL, 'declined -> pending is refused, for an operator too (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp2'),
                 '55000', NULL, 'declined -> terminated is refused (55000)');
RESET ROLE;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp2'),
                 '55000', NULL, 'declined -> active is refused for the superuser too (55000)');

-- pending -> terminated, and pending -> expired before its time
SET ROLE regress_office_ga;
SELECT lives_ok(format('INSERT INTO multipartner.relationship (relationship_id, customer_id) VALUES (%L, %L)', :'rp3', :'c1_id'),
                'a pending request for the next checks');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp3'),
                 '55000', format('cannot change relationship %s from pending to terminated', :'rp3'),
                 'pending -> terminated is refused (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp3'),
                 '55000', 'cannot revoke delegated admin rights of relationship ' || :'rp3',
                 'revoking delegated admin of a pending request is refused (55000)');
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'expired', :'rp3'),
                 '55000', format('relationship request %s has not expired', :'rp3'),
                 'a fresh request cannot be marked expired, even by an operator (55000)');
RESET ROLE;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'expired', :'rp3'),
                 '55000', NULL, '... nor by the superuser (55000)');

-- A stale request may be marked expired, by anyone who may UPDATE.
SET ROLE regress_operator;
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, requested_at)
VALUES (:'rold', :'c2_id', :'office_id', now() - interval '100 days');
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rold')),
          0::bigint, 'a stale request of another customer matches no row of a customer role''s UPDATE');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rold'),
                 '42501', NULL, 'a stale request: accepting is still checked by R3 first (42501, BYPASSRLS foreign customer)');
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rold'),
                 '55000', format('relationship request %s has expired', :'rold'),
                 'a stale request cannot be accepted by UPDATE (55000)');
SELECT statement_timestamp() AS t_rold \gset
SET ROLE regress_office_sa;
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'expired', :'rold'),
                'a stale request is marked expired by UPDATE');
RESET ROLE;
SELECT is((SELECT (status, ended_by, ended_at > :'t_rold' AND ended_at < statement_timestamp())::text FROM multipartner.relationship WHERE relationship_id = :'rold'),
          '(expired,regress_office_sa,t)', 'expired, with ended_by and ended_at recorded');

-------------------------------------------------------------------------------
-- UPDATE delegated_admin: revoke (R3), and no granting back but by an operator
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp1'),
                 '42501', NULL, 'R3: the customer''s reader cannot revoke by UPDATE (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp1'),
                 '42501', NULL, 'R3: the partner''s sales_agent cannot revoke by UPDATE (42501)');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp1')),
          0::bigint, 'another partner''s global_admin cannot see the relationship: its revoking UPDATE matches no row');
SET ROLE regress_bypass;
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp1'),
                 '42501', NULL, 'R3: another partner''s global_admin that sees it (BYPASSRLS) cannot revoke by UPDATE (42501)');
RESET ROLE;
SELECT is((SELECT delegated_admin FROM multipartner.relationship WHERE relationship_id = :'rp1'), true,
          '... delegated admin is still granted');
SET ROLE regress_contoso_ga;
SELECT lives_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rp1'),
                'R3: the customer''s global_admin revokes by UPDATE');
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = true WHERE relationship_id = %L', :'rp1'),
                 '42501', 'permission denied to grant delegated admin rights on relationship ' || :'rp1',
                 'the customer''s global_admin cannot grant delegated admin back (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = true WHERE relationship_id = %L', :'rp1'),
                 '42501', NULL, 'the partner''s global_admin cannot grant it back (42501)');
SELECT lives_ok(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'ra1'),
                'R3: the partner''s global_admin revokes by UPDATE');
SET ROLE regress_operator;
SELECT lives_ok(format('UPDATE multipartner.relationship SET delegated_admin = true WHERE relationship_id = %L', :'rp1'),
                'an operator may grant delegated admin back');
RESET ROLE;
SELECT is((SELECT array_agg((status, delegated_admin)::text ORDER BY relationship_id) FROM multipartner.relationship
            WHERE relationship_id IN (:'rp1', :'ra1')),
          ARRAY['(active,t)', '(active,f)'], 'rp1 has delegated admin again, ra1 not; both still active');

-------------------------------------------------------------------------------
-- UPDATE status: terminate (R3)
-------------------------------------------------------------------------------
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1'),
                 '42501', 'permission denied to terminate relationship ' || :'rp1',
                 'R3: the customer''s global_admin cannot terminate by UPDATE (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1'),
                 '42501', NULL, 'R3: the partner''s sales_agent cannot terminate by UPDATE (42501)');
SET ROLE regress_office_uma;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1'),
                 '42501', NULL, 'R3: the partner''s user_management_admin cannot terminate by UPDATE (42501)');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1')),
          0::bigint, 'another partner''s global_admin cannot see the relationship: its terminating UPDATE matches no row');
SET ROLE regress_bypass;
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1'),
                 '42501', NULL, 'R3: another partner''s global_admin that sees it (BYPASSRLS) cannot terminate by UPDATE (42501)');
RESET ROLE;
SELECT is((SELECT status FROM multipartner.relationship WHERE relationship_id = :'rp1'),
          'active'::multipartner.relationship_status, '... the relationship is still active');
SET ROLE regress_office_ga;
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L, delegated_admin = false WHERE relationship_id = %L',
                       'terminated', :'rp1'),
                'R3: the partner''s global_admin terminates and revokes in one UPDATE');
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'rp1'),
                'terminating it again changes nothing');
SET ROLE regress_operator;
SELECT lives_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'terminated', :'ra2'),
                'R3: an operator terminates by UPDATE');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                 '55000', format('cannot change relationship %s from terminated to active', :'rp1'),
                 'terminated -> active is refused (55000)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'pending', :'ra2'),
                 '55000', NULL, 'terminated -> pending is refused (55000)');
RESET ROLE;
SELECT is((SELECT array_agg((status, ended_by, ended_at > decided_at AND ended_at < statement_timestamp())::text ORDER BY relationship_id)
             FROM multipartner.relationship WHERE relationship_id IN (:'rp1', :'ra2')),
          ARRAY['(terminated,regress_office_ga,t)', '(terminated,regress_operator,t)'],
          'the trigger records ended_by and ended_at');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = %L WHERE relationship_id = %L', 'active', :'rp1'),
                 '55000', NULL, 'terminated is final for the superuser too (55000)');

-------------------------------------------------------------------------------
-- Immutable columns (MP008) and the record columns (428C9), whoever writes
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET customer_id = %L WHERE relationship_id = %L', :'c3_id', :'ra1'),
                 :'want_customer_update', :'want_customer_update_msg',
                 'a partner cannot move a relationship to another customer (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET partner_id = %L WHERE relationship_id = %L', :'azure_id', :'ra1'),
                 'MP008', NULL, 'a partner cannot give a relationship to another partner (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET requested_at = now() - interval %L WHERE relationship_id = %L',
                        '1 day', :'rp3'),
                 'MP008', NULL, 'a partner cannot change requested_at (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET requested_by = %L WHERE relationship_id = %L', 'regress_office_sa', :'rp3'),
                 'MP008', NULL, 'a partner cannot change requested_by (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET decided_by = %L WHERE relationship_id = %L', 'regress_office_ga', :'ra1'),
                 '428C9', NULL, 'a partner cannot set decided_by (428C9)');
SELECT lives_ok(format('UPDATE multipartner.relationship SET customer_id = customer_id, partner_id = partner_id WHERE relationship_id = %L', :'ra1'),
                'writing the same values is no change');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET relationship_id = %L WHERE relationship_id = %L', :'unknown_id', :'rp2'),
                 'MP008', NULL, 'a customer cannot change relationship_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET decided_at = now() - interval %L WHERE relationship_id = %L', '1 day', :'rp2'),
                 '428C9', NULL, 'a customer cannot set decided_at (428C9)');
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.relationship SET customer_id = %L WHERE relationship_id = %L', :'c3_id', :'ra1'),
                 :'want_customer_update', NULL, 'an operator cannot change customer_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET partner_id = %L WHERE relationship_id = %L', :'azure_id', :'ra1'),
                 'MP008', NULL, 'an operator cannot change partner_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET requested_at = %L WHERE relationship_id = %L',
                        '2020-01-01 00:00:00+00', :'rp3'),
                 'MP008', NULL, 'an operator cannot change requested_at (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET decided_by = %L WHERE relationship_id = %L', 'regress_office_ga', :'ra1'),
                 '428C9', NULL, 'an operator cannot set decided_by (428C9)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET ended_at = NULL WHERE relationship_id = %L', :'ra2'),
                 '428C9', 'column "ended_at" can only be set by a status change',
                 'an operator cannot clear ended_at (428C9)');
RESET ROLE;
SELECT throws_ok(format('UPDATE multipartner.relationship SET customer_id = %L WHERE relationship_id = %L', :'c3_id', :'ra1'),
                 :'want_customer_update', NULL, 'the superuser cannot change customer_id (MP008)');
-- (the earlier time as a constant: Citus refuses a stable function with a
-- column reference in an UPDATE, 0A000, before any trigger sees it)
SELECT requested_at - interval '100 days' AS rp3_backdated FROM multipartner.relationship WHERE relationship_id = :'rp3' \gset
SELECT throws_ok(format('UPDATE multipartner.relationship SET requested_at = %L WHERE relationship_id = %L',
                        :'rp3_backdated', :'rp3'),
                 'MP008', NULL, 'the superuser cannot backdate a request (MP008)');
SELECT throws_ok(format('UPDATE multipartner.relationship SET ended_by = %L WHERE relationship_id = %L', 'postgres', :'ra2'),
                 '428C9', NULL, 'the superuser cannot set ended_by (428C9)');

-- NOT NULL columns on UPDATE
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.relationship SET delegated_admin = NULL WHERE relationship_id = %L', :'rp2'),
                 '23502', NULL, 'UPDATE ... SET delegated_admin = NULL: 23502');
SELECT throws_ok(format('UPDATE multipartner.relationship SET status = NULL WHERE relationship_id = %L', :'rp2'),
                 '23502', NULL, 'UPDATE ... SET status = NULL: 23502');
RESET ROLE;

-------------------------------------------------------------------------------
-- R10: relationships are never deleted or truncated
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp3'),
                 '42501', NULL, 'R10: a partner has no DELETE privilege on relationships (42501)');
SELECT throws_ok('TRUNCATE multipartner.relationship', '42501', NULL, 'a partner has no TRUNCATE privilege (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp2'),
                 '42501', NULL, 'R10: a customer has no DELETE privilege on relationships (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp3'),
                 'MP007', NULL, 'R10: an operator cannot DELETE a relationship (MP007)');
SELECT throws_ok('TRUNCATE multipartner.relationship', 'MP007', NULL, 'R10: an operator cannot TRUNCATE relationship (MP007)');
RESET ROLE;
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp3'),
                 'MP007', 'cannot delete from table "relationship"', 'the superuser cannot DELETE a relationship (MP007)');
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp1'),
                 'MP007', NULL, '... not even a terminated one (MP007)');
SELECT throws_ok('TRUNCATE multipartner.relationship', 'MP007', 'cannot truncate table "relationship"',
                 'the superuser cannot TRUNCATE relationship (MP007)');
-- (on Citus in a transaction of its own, the setting carried to the workers,
-- where the triggers run: Citus carries a SET LOCAL, but forgets one made in
-- a subtransaction when that ends, so psql's savepoint per statement is off)
\if :{?mp_citus_rules}
\set ON_ERROR_ROLLBACK off
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
\endif
SET LOCAL session_replication_role = replica;
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rp3'),
                 'MP007', NULL, 'session_replication_role = replica changes nothing (MP007)');
SET LOCAL session_replication_role = origin;
\if :{?mp_citus_rules}
COMMIT;
\set ON_ERROR_ROLLBACK 1
\endif
SELECT is((SELECT count(*)::int FROM multipartner.relationship WHERE relationship_id IN (:'rp1', :'rp2', :'rp3', :'ra1', :'ra2')),
          5, 'all five relationships are still there');

SELECT * FROM finish();
\i test/teardown.psql

-- The committed customers go again (nothing refers to them any more; in the
-- Citus mode they went with the file's database).
\if :{?mp_citus_rules}
\else
DELETE FROM multipartner.customer WHERE customer_id IN (:'old_id', :'old2_id');
\endif
