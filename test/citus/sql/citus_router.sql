-- citus_router: the calls by id are router queries on a distributed install
-- (CITUS_DESIGN §3, blocker 13).  In a database of its own (mp_router on
-- every node), populated on a single node and then distributed with
-- distribute(), as citus_distribute does.  For each overload with the
-- customer first: EXPLAIN of every statement its C code runs (the texts of
-- src/api.c and src/check.c, with literal parameters) shows one task, and the
-- call itself succeeds under citus.multi_task_query_log_level = 'error' (a
-- statement of more than one task would raise "multi-task query about to be
-- executed").  The old signatures: the same statement by id alone is a task
-- per shard, so on a distributed table they first read the customer of the
-- id (one multi-task read, no write) and then run the overload's router
-- statement; an id the caller sees at two customers is refused (21000).
-- customer_partners filtered by customer is one task too.  Partners,
-- customers, requests and admin relationships are made before distribute()
-- (the inserts that claim a tenant or check a display name are other parts
-- of issue 15); every role is LOGIN (Citus connects as the current role) and
-- a member of one partner only.
\set mp_db mp_router
\i test/citus/own_db.psql

-- the Task Count lines of a statement's plan, in order
CREATE FUNCTION pg_temp.tasks(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    counts text[] := '{}';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF line ~ 'Task Count|Error' THEN
            counts := counts || btrim(line);
        END IF;
    END LOOP;
    RETURN array_to_string(counts, ', ');
END
$$;
-- SQLSTATE and message of a statement that fails, 'ok' when it succeeds; the
-- ids made at random (pg_temp.ids, filled below) shown by their names
CREATE TEMP TABLE ids (name text, id uuid);
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text;
    i record;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    m := SQLSTATE || ': ' || SQLERRM;
    FOR i IN SELECT * FROM pg_temp.ids LOOP
        m := replace(m, i.id::text, '<' || i.name || '>');
    END LOOP;
    RETURN m;
END
$$;
GRANT SELECT, INSERT ON pg_temp.ids TO PUBLIC;
GRANT EXECUTE ON FUNCTION pg_temp.tasks(text), pg_temp.err(text) TO PUBLIC;

-- a populated single-node install
\set p1 '11111111-1111-4111-8111-0000000000d1'
\set p2 '11111111-1111-4111-8111-0000000000d2'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Router P1', 'commercial', '22222222-2222-4222-8222-0000000000d1'),
  (:'p2', 'Router P2', 'commercial', '22222222-2222-4222-8222-0000000000d2');
CREATE ROLE regress_rt_p1_ga LOGIN;
CREATE ROLE regress_rt_p2_ga LOGIN;
CREATE ROLE regress_rt_p1_tech LOGIN;
CREATE ROLE regress_rt_c1_ga LOGIN;
CREATE ROLE regress_rt_op LOGIN;
GRANT multipartner_partner_app TO regress_rt_p1_ga, regress_rt_p2_ga, regress_rt_p1_tech;
GRANT multipartner_customer_app TO regress_rt_c1_ga;
GRANT multipartner_operator TO regress_rt_op;
INSERT INTO multipartner.partner_member VALUES
  ('regress_rt_p1_ga', :'p1', 'global_admin'), ('regress_rt_p2_ga', :'p2', 'global_admin'),
  ('regress_rt_p1_tech', :'p1', 'helpdesk_agent');
SET ROLE regress_rt_p1_ga;
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000d1', 'Router C1', 'commercial') AS c1 \gset
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000d2', 'Router C2', 'commercial') AS c2 \gset
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly') AS s1 \gset
SELECT multipartner.create_admin_relationship(:'c1', 'router 1', ARRAY['Helpdesk Administrator']) AS ar1 \gset
SELECT multipartner.create_admin_relationship(:'c1', 'router 2', ARRAY['Helpdesk Administrator']) AS ar2 \gset
SELECT relationship_id AS r11 FROM multipartner.relationship WHERE customer_id = :'c1' \gset
SELECT relationship_id AS r12 FROM multipartner.relationship WHERE customer_id = :'c2' \gset
RESET ROLE;
INSERT INTO multipartner.customer_member VALUES ('regress_rt_c1_ga', :'c1', 'global_admin');
SET ROLE regress_rt_p2_ga;
SELECT multipartner.request_relationship(:'c1') AS r21 \gset
SELECT multipartner.request_relationship(:'c2') AS r22 \gset
RESET ROLE;

INSERT INTO pg_temp.ids VALUES ('c1', :'c1'), ('c2', :'c2'), ('s1', :'s1'), ('ar1', :'ar1'), ('ar2', :'ar2'),
    ('r11', :'r11'), ('r12', :'r12'), ('r21', :'r21'), ('r22', :'r22');

CALL multipartner.distribute();
SELECT count(*) AS distributed FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%';

-------------------------------------------------------------------------------
-- EXPLAIN of each statement the calls run, with literal parameters
-------------------------------------------------------------------------------
-- the calls by id alone: a task per shard (what the overloads are for)
SELECT pg_temp.tasks(format($q$UPDATE multipartner.relationship r SET status = 'active'::pg_catalog.text::multipartner.relationship_status
    WHERE r.relationship_id OPERATOR(pg_catalog.=) %L$q$, :'r21')) AS by_id_status;
-- ... and the read by which they find the customer on a distributed table
SELECT pg_temp.tasks(format($q$SELECT r.customer_id FROM multipartner.relationship r
    WHERE r.relationship_id OPERATOR(pg_catalog.=) %L LIMIT 2$q$, :'r21')) AS find_relationship_customer;
SELECT pg_temp.tasks(format($q$SELECT r.customer_id FROM multipartner.admin_relationship r
    WHERE r.admin_relationship_id OPERATOR(pg_catalog.=) %L LIMIT 2$q$, :'ar1')) AS find_admin_customer;
SELECT pg_temp.tasks(format($q$SELECT a.customer_id FROM multipartner.access_assignment a
    WHERE a.access_assignment_id OPERATOR(pg_catalog.=) %L LIMIT 2$q$, :'ar1')) AS find_assignment_customer;
-- the overloads (src/api.c), as the roles that call them
SET ROLE regress_rt_c1_ga;
SELECT pg_temp.tasks(format($q$UPDATE multipartner.relationship r SET status = 'active'::pg_catalog.text::multipartner.relationship_status
    WHERE r.customer_id OPERATOR(pg_catalog.=) %L AND r.relationship_id OPERATOR(pg_catalog.=) %L$q$, :'c1', :'r21')) AS accept_decline_terminate;
SELECT pg_temp.tasks(format($q$UPDATE multipartner.relationship r SET delegated_admin = false
    WHERE r.customer_id OPERATOR(pg_catalog.=) %L AND r.relationship_id OPERATOR(pg_catalog.=) %L$q$, :'c1', :'r21')) AS revoke_delegated_admin;
SELECT pg_temp.tasks(format($q$UPDATE multipartner.admin_relationship r SET status = 'active'::pg_catalog.text::multipartner.admin_relationship_status
    WHERE r.customer_id OPERATOR(pg_catalog.=) %L AND r.admin_relationship_id OPERATOR(pg_catalog.=) %L$q$, :'c1', :'ar1')) AS admin_status;
RESET ROLE;
SET ROLE regress_rt_p1_ga;
SELECT pg_temp.tasks(format($q$SELECT 1 FROM multipartner.admin_relationship r
    WHERE r.customer_id OPERATOR(pg_catalog.=) %L AND r.admin_relationship_id OPERATOR(pg_catalog.=) %L$q$, :'c1', :'ar1')) AS assign_reads_admin_relationship;
SELECT pg_temp.tasks($q$SELECT u.ord, r.role_id FROM pg_catalog.unnest(ARRAY['Helpdesk Administrator']) WITH ORDINALITY AS u(v, ord)
    LEFT JOIN multipartner.admin_role r ON r.name OPERATOR(pg_catalog.=) u.v
      OR r.role_id::pg_catalog.text OPERATOR(pg_catalog.=) pg_catalog.lower(u.v)
    ORDER BY u.ord, r.name OPERATOR(pg_catalog.=) u.v DESC$q$) AS assign_resolves_roles;
SELECT pg_temp.tasks(format($q$INSERT INTO multipartner.access_assignment (access_assignment_id, admin_relationship_id, customer_id, grantee, roles)
    VALUES (gen_random_uuid(), %L, %L, 'regress_rt_p1_tech', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::uuid[])$q$, :'ar1', :'c1')) AS assign_inserts;
SELECT pg_temp.tasks(format($q$UPDATE multipartner.access_assignment a SET status = 'ended'
    WHERE a.customer_id OPERATOR(pg_catalog.=) %L AND a.access_assignment_id OPERATOR(pg_catalog.=) %L$q$, :'c1', :'ar1')) AS end_admin_access;
-- check()'s dry run of update_subscription given the customer (src/check.c)
SELECT pg_temp.tasks(format($q$UPDATE multipartner.subscription s SET quantity = 2, status = s.status, auto_renew = s.auto_renew,
    partner_of_record = s.partner_of_record, term = s.term
    WHERE s.subscription_id OPERATOR(pg_catalog.=) %L AND s.customer_id OPERATOR(pg_catalog.=) %L$q$, :'s1', :'c1')) AS check_update_subscription;
-- and without it: a task per shard
SELECT pg_temp.tasks(format($q$UPDATE multipartner.subscription s SET quantity = 2, status = s.status, auto_renew = s.auto_renew,
    partner_of_record = s.partner_of_record, term = s.term
    WHERE s.subscription_id OPERATOR(pg_catalog.=) %L$q$, :'s1')) AS check_update_subscription_by_id;
-- customer_partners for one customer
SELECT pg_temp.tasks(format($q$SELECT * FROM multipartner.customer_partners WHERE customer_id = %L$q$, :'c1')) AS customer_partners;
RESET ROLE;

-------------------------------------------------------------------------------
-- The overloads run as router queries only (a second task would be an error)
-------------------------------------------------------------------------------
SET ROLE regress_rt_c1_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'c2', :'r21')) AS wrong_customer;
SELECT pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'c1', :'r21')) AS accept_relationship;
SELECT pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L, %L)', :'c1', :'r21')) AS revoke_delegated_admin;
SELECT status, delegated_admin, decided_by FROM multipartner.relationship WHERE customer_id = :'c1' AND relationship_id = :'r21';
COMMIT;
RESET ROLE;
SET ROLE regress_rt_op;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.decline_relationship(%L, %L)', :'c1', :'r22')) AS wrong_customer;
SELECT pg_temp.err(format('SELECT multipartner.decline_relationship(%L, %L)', :'c2', :'r22')) AS decline_relationship;
SELECT status, decided_by FROM multipartner.relationship WHERE customer_id = :'c2' AND relationship_id = :'r22';
COMMIT;
RESET ROLE;
SET ROLE regress_rt_p1_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'c2', :'ar1')) AS wrong_customer;
SELECT pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'c1', :'ar1')) AS request_admin_approval;
SELECT pg_temp.err(format('SELECT multipartner.request_admin_approval(%L, %L)', :'c1', :'ar2')) AS request_admin_approval;
COMMIT;
RESET ROLE;
SET ROLE regress_rt_c1_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.approve_admin_relationship(%L, %L)', :'c1', :'ar1')) AS approve_admin_relationship;
SELECT pg_temp.err(format('SELECT multipartner.decline_admin_relationship(%L, %L)', :'c1', :'ar2')) AS decline_admin_relationship;
SELECT admin_relationship_id = :'ar1' AS ar1, status, decided_by FROM multipartner.admin_relationship
 WHERE customer_id = :'c1' ORDER BY 1;
