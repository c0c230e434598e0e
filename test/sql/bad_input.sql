-- bad_input: NULLs, malformed uuids, unknown enum labels, oversized names,
-- out-of-range quantities, unknown terms and billing cycles, garbage in
-- multipartner.acting_partner, and check() with nonsense (DESIGN_NOTES §2.3).
-- Every refused call is asserted by its SQLSTATE (pg_temp.refused()); a
-- statement that fails has left nothing half written, so there is no
-- "nothing changed" after it (test/state.psql says why).  The dry runs of
-- check(), which raise nothing, are followed by a comparison of
-- pg_temp.regress_counts() (the row count and a digest of the rows of every
-- multipartner table, and the audit log's row count) before and after.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql

\set t_new   '44444444-4444-4444-8444-0000000000c1'
\set t_new2  '44444444-4444-4444-8444-0000000000c2'
\set t_new3  '44444444-4444-4444-8444-0000000000c3'
\set p_new_csp '22222222-2222-4222-8222-0000000000c1'
\set northwind_id '33333333-3333-4333-8333-0000000000c1'

\i test/state.psql

-- a customer nobody works with yet
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'northwind_id', :'t_new2', 'Northwind', 'commercial');
\i test/fixtures_done.psql
-- On distributed tables (the Citus mode of the suite, README "Running on
-- Citus") Citus refuses three of the statements below before any trigger of
-- the extension sees them, with its own SQLSTATE: a NULL distribution column
-- in an INSERT (22004 "cannot perform an INSERT with NULL in the partition
-- column") and an UPDATE of the distribution column customer_id (0A000
-- "modifying the partition value of rows is not allowed").  Still refused,
-- nothing written; the single-node answers otherwise.
\set want_null_dist_insert 23502
\set want_sub_customer_update MP003
\set want_rel_customer_update MP008
\if :{?mp_citus_rules}
\set want_null_dist_insert 22004
\set want_sub_customer_update 0A000
\set want_rel_customer_update 0A000
\endif
-- a pending request Office -> Fabrikam, for the accept/decline calls
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'fabrikam_id') AS rel_pending \gset
RESET ROLE;

SELECT plan(160);

-------------------------------------------------------------------------------
-- 1. NULL in every argument of every API function: 22004
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_customer(NULL, 'Litware', 'commercial')$$, '22004',
    'create_customer(tenant_id => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, NULL, 'commercial')$$, :'t_new'), '22004',
    'create_customer(name => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, 'Litware', NULL)$$, :'t_new'), '22004',
    'create_customer(cloud => NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.request_relationship(NULL)', '22004',
    'request_relationship(customer_id => NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.request_relationship(NULL, true)', '22004',
    'request_relationship(NULL, true)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.request_relationship(%L, NULL)', :'govcust_id'), '22004',
    'request_relationship(delegated_admin => NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.terminate_relationship(NULL)', '22004',
    'terminate_relationship(NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.revoke_delegated_admin(NULL)', '22004',
    'revoke_delegated_admin(NULL), partner');
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_subscription(NULL, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, '22004',
    'create_subscription(customer_id => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, NULL, 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '22004',
    'create_subscription(offer_id => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', NULL, 1, 'P1M', 'monthly')$$, :'contoso_id'), '22004',
    'create_subscription(product_family => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', NULL, 'P1M', 'monthly')$$, :'contoso_id'), '22004',
    'create_subscription(quantity => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, NULL, 'monthly')$$, :'contoso_id'), '22004',
    'create_subscription(term => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', NULL)$$, :'contoso_id'), '22004',
    'create_subscription(billing_cycle => NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.create_subscription(NULL, NULL, NULL, NULL, NULL, NULL)', '22004',
    'create_subscription(all NULL)');
SET ROLE regress_fabrikam_ga;
SELECT * FROM pg_temp.refused('SELECT multipartner.accept_relationship(NULL)', '22004',
    'accept_relationship(NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.decline_relationship(NULL)', '22004',
    'decline_relationship(NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.revoke_delegated_admin(NULL)', '22004',
    'revoke_delegated_admin(NULL), customer');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(NULL)', '22004',
    'check(action => NULL)');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)', '22004',
    'check(all NULL)');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(''accept_relationship'')', '22004',
    'check(accept_relationship) without a relationship id');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(''accept_relationship'', NULL)', '22004',
    'check(accept_relationship, id => NULL)');
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check(''accept_relationship'', customer_id => %L)', :'fabrikam_id'), '22004',
    'check(accept_relationship) with a customer id instead of a relationship id');
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(''create_subscription'', customer_id => NULL)', '22004',
    'check(create_subscription, customer_id => NULL)');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.check(''update_subscription'', subscription_id => NULL, quantity => 5)', '22004',
    'check(update_subscription, subscription_id => NULL)');
