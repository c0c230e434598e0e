-- bypass: the ways around the rules that PostgreSQL offers an application
-- role, an operator, a role granted SET on session_replication_role, or a
-- non-superuser that came to own one of the extension's tables
-- (DESIGN_NOTES §2.4).  Each attempt must fail with the SQLSTATE named
-- (pg_temp.refused()); a statement that fails has left nothing, so there is
-- no "nothing changed" after it (test/state.psql says why).  The attempts
-- that raise nothing (an UPDATE or DELETE of rows row security hides) are
-- the ones that could write something unseen: pg_temp.changes_nothing()
-- runs each and compares pg_temp.regress_counts() (row counts and a digest
-- of every multipartner table, the audit log's row count, and a digest of
-- the triggers, policies, row security flags, rules and child tables of the
-- schema) before and after.  Attempts that must be made as a sequence (an
-- attack in several steps) run between SAVEPOINT and ROLLBACK TO with their
-- SQLSTATEs kept in psql variables, and are asserted afterwards.
--
-- Open bugs are kept as TODO assertions (not ok ... # TODO BUG ...).
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql

\set new_tenant  '44444444-4444-4444-8444-0000000000b1'
\set new_tenant2 '44444444-4444-4444-8444-0000000000b2'
\set new_tenant3 '44444444-4444-4444-8444-0000000000b3'

\i test/state.psql

-- The partner of record of a subscription in whatever table rel now is.
CREATE FUNCTION pg_temp.por_of(rel oid, sid uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE format('SELECT partner_of_record::text FROM %s WHERE subscription_id = $1', rel::regclass)
       INTO r USING sid;
    RETURN r;
END
$$;

SELECT 'multipartner.subscription'::regclass::oid AS sub_oid \gset

SELECT plan(211);

-------------------------------------------------------------------------------
-- 1. Application roles: no DDL, no TRUNCATE, no DELETE of what is never deleted
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER subscription_guard', '42501',
    'partner app: DISABLE TRIGGER subscription_guard: must be owner');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER ALL', '42501',
    'partner app: DISABLE TRIGGER ALL: must be owner');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.audit_log DISABLE TRIGGER audit_log_guard', '42501',
    'partner app: DISABLE TRIGGER audit_log_guard: must be owner');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.subscription', '42501',
    'partner app: TRUNCATE subscription');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.relationship', '42501',
    'partner app: TRUNCATE relationship');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.audit_log', '42501',
    'partner app: TRUNCATE audit_log');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office'), '42501',
    'partner app: DELETE its own subscription: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rel_office_contoso'), '42501',
    'partner app: DELETE its own relationship: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.partner', '42501',
    'partner app: DELETE partner: no privilege');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.customer', '42501',
    'partner app: DELETE customer: no privilege');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.partner_member', '42501',
    'partner app: DELETE partner_member (its own membership): no privilege');

SET ROLE regress_contoso_ga;
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.relationship DISABLE TRIGGER relationship_guard', '42501',
    'customer app: DISABLE TRIGGER relationship_guard: must be owner');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.subscription', '42501',
    'customer app: TRUNCATE subscription');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.relationship', '42501',
    'customer app: TRUNCATE relationship');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rel_office_contoso'), '42501',
    'customer app: DELETE its relationship: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office'), '42501',
    'customer app: DELETE its subscription: no privilege');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'contoso_id'), '42501',
    'customer app: DELETE its customer row: no privilege');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.customer_member', '42501',
    'customer app: DELETE customer_member: no privilege');

SET ROLE regress_operator;
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER subscription_guard', '42501',
    'operator: DISABLE TRIGGER: must be owner');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.subscription', 'MP007',
    'operator: TRUNCATE subscription: R10 MP007');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.relationship', 'MP007',
    'operator: TRUNCATE relationship: R10 MP007');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office'), 'MP007',
    'operator: DELETE subscription: R10 MP007');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'contoso_id'), 'MP007',
    'operator: DELETE a customer that is in use: R10 MP007');
RESET ROLE;

-- other statement forms write through the same row triggers
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused(format('MERGE INTO multipartner.subscription s USING (SELECT %L::uuid AS id) v ON s.subscription_id = v.id WHEN MATCHED THEN UPDATE SET partner_of_record = %L', :'sub_office', :'azure_id'), 'MP003',
    'partner app: MERGE ... UPDATE SET partner_of_record: R6 MP003');
SELECT * FROM pg_temp.refused(format('MERGE INTO multipartner.subscription s USING (SELECT %L::uuid AS id) v ON s.subscription_id = v.id WHEN MATCHED THEN DELETE', :'sub_office'), '42501',
    'partner app: MERGE ... DELETE: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused(format($$MERGE INTO multipartner.subscription s USING (SELECT %L::uuid AS id) v ON s.subscription_id = v.id WHEN NOT MATCHED THEN INSERT (customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, 'X', 'X', 1, 'P1M', 'monthly')$$, :'unknown_id', :'fabrikam_id'), 'MP001',
    'partner app: MERGE ... INSERT without a relationship: R4 MP001');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, %L, 'X', 'X', 1, 'P1M', 'monthly') ON CONFLICT (subscription_id) DO UPDATE SET partner_of_record = %L$$, :'sub_office', :'contoso_id', :'azure_id'), 'MP003',
    'partner app: INSERT ... ON CONFLICT DO UPDATE SET partner_of_record: R6 MP003');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, %L, 'X', 'X', 1, 'P1M', 'monthly') ON CONFLICT (subscription_id) DO UPDATE SET quantity = 1$$, :'sub_office_old', :'contoso_id'), 'MP004',
    'partner app: INSERT ... ON CONFLICT DO UPDATE lowering a quantity after 168 hours: R7 MP004');
SELECT * FROM pg_temp.refused(format('WITH d AS (DELETE FROM multipartner.subscription WHERE subscription_id = %L RETURNING 1) SELECT count(*) FROM d', :'sub_office'), '42501',
    'partner app: DELETE in a writable CTE: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused(format($$MERGE INTO multipartner.relationship r USING (SELECT %L::uuid AS id) v ON r.relationship_id = v.id WHEN MATCHED THEN UPDATE SET status = 'terminated'$$, :'rel_office_contoso'), 'MP009',
    'partner app: MERGE ... terminate with live subscriptions: R13 MP009');