COMMIT;
RESET ROLE;
SET ROLE regress_rt_p1_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.assign_admin_access(%L, %L, %L, ARRAY[%L])', :'c2', :'ar1',
                          'regress_rt_p1_tech', 'Helpdesk Administrator')) AS wrong_customer;
SELECT multipartner.assign_admin_access(:'c1', :'ar1', 'regress_rt_p1_tech', ARRAY['Helpdesk Administrator']) AS aa1 \gset
INSERT INTO pg_temp.ids VALUES ('aa1', :'aa1');
SELECT grantee, status FROM multipartner.access_assignment WHERE customer_id = :'c1' AND access_assignment_id = :'aa1';
SELECT pg_temp.err(format('SELECT multipartner.end_admin_access(%L, %L)', :'c2', :'aa1')) AS wrong_customer;
SELECT pg_temp.err(format('SELECT multipartner.end_admin_access(%L, %L)', :'c1', :'aa1')) AS end_admin_access;
SELECT status, ended_by FROM multipartner.access_assignment WHERE customer_id = :'c1' AND access_assignment_id = :'aa1';
SELECT pg_temp.err(format('SELECT multipartner.terminate_admin_relationship(%L, %L)', :'c1', :'ar1')) AS terminate_admin_relationship;
SELECT status, ended_by FROM multipartner.admin_relationship WHERE customer_id = :'c1' AND admin_relationship_id = :'ar1';
-- check() given the customer
SELECT allowed, rule, sqlstate FROM multipartner.check('update_subscription', :'s1', customer_id => :'c1', quantity => 12);
SELECT allowed, rule, sqlstate FROM multipartner.check('update_subscription', :'s1', customer_id => :'c2', quantity => 12);
SELECT allowed, rule, sqlstate FROM multipartner.check('terminate_relationship', :'r11', customer_id => :'c1');
SELECT allowed, rule, sqlstate FROM multipartner.check('revoke_delegated_admin', :'r11', customer_id => :'c1');
-- a plain subscription UPDATE naming the customer (README)
UPDATE multipartner.subscription SET quantity = 11 WHERE customer_id = :'c1' AND subscription_id = :'s1';
SELECT quantity FROM multipartner.subscription WHERE customer_id = :'c1' AND subscription_id = :'s1';
-- customer_partners for one customer
SELECT partner_name, live_subscriptions FROM multipartner.customer_partners WHERE customer_id = :'c1' ORDER BY 1;
COMMIT;
RESET ROLE;
SET ROLE regress_rt_p2_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.terminate_relationship(%L, %L)', :'c2', :'r21')) AS wrong_customer;
SELECT pg_temp.err(format('SELECT multipartner.terminate_relationship(%L, %L)', :'c1', :'r21')) AS terminate_relationship;
SELECT status, ended_by FROM multipartner.relationship WHERE customer_id = :'c1' AND relationship_id = :'r21';
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- The old signatures on a distributed table: one read of every shard to find
-- the customer (one multi-task statement), then the router write
-------------------------------------------------------------------------------
SET ROLE regress_rt_p1_ga;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r12')) AS by_id_under_error;
COMMIT;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'notice';
SET LOCAL client_min_messages = notice;
-- one NOTICE: the read; the write is one task
SELECT multipartner.revoke_delegated_admin(:'r12') IS NOT NULL AS revoked_by_id;
SET LOCAL client_min_messages = warning;
COMMIT;
SELECT delegated_admin FROM multipartner.relationship WHERE customer_id = :'c2' AND relationship_id = :'r12';
SELECT pg_temp.err(format('SELECT multipartner.terminate_relationship(%L)', :'r22')) AS by_id_wrong_partner;
RESET ROLE;
-- an id at two customers (on Citus ids are unique per customer only)
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id) VALUES (:'r22', :'c1', :'p2');
SET ROLE regress_rt_op;
SELECT pg_temp.err(format('SELECT multipartner.accept_relationship(%L)', :'r22')) AS by_id_at_two_customers;
BEGIN;
SET LOCAL citus.multi_task_query_log_level = 'error';
SELECT pg_temp.err(format('SELECT multipartner.accept_relationship(%L, %L)', :'c1', :'r22')) AS by_customer_at_two_customers;
COMMIT;
SELECT customer_id = :'c1' AS c1, status FROM multipartner.relationship WHERE relationship_id = :'r22' ORDER BY 1;
RESET ROLE;
SET ROLE regress_rt_c1_ga;
-- the customer's global admin sees only its own: found, not ambiguous
SELECT pg_temp.err(format('SELECT multipartner.revoke_delegated_admin(%L)', :'r22')) AS by_id_seen_once;
SELECT customer_id = :'c1' AS c1, delegated_admin FROM multipartner.relationship WHERE relationship_id = :'r22' ORDER BY 1;
RESET ROLE;
