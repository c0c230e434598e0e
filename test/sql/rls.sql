-- rls: row-level visibility (SPEC §7) against leak attempts.  A partner role
-- sees its own partner row and members, its relationships, the customers it
-- has a relationship with, the subscriptions it is partner of record of and
-- the audit rows about its partner or written by it; a customer role its own
-- customer rows and members, its relationships and subscriptions, the
-- partners it has relationships with and the audit rows about its customers
-- or written by it.  Nothing else reaches them: not through a count, a
-- view, check(), an error message, nor a two-partner role that has not said
-- which partner it acts for.  At the end, with 2,000 customers and 5,000
-- subscriptions loaded and analyzed, the plans of the customer-keyed queries
-- are index plans (rls_plans shows them).
--
-- Runs in a database of its own (created and dropped here), so that the
-- ANALYZE of the bulk data, whose pg_class statistics outlive the rollback,
-- cannot change the plans of the other test files.
-- In the Citus mode of the suite (README "Running on Citus") test/setup.psql
-- gives the file a database of its own on every node already (mp_rules).
SET client_min_messages = warning;
\getenv mp_citus_rules MP_CITUS_RULES
\if :{?mp_citus_rules}
\else
\set first_db :DBNAME
DROP DATABASE IF EXISTS regress_mp_rls;
CREATE DATABASE regress_mp_rls;
\c regress_mp_rls
\endif
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_visibility.psql
\i test/fixtures_done.psql

-- Run sql and say how it failed: '<SQLSTATE> clean' when its message,
-- detail and hint name none of the foreign tokens, '<SQLSTATE> LEAKS <token>'
-- when they name one the statement itself does not contain; 'no error'
-- when it succeeds (its effects stay).
CREATE FUNCTION pg_temp.error_report(sql text, foreign_tokens text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    det text;
    hin text;
    tok text;
    leaked text[] := '{}';
BEGIN
    BEGIN
        EXECUTE sql;
        RETURN 'no error';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    END;
    FOREACH tok IN ARRAY foreign_tokens LOOP
        IF strpos(coalesce(msg, '') || ' ' || coalesce(det, '') || ' ' || coalesce(hin, ''), tok) > 0
           AND strpos(sql, tok) = 0 THEN
            leaked := leaked || tok;
        END IF;
    END LOOP;
    IF cardinality(leaked) > 0 THEN
        RETURN st || ' LEAKS ' || array_to_string(leaked, ', ');
    END IF;
    RETURN st || ' clean';
END
$$;
-- The DETAIL of the error sql raises (NULL when it succeeds).
CREATE FUNCTION pg_temp.error_detail(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    det text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS det = PG_EXCEPTION_DETAIL;
    RETURN det;
END
$$;
-- The text of the plan of sql, as the current role.
CREATE FUNCTION pg_temp.plan_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$$;

-- What Office must never learn: everything of Azure, Litware, and of the
-- customers it does not work with (Northwind, Tailspin, GovCust).
SELECT ARRAY[:'azure_id', 'Azure Reseller', :'azure_csp', :'litware_id', 'Litware Reseller', :'litware_csp',
             :'rel_v_azure_contoso', :'rel_v_azure_tailspin', :'rel_v_litware_northwind',
             :'sub_v_azure_contoso', :'sub_v_azure_tailspin', :'sub_v_litware_northwind',
             :'northwind_id', 'Northwind', :'northwind_tenant', :'tailspin_id', 'Tailspin', :'tailspin_tenant',
             :'govcust_id', :'govcust_tenant']::text AS foreign_to_office \gset

-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus", "The rule suites on distributed tables") the primary key of
-- subscription is (customer_id, subscription_id): an ON CONFLICT target must
-- include the distribution column (Citus's 42P10 else, before row security
-- or a trigger sees the row).  The same key on one node is (subscription_id).
\set conflict_key subscription_id
\if :{?mp_citus_rules}
\set conflict_key 'customer_id, subscription_id'
\endif

SELECT plan(112);

-------------------------------------------------------------------------------
-- A partner counts the rows of every table and view: only its own
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT set_eq('SELECT partner_id FROM multipartner.partner',
    format('VALUES (%L::uuid)', :'office_id'),
    'Office counts partner: only itself');
SELECT set_eq('SELECT member::text, partner_id, role::text FROM multipartner.partner_member',
    format($$SELECT member::text, partner_id, role::text FROM multipartner.partner_member WHERE partner_id = %L$$, :'office_id'),
    'Office counts partner_member: only its own members');
SELECT set_eq('SELECT customer_id FROM multipartner.customer',
    format('VALUES (%L::uuid), (%L::uuid)', :'contoso_id', :'fabrikam_id'),
    'Office counts customer: Contoso and Fabrikam, the customers it has relationships with');
SELECT set_eq('SELECT relationship_id FROM multipartner.relationship',
    format('VALUES (%L::uuid), (%L::uuid)', :'rel_v_office_contoso', :'rel_v_office_fabrikam'),
    'Office counts relationship: its own two');
SELECT set_eq('SELECT subscription_id FROM multipartner.subscription',
    format('VALUES (%L::uuid), (%L::uuid), (%L::uuid)', :'sub_v_office_contoso', :'sub_v_office_contoso_exp', :'sub_v_office_fabrikam'),
    'Office counts subscription: the three it is partner of record of');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE partner_id IS DISTINCT FROM :'office_id' AND actor <> current_user),
    0::bigint, 'Office counts audit_log: no row about anybody else that somebody else wrote');