RESET ROLE;

-- attempts that raise nothing: the rows row security hides are not there
-- to be written, and the state shows that nothing was (these are the
-- attempts after which a "nothing changed" can fail)
SET ROLE regress_office_ga;
SELECT pg_temp.changes_nothing(format('UPDATE multipartner.subscription SET partner_of_record = %L, quantity = 99 WHERE subscription_id = %L', :'office_id', :'sub_azure'),
    'partner app: UPDATE of another partner''s subscription (hidden by row security): raises nothing, changes nothing');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_azure'), '42501',
    'partner app: DELETE of another partner''s subscription: no DELETE privilege (42501)');
SELECT pg_temp.changes_nothing(format('MERGE INTO multipartner.subscription s USING (SELECT %L::uuid AS id) v ON s.subscription_id = v.id WHEN MATCHED THEN UPDATE SET quantity = 99', :'sub_azure'),
    'partner app: MERGE ... UPDATE of another partner''s subscription (hidden by row security): raises nothing, changes nothing');
SELECT pg_temp.changes_nothing(format($$UPDATE multipartner.relationship SET status = 'terminated', delegated_admin = false WHERE relationship_id = %L$$, :'rel_azure_contoso'),
    'partner app: UPDATE of another partner''s relationship (hidden by row security): raises nothing, changes nothing');
SET ROLE regress_contoso_ga;
SELECT pg_temp.changes_nothing(format('UPDATE multipartner.relationship SET delegated_admin = false WHERE relationship_id = %L', :'rel_gov_govcust'),
    'customer app: UPDATE of another customer''s relationship (hidden by row security): raises nothing, changes nothing');
RESET ROLE;

-------------------------------------------------------------------------------
-- 2. SET session_replication_role = replica (GRANT SET ON PARAMETER, PG 15):
--    every trigger is ENABLE ALWAYS, so every rule still runs
-------------------------------------------------------------------------------
GRANT SET ON PARAMETER session_replication_role
   TO regress_office_ga, regress_contoso_ga, regress_operator;

SET ROLE regress_azure_ga;
SELECT throws_ok('SET session_replication_role = replica', '42501', NULL,
    'a role not granted SET on session_replication_role cannot set it');

SET ROLE regress_office_ga;
SET session_replication_role = replica;
SELECT is(current_setting('session_replication_role'), 'replica',
    'replica mode: a partner role granted SET on the parameter is in replica mode');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office'), 'MP003',
    'replica mode, partner app: move partner_of_record: R6 MP003');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L', :'fabrikam_id', :'sub_office'), 'MP003',
    'replica mode, partner app: move to another customer: R6 MP003');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET term = %L WHERE subscription_id = %L', 'P1M', :'sub_office'), 'MP004',
    'replica mode, partner app: change the term: R7 MP004');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = %L', :'sub_office_old'), 'MP004',
    'replica mode, partner app: lower quantity after 168 hours: R7 MP004');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office'), '42501',
    'replica mode, partner app: DELETE subscription: R10, refused by the privilege check (42501)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.terminate_relationship(%L)', :'rel_office_contoso'), 'MP009',
    'replica mode, partner app: terminate with live subscriptions: R13 MP009');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id'), 'MP001',
    'replica mode, partner app: sell without a relationship: R4 MP001');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, %L, 'X', 'X', 1, 'P1M', 'monthly')$$, :'contoso_id', :'azure_id'), '42501',
    'replica mode, partner app: sell for another partner: R4 42501');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_customer(%L, 'CSP tenant', 'commercial')$$, :'azure_csp'), 'MP005',
    'replica mode, partner app: a CSP tenant as customer: R8 MP005');
SELECT * FROM pg_temp.refused(format($$UPDATE multipartner.relationship SET partner_id = %L WHERE relationship_id = %L$$, :'azure_id', :'rel_office_contoso'), 'MP008',
    'replica mode, partner app: hand its relationship to another partner: MP008');
SELECT pg_temp.changes_nothing(format('UPDATE multipartner.subscription SET partner_of_record = %L, quantity = 99 WHERE subscription_id = %L', :'office_id', :'sub_azure'),
    'replica mode, partner app: UPDATE of another partner''s subscription (hidden by row security): raises nothing, changes nothing');
-- a write the rules allow is still audited
SELECT (regexp_match(pg_temp.regress_counts(), 'audit_log=(\d+)'))[1] AS audit_before,
       pg_temp.regress_counts() AS state_before \gset
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_office';
RESET session_replication_role;
RESET ROLE;
SELECT isnt(pg_temp.regress_counts(), :'state_before', 'pg_temp.regress_counts() notices a change (sanity of every "nothing changed" here)');
SELECT is((SELECT count(*) FROM multipartner.audit_log), :audit_before::bigint + 1,
    'replica mode: an allowed quantity raise still writes its audit row');

-- replica mode switches off the foreign keys (PostgreSQL's internal RI
-- triggers are not ENABLE ALWAYS); the relationship trigger leaves a
-- missing customer to the foreign key
SAVEPOINT regress_fk;
SET ROLE regress_office_ga;
SET session_replication_role = replica;
SELECT pg_temp.sqlstate_of(format('SELECT multipartner.request_relationship(%L)', :'unknown_id')) AS fk_request \gset
RESET session_replication_role;
RESET ROLE;
SELECT count(*) AS fk_dangling FROM multipartner.relationship r
 WHERE NOT EXISTS (SELECT FROM multipartner.customer c WHERE c.customer_id = r.customer_id) \gset
ROLLBACK TO SAVEPOINT regress_fk;
SELECT is(:'fk_request'::text, '23503', 'replica mode, partner app: request_relationship for a customer that does not exist is refused');
SELECT is(:fk_dangling, 0, 'replica mode: no relationship points at a missing customer');

SET ROLE regress_contoso_ga;
SET session_replication_role = replica;
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 99 WHERE subscription_id = %L', :'sub_office'), 'MP002',
    'replica mode, customer app: update a subscription: R5 MP002');
