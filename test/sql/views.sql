-- views: the content of the six DBA views (SPEC §6) for each kind of reader,
-- on the fixed world of test/fixtures_visibility.psql.  The views are
-- security_invoker, so each reader sees through them exactly what row
-- security (SPEC §7) lets it see in the tables, counts included:
--   superuser, operator   everything
--   a partner role        its own relationships, customers and subscriptions;
--                         active_partners and live_subscriptions count only
--                         those (a partner never learns that another partner
--                         works with its customer)
--   a customer role       its tenant's rows, with all its partners
--   a role of no partner / customer with no relationship   nothing
--   a role with no grant  permission denied (42501)
-- Every expected row is written out with its fixed ids.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_visibility.psql
\i test/fixtures_done.psql

SELECT plan(90);

-- short names for the ids
\set C :contoso_id
\set F :fabrikam_id
\set N :northwind_id
\set T :tailspin_id
\set GC :govcust_id
\set O :office_id
\set A :azure_id
\set L :litware_id
\set G :gov_id
\set r_oc :rel_v_office_contoso
\set r_ac :rel_v_azure_contoso
\set r_of :rel_v_office_fabrikam
\set r_ln :rel_v_litware_northwind
\set r_at :rel_v_azure_tailspin
\set s_oc :sub_v_office_contoso
\set s_oce :sub_v_office_contoso_exp
\set s_ac :sub_v_azure_contoso
\set s_of :sub_v_office_fabrikam
\set s_ln :sub_v_litware_northwind
\set s_at :sub_v_azure_tailspin

-------------------------------------------------------------------------------
-- customer_partners: one row per customer and active partner
-------------------------------------------------------------------------------
\set q_cp 'SELECT customer_id, partner_id, relationship_id, delegated_admin, partner_status::text, live_subscriptions, active_partners FROM multipartner.customer_partners ORDER BY customer_id, partner_id'
-- the rows, with the counts an all-seeing reader gets (..._all) and the
-- counts a reader gets who sees only that one relationship (..._own)
SELECT format('(%L::uuid, %L::uuid, %L::uuid, true, ''active'', 1::bigint, 2::bigint)', :'C', :'O', :'r_oc') AS cp_co_all,
       format('(%L::uuid, %L::uuid, %L::uuid, true, ''active'', 1::bigint, 1::bigint)', :'C', :'O', :'r_oc') AS cp_co_own,
       format('(%L::uuid, %L::uuid, %L::uuid, false, ''active'', 1::bigint, 2::bigint)', :'C', :'A', :'r_ac') AS cp_ca_all,
       format('(%L::uuid, %L::uuid, %L::uuid, false, ''active'', 1::bigint, 1::bigint)', :'C', :'A', :'r_ac') AS cp_ca_own,
       format('(%L::uuid, %L::uuid, %L::uuid, true, ''active'', 1::bigint, 1::bigint)', :'F', :'O', :'r_of') AS cp_fo,
       format('(%L::uuid, %L::uuid, %L::uuid, true, ''suspended'', 1::bigint, 1::bigint)', :'N', :'L', :'r_ln') AS cp_nl
\gset

-- every column once, as the superuser
SELECT results_eq(
    'SELECT customer_id, customer_name, tenant_id, cloud::text, partner_id, partner_name, partner_status::text,
            relationship_id, delegated_admin, active_since, live_subscriptions, active_partners
       FROM multipartner.customer_partners ORDER BY customer_id, partner_id',
    format($$VALUES
        (%1$L::uuid, 'Contoso', %5$L::uuid, 'commercial', %7$L::uuid, 'Office Reseller', 'active', %11$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint, 2::bigint),
        (%1$L::uuid, 'Contoso', %5$L::uuid, 'commercial', %8$L::uuid, 'Azure Reseller', 'active', %12$L::uuid, false, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint, 2::bigint),
        (%2$L::uuid, 'Fabrikam', %6$L::uuid, 'commercial', %7$L::uuid, 'Office Reseller', 'active', %13$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint, 1::bigint),
        (%3$L::uuid, 'Northwind', %10$L::uuid, 'commercial', %9$L::uuid, 'Litware Reseller', 'suspended', %14$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint, 1::bigint)$$,
        :'C', :'F', :'N', :'T', :'contoso_tenant', :'fabrikam_tenant', :'O', :'A', :'L', :'northwind_tenant',
        :'r_oc', :'r_ac', :'r_of', :'r_ln'),
    'customer_partners, superuser: every active relationship with all its columns; the expired subscription and the terminated relationship do not count');
