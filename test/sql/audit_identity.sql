-- audit_identity: the audit row records the identity the rules judged
-- (issue 10, item 3).  A member of two partners acts for B and then, inside
-- the writing statement, switches to A (RETURNING set_config(...)) or to
-- another role: the rules judged the row as B, so the audit row says B.  A
-- later row of the same statement under the new identity is refused
-- (42501): one statement, one identity (src/audit_identity.c).
--
-- In a database of its own with committed data, so that a brand-new
-- connection (dblink, as a LOGIN member role) can run the attack as its very
-- first statement, the one that loads the library.
\set own_db regress_mp_audit_identity
\i test/own_db.psql

\set pa '11111111-1111-4111-8111-0000000000d1'
\set pb '11111111-1111-4111-8111-0000000000d2'
\set cust '33333333-3333-4333-8333-0000000000d1'
\set sub_a '66666666-6666-4666-8666-0000000000d1'
\set sub_b '66666666-6666-4666-8666-0000000000d2'
\set sub_b2 '66666666-6666-4666-8666-0000000000d3'
CREATE ROLE regress_xi_multi LOGIN;
CREATE ROLE regress_xi_other NOLOGIN;
GRANT multipartner_partner_app TO regress_xi_multi, regress_xi_other;
GRANT regress_xi_other TO regress_xi_multi;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (:'pa', 'Identity A', 'commercial', '22222222-2222-4222-8222-0000000000d1'),
    (:'pb', 'Identity B', 'commercial', '22222222-2222-4222-8222-0000000000d2');
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_xi_multi', :'pa', 'global_admin'),
    ('regress_xi_multi', :'pb', 'global_admin'),
    ('regress_xi_other', :'pb', 'global_admin');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'cust', '44444444-4444-4444-8444-0000000000d1', 'Identity Customer', 'commercial');
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'cust', :'pa', 'active'), (:'cust', :'pb', 'active');
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle)
VALUES
    (:'sub_a', :'cust', :'pa', 'O365_E3', 'Microsoft 365', 1, 'P1Y', 'monthly'),
    (:'sub_b', :'cust', :'pb', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly'),
    (:'sub_b2', :'cust', :'pb', 'EMS_E3', 'Enterprise Mobility', 1, 'P1Y', 'monthly');

CREATE SCHEMA regress_xi;
GRANT USAGE ON SCHEMA regress_xi TO PUBLIC;
-- the audit rows written after event :ev: (row id, acting partner, actor)
CREATE FUNCTION regress_xi.audit_after(ev bigint)
RETURNS TABLE (row_id text, acting_partner uuid, actor text) LANGUAGE sql AS $$
    SELECT a.row_id, a.acting_partner, a.actor::text COLLATE "default"
      FROM multipartner.audit_log a WHERE a.event_id > ev ORDER BY a.event_id
$$;
-- a nested write: switches to partner a and raises A's subscription
CREATE FUNCTION regress_xi.nested_write(a uuid, sub uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('multipartner.acting_partner', a::text, true);
    UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = sub;
    RETURN 'nested';
END
$$;
-- two writes from a procedure (non-atomic SPI) and from a SQL function
CREATE PROCEDURE regress_xi.two_writes_proc(sub uuid) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = sub;
    UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = sub;
END
$$;
CREATE FUNCTION regress_xi.two_writes_sql(sub uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = sub;
    UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = sub;
$$;

BEGIN;
SELECT plan(15);
\set ON_ERROR_STOP false
\set ON_ERROR_ROLLBACK 1

-- 1. a brand-new connection: the attack is its first statement, and loads
-- the library (first: this transaction will lock the rows it writes)
SELECT pg_temp.fresh_conn('regress_xi_multi') AS conn \gset
SELECT is(pg_temp.library_loaded(:'conn'), false,
          'fresh connection: the library is not loaded before its first statement');
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SELECT is((SELECT s FROM dblink(:'conn' || format(' options=''-c multipartner.acting_partner=%s''', :'pb'),
                 format($$UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = %L
                          RETURNING set_config('multipartner.acting_partner', %L, true)$$, :'sub_b', :'pa'))
                 AS t(s text)), :'pa', 'fresh connection: the statement switched to A');
SELECT results_eq(format('SELECT * FROM regress_xi.audit_after(%s)', :ev),
                  format($$VALUES (%L, %L::uuid, 'regress_xi_multi')$$, :'sub_b', :'pb'),
                  'fresh connection: the audit row says B');
SELECT throws_ok(format($$SELECT * FROM dblink(%L, %L) AS t(s text)$$,
                        :'conn' || format(' options=''-c multipartner.acting_partner=%s''', :'pb'),
                        format($$UPDATE multipartner.subscription SET quantity = quantity + 1
                                 WHERE subscription_id IN (%L, %L)
                                 RETURNING set_config('multipartner.acting_partner', %L, true)$$,
                               :'sub_b', :'sub_b2', :'pa')),
                 '42501', NULL, 'fresh connection, multi-row: the switched row is refused');

-- 2. the attack: B judged, then A set in RETURNING
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_b'
RETURNING set_config('multipartner.acting_partner', :'pa', true) \g /dev/null
SELECT is(current_setting('multipartner.acting_partner'), :'pa', 'the statement did switch the setting to A');
RESET ROLE;
SELECT results_eq(format('SELECT * FROM regress_xi.audit_after(%s)', :ev),
                  format($$VALUES (%L, %L::uuid, 'regress_xi_multi')$$, :'sub_b', :'pb'),
                  'switched in RETURNING: the audit row says B, as the rules judged');

-- 3. the role switched in RETURNING
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_b'
RETURNING set_config('role', 'regress_xi_other', true) \g /dev/null
SELECT is(current_user::text, 'regress_xi_other', 'the statement did switch the role');
RESET ROLE;
SELECT results_eq(format('SELECT * FROM regress_xi.audit_after(%s)', :ev),
                  format($$VALUES (%L, %L::uuid, 'regress_xi_multi')$$, :'sub_b', :'pb'),
                  'role switched in RETURNING: the actor is the role the rules judged');

-- 4. multi-row: a later row under the switched identity is refused
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1
                           WHERE subscription_id IN (%L, %L)
                           RETURNING set_config('multipartner.acting_partner', %L, true)$$,
                        :'sub_b', :'sub_b2', :'pa'),
                 '42501', 'acting identity changed during the statement',
                 'multi-row: a row after the acting partner switched is refused');
SET multipartner.acting_partner = :'pb';
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = quantity + 1
                           WHERE subscription_id IN (%L, %L)
                           RETURNING set_config('role', 'regress_xi_other', true)$$,
                        :'sub_b', :'sub_b2'),
                 '42501', 'acting identity changed during the statement',
                 'multi-row: a row after the role switched is refused');
