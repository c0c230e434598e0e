/*
 * test/bench/ref_refusals.sql: does a schema refuse what GDAP (R14-R20,
 * SPEC §9) refuses?  Run by test/bench/run.sh as superuser, once with
 * -v s=ref (the PL/pgSQL reference, test/bench/plpgsql_reference.sql) and
 * once with -v s=multipartner (the extension), before the data is loaded:
 * the same writes must raise the same SQLSTATEs in both, or the benchmark
 * would compare a reference that does less.  Everything happens in one
 * transaction that is rolled back (its roles too).  One line per check,
 * "ok N - ...", and an error (psql exits non-zero) at the first check that
 * fails.
 *
 * Standalone: psql -v s=ref -f test/bench/ref_refusals.sql DB, on a database
 * with CREATE EXTENSION multipartner and plpgsql_reference.sql loaded.
 */
\set ON_ERROR_STOP 1
\set QUIET 1
\pset tuples_only on
\pset format unaligned
SET client_min_messages = warning;
BEGIN;
SELECT set_config('rr.schema', :'s', true) \gset

CREATE SEQUENCE pg_temp.rr_n;

-- sql as role must fail with sqlstate
CREATE FUNCTION pg_temp.refuses(p_role text, p_state text, p_what text, p_sql text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    v_n bigint := nextval('pg_temp.rr_n');
BEGIN
    BEGIN
        EXECUTE format('SET ROLE %I', p_role);
        EXECUTE replace(p_sql, '@S@', quote_ident(current_setting('rr.schema')));
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = p_state THEN
            RETURN format('ok %s - %s refused (%s, %s): %s', v_n, p_what, p_state, p_role, SQLERRM);
        END IF;
        RAISE EXCEPTION 'not ok % - % (as %): expected %, got %: %', v_n, p_what, p_role, p_state, SQLSTATE, SQLERRM;
    END;
    RAISE EXCEPTION 'not ok % - % (as %): expected %, but it was allowed', v_n, p_what, p_role, p_state;
END
$fn$;

-- sql as role must succeed (and, given check, make check true afterwards)
CREATE FUNCTION pg_temp.allows(p_role text, p_what text, p_sql text, p_check text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    v_n bigint := nextval('pg_temp.rr_n');
    v_ok boolean;
    v_rows bigint;
BEGIN
    EXECUTE format('SET ROLE %I', p_role);
    BEGIN
        EXECUTE replace(p_sql, '@S@', quote_ident(current_setting('rr.schema')));
        GET DIAGNOSTICS v_rows = ROW_COUNT;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'not ok % - % (as %): refused: % %', v_n, p_what, p_role, SQLSTATE, SQLERRM;
    END;
    RESET ROLE;
    IF v_rows <> 1 THEN
        RAISE EXCEPTION 'not ok % - % (as %): wrote % rows, not 1', v_n, p_what, p_role, v_rows;
    END IF;
    IF p_check IS NOT NULL THEN
        EXECUTE 'SELECT ' || replace(p_check, '@S@', quote_ident(current_setting('rr.schema'))) INTO v_ok;
        IF v_ok IS NOT TRUE THEN
            RAISE EXCEPTION 'not ok % - % (as %): allowed, but not true afterwards: %', v_n, p_what, p_role, p_check;
        END IF;
    END IF;
    RETURN format('ok %s - %s allowed (%s)', v_n, p_what, p_role);
END
$fn$;

-- the parties: partners A (the one that acts), B (another), S (suspended
-- later), customers C (active reseller relationships with A and S) and D
-- (none); roles of each kind
CREATE ROLE rr_admin;       -- A's admin_agent
CREATE ROLE rr_sales;       -- A's sales_agent
CREATE ROLE rr_tech;        -- A's helpdesk_agent: the grantee
CREATE ROLE rr_other;       -- B's admin_agent
CREATE ROLE rr_susp;        -- S's admin_agent
CREATE ROLE rr_ca;          -- C's global_admin
CREATE ROLE rr_reader;      -- C's reader
CREATE ROLE rr_nobody;      -- member of nothing
GRANT multipartner_partner_app TO rr_admin, rr_sales, rr_tech, rr_other, rr_susp, rr_nobody;
GRANT multipartner_customer_app TO rr_ca, rr_reader;

SELECT format($$
INSERT INTO %1$I.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (md5('rr-A')::uuid, 'RR A', 'commercial', md5('rr-tA')::uuid),
    (md5('rr-B')::uuid, 'RR B', 'commercial', md5('rr-tB')::uuid),
    (md5('rr-S')::uuid, 'RR S', 'commercial', md5('rr-tS')::uuid);
INSERT INTO %1$I.customer (customer_id, tenant_id, name, cloud) VALUES
    (md5('rr-C')::uuid, md5('rr-tC')::uuid, 'RR C', 'commercial'),
    (md5('rr-D')::uuid, md5('rr-tD')::uuid, 'RR D', 'commercial');
INSERT INTO %1$I.partner_member (member, partner_id, role) VALUES
    ('rr_admin', md5('rr-A')::uuid, 'admin_agent'), ('rr_sales', md5('rr-A')::uuid, 'sales_agent'),
    ('rr_tech', md5('rr-A')::uuid, 'helpdesk_agent'), ('rr_other', md5('rr-B')::uuid, 'admin_agent'),
    ('rr_susp', md5('rr-S')::uuid, 'admin_agent');
INSERT INTO %1$I.customer_member (member, customer_id, role) VALUES
    ('rr_ca', md5('rr-C')::uuid, 'global_admin'), ('rr_reader', md5('rr-C')::uuid, 'reader');
INSERT INTO %1$I.relationship (customer_id, partner_id, status) VALUES
    (md5('rr-C')::uuid, md5('rr-A')::uuid, 'active'), (md5('rr-C')::uuid, md5('rr-S')::uuid, 'active');
UPDATE %1$I.partner SET status = 'suspended' WHERE partner_id = md5('rr-S')::uuid;
$$, :'s') \gexec

-- the row every INSERT below varies: partner A's admin_agent asks customer C
-- for Exchange and Helpdesk for 180 days
\set ins 'INSERT INTO @S@.admin_relationship (admin_relationship_id, customer_id, display_name, roles, duration, auto_extend, status) VALUES '
\set ex '29232cdf-9323-42fd-ade2-1d097af3e4de'
\set hd '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set ga '62e90394-69f5-4237-9190-012177145e10'
\set sp 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c'
\set x 'md5(''rr-X'')::uuid'
\set y 'md5(''rr-Y'')::uuid'
\set c 'md5(''rr-C'')::uuid'

-- R14: who creates, with what
SELECT pg_temp.refuses('rr_sales', '42501', 'R14 create as sales_agent',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('postgres', '42501', 'R14 create as an operator',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_nobody', '42501', 'R14 create as a member of no partner',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '42501', 'R14 create for another partner',
    'INSERT INTO @S@.admin_relationship (customer_id, partner_id, display_name, roles) VALUES ('
    || :'c' || ', md5(''rr-B'')::uuid, ''n'', ''{' || :'ex' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP001', 'R14 create without an active reseller relationship',
    :'ins' || format('(gen_random_uuid(), md5(%L)::uuid, %L, %L, %L, false, %L)', 'rr-D', 'n', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_susp', '55000', 'R14 create by a suspended partner',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', '180 days', 'created'));
-- R18: it starts created
SELECT pg_temp.refuses('rr_admin', '55000', 'R18 create as active',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', '180 days', 'active'));
-- R15
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 display name of 0 characters',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', '', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 display name of 51 characters',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', repeat('n', 51), '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 no roles',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 a role twice',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || ',' || :'hd' || ',' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23503', 'R15 an unknown role',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || ',' || md5('nope')::uuid || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 duration ' || d,
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'n', '{' || :'ex' || '}', d, 'created'))
  FROM unnest(ARRAY['0 days', '731 days', '1.5 days', '-5 days', '1 mon', '1 mon 5 days', '1 year 5 days', '5 days 01:00:00', '1 mon -720:00:00 5 days', '24:00:00']) d;
-- R17
SELECT pg_temp.refuses('rr_admin', 'MP011', 'R17 auto_extend with Global Administrator',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, true, %L)', :'c', 'n', '{' || :'ex' || ',' || :'ga' || '}', '180 days', 'created'));
-- the stamps
SELECT pg_temp.refuses('rr_admin', '428C9', 'a new admin relationship with end_at',
    'INSERT INTO @S@.admin_relationship (customer_id, display_name, roles, end_at) VALUES ('
    || :'c' || ', ''n'', ''{' || :'ex' || '}'', now())');

-- X: created, then edited, submitted, approved; Y: a second one, left created
SELECT pg_temp.allows('rr_admin', 'create X (Exchange, Helpdesk, Global Administrator)',
    :'ins' || format('(%s, %s, %L, %L, %L, false, %L)', :'x', :'c', 'X', '{' || :'ex' || ',' || :'hd' || ',' || :'ga' || '}', '180 days', 'created'),
    $$(SELECT created_by = 'rr_admin' AND created_at IS NOT NULL AND requested_at IS NULL FROM @S@.admin_relationship WHERE admin_relationship_id = md5('rr-X')::uuid)$$);
SELECT pg_temp.allows('rr_admin', 'create Y',
    :'ins' || format('(%s, %s, %L, %L, %L, false, %L)', :'y', :'c', 'Y', '{' || :'ex' || '}', '30 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23505', 'R15 a display name the partner already has',
    :'ins' || format('(gen_random_uuid(), %s, %L, %L, %L, false, %L)', :'c', 'X', '{' || :'ex' || '}', '180 days', 'created'));
SELECT pg_temp.refuses('rr_admin', '23505', 'R15 renaming Y to a name the partner already has',
    'UPDATE @S@.admin_relationship SET display_name = ''X'' WHERE admin_relationship_id = ' || :'y');
SELECT pg_temp.allows('rr_admin', 'R16 edit X while created',
    'UPDATE @S@.admin_relationship SET display_name = ''X2'', duration = ''90 days'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '23514', 'R15 edit X while created to 731 days',
    'UPDATE @S@.admin_relationship SET duration = ''731 days'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '55000', 'R18 created to active',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '428C9', 'requested_at set by the writer',
    'UPDATE @S@.admin_relationship SET requested_at = now() WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_ca', '42501', 'R14 submit as the customer',
    'UPDATE @S@.admin_relationship SET status = ''approval_pending'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_sales', '42501', 'R14 submit as sales_agent',
    'UPDATE @S@.admin_relationship SET status = ''approval_pending'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '55000', 'R19 assign on a created relationship',
    'INSERT INTO @S@.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES ('
    || :'x' || ', ' || :'c' || ', ''rr_tech'', ''{' || :'hd' || '}'')');
SELECT pg_temp.allows('rr_admin', 'R18 submit X',
    'UPDATE @S@.admin_relationship SET status = ''approval_pending'' WHERE admin_relationship_id = ' || :'x',
    $$(SELECT requested_at IS NOT NULL FROM @S@.admin_relationship WHERE admin_relationship_id = md5('rr-X')::uuid)$$);
SELECT pg_temp.refuses('rr_admin', 'MP010', 'R16 edit X while approval_pending',
    'UPDATE @S@.admin_relationship SET display_name = ''X3'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_ca', 'MP010', 'R16 the customer edits X',
    'UPDATE @S@.admin_relationship SET display_name = ''X3'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '42501', 'R14 approve as the partner',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_reader', '42501', 'R14 approve as the customer''s reader',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_ca', '42501', 'R14 expire as the customer (operators only)',
    'UPDATE @S@.admin_relationship SET status = ''expired'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('postgres', '55000', 'R18 expire a request that has not expired',
    'UPDATE @S@.admin_relationship SET status = ''expired'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.allows('rr_ca', 'R18 approve X',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = ' || :'x',
    $$(SELECT decided_by = 'rr_ca' AND activated_at IS NOT NULL AND end_at = activated_at + interval '90 days'
         FROM @S@.admin_relationship WHERE admin_relationship_id = md5('rr-X')::uuid)$$);
-- R16, R17 while active
SELECT pg_temp.refuses('rr_admin', 'MP011', 'R17 auto_extend on while Global Administrator is a role',
    'UPDATE @S@.admin_relationship SET auto_extend = true WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', 'MP010', 'R16 duration while active',
    'UPDATE @S@.admin_relationship SET duration = ''30 days'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', 'MP010', 'R16 removing another role than Global Administrator',
    'UPDATE @S@.admin_relationship SET roles = ''{' || :'ex' || ',' || :'ga' || '}'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', 'MP010', 'R16 adding a role while active',
    'UPDATE @S@.admin_relationship SET roles = ''{' || :'ex' || ',' || :'hd' || ',' || :'ga' || ',' || :'sp' || '}'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.allows('rr_admin', 'R16 remove Global Administrator while active',
    'UPDATE @S@.admin_relationship SET roles = ''{' || :'hd' || ',' || :'ex' || '}'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.allows('rr_admin', 'R17 auto_extend on without Global Administrator',
    'UPDATE @S@.admin_relationship SET auto_extend = true WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '55000', 'R18 active to approval_pending',
    'UPDATE @S@.admin_relationship SET status = ''approval_pending'' WHERE admin_relationship_id = ' || :'x');
-- R20
SELECT pg_temp.refuses('rr_admin', 'MP008', 'R20 partner_id changed',
    'UPDATE @S@.admin_relationship SET partner_id = md5(''rr-B'')::uuid WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', 'MP008', 'R20 admin_relationship_id changed',
    'UPDATE @S@.admin_relationship SET admin_relationship_id = gen_random_uuid() WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('postgres', 'MP007', 'R20 DELETE of an admin relationship',
    'DELETE FROM @S@.admin_relationship WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('postgres', 'MP007', 'R20 TRUNCATE of admin_relationship',
    'TRUNCATE @S@.admin_relationship CASCADE');

-- R19 on X (active: Helpdesk and Exchange)
\set asg 'INSERT INTO @S@.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (' :x ', ' :c ', '
SELECT pg_temp.refuses('rr_sales', '42501', 'R14 assign as sales_agent', :'asg' || '''rr_tech'', ''{' || :'hd' || '}'')');
SELECT pg_temp.refuses('postgres', '42501', 'R14 assign as an operator', :'asg' || '''rr_tech'', ''{' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_other', '42501', 'R14 assign on another partner''s relationship', :'asg' || '''rr_other'', ''{' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 a grantee outside the partner', :'asg' || '''rr_nobody'', ''{' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 a grantee of another partner', :'asg' || '''rr_other'', ''{' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 no roles', :'asg' || '''rr_tech'', ''{}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 a role twice', :'asg' || '''rr_tech'', ''{' || :'hd' || ',' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 a role the relationship does not have', :'asg' || '''rr_tech'', ''{' || :'hd' || ',' || :'sp' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP012', 'R19 Global Administrator after its removal', :'asg' || '''rr_tech'', ''{' || :'ga' || '}'')');
SELECT pg_temp.refuses('rr_admin', '23503', 'R19 an admin relationship that does not exist',
    'INSERT INTO @S@.access_assignment (admin_relationship_id, customer_id, grantee, roles) VALUES (gen_random_uuid(), '
    || :'c' || ', ''rr_tech'', ''{' || :'hd' || '}'')');
SELECT pg_temp.allows('rr_admin', 'R19 assign Helpdesk to rr_tech', :'asg' || '''rr_tech'', ''{' || :'hd' || '}'')',
    $$(SELECT partner_id = md5('rr-A')::uuid AND created_by = 'rr_admin' FROM @S@.access_assignment WHERE grantee = 'rr_tech'::regrole)$$);
SELECT pg_temp.refuses('rr_admin', '23505', 'R19 a second active assignment for the grantee', :'asg' || '''rr_tech'', ''{' || :'ex' || '}'')');
SELECT pg_temp.allows('rr_admin', 'R19 assign Exchange and Helpdesk to rr_admin', :'asg' || '''rr_admin'', ''{' || :'ex' || ',' || :'hd' || '}'')');
SELECT pg_temp.refuses('rr_admin', 'MP008', 'R20 grantee of an assignment changed',
    'UPDATE @S@.access_assignment SET grantee = ''rr_sales'' WHERE grantee = ''rr_tech''::regrole');
SELECT pg_temp.refuses('rr_admin', 'MP010', 'R16 roles of an assignment changed',
    'UPDATE @S@.access_assignment SET roles = ''{' || :'ex' || '}'' WHERE grantee = ''rr_tech''::regrole');
SELECT pg_temp.refuses('rr_admin', '428C9', 'ended_at of an assignment set by the writer',
    'UPDATE @S@.access_assignment SET ended_at = now() WHERE grantee = ''rr_tech''::regrole');
SELECT pg_temp.refuses('postgres', 'MP007', 'R20 DELETE of an assignment',
    'DELETE FROM @S@.access_assignment WHERE grantee = ''rr_tech''::regrole');
SELECT pg_temp.allows('rr_admin', 'end rr_admin''s assignment',
    'UPDATE @S@.access_assignment SET status = ''ended'' WHERE grantee = ''rr_admin''::regrole',
    $$(SELECT ended_by = 'rr_admin' AND ended_at IS NOT NULL FROM @S@.access_assignment WHERE grantee = 'rr_admin'::regrole)$$);
SELECT pg_temp.refuses('rr_admin', '55000', 'R18 an ended assignment made active again',
    'UPDATE @S@.access_assignment SET status = ''active'' WHERE grantee = ''rr_admin''::regrole');

-- termination ends the active assignments
SELECT pg_temp.refuses('rr_reader', '42501', 'R14 terminate as the customer''s reader',
    'UPDATE @S@.admin_relationship SET status = ''terminated'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.allows('rr_ca', 'R18 terminate X as the customer''s global_admin',
    'UPDATE @S@.admin_relationship SET status = ''terminated'' WHERE admin_relationship_id = ' || :'x',
    $$(SELECT r.ended_by = 'rr_ca' AND a.status = 'ended' AND a.ended_by = 'rr_ca' AND a.ended_at = r.ended_at
         FROM @S@.admin_relationship r JOIN @S@.access_assignment a USING (customer_id, admin_relationship_id)
        WHERE r.admin_relationship_id = md5('rr-X')::uuid AND a.grantee = 'rr_tech'::regrole)$$);
SELECT pg_temp.refuses('rr_admin', '55000', 'R18 terminated to active',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = ' || :'x');
SELECT pg_temp.refuses('rr_admin', '55000', 'R19 assign on a terminated relationship', :'asg' || '''rr_tech'', ''{' || :'hd' || '}'')');
SELECT pg_temp.allows('rr_admin', 'R18 withdraw Y (created to terminated)',
    'UPDATE @S@.admin_relationship SET status = ''terminated'' WHERE admin_relationship_id = ' || :'y');

-- time: a request submitted 91 days ago has expired (stamped with the guard off)
SELECT pg_temp.allows('rr_admin', 'create Z',
    :'ins' || format('(md5(%L)::uuid, %s, %L, %L, %L, false, %L)', 'rr-Z', :'c', 'Z', '{' || :'ex' || '}', '30 days', 'created'));
SELECT pg_temp.allows('rr_admin', 'submit Z',
    'UPDATE @S@.admin_relationship SET status = ''approval_pending'' WHERE admin_relationship_id = md5(''rr-Z'')::uuid');
SELECT format('ALTER TABLE %I.admin_relationship DISABLE TRIGGER admin_relationship_guard', :'s') \gexec
SELECT format('UPDATE %I.admin_relationship SET requested_at = now() - interval ''91 days'' WHERE admin_relationship_id = md5(''rr-Z'')::uuid', :'s') \gexec
SELECT format('ALTER TABLE %I.admin_relationship ENABLE ALWAYS TRIGGER admin_relationship_guard', :'s') \gexec
SELECT pg_temp.refuses('rr_ca', '55000', 'R18 approve an expired request',
    'UPDATE @S@.admin_relationship SET status = ''active'' WHERE admin_relationship_id = md5(''rr-Z'')::uuid');
SELECT pg_temp.allows('postgres', 'R18 an operator records the expiry',
    'UPDATE @S@.admin_relationship SET status = ''expired'' WHERE admin_relationship_id = md5(''rr-Z'')::uuid',
    $$(SELECT ended_at = requested_at + interval '90 days' FROM @S@.admin_relationship WHERE admin_relationship_id = md5('rr-Z')::uuid)$$);

-- admin_role
SELECT pg_temp.refuses('rr_admin', '42501', 'R14 a partner adds an admin role',
    'INSERT INTO @S@.admin_role (role_id, name) VALUES (gen_random_uuid(), ''Made Up'')');
SELECT pg_temp.refuses('postgres', 'MP008', 'R20 an admin role renamed',
    'UPDATE @S@.admin_role SET name = ''Helpdesk'' WHERE role_id = ''' || :'hd' || '''');
SELECT pg_temp.refuses('postgres', 'MP007', 'R20 an admin role deleted',
    'DELETE FROM @S@.admin_role WHERE role_id = ''' || :'hd' || '''');

SELECT format('%s: %s checks passed', current_setting('rr.schema'), currval('pg_temp.rr_n'));
ROLLBACK;