SET ROLE regress_operator;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_all' || ', ' || :'cp_ca_all' || ', ' || :'cp_fo' || ', ' || :'cp_nl',
    'customer_partners, operator: everything');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_own' || ', ' || :'cp_fo',
    'customer_partners, Office: its two customers; Contoso counts one active partner, not two');
SET ROLE regress_office_sa;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_own' || ', ' || :'cp_fo',
    'customer_partners, Office''s sales_agent: the same');
SET ROLE regress_azure_sa;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_ca_own',
    'customer_partners, Azure: Contoso only (Tailspin''s relationship is terminated), one active partner');
SET ROLE regress_litware_ga;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_nl',
    'customer_partners, the suspended Litware: its customer, partner_status suspended');
SET ROLE regress_gov_ga;
SELECT is_empty(:'q_cp', 'customer_partners, Gov (no relationship): nothing');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_cp', 'customer_partners, a partner-app role of no partner: nothing');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_own' || ', ' || :'cp_fo',
    'customer_partners, the two-partner member acting for Office: Office''s rows');
SET multipartner.acting_partner = :'azure_id';
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_ca_own',
    'customer_partners, the two-partner member acting for Azure: Azure''s rows');
RESET multipartner.acting_partner;
SET ROLE regress_contoso_ga;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_all' || ', ' || :'cp_ca_all',
    'customer_partners, Contoso''s global_admin: both its partners, two active partners each');
SET ROLE regress_contoso_reader;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_co_all' || ', ' || :'cp_ca_all',
    'customer_partners, Contoso''s reader: the same');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_fo',
    'customer_partners, Fabrikam: its one partner');
SET ROLE regress_northwind_ga;
SELECT results_eq(:'q_cp', 'VALUES ' || :'cp_nl',
    'customer_partners, Northwind: its suspended partner');
SET ROLE regress_tailspin_ga;
SELECT is_empty(:'q_cp', 'customer_partners, Tailspin: no active partner');
SET ROLE regress_govcust_ga;
SELECT is_empty(:'q_cp', 'customer_partners, GovCust (no relationship): nothing');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_cp', '42501', NULL, 'customer_partners, a role with no grant: permission denied');
RESET ROLE;

-------------------------------------------------------------------------------
-- partner_customers: one row per partner and active customer
-------------------------------------------------------------------------------
\set q_pc 'SELECT partner_id, customer_id, relationship_id, delegated_admin, live_subscriptions FROM multipartner.partner_customers ORDER BY partner_id, customer_id'
SELECT format('(%L::uuid, %L::uuid, %L::uuid, true, 1::bigint)', :'O', :'C', :'r_oc') AS pc_oc,
       format('(%L::uuid, %L::uuid, %L::uuid, true, 1::bigint)', :'O', :'F', :'r_of') AS pc_of,
       format('(%L::uuid, %L::uuid, %L::uuid, false, 1::bigint)', :'A', :'C', :'r_ac') AS pc_ac,
       format('(%L::uuid, %L::uuid, %L::uuid, true, 1::bigint)', :'L', :'N', :'r_ln') AS pc_ln
