\i test/setup.psql
-- gdap_orphaned: orphaned_subscriptions reads "delegated admin" (SPEC §6) as
-- the active relationship's DAP flag OR an effectively active GDAP admin
-- relationship of the partner of record with the customer (SPEC §9,
-- GDAP_DESIGN).  A subscription orphaned by a DAP revoke is no orphan while
-- such an admin relationship exists, and is one again once it ends: by time
-- (effectively expired, status still 'active' on record) or terminated.
-- Only an approved one of that very partner counts.
\i test/fixtures.psql
\i test/fixtures_done.psql

SELECT plan(20);

\set sub_c 'bbbbbbbb-bbbb-4bbb-8bbb-0000000000c1'
\set sub_f 'bbbbbbbb-bbbb-4bbb-8bbb-0000000000f1'
\set q_os 'SELECT subscription_id, reason FROM multipartner.orphaned_subscriptions ORDER BY subscription_id'

INSERT INTO multipartner.relationship (customer_id, partner_id, status, delegated_admin) VALUES
    (:'contoso_id', :'office_id', 'active', true),
    (:'contoso_id', :'azure_id', 'active', false),
    (:'fabrikam_id', :'office_id', 'active', true);
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
VALUES (:'sub_c', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly'),
       (:'sub_f', :'fabrikam_id', :'office_id', 'O365_E1', 'Microsoft 365', 3, 'P1Y', 'annual');

SELECT is_empty(:'q_os', 'DAP on both relationships: no orphan');

-- The customers revoke DAP: both subscriptions are orphaned
-- (the relationship's id read first: on Citus an API call per row of a
-- distributed table runs on the row's shard, where its own queries are nested
-- distributed queries; README "Running on Citus")
SELECT relationship_id AS rel_c FROM multipartner.relationship
 WHERE customer_id = :'contoso_id' AND partner_id = :'office_id' \gset
SELECT relationship_id AS rel_f FROM multipartner.relationship
 WHERE customer_id = :'fabrikam_id' AND partner_id = :'office_id' \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.revoke_delegated_admin(:'rel_c') AS ignored \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.revoke_delegated_admin(:'rel_f') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'DAP revoked at Contoso and Fabrikam: both of Office''s subscriptions are orphaned, delegated admin revoked');

-------------------------------------------------------------------------------
-- GDAP at Contoso: no orphan while effectively active, again once it
-- expires by time (recorded status still active)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso helpdesk',
           ARRAY['Helpdesk Administrator'], '30 days') AS ar_c \gset
SELECT multipartner.request_admin_approval(:'ar_c') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'an admin relationship pending approval is no delegated admin: still orphaned');
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar_c') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_f'),
    'an active GDAP admin relationship at Contoso: its subscription is no orphan any more, Fabrikam''s still is');
SET ROLE regress_office_sa;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_f'),
    'the partner of record reads the same (it sees its own admin relationship)');
SET ROLE regress_contoso_reader;
SELECT is_empty(:'q_os', 'the customer reads no orphan at Contoso (it sees its tenant''s admin relationship)');
SET ROLE regress_operator;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_f'),
    'an operator reads the same');
RESET ROLE;

-- time passes: its end_at is behind the clock (set in restore mode, as a
-- restored row would be); nothing records the expiry (in Citus mode on the
-- shard's worker, where the trigger runs: pg_temp.restore_on_shard())
SELECT format($$UPDATE %s SET end_at = pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 second' WHERE admin_relationship_id = %L$$,
              CASE WHEN :{?mp_citus_rules} THEN '{shard}' ELSE 'multipartner.admin_relationship' END, :'ar_c') AS end_c \gset
\if :{?mp_citus_rules}
SELECT pg_temp.restore_on_shard('multipartner.admin_relationship', :'contoso_id', :'end_c') AS ended \gset
\else
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
:end_c;
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\endif
SELECT is((SELECT (status, effective_status)::text FROM multipartner.admin_relationships
            WHERE admin_relationship_id = :'ar_c'),
          '(active,expired)', 'the Contoso admin relationship is past its end: recorded active, effectively expired');
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'effectively expired (not yet recorded): the Contoso subscription is orphaned again');
SET ROLE regress_office_sa;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    '... for the partner too');
RESET ROLE;
-- recording the expiry changes nothing
SET ROLE regress_operator;
SELECT is((SELECT count FROM multipartner.run_maintenance() WHERE kind = 'admin_relationship_expired'), 1::bigint,
          'run_maintenance() records the expiry');
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'recorded expired: still orphaned');

-- another partner's admin relationship at Contoso is not Office's delegated admin
SET ROLE regress_azure_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Azure at Contoso',
           ARRAY['Helpdesk Administrator'], '30 days') AS ar_az \gset
SELECT multipartner.request_admin_approval(:'ar_az') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar_az') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'Azure''s active admin relationship at Contoso does not count for Office''s subscription');

-------------------------------------------------------------------------------
-- GDAP at Fabrikam: no orphan while active, again once terminated
-------------------------------------------------------------------------------
SET ROLE regress_office_aa;
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'Fabrikam users',
           ARRAY['User Administrator', 'Global Administrator'], '730 days') AS ar_f \gset
SELECT multipartner.request_admin_approval(:'ar_f') AS ignored \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.approve_admin_relationship(:'ar_f') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_c'),
    'an active admin relationship at Fabrikam: its subscription is no orphan any more');
SET ROLE regress_office_ga;
SELECT multipartner.terminate_admin_relationship(:'ar_f') AS ignored \gset
RESET ROLE;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked'), (%L::uuid, 'delegated admin revoked')$$, :'sub_c', :'sub_f'),
    'terminated: the Fabrikam subscription is orphaned again');
SET ROLE regress_fabrikam_ga;
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_f'),
    '... as its customer reads it');
RESET ROLE;

-- DAP back: no orphan, whatever GDAP says
UPDATE multipartner.relationship SET delegated_admin = true
 WHERE customer_id = :'fabrikam_id' AND partner_id = :'office_id';
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'delegated admin revoked')$$, :'sub_c'),
    'DAP on again at Fabrikam (no GDAP there): no orphan');
-- a suspended partner's subscription is orphaned whatever delegated admin it has
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'office_id';
SELECT results_eq(:'q_os',
    format($$VALUES (%L::uuid, 'partner suspended'), (%L::uuid, 'partner suspended')$$, :'sub_c', :'sub_f'),
    'Office suspended: both orphaned, partner suspended');

-- 0.9 rewrote customer_partners, admin_relationships and orphaned_subscriptions
-- as joins (one task per customer on Citus): on this file's data they give the
-- rows of the 0.8 definitions (test/view_forms.psql), for every role
\i test/view_forms.psql
SELECT is_empty('SELECT * FROM pg_temp.view_form_diffs()',
    'view forms: the 0.9 joins give the rows of the 0.8 definitions, for every role');
SELECT ok(pg_temp.view_form_rows('orphaned_subscriptions') > 0 AND pg_temp.view_form_rows('admin_relationships') > 0,
    'view forms: ... compared on rows (orphaned_subscriptions, admin_relationships)');

SELECT * FROM finish();
\i test/teardown.psql