SELECT * FROM pg_temp.refused(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rel_office_contoso'), '42501',
    'replica mode, customer app: DELETE relationship: R10, refused by the privilege check (42501)');
RESET session_replication_role;

SET ROLE regress_operator;
SET session_replication_role = replica;
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.relationship', 'MP007',
    'replica mode, operator: TRUNCATE relationship: R10 MP007');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L', :'new_tenant', :'contoso_id'), 'MP008',
    'replica mode, operator: change a tenant id: R12 MP008');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office'), 'MP003',
    'replica mode, operator: move partner_of_record: R6 MP003');
SELECT * FROM pg_temp.refused('UPDATE multipartner.audit_log SET actor = current_user', 'MP007',
    'replica mode, operator: UPDATE audit_log: MP007');
RESET session_replication_role;
RESET ROLE;

-- the superuser in replica mode: the rules still run (only DISABLE TRIGGER,
-- which a superuser may, would stop them)
SET session_replication_role = replica;
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office'), 'MP003',
    'replica mode, superuser: move partner_of_record: R6 MP003');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.subscription', 'MP007',
    'replica mode, superuser: DELETE subscription: R10 MP007');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.audit_log', 'MP007',
    'replica mode, superuser: TRUNCATE audit_log: MP007');
SELECT * FROM pg_temp.refused($$INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid) VALUES ('x', 'x', 'INSERT', 'partner', 'x', 1)$$, '42501',
    'replica mode, superuser: INSERT audit_log: 42501');
SELECT * FROM pg_temp.refused(format($$INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, 'CSP', 'commercial')$$, :'office_csp'), 'MP005',
    'replica mode, superuser: a CSP tenant as customer: R8 MP005');
RESET session_replication_role;

-------------------------------------------------------------------------------
-- 3. A non-superuser that the superuser made owner of a table: the DDL guard
-------------------------------------------------------------------------------
CREATE ROLE regress_x NOLOGIN;
GRANT USAGE ON SCHEMA multipartner TO regress_x;
-- a schema of its own (any role with CREATE on some schema)
CREATE SCHEMA regress_xs AUTHORIZATION regress_x;
ALTER TABLE multipartner.subscription OWNER TO regress_x;
SELECT is((SELECT relowner::regrole::text FROM pg_class WHERE oid = :sub_oid), 'regress_x',
    'DDL guard: regress_x owns multipartner.subscription');

SET ROLE regress_x;
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER subscription_guard', '42501',
    'owner: DISABLE TRIGGER subscription_guard: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER audit', '42501',
    'owner: DISABLE TRIGGER audit: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER USER', '42501',
    'owner: DISABLE TRIGGER USER: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE TRIGGER ALL', '42501',
    'owner: DISABLE TRIGGER ALL: system triggers need a superuser');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription ENABLE TRIGGER subscription_guard', '42501',
    'owner: ENABLE (origin only) TRIGGER subscription_guard: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription ENABLE REPLICA TRIGGER subscription_guard', '42501',
    'owner: ENABLE REPLICA TRIGGER subscription_guard: DDL guard');
SELECT * FROM pg_temp.refused('DROP TRIGGER subscription_guard ON multipartner.subscription', '42501',
    'owner: DROP TRIGGER subscription_guard: DDL guard');
SELECT * FROM pg_temp.refused('DROP TRIGGER subscription_forbid_truncate ON multipartner.subscription', '42501',
    'owner: DROP TRIGGER subscription_forbid_truncate: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TRIGGER subscription_guard ON multipartner.subscription RENAME TO regress_renamed', '42501',
    'owner: rename a trigger: DDL guard');
SELECT * FROM pg_temp.refused('CREATE TRIGGER regress_trg BEFORE UPDATE ON multipartner.subscription FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()', '42501',
    'owner: add a trigger: DDL guard');
SELECT * FROM pg_temp.refused('DROP POLICY partner_own ON multipartner.subscription', '42501',
    'owner: DROP POLICY: DDL guard');
SELECT * FROM pg_temp.refused('ALTER POLICY partner_own ON multipartner.subscription USING (true)', '42501',
    'owner: ALTER POLICY: DDL guard');
SELECT * FROM pg_temp.refused('CREATE POLICY regress_open ON multipartner.subscription USING (true) WITH CHECK (true)', '42501',
    'owner: CREATE POLICY (permissive, for everyone): DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription NO FORCE ROW LEVEL SECURITY', '42501',
    'owner: NO FORCE ROW LEVEL SECURITY: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DISABLE ROW LEVEL SECURITY', '42501',
    'owner: DISABLE ROW LEVEL SECURITY: DDL guard');
SELECT * FROM pg_temp.refused('CREATE RULE regress_rule AS ON UPDATE TO multipartner.subscription DO INSTEAD NOTHING', '42501',
    'owner: CREATE RULE: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription DROP CONSTRAINT subscription_quantity_check', '42501',
    'owner: drop a CHECK constraint: DDL guard');
SELECT * FROM pg_temp.refused('ALTER TABLE multipartner.subscription ALTER COLUMN quantity DROP NOT NULL', '42501',
    'owner: drop a NOT NULL: DDL guard');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.subscription', 'MP007',
    'owner: TRUNCATE: R10 MP007');
SELECT * FROM pg_temp.refused('DROP TABLE multipartner.subscription', '2BP01',
    'owner: DROP TABLE: the extension depends on it');
RESET ROLE;

-- Attack 1: a child table.  The guard looks at commands on the multipartner
-- schema; CREATE TABLE ... INHERITS lands in the owner's schema.  Rows of
-- the child are rows of multipartner.subscription for every reader, and the
-- parent's triggers never fire for them.
SAVEPOINT regress_inherit;
SET ROLE regress_x;
SELECT pg_temp.sqlstate_of('CREATE TABLE regress_xs.sub_child () INHERITS (multipartner.subscription)') AS inh_create \gset
SELECT pg_temp.sqlstate_of(format($$INSERT INTO regress_xs.sub_child (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, commitment_end)
                                    VALUES (%L, %L, 'REGRESS_GHOST', 'Ghost', 5, 'P1M', 'monthly', now())$$, :'fabrikam_id', :'azure_id')) AS inh_insert \gset