\gset
SELECT results_eq(
    'SELECT partner_id, partner_name, cloud::text, customer_id, customer_name, tenant_id, relationship_id,
            delegated_admin, active_since, live_subscriptions
       FROM multipartner.partner_customers ORDER BY partner_id, customer_id',
    format($$VALUES
        (%1$L::uuid, 'Office Reseller', 'commercial', %4$L::uuid, 'Contoso', %7$L::uuid, %10$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint),
        (%1$L::uuid, 'Office Reseller', 'commercial', %5$L::uuid, 'Fabrikam', %8$L::uuid, %11$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint),
        (%2$L::uuid, 'Azure Reseller', 'commercial', %4$L::uuid, 'Contoso', %7$L::uuid, %12$L::uuid, false, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint),
        (%3$L::uuid, 'Litware Reseller', 'commercial', %6$L::uuid, 'Northwind', %9$L::uuid, %13$L::uuid, true, '2024-01-02 00:00:00+00'::timestamptz, 1::bigint)$$,
        :'O', :'A', :'L', :'C', :'F', :'N', :'contoso_tenant', :'fabrikam_tenant', :'northwind_tenant',
        :'r_oc', :'r_of', :'r_ac', :'r_ln'),
    'partner_customers, superuser: every active relationship with all its columns');
SET ROLE regress_operator;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_oc' || ', ' || :'pc_of' || ', ' || :'pc_ac' || ', ' || :'pc_ln',
    'partner_customers, operator: everything');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_oc' || ', ' || :'pc_of',
    'partner_customers, Office: its own two customers');
SET ROLE regress_azure_sa;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_ac',
    'partner_customers, Azure: its own active customer');
SET ROLE regress_litware_ga;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_ln',
    'partner_customers, Litware: its own customer');
SET ROLE regress_gov_ga;
SELECT is_empty(:'q_pc', 'partner_customers, Gov: nothing');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_pc', 'partner_customers, a partner-app role of no partner: nothing');
SET ROLE regress_contoso_ga;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_oc' || ', ' || :'pc_ac',
    'partner_customers, Contoso: both partners that work with it');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_of',
    'partner_customers, Fabrikam: Office only');
SET ROLE regress_northwind_ga;
SELECT results_eq(:'q_pc', 'VALUES ' || :'pc_ln',
    'partner_customers, Northwind: Litware');
SET ROLE regress_tailspin_ga;
SELECT is_empty(:'q_pc', 'partner_customers, Tailspin: nothing active');
SET ROLE regress_govcust_ga;
SELECT is_empty(:'q_pc', 'partner_customers, GovCust: nothing');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_pc', '42501', NULL, 'partner_customers, a role with no grant: permission denied');
RESET ROLE;

-------------------------------------------------------------------------------
-- multi_partner_customers: shown to the operator and to the customer, never
-- to a single partner
-------------------------------------------------------------------------------
\set q_mpc 'SELECT customer_id, customer_name, tenant_id, cloud::text, active_partners, partner_names, any_delegated_admin FROM multipartner.multi_partner_customers ORDER BY customer_id'
SELECT format($$VALUES (%L::uuid, 'Contoso', %L::uuid, 'commercial', 2::bigint, ARRAY['Azure Reseller', 'Office Reseller'], true)$$,
              :'C', :'contoso_tenant') AS mpc_contoso \gset
SELECT results_eq(:'q_mpc', :'mpc_contoso',
    'multi_partner_customers, superuser: Contoso with its two partners (one without delegated admin), every column');
SET ROLE regress_operator;
SELECT results_eq(:'q_mpc', :'mpc_contoso', 'multi_partner_customers, operator: Contoso');
SET ROLE regress_contoso_ga;
SELECT results_eq(:'q_mpc', :'mpc_contoso', 'multi_partner_customers, Contoso''s global_admin: itself');
SET ROLE regress_contoso_reader;
SELECT results_eq(:'q_mpc', :'mpc_contoso', 'multi_partner_customers, Contoso''s reader: itself');
SET ROLE regress_office_ga;
SELECT is_empty(:'q_mpc', 'multi_partner_customers, Office: nothing (it does not learn that Azure works with Contoso)');
SET ROLE regress_azure_ga;
SELECT is_empty(:'q_mpc', 'multi_partner_customers, Azure: nothing');
SET ROLE regress_litware_ga;
SELECT is_empty(:'q_mpc', 'multi_partner_customers, Litware: nothing');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'office_id';
SELECT is_empty(:'q_mpc', 'multi_partner_customers, the two-partner member acting for Office: nothing');
RESET multipartner.acting_partner;
SET ROLE regress_fabrikam_ga;
SELECT is_empty(:'q_mpc', 'multi_partner_customers, Fabrikam (one partner): nothing');
SET ROLE regress_northwind_ga;
SELECT is_empty(:'q_mpc', 'multi_partner_customers, Northwind: nothing');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_mpc', '42501', NULL, 'multi_partner_customers, a role with no grant: permission denied');
RESET ROLE;

