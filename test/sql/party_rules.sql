\i test/setup.psql
-- party_rules: rules on the partner and customer rows themselves.
--   R8  a partner's CSP transaction tenant is never a customer (tenant registry)
--   R9  a partner creates customers only in its own cloud
--   R10 only an operator deletes a partner or customer, only while nothing
--       refers to it; TRUNCATE is refused
--   R12 ids, tenant ids and clouds never change
-- plus the unique tenants, the name checks and the NOT NULL columns.
\i test/fixtures.psql
\i test/fixtures_bypass.psql
\i test/fixtures_done.psql
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") a customer's id is its tenant id, so the customers this file
-- inserts directly and that must be written, or that the table's own
-- constraints refuse, name their tenant id as customer_id (the same answer
-- on one node).  Citus itself refuses two of the statements below before
-- any trigger of the extension sees them, with its own SQLSTATE: an UPDATE
-- of the distribution column customer_id (0A000 "modifying the partition
-- value of rows is not allowed"; MP008 on one node) and an INSERT with a
-- NULL customer_id (22004 "cannot perform an INSERT with NULL in the
-- partition column"; 23502 on one node).  Still refused, nothing written.
\set want_customer_id_update MP008
\set want_null_customer_id 23502
\if :{?mp_citus_rules}
\set want_customer_id_update 0A000
\set want_null_customer_id 22004
\endif

SELECT plan(108);

\set t1 '55555555-5555-4555-8555-0000000000d1'
\set t2 '55555555-5555-4555-8555-0000000000d2'
\set t3 '55555555-5555-4555-8555-0000000000d3'
\set t4 '55555555-5555-4555-8555-0000000000d4'
\set t5 '55555555-5555-4555-8555-0000000000d5'
\set t6 '55555555-5555-4555-8555-0000000000d6'
\set t7 '55555555-5555-4555-8555-0000000000d7'
\set t8 '55555555-5555-4555-8555-0000000000d8'
\set t_leak  '55555555-5555-4555-8555-0000000000e1'
\set t_squat '55555555-5555-4555-8555-0000000000e2'
\set p_free  '11111111-1111-4111-8111-0000000000f1'
\set p_rel   '11111111-1111-4111-8111-0000000000f2'
\set c_free  :t7

-------------------------------------------------------------------------------
-- The tenant registry
-------------------------------------------------------------------------------
SELECT is((SELECT array_agg((kind, owner_id)::text ORDER BY tenant_id) FROM multipartner.tenant
            WHERE tenant_id IN (:'office_csp', :'contoso_tenant')),
          ARRAY[format('(partner_csp,%s)', :'office_id'), format('(customer,%s)', :'contoso_id')],
          'inserting a partner registers its CSP tenant, inserting a customer its tenant');
SELECT is((SELECT count(*)::int FROM multipartner.tenant), 6,
          'the six fixture rows registered six tenants');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.tenant VALUES (%L, %L, %L)', :'t1', 'customer', :'contoso_id'),
                 '42501', NULL, 'an operator cannot write the tenant registry (42501)');
SELECT throws_ok(format('DELETE FROM multipartner.tenant WHERE tenant_id = %L', :'office_csp'),
                 '42501', NULL, 'an operator cannot delete from the tenant registry (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.tenant', '42501', NULL, 'a partner cannot read the tenant registry (42501)');
RESET ROLE;

-------------------------------------------------------------------------------
-- R8: a CSP transaction tenant is never a customer, whichever row comes second
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'office_csp', 'Office Itself', 'commercial'),
                 'MP005', format('tenant %s is the CSP transaction tenant of a partner', :'office_csp'),
                 'R8: create_customer() with the partner''s own CSP tenant (MP005)');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'azure_csp', 'Azure Itself', 'commercial'),
                 'MP005', NULL, 'R8: create_customer() with another partner''s CSP tenant (MP005)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'azure_csp', 'Azure Itself', 'commercial'),
                 'MP005', NULL, 'R8: a direct INSERT by a partner (MP005)');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'office_csp', 'Office Itself', 'commercial'),
                 'MP005', NULL, 'R8: a direct INSERT by an operator (MP005)');
