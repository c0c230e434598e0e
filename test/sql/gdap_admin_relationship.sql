\i test/setup.psql
-- gdap_admin_relationship: GDAP admin relationships (SPEC §9, §10; the lead's
-- design of issue 13) through the SQL API and through direct DML, as every
-- role that matters: R14 (who creates, submits, withdraws, approves,
-- declines, terminates; an active reseller relationship and an active
-- partner to create), R15 (name, roles, duration), R16 (terms), R17
-- (auto_extend and Global Administrator), R18 (the state machine), R20
-- (never deleted, parties and ids immutable), the stamps only the trigger
-- writes (428C9), and what time makes of a relationship: effective_status()
-- and effective_end_at() at the statement clock (expiry 90 days after the
-- request, at end_at, auto-extension by 180 days) and what run_maintenance()
-- records of it.
--
-- Rows with times in the past are loaded by the superuser in restore mode
-- (pg_dump's settings: the rules and the audit step aside), the only writer
-- that may set the stamps; the statement clock is shown with the technique
-- of test/sql/clock.sql (a row 0.5 s inside a window, then pg_sleep(0.6)).
-- In the Citus mode of the suite (README "The rule suites on distributed
-- tables") the section "Time" writes those rows on their shard's worker in
-- restore mode there, in the session's TimeZone, and runs the clock tests in a
-- transaction of their own: comments there say why.
-- Refusals are checked by SQLSTATE.
\i test/fixtures.psql
\i test/fixtures_bypass.psql
\i test/fixtures_done.psql

SELECT plan(210);
-- durations are compared as text in PostgreSQL's own style (pg_regress sets
-- PGINTERVALSTYLE=postgres_verbose)
SET intervalstyle = postgres;

-- Entra role template ids (test/gdap_roles.tsv of the design)
\set role_ga     '62e90394-69f5-4237-9190-012177145e10'
\set role_exch   '29232cdf-9323-42fd-ade2-1d097af3e4de'
\set role_hd     '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set role_user   'fe930be7-5e62-47db-91af-98c3a49a38b1'
\set role_reader 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'
-- a customer Office has no reseller relationship with (its id is its tenant id:
-- the form that works on Citus too, where a customer's id must be its tenant id)
\set c_none '44444444-4444-4444-8444-0000000000d1'
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'c_none', :'c_none', 'Adatum', 'commercial');
-- reseller relationships: Office and Azure with Contoso, Office with Fabrikam
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active'),
    (:'contoso_id', :'azure_id', 'active'),
    (:'fabrikam_id', :'office_id', 'active');
SELECT relationship_id AS rel_fab_office FROM multipartner.relationship
 WHERE customer_id = :'fabrikam_id' AND partner_id = :'office_id' \gset

-- (PL/pgSQL, not SQL, where a parameter is in a query of admin_relationship:
-- on Citus a SQL function's is refused, "could not create distributed plan")
CREATE FUNCTION pg_temp.st(id uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT status::text FROM multipartner.admin_relationship WHERE admin_relationship_id = id);
END
$$;
-- effective_status() / effective_end_at(), an error turned into text
CREATE FUNCTION pg_temp.eff(id uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT multipartner.effective_status(a)::text
              FROM multipartner.admin_relationship a WHERE a.admin_relationship_id = id);
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE FUNCTION pg_temp.eff_end(id uuid) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT multipartner.effective_end_at(a) FROM multipartner.admin_relationship a
             WHERE a.admin_relationship_id = id);
END
$$;
CREATE FUNCTION pg_temp.sorted(a uuid[]) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(x ORDER BY x) FROM unnest(a) x
$$;
-- an UPDATE as the current role: the SQLSTATE, or 'rows N'
CREATE FUNCTION pg_temp.upd(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN 'rows ' || n;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
-- A direct write of a display name (an INSERT, or an UPDATE of ar1's name),
-- as the statement to run.  On one node the statement itself.  On Citus a
-- direct writer claims the name first, in the same transaction (R15, README
-- "Display names on Citus"): the claim, then the write (an INSERT gets the
-- id its claim names), one string that throws_ok(), lives_ok() and upd()
-- run in one transaction, so a refused write takes its claim with it.
\if :{?mp_citus_rules}
CREATE FUNCTION pg_temp.claimed(name text, customer uuid, sql text, id uuid DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    ins boolean := sql ~ '^INSERT INTO multipartner\.admin_relationship \(';
BEGIN
    IF ins THEN
        id := gen_random_uuid();
        sql := regexp_replace(sql, '^INSERT INTO multipartner\.admin_relationship \(',
                              'INSERT INTO multipartner.admin_relationship (admin_relationship_id, ');
        sql := regexp_replace(sql, ' VALUES \(', format(' VALUES (%L, ', id));
    END IF;
    RETURN format('INSERT INTO multipartner.admin_relationship_name (display_name, customer_id, admin_relationship_id) VALUES (%L, %L, %L); ',
                  name, customer, id) || sql;
END
$$;
\else
CREATE FUNCTION pg_temp.claimed(name text, customer uuid, sql text, id uuid DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN sql;
END
$$;
\endif
GRANT EXECUTE ON FUNCTION pg_temp.st(uuid), pg_temp.eff(uuid), pg_temp.eff_end(uuid),
    pg_temp.sorted(uuid[]), pg_temp.upd(text), pg_temp.claimed(text, uuid, text, uuid) TO PUBLIC;

-------------------------------------------------------------------------------
-- R14: create, as each role
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Exchange and Helpdesk',
           ARRAY['Exchange Administrator', 'Helpdesk Administrator'], '180 days') AS ar1,
       statement_timestamp() AS ar1_at \gset
-- A stamp is the statement time of the node that writes the row: on one node
-- the statement_timestamp() above (ar1_hi is ar1_at, so BETWEEN is equality);
-- on Citus the worker's, a little later, so there it lies between the
-- coordinator's statement_timestamp() and clock_timestamp() after the
-- statement (README "Running on Citus")
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'ar1_at' END AS ar1_hi \gset
RESET ROLE;
SELECT is((SELECT (customer_id, partner_id, display_name, duration, auto_extend, status, created_by)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          format('(%s,%s,"Exchange and Helpdesk","180 days",f,created,regress_office_ga)', :'contoso_id', :'office_id'),
          'create_admin_relationship(): a created relationship of the acting partner, with the given terms');
SELECT is((SELECT ARRAY(SELECT x FROM unnest(roles) x ORDER BY x) FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          pg_temp.sorted(ARRAY[:'role_exch', :'role_hd']::uuid[]), 'roles given by name are stored as their template ids');
SELECT ok((SELECT created_at BETWEEN :'ar1_at' AND :'ar1_hi' AND requested_at IS NULL AND decided_by IS NULL AND decided_at IS NULL
                  AND activated_at IS NULL AND end_at IS NULL AND ended_by IS NULL AND ended_at IS NULL
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          'created_at is the start of the creating statement; nothing else is stamped yet');

SET ROLE regress_office_aa;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'By id',
           ARRAY[:'role_user', :'role_reader']) AS ar2 \gset
RESET ROLE;
SELECT is((SELECT (duration, auto_extend, created_by, ARRAY(SELECT x FROM unnest(roles) x ORDER BY x) = ARRAY(SELECT x FROM unnest(ARRAY[:'role_user', :'role_reader']::uuid[]) x ORDER BY x))::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar2'),
          '("730 days",f,regress_office_aa,t)',
          'R14: an admin_agent creates one; roles by id; duration 730 days and no auto_extend by default');

SET ROLE regress_office_uma;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a user_management_admin may not create an admin relationship (42501)');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a sales_agent may not create one (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a helpdesk_agent may not create one (42501)');
SET ROLE regress_office_ba;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a billing_admin may not create one (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: the customer''s global_admin may not create one (42501)');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: the customer''s reader may not create one (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: an operator does not create admin relationships on a partner''s behalf (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a partner-app role of no partner may not create one (42501)');
SET ROLE regress_nobody;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14: a role with no grant may not create one (42501)');
SET ROLE regress_multi;
SET multipartner.acting_partner = :'azure_id';
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'x', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '42501', NULL, 'R14 follows the acting partner: as Azure helpdesk_agent it may not create one');
SET multipartner.acting_partner = :'office_id';
SELECT lives_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Multi as Office', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                'R14 follows the acting partner: as Office global_admin it may');
RESET multipartner.acting_partner;
RESET ROLE;
SELECT is((SELECT partner_id FROM multipartner.admin_relationship WHERE display_name = 'Multi as Office'),
          :'office_id'::uuid, '... for Office');
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationship WHERE display_name = 'x'), 0,
          'the refused creations left nothing behind');

-- the reseller relationship and the partner's status
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'No reseller', ARRAY['Exchange Administrator'])$$, :'c_none'),
                 'MP001', NULL, 'R14: no admin relationship without an active reseller relationship with the customer (MP001)');
