-- audit_log: one audit row per written row of partner, customer,
-- partner_member, customer_member, relationship and subscription, with the
-- right operation, table, row id, old and new row, actor, session actor,
-- acting partner and transaction; nothing for a refused write; the log
-- itself append-only for everyone; app roles read the rows about their
-- partner or customers and the rows they wrote (SPEC §7), nothing else.
--
-- Pattern: as the superuser, remember in :ev the audit rows there are
-- (pg_temp.audit_since(), test/setup.psql), write as some role, RESET ROLE,
-- then compare every row written since (WHERE :ev) with what is expected
-- (results_eq also proves there is exactly one row).
--
-- On distributed tables (the Citus mode of the rule suites, README "The rule
-- suites on distributed tables") the same assertions hold, with the audit
-- row's session and transaction compared through public.audit_session() and
-- public.audit_txid() (below), and these sections in a form of their own: the
-- DDL that one node undoes with ROLLBACK TO SAVEPOINT is undone by DDL, the
-- DDL of the extension's enum type runs on every node, the DBA's trigger
-- writes to a table of each node's own, and the extension is dropped and
-- created the way of a distributed install, then distributed again.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/fixtures_bypass.psql

\set p_new        '11111111-1111-4111-8111-0000000000a1'
\set p_new_csp    '22222222-2222-4222-8222-0000000000a1'
-- a customer's id is its tenant id (the form that works on Citus, README)
\set c_new        '44444444-4444-4444-8444-0000000000a1'
\set c_new_tenant '44444444-4444-4444-8444-0000000000a1'
\set c_api_tenant '44444444-4444-4444-8444-0000000000a2'
\set rel_stale    '55555555-5555-4555-8555-0000000000a1'
\i test/fixtures_done.psql

-- Two columns of an audit row are another node's on distributed tables
-- (README "Running on Citus", "The rule suites on distributed tables"): the
-- row is written on the worker of its shard, whose session is the connection
-- Citus opened as the writing statement's current_user, and whose transaction
-- is that worker's.  The assertions below compare them through these three
-- functions (in public: Citus sends them to the workers with the audit rows'
-- query), which on one node change nothing.
--   audit_session(session_actor, actor): the session the row names, as this
--     file expects it, the checking session's session_user.  On one node the
--     row's session_actor; on distributed tables the checking session's
--     session_user when the row's session_actor is its actor, else text
--     that no session_user is.
--   audit_txid(txid) = audit_this_txid(): the row is of this transaction.  On
--     one node its txid is this transaction's txid_current(); on distributed
--     tables every statement is a transaction of its own, and a row's txid
--     must be a transaction committed on the node that holds the row
--     (txid_status() there, below that node's xmax), for which audit_txid()
--     gives 0 (the fixtures' rows, written on the coordinator before
--     distribute() moved them, carry the coordinator's ids); audit_since()
--     (test/setup.psql) keeps only rows whose txid is no older than their
--     node's transactions at the mark.
\if :{?mp_citus_rules}
-- (the coordinator's transaction ids are put 10,000 ahead of the workers'
-- first, so that a row with the coordinator's txid instead of its node's is
-- not a transaction committed there: past that node's xmax)
CREATE PROCEDURE pg_temp.burn_xids(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        PERFORM pg_catalog.txid_current();
        COMMIT;
    END LOOP;
END
$$;
CALL pg_temp.burn_xids(10000);
CREATE FUNCTION public.audit_session(session_actor name, actor name) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN session_actor = actor THEN session_user::text
                ELSE 'not the statement''s role: ' || session_actor::text END
$$;
CREATE FUNCTION public.audit_txid(txid bigint) RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN txid >= pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot()) THEN txid
                WHEN pg_catalog.txid_status(txid) = 'committed' THEN 0 ELSE txid END
$$;
CREATE FUNCTION public.audit_this_txid() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT 0::bigint $$;
\else
CREATE FUNCTION public.audit_session(session_actor name, actor name) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT session_actor::text $$;
CREATE FUNCTION public.audit_txid(txid bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT txid $$;
CREATE FUNCTION public.audit_this_txid() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT txid_current() $$;
\endif

SELECT plan(98);

-------------------------------------------------------------------------------
-- partner: written by an operator
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES (:'p_new', 'Litware', 'commercial', :'p_new_csp');
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'INSERT', 'partner', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(p)
             FROM multipartner.partner p WHERE partner_id = %L$$, :'p_new', :'p_new'),
    'audit: INSERT partner by an operator');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(p) AS old_json FROM multipartner.partner p WHERE partner_id = :'p_new' \gset
SET ROLE regress_operator;
UPDATE multipartner.partner SET name = 'Litware Inc.', status = 'suspended' WHERE partner_id = :'p_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'UPDATE', 'partner', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), %L::jsonb, to_jsonb(p)
             FROM multipartner.partner p WHERE partner_id = %L$$, :'p_new', :'old_json', :'p_new'),
    'audit: UPDATE partner by an operator, old and new row');
SELECT is(:'old_json'::jsonb ->> 'name', 'Litware', 'audit: the old row of the UPDATE has the old name');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(p) AS old_json FROM multipartner.partner p WHERE partner_id = :'p_new' \gset
SET ROLE regress_operator;
DELETE FROM multipartner.partner WHERE partner_id = :'p_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('DELETE', 'partner', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), %L::jsonb, NULL::jsonb)$$,
           :'p_new', :'old_json'),
    'audit: DELETE partner by an operator, old row only');