SELECT throws_ok('SELECT count(*) FROM multipartner.customer_member', '42501', NULL,
    'Office counts customer_member: no privilege');
SELECT throws_ok('SELECT count(*) FROM multipartner.tenant', '42501', NULL,
    'Office counts tenant: no privilege');
SELECT set_eq('SELECT relationship_id FROM multipartner.customer_partners',
    format('VALUES (%L::uuid), (%L::uuid)', :'rel_v_office_contoso', :'rel_v_office_fabrikam'),
    'Office counts customer_partners: its own two');
SELECT set_eq('SELECT relationship_id FROM multipartner.partner_customers',
    format('VALUES (%L::uuid), (%L::uuid)', :'rel_v_office_contoso', :'rel_v_office_fabrikam'),
    'Office counts partner_customers: its own two');
SELECT is((SELECT count(*) FROM multipartner.multi_partner_customers), 0::bigint,
    'Office counts multi_partner_customers: none');
SELECT set_eq('SELECT subscription_id FROM multipartner.subscriptions_by_partner',
    'SELECT subscription_id FROM multipartner.subscription',
    'Office counts subscriptions_by_partner: exactly the subscriptions it sees');
SELECT is((SELECT count(*) FROM multipartner.orphaned_subscriptions), 0::bigint,
    'Office counts orphaned_subscriptions: none (Azure''s orphan at Contoso is not its business)');
SELECT set_eq('SELECT DISTINCT relationship_id FROM multipartner.relationship_history',
    format('VALUES (%L::uuid), (%L::uuid)', :'rel_v_office_contoso', :'rel_v_office_fabrikam'),
    'Office counts relationship_history: the events of its own relationships only');
RESET ROLE;

-- the same for Azure and Litware, in one sweep per table: nothing of others
SET ROLE regress_azure_sa;
SELECT is((SELECT count(*) FROM multipartner.partner WHERE partner_id <> :'azure_id')
          + (SELECT count(*) FROM multipartner.partner_member WHERE partner_id <> :'azure_id')
          + (SELECT count(*) FROM multipartner.relationship WHERE partner_id <> :'azure_id')
          + (SELECT count(*) FROM multipartner.subscription WHERE partner_of_record <> :'azure_id')
          + (SELECT count(*) FROM multipartner.customer WHERE customer_id NOT IN (:'contoso_id', :'tailspin_id'))
          + (SELECT count(*) FROM multipartner.customer_partners WHERE partner_id <> :'azure_id')
          + (SELECT count(*) FROM multipartner.subscriptions_by_partner WHERE partner_id <> :'azure_id')
          + (SELECT count(*) FROM multipartner.relationship_history WHERE partner_id <> :'azure_id'),
    0::bigint, 'Azure sees no row of another partner in any table or view');
SELECT set_eq('SELECT customer_id FROM multipartner.customer',
    format('VALUES (%L::uuid), (%L::uuid)', :'contoso_id', :'tailspin_id'),
    'Azure sees Contoso and Tailspin (a customer of a terminated relationship stays visible)');
SET ROLE regress_litware_ga;
SELECT is((SELECT count(*) FROM multipartner.partner WHERE partner_id <> :'litware_id')
          + (SELECT count(*) FROM multipartner.relationship WHERE partner_id <> :'litware_id')
          + (SELECT count(*) FROM multipartner.subscription WHERE partner_of_record <> :'litware_id')
          + (SELECT count(*) FROM multipartner.customer WHERE customer_id <> :'northwind_id'),
    0::bigint, 'the suspended Litware sees nothing of others either');
SET ROLE regress_papp_nomember;
SELECT is((SELECT count(*) FROM multipartner.partner) + (SELECT count(*) FROM multipartner.partner_member)
          + (SELECT count(*) FROM multipartner.customer) + (SELECT count(*) FROM multipartner.relationship)
          + (SELECT count(*) FROM multipartner.subscription)
          + (SELECT count(*) FROM multipartner.audit_log WHERE actor <> current_user),
    0::bigint, 'a partner-app role of no partner sees nothing at all');