RESET ROLE;
INSERT INTO multipartner.relationship (customer_id, partner_id, requested_at)
VALUES (:'c_none', :'office_id', statement_timestamp());
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'No reseller', ARRAY['Exchange Administrator'])$$, :'c_none'),
                 'MP001', NULL, 'R14: a pending reseller relationship is not enough (MP001)');
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Not yours', ARRAY['Exchange Administrator'])$$, :'govcust_id'),
                 NULL, NULL, 'R14: nor a customer of another cloud with which it has nothing');
RESET ROLE;
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'office_id';
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Suspended', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '55000', NULL, 'R14: a suspended partner creates no admin relationship (55000)');
RESET ROLE;
UPDATE multipartner.partner SET status = 'active' WHERE partner_id = :'office_id';

-- direct INSERT obeys the same rules
SET ROLE regress_office_aa;
SELECT lives_ok(pg_temp.claimed('Direct', :'fabrikam_id',
                format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                       :'fabrikam_id', :'office_id', 'Direct', ARRAY[:'role_hd']::uuid[])),
                'direct INSERT: an admin_agent inserts a created admin relationship');
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Direct SA', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a sales_agent may not (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Direct HD', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a helpdesk_agent may not (42501)');
SET ROLE regress_office_uma;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Direct UMA', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a user_management_admin may not (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'contoso_id', :'azure_id', 'For Azure', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a partner cannot insert one for another partner (42501)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, status) VALUES (%L, %L, %L, %L, %L)',
                        :'contoso_id', :'office_id', 'Born active', ARRAY[:'role_hd']::uuid[], 'active'),
                 NULL, NULL, 'direct INSERT: a new admin relationship cannot start active');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, status) VALUES (%L, %L, %L, %L, %L)',
                        :'contoso_id', :'office_id', 'Born pending', ARRAY[:'role_hd']::uuid[], 'approval_pending'),
                 NULL, NULL, 'direct INSERT: ... nor approval_pending');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'c_none', :'office_id', 'Direct none', ARRAY[:'role_hd']::uuid[]),
                 'MP001', NULL, 'direct INSERT: no active reseller relationship (MP001)');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'contoso_id', :'office_id', 'By operator', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: an operator does not create one (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'contoso_id', :'office_id', 'By customer', ARRAY[:'role_hd']::uuid[]),
                 '42501', NULL, 'direct INSERT: a customer does not create one (42501)');
RESET ROLE;
SELECT admin_relationship_id AS ar_direct FROM multipartner.admin_relationship WHERE display_name = 'Direct' \gset
SELECT is((SELECT (status, created_by)::text FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar_direct'),
          '(created,regress_office_aa)', 'the directly inserted one is created, by the inserting role');

-------------------------------------------------------------------------------
-- Stamps: only the trigger writes them (428C9)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(pg_temp.claimed('Stamp 1', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, created_by) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Stamp 1', ARRAY[:'role_hd']::uuid[], 'regress_office_aa')),
                 '428C9', NULL, 'INSERT: created_by another role (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 2', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, created_at) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Stamp 2', ARRAY[:'role_hd']::uuid[], '2020-01-01 00:00:00+00')),
                 '428C9', NULL, 'INSERT: a backdated created_at (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 3', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, created_at) VALUES (%L, %L, %L, %L, now())',
                        :'fabrikam_id', :'office_id', 'Stamp 3', ARRAY[:'role_hd']::uuid[])),
                 '428C9', NULL, 'INSERT: created_at at the transaction''s start (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 4', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, requested_at) VALUES (%L, %L, %L, %L, statement_timestamp())',
                        :'fabrikam_id', :'office_id', 'Stamp 4', ARRAY[:'role_hd']::uuid[])),
                 '428C9', NULL, 'INSERT: requested_at (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 5', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, decided_by) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Stamp 5', ARRAY[:'role_hd']::uuid[], 'regress_fabrikam_ga')),
                 '428C9', NULL, 'INSERT: decided_by (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 6', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, activated_at) VALUES (%L, %L, %L, %L, statement_timestamp())',
                        :'fabrikam_id', :'office_id', 'Stamp 6', ARRAY[:'role_hd']::uuid[])),
                 '428C9', NULL, 'INSERT: activated_at (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 7', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, end_at) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Stamp 7', ARRAY[:'role_hd']::uuid[], '2099-01-01 00:00:00+00')),
                 '428C9', NULL, 'INSERT: end_at (428C9)');