-------------------------------------------------------------------------------
-- subscriptions_by_partner: every subscription the reader may see
-------------------------------------------------------------------------------
\set q_sbp 'SELECT subscription_id, customer_id, partner_id, status::text, quantity FROM multipartner.subscriptions_by_partner ORDER BY subscription_id'
SELECT format('(%L::uuid, %L::uuid, %L::uuid, ''active'', 10)', :'s_oc', :'C', :'O') AS sbp_oc,
       format('(%L::uuid, %L::uuid, %L::uuid, ''expired'', 5)', :'s_oce', :'C', :'O') AS sbp_oce,
       format('(%L::uuid, %L::uuid, %L::uuid, ''active'', 1)', :'s_ac', :'C', :'A') AS sbp_ac,
       format('(%L::uuid, %L::uuid, %L::uuid, ''suspended'', 3)', :'s_of', :'F', :'O') AS sbp_of,
       format('(%L::uuid, %L::uuid, %L::uuid, ''active'', 7)', :'s_ln', :'N', :'L') AS sbp_ln,
       format('(%L::uuid, %L::uuid, %L::uuid, ''active'', 2)', :'s_at', :'T', :'A') AS sbp_at
\gset
-- The end of the term of a subscription bought at anchor with a term of
-- months that has renewed ever since (SPEC §10), at this statement: the
-- first anchor + k * months after it, in UTC calendar arithmetic.  An
-- oracle written apart from src/term.c.
CREATE FUNCTION pg_temp.term_end(anchor timestamptz, months int) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT min(e) FROM (
        SELECT ((anchor AT TIME ZONE 'UTC') + make_interval(months => months * k)) AT TIME ZONE 'UTC' AS e
          FROM generate_series(1, 1200) k) x
     WHERE e > GREATEST(statement_timestamp(), now())
$$;
SELECT results_eq(
    'SELECT customer_id, customer_name, partner_id, partner_name, subscription_id, offer_id, product_family,
            quantity, term, billing_cycle, status::text, auto_renew, created_at, commitment_end, created_by::text, term_start
       FROM multipartner.subscriptions_by_partner ORDER BY subscription_id',
    format($$VALUES
        (%1$L::uuid, 'Contoso', %5$L::uuid, 'Office Reseller', %8$L::uuid, 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly', 'active', true,
         '2024-03-01 00:00:00+00'::timestamptz, pg_temp.term_end('2024-03-01 00:00:00+00', 12), session_user::text,
         pg_temp.term_end('2024-03-01 00:00:00+00', 12) - interval '12 months'),
        (%1$L::uuid, 'Contoso', %5$L::uuid, 'Office Reseller', %9$L::uuid, 'VISIO_P2', 'Visio', 5, 'P1M', 'monthly', 'expired', false,
         '2024-03-01 00:00:00+00'::timestamptz, '2024-04-01 00:00:00+00'::timestamptz, session_user::text,
         '2024-03-01 00:00:00+00'::timestamptz),
        (%1$L::uuid, 'Contoso', %6$L::uuid, 'Azure Reseller', %10$L::uuid, 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly', 'active', true,
         '2024-03-01 00:00:00+00'::timestamptz, pg_temp.term_end('2024-03-01 00:00:00+00', 1), session_user::text,
         pg_temp.term_end('2024-03-01 00:00:00+00', 1) - interval '1 months'),
        (%2$L::uuid, 'Fabrikam', %5$L::uuid, 'Office Reseller', %11$L::uuid, 'O365_E1', 'Microsoft 365', 3, 'P1Y', 'annual', 'suspended', true,
         '2024-03-01 00:00:00+00'::timestamptz, pg_temp.term_end('2024-03-01 00:00:00+00', 12), session_user::text,
         pg_temp.term_end('2024-03-01 00:00:00+00', 12) - interval '12 months'),
        (%3$L::uuid, 'Northwind', %7$L::uuid, 'Litware Reseller', %12$L::uuid, 'O365_E3', 'Microsoft 365', 7, 'P1Y', 'monthly', 'active', true,
         '2024-03-01 00:00:00+00'::timestamptz, pg_temp.term_end('2024-03-01 00:00:00+00', 12), session_user::text,
         pg_temp.term_end('2024-03-01 00:00:00+00', 12) - interval '12 months'),
        (%4$L::uuid, 'Tailspin', %6$L::uuid, 'Azure Reseller', %13$L::uuid, 'AZURE_PLAN', 'Azure', 2, 'P1M', 'monthly', 'active', true,
         '2024-03-01 00:00:00+00'::timestamptz, pg_temp.term_end('2024-03-01 00:00:00+00', 1), session_user::text,
         pg_temp.term_end('2024-03-01 00:00:00+00', 1) - interval '1 months')$$,
        :'C', :'F', :'N', :'T', :'O', :'A', :'L', :'s_oc', :'s_oce', :'s_ac', :'s_of', :'s_ln', :'s_at'),
    'subscriptions_by_partner, superuser: every subscription with all its columns');