SET ROLE regress_azure_ga;
-- Azure moves the ghost to Contoso: R6 is never asked
SELECT pg_temp.sqlstate_of(format($$UPDATE multipartner.subscription SET customer_id = %L WHERE offer_id = 'REGRESS_GHOST'$$, :'contoso_id')) AS inh_move \gset
RESET ROLE;
SELECT count(*) AS inh_ghosts FROM multipartner.subscription WHERE offer_id = 'REGRESS_GHOST' \gset
ROLLBACK TO SAVEPOINT regress_inherit;
SELECT is(:'inh_create'::text, '42501', 'owner: a child table of multipartner.subscription is refused');
SELECT is(:inh_ghosts, 0, 'owner: no subscription exists that the rules never saw');
SELECT is(:'inh_move'::text, 'ok', 'owner: with no child table there is no unchecked row to move (the UPDATE matches nothing)');

-- Attack 2: move the table out of the schema.  ALTER TABLE ... SET SCHEMA
-- is reported with the new schema, and the "weakened" check only scans the
-- multipartner schema; once out, the owner disables the trigger and
-- rewrites the partner of record.
SAVEPOINT regress_move;
SET ROLE regress_x;
SELECT pg_temp.sqlstate_of('ALTER TABLE multipartner.subscription SET SCHEMA regress_xs') AS mv_move \gset
SELECT pg_temp.sqlstate_of('ALTER TABLE regress_xs.subscription DISABLE TRIGGER subscription_guard') AS mv_disable \gset
SELECT pg_temp.sqlstate_of('ALTER TABLE regress_xs.subscription NO FORCE ROW LEVEL SECURITY') AS mv_noforce \gset
SELECT pg_temp.sqlstate_of(format('UPDATE regress_xs.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office')) AS mv_update \gset
RESET ROLE;
SELECT pg_temp.por_of(:sub_oid, :'sub_office') AS mv_por \gset
SELECT relnamespace::regnamespace::text AS mv_schema FROM pg_class WHERE oid = :sub_oid \gset
ROLLBACK TO SAVEPOINT regress_move;
SELECT is(:'mv_move'::text, '42501', 'owner: ALTER TABLE multipartner.subscription SET SCHEMA is refused');
SELECT is(:'mv_schema'::text, 'multipartner', 'owner: multipartner.subscription stays in schema multipartner');
SELECT is(:'mv_por'::text, :'office_id', 'owner: R6 holds, the partner of record of sub_office is still Office');

-- Privileges: GRANT/REVOKE by the owner pass the guard (their event trigger
-- command has no schema and no identity).  Not a way around a rule (the
-- triggers answer any role), but the guard claims to refuse any change.
SET ROLE regress_x;
SELECT pg_temp.sqlstate_of('REVOKE SELECT ON multipartner.subscription FROM multipartner_partner_app') AS priv_revoke \gset
RESET ROLE;
SELECT has_table_privilege('multipartner_partner_app', 'multipartner.subscription', 'SELECT') AS priv_left \gset
GRANT SELECT ON multipartner.subscription TO multipartner_partner_app;
SELECT is(:'priv_revoke'::text, '42501', 'owner: REVOKE SELECT from multipartner_partner_app is refused');
SELECT ok(:'priv_left', 'owner: multipartner_partner_app keeps SELECT on multipartner.subscription');

-- restore the owner (the superuser may), and the state is as before
ALTER TABLE multipartner.subscription OWNER TO :"ext_owner";
SELECT is((SELECT relowner::regrole::text FROM pg_class WHERE oid = :sub_oid), :'ext_owner',
    'DDL guard: the extension owner owns multipartner.subscription again');
SELECT is((SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = 'multipartner'::regnamespace AND NOT t.tgisinternal AND t.tgenabled <> 'A'),
    0::bigint, 'DDL guard: every trigger of the schema is still ENABLE ALWAYS');
SELECT is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r'
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)),
    0::bigint, 'DDL guard: row security is still enabled and forced on every table');
SELECT is((SELECT string_agg(evtname || ':' || evtenabled::text, ',' ORDER BY evtname) FROM pg_event_trigger WHERE evtname LIKE 'multipartner%'),
    'multipartner_data_guard:A,multipartner_ddl_guard:A,multipartner_drop_guard:A', 'DDL guard: the three event triggers are ENABLE ALWAYS');

-------------------------------------------------------------------------------
-- 4. SET ROLE, and the acting partner setting
-------------------------------------------------------------------------------
SET SESSION AUTHORIZATION regress_azure_ga;
SELECT throws_ok('SET ROLE regress_office_ga', '42501', NULL,
    'SET ROLE: Azure''s global admin cannot become Office''s global admin');
SELECT throws_ok('SET ROLE regress_operator', '42501', NULL,
    'SET ROLE: an application role cannot become an operator');
SELECT throws_ok('SET ROLE multipartner_operator', '42501', NULL,
    'SET ROLE: an application role cannot become multipartner_operator');
SELECT lives_ok('SET ROLE multipartner_partner_app', 'SET ROLE to its own group role multipartner_partner_app works');
SELECT is(multipartner.acting_partner(), NULL, 'SET ROLE multipartner_partner_app: the group role acts for no partner');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '42501',
    'SET ROLE multipartner_partner_app: the group role cannot sell');
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- membership is exact: a role granted another member role does not act for
-- that role's partner through inheritance; only SET ROLE to it does
GRANT regress_office_ga TO regress_azure_ga;
SET ROLE regress_azure_ga;
SELECT is(multipartner.acting_partner(), :'azure_id'::uuid,
    'granted Office''s global admin: Azure''s global admin still acts for Azure');
SET multipartner.acting_partner = :'office_id';
SELECT * FROM pg_temp.refused('SELECT multipartner.acting_partner()', '42501',
    'granted Office''s global admin (inherited): acting_partner = Office is still refused');
RESET multipartner.acting_partner;
RESET ROLE;
SET SESSION AUTHORIZATION regress_azure_ga;
SELECT lives_ok('SET ROLE regress_office_ga', 'SET ROLE to a granted member role works');
SELECT is(multipartner.acting_partner(), :'office_id'::uuid, 'after SET ROLE regress_office_ga the acting partner is Office');
RESET ROLE;
RESET SESSION AUTHORIZATION;
REVOKE regress_office_ga FROM regress_azure_ga;

