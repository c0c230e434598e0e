-- upgrade: the install script of the current version (written by hand) and
-- the upgrade steps make the same schema.  CREATE EXTENSION multipartner
-- VERSION '0.1' followed by ALTER EXTENSION multipartner UPDATE, and a
-- database of 0.8 updated by the last step alone, each give exactly the
-- schema of a fresh install of the default version: every catalog fact of
-- test/catalog.psql (classes, columns and their defaults, constraints,
-- indexes, triggers and their ENABLE ALWAYS, policies, views, functions with
-- their settings and ACLs, types, event triggers, comments, initial
-- privileges, config tables, extension membership) is the same.
\set VERBOSITY terse
SET client_min_messages = warning;
\set regress_db :DBNAME
CREATE DATABASE regress_mp_upgraded;
CREATE DATABASE regress_mp_from_prev;
CREATE DATABASE regress_mp_fresh;

\c regress_mp_upgraded
SET client_min_messages = warning;
CREATE EXTENSION multipartner VERSION '0.1';
SELECT extversion AS installed FROM pg_extension WHERE extname = 'multipartner';
ALTER EXTENSION multipartner UPDATE;
SELECT extversion AS updated_to FROM pg_extension WHERE extname = 'multipartner';
\set ECHO none
\i test/catalog.psql
\set ECHO all
\set upgraded :catalog

-- (0.8 has no install script of its own any more: PostgreSQL installs it as
-- 0.1 and the steps to 0.8, in their own command; the update to 0.9 is
-- another one)
\c regress_mp_from_prev
SET client_min_messages = warning;
CREATE EXTENSION multipartner VERSION '0.8';
ALTER EXTENSION multipartner UPDATE;
SELECT extversion AS updated_to FROM pg_extension WHERE extname = 'multipartner';
\set ECHO none
\i test/catalog.psql
\set ECHO all
\set from_prev :catalog

\c regress_mp_fresh
SET client_min_messages = warning;
CREATE EXTENSION multipartner;
SELECT extversion AS fresh FROM pg_extension WHERE extname = 'multipartner';
\set ECHO none
\i test/catalog.psql
\set ECHO all

-- the differences, both ways, for both paths: none
SELECT v.path || ', only after the upgrade: ' || d.l AS difference
  FROM (VALUES ('0.1 -> current', :'upgraded'), ('0.8 -> current', :'from_prev')) v(path, cat),
       LATERAL (SELECT l FROM regexp_split_to_table(v.cat, E'\n') l
                EXCEPT ALL SELECT l FROM regexp_split_to_table(:'catalog', E'\n') l) d
UNION ALL
SELECT v.path || ', only in a fresh install: ' || d.l
  FROM (VALUES ('0.1 -> current', :'upgraded'), ('0.8 -> current', :'from_prev')) v(path, cat),
       LATERAL (SELECT l FROM regexp_split_to_table(:'catalog', E'\n') l
                EXCEPT ALL SELECT l FROM regexp_split_to_table(v.cat, E'\n') l) d
ORDER BY 1;
SELECT count(*) > 300 AS compared_enough_facts FROM regexp_split_to_table(:'catalog', E'\n');

-- 0.3 -> 0.4 with member rows already there: their roles are bound by the
-- upgrade (so they still act), and the bindings are data, not initial
-- privileges of the extension, so pg_dump writes them
CREATE DATABASE regress_mp_members;
\c regress_mp_members
SET client_min_messages = warning;
CREATE ROLE regress_upgrade_member;
CREATE EXTENSION multipartner VERSION '0.3';
-- (this library writes nothing into 0.3 objects: loaded as a restore would)
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) IS NULL AS restore_mode;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
     VALUES ('11111111-1111-4111-8111-0000000000aa', 'P', 'commercial', '22222222-2222-4222-8222-0000000000aa');
INSERT INTO multipartner.partner_member VALUES ('regress_upgrade_member', '11111111-1111-4111-8111-0000000000aa', 'sales_agent');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
ALTER EXTENSION multipartner UPDATE TO '0.4';
GRANT multipartner_partner_app TO regress_upgrade_member;
SET ROLE regress_upgrade_member;
SELECT multipartner.acting_partner() AS member_acts_after_the_upgrade;
RESET ROLE;
SELECT count(*) AS initial_privileges_of_the_member_types FROM pg_init_privs
 WHERE objoid IN ('multipartner.partner_role'::regtype, 'multipartner.customer_role'::regtype);