SET ROLE regress_operator;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_oc' || ', ' || :'sbp_oce' || ', ' || :'sbp_ac' || ', ' || :'sbp_of' || ', ' || :'sbp_ln' || ', ' || :'sbp_at',
    'subscriptions_by_partner, operator: everything');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_oc' || ', ' || :'sbp_oce' || ', ' || :'sbp_of',
    'subscriptions_by_partner, Office: only what it sold, expired included; not Azure''s subscription of Contoso');
SET ROLE regress_office_hd;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_oc' || ', ' || :'sbp_oce' || ', ' || :'sbp_of',
    'subscriptions_by_partner, Office''s helpdesk_agent: the same');
SET ROLE regress_azure_sa;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_ac' || ', ' || :'sbp_at',
    'subscriptions_by_partner, Azure: its own two, Tailspin''s after the termination included');
SET ROLE regress_litware_ga;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_ln',
    'subscriptions_by_partner, the suspended Litware: its own');
SET ROLE regress_gov_ga;
SELECT is_empty(:'q_sbp', 'subscriptions_by_partner, Gov: nothing');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_sbp', 'subscriptions_by_partner, a partner-app role of no partner: nothing');
SET ROLE regress_contoso_ba;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_oc' || ', ' || :'sbp_oce' || ', ' || :'sbp_ac',
    'subscriptions_by_partner, Contoso''s billing_admin: its subscriptions from both partners');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_of',
    'subscriptions_by_partner, Fabrikam: its own');
SET ROLE regress_northwind_ga;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_ln',
    'subscriptions_by_partner, Northwind: its own, from the suspended partner');
SET ROLE regress_tailspin_ga;
SELECT results_eq(:'q_sbp', 'VALUES ' || :'sbp_at',
    'subscriptions_by_partner, Tailspin: its own, from the partner it no longer works with');
SET ROLE regress_govcust_ga;
SELECT is_empty(:'q_sbp', 'subscriptions_by_partner, GovCust: nothing');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_sbp', '42501', NULL, 'subscriptions_by_partner, a role with no grant: permission denied');
RESET ROLE;

-------------------------------------------------------------------------------
-- orphaned_subscriptions: the three reasons
-------------------------------------------------------------------------------
\set q_os 'SELECT subscription_id, customer_id, partner_id, reason FROM multipartner.orphaned_subscriptions ORDER BY subscription_id'
SELECT format('(%L::uuid, %L::uuid, %L::uuid, ''delegated admin revoked'')', :'s_ac', :'C', :'A') AS os_ac,
       format('(%L::uuid, %L::uuid, %L::uuid, ''partner suspended'')', :'s_ln', :'N', :'L') AS os_ln,
       format('(%L::uuid, %L::uuid, %L::uuid, ''no active relationship'')', :'s_at', :'T', :'A') AS os_at