RESET ROLE;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'gov_csp', 'Gov Itself', 'us_government'),
                 'MP005', NULL, 'R8: a direct INSERT by the superuser (MP005)');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        'Contoso as CSP', 'commercial', :'contoso_tenant'),
                 'MP005', format('tenant %s is already a customer', :'contoso_tenant'),
                 'R8, other order: a partner whose CSP tenant is a customer''s tenant (MP005)');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        'Fabrikam as CSP', 'commercial', :'fabrikam_tenant'),
                 'MP005', NULL, 'R8, other order, by an operator (MP005)');
SET ROLE regress_office_ga;
SELECT multipartner.create_customer(:'t1', 'Fresh Customer', 'commercial') AS fresh_id \gset
RESET ROLE;
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        'Fresh as CSP', 'commercial', :'t1'),
                 'MP005', NULL, 'R8, other order, with a customer created in this transaction (MP005)');
SELECT is((SELECT count(*)::int FROM multipartner.customer c JOIN multipartner.partner p ON p.csp_tenant_id = c.tenant_id),
          0, 'no customer tenant is any partner''s CSP tenant');

-- Each tenant is one customer; each partner has its own CSP tenant.
SET ROLE regress_azure_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'contoso_tenant', 'Contoso again', 'commercial'),
                 '23505', 'duplicate key value violates unique constraint "customer_tenant_id_key"',
                 'a second customer with the same tenant (create_customer) is refused (23505)');
SET ROLE regress_operator;
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                        :'fabrikam_tenant', :'fabrikam_tenant', 'Fabrikam again', 'commercial'),
                 '23505', NULL, 'a second customer with the same tenant (INSERT) is refused (23505)');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        'Office again', 'commercial', :'office_csp'),
                 '23505', 'duplicate key value violates unique constraint "partner_csp_tenant_id_key"',
                 'a second partner with the same CSP tenant is refused (23505)');
RESET ROLE;

-------------------------------------------------------------------------------
-- R9: a partner creates customers only in its own cloud
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t2', 'Gov Cust', 'us_government'),
                 'MP006', format('partner %s cannot create a customer in cloud "us_government"', :'office_id'),
                 'R9: a commercial partner cannot create a us_government customer (MP006)');
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'t2', 'Gov Cust', 'us_government'),
                 'MP006', NULL, 'R9: nor by a direct INSERT (MP006)');
SET ROLE regress_gov_ga;
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t2', 'Commercial Cust', 'commercial'),
                 'MP006', NULL, 'R9: a us_government partner cannot create a commercial customer (MP006)');
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t2', 'Gov Cust', 'us_government'),
                'R9: a us_government partner creates a us_government customer');
SET ROLE regress_operator;
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                       :'t3', :'t3', 'Operator''s Gov Cust', 'us_government'),
                'an operator may create a customer in any cloud (no partner is involved)');
RESET ROLE;
SELECT is((SELECT array_agg(cloud::text ORDER BY tenant_id) FROM multipartner.customer WHERE tenant_id IN (:'t2', :'t3')),
          ARRAY['us_government', 'us_government'], 'both customers are us_government customers');

-- Who may create customers at all (R2 applies to customers too)
SET ROLE regress_office_hd;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'t4', 'HD Cust', 'commercial'),
                 '42501', format('permission denied to create customers for partner %s', :'office_id'),
                 'a helpdesk_agent cannot insert a customer (42501)');
SET ROLE regress_papp_nomember;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'t4', 'Nobody''s Cust', 'commercial'),
                 '42501', NULL, 'a partner-app role of no partner cannot insert a customer (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'t4', 'Cust''s Cust', 'commercial'),
                 '42501', NULL, 'a customer role has no INSERT privilege on customer (42501)');
SET ROLE regress_office_ga;
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        'Rogue', 'commercial', :'t4'),
                 '42501', NULL, 'a partner role cannot insert partners (42501)');
SET ROLE regress_operator;
SELECT lives_ok(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                       :'p_free', 'Free Partner', 'commercial', :'t4'),
                'an operator inserts a partner');