SELECT throws_ok(pg_temp.claimed('Stamp 8', :'fabrikam_id', format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, ended_at) VALUES (%L, %L, %L, %L, statement_timestamp())',
                        :'fabrikam_id', :'office_id', 'Stamp 8', ARRAY[:'role_hd']::uuid[])),
                 '428C9', NULL, 'INSERT: ended_at (428C9)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET created_at = %L WHERE admin_relationship_id = %L',
                             '2020-01-01 00:00:00+00', :'ar1')),
          '428C9', 'UPDATE: created_at cannot be rewritten (428C9)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET created_by = %L WHERE admin_relationship_id = %L',
                             'regress_office_aa', :'ar1')),
          '428C9', 'UPDATE: created_by cannot be rewritten (428C9)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET requested_at = statement_timestamp() WHERE admin_relationship_id = %L', :'ar1')),
          '428C9', 'UPDATE: requested_at without the status change (428C9)');
RESET ROLE;

-------------------------------------------------------------------------------
-- R15 on create (the API's own bad input is test/sql/gdap_bad_input.sql)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Exchange and Helpdesk', ARRAY['Exchange Administrator'])$$, :'fabrikam_id'),
                 '23505', NULL, 'R15: a display name the partner uses already, with another customer too (23505)');
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Direct', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                 '23505', NULL, 'R15: ... also one given by direct INSERT by another role of the partner (23505)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Exchange and Helpdesk', ARRAY[:'role_hd']::uuid[]),
                 '23505', NULL, 'R15: direct INSERT with a taken name (23505)');
SET ROLE regress_azure_ga;
SELECT lives_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'Exchange and Helpdesk', ARRAY['Exchange Administrator'])$$, :'contoso_id'),
                'R15: another partner may use the same name');
SET ROLE regress_office_ga;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Unknown role', ARRAY[:'unknown_id']::uuid[]),
                 '23503', NULL, 'R15: direct INSERT with a role not in admin_role (23503)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Twice', ARRAY[:'role_hd', :'role_hd']::uuid[]),
                 '23514', NULL, 'R15: direct INSERT with a role twice (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Empty', '{}'),
                 '23514', NULL, 'R15: direct INSERT with no role (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, duration) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Too long', ARRAY[:'role_hd']::uuid[], '731 days'),
                 '23514', NULL, 'R15: direct INSERT with 731 days (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, duration) VALUES (%L, %L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', 'Hours', ARRAY[:'role_hd']::uuid[], '10 days 2 hours'),
                 '23514', NULL, 'R15: direct INSERT with a time part in the duration (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_id', :'office_id', repeat('n', 51), ARRAY[:'role_hd']::uuid[]),
                 '23514', NULL, 'R15: direct INSERT with a 51-character name (23514)');
SELECT lives_ok(pg_temp.claimed(repeat('n', 50), :'fabrikam_id',
                format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, duration) VALUES (%L, %L, %L, %L, %L)',
                       :'fabrikam_id', :'office_id', repeat('n', 50), ARRAY[:'role_hd']::uuid[], '1 day')),
                'R15: a 50-character name and a duration of 1 day are allowed');
RESET ROLE;

-------------------------------------------------------------------------------
-- R16, R17: terms while created
-------------------------------------------------------------------------------
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(pg_temp.claimed('Exchange, Helpdesk, Reader', :'contoso_id',
                      format('UPDATE multipartner.admin_relationship SET display_name = %L, duration = %L, roles = %L WHERE admin_relationship_id = %L',
                             'Exchange, Helpdesk, Reader', '90 days', ARRAY[:'role_exch', :'role_hd', :'role_reader']::uuid[], :'ar1'), :'ar1')),
          'rows 1', 'R16: while created, an admin_agent changes the name, the duration and the roles');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L',
                             'By id', :'ar1')),
          '23505', 'R15 holds for a renaming: a name the partner uses already (23505)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET duration = %L WHERE admin_relationship_id = %L', '0 days', :'ar1')),
          '23514', 'R15 holds for an edit: duration 0 (23514)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L', '{}', :'ar1')),
          '23514', 'R15 holds for an edit: no role (23514)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar1')),
          'rows 1', 'R16: while created, auto_extend may be turned on (no Global Administrator)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch', :'role_ga']::uuid[], :'ar1')),
          'MP011', 'R17: Global Administrator cannot join the roles of an auto-extending relationship (MP011)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = false WHERE admin_relationship_id = %L', :'ar1')),
          'rows 1', 'auto_extend turned off again');
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'With GA', ARRAY['Global Administrator', 'Exchange Administrator'], '30 days') AS ar_ga \gset
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar_ga')),
          'MP011', 'R17: auto_extend is refused while roles hold Global Administrator (MP011)');
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'GA auto', ARRAY['Global Administrator'], '30 days', true)$$, :'contoso_id'),
                 'MP011', NULL, 'R17: create_admin_relationship() with Global Administrator and auto_extend (MP011)');
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles, auto_extend) VALUES (%L, %L, %L, %L, true)',
                        :'contoso_id', :'office_id', 'GA auto direct', ARRAY[:'role_ga']::uuid[]),
                 'MP011', NULL, 'R17: direct INSERT with Global Administrator and auto_extend (MP011)');
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'SA edit', :'ar1')),
          '42501', 'R14: a sales_agent may not edit the terms (42501)');
SET ROLE regress_office_hd;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'HD edit', :'ar1')),
          '42501', 'R14: a helpdesk_agent may not edit the terms (42501)');
SET ROLE regress_office_uma;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'UMA edit', :'ar1')),
          '42501', 'R14: a user_management_admin may not edit the terms (42501)');
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Customer edit', :'ar1')),
          'MP010', 'R16: the customer changes nothing but the status (MP010)');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Operator edit', :'ar1')),
          '42501', 'R14: an operator does not edit a partner''s terms (42501)');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Azure edit', :'ar1')),
          'rows 0', 'another partner does not see Office''s admin relationship: its UPDATE matches no row');