\gset
SELECT results_eq(
    'SELECT customer_id, customer_name, partner_id, partner_name, subscription_id, offer_id, quantity, status::text, reason
       FROM multipartner.orphaned_subscriptions ORDER BY subscription_id',
    format($$VALUES
        (%1$L::uuid, 'Contoso', %4$L::uuid, 'Azure Reseller', %6$L::uuid, 'AZURE_PLAN', 1, 'active', 'delegated admin revoked'),
        (%2$L::uuid, 'Northwind', %5$L::uuid, 'Litware Reseller', %7$L::uuid, 'O365_E3', 7, 'active', 'partner suspended'),
        (%3$L::uuid, 'Tailspin', %4$L::uuid, 'Azure Reseller', %8$L::uuid, 'AZURE_PLAN', 2, 'active', 'no active relationship')$$,
        :'C', :'N', :'T', :'A', :'L', :'s_ac', :'s_ln', :'s_at'),
    'orphaned_subscriptions, superuser: delegated admin revoked, partner suspended, no active relationship; not the suspended or expired subscriptions of healthy relationships');
SET ROLE regress_operator;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ac' || ', ' || :'os_ln' || ', ' || :'os_at',
    'orphaned_subscriptions, operator: all three');
SET ROLE regress_office_ga;
SELECT is_empty(:'q_os', 'orphaned_subscriptions, Office: none of its own, none of Azure''s');
SET ROLE regress_azure_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ac' || ', ' || :'os_at',
    'orphaned_subscriptions, Azure: its own two, each with its reason');
SET ROLE regress_litware_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ln',
    'orphaned_subscriptions, Litware: its own, partner suspended');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_os', 'orphaned_subscriptions, a partner-app role of no partner: nothing');
SET ROLE regress_contoso_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ac',
    'orphaned_subscriptions, Contoso: Azure''s subscription whose delegated admin it revoked');
SET ROLE regress_fabrikam_ga;
SELECT is_empty(:'q_os', 'orphaned_subscriptions, Fabrikam: nothing (a suspended subscription of a healthy relationship is no orphan)');
SET ROLE regress_northwind_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ln',
    'orphaned_subscriptions, Northwind: the subscription of its suspended partner');
SET ROLE regress_tailspin_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_at',
    'orphaned_subscriptions, Tailspin: no active relationship');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_os', '42501', NULL, 'orphaned_subscriptions, a role with no grant: permission denied');
RESET ROLE;

-- the reasons follow the data: a subscription of Office becomes an orphan
-- when Fabrikam revokes Office's delegated admin, and Office sees it
SET ROLE regress_fabrikam_ga;
SELECT lives_ok(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r_of'),
    'Fabrikam revokes Office''s delegated admin');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, %L::uuid, %L::uuid, 'delegated admin revoked')$$, :'s_of', :'F', :'O'),
    'orphaned_subscriptions, Office: its suspended subscription of Fabrikam is now orphaned');
SET ROLE regress_azure_ga;
SELECT results_eq(:'q_os', 'VALUES ' || :'os_ac' || ', ' || :'os_at',
    'orphaned_subscriptions, Azure: unchanged, it does not see Office''s');
RESET ROLE;

-------------------------------------------------------------------------------
-- relationship_history: the events of a relationship, in order
-------------------------------------------------------------------------------
-- Gov asks GovCust, GovCust accepts and then revokes delegated admin, Gov
-- terminates (it sold nothing there).
SET ROLE regress_gov_sa;
SELECT multipartner.request_relationship(:'govcust_id') AS r_gov \gset
SET ROLE regress_govcust_ga;
SELECT multipartner.accept_relationship(:'r_gov') AS ignored \gset
SELECT multipartner.revoke_delegated_admin(:'r_gov') AS ignored \gset
SET ROLE regress_gov_ga;
SELECT multipartner.terminate_relationship(:'r_gov') AS ignored \gset
RESET ROLE;
\set q_rh_gov 'SELECT operation, old_status, new_status, old_delegated_admin, new_delegated_admin, actor::text COLLATE "default", acting_partner FROM multipartner.relationship_history WHERE relationship_id = ' :'r_gov' ' ORDER BY event_id'
SELECT format($$VALUES
    ('INSERT', NULL::text, 'pending', NULL::boolean, true, 'regress_gov_sa', %1$L::uuid),
    ('UPDATE', 'pending', 'active', true, true, 'regress_govcust_ga', NULL::uuid),
    ('UPDATE', 'active', 'active', true, false, 'regress_govcust_ga', NULL::uuid),
    ('UPDATE', 'active', 'terminated', false, false, 'regress_gov_ga', %1$L::uuid)$$, :'G') AS rh_gov \gset