-- and on to the current version, the rows still there: the member still
-- acts, and this library writes again
ALTER EXTENSION multipartner UPDATE;
SET ROLE regress_upgrade_member;
SELECT multipartner.acting_partner() AS member_acts_after_the_update;
RESET ROLE;
DELETE FROM multipartner.partner_member;
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;
DROP ROLE regress_upgrade_member;

-- 0.7 -> 0.8 with subscriptions in it (SPEC §10): term_start is backfilled
-- with created_at, the backfill writes no audit row and leaves the triggers
-- ENABLE ALWAYS, and the renewals due since are read lazily, then recorded
-- by run_maintenance().  Rows loaded as a restore would (0.7 objects).
CREATE DATABASE regress_mp_terms;
\c regress_mp_terms
SET client_min_messages = warning;
CREATE EXTENSION multipartner VERSION '0.7';
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) IS NULL AS restore_mode;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
     VALUES ('11111111-1111-4111-8111-0000000000bb', 'P', 'commercial', '22222222-2222-4222-8222-0000000000bb');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
     VALUES ('33333333-3333-4333-8333-0000000000bb', '44444444-4444-4444-8444-0000000000bb', 'C', 'commercial');
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status)
     VALUES ('55555555-5555-4555-8555-0000000000bb', '33333333-3333-4333-8333-0000000000bb',
             '11111111-1111-4111-8111-0000000000bb', 'active');
-- renewing (P1M, auto_renew, bought 2020-01-31), ended without auto_renew,
-- and one in its first term (bought a day ago, P3Y)
INSERT INTO multipartner.subscription
       (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term,
        billing_cycle, commitment_end, auto_renew, status, created_at, created_by)
VALUES ('66666666-6666-4666-8666-0000000000b1', '33333333-3333-4333-8333-0000000000bb', '11111111-1111-4111-8111-0000000000bb',
        'O', 'F', 1, 'P1M', 'monthly', '2020-02-29 00:00:00+00', true, 'active', '2020-01-31 00:00:00+00', 'postgres'),
       ('66666666-6666-4666-8666-0000000000b2', '33333333-3333-4333-8333-0000000000bb', '11111111-1111-4111-8111-0000000000bb',
        'O', 'F', 1, 'P1Y', 'monthly', '2021-01-01 00:00:00+00', false, 'active', '2020-01-01 00:00:00+00', 'postgres'),
       ('66666666-6666-4666-8666-0000000000b3', '33333333-3333-4333-8333-0000000000bb', '11111111-1111-4111-8111-0000000000bb',
        'O', 'F', 1, 'P3Y', 'triennial', date_trunc('second', now()) - interval '1 day' + interval '3 years', true, 'active',
        date_trunc('second', now()) - interval '1 day', 'postgres');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
SELECT count(*) AS audit_rows_before FROM multipartner.audit_log \gset
ALTER EXTENSION multipartner UPDATE;
SELECT extversion AS updated_to FROM pg_extension WHERE extname = 'multipartner';
SELECT count(*) FILTER (WHERE term_start = created_at) AS term_start_is_created_at, count(*) AS subscriptions
  FROM multipartner.subscription;
SELECT count(*) - :audit_rows_before AS audit_rows_the_update_wrote FROM multipartner.audit_log;
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid = 'multipartner.subscription'::regclass AND NOT tgisinternal ORDER BY tgname;
SELECT attnotnull AS term_start_not_null FROM pg_attribute
 WHERE attrelid = 'multipartner.subscription'::regclass AND attname = 'term_start';
-- read lazily: b1 renewed every month since (anchored on the 31st: its
-- current term starts on the last day of a month or the 31st), b2 expired
SELECT subscription_id, status, multipartner.effective_status(s) AS effective,
       multipartner.effective_term_start(s) > now() - interval '32 days' AS current_term_started_this_month,
       multipartner.effective_commitment_end(s) > now() AS ends_ahead,
       CASE WHEN s.term = 'P1M'
            THEN extract(day FROM multipartner.effective_term_start(s) AT TIME ZONE 'UTC' + interval '1 day') = 1
       END AS monthly_term_starts_at_a_month_end
  FROM multipartner.subscription s ORDER BY subscription_id;
