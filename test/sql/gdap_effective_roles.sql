\i test/setup.psql
-- gdap_effective_roles: effective_admin_roles() (SPEC §9: GDAP assignments
-- intersected with their relationship's current roles while it is
-- effectively active; DAP for an admin_agent -> Global Administrator and a
-- helpdesk_agent -> Helpdesk Administrator only while the role has no active
-- GDAP assignment at that customer; source and until), the admin_role
-- catalog (the 17 seeded Entra roles by their template ids, operators add,
-- nobody renames or deletes), row-level visibility of admin_relationship and
-- access_assignment (partner its own, customer its tenant's, operator all),
-- the view admin_relationships, and the audit rows of every change.
\i test/fixtures.psql

\set role_ga     '62e90394-69f5-4237-9190-012177145e10'
\set role_exch   '29232cdf-9323-42fd-ade2-1d097af3e4de'
\set role_hd     '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set role_user   'fe930be7-5e62-47db-91af-98c3a49a38b1'
-- An active relationship Office -> Fabrikam past its end_at, and an
-- assignment of it, loaded in restore mode (a superuser session with
-- row_security = off, check_function_bodies = off and an empty search_path:
-- the triggers let the past stamps through) with the fixtures: on Citus
-- restore mode is a session's of one node, not carried to the workers (a
-- restore runs against one node, then CALL distribute(), which claims the
-- name), so the rows are there before the tables are distributed.  Nothing
-- before their own tests reads Fabrikam's admin relationships.
\set ar_old 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000f1'
\set as_old 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000f2'
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
VALUES (:'ar_old', :'fabrikam_id', :'office_id', 'Old', ARRAY[:'role_user']::pg_catalog.uuid[], '30 days', false, 'active',
        'regress_office_ga', now() - interval '40 days', now() - interval '40 days', 'regress_fabrikam_ga', now() - interval '31 days',
        now() - interval '31 days', now() - interval '1 day');
INSERT INTO multipartner.access_assignment
    (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status, created_by, created_at)
VALUES (:'as_old', :'ar_old', :'fabrikam_id', :'office_id', 'regress_office_sa'::pg_catalog.regrole,
        ARRAY[:'role_user']::pg_catalog.uuid[], 'active', 'regress_office_ga', now() - interval '20 days');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\i test/fixtures_done.psql

SELECT plan(60);

CREATE FUNCTION pg_temp.roles_here(c uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT coalesce(string_agg(role_name || ':' || source, ',' ORDER BY role_name, source), '')
              FROM multipartner.effective_admin_roles(c));
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.roles_here(uuid) TO PUBLIC;