SELECT results_eq(:'q_rh_gov', :'rh_gov',
    'relationship_history, superuser: request, accept, revoke, terminate, in this order, with who did each');
\if :{?mp_citus_rules}
-- On Citus the audit row is written on the worker, over the connection Citus
-- opened as the role that acted (its session role there), in the worker's
-- transaction, and each event here is a transaction of its own (README "The
-- rule suites on distributed tables", views): the session role is the actor,
-- and each event has its transaction id.
SELECT results_eq(format('SELECT DISTINCT customer_id, partner_id, relationship_id, session_actor::text = actor::text, txid IS NOT NULL FROM multipartner.relationship_history WHERE relationship_id = %L', :'r_gov'),
    format('VALUES (%L::uuid, %L::uuid, %L::uuid, true, true)', :'GC', :'G', :'r_gov'),
    'relationship_history: each event names the customer, the partner, the relationship, the session role and the transaction');
\else
SELECT results_eq(format('SELECT DISTINCT customer_id, partner_id, relationship_id, session_actor::text, txid FROM multipartner.relationship_history WHERE relationship_id = %L', :'r_gov'),
    format('VALUES (%L::uuid, %L::uuid, %L::uuid, session_user::text, txid_current())', :'GC', :'G', :'r_gov'),
    'relationship_history: each event names the customer, the partner, the relationship, the session role and the transaction');
\endif
SELECT ok((SELECT bool_and(at >= prev) FROM (SELECT at, lag(at, 1, at) OVER (ORDER BY event_id) AS prev
                                                FROM multipartner.relationship_history WHERE relationship_id = :'r_gov') h),
    'relationship_history: the times follow the order of the events');
SET ROLE regress_operator;
SELECT results_eq(:'q_rh_gov', :'rh_gov', 'relationship_history, operator: the same four events');
SET ROLE regress_gov_sa;
SELECT results_eq(:'q_rh_gov', :'rh_gov', 'relationship_history, Gov''s sales_agent: all four events of its partner''s relationship');
SET ROLE regress_govcust_ga;
SELECT results_eq(:'q_rh_gov', :'rh_gov', 'relationship_history, GovCust: all four events of its relationship');
SET ROLE regress_office_ga;
SELECT is_empty(:'q_rh_gov', 'relationship_history, Office: nothing of Gov''s relationship');
SET ROLE regress_contoso_ga;
SELECT is_empty(:'q_rh_gov', 'relationship_history, Contoso: nothing of another customer''s relationship');
SET ROLE regress_nobody;
SELECT throws_ok(:'q_rh_gov', '42501', NULL, 'relationship_history, a role with no grant: permission denied');
RESET ROLE;

-- the history of the fixture's relationships, loaded by the superuser
\set q_rh 'SELECT relationship_id, operation, old_status, new_status, old_delegated_admin, new_delegated_admin FROM multipartner.relationship_history WHERE relationship_id <> ' :'r_gov' ' ORDER BY event_id'
SELECT format('(%L::uuid, ''INSERT'', NULL::text, ''active'', NULL::boolean, true)', :'r_oc') AS rh_oc,
       format('(%L::uuid, ''INSERT'', NULL::text, ''active'', NULL::boolean, true)', :'r_ac') AS rh_ac1,
       format('(%L::uuid, ''INSERT'', NULL::text, ''active'', NULL::boolean, true)', :'r_of') AS rh_of1,
       format('(%L::uuid, ''INSERT'', NULL::text, ''active'', NULL::boolean, true)', :'r_ln') AS rh_ln,
       format('(%L::uuid, ''INSERT'', NULL::text, ''active'', NULL::boolean, true)', :'r_at') AS rh_at1,
       format('(%L::uuid, ''UPDATE'', ''active'', ''active'', true, false)', :'r_ac') AS rh_ac2,
       format('(%L::uuid, ''UPDATE'', ''active'', ''terminated'', true, true)', :'r_at') AS rh_at2,
       format('(%L::uuid, ''UPDATE'', ''active'', ''active'', true, false)', :'r_of') AS rh_of2
\gset
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_oc' || ', ' || :'rh_ac1' || ', ' || :'rh_of1' || ', ' || :'rh_ln' || ', ' || :'rh_at1'
                  || ', ' || :'rh_ac2' || ', ' || :'rh_at2' || ', ' || :'rh_of2',
    'relationship_history, superuser: the five inserts, Azure''s revoked rights, Tailspin''s termination, Office''s revoked rights');