-------------------------------------------------------------------------------
-- customer: created by a partner through the API, and by an operator
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_ga;
SELECT multipartner.create_customer(:'c_api_tenant', 'Tailspin', 'commercial') AS c_api \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s ORDER BY event_id$$, :'ev'),
    format($$SELECT 'INSERT', 'customer', %L, 'regress_office_ga', session_user::text COLLATE "default", %L::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(c)
               FROM multipartner.customer c WHERE customer_id = %L
             UNION ALL
             SELECT 'INSERT', 'relationship', r.relationship_id::text, 'regress_office_ga', session_user::text COLLATE "default", %L::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(r)
               FROM multipartner.relationship r WHERE customer_id = %L$$,
           :'c_api', :'office_id', :'c_api', :'office_id', :'c_api'),
    'audit: create_customer by a partner writes the customer INSERT then the relationship INSERT, acting partner Office');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'c_new', :'c_new_tenant', 'Wide World', 'commercial');
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'INSERT', 'customer', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(c)
             FROM multipartner.customer c WHERE customer_id = %L$$, :'c_new', :'c_new'),
    'audit: INSERT customer by an operator');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(c) AS old_json FROM multipartner.customer c WHERE customer_id = :'c_new' \gset
SET ROLE regress_operator;
UPDATE multipartner.customer SET name = 'Wide World Importers' WHERE customer_id = :'c_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'UPDATE', 'customer', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), %L::jsonb, to_jsonb(c)
             FROM multipartner.customer c WHERE customer_id = %L$$, :'c_new', :'old_json', :'c_new'),
    'audit: UPDATE customer by an operator');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(c) AS old_json FROM multipartner.customer c WHERE customer_id = :'c_new' \gset
SET ROLE regress_operator;
DELETE FROM multipartner.customer WHERE customer_id = :'c_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('DELETE', 'customer', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), %L::jsonb, NULL::jsonb)$$,
           :'c_new', :'old_json'),
    'audit: DELETE customer by an operator');

-------------------------------------------------------------------------------
-- partner_member and customer_member: row_id is "member,partner_id,role"
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
INSERT INTO multipartner.partner_member (member, partner_id, role)
VALUES ('regress_papp_nomember', :'azure_id', 'sales_agent');
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'INSERT', 'partner_member', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(m)
             FROM multipartner.partner_member m WHERE member = 'regress_papp_nomember'::regrole$$,
           'regress_papp_nomember,' || :'azure_id' || ',sales_agent'),
    'audit: INSERT partner_member, row_id member,partner_id,role');
SELECT is((SELECT new_row FROM multipartner.audit_log WHERE :ev),
    jsonb_build_object('member', 'regress_papp_nomember', 'partner_id', :'azure_id', 'role', 'sales_agent'),
    'audit: the new row of a membership names the member role by name');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.partner_member SET role = 'helpdesk_agent' WHERE member = 'regress_papp_nomember'::regrole;
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', 'partner_member', %L, 'regress_operator', NULL::uuid, public.audit_this_txid(),
                     jsonb_build_object('member', 'regress_papp_nomember', 'partner_id', %L, 'role', 'sales_agent'),
                     jsonb_build_object('member', 'regress_papp_nomember', 'partner_id', %L, 'role', 'helpdesk_agent'))$$,
           'regress_papp_nomember,' || :'azure_id' || ',helpdesk_agent', :'azure_id', :'azure_id'),
    'audit: UPDATE partner_member; row_id is the new key, old_row keeps the old role');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
DELETE FROM multipartner.partner_member WHERE member = 'regress_papp_nomember'::regrole;
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('DELETE', 'partner_member', %L, 'regress_operator', NULL::uuid, public.audit_this_txid(),
                     jsonb_build_object('member', 'regress_papp_nomember', 'partner_id', %L, 'role', 'helpdesk_agent'), NULL::jsonb)$$,
           'regress_papp_nomember,' || :'azure_id' || ',helpdesk_agent', :'azure_id'),
    'audit: DELETE partner_member');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_papp_nomember', :'gov_id', 'global_admin'),
    ('regress_papp_nomember', :'gov_id', 'sales_agent'),
    ('regress_papp_nomember', :'gov_id', 'billing_admin');
RESET ROLE;
SELECT set_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('INSERT', 'partner_member', %L), ('INSERT', 'partner_member', %L), ('INSERT', 'partner_member', %L)$$,
           'regress_papp_nomember,' || :'gov_id' || ',global_admin',
           'regress_papp_nomember,' || :'gov_id' || ',sales_agent',
           'regress_papp_nomember,' || :'gov_id' || ',billing_admin'),
    'audit: a three-row INSERT writes three audit rows, one per row');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
INSERT INTO multipartner.customer_member (member, customer_id, role)
VALUES ('regress_nobody', :'fabrikam_id', 'reader');
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('INSERT', 'customer_member', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), NULL::jsonb,
                     jsonb_build_object('member', 'regress_nobody', 'customer_id', %L, 'role', 'reader'))$$,
           'regress_nobody,' || :'fabrikam_id' || ',reader', :'fabrikam_id'),
    'audit: INSERT customer_member, row_id member,customer_id,role');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.customer_member SET role = 'billing_admin' WHERE member = 'regress_nobody'::regrole;
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', 'customer_member', %L, 'regress_operator', NULL::uuid, public.audit_this_txid(),
                     jsonb_build_object('member', 'regress_nobody', 'customer_id', %L, 'role', 'reader'),
                     jsonb_build_object('member', 'regress_nobody', 'customer_id', %L, 'role', 'billing_admin'))$$,
           'regress_nobody,' || :'fabrikam_id' || ',billing_admin', :'fabrikam_id', :'fabrikam_id'),
    'audit: UPDATE customer_member');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