-------------------------------------------------------------------------------
-- The admin_role catalog
-------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM multipartner.admin_role), 17, 'admin_role is seeded with 17 roles');
SELECT set_eq('SELECT role_id, name, global_admin FROM multipartner.admin_role',
    $$VALUES ('62e90394-69f5-4237-9190-012177145e10'::uuid, 'Global Administrator', true),
             ('f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'Global Reader', false),
             ('fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator', false),
             ('729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator', false),
             ('b0f54661-2d74-4c50-afa3-1ec803f12efe', 'Billing Administrator', false),
             ('4d6ac14f-3453-41d0-bef9-a3e0c569773a', 'License Administrator', false),
             ('29232cdf-9323-42fd-ade2-1d097af3e4de', 'Exchange Administrator', false),
             ('f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'SharePoint Administrator', false),
             ('69091246-20e8-4a56-aa4d-066075b2a7a8', 'Teams Administrator', false),
             ('3a2c62db-5318-420d-8d74-23affee5d9d5', 'Intune Administrator', false),
             ('194ae4cb-b126-40b2-bd5b-6091b380977d', 'Security Administrator', false),
             ('5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader', false),
             ('e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator', false),
             ('88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'Directory Readers', false),
             ('f023fd81-a637-4b56-95fd-791ac0226033', 'Service Support Administrator', false),
             ('7698a772-787b-4ac8-901f-60d6b08affd2', 'Cloud Device Administrator', false),
             ('9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', 'Application Administrator', false)$$,
    'the seeded roles carry their Entra template ids; only Global Administrator has global_admin');
SET ROLE regress_office_sa;
SELECT is((SELECT count(*)::int FROM multipartner.admin_role), 17, 'a partner role reads the catalog');
SELECT throws_ok($$INSERT INTO multipartner.admin_role (role_id, name) VALUES ('0ef4a1fd-0000-4000-8000-000000000001', 'Fake')$$,
                 '42501', NULL, 'a partner role may not add a role (42501)');
SET ROLE regress_contoso_reader;
SELECT is((SELECT count(*)::int FROM multipartner.admin_role), 17, 'a customer role reads the catalog');
SELECT throws_ok($$UPDATE multipartner.admin_role SET name = 'x'$$, '42501', NULL, 'a customer role may not rename a role (42501)');
SET ROLE regress_operator;
SELECT lives_ok($$INSERT INTO multipartner.admin_role (role_id, name) VALUES ('44367163-eba1-44c3-98af-f5787879f96a', 'Dynamics 365 Administrator')$$,
                'an operator adds a role');
SELECT throws_ok($$UPDATE multipartner.admin_role SET name = 'Dynamics Admin' WHERE role_id = '44367163-eba1-44c3-98af-f5787879f96a'$$,
                 'MP008', NULL, 'nobody renames a role, not the operator who added it (MP008)');
SELECT throws_ok(format('UPDATE multipartner.admin_role SET global_admin = false WHERE role_id = %L', :'role_ga'),
                 'MP008', NULL, 'global_admin is fixed (MP008)');
SELECT throws_ok(format('UPDATE multipartner.admin_role SET role_id = %L WHERE role_id = %L', :'unknown_id', :'role_hd'),
                 'MP008', NULL, 'a role''s id is fixed (MP008)');
SELECT throws_ok(format('DELETE FROM multipartner.admin_role WHERE role_id = %L', :'role_hd'),
                 'MP007', NULL, 'an operator cannot delete a role (MP007)');
RESET ROLE;
SELECT throws_ok($$DELETE FROM multipartner.admin_role WHERE role_id = '44367163-eba1-44c3-98af-f5787879f96a'$$,
                 'MP007', NULL, 'the superuser cannot delete a role, not even an added one (MP007)');
SELECT throws_ok('TRUNCATE multipartner.admin_role CASCADE', 'MP007', NULL, 'nor TRUNCATE the catalog (MP007)');
SELECT throws_ok($$UPDATE multipartner.admin_role SET name = 'GA' WHERE name = 'Global Administrator'$$,
                 'MP008', NULL, 'the superuser cannot rename a role (MP008)');
SELECT is((SELECT count(*)::int FROM multipartner.admin_role), 18, '18 roles now, none renamed');

-------------------------------------------------------------------------------
-- Set-up: Office and Azure sell to Contoso, Office with DAP, Azure without;
-- an active GDAP relationship Office -> Contoso
-------------------------------------------------------------------------------
INSERT INTO multipartner.relationship (customer_id, partner_id, status, delegated_admin) VALUES
    (:'contoso_id', :'office_id', 'active', true),
    (:'contoso_id', :'azure_id', 'active', false),
    (:'fabrikam_id', :'office_id', 'active', true);
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso Exchange and Helpdesk',
           ARRAY['Exchange Administrator', 'Helpdesk Administrator', 'Global Administrator'], '180 days') AS ar \gset
SELECT multipartner.request_admin_approval(:'ar') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar') AS ignored \gset
RESET ROLE;
SELECT end_at AS ar_end FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar' \gset

-------------------------------------------------------------------------------
-- effective_admin_roles(): DAP while no GDAP assignment
-------------------------------------------------------------------------------
SET ROLE regress_office_aa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Global Administrator:dap',
          'DAP: an admin_agent holds Global Administrator while the relationship has delegated_admin');
SELECT is((SELECT (role_id, admin_relationship_id, until)::text FROM multipartner.effective_admin_roles(:'contoso_id')),
          format('(%s,,)', :'role_ga'), 'DAP rows: the role''s id, no admin relationship, no until');
SET ROLE regress_office_hd;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Helpdesk Administrator:dap',
          'DAP: a helpdesk_agent holds Helpdesk Administrator');
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'DAP gives a sales_agent nothing');
SET ROLE regress_office_ga;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'DAP gives the partner''s global_admin nothing (SPEC names admin_agent and helpdesk_agent only)');
SET ROLE regress_azure_aa;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'no DAP without delegated_admin: Azure''s admin_agent holds nothing');
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'a customer role holds no partner admin role');