-- NULL for what an update leaves unchanged is no error: a no-op update is allowed
SELECT pg_temp.regress_counts() AS before \gset
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L, quantity => NULL, status => NULL, auto_renew => NULL, partner_of_record => NULL, term => NULL)$$, :'sub_office'),
    $$VALUES (true, NULL::text)$$,
    'check(update_subscription) with every change NULL: allowed (nothing to change)');
RESET ROLE;
SELECT is(pg_temp.regress_counts(), :'before', 'check() with NULL changes: nothing written');
SELECT is(multipartner.effective_status(NULL::multipartner.relationship), NULL, 'effective_status(NULL) is NULL');

-------------------------------------------------------------------------------
-- 2. NULL through direct DML: 23502
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'O365_E5', 'Microsoft 365', NULL, 'P1M', 'monthly')$$, :'contoso_id'), '23502',
    'INSERT subscription, quantity NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, NULL, 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '23502',
    'INSERT subscription, offer_id NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'O365_E5', 'Microsoft 365', 1, NULL, 'monthly')$$, :'contoso_id'), '23502',
    'INSERT subscription, term NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', NULL)$$, :'contoso_id'), '23502',
    'INSERT subscription, billing_cycle NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, status) VALUES (%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly', NULL)$$, :'contoso_id'), '23502',
    'INSERT subscription, status NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, auto_renew) VALUES (%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly', NULL)$$, :'contoso_id'), '23502',
    'INSERT subscription, auto_renew NULL');
SELECT pg_temp.sqlstate_of($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (NULL, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$) AS sub_null_customer \gset
SELECT is(:'sub_null_customer'::text, :'want_null_dist_insert', 'INSERT subscription, customer_id NULL, partner_of_record left out: 23502');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = NULL WHERE subscription_id = %L', :'sub_office'), '23502',
    'UPDATE subscription SET quantity = NULL');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET status = NULL WHERE subscription_id = %L', :'sub_office'), '23502',
    'UPDATE subscription SET status = NULL');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET auto_renew = NULL WHERE subscription_id = %L', :'sub_office'), '23502',
    'UPDATE subscription SET auto_renew = NULL');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET term = NULL WHERE subscription_id = %L', :'sub_office'), 'MP004',
    'UPDATE subscription SET term = NULL: terms never change (R7 MP004)');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET partner_of_record = NULL WHERE subscription_id = %L', :'sub_office'), 'MP003',
    'UPDATE subscription SET partner_of_record = NULL: R6 MP003');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET customer_id = NULL WHERE subscription_id = %L', :'sub_office'), :'want_sub_customer_update',
    'UPDATE subscription SET customer_id = NULL: R6 MP003');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET created_at = NULL WHERE subscription_id = %L', :'sub_office'), 'MP004',
    'UPDATE subscription SET created_at = NULL: R7 MP004');
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.relationship SET status = NULL WHERE relationship_id = %L', :'rel_office_contoso'), '23502',
    'UPDATE relationship SET status = NULL');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.relationship SET delegated_admin = NULL WHERE relationship_id = %L', :'rel_office_contoso'), '23502',
    'UPDATE relationship SET delegated_admin = NULL');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.relationship SET customer_id = NULL WHERE relationship_id = %L', :'rel_office_contoso'), :'want_rel_customer_update',
    'UPDATE relationship SET customer_id = NULL: the parties never change (MP008)');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.relationship (customer_id, delegated_admin) VALUES (%L, NULL)$$, :'northwind_id'), '23502',
    'INSERT relationship, delegated_admin NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (NULL, 'Litware', 'commercial')$$), '23502',
    'INSERT customer, tenant_id NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, NULL, 'commercial')$$, :'t_new', :'t_new'), '23502',
    'INSERT customer, name NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, 'Litware', NULL)$$, :'t_new', :'t_new'), '23502',
    'INSERT customer, cloud NULL');