RESET ROLE;

-------------------------------------------------------------------------------
-- A customer counts the rows of every table and view: its own tenant's,
-- with all its partners
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT set_eq('SELECT customer_id FROM multipartner.customer',
    format('VALUES (%L::uuid)', :'contoso_id'), 'Contoso counts customer: itself');
SELECT set_eq('SELECT member::text, customer_id, role::text FROM multipartner.customer_member',
    format($$VALUES ('regress_contoso_ga', %1$L::uuid, 'global_admin'), ('regress_contoso_ba', %1$L::uuid, 'billing_admin'),
                    ('regress_contoso_reader', %1$L::uuid, 'reader')$$, :'contoso_id'),
    'Contoso counts customer_member: its own three members');
SELECT set_eq('SELECT partner_id FROM multipartner.partner',
    format('VALUES (%L::uuid), (%L::uuid)', :'office_id', :'azure_id'),
    'Contoso counts partner: its two partners');
SELECT set_eq('SELECT relationship_id FROM multipartner.relationship',
    format('VALUES (%L::uuid), (%L::uuid)', :'rel_v_office_contoso', :'rel_v_azure_contoso'),
    'Contoso counts relationship: both of its own');
SELECT set_eq('SELECT subscription_id FROM multipartner.subscription',
    format('VALUES (%L::uuid), (%L::uuid), (%L::uuid)', :'sub_v_office_contoso', :'sub_v_office_contoso_exp', :'sub_v_azure_contoso'),
    'Contoso counts subscription: its three, from both partners');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE customer_id IS DISTINCT FROM :'contoso_id' AND actor <> current_user),
    0::bigint, 'Contoso counts audit_log: no row about another customer');
SELECT throws_ok('SELECT count(*) FROM multipartner.partner_member', '42501', NULL,
    'Contoso counts partner_member: no privilege');
SELECT throws_ok('SELECT count(*) FROM multipartner.tenant', '42501', NULL,
    'Contoso counts tenant: no privilege');
SELECT is((SELECT count(*) FROM multipartner.customer_partners WHERE customer_id <> :'contoso_id')
          + (SELECT count(*) FROM multipartner.partner_customers WHERE customer_id <> :'contoso_id')
          + (SELECT count(*) FROM multipartner.multi_partner_customers WHERE customer_id <> :'contoso_id')
          + (SELECT count(*) FROM multipartner.subscriptions_by_partner WHERE customer_id <> :'contoso_id')
          + (SELECT count(*) FROM multipartner.orphaned_subscriptions WHERE customer_id <> :'contoso_id')
          + (SELECT count(*) FROM multipartner.relationship_history WHERE customer_id <> :'contoso_id'),
    0::bigint, 'Contoso counts the six views: nothing of another customer');
SET ROLE regress_govcust_ga;
SELECT is((SELECT count(*) FROM multipartner.partner) + (SELECT count(*) FROM multipartner.relationship)
          + (SELECT count(*) FROM multipartner.subscription),
    0::bigint, 'a customer without relationships sees no partner, relationship or subscription');
SELECT set_eq('SELECT customer_id FROM multipartner.customer', format('VALUES (%L::uuid)', :'govcust_id'),
    '... but its own customer row');
RESET ROLE;

-------------------------------------------------------------------------------
-- Another partner's rows by id: they do not exist
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT is_empty(format('SELECT * FROM multipartner.subscription WHERE subscription_id = %L', :'sub_v_azure_contoso'),
    'Office reads Azure''s subscription of the shared customer by id: 0 rows');
SELECT is_empty(format('SELECT * FROM multipartner.subscription WHERE customer_id = %L AND partner_of_record = %L', :'contoso_id', :'azure_id'),
    'Office asks for Azure''s subscriptions of Contoso: 0 rows');
SELECT is_empty(format('SELECT * FROM multipartner.relationship WHERE relationship_id = %L', :'rel_v_azure_contoso'),
    'Office reads Azure''s relationship by id: 0 rows');
SELECT is_empty(format('SELECT * FROM multipartner.partner WHERE partner_id = %L', :'azure_id'),
    'Office reads Azure''s partner row: 0 rows');
SELECT is_empty(format('SELECT * FROM multipartner.customer WHERE customer_id = %L', :'northwind_id'),
    'Office reads a customer it has no relationship with: 0 rows');
SELECT is_empty(format('SELECT * FROM multipartner.audit_log WHERE row_id = %L', :'sub_v_azure_contoso'),
    'Office reads the audit rows of Azure''s subscription: 0 rows');
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'office_id', :'sub_v_azure_contoso')),
    0::bigint, 'Office''s UPDATE of Azure''s subscription matches no row');