RESET ROLE;
SELECT is((SELECT (status, kind)::text FROM multipartner.partner p JOIN multipartner.tenant t ON t.owner_id = p.partner_id
            WHERE p.partner_id = :'p_free'),
          '(active,partner_csp)', 'it starts active, its CSP tenant registered');

-------------------------------------------------------------------------------
-- R12: identities never change, for operators and the superuser too
-------------------------------------------------------------------------------
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L', :'t5', :'contoso_id'),
                 'MP008', format('cannot change column "tenant_id" of customer %s', :'contoso_id'),
                 'R12: an operator cannot change a customer''s tenant_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.customer SET cloud = %L WHERE customer_id = %L', 'us_government', :'contoso_id'),
                 'MP008', NULL, 'R12: an operator cannot change a customer''s cloud (MP008)');
SELECT throws_ok(format('UPDATE multipartner.customer SET customer_id = %L WHERE customer_id = %L', :'c_free', :'contoso_id'),
                 :'want_customer_id_update', NULL, 'R12: an operator cannot change a customer''s customer_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET csp_tenant_id = %L WHERE partner_id = %L', :'t5', :'office_id'),
                 'MP008', format('cannot change column "csp_tenant_id" of partner %s', :'office_id'),
                 'R12: an operator cannot change a partner''s csp_tenant_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET cloud = %L WHERE partner_id = %L', 'us_government', :'office_id'),
                 'MP008', NULL, 'R12: an operator cannot change a partner''s cloud (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET partner_id = %L WHERE partner_id = %L', :'p_rel', :'p_free'),
                 'MP008', NULL, 'R12: an operator cannot change a partner''s partner_id (MP008)');
RESET ROLE;
SELECT throws_ok(format('UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L', :'t5', :'fabrikam_id'),
                 'MP008', NULL, 'R12: the superuser cannot change a customer''s tenant_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.customer SET cloud = %L WHERE customer_id = %L', 'commercial', :'govcust_id'),
                 'MP008', NULL, 'R12: the superuser cannot change a customer''s cloud (MP008)');
SELECT throws_ok(format('UPDATE multipartner.customer SET customer_id = %L WHERE customer_id = %L', :'c_free', :'fabrikam_id'),
                 :'want_customer_id_update', NULL, 'R12: the superuser cannot change a customer''s customer_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET csp_tenant_id = %L WHERE partner_id = %L', :'t5', :'azure_id'),
                 'MP008', NULL, 'R12: the superuser cannot change a partner''s csp_tenant_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET cloud = %L WHERE partner_id = %L', 'commercial', :'gov_id'),
                 'MP008', NULL, 'R12: the superuser cannot change a partner''s cloud (MP008)');
SELECT throws_ok(format('UPDATE multipartner.partner SET partner_id = %L WHERE partner_id = %L', :'p_rel', :'azure_id'),
                 'MP008', NULL, 'R12: the superuser cannot change a partner''s partner_id (MP008)');
SELECT throws_ok(format('UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L', :'office_csp', :'contoso_id'),
                 'MP008', NULL, 'R12 comes before R8: moving a customer onto a CSP tenant is MP008');

SET ROLE regress_operator;
SELECT lives_ok(format('UPDATE multipartner.customer SET name = %L WHERE customer_id = %L', 'Contoso Ltd', :'contoso_id'),
                'an operator renames a customer');
SELECT lives_ok(format('UPDATE multipartner.partner SET name = %L, status = %L WHERE partner_id = %L',
                       'Azure Reseller GmbH', 'suspended', :'azure_id'),
                'an operator renames and suspends a partner');
SELECT lives_ok(format('UPDATE multipartner.partner SET status = %L WHERE partner_id = %L', 'active', :'azure_id'),
                '... and reactivates it');
SELECT lives_ok(format('UPDATE multipartner.customer SET tenant_id = tenant_id, cloud = cloud, customer_id = customer_id WHERE customer_id = %L',
                       :'contoso_id'),
                'writing the same identity values is no change');
