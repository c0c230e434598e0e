-- fastpath: the direct path (src/fastpath.c) really runs when
-- multipartner.fast_path is on, and SPI really runs when it is off.  Both
-- paths give the same answers, so without this every suite would pass twice
-- even if the direct path's shape check sent every lookup to SPI.
-- multipartner.lookup_counts() counts, per backend, which path each lookup
-- took; this file runs a known workload under READ COMMITTED on the plain
-- heap tables and asserts, for each lookup, that the path current_setting(
-- 'multipartner.fast_path') says moved and the other did not (the same
-- expected output for both runs of the suite).  Then the two caches that
-- decide the path: a renamed key column of a probe's index, and whether
-- Citus is installed, must be noticed.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/state.psql

-- 'direct' in the run with the direct path, 'spi' in the run without it
SELECT CASE WHEN current_setting('multipartner.fast_path')::boolean THEN 'direct' ELSE 'spi' END AS expect \gset

-- the counts at a mark, and which path moved since: direct, spi, both, none
CREATE TEMP TABLE regress_mark (lookup text PRIMARY KEY, direct bigint, spi bigint);
CREATE FUNCTION pg_temp.mark() RETURNS void LANGUAGE sql AS $$
    DELETE FROM pg_temp.regress_mark;
    INSERT INTO pg_temp.regress_mark SELECT * FROM multipartner.lookup_counts();