DELETE FROM multipartner.customer_member WHERE member = 'regress_nobody'::regrole;
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('DELETE', 'customer_member', %L, 'regress_operator', NULL::uuid, public.audit_this_txid(),
                     jsonb_build_object('member', 'regress_nobody', 'customer_id', %L, 'role', 'billing_admin'), NULL::jsonb)$$,
           'regress_nobody,' || :'fabrikam_id' || ',billing_admin', :'fabrikam_id'),
    'audit: DELETE customer_member');

-------------------------------------------------------------------------------
-- relationship: a partner requests, the customer accepts, the partner
-- revokes delegated admin, an operator terminates
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_fab \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'INSERT', 'relationship', %L, 'regress_office_ga', session_user::text COLLATE "default", %L::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(r)
             FROM multipartner.relationship r WHERE relationship_id = %L$$, :'rel_fab', :'office_id', :'rel_fab'),
    'audit: INSERT relationship by a partner (request), acting partner Office');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(r) AS old_json FROM multipartner.relationship r WHERE relationship_id = :'rel_fab' \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.accept_relationship(:'rel_fab') AS ignored \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'UPDATE', 'relationship', %L, 'regress_fabrikam_ga', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), %L::jsonb, to_jsonb(r)
             FROM multipartner.relationship r WHERE relationship_id = %L$$, :'rel_fab', :'old_json', :'rel_fab'),
    'audit: UPDATE relationship by the customer (accept), no acting partner');
SELECT results_eq(
    format($$SELECT old_row->>'status', new_row->>'status', new_row->>'decided_by' FROM multipartner.audit_log WHERE %s$$, :'ev'),
    $$VALUES ('pending', 'active', 'regress_fabrikam_ga')$$,
    'audit: the accept row shows pending -> active and who decided');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_ga;
SELECT multipartner.revoke_delegated_admin(:'rel_fab') AS ignored \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), (old_row->>'delegated_admin')::bool, (new_row->>'delegated_admin')::bool
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', 'relationship', %L, 'regress_office_ga', %L::uuid, public.audit_this_txid(), true, false)$$, :'rel_fab', :'office_id'),
    'audit: UPDATE relationship by the partner (revoke delegated admin)');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
SELECT multipartner.terminate_relationship(:'rel_fab') AS ignored \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", acting_partner, public.audit_txid(txid), old_row->>'status', new_row->>'status', new_row->>'ended_by'
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', 'relationship', %L, 'regress_operator', NULL::uuid, public.audit_this_txid(), 'active', 'terminated', 'regress_operator')$$, :'rel_fab'),
    'audit: UPDATE relationship by an operator (terminate)');

-- a stale request that a new request replaces is expired by the trigger
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_at)
VALUES (:'rel_stale', :'fabrikam_id', :'azure_id', 'pending', now() - interval '91 days');
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_azure_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_fab_azure \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, row_id, new_row->>'status' FROM multipartner.audit_log WHERE %s ORDER BY event_id$$, :'ev'),
    format($$VALUES ('UPDATE', %L, 'expired'), ('INSERT', %L, 'pending')$$, :'rel_stale', :'rel_fab_azure'),
    'audit: a request that replaces a stale one writes the expiry and the new request');
SELECT results_eq(
    format($$SELECT actor::text COLLATE "default", acting_partner FROM multipartner.audit_log WHERE %s AND operation = 'UPDATE'$$, :'ev'),
    format($$VALUES ('regress_azure_ga', %L::uuid)$$, :'azure_id'),
    'audit: the expiry caused by Azure''s request is recorded with actor regress_azure_ga, acting partner Azure');
SELECT is((SELECT ended_by::text COLLATE "default" FROM multipartner.relationship WHERE relationship_id = :'rel_stale'),
    'regress_azure_ga', 'relationship: ended_by of the replaced stale request is the requesting role');

-------------------------------------------------------------------------------
-- subscription
-------------------------------------------------------------------------------
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 4, 'P1Y', 'monthly') AS s_new \gset
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'INSERT', 'subscription', %L, 'regress_office_sa', session_user::text COLLATE "default", %L::uuid, public.audit_this_txid(), NULL::jsonb, to_jsonb(s)
             FROM multipartner.subscription s WHERE subscription_id = %L$$, :'s_new', :'office_id', :'s_new'),
    'audit: INSERT subscription by a partner (API), acting partner Office');
SELECT is((SELECT new_row->>'created_by' FROM multipartner.audit_log WHERE :ev),
    'regress_office_sa', 'audit: the new row is the row as the trigger completed it (created_by)');

SELECT pg_temp.audit_since() AS ev \gset
SELECT to_jsonb(s) AS old_json FROM multipartner.subscription s WHERE subscription_id = :'s_new' \gset
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET quantity = 6 WHERE subscription_id = :'s_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, table_name::text COLLATE "default", row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row, new_row
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'UPDATE', 'subscription', %L, 'regress_office_sa', session_user::text COLLATE "default", %L::uuid, public.audit_this_txid(), %L::jsonb, to_jsonb(s)
             FROM multipartner.subscription s WHERE subscription_id = %L$$, :'s_new', :'office_id', :'old_json', :'s_new'),
    'audit: UPDATE subscription by its partner of record');