SET ROLE regress_bypass;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Azure edit', :'ar1')),
          '42501', 'R14: another partner''s global_admin that sees it (BYPASSRLS) may not edit it (42501)');
RESET ROLE;
SELECT is((SELECT (display_name, duration, auto_extend, ARRAY(SELECT x FROM unnest(roles) x ORDER BY x) = ARRAY(SELECT x FROM unnest(ARRAY[:'role_exch', :'role_hd', :'role_reader']::uuid[]) x ORDER BY x))::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          '("Exchange, Helpdesk, Reader","90 days",f,t)', 'the allowed edits stand, the refused ones left nothing');

-- R20 on a created one.  On distributed tables (the Citus mode of the suite,
-- README "Running on Citus") Citus itself refuses an UPDATE of the
-- distribution column customer_id before any trigger sees it (0A000
-- "modifying the partition value of rows is not allowed"): still refused,
-- nothing written; the single-node description.
\set want_customer_update MP008
\if :{?mp_citus_rules}
\set want_customer_update 0A000
\endif
SET ROLE regress_office_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET customer_id = %L WHERE admin_relationship_id = %L', :'fabrikam_id', :'ar1')),
          :'want_customer_update', 'R20: customer_id is immutable (MP008)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET admin_relationship_id = %L WHERE admin_relationship_id = %L', :'unknown_id', :'ar1')),
          'MP008', 'R20: admin_relationship_id is immutable (MP008)');
RESET ROLE;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET partner_id = %L WHERE admin_relationship_id = %L', :'azure_id', :'ar1')),
          'MP008', 'R20: partner_id is immutable, for the superuser too (MP008)');

-------------------------------------------------------------------------------
-- created -> approval_pending (request_admin_approval)
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42501', NULL,
                 'R14: a sales_agent may not submit it (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42501', NULL,
                 'R14: a helpdesk_agent may not submit it (42501)');
SET ROLE regress_office_uma;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42501', NULL,
                 'R14: a user_management_admin may not submit it (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42501', NULL,
                 'R14: the customer may not submit it (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42501', NULL,
                 'R14: an operator may not submit it (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '42704', NULL,
                 'another partner does not see it: it does not exist (42704)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '55000', NULL,
                 'R18: a created relationship cannot be approved before it is submitted (55000)');
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'ar1'), '55000', NULL,
                 'R18: ... nor declined (55000)');
RESET ROLE;
SELECT is(pg_temp.st(:'ar1'), 'created', 'after these refusals it is still created');
SET ROLE regress_office_ga;
SELECT multipartner.request_admin_approval(:'ar1') AS ignored, statement_timestamp() AS ar1_req_at \gset
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'ar1_req_at' END AS ar1_req_hi \gset
RESET ROLE;
SELECT is((SELECT (status, requested_at BETWEEN :'ar1_req_at' AND :'ar1_req_hi', decided_at IS NULL)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          '(approval_pending,t,t)', 'request_admin_approval(): approval_pending, requested_at the start of its statement');
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'approval_pending', :'ar_direct')),
          'rows 1', 'direct UPDATE: an admin_agent submits one');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Late edit', :'ar1')),
          'MP010', 'R16: while approval_pending the name is fixed (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L', ARRAY[:'role_exch']::uuid[], :'ar1')),
          'MP010', 'R16: ... and the roles (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET duration = %L WHERE admin_relationship_id = %L', '60 days', :'ar1')),
          'MP010', 'R16: ... and the duration (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar1')),
          'MP010', 'R16: ... and auto_extend (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'created', :'ar1')),
          '55000', 'R18: approval_pending does not go back to created (55000)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'active', :'ar1')),
          '42501', 'R14: the partner cannot approve its own request (42501)');
-- (decision: who moves a status is judged before when; the partner's early
-- expiry is 42501, an operator's, who may record expiries, is 55000)
SET ROLE regress_operator;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'expired', :'ar1')),
          '55000', 'R18: nobody expires a request before its time, not even an operator (55000)');
SET ROLE regress_office_aa;
RESET ROLE;

-------------------------------------------------------------------------------
-- approval_pending -> active | declined, as each role
-------------------------------------------------------------------------------
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the customer''s reader may not approve (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the customer''s reader may not decline (42501)');
SET ROLE regress_contoso_ba;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the customer''s billing_admin may not approve (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the partner''s global_admin may not approve (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the partner''s global_admin may not decline (42501)');
SET ROLE regress_office_aa;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the partner''s admin_agent may not approve (42501)');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: an operator does not approve on the customer''s behalf (42501)');
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: ... nor decline (42501)');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42704', NULL,
                 'another customer''s global_admin does not see it: it does not exist (42704)');
SET ROLE regress_bypass_customer;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: another customer''s global_admin that sees it (BYPASSRLS) may not approve (42501)');
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L, display_name = %L WHERE admin_relationship_id = %L',
                             'active', 'Customer rename', :'ar1')),
          'MP010', 'R16: approving with a changed term is refused (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'terminated', :'ar1')),
          '42501', 'R14: the customer does not withdraw a request: it declines it (42501)');
RESET ROLE;
SELECT is(pg_temp.st(:'ar1'), 'approval_pending', 'after these refusals it is still approval_pending');
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar1') AS ignored, statement_timestamp() AS ar1_ok_at \gset
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'ar1_ok_at' END AS ar1_ok_hi \gset
RESET ROLE;
SELECT is((SELECT (status, decided_by, decided_at BETWEEN :'ar1_ok_at' AND :'ar1_ok_hi', activated_at = decided_at,
                   end_at = activated_at + interval '90 days', ended_at IS NULL)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          '(active,regress_contoso_ga,t,t,t,t)',
          'approved: active, decided_by the customer''s global_admin, activated now, end_at = activated_at + duration');
SELECT is(pg_temp.eff(:'ar1'), 'active', 'effective_status() of a fresh active one is active');
SELECT is(pg_temp.eff_end(:'ar1'), (SELECT end_at FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          'effective_end_at() is its end_at');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'ar1'), '55000', NULL,
                 'R18: an active one cannot be declined (55000)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'approval_pending', :'ar1')),
          '55000', 'R18: active does not go back to approval_pending (55000)');