$$;
CREATE FUNCTION pg_temp.moved(l text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN c.direct > m.direct AND c.spi > m.spi THEN 'both'
                WHEN c.direct > m.direct THEN 'direct'
                WHEN c.spi > m.spi THEN 'spi'
                ELSE 'none' END
      FROM multipartner.lookup_counts() c JOIN pg_temp.regress_mark m USING (lookup)
     WHERE c.lookup = l
$$;
-- an access assignment's status
CREATE FUNCTION pg_temp.ast(id uuid) RETURNS text LANGUAGE sql AS $$
    SELECT status::text FROM multipartner.access_assignment WHERE access_assignment_id = id
$$;
-- one sale by Office for Contoso (a new statement, so it reads the partner's status)
CREATE FUNCTION pg_temp.sale() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.sqlstate_of($q$SELECT multipartner.create_subscription('33333333-3333-4333-8333-000000000001', 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly')$q$)
$$;

SELECT plan(42);

-------------------------------------------------------------------------------
-- 1. The function
-------------------------------------------------------------------------------
SELECT set_eq('SELECT lookup FROM multipartner.lookup_counts()',
    ARRAY['partner_memberships', 'customer_memberships', 'partner_membership_lock', 'customer_membership_lock',
          'active_relationship_lock', 'partner_status', 'customer', 'open_relationship', 'any_relationship',
          'audit_insert', 'admin_roles', 'admin_name_taken', 'admin_id_taken', 'admin_relationship_lock',
          'end_assignments', 'restore_admin_relationship', 'partner_sees_customer', 'member_partners'],
    'lookup_counts() has a row for each lookup with a direct and an SPI implementation');
SET ROLE regress_operator;
SELECT lives_ok('SELECT * FROM multipartner.lookup_counts()', 'an operator may read lookup_counts()');
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.lookup_counts()', '42501', NULL, 'a partner application role may not');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.lookup_counts()', '42501', NULL, 'a customer application role may not');
RESET ROLE;

-------------------------------------------------------------------------------
-- 2. A known workload, READ COMMITTED, plain heap tables: every lookup on
--    the path the setting chose, none on the other
-------------------------------------------------------------------------------
SELECT is(current_setting('transaction_isolation'), 'read committed', 'the workload runs under READ COMMITTED');
SELECT pg_temp.mark() \gset
-- a sale (the role changes, so its memberships are read again)
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS w_sale \gset
-- a request, and the customer's accept (a customer member's write)
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS w_rel \gset
SET ROLE regress_fabrikam_ga;
SELECT pg_temp.sqlstate_of(format('SELECT multipartner.accept_relationship(%L)', :'w_rel')) AS w_accept \gset
-- a customer created by the partner: its active relationship asks whether the customer has any
SET ROLE regress_office_ga;
SELECT pg_temp.sqlstate_of($q$SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000f1', 'Regress Fastpath Customer', 'commercial')$q$) AS w_create \gset
RESET ROLE;
SELECT is(:'w_sale' || '/' || :'w_accept' || '/' || :'w_create', 'ok/ok/ok', 'workload: the sale, the accept and the customer creation succeed');
SELECT is(pg_temp.moved('partner_memberships'), :'expect', 'workload: partner_memberships took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('customer_memberships'), :'expect', 'workload: customer_memberships took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('customer_membership_lock'), :'expect', 'workload: customer_membership_lock took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('active_relationship_lock'), :'expect', 'workload: active_relationship_lock took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('partner_status'), :'expect', 'workload: partner_status took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('customer'), :'expect', 'workload: customer took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('open_relationship'), :'expect', 'workload: open_relationship took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('any_relationship'), :'expect', 'workload: any_relationship took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('audit_insert'), :'expect', 'workload: audit_insert took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('partner_membership_lock'), 'none',
    'workload: no partner_membership_lock lookup under READ COMMITTED (a partner member holds its member object lock instead)');

-------------------------------------------------------------------------------
-- 3. A key column of a probe's index renamed: the probe checks its columns
--    again.  Swapping the names of relationship.customer_id and partner_id
--    leaves the index on the same physical columns; by the names, Office no
--    longer has a relationship with Contoso, so its sale must be refused
--    (MP001), as SPI, which queries by name, refuses it.  The probe must not
--    answer from the columns it checked before the rename.
-------------------------------------------------------------------------------
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS rn_before \gset
RESET ROLE;
SELECT is(:'rn_before' || '/' || pg_temp.moved('active_relationship_lock'), 'ok/' || :'expect',
    'before the rename: a sale, its relationship lock on the path multipartner.fast_path chose');
SAVEPOINT regress_rename;
ALTER TABLE multipartner.relationship RENAME COLUMN customer_id TO regress_swap;
ALTER TABLE multipartner.relationship RENAME COLUMN partner_id TO customer_id;
ALTER TABLE multipartner.relationship RENAME COLUMN regress_swap TO partner_id;
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS rn_swapped \gset
RESET ROLE;
SELECT is(:'rn_swapped'::text, 'MP001', 'key columns swapped by name: the sale is refused, as the table now says (MP001)');
SELECT is(pg_temp.moved('active_relationship_lock'), 'spi', 'key columns swapped by name: the probe noticed and stepped aside for SPI');
ALTER TABLE multipartner.relationship RENAME COLUMN partner_id TO regress_swap;
ALTER TABLE multipartner.relationship RENAME COLUMN customer_id TO partner_id;
ALTER TABLE multipartner.relationship RENAME COLUMN regress_swap TO customer_id;
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS rn_back \gset
RESET ROLE;
SELECT is(:'rn_back' || '/' || pg_temp.moved('active_relationship_lock'), 'ok/' || :'expect',
    'names swapped back: the probe checks again, and is taken again');
ROLLBACK TO SAVEPOINT regress_rename;

-------------------------------------------------------------------------------
-- 4. Whether Citus is installed is asked again after a relcache
--    invalidation.  CREATE EXTENSION citus adds its pg_extension row and
--    creates its tables (each sends a relcache invalidation); here the row
--    is inserted by hand and one table created, in a savepoint rolled back.
--    With "Citus" installed and no table distributed (pg_dist_partition
--    knows none of them: src/placement.c), every lookup reads the table
--    itself on the path multipartner.fast_path chose, as without Citus (until
--    0.9 Citus alone sent everything to SPI); once it is gone, the same.
-------------------------------------------------------------------------------
SAVEPOINT regress_citus;
INSERT INTO pg_catalog.pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)
SELECT (max(oid::int8) + 1)::oid, 'citus', current_user::regrole, 'pg_catalog'::regnamespace, false, '11.3-1'
  FROM pg_catalog.pg_extension;
CREATE TABLE public.regress_pg_dist_partition (logicalrelid regclass);
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS ct_sale \gset
RESET ROLE;
SELECT is(:'ct_sale'::text, 'ok', 'with Citus installed: the sale succeeds');
SELECT is(pg_temp.moved('active_relationship_lock'), :'expect', 'with Citus installed: active_relationship_lock on the path multipartner.fast_path chose');
SELECT is(pg_temp.moved('partner_status'), :'expect', 'with Citus installed: partner_status on the path multipartner.fast_path chose');
SELECT is(pg_temp.moved('audit_insert'), :'expect', 'with Citus installed: audit_insert on the path multipartner.fast_path chose');
ROLLBACK TO SAVEPOINT regress_citus;
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS ct_gone \gset
RESET ROLE;
SELECT is(:'ct_gone'::text, 'ok', 'Citus gone again: the sale succeeds');
SELECT is(pg_temp.moved('active_relationship_lock'), :'expect', 'Citus gone again: active_relationship_lock on the path multipartner.fast_path chose');
SELECT is(pg_temp.moved('audit_insert'), :'expect', 'Citus gone again: audit_insert on the path multipartner.fast_path chose');

-------------------------------------------------------------------------------
-- 5. The answers of the roles acted as just before stay (identity.c, parked):
--    switching back to one reads its memberships again only after a change
--    of a membership table.  Path-independent: 'none' on both paths.
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS pk_first \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.acting_partner() IS NULL AS pk_fabrikam \gset
RESET ROLE;
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS pk_back \gset
RESET ROLE;
SELECT is(:'pk_first' || '/' || :'pk_fabrikam' || '/' || :'pk_back', 'ok/t/ok', 'parked: the sales and the role switch in between succeed');
SELECT is(pg_temp.moved('partner_memberships'), 'none', 'parked: back to a role acted as before, its memberships are not read again');
-- a change of a membership table (here: a role the sales agent gains) drops every parked answer
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_office_sa', :'office_id', 'helpdesk_agent');
SELECT pg_temp.mark() \gset
SET ROLE regress_office_sa;
SELECT pg_temp.sale() AS pk_changed \gset
RESET ROLE;
SELECT is(:'pk_changed'::text, 'ok', 'parked: a sale after the membership change succeeds');
SELECT is(pg_temp.moved('partner_memberships'), :'expect', 'parked: after a membership change the role''s memberships are read again');

-------------------------------------------------------------------------------
-- 6. GDAP (issue 13), READ COMMITTED: an admin relationship created (its
--    roles, its display name and its id looked up), submitted, approved, an
--    assignment made on it (the relationship locked), relationships ended
--    (their active assignments ended with them), an assignment loaded in
--    restore mode (its relationship looked up): each lookup on the path the
--    setting chose.  Ending assignments that are there is the UPDATE's
--    (their triggers and audit rows): SPI on both paths.
-------------------------------------------------------------------------------
SELECT pg_temp.mark() \gset
SET ROLE regress_office_aa;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Regress fastpath GDAP',
           ARRAY['Helpdesk Administrator', 'Exchange Administrator'], '180 days') AS g_ar \gset
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Regress fastpath GDAP empty',
           ARRAY['Helpdesk Administrator'], '180 days') AS g_empty \gset