SELECT results_eq(
    format($$SELECT (old_row->>'quantity')::int, (new_row->>'quantity')::int FROM multipartner.audit_log WHERE %s$$, :'ev'),
    $$VALUES (4, 6)$$, 'audit: old and new quantity');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.subscription SET status = 'suspended' WHERE subscription_id = :'s_new';
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row->>'status', new_row->>'status'
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', %L, 'regress_operator', session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), 'active', 'suspended')$$, :'s_new'),
    'audit: UPDATE subscription by an operator, no acting partner');

SELECT pg_temp.audit_since() AS ev \gset
UPDATE multipartner.subscription SET status = 'active' WHERE subscription_id = :'s_new';
SELECT results_eq(
    format($$SELECT operation, row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner, public.audit_txid(txid), old_row->>'status', new_row->>'status'
             FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('UPDATE', %L, current_user::text COLLATE "default", session_user::text COLLATE "default", NULL::uuid, public.audit_this_txid(), 'suspended', 'active')$$, :'s_new'),
    'audit: UPDATE subscription by the superuser, actor = session actor = the superuser');

SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly') AS s_multi \gset
RESET multipartner.acting_partner;
RESET ROLE;
SELECT results_eq(
    format($$SELECT operation, row_id, actor::text COLLATE "default", public.audit_session(session_actor, actor) COLLATE "default", acting_partner FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$VALUES ('INSERT', %L, 'regress_multi', session_user::text COLLATE "default", %L::uuid)$$, :'s_multi', :'office_id'),
    'audit: a two-partner member''s sale records the partner it chose with multipartner.acting_partner');

SELECT pg_temp.audit_since() AS ev \gset
CREATE TEMP TABLE multi_updated AS
SELECT subscription_id FROM multipartner.subscription WHERE customer_id = :'contoso_id' AND status = 'active';
SET ROLE regress_operator;
UPDATE multipartner.subscription SET auto_renew = false WHERE customer_id = :'contoso_id' AND status = 'active';
RESET ROLE;
SELECT set_eq(
    format($$SELECT row_id, operation, actor::text COLLATE "default" FROM multipartner.audit_log WHERE %s$$, :'ev'),
    $$SELECT subscription_id::text AS row_id, 'UPDATE' AS operation, 'regress_operator' AS actor FROM multi_updated$$,
    'audit: a multi-row UPDATE over two partners'' subscriptions writes one audit row per row');
SELECT cmp_ok((SELECT count(*) FROM multipartner.audit_log WHERE :ev), '>=', 5::bigint,
    'audit: ... and there were several rows');

-- every old_row / new_row carries every column of its table
SELECT is_empty($$
    SELECT a.table_name, k.key
      FROM multipartner.audit_log a, jsonb_object_keys(coalesce(a.new_row, a.old_row)) k(key)
     WHERE public.audit_txid(a.txid) = public.audit_this_txid()
    EXCEPT
    SELECT c.relname, att.attname::text COLLATE "default"
      FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
     WHERE c.relnamespace = 'multipartner'::regnamespace AND att.attnum > 0 AND NOT att.attisdropped$$,
    'audit: the rows carry no key that is not a column of the table');
SELECT is_empty($$
    SELECT a.table_name, att.attname::text COLLATE "default"
      FROM multipartner.audit_log a
      JOIN pg_class c ON c.relname = a.table_name AND c.relnamespace = 'multipartner'::regnamespace
      JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped
     WHERE public.audit_txid(a.txid) = public.audit_this_txid()
       AND NOT (coalesce(a.new_row, a.old_row) ? att.attname::text COLLATE "default")$$,
    'audit: the rows carry every column of their table');
SELECT set_eq($$SELECT DISTINCT table_name::text COLLATE "default" FROM multipartner.audit_log WHERE public.audit_txid(txid) = public.audit_this_txid()$$,
    ARRAY['partner', 'customer', 'partner_member', 'customer_member', 'relationship', 'subscription'],
    'audit: all six tables were audited in this transaction');

-------------------------------------------------------------------------------
-- a refused write leaves no audit row, and neither does a write that
-- matches no row the role can see
-------------------------------------------------------------------------------
SELECT count(*) AS n_before FROM multipartner.audit_log \gset
-- Another partner's subscription does not exist for a partner role (SPEC §7):
-- its UPDATE matches no row and changes nothing.
SET ROLE regress_azure_sa;
SELECT is(pg_temp.rows_of(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office')),
    0::bigint, 'invisible: the other partner''s UPDATE of a subscription matches no row');
-- R5 where the row is visible: the customer, and a BYPASSRLS partner role.
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'refused: the customer updates a subscription');
SET ROLE regress_bypass;
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L$$, :'sub_office'),
    'MP002', NULL, 'refused: the other partner (BYPASSRLS) updates a subscription');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id IN (%L, %L)$$, :'sub_office', :'sub_azure'),
    'MP002', NULL, 'refused: an UPDATE over the rows of two partners');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'),
    '42501', NULL, 'refused: a helpdesk_agent sells');
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_customer(%L, 'Office CSP tenant', 'commercial')$$, :'office_csp'),
    'MP005', NULL, 'refused: create_customer with a partner''s CSP tenant');
RESET ROLE;
SELECT throws_ok(format($$DELETE FROM multipartner.subscription WHERE subscription_id = %L$$, :'sub_office'),
    'MP007', NULL, 'refused: the superuser deletes a subscription');
SELECT throws_ok(format($$DELETE FROM multipartner.relationship WHERE relationship_id = %L$$, :'rel_office_contoso'),
    'MP007', NULL, 'refused: the superuser deletes a relationship');