-- decline, by direct UPDATE (dec_lo: the transaction's start on one node, as
-- now() below always was; on Citus, every statement its own transaction, the
-- coordinator's clock before the UPDATE)
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE now() END AS dec_lo \gset
SET ROLE regress_fabrikam_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'declined', :'ar_direct')),
          'rows 1', 'direct UPDATE: the customer''s global_admin declines');
RESET ROLE;
SELECT is((SELECT (status, decided_by, decided_at > :'dec_lo', activated_at IS NULL AND end_at IS NULL)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar_direct'),
          '(declined,regress_fabrikam_ga,t,t)', 'declined, decided_by the customer''s global_admin, never activated');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar_direct'), '55000', NULL,
                 'R18: declined is final: it cannot be approved (55000)');
SET ROLE regress_office_aa;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_direct'), '55000', NULL,
                 'R18: ... nor terminated (55000)');
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar_direct'), '55000', NULL,
                 'R18: ... nor submitted again (55000)');
RESET ROLE;

-------------------------------------------------------------------------------
-- While active: only removing Global Administrator and auto_extend (R16, R17)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.request_admin_approval(:'ar_ga') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar_ga') AS ignored \gset
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar_ga')),
          'MP011', 'R17: an active relationship with Global Administrator cannot auto-extend (MP011)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch', :'role_ga', :'role_hd']::uuid[], :'ar_ga')),
          'MP010', 'R16: no role is added while active (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_ga']::uuid[], :'ar_ga')),
          'MP010', 'R16: no role but Global Administrator is removed while active (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET display_name = %L WHERE admin_relationship_id = %L', 'Renamed', :'ar_ga')),
          'MP010', 'R16: the name is fixed while active (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET duration = %L WHERE admin_relationship_id = %L', '60 days', :'ar_ga')),
          'MP010', 'R16: the duration is fixed while active (MP010)');
-- (the new end_at as a value: Citus refuses a STABLE operator on a column in
-- an UPDATE, end_at + interval, before any trigger sees it)
SELECT end_at + interval '1 day' AS ar_ga_moved FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar_ga' \gset
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET end_at = %L WHERE admin_relationship_id = %L', :'ar_ga_moved', :'ar_ga')),
          '428C9', 'end_at is the trigger''s: no writer moves it (428C9)');
SET ROLE regress_office_sa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch']::uuid[], :'ar_ga')),
          '42501', 'R14: a sales_agent may not remove Global Administrator (42501)');
SET ROLE regress_contoso_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch']::uuid[], :'ar_ga')),
          'MP010', 'R16: the customer does not edit the roles (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar1')),
          'MP010', 'R16: the customer does not turn auto_extend on (MP010)');
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch']::uuid[], :'ar_ga')),
          'rows 1', 'R16: while active the partner removes Global Administrator');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch', :'role_ga']::uuid[], :'ar_ga')),
          'MP010', 'R16: ... and cannot give it back (MP010)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar_ga')),
          'rows 1', 'R17: without Global Administrator it may auto-extend');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = false WHERE admin_relationship_id = %L', :'ar_ga')),
          'rows 1', 'R16: ... and stop again');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = %L', :'ar1')),
          'rows 1', 'R16: auto_extend on for the first one too');
RESET ROLE;
SELECT is((SELECT (roles = ARRAY[:'role_exch']::uuid[], auto_extend, status)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar_ga'),
          '(t,f,active)', 'roles without Global Administrator, auto_extend off, still active');
-- (decision: the superuser is no partner role: its edit is 42501 (R14);
-- the partner's own global_admin gets MP010)
SET ROLE regress_office_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET roles = %L WHERE admin_relationship_id = %L',
                             ARRAY[:'role_exch', :'role_ga']::uuid[], :'ar_ga')),
          'MP010', 'R16: not even the partner''s global_admin adds a role back to an active one (MP010)');
RESET ROLE;

-------------------------------------------------------------------------------
-- active -> terminated, as each role; withdrawal of created / pending
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: a sales_agent may not terminate (42501)');
SET ROLE regress_office_hd;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: a helpdesk_agent may not terminate (42501)');
SET ROLE regress_office_uma;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: a user_management_admin may not terminate (42501)');
SET ROLE regress_contoso_reader;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: the customer''s reader may not terminate (42501)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42704', NULL,
                 'another partner does not see it: it does not exist (42704)');
SET ROLE regress_bypass;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar1'), '42501', NULL,
                 'R14: another partner''s global_admin that sees it (BYPASSRLS) may not terminate (42501)');
RESET ROLE;
SELECT is(pg_temp.st(:'ar1'), 'active', 'after these refusals it is still active');

SET ROLE regress_contoso_ga;
SELECT multipartner.terminate_admin_relationship(:'ar1') AS ignored, statement_timestamp() AS ar1_end_at \gset
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE :'ar1_end_at' END AS ar1_end_hi \gset
RESET ROLE;
SELECT is((SELECT (status, ended_by, ended_at BETWEEN :'ar1_end_at' AND :'ar1_end_hi', decided_by)::text
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar1'),
          '(terminated,regress_contoso_ga,t,regress_contoso_ga)',
          'R14: the customer''s global_admin terminates: ended_by/at stamped, the decision kept');
SET ROLE regress_operator;
SELECT lives_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_ga'),
                'an operator may terminate an active admin relationship (platform clean-up)');
RESET ROLE;
SELECT is((SELECT (status, ended_by)::text FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar_ga'),
          '(terminated,regress_operator)', '... ended_by the operator');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar1'), '55000', NULL,
                 'R18: terminated is final: no approval (55000)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar1'), '55000', NULL,
                 'R18: ... no new request (55000)');
SELECT ok(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'active', :'ar1')) IN ('42501', '55000'),
          'R18/R14: the partner cannot bring it back (42501 or 55000: the partner never sets active)');
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET auto_extend = false WHERE admin_relationship_id = %L', :'ar1')),
          'MP010', 'R16: nothing of a terminated one changes (MP010)');
RESET ROLE;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'active', :'ar1')),
          '55000', 'R18: not even the superuser brings a terminated one back (55000)');

-- withdrawal by the partner of created and approval_pending ones (wd_lo as
-- dec_lo above)
SELECT CASE WHEN :{?mp_citus_rules} THEN clock_timestamp() ELSE now() END AS wd_lo \gset
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'Withdraw created', ARRAY['Helpdesk Administrator']) AS ar_w1 \gset
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'Withdraw pending', ARRAY['Helpdesk Administrator']) AS ar_w2 \gset
SELECT multipartner.request_admin_approval(:'ar_w2') AS ignored \gset
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_w1'), '42501', NULL,
                 'R14: an operator does not withdraw a partner''s created relationship (42501)');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_w2'), '42501', NULL,
                 'R14: the customer does not withdraw a pending one (42501)');
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'ar_w1'),
                'the partner''s global_admin withdraws a created one');