SELECT is(pg_temp.rows_of(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE customer_id = %L', :'contoso_id')),
    1::bigint, 'Office''s UPDATE of every relationship of Contoso reaches only its own');
RESET ROLE;
SELECT results_eq(format('SELECT relationship_id, delegated_admin FROM multipartner.relationship WHERE customer_id = %L ORDER BY 1', :'contoso_id'),
    format('VALUES (%L::uuid, false), (%L::uuid, false)', :'rel_v_office_contoso', :'rel_v_azure_contoso'),
    '... Azure''s was not touched (it had been revoked before), Office''s is revoked now');
SELECT is((SELECT partner_of_record FROM multipartner.subscription WHERE subscription_id = :'sub_v_azure_contoso'),
    :'azure_id'::uuid, '... and Azure''s subscription is still Azure''s');

-------------------------------------------------------------------------------
-- ... nor through the views
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT is_empty(format('SELECT * FROM multipartner.subscriptions_by_partner WHERE subscription_id = %L', :'sub_v_azure_contoso'),
    'subscriptions_by_partner: Azure''s subscription of Contoso is not there for Office');
SELECT results_eq(format('SELECT partner_id, active_partners, live_subscriptions FROM multipartner.customer_partners WHERE customer_id = %L', :'contoso_id'),
    format('VALUES (%L::uuid, 1::bigint, 1::bigint)', :'office_id'),
    'customer_partners: Contoso has one active partner as far as Office can tell');
SELECT is_empty(format('SELECT * FROM multipartner.multi_partner_customers WHERE customer_id = %L', :'contoso_id'),
    'multi_partner_customers: Contoso is not a multi-partner customer for Office');
SELECT set_eq(format('SELECT subscription_id, reason FROM multipartner.orphaned_subscriptions WHERE customer_id = %L', :'contoso_id'),
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_v_office_contoso'),
    'orphaned_subscriptions: at Contoso Office sees its own subscription orphaned (it revoked its rights above), not Azure''s');
SELECT is_empty(format('SELECT * FROM multipartner.relationship_history WHERE relationship_id = %L', :'rel_v_azure_contoso'),
    'relationship_history: Azure''s relationship with Contoso has no history for Office');
RESET ROLE;

-------------------------------------------------------------------------------
-- ... nor through check(): another partner's id does not exist, exactly like
-- an id that is nothing at all.  (This session runs fewer than six checks of
-- relationship actions; check.sql covers repeated calls.)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT results_eq(format($$SELECT allowed, rule, sqlstate, message, detail, hint FROM multipartner.check('update_subscription', %L, quantity => 50)$$, :'sub_v_azure_contoso'),
    format($$VALUES (false, NULL::text, '42704', %L, %L, NULL::text)$$, 'subscription ' || :'sub_v_azure_contoso' || ' does not exist',
           'No subscription with this id is visible to role "regress_office_ga".'),
    'check(update_subscription) of Azure''s subscription, as Office: not allowed, 42704, naming only the id Office gave');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate, replace(message, %L, '<id>'), detail, hint FROM multipartner.check('update_subscription', %L, quantity => 50)$$,
                         :'sub_v_azure_contoso', :'sub_v_azure_contoso'),
    format($$SELECT allowed, rule, sqlstate, replace(message, %L, '<id>'), detail, hint FROM multipartner.check('update_subscription', %L, quantity => 50)$$,
           :'unknown_id', :'unknown_id'),
    '... the very answer it gets for an id that is nothing at all');
SELECT results_eq(format($$SELECT allowed, sqlstate, message FROM multipartner.check('cancel_subscription', subscription_id => %L)$$, :'sub_v_azure_contoso'),
    format($$VALUES (false, '42704', %L)$$, 'subscription ' || :'sub_v_azure_contoso' || ' does not exist'),
    'check(cancel_subscription) of Azure''s subscription: 42704');
SELECT results_eq(format($$SELECT allowed, sqlstate, message FROM multipartner.check('update_subscription', %L, partner_of_record => %L)$$, :'sub_v_azure_contoso', :'office_id'),
    format($$VALUES (false, '42704', %L)$$, 'subscription ' || :'sub_v_azure_contoso' || ' does not exist'),
    'check(update_subscription, partner_of_record => Office) of Azure''s subscription: 42704, not R6');
SELECT results_eq(format($$SELECT allowed, sqlstate, message FROM multipartner.check('revoke_delegated_admin', %L)$$, :'rel_v_azure_contoso'),
    format($$VALUES (false, '42704', %L)$$, 'relationship ' || :'rel_v_azure_contoso' || ' does not exist'),
    'check(revoke_delegated_admin) of Azure''s relationship: 42704');