SELECT throws_ok(format($$UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L$$, :'unknown_id', :'contoso_id'),
    'MP008', NULL, 'refused: the superuser changes a customer''s tenant');
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'n_before'::bigint,
    'audit: the refused and the invisible writes left no audit row');
SELECT results_eq(format($$SELECT subscription_id, quantity FROM multipartner.subscription WHERE subscription_id IN (%L, %L) ORDER BY 1$$, :'sub_office', :'sub_azure'),
    format($$VALUES (%L::uuid, 10), (%L::uuid, 1)$$, :'sub_office', :'sub_azure'),
    'audit: ... and changed nothing');

-------------------------------------------------------------------------------
-- the log is append-only for everyone
-------------------------------------------------------------------------------
SELECT count(*) AS n_before FROM multipartner.audit_log \gset
SELECT throws_ok('UPDATE multipartner.audit_log SET actor = ''nobody''',
    'MP007', NULL, 'audit_log: the superuser cannot UPDATE it');
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    'MP007', NULL, 'audit_log: the superuser cannot DELETE from it');
SELECT throws_ok('TRUNCATE multipartner.audit_log',
    'MP007', NULL, 'audit_log: the superuser cannot TRUNCATE it');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   VALUES ('x', 'x', 'INSERT', 'partner', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: the superuser cannot INSERT into it');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (event_id, actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   OVERRIDING SYSTEM VALUE VALUES (1, 'x', 'x', 'INSERT', 'partner', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: the superuser cannot INSERT into it with OVERRIDING SYSTEM VALUE');
-- (on Citus in a transaction of its own, the setting carried to the workers,
-- where the guards run: Citus carries a SET LOCAL, but forgets one made in a
-- subtransaction when that ends, so psql's savepoint per statement is off;
-- as in relationship_dml)
\if :{?mp_citus_rules}
\set ON_ERROR_ROLLBACK off
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL session_replication_role = replica;
\else
SET session_replication_role = replica;
\endif
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    'MP007', NULL, 'audit_log: no DELETE with session_replication_role = replica');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   VALUES ('x', 'x', 'INSERT', 'partner', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: no INSERT with session_replication_role = replica');
\if :{?mp_citus_rules}
COMMIT;
\set ON_ERROR_ROLLBACK 1
\else
RESET session_replication_role;
\endif
SET ROLE regress_operator;
SELECT throws_ok('UPDATE multipartner.audit_log SET actor = ''nobody''',
    'MP007', NULL, 'audit_log: an operator cannot UPDATE it (MP007)');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   VALUES ('x', 'x', 'INSERT', 'partner', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: an operator cannot INSERT into it');
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    NULL::char(5), NULL, 'audit_log: an operator cannot DELETE from it');
SELECT throws_ok('TRUNCATE multipartner.audit_log',
    NULL::char(5), NULL, 'audit_log: an operator cannot TRUNCATE it');
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    'MP007', NULL, 'audit_log: an operator''s DELETE is refused with MP007');
SELECT throws_ok('TRUNCATE multipartner.audit_log',
    'MP007', NULL, 'audit_log: an operator''s TRUNCATE is refused with MP007');
SET ROLE regress_office_ga;
SELECT throws_ok('UPDATE multipartner.audit_log SET actor = ''nobody''',
    '42501', NULL, 'audit_log: a partner role cannot UPDATE it');
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    '42501', NULL, 'audit_log: a partner role cannot DELETE from it');
SELECT throws_ok('TRUNCATE multipartner.audit_log',
    '42501', NULL, 'audit_log: a partner role cannot TRUNCATE it');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   VALUES ('regress_office_ga', 'regress_office_ga', 'INSERT', 'partner', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: a partner role cannot INSERT into it');
SET ROLE regress_contoso_ga;
SELECT throws_ok('DELETE FROM multipartner.audit_log',
    '42501', NULL, 'audit_log: a customer role cannot DELETE from it');
SELECT throws_ok($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid, audit_key)
                   VALUES ('regress_contoso_ga', 'regress_contoso_ga', 'INSERT', 'customer', 'x', 1, '00000000-0000-4000-8000-000000000000')$$,
    '42501', NULL, 'audit_log: a customer role cannot INSERT into it');
RESET ROLE;
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'n_before'::bigint,
    'audit_log: it has exactly the rows it had');

-------------------------------------------------------------------------------
-- who reads what (SPEC §7): a partner role the rows whose partner_id is its
-- partner and the rows it wrote; a customer role the rows about its
-- customers and the rows it wrote; an operator everything.  Each set is
-- computed by the superuser from the columns and compared row by row.
-------------------------------------------------------------------------------
SELECT count(*) AS n_all FROM multipartner.audit_log \gset
SET ROLE regress_office_sa;
SELECT set_eq('SELECT event_id FROM multipartner.audit_log',
    format($$SELECT event_id FROM multipartner.audit_log WHERE partner_id = %L OR actor = 'regress_office_sa'$$, :'office_id'),
    'visibility: a partner role sees exactly the rows about its partner and the rows it wrote');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE partner_id IS DISTINCT FROM :'office_id' AND actor <> current_user), 0::bigint,
    'visibility: ... and no row about another partner that somebody else wrote');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE partner_id = :'azure_id'), 0::bigint,
    'visibility: ... in particular none about Azure, not even Azure''s subscription of the shared customer');