SET ROLE regress_office_aa;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'terminated', :'ar_w2')),
          'rows 1', 'direct UPDATE: the partner''s admin_agent withdraws an approval_pending one');
RESET ROLE;
SELECT is((SELECT array_agg((status, ended_by, ended_at > :'wd_lo', decided_at IS NULL)::text ORDER BY display_name)
             FROM multipartner.admin_relationship WHERE admin_relationship_id IN (:'ar_w1', :'ar_w2')),
          ARRAY['(terminated,regress_office_ga,t,t)', '(terminated,regress_office_aa,t,t)'],
          'both withdrawn: terminated, ended_by the withdrawing role, never decided');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar_w2'), '55000', NULL,
                 'R18: a withdrawn request cannot be approved (55000)');
RESET ROLE;

-- afterwards the admin relationship lives independently of the reseller one
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'Outlives reseller', ARRAY['Helpdesk Administrator']) AS ar_ind \gset
SELECT lives_ok(format('SELECT multipartner.terminate_relationship(%L)', :'rel_fab_office'),
                'the reseller relationship with Fabrikam is terminated');
SELECT lives_ok(format('SELECT multipartner.request_admin_approval(%L)', :'ar_ind'),
                'R14: a created admin relationship may still be submitted');
SET ROLE regress_fabrikam_ga;
SELECT lives_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'ar_ind'),
                '... and approved');
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT multipartner.create_admin_relationship(%L, 'After reseller', ARRAY['Helpdesk Administrator'])$$, :'fabrikam_id'),
                 'MP001', NULL, '... but no new one is created (MP001)');
RESET ROLE;
SELECT is(pg_temp.st(:'ar_ind'), 'active', 'it is active without a reseller relationship');

-------------------------------------------------------------------------------
-- R20: never deleted
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT ok(pg_temp.error_of(format('DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = %L', :'ar1')) IN ('42501', 'MP007'),
          'R20: a partner cannot DELETE an admin relationship (no privilege, 42501, or MP007)');
SELECT ok(pg_temp.error_of('TRUNCATE multipartner.admin_relationship') IN ('42501', 'MP007'),
          'R20: a partner cannot TRUNCATE admin_relationship');
SET ROLE regress_contoso_ga;
SELECT ok(pg_temp.error_of(format('DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = %L', :'ar1')) IN ('42501', 'MP007'),
          'R20: a customer cannot DELETE an admin relationship');
SET ROLE regress_operator;
SELECT throws_ok(format('DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = %L', :'ar1'), 'MP007', NULL,
                 'R20: an operator cannot DELETE an admin relationship (MP007)');
SELECT throws_ok('TRUNCATE multipartner.admin_relationship CASCADE', 'MP007', NULL,
                 'R20: an operator cannot TRUNCATE admin_relationship (MP007)');
RESET ROLE;
SELECT throws_ok(format('DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = %L', :'ar1'), 'MP007', NULL,
                 'R20: the superuser cannot DELETE an admin relationship (MP007)');
SELECT throws_ok('TRUNCATE multipartner.admin_relationship CASCADE', 'MP007', NULL,
                 'R20: the superuser cannot TRUNCATE admin_relationship (MP007)');
SELECT throws_ok('TRUNCATE multipartner.access_assignment', 'MP007', NULL,
                 'R20: the superuser cannot TRUNCATE access_assignment (MP007)');