SET ROLE regress_azure_ga;
SET multipartner.acting_partner = :'office_id';
SELECT * FROM pg_temp.refused('SELECT multipartner.acting_partner()', '42501',
    'acting_partner = a partner the role is not a member of: acting_partner() refused');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '42501',
    'acting_partner = another partner: selling refused');
SELECT * FROM pg_temp.refused(format('UPDATE multipartner.subscription SET quantity = 50 WHERE subscription_id = %L', :'sub_office'), '42501',
    'acting_partner = another partner: updating that partner''s subscription refused');
SELECT * FROM pg_temp.refused('SELECT count(*) FROM multipartner.subscription', '42501',
    'acting_partner = another partner: even reading is refused, nothing of Office is shown');
SET multipartner.acting_partner = :'unknown_id';
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.request_relationship(%L)$$, :'fabrikam_id'), '42501',
    'acting_partner = a uuid that is no partner: refused');
RESET multipartner.acting_partner;
SET ROLE regress_multi;
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '42501',
    'member of two partners, no acting partner set: ambiguous, refused');
SET multipartner.acting_partner = :'gov_id';
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '42501',
    'member of two partners, acting_partner = a third: refused');
SET multipartner.acting_partner = :'azure_id';
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.create_subscription(%L, 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'contoso_id'), '42501',
    'member of two partners, acting for the one where it is helpdesk: R4 refused');
SET multipartner.acting_partner = :'office_id';
SELECT isnt(multipartner.create_subscription(:'contoso_id', 'O365_E5', 'Microsoft 365', 1, 'P1M', 'monthly'), NULL,
    'member of two partners, acting for the one where it is global admin: sells');
RESET multipartner.acting_partner;
RESET ROLE;

-------------------------------------------------------------------------------
-- 5. A hostile search_path: look-alike functions and operators ahead of
--    pg_catalog.  Every rule still refuses, and the API still works.
-------------------------------------------------------------------------------
CREATE SCHEMA regress_evil;
GRANT USAGE ON SCHEMA regress_evil TO PUBLIC;
CREATE FUNCTION regress_evil.now() RETURNS timestamptz LANGUAGE sql
    AS $$ SELECT timestamptz '2000-01-01 00:00:00+00' $$;
CREATE FUNCTION regress_evil.clock_timestamp() RETURNS timestamptz LANGUAGE sql
    AS $$ SELECT timestamptz '2000-01-01 00:00:00+00' $$;
CREATE FUNCTION regress_evil.gen_random_uuid() RETURNS uuid LANGUAGE sql
    AS $$ SELECT uuid '33333333-3333-4333-8333-000000000001' $$;
CREATE FUNCTION regress_evil."coalesce"(anyelement, anyelement) RETURNS anyelement LANGUAGE sql
    AS $$ SELECT $2 $$;
CREATE FUNCTION regress_evil.acting_partner() RETURNS uuid LANGUAGE sql
    AS $$ SELECT uuid '11111111-1111-4111-8111-000000000002' $$;
CREATE FUNCTION regress_evil.is_operator() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION regress_evil.member_customers() RETURNS uuid[] LANGUAGE sql
    AS $$ SELECT ARRAY[uuid '33333333-3333-4333-8333-000000000001', uuid '33333333-3333-4333-8333-000000000002'] $$;
CREATE FUNCTION regress_evil.char_length(text) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION regress_evil.always(uuid, uuid) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION regress_evil.always(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION regress_evil.always(anyenum, anyenum) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION regress_evil.never(uuid, uuid) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE FUNCTION regress_evil.never(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR regress_evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = regress_evil.always);
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_evil.always);
CREATE OPERATOR regress_evil.= (LEFTARG = anyenum, RIGHTARG = anyenum, FUNCTION = regress_evil.always);
CREATE OPERATOR regress_evil.<> (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = regress_evil.never);
CREATE OPERATOR regress_evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_evil.never);
-- and temporary tables named like the extension's
CREATE TEMP TABLE subscription (LIKE multipartner.subscription);
CREATE TEMP TABLE relationship (LIKE multipartner.relationship);
CREATE TEMP TABLE partner_member (LIKE multipartner.partner_member);
GRANT ALL ON pg_temp.subscription, pg_temp.relationship, pg_temp.partner_member TO PUBLIC;

-- the hijack is live for the application role (sanity)
SET ROLE regress_office_ga;
SET search_path = regress_evil, pg_catalog, multipartner;
SELECT now()::text AS evil_now, gen_random_uuid()::text AS evil_uuid, acting_partner()::text AS evil_acting,
       ('a'::text = 'b'::text)::text AS evil_texteq,
       ('11111111-1111-4111-8111-000000000001'::uuid = '11111111-1111-4111-8111-000000000002'::uuid)::text AS evil_uuideq \gset
RESET search_path;
RESET ROLE;
SELECT is(:'evil_now'::timestamptz, '2000-01-01 00:00:00+00'::timestamptz, 'hostile search_path: now() is the look-alike');
SELECT is(:'evil_uuid'::text, :'contoso_id', 'hostile search_path: gen_random_uuid() is the look-alike');
SELECT is(:'evil_acting'::text, :'azure_id', 'hostile search_path: acting_partner() is the look-alike');
SELECT is(:'evil_texteq' || '/' || :'evil_uuideq', 'true/true', 'hostile search_path: = on text and on uuid is always true');

-- every rule, with pg_catalog after the look-alikes, then last of all
SELECT 'regress_evil, pg_catalog, multipartner' AS evil_path1,
       'pg_temp, regress_evil, multipartner, pg_catalog' AS evil_path2 \gset