SET ROLE regress_operator;
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES ('Litware', 'commercial', NULL)$$), '23502',
    'INSERT partner, csp_tenant_id NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (NULL, 'commercial', %L)$$, :'p_new_csp'), '23502',
    'INSERT partner, name NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES ('Litware', NULL, %L)$$, :'p_new_csp'), '23502',
    'INSERT partner, cloud NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES (NULL, %L, 'global_admin')$$, :'office_id'), '23502',
    'INSERT partner_member, member NULL');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_nobody', %L, NULL)$$, :'office_id'), '23502',
    'INSERT partner_member, role NULL');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.partner SET status = NULL WHERE partner_id = %L$$, :'office_id'), '23502',
    'UPDATE partner SET status = NULL');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.customer SET name = NULL WHERE customer_id = %L$$, :'contoso_id'), '23502',
    'UPDATE customer SET name = NULL');
RESET ROLE;

-------------------------------------------------------------------------------
-- 3. Malformed uuids (22P02) and unknown enum labels (22P02)
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_customer('not-a-uuid', 'Litware', 'commercial')$$, '22P02',
    'create_customer(''not-a-uuid'', ...)');
SELECT * FROM pg_temp.refused($$SELECT multipartner.request_relationship('not-a-uuid')$$, '22P02',
    'request_relationship(''not-a-uuid'')');
SELECT * FROM pg_temp.refused($$SELECT multipartner.request_relationship('33333333-3333-4333-8333-00000000000')$$, '22P02',
    'request_relationship(a uuid one digit short)');
SELECT * FROM pg_temp.refused($$SELECT multipartner.terminate_relationship('')$$, '22P02',
    'terminate_relationship('''')');
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000c1', 'Litware', 'azure')$$, '22P02',
    'create_customer(cloud => ''azure''): unknown cloud');
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000c1', 'Litware', 'Commercial')$$, '22P02',
    'create_customer(cloud => ''Commercial''): enum labels are case-sensitive');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.relationship SET status = 'revoked' WHERE relationship_id = %L$$, :'rel_office_contoso'), '22P02',
    'UPDATE relationship SET status = ''revoked'': unknown status');
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused($$SELECT multipartner.create_subscription('not-a-uuid', 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, '22P02',
    'create_subscription(''not-a-uuid'', ...)');
SELECT * FROM pg_temp.refused($$UPDATE multipartner.subscription SET quantity = 11 WHERE subscription_id = 'not-a-uuid'$$, '22P02',
    'UPDATE subscription WHERE subscription_id = ''not-a-uuid''');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.subscription SET status = 'deleted' WHERE subscription_id = %L$$, :'sub_office'), '22P02',
    'UPDATE subscription SET status = ''deleted'': unknown status');
SELECT * FROM pg_temp.refused($$SELECT * FROM multipartner.check('update_subscription', 'not-a-uuid')$$, '22P02',
    'check(update_subscription, ''not-a-uuid'')');
SET ROLE regress_fabrikam_ga;
SELECT * FROM pg_temp.refused($$SELECT multipartner.accept_relationship('not-a-uuid')$$, '22P02',
    'accept_relationship(''not-a-uuid'')');
SELECT * FROM pg_temp.refused($$SELECT multipartner.decline_relationship('{55555555-5555-4555-8555-00000000000}')$$, '22P02',
    'decline_relationship(a braced uuid one digit short)');
SET ROLE regress_operator;
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES ('Litware', 'azure', %L)$$, :'p_new_csp'), '22P02',
    'INSERT partner, cloud ''azure''');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_nobody', %L, 'owner')$$, :'office_id'), '22P02',
    'INSERT partner_member, role ''owner''');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES ('regress_nobody', %L, 'admin')$$, :'contoso_id'), '22P02',
    'INSERT customer_member, role ''admin''');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_no_such_role', %L, 'global_admin')$$, :'office_id'), '42704',
    'INSERT partner_member, a role that does not exist (regrole input)');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.partner SET status = 'closed' WHERE partner_id = %L$$, :'office_id'), '22P02',
    'UPDATE partner SET status = ''closed'': unknown status');