RESET ROLE;
-- and without a switch every row is audited as B
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id IN (:'sub_b', :'sub_b2');
RESET ROLE;
SELECT results_eq(format('SELECT acting_partner, actor, count(*) FROM regress_xi.audit_after(%s) GROUP BY 1, 2', :ev),
                  format($$VALUES (%L::uuid, 'regress_xi_multi', 2::bigint)$$, :'pb'),
                  'multi-row without a switch: both rows audited as B');

-- 5. a writable CTE
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
WITH u AS (UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_b'
           RETURNING set_config('multipartner.acting_partner', :'pa', true) AS s)
SELECT count(*) FROM u \g /dev/null
RESET ROLE;
SELECT results_eq(format('SELECT * FROM regress_xi.audit_after(%s)', :ev),
                  format($$VALUES (%L, %L::uuid, 'regress_xi_multi')$$, :'sub_b', :'pb'),
                  'writable CTE: the audit row says B');

-- 6. a nested write from a function called by the statement: each statement
-- is audited with its own identity
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE subscription_id = :'sub_b'
RETURNING regress_xi.nested_write(:'pa', :'sub_a') \g /dev/null
RESET ROLE;
SELECT results_eq(format('SELECT * FROM regress_xi.audit_after(%s)', :ev),
                  format($$VALUES (%L, %L::uuid, 'regress_xi_multi'), (%L, %L::uuid, 'regress_xi_multi')$$,
                         :'sub_a', :'pa', :'sub_b', :'pb'),
                  'nested write: A for the function''s statement, B for the outer one');

-- 7. the other ways a statement runs: a procedure, a SQL function
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
SET ROLE regress_xi_multi;
SET multipartner.acting_partner = :'pb';
CALL regress_xi.two_writes_proc(:'sub_b');
SELECT regress_xi.two_writes_sql(:'sub_b') \g /dev/null
RESET ROLE;
SELECT results_eq(format('SELECT acting_partner, actor, count(*) FROM regress_xi.audit_after(%s) GROUP BY 1, 2', :ev),
                  format($$VALUES (%L::uuid, 'regress_xi_multi', 4::bigint)$$, :'pb'),
                  'procedure and SQL function: four rows audited as B');

-- 8. an operator's write of a table without rule triggers (partner_member)
SELECT coalesce(max(event_id), 0) AS ev FROM multipartner.audit_log \gset
INSERT INTO multipartner.partner_member (member, partner_id, role)
VALUES ('regress_xi_other', :'pa', 'sales_agent')
RETURNING set_config('role', 'regress_xi_other', true) \g /dev/null
RESET ROLE;
SELECT results_eq(format('SELECT actor FROM regress_xi.audit_after(%s)', :ev),
                  $$VALUES (session_user::text COLLATE "default")$$,
                  'partner_member: the actor is the role that wrote the row');

SELECT * FROM finish();
ROLLBACK;

\c :first_db
SET client_min_messages = warning;
DROP DATABASE :own_db;
DROP ROLE regress_xi_multi, regress_xi_other;