SELECT multipartner.request_admin_approval(:'g_ar') AS ignored \gset
SELECT multipartner.request_admin_approval(:'g_empty') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'g_ar') AS ignored \gset
SELECT multipartner.approve_admin_relationship(:'g_empty') AS ignored \gset
SET ROLE regress_office_aa;
SELECT multipartner.assign_admin_access(:'g_ar', 'regress_office_hd', ARRAY['Helpdesk Administrator']) AS g_as \gset
RESET ROLE;
SELECT is(pg_temp.moved('admin_roles'), :'expect', 'GDAP: admin_roles took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('admin_name_taken'), :'expect', 'GDAP: admin_name_taken took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('admin_id_taken'), :'expect', 'GDAP: admin_id_taken took the path multipartner.fast_path chose, and only that one');
SELECT is(pg_temp.moved('admin_relationship_lock'), :'expect', 'GDAP: admin_relationship_lock took the path multipartner.fast_path chose, and only that one');
-- an active relationship without an assignment ends: nothing to end with it
SELECT pg_temp.mark() \gset
SET ROLE regress_office_aa;
SELECT multipartner.terminate_admin_relationship(:'g_empty') AS ignored \gset
RESET ROLE;
SELECT is(pg_temp.moved('end_assignments'), :'expect', 'GDAP: end_assignments of a relationship without active assignments took the path multipartner.fast_path chose, and only that one');
-- one with an active assignment: the UPDATE ends it
SELECT pg_temp.mark() \gset
SET ROLE regress_office_aa;
SELECT multipartner.terminate_admin_relationship(:'g_ar') AS ignored \gset
RESET ROLE;
SELECT is(pg_temp.moved('end_assignments') || '/' || pg_temp.ast(:'g_as'), 'spi/ended',
    'GDAP: end_assignments of a relationship with an active assignment ends it through SPI, on both paths');