RESET ROLE;
SELECT is((SELECT (c.name, p.name, p.status)::text FROM multipartner.customer c, multipartner.partner p
            WHERE c.customer_id = :'contoso_id' AND p.partner_id = :'azure_id'),
          '("Contoso Ltd","Azure Reseller GmbH",active)', 'names and status changed, nothing else');
SET ROLE regress_office_ga;
SELECT throws_ok(format('UPDATE multipartner.customer SET name = %L WHERE customer_id = %L', 'Mine', :'contoso_id'),
                 '42501', NULL, 'a partner role cannot update customers (42501)');
SELECT throws_ok(format('UPDATE multipartner.partner SET status = %L WHERE partner_id = %L', 'active', :'office_id'),
                 '42501', NULL, 'a partner role cannot update partners (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('UPDATE multipartner.customer SET name = %L WHERE customer_id = %L', 'Mine', :'contoso_id'),
                 '42501', NULL, 'a customer role cannot update customers (42501)');
RESET ROLE;

-------------------------------------------------------------------------------
-- R10: partners and customers are deleted only by an operator, only while
-- nothing refers to them; TRUNCATE never
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'fresh_id'),
                 '42501', NULL, 'a partner role cannot delete a customer (42501)');
SELECT throws_ok(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'p_free'),
                 '42501', NULL, 'a partner role cannot delete a partner (42501)');
SET ROLE regress_contoso_ga;
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'contoso_id'),
                 '42501', NULL, 'a customer role cannot delete its customer (42501)');
RESET ROLE;
-- Given the DELETE privilege, a non-operator is still refused by the
-- trigger.  Row security has no DELETE policy for application roles, so a
-- partner role's DELETE matches no row at all; a partner role with
-- BYPASSRLS reaches the trigger.
GRANT DELETE ON multipartner.customer TO regress_office_ga, regress_bypass;
SET ROLE regress_office_ga;
SELECT is(pg_temp.rows_of(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t3')), 0::bigint,
          'a partner role granted DELETE deletes nothing: no customer row is deletable for it');
SET ROLE regress_bypass;
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t3'),
                 '42501', 'permission denied to delete customer ' || (SELECT customer_id::text FROM multipartner.customer WHERE tenant_id = :'t3'),
                 'a non-operator granted DELETE that sees the row (BYPASSRLS) is still refused by the trigger (42501)');
RESET ROLE;
REVOKE DELETE ON multipartner.customer FROM regress_office_ga, regress_bypass;
SELECT is((SELECT count(*)::int FROM multipartner.customer WHERE tenant_id = :'t3'), 1,
          '... the customer is still there');

SET ROLE regress_operator;
SELECT throws_ok(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'office_id'),
                 'MP007', format('cannot delete partner %s', :'office_id'),
                 'R10: an operator cannot delete a partner that has members (MP007)');
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'contoso_id'),
                 'MP007', format('cannot delete customer %s', :'contoso_id'),
                 'R10: an operator cannot delete a customer that has members (MP007)');
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'fresh_id'),
                 'MP007', NULL, 'R10: an operator cannot delete a customer that has a relationship (MP007)');
SELECT lives_ok(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                       :'p_rel', 'Partner With Relationship', 'commercial', :'t6'),
                'an operator inserts a partner without members ...');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)', :'fabrikam_id', :'p_rel'),
                '... and gives it a relationship');
SELECT throws_ok(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'p_rel'),
                 'MP007', NULL, 'R10: an operator cannot delete a partner that has a relationship (MP007)');
RESET ROLE;
SELECT throws_ok(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'azure_id'),
                 'MP007', NULL, 'R10: the superuser cannot delete a referenced partner either (MP007)');
SELECT throws_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'fabrikam_id'),
                 'MP007', NULL, 'R10: the superuser cannot delete a referenced customer either (MP007)');

-- Unreferenced rows go, and their tenants are free again.
SET ROLE regress_operator;
SELECT lives_ok(format('DELETE FROM multipartner.partner WHERE partner_id = %L', :'p_free'),
                'R10: an operator deletes a partner nothing refers to');
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                       :'c_free', :'t7', 'Free Customer', 'commercial'),
                'an operator inserts a customer ...');