SET ROLE regress_office_ga;
SELECT cmp_ok((SELECT count(*) FROM multipartner.audit_log WHERE actor = 'regress_office_sa'), '>', 0::bigint,
    'visibility: a partner''s global_admin sees its sales_agent''s rows about the partner');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE partner_id IS NULL AND actor <> current_user), 0::bigint,
    'visibility: ... but no row that concerns no partner (customers, customer members) written by others');
SET ROLE regress_fabrikam_ga;
SELECT set_eq('SELECT event_id FROM multipartner.audit_log',
    format($$SELECT event_id FROM multipartner.audit_log WHERE customer_id = %L OR actor = 'regress_fabrikam_ga'$$, :'fabrikam_id'),
    'visibility: a customer role sees exactly the rows about its customer and the rows it wrote');
SELECT results_eq(format($$SELECT operation, actor::text COLLATE "default" FROM multipartner.audit_log
                             WHERE table_name = 'relationship' AND row_id = %L ORDER BY event_id$$, :'rel_fab'),
    $$VALUES ('INSERT', 'regress_office_ga'), ('UPDATE', 'regress_fabrikam_ga'),
             ('UPDATE', 'regress_office_ga'), ('UPDATE', 'regress_operator')$$,
    'visibility: ... every write of its own relationship, whoever wrote it');
SET ROLE regress_contoso_reader;
SELECT set_eq('SELECT event_id FROM multipartner.audit_log',
    format($$SELECT event_id FROM multipartner.audit_log WHERE customer_id = %L$$, :'contoso_id'),
    'visibility: a customer role that wrote nothing sees the rows about its customer');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE customer_id IS DISTINCT FROM :'contoso_id'), 0::bigint,
    'visibility: ... and nothing about another customer');
SET ROLE regress_operator;
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'n_all'::bigint,
    'visibility: an operator sees every row');
SET ROLE regress_nobody;
SELECT throws_ok('SELECT count(*) FROM multipartner.audit_log',
    '42501', NULL, 'visibility: a role with no grant reads nothing');
RESET ROLE;

-------------------------------------------------------------------------------
-- the row images: the direct path builds them from the tuple, the SPI path
-- with to_jsonb(); both must give exactly to_jsonb(row), down to the text
-- (key order, numbers, timestamps, enum labels, role names)
-------------------------------------------------------------------------------
-- For each row of tbl, its newest audit row's new_row against to_jsonb(row):
-- (rows compared, rows whose image differs as text).  A row's audit rows are
-- found by its audit key too (keyexpr: its customer, else its partner), the
-- distribution column of audit_log on Citus, which joins a table with its
-- audit rows only on it; the same rows on one node.
CREATE FUNCTION pg_temp.image_check(tbl text, idexpr text, keyexpr text, OUT compared bigint, OUT differing bigint)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$
        SELECT count(*), count(*) FILTER (WHERE a.new_row::text IS DISTINCT FROM to_jsonb(t)::text)
          FROM multipartner.%1$I t
          JOIN multipartner.audit_log a ON a.audit_key = (%3$s) AND a.table_name = %1$L AND a.row_id = (%2$s)
         WHERE a.event_id = (SELECT max(b.event_id) FROM multipartner.audit_log b
                              WHERE b.audit_key = a.audit_key AND b.table_name = a.table_name
                                AND b.row_id = a.row_id)$q$, tbl, idexpr, keyexpr)
    INTO compared, differing;
END
$$;
SELECT is((SELECT differing FROM pg_temp.image_check(tbl, idexpr, keyexpr)), 0::bigint,
          format('images: the newest new_row of every %s row is to_jsonb(row) as text', tbl))
  FROM (VALUES ('partner', 't.partner_id::text', 't.partner_id'),
               ('customer', 't.customer_id::text', 't.customer_id'),
               ('partner_member', $$t.member::text || ',' || t.partner_id || ',' || t.role$$, 't.partner_id'),
               ('customer_member', $$t.member::text || ',' || t.customer_id || ',' || t.role$$, 't.customer_id'),
               ('relationship', 't.relationship_id::text', 't.customer_id'),
               ('subscription', 't.subscription_id::text', 't.customer_id')) AS v(tbl, idexpr, keyexpr)
 ORDER BY tbl;
SELECT ok((SELECT bool_and(compared > 0) FROM (VALUES ('partner', 't.partner_id::text', 't.partner_id'),
               ('relationship', 't.relationship_id::text', 't.customer_id'),
               ('subscription', 't.subscription_id::text', 't.customer_id')) AS v(tbl, idexpr, keyexpr),
               pg_temp.image_check(tbl, idexpr, keyexpr)),
    'images: ... which compares rows of every kind written above');
-- each UPDATE's old_row against the new_row audited before it for the same
-- row (a window over the row's audit rows: Citus runs it on each shard, as
-- the partition holds the audit key)
SELECT is((SELECT count(*)
             FROM (SELECT operation, old_row,
                          lag(new_row) OVER w AS prev_new_row, row_number() OVER w AS n
                     FROM multipartner.audit_log
                   WINDOW w AS (PARTITION BY audit_key, table_name, row_id ORDER BY event_id)) a
            WHERE a.operation = 'UPDATE' AND a.n > 1 AND a.old_row::text IS DISTINCT FROM a.prev_new_row::text), 0::bigint,
    'images: the old_row of every UPDATE is, as text, the new_row audited before it');