RESET ROLE;
-- a braced uuid is a uuid
SET ROLE regress_fabrikam_ga;
SELECT lives_ok(format('SELECT multipartner.decline_relationship(%L)', '{' || :'rel_pending' || '}'),
    'decline_relationship(''{<uuid>}''): a uuid in braces is accepted');
RESET ROLE;
SELECT is((SELECT status::text FROM multipartner.relationship WHERE relationship_id = :'rel_pending'), 'declined',
    'the braced id named the pending request, now declined');

-------------------------------------------------------------------------------
-- 4. Names: 1 MB, empty, one over the limit (23514); the limit itself is fine
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, repeat('x', 1048576), 'commercial')$$, :'t_new'), '23514',
    'create_customer, a name of 1 MB');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, repeat('é', 524288), 'commercial')$$, :'t_new'), '23514',
    'create_customer, a name of 1 MB in two-byte characters');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, '', 'commercial')$$, :'t_new'), '23514',
    'create_customer, an empty name');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, repeat('x', 257), 'commercial')$$, :'t_new'), '23514',
    'create_customer, a name of 257 characters');
SELECT isnt(multipartner.create_customer(:'t_new3', repeat('x', 256), 'commercial'), NULL,
    'create_customer, a name of 256 characters: created');
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, repeat('x', 1048576), 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, an offer_id of 1 MB');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', repeat('x', 1048576), 1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, a product_family of 1 MB');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, repeat('x', 129), 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, an offer_id of 129 characters');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, '', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, an empty offer_id');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', repeat('x', 1048576) || 'y', 1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, a product_family of 1 MB and a byte');
SELECT isnt(multipartner.create_subscription(:'contoso_id', repeat('o', 128), repeat('f', 128), 1, 'P1M', 'monthly'), NULL,
    'create_subscription, offer_id and product_family of 128 characters: sold');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, repeat('P', 1048576), 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, a term of 1 MB');
SET ROLE regress_operator;
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (repeat('x', 1048576), 'commercial', %L)$$, :'p_new_csp'), '23514',
    'INSERT partner, a name of 1 MB');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.customer SET name = repeat('x', 1048576) WHERE customer_id = %L$$, :'contoso_id'), '23514',
    'UPDATE customer, a name of 1 MB');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.partner SET name = '' WHERE partner_id = %L$$, :'office_id'), '23514',
    'UPDATE partner, an empty name');
RESET ROLE;

-------------------------------------------------------------------------------
-- 5. Quantity: 1 .. 1,000,000 (23514); beyond int4 (22003)
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 0, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, quantity 0');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', -1, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, quantity -1');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1000001, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, quantity 1000001');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', '3000000000', 'P1M', 'monthly')$$, :'contoso_id'), '22003',
    'create_subscription, quantity 3000000000');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', -2147483648, 'P1M', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, quantity -2147483648');
SELECT isnt(multipartner.create_subscription(:'contoso_id', 'O365_E5', 'Microsoft 365', 1000000, 'P1M', 'monthly'), NULL,
    'create_subscription, quantity 1000000: sold');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 0 WHERE subscription_id = %L', :'sub_office'), '23514',
    'UPDATE subscription, quantity 0');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = -1 WHERE subscription_id = %L', :'sub_office'), '23514',
    'UPDATE subscription, quantity -1');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 1000001 WHERE subscription_id = %L', :'sub_office'), '23514',
    'UPDATE subscription, quantity 1000001');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 3000000000 WHERE subscription_id = %L', :'sub_office'), '22003',
    'UPDATE subscription, quantity 3000000000');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = quantity + 2147483647 WHERE subscription_id = %L', :'sub_office'), '22003',
    'UPDATE subscription, quantity + 2147483647 overflows');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'O365_E5', 'Microsoft 365', 1.5e9 * 2, 'P1M', 'monthly')$$, :'contoso_id'), '22003',
    'INSERT subscription, quantity 3e9');