SELECT results_eq(format($$SELECT allowed, sqlstate, message FROM multipartner.check('terminate_relationship', relationship_id => %L)$$, :'rel_v_azure_tailspin'),
    format($$VALUES (false, '42704', %L)$$, 'relationship ' || :'rel_v_azure_tailspin' || ' does not exist'),
    'check(terminate_relationship) of Azure''s relationship with Tailspin: 42704');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate, detail FROM multipartner.check('create_subscription', customer_id => %L)$$, :'tailspin_id'),
    $$VALUES (false, 'R4, R11', 'MP001', 'There is no relationship between them.')$$,
    'check(create_subscription) for Tailspin, as Office: MP001, and not a word about Azure''s terminated relationship');
SELECT is((SELECT concat_ws(' ', message, detail, hint) FROM multipartner.check('create_subscription', customer_id => :'tailspin_id')),
    format('partner %s has no active relationship with customer %s There is no relationship between them. The partner must request a relationship and the customer must accept it first.',
           :'office_id', :'tailspin_id'),
    '... the message names Office itself and the customer it gave, nothing else');
RESET ROLE;
SET ROLE regress_contoso_ga;
SELECT results_eq(format($$SELECT allowed, rule, sqlstate FROM multipartner.check('update_subscription', %L, quantity => 50)$$, :'sub_v_azure_contoso'),
    $$VALUES (false, 'R5', 'MP002')$$,
    'check(update_subscription) of Azure''s subscription, as the customer who sees it: R5 (MP002)');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L, quantity => 50)$$, :'sub_v_azure_contoso'),
    $$VALUES (false, '42704')$$,
    'check(update_subscription) of another customer''s subscription, as Fabrikam: 42704');
SELECT results_eq(format($$SELECT allowed, sqlstate FROM multipartner.check('revoke_delegated_admin', %L)$$, :'rel_v_azure_contoso'),
    $$VALUES (false, '42704')$$,
    'check(revoke_delegated_admin) of another customer''s relationship, as Fabrikam: 42704');
RESET ROLE;

-------------------------------------------------------------------------------
-- ... nor through error messages: what Office is refused never names what
-- it may not see (tokens it gave itself excepted)
-------------------------------------------------------------------------------
-- the superuser, who may see everything, is told what Office is not: the
-- check does catch a name it was not given
SELECT is(pg_temp.error_report(format('SELECT multipartner.terminate_relationship(%L)', :'rel_v_azure_contoso'), :'foreign_to_office'),
    format('MP009 LEAKS %s', :'azure_id'), 'error: the leak check finds Azure''s id in the superuser''s MP009 for Azure''s relationship');
SET ROLE regress_office_ga;
SELECT is(pg_temp.error_report(format('SELECT multipartner.revoke_delegated_admin(%L)', :'rel_v_azure_contoso'), :'foreign_to_office'),
    '42704 clean', 'error: revoking Azure''s relationship');
SELECT is(pg_temp.error_report(format('SELECT multipartner.terminate_relationship(%L)', :'rel_v_azure_tailspin'), :'foreign_to_office'),
    '42704 clean', 'error: terminating Azure''s relationship with Tailspin');
SELECT is(pg_temp.error_report(format($$SELECT multipartner.create_subscription(%L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'tailspin_id'), :'foreign_to_office'),
    'MP001 clean', 'error: selling to Tailspin, whose only relationship is Azure''s terminated one');
SELECT is(pg_temp.error_report(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'northwind_id'), :'foreign_to_office'),
    'MP001 clean', 'error: selling to Northwind, a customer of the suspended Litware');
SELECT is(pg_temp.error_report(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                                        VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'sub_v_azure_contoso', :'contoso_id'), :'foreign_to_office'),
    '23505 clean', 'error: inserting a subscription with the id of Azure''s (the key detail is withheld)');
SELECT is(pg_temp.error_report(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
                                        VALUES (%L, %L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')
                                        ON CONFLICT (%s) DO UPDATE SET quantity = 1$$, :'sub_v_azure_contoso', :'contoso_id', :'conflict_key'), :'foreign_to_office'),
    '42501 clean', 'error: taking Azure''s subscription over by INSERT ... ON CONFLICT DO UPDATE');
SELECT is(pg_temp.error_report(format('INSERT INTO multipartner.relationship (relationship_id, customer_id) VALUES (%L, %L)', :'rel_v_litware_northwind', :'northwind_id'), :'foreign_to_office'),
    '23505 clean', 'error: requesting Northwind with the id of Litware''s relationship');