-- a column the table gets later: one of a type the direct image knows
-- (read from the default stored in the catalogue, the rows were written
-- before), one it does not (the whole image goes through to_jsonb); both
-- seen at once (relcache invalidation), and gone again after ROLLBACK TO
-- (in Citus mode, where every statement commits, after the DDL that undoes
-- them: the workers' images follow the shards' DDL)
\if :{?mp_citus_rules}
\else
SAVEPOINT before_columns;
\endif
ALTER TABLE multipartner.partner ADD COLUMN extra_i integer DEFAULT -7, ADD COLUMN extra_n numeric DEFAULT 1.50;
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.partner SET name = 'Office Reseller II' WHERE partner_id = :'office_id';
RESET ROLE;
SELECT results_eq(format($$SELECT old_row::text, new_row::text FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT (to_jsonb(p) || '{"name": "Office Reseller"}')::text, to_jsonb(p)::text
               FROM multipartner.partner p WHERE partner_id = %L$$, :'office_id'),
    'images: columns added later are in both images, exactly as to_jsonb() writes them');
SELECT is((SELECT jsonb_build_array(new_row -> 'extra_i', new_row -> 'extra_n') FROM multipartner.audit_log WHERE :ev),
    '[-7, 1.50]'::jsonb, 'images: ... the added integer and numeric columns');
ALTER TABLE multipartner.partner DROP COLUMN extra_n;
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.partner SET name = 'Office Reseller' WHERE partner_id = :'office_id';
RESET ROLE;
SELECT results_eq(format($$SELECT new_row::text FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT to_jsonb(p)::text FROM multipartner.partner p WHERE partner_id = %L$$, :'office_id'),
    'images: a dropped column leaves the image at once');
-- enum labels are kept per column after the first use: a renamed label
-- must show at once
ALTER TYPE multipartner.partner_status RENAME VALUE 'active' TO 'in_good_standing';
\if :{?mp_citus_rules}
-- Citus does not send the DDL of an extension's own types to the workers,
-- where the images are built: a DBA runs it on every node (README)
SELECT 'ALTER TYPE on a worker: ' || result
  FROM run_command_on_workers($$ALTER TYPE multipartner.partner_status RENAME VALUE 'active' TO 'in_good_standing'$$) WHERE NOT success;
\endif
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.partner SET name = 'Office Reseller III' WHERE partner_id = :'office_id';
RESET ROLE;
SELECT results_eq(format($$SELECT old_row ->> 'status', new_row ->> 'status', new_row::text FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT 'in_good_standing', 'in_good_standing', to_jsonb(p)::text FROM multipartner.partner p WHERE partner_id = %L$$, :'office_id'),
    'images: a renamed enum label is in the next image');
\if :{?mp_citus_rules}
ALTER TYPE multipartner.partner_status RENAME VALUE 'in_good_standing' TO 'active';
SELECT 'ALTER TYPE on a worker: ' || result
  FROM run_command_on_workers($$ALTER TYPE multipartner.partner_status RENAME VALUE 'in_good_standing' TO 'active'$$) WHERE NOT success;
ALTER TABLE multipartner.partner DROP COLUMN extra_i;
\else
ROLLBACK TO SAVEPOINT before_columns;
\endif
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_operator;
UPDATE multipartner.partner SET name = 'Office Reseller II' WHERE partner_id = :'office_id';
RESET ROLE;
SELECT results_eq(format($$SELECT new_row::text FROM multipartner.audit_log WHERE %s$$, :'ev'),
    format($$SELECT to_jsonb(p)::text FROM multipartner.partner p WHERE partner_id = %L$$, :'office_id'),
    'images: with the original columns back the image has them again');

-------------------------------------------------------------------------------
-- a DBA's trigger, CHECK constraint, NOT NULL or column on audit_log behaves
-- the same on both paths (the direct insert steps aside for the SPI path
-- when the table is not as the install script made it)
-------------------------------------------------------------------------------
\if :{?mp_citus_rules}
-- Citus mode: the audit rows are written on the workers, into their shards,
-- where the DBA's trigger fires (Citus creates it on every shard): its
-- function (in public, which Citus creates on every node) writes to a table
-- of each node's own, public.dba_seen, read on every node afterwards.
SELECT 'dba_seen on a node: ' || result
  FROM run_command_on_all_nodes($c$SET citus.enable_ddl_propagation = off;
       CREATE TABLE public.dba_seen (event_id bigint, operation text);
       GRANT INSERT ON public.dba_seen TO PUBLIC$c$) WHERE NOT success;
CREATE FUNCTION public.dba_audit_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.dba_seen VALUES (NEW.event_id, NEW.operation);
    RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.dba_seen_ids() RETURNS bigint[] LANGUAGE sql AS $$
SELECT array_agg(e ORDER BY e)
  FROM run_command_on_all_nodes('SELECT string_agg(event_id::text, '','') FROM public.dba_seen') r,
       unnest(string_to_array(r.result, ',')::bigint[]) e
$$;
CREATE TRIGGER dba_audit_seen AFTER INSERT ON multipartner.audit_log
    FOR EACH ROW EXECUTE FUNCTION public.dba_audit_seen();
\else
SAVEPOINT dba_audit;
CREATE TABLE pg_temp.dba_seen (event_id bigint, operation text);
CREATE FUNCTION pg_temp.dba_audit_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.dba_seen VALUES (NEW.event_id, NEW.operation);
    PERFORM pg_notify('dba_audit', NEW.event_id::text);
    RETURN NEW;