-------------------------------------------------------------------------------
-- 6. Terms and billing cycles: unknown ones and bad combinations (23514)
-------------------------------------------------------------------------------
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P2Y', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, term P2Y');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'p1m', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, term p1m (terms are upper case)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, '', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, empty term');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M ', 'monthly')$$, :'contoso_id'), '23514',
    'create_subscription, term ''P1M '' (trailing blank)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'weekly')$$, :'contoso_id'), '23514',
    'create_subscription, billing cycle weekly');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1Y', 'Monthly')$$, :'contoso_id'), '23514',
    'create_subscription, billing cycle Monthly');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'annual')$$, :'contoso_id'), '23514',
    'create_subscription, P1M billed annually');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'triennial')$$, :'contoso_id'), '23514',
    'create_subscription, P1M billed triennially');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1Y', 'triennial')$$, :'contoso_id'), '23514',
    'create_subscription, P1Y billed triennially');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'O365_E5', 'Microsoft 365', 1, 'P2Y', 'monthly')$$, :'contoso_id'), '23514',
    'INSERT subscription, term P2Y');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.subscription SET term = 'P2Y' WHERE subscription_id = %L$$, :'sub_office'), 'MP004',
    'UPDATE subscription, term P2Y: terms never change (R7 MP004 comes first)');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.subscription SET billing_cycle = 'weekly' WHERE subscription_id = %L$$, :'sub_office'), 'MP004',
    'UPDATE subscription, billing cycle weekly: R7 MP004');
SELECT results_eq(
    format($$SELECT sqlstate, allowed FROM multipartner.check('create_subscription', %L, term => 'P2Y')$$, :'contoso_id'),
    $$VALUES ('23514'::text, false)$$,
    'check(create_subscription, term => P2Y) answers 23514');
SELECT results_eq(
    format($$SELECT sqlstate, allowed FROM multipartner.check('create_subscription', %L, term => 'P1Y', billing_cycle => 'triennial')$$, :'contoso_id'),
    $$VALUES ('23514'::text, false)$$,
    'check(create_subscription, P1Y triennial) answers 23514');
SELECT results_eq(
    format($$SELECT sqlstate, allowed FROM multipartner.check('create_subscription', %L, quantity => 0)$$, :'contoso_id'),
    $$VALUES ('23514'::text, false)$$,
    'check(create_subscription, quantity => 0) answers 23514');
RESET ROLE;

-------------------------------------------------------------------------------
-- 7. multipartner.acting_partner: '' or a uuid; anything else 22023 at SET
-------------------------------------------------------------------------------
SET ROLE regress_multi;
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''garbage''', '22023', 'acting_partner = ''garbage''');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''null''', '22023', 'acting_partner = ''null''');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''NULL''', '22023', 'acting_partner = ''NULL''');
SELECT * FROM pg_temp.refused(format('SET multipartner.acting_partner = %L', repeat('x', 10240)), '22023', 'acting_partner = 10 KB of x');
SELECT * FROM pg_temp.refused(format('SET multipartner.acting_partner = %L', repeat('1', 10240)), '22023', 'acting_partner = 10 KB of hex digits');
SELECT * FROM pg_temp.refused(format('SET multipartner.acting_partner = %L', :'office_id' || repeat('0', 10240)), '22023', 'acting_partner = a uuid and 10 KB more');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''11111111-1111-4111-8111-00000000000''', '22023', 'acting_partner = 31 hex digits');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''11111111-1111-4111-8111-000000000001-''', '22023', 'acting_partner = a uuid with a trailing hyphen');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = '' 11111111-1111-4111-8111-000000000001''', '22023', 'acting_partner = a uuid with a leading blank');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''{11111111-1111-4111-8111-000000000001''', '22023', 'acting_partner = a uuid with an opening brace only');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''11111111-1111-4111-8111-000000000001}''', '22023', 'acting_partner = a uuid with a closing brace only');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''11111111--1111-4111-8111-000000000001''', '22023', 'acting_partner = two hyphens in a row');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''gggggggg-1111-4111-8111-000000000001''', '22023', 'acting_partner = non-hex digits');
SELECT * FROM pg_temp.refused('SELECT set_config(''multipartner.acting_partner'', ''garbage'', true)', '22023', 'set_config(acting_partner, ''garbage'', local)');
SELECT * FROM pg_temp.refused('SET multipartner.no_such_setting = ''x''', '42602', 'an unknown multipartner.* setting is refused (the prefix is reserved)');
SELECT lives_ok('SET multipartner.acting_partner = ''''', 'acting_partner = '''' is accepted');
SELECT * FROM pg_temp.refused('SELECT multipartner.acting_partner()', '42501', 'acting_partner = '''' for a member of two partners: ambiguous, 42501');
SELECT lives_ok(format('SET multipartner.acting_partner = %L', '{' || :'office_id' || '}'), 'acting_partner = a uuid in braces is accepted');
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'acting_partner in braces: acts for Office');
SELECT * FROM pg_temp.refused('SET multipartner.acting_partner = ''garbage''', '22023', 'acting_partner = ''garbage'' after a good value');
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'a refused SET keeps the previous value: still Office');
SELECT lives_ok(format('SET multipartner.acting_partner = %L', upper(replace(:'azure_id', '-', ''))), 'acting_partner = upper case hex without hyphens is accepted');
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid, 'acting_partner upper case without hyphens: acts for Azure');
SELECT lives_ok('SELECT set_config(''multipartner.acting_partner'', NULL, false)', 'set_config(acting_partner, NULL) is accepted (it resets)');
SELECT is(current_setting('multipartner.acting_partner'), '', 'set_config(acting_partner, NULL): the setting is empty');
RESET multipartner.acting_partner;
RESET ROLE;