SELECT is(pg_temp.error_report(format($$SELECT multipartner.create_customer(%L, 'Tailspin again', 'commercial')$$, :'tailspin_tenant'), :'foreign_to_office'),
    '23505 clean', 'error: creating a customer with the tenant of a customer of Azure');
SELECT is(pg_temp.error_report(format($$SELECT multipartner.create_customer(%L, 'Azure''s own', 'commercial')$$, :'azure_csp'), :'foreign_to_office'),
    'MP005 clean', 'error: creating a customer with Azure''s CSP tenant (whose partner is not named)');
SELECT is(pg_temp.error_report(format('UPDATE multipartner.relationship SET status = %L WHERE customer_id = %L', 'terminated', :'contoso_id'), :'foreign_to_office'),
    'MP009 clean', 'error: terminating every relationship of Contoso');
SELECT matches(pg_temp.error_detail(format('SELECT multipartner.terminate_relationship(%L)', :'rel_v_office_contoso')),
    '^Partner [0-9a-f-]+ still has 1 active or suspended subscription with customer ',
    '... R13 counts Office''s one live subscription there, not Azure''s');
SELECT is(pg_temp.error_report(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
                                        VALUES (%L, %L, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')$$, :'contoso_id', :'azure_id'), :'foreign_to_office'),
    '42501 clean', 'error: selling in Azure''s name names Azure only because Office gave its id');
SELECT is(pg_temp.error_report(format('SELECT multipartner.request_relationship(%L)', :'govcust_id'), :'foreign_to_office'),
    'MP006 clean', 'error: asking a customer of the other cloud');
RESET ROLE;

-------------------------------------------------------------------------------
-- Members: each side sees its own
-------------------------------------------------------------------------------
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT set_eq('SELECT member::text, partner_id FROM multipartner.partner_member WHERE member = current_user::regrole',
    format($$VALUES ('regress_multi', %L::uuid)$$, :'office_id'),
    'partner_member: the two-partner member acting for Office sees its Office membership, not its Azure one');
SET multipartner.acting_partner = :'azure_id';
SELECT set_eq('SELECT DISTINCT partner_id FROM multipartner.partner_member',
    format('VALUES (%L::uuid)', :'azure_id'),
    'partner_member: acting for Azure it sees Azure''s members only');
RESET multipartner.acting_partner;
SET ROLE regress_fabrikam_ga;
SELECT set_eq('SELECT member::text, customer_id FROM multipartner.customer_member',
    format($$VALUES ('regress_fabrikam_ga', %L::uuid)$$, :'fabrikam_id'),
    'customer_member: Fabrikam sees its own member, none of Contoso''s');
SET ROLE regress_operator;
SELECT set_eq('SELECT member::text, customer_id FROM multipartner.customer_member',
    format($$VALUES ('regress_contoso_ga', %1$L::uuid), ('regress_contoso_ba', %1$L::uuid), ('regress_contoso_reader', %1$L::uuid),
                    ('regress_fabrikam_ga', %2$L::uuid), ('regress_govcust_ga', %3$L::uuid),
                    ('regress_northwind_ga', %4$L::uuid), ('regress_tailspin_ga', %5$L::uuid)$$,
           :'contoso_id', :'fabrikam_id', :'govcust_id', :'northwind_id', :'tailspin_id'),
    'customer_member: an operator sees every member');
SET ROLE regress_nobody;
SELECT throws_ok('SELECT count(*) FROM multipartner.partner_member', '42501', NULL,
    'partner_member: a role with no grant reads nothing');
RESET ROLE;

-------------------------------------------------------------------------------
-- The audit log
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT set_eq('SELECT event_id FROM multipartner.audit_log',
    format($$SELECT event_id FROM multipartner.audit_log WHERE partner_id = %L OR actor = 'regress_office_ga'$$, :'office_id'),
    'audit_log: Office sees the rows about Office and the rows it wrote');
SELECT is_empty(format('SELECT * FROM multipartner.audit_log WHERE row_id IN (%L, %L, %L)', :'rel_v_azure_contoso', :'azure_id', :'tailspin_id'),
    'audit_log: ... none about Azure''s relationship with the shared customer, Azure itself or Azure''s customer');
SET ROLE regress_contoso_ga;
SELECT set_eq('SELECT event_id FROM multipartner.audit_log',
    format($$SELECT event_id FROM multipartner.audit_log WHERE customer_id = %L OR actor = 'regress_contoso_ga'$$, :'contoso_id'),
    'audit_log: Contoso sees the rows about Contoso and the rows it wrote');
SELECT set_eq('SELECT DISTINCT row_id FROM multipartner.audit_log WHERE table_name = ''relationship''',
    format('VALUES (%L), (%L)', :'rel_v_office_contoso', :'rel_v_azure_contoso'),
    'audit_log: ... the history of both its relationships, whichever partner');
SET ROLE regress_operator;
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE table_name = 'relationship'), 8::bigint,
    'audit_log: an operator sees every relationship event (5 inserts, Azure''s and Office''s revocations, Tailspin''s termination)');