SELECT kind, count FROM multipartner.run_maintenance() WHERE count > 0;
SELECT subscription_id, status, term_start = multipartner.effective_term_start(s) AS recorded
  FROM multipartner.subscription s ORDER BY subscription_id;
SELECT count(*) - :audit_rows_before AS audit_rows_of_the_run FROM multipartner.audit_log;
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;

-- 0.8 -> 0.9 with audit rows of every audited table (CITUS_DESIGN §1.7):
-- the update fills audit_key by rewriting the table (the append-only guard
-- refuses an UPDATE), the customer for the customer-keyed tables, the
-- partner for partner and partner_member, the role id for admin_role; the
-- rows are otherwise as they were, and the update writes no audit row.
-- Rows loaded as a restore would, as the 0.8 trigger wrote them.
CREATE DATABASE regress_mp_audit_key;
\c regress_mp_audit_key
SET client_min_messages = warning;
CREATE EXTENSION multipartner VERSION '0.8';
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) IS NULL AS restore_mode;
\set p '11111111-1111-4111-8111-0000000000cc'
\set c '33333333-3333-4333-8333-0000000000cc'
\set role '44367163-eba1-44c3-98af-f5787879f96a'
INSERT INTO multipartner.audit_log
       (actor, session_actor, operation, table_name, row_id, new_row, txid, partner_id, customer_id)
VALUES ('postgres', 'postgres', 'INSERT', 'partner', :'p', '{}', 1, :'p', NULL),
       ('postgres', 'postgres', 'INSERT', 'partner_member', 'r,' || :'p' || ',sales_agent', '{}', 1, :'p', NULL),
       ('postgres', 'postgres', 'INSERT', 'customer', :'c', '{}', 1, NULL, :'c'),
       ('postgres', 'postgres', 'INSERT', 'customer_member', 'r,' || :'c' || ',global_admin', '{}', 1, NULL, :'c'),
       ('postgres', 'postgres', 'INSERT', 'relationship', '55555555-5555-4555-8555-0000000000cc', '{"status": "pending"}', 1, :'p', :'c'),
       ('postgres', 'postgres', 'INSERT', 'subscription', '66666666-6666-4666-8666-0000000000cc', '{}', 1, :'p', :'c'),
       ('postgres', 'postgres', 'INSERT', 'admin_role', :'role', '{}', 1, NULL, NULL),
       ('postgres', 'postgres', 'INSERT', 'admin_relationship', :'c' || ',77777777-7777-4777-8777-0000000000cc', '{}', 1, :'p', :'c'),
       ('postgres', 'postgres', 'DELETE', 'access_assignment', :'c' || ',88888888-8888-4888-8888-0000000000cc', NULL, 1, :'p', :'c');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
SELECT md5(string_agg(to_jsonb(t)::text, '|' ORDER BY event_id)) AS audit_rows_before FROM multipartner.audit_log t \gset
ALTER EXTENSION multipartner UPDATE;
SELECT extversion AS updated_to FROM pg_extension WHERE extname = 'multipartner';
SELECT event_id, table_name, operation,
       CASE audit_key WHEN :'c' THEN 'the customer' WHEN :'p' THEN 'the partner'
                      WHEN :'role' THEN 'the role' ELSE audit_key::text END AS audit_key
  FROM multipartner.audit_log ORDER BY event_id;
-- the other columns as they were (the row image without audit_key)
SELECT md5(string_agg((to_jsonb(t) - 'audit_key')::text, '|' ORDER BY event_id)) = :'audit_rows_before'
       AS other_columns_kept
  FROM multipartner.audit_log t;
SELECT attnotnull AS audit_key_not_null FROM pg_attribute
 WHERE attrelid = 'multipartner.audit_log'::regclass AND attname = 'audit_key';
SELECT customer_id = :'c' AS history_by_customer, new_status FROM multipartner.relationship_history;
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid = 'multipartner.audit_log'::regclass AND NOT tgisinternal ORDER BY tgname;
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;

\c :regress_db
DROP DATABASE regress_mp_upgraded;
DROP DATABASE regress_mp_from_prev;
DROP DATABASE regress_mp_fresh;
DROP DATABASE regress_mp_members;
DROP DATABASE regress_mp_terms;
DROP DATABASE regress_mp_audit_key;