-------------------------------------------------------------------------------
-- 8. check(): unknown actions (22023), and a dry run never writes
-------------------------------------------------------------------------------
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check(''delete_subscription'', %L)', :'sub_office'), '22023', 'check(''delete_subscription''): unknown action');
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check('''', %L)', :'sub_office'), '22023', 'check(''''): unknown action');
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check(''UPDATE_SUBSCRIPTION'', %L)', :'sub_office'), '22023', 'check(''UPDATE_SUBSCRIPTION''): actions are lower case');
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check(%L, %L)', repeat('x', 1048576), :'sub_office'), '22023', 'check(1 MB of action)');
SELECT * FROM pg_temp.refused(format('SELECT * FROM multipartner.check(''update_subscription'', %L, quantity => ''3000000000'')', :'sub_office'), '22003', 'check(update_subscription, quantity => 3000000000): the argument is out of range');
SELECT pg_temp.regress_counts() AS before \gset
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L, status => 'bogus')$$, :'sub_office'),
    $$VALUES (false, '22P02'::text)$$, 'check(update_subscription, status => ''bogus''): refused, 22P02 (status is text; the update casts it)');
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L, quantity => 0)$$, :'sub_office'),
    $$VALUES (false, '23514'::text)$$, 'check(update_subscription, quantity => 0): refused, 23514');
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L)$$, :'unknown_id'),
    $$VALUES (false, '42704'::text)$$, 'check(update_subscription) of an unknown id: 42704');
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('cancel_subscription', %L)$$, :'rel_office_contoso'),
    $$VALUES (false, '42704'::text)$$, 'check(cancel_subscription) of a relationship id: 42704');
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('create_subscription', %L, quantity => 5, term => 'P1Y', billing_cycle => 'annual')$$, :'contoso_id'),
    $$VALUES (true, NULL::text)$$, 'check(create_subscription) that would sell: allowed');
SELECT results_eq(
    format($$SELECT allowed, sqlstate FROM multipartner.check('update_subscription', %L, quantity => 12)$$, :'sub_office'),
    $$VALUES (true, NULL::text)$$, 'check(update_subscription, quantity => 12) that would raise: allowed');
RESET ROLE;
SELECT is(pg_temp.regress_counts(), :'before', 'the dry runs above, allowed or not, wrote nothing');

-------------------------------------------------------------------------------
-- 9. Ids that match nothing
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
-- (a missing customer is left to the foreign key: 23503, which the README
-- does not list among its SQLSTATEs; random_ops keeps that as a TODO)
SELECT * FROM pg_temp.refused(format('SELECT multipartner.request_relationship(%L)', :'unknown_id'), '23503',
    'request_relationship of a customer that does not exist: foreign key 23503');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.terminate_relationship(%L)', :'unknown_id'), '42704',
    'terminate_relationship of an unknown id: 42704');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.revoke_delegated_admin(%L)', :'sub_office'), '42704',
    'revoke_delegated_admin of a subscription id: 42704');
SET ROLE regress_office_sa;
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'unknown_id'), 'MP001',
    'create_subscription for a customer that does not exist: MP001');
SET ROLE regress_contoso_ga;
SELECT * FROM pg_temp.refused(format('SELECT multipartner.accept_relationship(%L)', :'unknown_id'), '42704',
    'accept_relationship of an unknown id: 42704');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