-------------------------------------------------------------------------------
-- GDAP: assignments, intersected with the relationship's current roles;
-- GDAP takes precedence over DAP for that role at that customer
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.assign_admin_access(:'ar', 'regress_office_hd', ARRAY['Exchange Administrator']) AS as_hd \gset
SELECT multipartner.assign_admin_access(:'ar', 'regress_office_sa', ARRAY['Helpdesk Administrator', 'Global Administrator']) AS as_sa \gset
SET ROLE regress_office_hd;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Exchange Administrator:gdap',
          'GDAP precedence: a helpdesk_agent with an active assignment holds its roles only, not the DAP Helpdesk Administrator');
SELECT is((SELECT (role_id, admin_relationship_id, until)::text FROM multipartner.effective_admin_roles(:'contoso_id')),
          format('(%s,%s,"%s")', :'role_exch', :'ar', :'ar_end'),
          'GDAP rows: the role, its admin relationship and until = its effective end');
SELECT is(pg_temp.roles_here(:'fabrikam_id'), 'Helpdesk Administrator:dap',
          'precedence is per customer: at Fabrikam (no GDAP) the helpdesk_agent still has DAP');
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Global Administrator:gdap,Helpdesk Administrator:gdap',
          'GDAP: any partner member holds what it is assigned');
SET ROLE regress_office_aa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Global Administrator:dap', 'the admin_agent without an assignment keeps DAP');
SET ROLE regress_office_ga;
SELECT multipartner.assign_admin_access(:'ar', 'regress_office_aa', ARRAY['Global Administrator']) AS as_aa \gset
SET ROLE regress_office_aa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Global Administrator:gdap', 'assigned Global Administrator, the admin_agent holds it from GDAP');
RESET ROLE;
-- Global Administrator removed from the relationship: the assignment keeps
-- it on record, the intersection drops it
SET ROLE regress_office_ga;
SELECT lives_ok(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                       ARRAY[:'role_exch', :'role_hd']::uuid[], :'ar'),
                'the partner removes Global Administrator from the relationship');
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Helpdesk Administrator:gdap',
          'intersection: Global Administrator is gone from the sales_agent''s effective roles');
SET ROLE regress_office_aa;
SELECT is(pg_temp.roles_here(:'contoso_id'), '',
          'GDAP precedence holds when the assignment grants nothing any more: the admin_agent does not fall back to DAP''s Global Administrator');
RESET ROLE;
SELECT is((SELECT cardinality(roles) FROM multipartner.access_assignment WHERE access_assignment_id = :'as_sa'), 2,
          '... while its assignment row still lists both roles');
-- the assignment ended: DAP again
SET ROLE regress_office_ga;
SELECT multipartner.end_admin_access(:'as_hd') AS ignored \gset
SET ROLE regress_office_hd;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Helpdesk Administrator:dap', 'its assignment ended, the helpdesk_agent is back on DAP');
-- DAP revoked: only GDAP is left
SET ROLE regress_contoso_ga;
-- the id first, then the call (on Citus a call per row of a distributed table would run on the
-- row's shard, and the function's own queries there are refused as nested distributed queries)
SELECT relationship_id AS dap_rel FROM multipartner.relationship
 WHERE customer_id = :'contoso_id' AND partner_id = :'office_id' \gset