SET ROLE regress_office_ga;
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_oc' || ', ' || :'rh_of1' || ', ' || :'rh_of2',
    'relationship_history, Office: the events of its own relationships only');
SET ROLE regress_azure_sa;
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_ac1' || ', ' || :'rh_at1' || ', ' || :'rh_ac2' || ', ' || :'rh_at2',
    'relationship_history, Azure: its own, the termination included');
SET ROLE regress_contoso_reader;
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_oc' || ', ' || :'rh_ac1' || ', ' || :'rh_ac2',
    'relationship_history, Contoso: the events of both its relationships');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_of1' || ', ' || :'rh_of2',
    'relationship_history, Fabrikam: its relationship, its own revocation included');
SET ROLE regress_tailspin_ga;
SELECT results_eq(:'q_rh', 'VALUES ' || :'rh_at1' || ', ' || :'rh_at2',
    'relationship_history, Tailspin: its terminated relationship');
SET ROLE regress_papp_nomember;
SELECT is_empty(:'q_rh', 'relationship_history, a partner-app role of no partner: nothing');
RESET ROLE;

-------------------------------------------------------------------------------
-- every view is security_invoker, and the six are readable by exactly the
-- three roles; multipartner.refusals (the counters, not rows) by operators only
-------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT c.relname::text COLLATE "default", coalesce('security_invoker=true' = ANY (c.reloptions), false)
        FROM pg_class c WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'v' ORDER BY 1$$,
    $$VALUES ('admin_relationships', true), ('customer_partners', true), ('expiring', true), ('multi_partner_customers', true),
             ('orphaned_subscriptions', true), ('partner_customers', true), ('refusals', true),
             ('relationship_history', true), ('subscriptions_by_partner', true)$$,
    'the eight views and refusals, all security_invoker');
SELECT is_empty(
    $$SELECT c.relname
        FROM pg_class c
       WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'v'
         AND c.relname <> 'refusals'
         AND (NOT has_table_privilege('multipartner_operator', c.oid, 'SELECT')
              OR NOT has_table_privilege('multipartner_partner_app', c.oid, 'SELECT')
              OR NOT has_table_privilege('multipartner_customer_app', c.oid, 'SELECT')
              OR has_table_privilege('public', c.oid, 'SELECT'))$$,
    'the three roles may read every view, PUBLIC none');
SELECT results_eq(
    $$SELECT has_table_privilege('multipartner_operator', 'multipartner.refusals', 'SELECT'),
             has_table_privilege('multipartner_partner_app', 'multipartner.refusals', 'SELECT'),
             has_table_privilege('multipartner_customer_app', 'multipartner.refusals', 'SELECT'),
             has_table_privilege('public', 'multipartner.refusals', 'SELECT')$$,
    $$VALUES (true, false, false, false)$$,
    'multipartner.refusals: operators may read it, the application roles and PUBLIC not');

-- 0.9 rewrote customer_partners, admin_relationships and orphaned_subscriptions
-- as joins (one task per customer on Citus): on this file's data they give the
-- rows of the 0.8 definitions (test/view_forms.psql), for every role
\i test/view_forms.psql
SELECT is_empty('SELECT * FROM pg_temp.view_form_diffs()',
    'view forms: the 0.9 joins give the rows of the 0.8 definitions, for every role');
SELECT ok(pg_temp.view_form_rows('customer_partners') > 0,
    'view forms: ... compared on rows (customer_partners)');

SELECT * FROM finish();
\i test/teardown.psql