-- restore mode: an assignment whose admin relationship is there is loaded
SELECT pg_temp.mark() \gset
SAVEPOINT regress_restore;
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
SELECT set_config('search_path', '', true) AS ignored \gset
INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, partner_id, grantee, roles, status)
VALUES (:'g_ar', :'contoso_id', :'office_id', 'regress_office_ga', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::uuid[], 'ended')
RETURNING access_assignment_id AS g_restored \gset
RESET search_path;
RESET check_function_bodies;
RESET row_security;
SELECT is(pg_temp.moved('restore_admin_relationship') || '/' || pg_temp.ast(:'g_restored'), :'expect' || '/ended',
    'GDAP: restore_admin_relationship took the path multipartner.fast_path chose, and only that one; the row is loaded');
ROLLBACK TO SAVEPOINT regress_restore;

-------------------------------------------------------------------------------
-- 7. The admin roles this backend keeps (lookup.c, admin_roles): a role
--    added is known at once, a role added and rolled back is unknown again
--    (every write to admin_role invalidates what is kept, a rollback
--    included), global_admin is read from the row.  The same answers on
--    both paths.
-------------------------------------------------------------------------------
\set role_new  'bbbbbbbb-0000-4000-8000-000000000001'
\set role_gone 'bbbbbbbb-0000-4000-8000-000000000002'
CREATE FUNCTION pg_temp.admin_rel(name text, role uuid, extend boolean) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.sqlstate_of(format(
        'INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles, auto_extend) VALUES (%L, %L, ARRAY[%L]::uuid[], %L)',
        '33333333-3333-4333-8333-000000000001', name, role, extend))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.admin_rel(text, uuid, boolean) TO PUBLIC;
SELECT is(:'contoso_id'::uuid, '33333333-3333-4333-8333-000000000001'::uuid, 'the customer pg_temp.admin_rel() writes for is Contoso');
-- the kept roles are filled (section 6 did), then a role is added
INSERT INTO multipartner.admin_role (role_id, name) VALUES (:'role_new', 'Regress New Administrator');
SET ROLE regress_office_aa;
SELECT is(pg_temp.admin_rel('Regress cache new', :'role_new', true), 'ok', 'admin roles: a role just added is known at once');
RESET ROLE;
SAVEPOINT regress_gone;
INSERT INTO multipartner.admin_role (role_id, name, global_admin) VALUES (:'role_gone', 'Regress Gone Administrator', true);
SET ROLE regress_office_aa;
SELECT is(pg_temp.admin_rel('Regress cache gone 1', :'role_gone', false) || '/' ||
          pg_temp.admin_rel('Regress cache gone 2', :'role_gone', true),
          'ok/MP011', 'admin roles: a role added in a savepoint is known, as a global_admin one (R17: MP011)');
RESET ROLE;
ROLLBACK TO SAVEPOINT regress_gone;
SET ROLE regress_office_aa;
SELECT is(pg_temp.admin_rel('Regress cache gone 3', :'role_gone', false), '23503',
    'admin roles: rolled back, the role is unknown again (23503), though this backend had kept it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