SELECT lives_ok(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'c_free'),
                '... and deletes it again: nothing refers to it');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.partner WHERE partner_id = :'p_free')
          + (SELECT count(*)::int FROM multipartner.customer WHERE customer_id = :'c_free'), 0, 'both rows are gone');
SELECT is((SELECT count(*)::int FROM multipartner.tenant WHERE tenant_id IN (:'t4', :'t7')), 0,
          'their tenants left the registry');
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t4', 'Former CSP Tenant', 'commercial'),
                'the deleted partner''s CSP tenant may now be a customer');
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t7', 'Same Tenant Again', 'commercial'),
                'the deleted customer''s tenant may be a customer again');
RESET ROLE;
SELECT is((SELECT array_agg(kind ORDER BY tenant_id) FROM multipartner.tenant WHERE tenant_id IN (:'t4', :'t7')),
          ARRAY['customer', 'customer'], 'both tenants are registered to the new customers');

-- (the creator checks of the customers partners created run first: a table
-- with pending trigger events cannot be truncated, 55006)
-- (on Citus every statement is a transaction of its own: nothing is pending)
\if :{?mp_citus_rules}
\else
SET CONSTRAINTS ALL IMMEDIATE;
\endif
SELECT throws_ok('TRUNCATE multipartner.partner CASCADE', 'MP007', 'cannot truncate table "partner"',
                 'R10: TRUNCATE partner (CASCADE) is refused for the superuser (MP007)');
SELECT throws_ok('TRUNCATE multipartner.customer CASCADE', 'MP007', 'cannot truncate table "customer"',
                 'R10: TRUNCATE customer (CASCADE) is refused (MP007)');
SELECT throws_ok('TRUNCATE multipartner.relationship', 'MP007', NULL,
                 'R10: TRUNCATE relationship is refused (MP007)');
SELECT throws_ok('TRUNCATE multipartner.tenant', 'MP007', 'cannot truncate table "tenant"',
                 'R10: TRUNCATE of the tenant registry is refused (MP007)');
SELECT throws_ok('TRUNCATE multipartner.partner_member', 'MP007', 'cannot truncate table "partner_member"',
                 'TRUNCATE partner_member is refused too (MP007): members are removed with DELETE');
SELECT throws_ok('TRUNCATE multipartner.customer_member', 'MP007', NULL,
                 'TRUNCATE customer_member is refused too (MP007)');
SELECT throws_ok('TRUNCATE multipartner.partner', '0A000', NULL,
                 'TRUNCATE partner without CASCADE stops earlier, at the foreign keys (0A000)');
SET ROLE regress_operator;
SELECT throws_ok('TRUNCATE multipartner.customer CASCADE', '42501', NULL,
                 'an operator has no TRUNCATE privilege (42501)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.partner), 4, 'the four partners are all still there');

-------------------------------------------------------------------------------
-- Names: 1 to 256 characters; NOT NULL columns
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT lives_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t5', repeat('n', 256), 'commercial'),
                'a customer name of 256 characters is fine');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t8', repeat('n', 257), 'commercial'),
                 '23514', NULL, 'a customer name of 257 characters is refused (23514)');
SELECT throws_ok(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t8', '', 'commercial'),
                 '23514', NULL, 'an empty customer name is refused (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                        :'t8', :'t8', repeat('é', 257), 'commercial'),
                 '23514', NULL, 'the limit counts characters: 257 two-byte characters are refused (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, NULL)', :'t8', :'t8', 'No Cloud'),
                 '23502', NULL, 'a partner''s customer without a cloud: 23502');
RESET ROLE;
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        repeat('p', 257), 'commercial', :'t8'),
                 '23514', NULL, 'a partner name of 257 characters is refused (23514)');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                        '', 'commercial', :'t8'),
                 '23514', NULL, 'an empty partner name is refused (23514)');
SET ROLE regress_operator;
SELECT throws_ok(format('UPDATE multipartner.customer SET name = %L WHERE customer_id = %L', repeat('x', 257), :'contoso_id'),
                 '23514', NULL, 'renaming to 257 characters is refused (23514)');
