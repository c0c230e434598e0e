\i test/setup.psql
-- gdap_rename: rename_admin_relationship(customer_id, admin_relationship_id,
-- display_name) (0.9) and the R15 claims table admin_relationship_name on a
-- single node.  The call writes the new name as the caller, so the trigger
-- judges it as any UPDATE of display_name: R14 (the partner's global_admin
-- or admin_agent), R16 (only while created; never by the customer), R15
-- (1-50 characters, unique among all the partner's admin relationships, of
-- any customer); an admin relationship the caller cannot see, or of
-- another customer, does not exist.  On a single node no name is claimed:
-- the table stays empty and its trigger refuses a claim (55000); on Citus
-- (test/citus/sql/citus_gdap_names.sql, and this file in the Citus mode of
-- the suite) the call claims the new name first.
\i test/fixtures.psql
\i test/fixtures_done.psql

SELECT plan(26);

\set role_hd '729827e3-9c14-49f7-bb1b-9608f156bbb8'
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active'),
    (:'fabrikam_id', :'office_id', 'active'),
    (:'contoso_id', :'azure_id', 'active');
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'alpha', ARRAY['Helpdesk Administrator']) AS ar_a \gset
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'beta', ARRAY['Helpdesk Administrator']) AS ar_b \gset
RESET ROLE;
-- PL/pgSQL, not SQL: on Citus a SQL function's parameter in a query of a
-- distributed table is refused ("could not create distributed plan")
CREATE FUNCTION pg_temp.name_of(id uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT display_name FROM multipartner.admin_relationship WHERE admin_relationship_id = id);
END
$$;
SELECT count(*) AS audit_before FROM multipartner.audit_log WHERE table_name = 'admin_relationship' \gset

-- the partner's global_admin renames, as the trigger allows
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', 'gamma'),
    'the partner''s global_admin renames an admin relationship while it is created');
RESET ROLE;
SELECT is(pg_temp.name_of(:'ar_a'), 'gamma', 'it has the new name');
SELECT is((SELECT count(*) FROM multipartner.audit_log WHERE table_name = 'admin_relationship') - :audit_before, 1::bigint,
    'the rename has its audit row');
SELECT is((SELECT new_row->>'display_name' FROM multipartner.audit_log WHERE table_name = 'admin_relationship'
            ORDER BY event_id DESC LIMIT 1), 'gamma', 'the audit row has the new name');

-- R15: unique among all the partner's admin relationships, of any customer
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', 'beta'),
    '23505', format('partner %s already has an admin relationship named "beta"', :'office_id'),
    'R15: the name of the partner''s admin relationship with another customer is taken');
SELECT lives_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', 'alpha'),
    'its old name is free again');
SELECT lives_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', 'alpha'),
    'the same name again changes nothing');
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', repeat('x', 51)),
    '23514', NULL, 'R15: a name of more than 50 characters is refused');
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_a', ''),
    '23514', NULL, 'R15: an empty name is refused');
RESET ROLE;
SELECT is(pg_temp.name_of(:'ar_a'), 'alpha', 'the refused renames left the name');

-- who: R14 and R16
SET ROLE regress_office_aa;
SELECT lives_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 2'),
    'the partner''s admin_agent renames too');
SET ROLE regress_office_sa;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 3'),
    '42501', NULL, 'R14: a sales_agent does not edit an admin relationship');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 3'),
    'MP010', NULL, 'R16: the customer changes nothing of an admin relationship but its status');
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 3'),
    '42501', NULL, 'R14: an operator does not edit an admin relationship');
-- what the caller cannot see, or another customer's id, does not exist
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 3'),
    '42704', format('admin relationship %s does not exist', :'ar_b'),
    'another partner''s admin relationship does not exist for the caller');
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'contoso_id', :'ar_b', 'beta 3'),
    '42704', format('admin relationship %s does not exist', :'ar_b'),
    'an admin relationship of another customer does not exist at this one');
-- only while created
SELECT lives_ok(format('SELECT multipartner.request_admin_approval(%L, %L)', :'fabrikam_id', :'ar_b'), 'submitted');
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, %L)', :'fabrikam_id', :'ar_b', 'beta 3'),
    'MP010', NULL, 'R16: a submitted admin relationship keeps its name');
RESET ROLE;
SELECT is(pg_temp.name_of(:'ar_b'), 'beta 2', 'the refused renames left the name');

-- arguments
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(NULL, %L, %L)', :'ar_a', 'x'),
    '22004', 'customer_id must not be null', 'a NULL customer_id is refused');
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, NULL, %L)', :'contoso_id', 'x'),
    '22004', 'admin_relationship_id must not be null', 'a NULL admin_relationship_id is refused');
SELECT throws_ok(format('SELECT multipartner.rename_admin_relationship(%L, %L, NULL)', :'contoso_id', :'ar_a'),
    '22004', 'display_name must not be null', 'a NULL display_name is refused');

-- the claims table: empty and refused on a single node.  On distributed
-- tables (the Citus mode of the suite, README "Running on Citus") it is in
-- use: the partner's claim of a name another admin relationship holds is
-- refused by the table's primary key (23505), the superuser claims nothing
-- (42501: only the partner's global_admin or admin_agent), and the claims are
-- the four names written above (alpha, beta, gamma, beta 2: claims are never
-- deleted); the single-node descriptions, so the expected output is one.
\set want_partner_claim 55000
\set want_partner_claim_msg 'table "admin_relationship_name" is used on a distributed install only'
\set want_superuser_claim 55000
\set want_claims 0
\if :{?mp_citus_rules}
\set want_partner_claim 23505
\set want_partner_claim_msg ''
\set want_superuser_claim 42501
\set want_claims 4
\endif
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship_name (display_name, customer_id, admin_relationship_id) VALUES (%L, %L, %L)',
                        'beta 2', :'contoso_id', :'ar_a'),
    :'want_partner_claim', NULLIF(:'want_partner_claim_msg', ''),
    'a partner''s claim on a single node is refused');
RESET ROLE;
SELECT throws_ok(format('INSERT INTO multipartner.admin_relationship_name VALUES (%L, %L, %L, %L)',
                        :'office_id', 'delta', :'contoso_id', :'ar_a'),
    :'want_superuser_claim', NULL, 'the superuser''s too');
SELECT is((SELECT count(*) FROM multipartner.admin_relationship_name), :'want_claims'::bigint,
    'no name was claimed on a single node');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.admin_relationship_name', '42501', NULL,
    'a customer application may not read the claims');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