RESET ROLE;

-------------------------------------------------------------------------------
-- A member of two partners must say which one it acts for before it reads
-- anything filtered by partner
-------------------------------------------------------------------------------
SET ROLE regress_multi;
SELECT throws_ok('SELECT count(*) FROM multipartner.subscription', '42501', 'role "regress_multi" is a member of 2 partners',
    'two partners, no acting_partner: subscription is refused (42501)');
SELECT throws_ok('SELECT count(*) FROM multipartner.relationship', '42501', NULL,
    'two partners, no acting_partner: relationship is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.customer', '42501', NULL,
    'two partners, no acting_partner: customer is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.partner', '42501', NULL,
    'two partners, no acting_partner: partner is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.partner_member', '42501', NULL,
    'two partners, no acting_partner: partner_member is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.audit_log', '42501', NULL,
    'two partners, no acting_partner: audit_log is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.customer_partners', '42501', NULL,
    'two partners, no acting_partner: customer_partners is refused');
SELECT throws_ok('SELECT count(*) FROM multipartner.subscriptions_by_partner', '42501', NULL,
    'two partners, no acting_partner: subscriptions_by_partner is refused');
SET multipartner.acting_partner = :'gov_id';
SELECT throws_ok('SELECT count(*) FROM multipartner.subscription', '42501',
    format('role "regress_multi" is not a member of partner %s', :'gov_id'),
    'acting for a partner it is not a member of: refused (42501)');
SET multipartner.acting_partner = :'office_id';
SELECT set_eq('SELECT subscription_id FROM multipartner.subscription',
    format('VALUES (%L::uuid), (%L::uuid), (%L::uuid)', :'sub_v_office_contoso', :'sub_v_office_contoso_exp', :'sub_v_office_fabrikam'),
    'acting for Office: Office''s subscriptions');
SET multipartner.acting_partner = :'azure_id';
SELECT set_eq('SELECT subscription_id FROM multipartner.subscription',
    format('VALUES (%L::uuid), (%L::uuid)', :'sub_v_azure_contoso', :'sub_v_azure_tailspin'),
    'acting for Azure: Azure''s subscriptions, in the same session');
RESET multipartner.acting_partner;
RESET ROLE;

-------------------------------------------------------------------------------
-- Plans: with realistic volumes, the customer-keyed queries of a partner and
-- of a customer are index plans, with no sequential scan of subscription,
-- relationship or customer (rls_plans shows the plans themselves)
-------------------------------------------------------------------------------
\i test/fixtures_scale.psql
-- On distributed tables each shard holds a 32nd of these rows, few enough
-- that a sequential scan of the shard is the cheapest plan whatever the
-- policies are.  There the two bulk roles plan with enable_seqscan off (on
-- the workers too: a role's setting applies to Citus's connections as that
-- role), so that a sequential scan in a plan below says that no index can
-- serve the query, as it does on one node at this volume.
\if :{?mp_citus_rules}
ALTER ROLE regress_scale_partner SET enable_seqscan = off;
ALTER ROLE regress_scale_customer SET enable_seqscan = off;
\endif
SET ROLE regress_scale_partner;
SELECT is((SELECT count(*) FROM multipartner.subscription WHERE customer_id = :'scale_customer'), 2::bigint,
    'plans: the bulk partner sees its two subscriptions of the bulk customer');
SELECT is((SELECT count(*) FROM multipartner.subscriptions_by_partner WHERE customer_id = :'scale_customer'), 2::bigint,
    'plans: ... through subscriptions_by_partner too');
SELECT results_eq(format('SELECT partner_id, active_partners, live_subscriptions FROM multipartner.customer_partners WHERE customer_id = %L', :'scale_customer'),
    format('VALUES (%L::uuid, 1::bigint, 2::bigint)', :'scale_partner'),
    'plans: ... and one active partner, itself, in customer_partners');
SET ROLE regress_scale_customer;
SELECT is((SELECT count(*) FROM multipartner.subscription WHERE customer_id = :'scale_customer'), 3::bigint,
    'plans: the bulk customer sees its three subscriptions');
SELECT results_eq(format('SELECT partner_id, active_partners, live_subscriptions FROM multipartner.customer_partners WHERE customer_id = %L ORDER BY partner_id', :'scale_customer'),
    format('VALUES (%L::uuid, 2::bigint, 2::bigint), (%L::uuid, 2::bigint, 1::bigint)', :'scale_partner', :'scale_partner2'),
    'plans: ... and both its partners in customer_partners');