SELECT throws_ok(format('UPDATE multipartner.customer SET name = NULL WHERE customer_id = %L', :'contoso_id'),
                 '23502', NULL, 'renaming to NULL is refused (23502)');
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (NULL, %L, %L)', 'No Tenant', 'commercial'),
                 '23502', NULL, 'a customer without a tenant: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, NULL, %L)', :'t8', :'t8', 'commercial'),
                 '23502', NULL, 'a customer without a name: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, NULL)', :'t8', :'t8', 'No Cloud'),
                 '23502', NULL, 'a customer without a cloud: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (NULL, %L, %L, %L)',
                        :'t8', 'No Id', 'commercial'),
                 :'want_null_customer_id', NULL, 'a customer with a NULL customer_id: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (NULL, %L, %L)', 'commercial', :'t8'),
                 '23502', NULL, 'a partner without a name: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, NULL, %L)', 'No Cloud', :'t8'),
                 '23502', NULL, 'a partner without a cloud: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, NULL)', 'No CSP', 'commercial'),
                 '23502', NULL, 'a partner without a CSP tenant: 23502');
SELECT throws_ok(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (NULL, %L, %L, %L)',
                        'No Id', 'commercial', :'t8'),
                 '23502', NULL, 'a partner with a NULL partner_id: 23502');
SELECT throws_ok(format('UPDATE multipartner.partner SET status = NULL WHERE partner_id = %L', :'office_id'),
                 '23502', NULL, 'a partner status of NULL: 23502');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.tenant WHERE tenant_id = :'t8'), 0,
          'none of the refused rows left a tenant claim behind');

-------------------------------------------------------------------------------
-- INSERT ... ON CONFLICT: the tenant is claimed by the BEFORE trigger, before
-- the conflict on the key is found
-------------------------------------------------------------------------------
SELECT lives_ok(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)'
                       ' ON CONFLICT (partner_id) DO NOTHING',
                       :'office_id', 'Office Reseller', 'commercial', :'t_leak'),
                'INSERT of an existing partner_id ... ON CONFLICT DO NOTHING inserts nothing');
SELECT is((SELECT count(*)::int FROM multipartner.tenant WHERE tenant_id = :'t_leak'), 0,
          'a skipped INSERT leaves no tenant claim behind');
SELECT is(pg_temp.error_of(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                                  :'t_leak', :'t_leak', 'Leaked Tenant', 'commercial')),
          NULL, 'that tenant may still become a customer');
SET ROLE regress_office_sa;
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)'
                       ' ON CONFLICT DO NOTHING',
                       :'contoso_id', :'t_squat', 'Squatter', 'commercial'),
                'a partner role''s INSERT of an existing customer_id ... ON CONFLICT DO NOTHING inserts nothing');
-- With a conflict target, ON CONFLICT needs SELECT on customer_id, so the
-- row security SELECT policy applies to the new row as a check: a partner
-- sees no customer it has no relationship with, so the row is refused.
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)'
                        ' ON CONFLICT (customer_id) DO NOTHING',
                        :'contoso_id', :'t_squat', 'Squatter', 'commercial'),
                 '42501', 'new row violates row-level security policy for table "customer"',
                 'a partner role''s INSERT ... ON CONFLICT (customer_id) DO NOTHING is refused by row security (42501)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM multipartner.tenant WHERE tenant_id = :'t_squat'), 0,
          'a partner role cannot reserve a tenant id with a skipped INSERT');
SET ROLE regress_azure_ga;
SELECT is(pg_temp.error_of(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t_squat', 'The Real Owner', 'commercial')),
          NULL, 'the real customer of that tenant can still be created');
RESET ROLE;
SELECT is(pg_temp.error_of(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)'
                                  ' ON CONFLICT (partner_id) DO NOTHING',
                                  :'azure_id', 'Azure Reseller', 'commercial', :'azure_csp')),
          NULL, 're-inserting an existing partner row ... ON CONFLICT DO NOTHING succeeds');

SELECT * FROM finish();
\i test/teardown.psql