END $$;
GRANT INSERT ON pg_temp.dba_seen TO PUBLIC;
CREATE FUNCTION pg_temp.dba_seen_ids() RETURNS bigint[] LANGUAGE sql AS $$
SELECT array_agg(event_id ORDER BY event_id) FROM pg_temp.dba_seen
$$;
CREATE TRIGGER dba_audit_seen AFTER INSERT ON multipartner.audit_log
    FOR EACH ROW EXECUTE FUNCTION pg_temp.dba_audit_seen();
\endif
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
SELECT multipartner.create_subscription(:'contoso_id', 'DBA_TRIGGER', 'Microsoft 365', 1, 'P1M', 'monthly') IS NOT NULL AS sold \gset
RESET ROLE;
SELECT is(pg_temp.dba_seen_ids(),
          (SELECT array_agg(event_id ORDER BY event_id) FROM multipartner.audit_log WHERE :ev),
          'a DBA''s AFTER INSERT trigger on audit_log fires for every audit row');
DROP TRIGGER dba_audit_seen ON multipartner.audit_log;

ALTER TABLE multipartner.audit_log ADD CONSTRAINT dba_no_office_sa CHECK (actor <> 'regress_office_sa') NOT VALID;
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L', :'sub_office'),
                 '23514', NULL, 'a DBA''s CHECK constraint on audit_log is checked for every audit row');
RESET ROLE;
ALTER TABLE multipartner.audit_log DROP CONSTRAINT dba_no_office_sa;

ALTER TABLE multipartner.audit_log ADD COLUMN dba_required text NOT NULL DEFAULT 'x';
ALTER TABLE multipartner.audit_log ALTER COLUMN dba_required DROP DEFAULT;
SET ROLE regress_operator;
SELECT throws_ok(format($$UPDATE multipartner.partner SET name = 'Office NN' WHERE partner_id = %L$$, :'office_id'),
                 '23502', NULL, 'a DBA''s NOT NULL column on audit_log is checked for every audit row');
RESET ROLE;
ALTER TABLE multipartner.audit_log DROP COLUMN dba_required;

ALTER TABLE multipartner.audit_log ADD COLUMN dba_note text NOT NULL DEFAULT 'from the default';
SELECT pg_temp.audit_since() AS ev \gset
SET ROLE regress_office_sa;
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
RESET ROLE;
SELECT is((SELECT string_agg(dba_note, ',') FROM multipartner.audit_log WHERE :ev), 'from the default',
          'a column a DBA adds to audit_log gets its default on every audit row');
\if :{?mp_citus_rules}
ALTER TABLE multipartner.audit_log DROP COLUMN dba_note;
\else
ROLLBACK TO SAVEPOINT dba_audit;
\endif

-- which path runs is the DBA's choice, not an application's
SET ROLE regress_office_sa;
SELECT throws_ok('SET multipartner.fast_path = off', '42501', NULL,
                 'an application role cannot choose the audit and lookup path (multipartner.fast_path is superuser-only)');
RESET ROLE;

-------------------------------------------------------------------------------
-- the audit keeps working after DROP / CREATE EXTENSION in the same session
-- (every table gets a new row type; the trigger's plan cache must follow)
-------------------------------------------------------------------------------
\if :{?mp_citus_rules}
-- Citus mode: a distributed install is dropped with its drop guard off on
-- every node (the SET LOCALs reach the workers, made outside a psql savepoint,
-- as above), CASCADE (the coordinator
-- holds placements of the reference tables), and DROP EXTENSION leaves the
-- shards and the schema on the workers, which are dropped there; the new
-- install is distributed again, and its audit rows are written by the
-- worker connections Citus kept open for this session
\set ON_ERROR_ROLLBACK off
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner CASCADE;
COMMIT;
\set ON_ERROR_ROLLBACK 1
DROP SCHEMA IF EXISTS multipartner CASCADE;
SELECT 'DROP SCHEMA on a worker: ' || result
  FROM run_command_on_workers('DROP SCHEMA IF EXISTS multipartner CASCADE') WHERE NOT success;
CREATE EXTENSION multipartner;
CALL multipartner.distribute();
\else
-- (the creator checks of the customers partners inserted run first: a
-- table with pending trigger events cannot be dropped)
SET CONSTRAINTS ALL IMMEDIATE;
-- (the tables hold rows: the drop needs the operator's confirmation)
SET LOCAL multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
CREATE EXTENSION multipartner;
\endif
SELECT lives_ok(format($$
    INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%1$L, 'Office Reseller', 'commercial', %2$L);
    INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_office_sa', %1$L, 'sales_agent');
    INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%3$L, %4$L, 'Contoso', 'commercial');
    INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES ('regress_contoso_ga', %3$L, 'global_admin');
    INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES (%3$L, %1$L, 'active');
    INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
    VALUES (%3$L, %1$L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$,
    :'office_id', :'office_csp', :'contoso_tenant', :'contoso_tenant'),
    'a re-created extension accepts writes to all six tables in the same session');
-- (in the order of the writes: by audit key, Office's rows before Contoso's,
-- then by event_id, since on distributed tables event_ids are ordered per
-- node only and each key's rows are on one node)
SELECT results_eq($$SELECT table_name::text COLLATE "default", operation FROM multipartner.audit_log ORDER BY audit_key, event_id$$,
    $$VALUES ('partner', 'INSERT'), ('partner_member', 'INSERT'), ('customer', 'INSERT'),
             ('customer_member', 'INSERT'), ('relationship', 'INSERT'), ('subscription', 'INSERT')$$,
    'audit: the re-created extension audits every table');

SELECT * FROM finish();
\i test/teardown.psql