RESET ROLE;

\set seq_on_big '\\mSeq Scan on (subscription|relationship|customer)\\M'
\set idx_sub 'Index Scan using subscription_customer_partner_idx on subscription'
\set idx_rel 'Index Scan using relationship_customer_partner_idx on relationship'
-- On distributed tables the plan is Citus's, with the plan of the worker's
-- task inside it, which names the shards (subscription_102130): the same
-- patterns with a shard's number after each name.  There the primary key of
-- relationship is (customer_id, relationship_id) (distribute()), an index
-- on customer_id first as well, which the planner may take instead, as an
-- index or a bitmap index scan.
\if :{?mp_citus_rules}
\set seq_on_big '\\mSeq Scan on (subscription|relationship|customer)(_[0-9]+)?\\M'
\set idx_sub 'Index Scan using subscription_customer_partner_idx_[0-9]+ on subscription_[0-9]+\\M'
\set idx_rel '(Index Scan using|Bitmap Index Scan on) relationship_(customer_partner_idx|pkey)_[0-9]+\\M'
\endif
-- the pattern does find a sequential scan of a big table where there is one
SELECT matches(pg_temp.plan_of('SELECT * FROM multipartner.customer'), :'seq_on_big',
    'plans: the pattern finds the sequential scan of a whole table (the superuser reads all customers)');
\set q_sub 'SELECT * FROM multipartner.subscription WHERE customer_id = ' :'scale_customer'
\set q_rel 'SELECT * FROM multipartner.relationship WHERE customer_id = ' :'scale_customer'
\set q_cp 'SELECT * FROM multipartner.customer_partners WHERE customer_id = ' :'scale_customer'
\set q_sbp 'SELECT * FROM multipartner.subscriptions_by_partner WHERE customer_id = ' :'scale_customer'
SET ROLE regress_scale_partner;
SELECT matches(pg_temp.plan_of(:'q_sub'), :'idx_sub',
    'plan, partner, subscription by customer: an index scan of (customer_id, partner_of_record)');
SELECT doesnt_match(pg_temp.plan_of(:'q_sub'), :'seq_on_big', 'plan, partner, subscription by customer: no sequential scan');
SELECT matches(pg_temp.plan_of(:'q_rel'), :'idx_rel',
    'plan, partner, relationship by customer: an index scan of (customer_id, partner_id)');
SELECT doesnt_match(pg_temp.plan_of(:'q_rel'), :'seq_on_big', 'plan, partner, relationship by customer: no sequential scan');
SELECT matches(pg_temp.plan_of(:'q_cp'), 'Index', 'plan, partner, customer_partners by customer: index scans');
SELECT doesnt_match(pg_temp.plan_of(:'q_cp'), :'seq_on_big', 'plan, partner, customer_partners by customer: no sequential scan of a big table');
SELECT matches(pg_temp.plan_of(:'q_sbp'), 'Index', 'plan, partner, subscriptions_by_partner by customer: index scans');
SELECT doesnt_match(pg_temp.plan_of(:'q_sbp'), :'seq_on_big', 'plan, partner, subscriptions_by_partner by customer: no sequential scan of a big table');
SET ROLE regress_scale_customer;
SELECT matches(pg_temp.plan_of(:'q_sub'), :'idx_sub',
    'plan, customer, subscription by customer: an index scan');
SELECT doesnt_match(pg_temp.plan_of(:'q_sub'), :'seq_on_big', 'plan, customer, subscription by customer: no sequential scan');
SELECT matches(pg_temp.plan_of(:'q_rel'), :'idx_rel',
    'plan, customer, relationship by customer: an index scan');
SELECT doesnt_match(pg_temp.plan_of(:'q_rel'), :'seq_on_big', 'plan, customer, relationship by customer: no sequential scan');
SELECT matches(pg_temp.plan_of(:'q_cp'), 'Index', 'plan, customer, customer_partners by customer: index scans');
SELECT doesnt_match(pg_temp.plan_of(:'q_cp'), :'seq_on_big', 'plan, customer, customer_partners by customer: no sequential scan of a big table');
SELECT matches(pg_temp.plan_of(:'q_sbp'), 'Index', 'plan, customer, subscriptions_by_partner by customer: index scans');
SELECT doesnt_match(pg_temp.plan_of(:'q_sbp'), :'seq_on_big', 'plan, customer, subscriptions_by_partner by customer: no sequential scan of a big table');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
\if :{?mp_citus_rules}
\else
\c :first_db
DROP DATABASE regress_mp_rls;
\endif