SET ROLE regress_office_ga;
SET search_path = :evil_path1;
SELECT pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office')) AS e1_r6,
       pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET term = %L WHERE subscription_id = %L', 'P3Y', :'sub_office')) AS e1_r7,
       pg_temp.sqlstate_of(format($$SELECT multipartner.create_customer(%L, 'CSP', 'commercial')$$, :'azure_csp')) AS e1_r8,
       pg_temp.sqlstate_of(format('SELECT multipartner.terminate_relationship(%L)', :'rel_office_contoso')) AS e1_r13,
       pg_temp.sqlstate_of(format($$SELECT multipartner.create_subscription(%L, 'X', 'X', 1, 'P1M', 'monthly')$$, :'fabrikam_id')) AS e1_r4,
       pg_temp.sqlstate_of(format($$INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle) VALUES (%L, %L, 'X', 'X', 1, 'P1M', 'monthly')$$, :'contoso_id', :'azure_id')) AS e1_r4b,
       pg_temp.sqlstate_of(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office')) AS e1_r10 \gset
SET ROLE regress_contoso_ga;
SET search_path = :evil_path1;
SELECT pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET quantity = 77 WHERE subscription_id = %L', :'sub_office')) AS e1_r5 \gset
SET ROLE regress_azure_ga;
SET search_path = :evil_path1;
SELECT count(*) AS e1_azure_sees FROM multipartner.subscription \gset
RESET search_path;
RESET ROLE;
SELECT is(:'e1_r6'::text, 'MP003', 'hostile search_path 1: R6 move partner_of_record: MP003');
SELECT is(:'e1_r7'::text, 'MP004', 'hostile search_path 1: R7 change term: MP004');
SELECT is(:'e1_r8'::text, 'MP005', 'hostile search_path 1: R8 CSP tenant as customer: MP005');
SELECT is(:'e1_r13'::text, 'MP009', 'hostile search_path 1: R13 terminate with live subscriptions: MP009');
SELECT is(:'e1_r4'::text, 'MP001', 'hostile search_path 1: R4 sell without relationship: MP001');
SELECT is(:'e1_r4b'::text, '42501', 'hostile search_path 1: R4 sell for another partner: 42501');
SELECT is(:'e1_r10'::text, '42501', 'hostile search_path 1: R10 DELETE: refused by the privilege check (42501)');
SELECT is(:'e1_r5'::text, 'MP002', 'hostile search_path 1: R5 the customer updates a subscription: MP002');
SELECT is(:e1_azure_sees, 1, 'hostile search_path 1: Azure still sees only its own subscription');

SET ROLE regress_office_ga;
SET search_path = :evil_path2;
SELECT pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L', :'fabrikam_id', :'sub_office')) AS e2_r6,
       pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = %L', :'sub_office_old')) AS e2_r7,
       pg_temp.sqlstate_of(format($$SELECT multipartner.create_customer(%L, 'CSP', 'commercial')$$, :'office_csp')) AS e2_r8,
       pg_temp.sqlstate_of(format('SELECT multipartner.terminate_relationship(%L)', :'rel_office_contoso')) AS e2_r13,
       pg_temp.sqlstate_of(format($$SELECT multipartner.create_subscription(%L, 'X', 'X', 1, 'P1M', 'monthly')$$, :'govcust_id')) AS e2_r4,
       pg_temp.sqlstate_of(format($$SELECT multipartner.create_customer(%L, 'Gov', 'us_government')$$, :'new_tenant')) AS e2_r9 \gset
SET ROLE regress_contoso_ga;
SET search_path = :evil_path2;
SELECT pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET auto_renew = false WHERE subscription_id = %L', :'sub_azure')) AS e2_r5 \gset
RESET search_path;
RESET ROLE;
SELECT is(:'e2_r6'::text, 'MP003', 'hostile search_path 2: R6 move to another customer: MP003');
SELECT is(:'e2_r7'::text, 'MP004', 'hostile search_path 2: R7 lower quantity after 168 hours: MP004');
SELECT is(:'e2_r8'::text, 'MP005', 'hostile search_path 2: R8 own CSP tenant as customer: MP005');
SELECT is(:'e2_r13'::text, 'MP009', 'hostile search_path 2: R13: MP009');
SELECT is(:'e2_r4'::text, 'MP001', 'hostile search_path 2: R4 sell to another partner''s customer: MP001');
SELECT is(:'e2_r9'::text, 'MP006', 'hostile search_path 2: R9 a customer in another cloud: MP006');
SELECT is(:'e2_r5'::text, 'MP002', 'hostile search_path 2: R5 the customer updates a subscription: MP002');

-- the API works normally under both paths
SET ROLE regress_office_sa;
SET search_path = :evil_path1;
SELECT multipartner.create_subscription(:'contoso_id', 'REGRESS_EVIL_1', 'Evil', 2, 'P1Y', 'monthly') AS evil_sub1,
       pg_catalog.statement_timestamp() AS evil_sub1_at \gset
SET search_path = :evil_path2;
SELECT multipartner.create_subscription(:'contoso_id', 'REGRESS_EVIL_2', 'Evil', 3, 'P3Y', 'triennial') AS evil_sub2,
       pg_catalog.statement_timestamp() AS evil_sub2_at \gset
SELECT multipartner.request_relationship(:'fabrikam_id') AS evil_rel, pg_catalog.statement_timestamp() AS evil_rel_at \gset
SELECT multipartner.create_customer(:'new_tenant2', 'Evil Path Customer', 'commercial') AS evil_cust \gset
-- (the role's own WHERE clause names pg_catalog's = explicitly: its look-alike would match every row)
SELECT pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET quantity = 5 WHERE subscription_id OPERATOR(pg_catalog.=) %L', :'evil_sub1')) AS evil_raise \gset
SET ROLE regress_fabrikam_ga;
SET search_path = :evil_path1;
SELECT pg_temp.sqlstate_of(format('SELECT multipartner.accept_relationship(%L)', :'evil_rel')) AS evil_accept \gset
RESET search_path;
RESET ROLE;
SELECT results_eq(
    format($$SELECT partner_of_record, customer_id, quantity, term, created_at, commitment_end, created_by::text COLLATE "default", status::text
               FROM multipartner.subscription WHERE subscription_id IN (%L, %L) ORDER BY offer_id$$, :'evil_sub1', :'evil_sub2'),
    format($$VALUES (%L::uuid, %L::uuid, 5, 'P1Y', %L::timestamptz, (%L::timestamptz AT TIME ZONE 'UTC' + interval '1 year') AT TIME ZONE 'UTC', 'regress_office_sa', 'active'),
                    (%L::uuid, %L::uuid, 3, 'P3Y', %L::timestamptz, (%L::timestamptz AT TIME ZONE 'UTC' + interval '3 years') AT TIME ZONE 'UTC', 'regress_office_sa', 'active')$$,
           :'office_id', :'contoso_id', :'evil_sub1_at', :'evil_sub1_at', :'office_id', :'contoso_id', :'evil_sub2_at', :'evil_sub2_at'),
    'hostile search_path: the subscriptions sold are Office''s, for Contoso, at the real time of their statements, with the real commitment end');
SELECT isnt(:'evil_sub1'::text, :'contoso_id', 'hostile search_path: the new subscription id is not the look-alike gen_random_uuid()');
SELECT is(:'evil_raise'::text, 'ok', 'hostile search_path: the partner of record raises a quantity');
SELECT results_eq(
    format($$SELECT partner_id, customer_id, status::text, requested_at, decided_by::text COLLATE "default" FROM multipartner.relationship WHERE relationship_id = %L$$, :'evil_rel'),
    format($$VALUES (%L::uuid, %L::uuid, 'active', %L::timestamptz, 'regress_fabrikam_ga')$$, :'office_id', :'fabrikam_id', :'evil_rel_at'),
    'hostile search_path: request then accept give an active Office - Fabrikam relationship at the real time of the request');
SELECT is(:'evil_accept'::text, 'ok', 'hostile search_path: the customer accepts');
SELECT results_eq(
    format($$SELECT c.tenant_id, r.partner_id, r.status::text FROM multipartner.customer c JOIN multipartner.relationship r USING (customer_id) WHERE c.customer_id = %L$$, :'evil_cust'),
    format($$VALUES (%L::uuid, %L::uuid, 'active')$$, :'new_tenant2', :'office_id'),
    'hostile search_path: create_customer makes the customer and Office''s active relationship');
SELECT results_eq(
    format($$SELECT table_name::text COLLATE "default", operation, acting_partner, actor::text COLLATE "default" FROM multipartner.audit_log
              WHERE row_id IN (%L, %L, %L, %L) ORDER BY event_id$$, :'evil_sub1', :'evil_sub2', :'evil_rel', :'evil_cust'),
    format($$VALUES ('subscription', 'INSERT', %L::uuid, 'regress_office_sa'),
                    ('subscription', 'INSERT', %L::uuid, 'regress_office_sa'),
                    ('relationship', 'INSERT', %L::uuid, 'regress_office_sa'),
                    ('customer', 'INSERT', %L::uuid, 'regress_office_sa'),
                    ('subscription', 'UPDATE', %L::uuid, 'regress_office_sa'),
                    ('relationship', 'UPDATE', NULL::uuid, 'regress_fabrikam_ga')$$,
           :'office_id', :'office_id', :'office_id', :'office_id', :'office_id'),
    'hostile search_path: every write has its audit row, with the real acting partner');
SELECT is((SELECT count(*) FROM pg_temp.subscription) + (SELECT count(*) FROM pg_temp.relationship) + (SELECT count(*) FROM pg_temp.partner_member),
    0::bigint, 'hostile search_path: the temporary look-alike tables were never written or read as the real ones');

-------------------------------------------------------------------------------
-- 6. Calling the trigger functions and the event trigger function directly
-------------------------------------------------------------------------------
SELECT set_eq($$SELECT proname::text FROM pg_proc WHERE pronamespace = 'multipartner'::regnamespace
                  AND prorettype IN ('trigger'::regtype, 'event_trigger'::regtype)$$,
    ARRAY['partner_guard', 'customer_guard', 'relationship_guard', 'member_changed', 'subscription_guard',
          'audit', 'audit_log_guard', 'tenant_registry', 'forbid_truncate', 'ddl_guard', 'data_guard',
          'restore_hold', 'restore_release', 'audit_identity', 'creator_relationship_check',
          'admin_role_guard', 'admin_relationship_guard', 'access_assignment_guard',
          'admin_relationship_name_guard'],
    'the trigger functions of the schema are the nineteen tested below');
-- The superuser may execute them: the C code refuses with 39P01 (trigger
-- protocol violated), as PostgreSQL's own C trigger functions do (0A000
-- "trigger functions can only be called as triggers" is the PL handlers').
SELECT throws_ok(format('SELECT multipartner.%I()', f), '39P01', NULL,
                 format('superuser calls multipartner.%s() directly: 39P01', f))
  FROM unnest(ARRAY['partner_guard', 'customer_guard', 'relationship_guard', 'member_changed', 'subscription_guard',
                    'audit', 'audit_log_guard', 'tenant_registry', 'forbid_truncate', 'ddl_guard', 'data_guard',
                    'restore_hold', 'restore_release', 'audit_identity', 'creator_relationship_check',
                    'admin_role_guard', 'admin_relationship_guard', 'access_assignment_guard',
                    'admin_relationship_name_guard']) f;
SET ROLE regress_office_ga;
SELECT throws_ok(format('SELECT multipartner.%I()', f), '42501', NULL,
                 format('partner app calls multipartner.%s() directly: no EXECUTE', f))
  FROM unnest(ARRAY['subscription_guard', 'audit', 'audit_log_guard', 'tenant_registry', 'ddl_guard', 'data_guard',
                    'restore_hold', 'restore_release', 'audit_identity', 'creator_relationship_check']) f;
SET ROLE regress_operator;
SELECT throws_ok(format('SELECT multipartner.%I()', f), '42501', NULL,
                 format('operator calls multipartner.%s() directly: no EXECUTE', f))
  FROM unnest(ARRAY['subscription_guard', 'audit', 'ddl_guard', 'data_guard']) f;
RESET ROLE;

-------------------------------------------------------------------------------
-- 7. The audit log: append-only, written by the audit trigger only
-------------------------------------------------------------------------------
\set audit_insert 'INSERT INTO multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid) VALUES (''x'', ''x'', ''INSERT'', ''partner'', ''x'', 1)'
SELECT * FROM pg_temp.refused(:'audit_insert', '42501', 'superuser: INSERT into audit_log: 42501');
SELECT * FROM pg_temp.refused(:'audit_insert' || ' ', '42501', 'superuser: INSERT into audit_log again (plan cached): 42501');
SELECT * FROM pg_temp.refused($$COPY multipartner.audit_log (actor, session_actor, operation, table_name, row_id, txid) FROM PROGRAM 'printf "x\tx\tINSERT\tpartner\tx\t1\n"'$$, '42501',
    'superuser: COPY into audit_log: 42501');
SELECT * FROM pg_temp.refused('UPDATE multipartner.audit_log SET actor = ''x''', 'MP007', 'superuser: UPDATE audit_log: MP007');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.audit_log', 'MP007', 'superuser: DELETE audit_log: MP007');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.audit_log', 'MP007', 'superuser: TRUNCATE audit_log: MP007');
SET ROLE regress_operator;
SELECT * FROM pg_temp.refused(:'audit_insert', '42501', 'operator: INSERT into audit_log: 42501');
SELECT * FROM pg_temp.refused('UPDATE multipartner.audit_log SET actor = ''x''', 'MP007', 'operator: UPDATE audit_log: MP007');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.audit_log', 'MP007', 'operator: DELETE audit_log: MP007');
SELECT * FROM pg_temp.refused('TRUNCATE multipartner.audit_log', 'MP007', 'operator: TRUNCATE audit_log: MP007');
-- an operator dressed as a restore session (pg_dump's settings) is no restore
SET row_security = off;
SET check_function_bodies = off;
SET search_path = '';
SELECT pg_temp.sqlstate_of(:'audit_insert') AS rs_audit,
       pg_temp.sqlstate_of(format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L', :'azure_id', :'sub_office')) AS rs_r6 \gset
RESET search_path;
RESET check_function_bodies;
RESET row_security;
SELECT is(:'rs_audit'::text, '42501', 'operator in pg_dump''s settings (no restore mode): INSERT into audit_log still refused');
SELECT is(:'rs_r6'::text, '42501', 'operator in pg_dump''s settings (no restore mode): moving a partner of record is refused (row_security = off for a role under row security: 42501)');
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused(:'audit_insert', '42501', 'partner app: INSERT into audit_log: 42501');
SELECT * FROM pg_temp.refused('UPDATE multipartner.audit_log SET actor = ''x''', '42501', 'partner app: UPDATE audit_log: 42501');
SELECT * FROM pg_temp.refused('DELETE FROM multipartner.audit_log', '42501', 'partner app: DELETE audit_log: 42501');
SET ROLE regress_contoso_ga;
SELECT * FROM pg_temp.refused(:'audit_insert', '42501', 'customer app: INSERT into audit_log: 42501');
SELECT * FROM pg_temp.refused('UPDATE multipartner.audit_log SET actor = ''x''', '42501', 'customer app: UPDATE audit_log: 42501');
RESET ROLE;

-------------------------------------------------------------------------------
-- 8. The schema and the extension: no new objects, no update, no drop
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT * FROM pg_temp.refused('CREATE TABLE multipartner.regress_t (a int)', '42501', 'partner app: CREATE TABLE in schema multipartner');
SELECT * FROM pg_temp.refused('CREATE FUNCTION multipartner.acting_partner(int) RETURNS uuid LANGUAGE sql AS ''SELECT NULL::uuid''', '42501',
    'partner app: CREATE FUNCTION (an overload) in schema multipartner');
SELECT * FROM pg_temp.refused('ALTER EXTENSION multipartner UPDATE', '42501', 'partner app: ALTER EXTENSION multipartner UPDATE');
SELECT * FROM pg_temp.refused('DROP EXTENSION multipartner', '42501', 'partner app: DROP EXTENSION multipartner');
SET ROLE regress_contoso_ga;
SELECT * FROM pg_temp.refused('CREATE VIEW multipartner.regress_v AS SELECT 1 AS a', '42501', 'customer app: CREATE VIEW in schema multipartner');
SELECT * FROM pg_temp.refused('ALTER EXTENSION multipartner UPDATE TO ''0.2''', '42501', 'customer app: ALTER EXTENSION multipartner UPDATE TO 0.2');
SET ROLE regress_operator;
SELECT * FROM pg_temp.refused('CREATE TABLE multipartner.regress_t (a int)', '42501', 'operator: CREATE TABLE in schema multipartner');
SELECT * FROM pg_temp.refused('CREATE OPERATOR multipartner.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = uuid_eq)', '42501',
    'operator: CREATE OPERATOR in schema multipartner');
SELECT * FROM pg_temp.refused('ALTER EXTENSION multipartner UPDATE', '42501', 'operator: ALTER EXTENSION multipartner UPDATE');
SELECT * FROM pg_temp.refused('DROP EXTENSION multipartner CASCADE', '42501', 'operator: DROP EXTENSION multipartner');
RESET ROLE;
ALTER TABLE multipartner.relationship OWNER TO regress_x;
SET ROLE regress_x;
SELECT * FROM pg_temp.refused('DROP EXTENSION multipartner CASCADE', '42501', 'table owner: DROP EXTENSION multipartner');
SELECT * FROM pg_temp.refused('ALTER EXTENSION multipartner DROP TABLE multipartner.relationship', '42501',
    'table owner: ALTER EXTENSION multipartner DROP TABLE (to drop it afterwards)');
RESET ROLE;
ALTER TABLE multipartner.relationship OWNER TO :"ext_owner";

SELECT is((SELECT string_agg(r, ',' ORDER BY r) FROM unnest(ARRAY['multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app', 'public']) r
            WHERE has_schema_privilege(CASE r WHEN 'public' THEN 'regress_nobody' ELSE r END, 'multipartner', 'CREATE')),
    NULL, 'nobody but the owner has CREATE on schema multipartner');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace AND p.prosecdef
              AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')),
    NULL, 'every SECURITY DEFINER function of the schema (there are none) pins its search_path');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace AND p.prosecdef),
    NULL, 'the schema has no SECURITY DEFINER function at all');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
              AND NOT 'search_path=pg_catalog, pg_temp' = ANY (p.proconfig)),
    NULL, 'every function that sets a search_path sets pg_catalog, pg_temp');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ')
             FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))),
    NULL, 'no function of the schema is executable by PUBLIC');

SELECT * FROM finish();
ROLLBACK;