-------------------------------------------------------------------------------
-- Time (§10): rows loaded in restore mode with their history
-------------------------------------------------------------------------------
--   p89 / p90 / p91: approval_pending, requested 89, 90, 91 days ago
--   a_live:  active, ends in 10 days
--   a_now:   active, end_at = now() (the transaction's start)
--   a_end:   active, ended a day ago, no auto_extend
--   a_ext1:  active, auto_extend, ended a day ago     -> end_at + 180 days
--   a_ext2:  active, auto_extend, ended 200 days ago  -> end_at + 360 days
--   a_ext3:  active, auto_extend, end_at 180 days before now() -> end_at + 360 days
--   edge:    approval_pending, 0.5 s inside its 90 days at the load's statement
\set p89    'aaaaaaaa-aaaa-4aaa-8aaa-000000000089'
\set p90    'aaaaaaaa-aaaa-4aaa-8aaa-000000000090'
\set p91    'aaaaaaaa-aaaa-4aaa-8aaa-000000000091'
\set a_live 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000a1'
\set a_now  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000a2'
\set a_end  'aaaaaaaa-aaaa-4aaa-8aaa-0000000000a3'
\set a_ext1 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000b1'
\set a_ext2 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000b2'
\set a_ext3 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000b3'
\set edge   'aaaaaaaa-aaaa-4aaa-8aaa-0000000000e1'
-- (in Citus mode the rules judge time where the row is, on its worker, with
-- the day arithmetic of timestamptz + interval in the TimeZone of that
-- worker's session, which is this session's: the executor hook carries a
-- TimeZone the session did not take from the node's configuration (here
-- pg_regress's PST8PDT) to the workers (README "Running on Citus").  Without
-- it a worker's UTC would put "90 days ago" an hour from the coordinator's
-- across the change of November, and test 167 reads the edge request, placed
-- 0.5 s inside its 90 days by this session's calendar, as expired)
SELECT count(*) AS audit_before FROM multipartner.audit_log \gset
-- (in Citus mode restore mode is a session's of one node, not carried to the
-- workers, where the triggers run, and its empty search_path cannot be carried
-- there by a SET LOCAL either (SET search_path = '' is the list of one empty
-- name, "", which is no restore: pg_dump uses set_config() for that reason).
-- So there the rows go first into a temporary table of the coordinator with
-- the columns and defaults of admin_relationship, in one transaction (now()
-- its start, as the test transaction's on one node), and
-- pg_temp.restore_on_shard() writes them into Contoso's shard as the
-- superuser in restore mode on that shard's worker)
\if :{?mp_citus_rules}
CREATE TEMP TABLE time_load (LIKE multipartner.admin_relationship INCLUDING DEFAULTS);
\set ar_load pg_temp.time_load
BEGIN;
\else
\set ar_load multipartner.admin_relationship
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
\endif
INSERT INTO :ar_load
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
VALUES
    (:'p89', :'contoso_id', :'azure_id', 'p89', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'approval_pending',
     'regress_azure_ga', now() - interval '100 days', now() - interval '89 days', NULL, NULL, NULL, NULL),
    (:'p90', :'contoso_id', :'azure_id', 'p90', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'approval_pending',
     'regress_azure_ga', now() - interval '100 days', now() - interval '90 days', NULL, NULL, NULL, NULL),
    (:'p91', :'contoso_id', :'azure_id', 'p91', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'approval_pending',
     'regress_azure_ga', now() - interval '100 days', now() - interval '91 days', NULL, NULL, NULL, NULL),
    (:'a_live', :'contoso_id', :'azure_id', 'a_live', ARRAY[:'role_hd', :'role_exch']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_azure_ga', now() - interval '30 days', now() - interval '30 days', 'regress_contoso_ga', now() - interval '20 days',
     now() - interval '20 days', now() + interval '10 days'),
    (:'a_now', :'contoso_id', :'azure_id', 'a_now', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_azure_ga', now() - interval '40 days', now() - interval '40 days', 'regress_contoso_ga', now() - interval '30 days',
     now() - interval '30 days', now()),
    (:'a_end', :'contoso_id', :'azure_id', 'a_end', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', false, 'active',
     'regress_azure_ga', now() - interval '40 days', now() - interval '40 days', 'regress_contoso_ga', now() - interval '31 days',
     now() - interval '31 days', now() - interval '1 day'),
    (:'a_ext1', :'contoso_id', :'azure_id', 'a_ext1', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_azure_ga', now() - interval '40 days', now() - interval '40 days', 'regress_contoso_ga', now() - interval '31 days',
     now() - interval '31 days', now() - interval '1 day'),
    (:'a_ext2', :'contoso_id', :'azure_id', 'a_ext2', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_azure_ga', now() - interval '240 days', now() - interval '240 days', 'regress_contoso_ga', now() - interval '230 days',
     now() - interval '230 days', now() - interval '200 days'),
    (:'a_ext3', :'contoso_id', :'azure_id', 'a_ext3', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days', true, 'active',
     'regress_azure_ga', now() - interval '220 days', now() - interval '220 days', 'regress_contoso_ga', now() - interval '210 days',
     now() - interval '210 days', now() - interval '180 days');
INSERT INTO :ar_load
    (admin_relationship_id, customer_id, partner_id, display_name, roles, status, created_by, created_at, requested_at)
VALUES (:'edge', :'contoso_id', :'azure_id', 'edge', ARRAY[:'role_hd']::pg_catalog.uuid[], 'approval_pending',
        'regress_azure_ga', now() - interval '100 days',
        statement_timestamp() - interval '90 days' + interval '0.5 seconds');
\if :{?mp_citus_rules}
COMMIT;
SELECT pg_temp.restore_on_shard('multipartner.admin_relationship', :'contoso_id',
           format('INSERT INTO {shard} SELECT * FROM pg_catalog.json_populate_recordset(NULL::{shard}, %L)',
                  (SELECT json_agg(t) FROM pg_temp.time_load t))) AS time_loaded \gset
\endif
SELECT pg_temp.eff(:'edge') AS edge_at_load \gset
\if :{?mp_citus_rules}
\else
RESET row_security;
RESET check_function_bodies;
RESET search_path;
\endif
SELECT is(:'edge_at_load'::text, 'approval_pending', 'clock: right after its load the edge request is approval_pending');
SELECT is((SELECT count(*) FROM multipartner.audit_log), :'audit_before'::bigint,
          'restore mode loads the rows as they were, without audit rows');

SELECT is(pg_temp.eff(:'p89'), 'approval_pending', 'effective_status(): a request of 89 days is approval_pending');
SELECT is(pg_temp.eff(:'p90'), 'expired', 'effective_status(): a request of exactly 90 days has expired');
SELECT is(pg_temp.eff(:'p91'), 'expired', 'effective_status(): a request of 91 days has expired');
SELECT is(pg_temp.eff(:'a_live'), 'active', 'effective_status(): active before end_at');
SELECT is(pg_temp.eff(:'a_now'), 'expired', 'effective_status(): at end_at an active one without auto_extend has expired');
SELECT is(pg_temp.eff(:'a_end'), 'expired', 'effective_status(): after end_at too');
SELECT is(pg_temp.eff(:'a_ext1'), 'active', 'effective_status(): with auto_extend it stays active after end_at');
SELECT is(pg_temp.eff(:'a_ext2'), 'active', '... also 200 days after');
SELECT is(pg_temp.eff_end(:'a_live'), (SELECT end_at FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_live'),
          'effective_end_at(): end_at while it has not come');
SELECT is(pg_temp.eff_end(:'a_end'), (SELECT end_at FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_end'),
          'effective_end_at(): end_at of one that expired');
SELECT is(pg_temp.eff_end(:'a_ext1'), (SELECT end_at + interval '180 days' FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext1'),
          'effective_end_at(): end_at + 180 days a day after end_at');
SELECT is(pg_temp.eff_end(:'a_ext2'), (SELECT end_at + interval '360 days' FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext2'),
          'effective_end_at(): end_at + 2 x 180 days 200 days after end_at');
SELECT is(pg_temp.eff_end(:'a_ext3'), (SELECT end_at + interval '360 days' FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext3'),
          'effective_end_at(): at end_at + 180 days exactly it moves on again (end_at + 360 days)');
-- (in Citus mode its column form: this one-shard query goes whole to the
-- shard, where a row has the shard's type, for which the row form is no
-- function, 42883)
\if :{?mp_citus_rules}
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationship a
            WHERE a.customer_id = :'contoso_id' AND a.partner_id = :'azure_id' AND a.status = 'active'
              AND multipartner.effective_admin_relationship_status(a.status, a.requested_at, a.auto_extend, a.end_at) = 'expired'), 2,
          'effective_status() works in a WHERE clause: two active rows have expired');
\else
SELECT is((SELECT count(*)::int FROM multipartner.admin_relationship a
            WHERE a.customer_id = :'contoso_id' AND a.partner_id = :'azure_id' AND a.status = 'active'
              AND multipartner.effective_status(a) = 'expired'), 2,
          'effective_status() works in a WHERE clause: two active rows have expired');
\endif

-- the rules judge by it
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'p91'), '55000', NULL,
                 'a request of 91 days cannot be approved (55000)');
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'p90'), '55000', NULL,
                 'a request of exactly 90 days cannot be approved (55000)');
SELECT throws_ok(format('SELECT multipartner.decline_admin_relationship(%L)', :'p91'), '55000', NULL,
                 'nor declined (55000)');
SELECT lives_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'p89'),
                'a request of 89 days can still be approved');
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'a_end'), '55000', NULL,
                 'R18: one that time has expired cannot be terminated (55000)');
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'p91'), '55000', NULL,
                 'R18: an expired request cannot be withdrawn (55000)');