SELECT multipartner.revoke_delegated_admin(:'dap_rel') AS ignored \gset
SET ROLE regress_office_hd;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'DAP revoked: nothing from DAP');
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'contoso_id'), 'Helpdesk Administrator:gdap', 'GDAP does not depend on DAP');
-- the relationship ends: nothing from it
SET ROLE regress_contoso_ga;
SELECT multipartner.terminate_admin_relationship(:'ar') AS ignored \gset
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'contoso_id'), '', 'terminated: no GDAP role left');
RESET ROLE;
-- an active relationship past its end_at (loaded in restore mode with the fixtures) gives nothing
SET ROLE regress_office_sa;
SELECT is(pg_temp.roles_here(:'fabrikam_id'), '', 'a relationship past its end_at gives nothing, before anything recorded its expiry');
SET ROLE regress_office_hd;
SELECT is(pg_temp.roles_here(:'fabrikam_id'), 'Helpdesk Administrator:dap', '... and takes nobody''s DAP (the helpdesk_agent has no assignment there)');
RESET ROLE;

-------------------------------------------------------------------------------
-- Row-level visibility and the view
-------------------------------------------------------------------------------
SET ROLE regress_azure_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Azure at Contoso', ARRAY['Teams Administrator']) AS ar_az \gset
RESET ROLE;
SET ROLE regress_office_sa;
SELECT is((SELECT array_agg(DISTINCT partner_id) FROM multipartner.admin_relationship), ARRAY[:'office_id']::uuid[],
          'a partner role sees its own admin relationships only');
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment), 4, 'a partner role sees its own assignments');
SET ROLE regress_azure_ga;
SELECT is((SELECT array_agg(admin_relationship_id) FROM multipartner.admin_relationship), ARRAY[:'ar_az']::uuid[],
          'Azure sees only Azure''s');
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment), 0, 'Azure sees none of Office''s assignments');
SET ROLE regress_contoso_reader;
SELECT is((SELECT array_agg(display_name ORDER BY display_name) FROM multipartner.admin_relationship),
          ARRAY['Azure at Contoso', 'Contoso Exchange and Helpdesk'], 'a customer role sees its tenant''s, of every partner');
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment), 3, 'a customer role sees the assignments at its tenant');
SET ROLE regress_fabrikam_ga;
SELECT is((SELECT array_agg(display_name) FROM multipartner.admin_relationship), ARRAY['Old'],
          'another customer sees only its own');
SET ROLE regress_papp_nomember;
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationship) + (SELECT count(*)::int FROM multipartner.access_assignment), 0,
          'a partner-app role of no partner sees nothing');
SET ROLE regress_operator;
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationship), 3, 'an operator sees all admin relationships');
SELECT is((SELECT count(*)::int FROM multipartner.access_assignment), 4, 'an operator sees all assignments');
SET ROLE regress_contoso_reader;
SELECT is((SELECT (partner_id, display_name, status, effective_status, role_names)::text
             FROM multipartner.admin_relationships WHERE admin_relationship_id = :'ar_az'),
          format('(%s,"Azure at Contoso",created,created,"{""Teams Administrator""}")', :'azure_id'),
          'the view admin_relationships: status, effective status and role names');
SET ROLE regress_azure_ga;
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationships), 1, 'the view shows a partner only its own');
SET ROLE regress_office_ga;
SELECT is((SELECT (status, effective_status)::text FROM multipartner.admin_relationships WHERE admin_relationship_id = :'ar_old'),
          '(active,expired)', 'the view shows what time made of a relationship');
RESET ROLE;

-------------------------------------------------------------------------------
-- Audit: every change has its row
-------------------------------------------------------------------------------
SELECT is((SELECT array_agg(operation || ':' || coalesce(new_row->>'status', '') ORDER BY event_id)
             FROM multipartner.audit_log
            WHERE table_name = 'admin_relationship' AND new_row->>'admin_relationship_id' = :'ar'),
          ARRAY['INSERT:created', 'UPDATE:approval_pending', 'UPDATE:active', 'UPDATE:active', 'UPDATE:terminated'],
          'audit: create, request, approve, the roles edit and the termination of the relationship');