SELECT lives_ok(format('SELECT multipartner.terminate_admin_relationship(%L)', :'a_ext2'),
                'an auto-extended one is active: the partner may terminate it');
RESET ROLE;
SELECT is(pg_temp.st(:'p89'), 'active', 'the approved 89-day request is active');

-- the statement clock: a transaction held open stretches no window
-- (in Citus mode, every statement its own transaction, these three run in one
-- transaction of their own, which begins with the edge request 0.5 s inside
-- its 90 days: it is placed there again first (restore mode on its shard, as
-- above), then the transaction begins, on the workers too: a read of the
-- request as each role that judges it below begins the workers' transactions
-- of that role, so that their start, where the rules run, is inside the
-- window as well)
\if :{?mp_citus_rules}
SELECT pg_temp.restore_on_shard('multipartner.admin_relationship', :'contoso_id',
           format($$UPDATE {shard} SET requested_at = pg_catalog.statement_timestamp() - interval '90 days' + interval '0.5 seconds' WHERE admin_relationship_id = %L$$,
                  :'edge')) AS edge_placed \gset
BEGIN;
SELECT pg_temp.st(:'edge') AS edge_open \gset
SET ROLE regress_contoso_ga;
SELECT pg_temp.st(:'edge') AS edge_open \gset
RESET ROLE;
\endif
SELECT pg_sleep(0.6) \gset
SELECT ok((SELECT now() < requested_at + interval '90 days' AND statement_timestamp() >= requested_at + interval '90 days'
             FROM multipartner.admin_relationship WHERE admin_relationship_id = :'edge'),
          'clock: at the transaction''s start the edge request was inside its 90 days, at this statement it is past them');
SELECT is(pg_temp.eff(:'edge'), 'expired', 'clock: effective_status() reads it as expired at this statement');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'edge'), '55000', NULL,
                 'clock: a request that expired while the transaction was open cannot be approved (55000)');
RESET ROLE;
\if :{?mp_citus_rules}
COMMIT;
\endif

-- run_maintenance(): operators only; records what time did, once
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 'a partner role may not run run_maintenance() (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.run_maintenance()', '42501', NULL,
                 'a customer role may not run run_maintenance() (42501)');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'expired', :'a_end')),
          '42501', 'R18: expiry is run_maintenance()''s: a partner does not write it (42501)');
SET ROLE regress_operator;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'expired', :'a_live')),
          '55000', 'R18: not even an operator expires one before its end (55000)');
SELECT array_agg(kind || '=' || count ORDER BY kind) AS maint1 FROM multipartner.run_maintenance() \gset
SELECT array_agg(kind || '=' || count ORDER BY kind) AS maint2 FROM multipartner.run_maintenance() \gset
RESET ROLE;
SELECT ok(:'maint1'::text[] @> ARRAY['admin_relationship_expired=5', 'admin_relationship_extended=2',
                                     'access_assignment_ended=0', 'relationship_expired=0'],
          'run_maintenance(): p90, p91, edge, a_now and a_end expired, a_ext1 and a_ext3 extended (one each), one row per kind');
SELECT ok(:'maint2'::text[] @> ARRAY['admin_relationship_expired=0', 'admin_relationship_extended=0',
                                     'access_assignment_ended=0', 'relationship_expired=0'],
          'run_maintenance() a second time finds nothing (zero counts included)');
SELECT is((SELECT array_agg((status, ended_by, ended_at = requested_at + interval '90 days')::text ORDER BY display_name)
             FROM multipartner.admin_relationship WHERE admin_relationship_id IN (:'p90', :'p91', :'edge')),
          ARRAY['(expired,regress_operator,t)', '(expired,regress_operator,t)', '(expired,regress_operator,t)'],
          'expired requests: status expired, ended_by the operator, ended_at the due time (requested_at + 90 days)');
SELECT is((SELECT (status, ended_by, ended_at = end_at)::text FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_end'),
          '(expired,regress_operator,t)', 'an ended one: expired, ended_at its end_at');
SELECT is((SELECT (status, ended_at IS NULL)::text FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext1'),
          '(active,t)', 'an auto-extended one stays active');
SELECT is((SELECT end_at FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext1'),
          pg_temp.eff_end(:'a_ext1'), '... its end_at is now its effective end');
SELECT is((SELECT end_at - activated_at FROM multipartner.admin_relationship WHERE admin_relationship_id = :'a_ext3'),
          interval '390 days', '... a_ext3 moved on by 2 x 180 days at once');
SELECT is(pg_temp.st(:'a_ext2'), 'terminated', 'a_ext2 was terminated before: run_maintenance() left it');
SELECT is(pg_temp.st(:'a_live'), 'active', 'a_live is not due: left active');
SELECT is((SELECT array_agg(a.operation || ':' || (a.new_row->>'status') ORDER BY a.event_id)
             FROM multipartner.audit_log a
            WHERE a.table_name = 'admin_relationship' AND a.new_row->>'admin_relationship_id' = :'a_end'),
          ARRAY['UPDATE:expired'], 'the expiry has its audit row');
SELECT ok((SELECT count(*) FROM multipartner.audit_log a
            WHERE a.table_name = 'admin_relationship' AND a.new_row->>'admin_relationship_id' = :'a_ext1'
              AND a.operation = 'UPDATE') = 1, 'the extension has its audit row');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('SELECT multipartner.approve_admin_relationship(%L)', :'p91'), '55000', NULL,
                 'R18: expired is final (55000)');
RESET ROLE;
SELECT is(pg_temp.upd(format('UPDATE multipartner.admin_relationship SET status = %L WHERE admin_relationship_id = %L', 'active', :'a_end')),
          '55000', 'R18: an expired one is never restored, not by the superuser either (55000)');

SELECT * FROM finish();
\i test/teardown.psql