SELECT is((SELECT array_agg(actor::text ORDER BY event_id)
             FROM multipartner.audit_log
            WHERE table_name = 'admin_relationship' AND new_row->>'admin_relationship_id' = :'ar'),
          ARRAY['regress_office_ga', 'regress_office_ga', 'regress_contoso_ga', 'regress_office_ga', 'regress_contoso_ga'],
          'audit: each by its actor');
SELECT is((SELECT array_agg(operation || ':' || coalesce(new_row->>'status', '') ORDER BY event_id)
             FROM multipartner.audit_log
            WHERE table_name = 'access_assignment' AND new_row->>'access_assignment_id' = :'as_hd'),
          ARRAY['INSERT:active', 'UPDATE:ended'], 'audit: an assignment made and ended');
SELECT is((SELECT array_agg(operation ORDER BY event_id) FROM multipartner.audit_log
            WHERE table_name = 'admin_role' AND new_row->>'role_id' = '44367163-eba1-44c3-98af-f5787879f96a'),
          ARRAY['INSERT'], 'audit: the role an operator added');

-------------------------------------------------------------------------------
-- audit_key (0.9): every audit row carries the key it is kept by on Citus,
-- the changed row's customer_id, else its partner_id (partner,
-- partner_member), else its role_id (admin_role), read here from the row
-- image itself; this file's writes (with a subscription, an update and a
-- delete besides) reach all nine audited tables, on both lookup paths
-------------------------------------------------------------------------------
INSERT INTO multipartner.subscription
    (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
VALUES (:'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
UPDATE multipartner.partner SET name = name WHERE partner_id = :'office_id';
DELETE FROM multipartner.partner_member WHERE member = 'regress_office_hd'::regrole;
SELECT results_eq($$SELECT DISTINCT table_name::text COLLATE "default" FROM multipartner.audit_log ORDER BY 1$$,
    $$VALUES ('access_assignment'), ('admin_relationship'), ('admin_role'), ('customer'),
             ('customer_member'), ('partner'), ('partner_member'), ('relationship'), ('subscription')$$,
    'audit_key: this file has audit rows of every audited table');
SELECT is_empty($$
    SELECT table_name, operation, row_id, audit_key
      FROM multipartner.audit_log a,
           LATERAL (SELECT COALESCE(a.new_row, a.old_row) AS img) i
     WHERE a.audit_key IS DISTINCT FROM
           COALESCE(i.img->>'customer_id', i.img->>'partner_id', i.img->>'role_id')::uuid$$,
    'audit_key: the customer of a customer-keyed row, else the partner, else the role id');
SELECT results_eq($$SELECT table_name::text COLLATE "default", count(*)::int FROM multipartner.audit_log
                     WHERE audit_key = partner_id AND customer_id IS NULL GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('partner', (SELECT count(*)::int FROM multipartner.audit_log WHERE table_name = 'partner')),
             ('partner_member', (SELECT count(*)::int FROM multipartner.audit_log WHERE table_name = 'partner_member'))$$,
    'audit_key: partner and partner_member rows (and only those) are keyed by their partner');

-- 0.9 rewrote customer_partners, admin_relationships and orphaned_subscriptions
-- as joins (one task per customer on Citus): on this file's data they give the
-- rows of the 0.8 definitions (test/view_forms.psql), for every role
\i test/view_forms.psql
SELECT is_empty('SELECT * FROM pg_temp.view_form_diffs()',
    'view forms: the 0.9 joins give the rows of the 0.8 definitions, for every role');
SELECT ok(pg_temp.view_form_rows('customer_partners') > 0 AND pg_temp.view_form_rows('admin_relationships') > 0,
    'view forms: ... compared on rows (customer_partners, admin_relationships)');

SELECT * FROM finish();
\i test/teardown.psql
