-- citus_move: moving a customer's shards under writes (SPEC §11,
-- CITUS_DESIGN §1.4).  In a database of its own (mp_dist_move on every
-- node): a distributed install with two customers on different workers and
-- a background writer (dblink, its own connection as the partner's LOGIN
-- role) selling to the first customer and updating each sale, one
-- transaction per write, while the customer's co-located shards move:
--   1. by logical replication (the default) as PostgreSQL 15 runs it: the
--      apply worker may not write into the FORCE ROW LEVEL SECURITY tables
--      (Citus's subscription role is no superuser), the move times out and
--      leaves the shards where they were, no write lost or refused;
--   2. by logical replication whose apply worker gets through row security
--      (BYPASSRLS given to Citus's subscription role, as an apply running as
--      the table owner would, PostgreSQL 16): the target shards' triggers
--      fire in the apply worker, and the extension's let the replayed rows
--      through untouched (judged and audited where first written) - without
--      that they judge the replayed rows as written by Citus's role, refuse
--      them ("role ... does not act for any partner", or "Only the partner
--      of record ..." for an update) and the move times out;
--   3. back with shard_transfer_mode 'block_writes'.
-- After each: every write made once, exactly one audit row per write, all
-- the customer's shards in one group; after a move the new node judges the
-- customer's writes (a backend that read the shard map there before the move
-- finds the shards local now, a sale is accepted and audited once, a partner
-- without a relationship is refused as on a single node).
\set mp_db mp_dist_move
\i test/citus/own_db.psql
CREATE EXTENSION dblink;
CALL multipartner.distribute();

-- SQLSTATE, message and detail of a statement that fails
CREATE FUNCTION pg_temp.refusal(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text;
    d text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    RETURN concat_ws(E'\n', SQLSTATE || ': ' || m, nullif(d, ''));
END
$$;
-- the worker group holding a customer's shard of table t
CREATE FUNCTION pg_temp.group_of(t regclass, c uuid) RETURNS int LANGUAGE sql AS $$
    SELECT p.groupid FROM pg_dist_placement p
     WHERE p.shardid = get_shard_id_for_distribution_column(t, c) AND p.shardstate = 1
$$;

-- partners P1 and P2 (LOGIN roles, created after Citus: every node has
-- them); P1 makes customers C1 and C2, which live on different workers
\set p1 '11111111-1111-4111-8111-0000000000a1'
\set p2 '11111111-1111-4111-8111-0000000000a2'
\set c1 '44444444-4444-4444-8444-0000000000a1'
\set c2 '44444444-4444-4444-8444-0000000000a3'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Move P1', 'commercial', '22222222-2222-4222-8222-0000000000a1'),
  (:'p2', 'Move P2', 'commercial', '22222222-2222-4222-8222-0000000000a2');
CREATE ROLE regress_move_p1_ga LOGIN;
CREATE ROLE regress_move_p2_ga LOGIN;
GRANT multipartner_partner_app TO regress_move_p1_ga, regress_move_p2_ga;
INSERT INTO multipartner.partner_member VALUES
  ('regress_move_p1_ga', :'p1', 'global_admin'), ('regress_move_p2_ga', :'p2', 'global_admin');
SET ROLE regress_move_p1_ga;
SELECT multipartner.create_customer(:'c1', 'Move C1', 'commercial') = :'c1' AS c1_made;
SELECT multipartner.create_customer(:'c2', 'Move C2', 'commercial') = :'c2' AS c2_made;
RESET ROLE;
SELECT pg_temp.group_of('multipartner.customer', :'c1') AS c1_group,
       pg_temp.group_of('multipartner.customer', :'c2') AS c2_group;
SELECT pg_temp.group_of('multipartner.customer', :'c1') AS from_group,
       3 - pg_temp.group_of('multipartner.customer', :'c1') AS to_group \gset
SELECT nodeport AS from_port FROM pg_dist_node WHERE groupid = :from_group \gset
SELECT nodeport AS to_port FROM pg_dist_node WHERE groupid = :to_group \gset

-- the writer: as P1, one transaction per write, a sale and an update of its
-- quantity, until the flag says stop; each write it made is logged (locally)
CREATE TABLE public.move_flag (stop boolean NOT NULL);
INSERT INTO public.move_flag VALUES (false);
CREATE TABLE public.move_write (n int, op text, at timestamptz DEFAULT clock_timestamp());
GRANT SELECT ON public.move_flag TO regress_move_p1_ga;
GRANT INSERT ON public.move_write TO regress_move_p1_ga;
CREATE PROCEDURE public.move_writer(c uuid) LANGUAGE plpgsql AS $$
DECLARE
    s uuid;
    n int := 0;
BEGIN
    LOOP
        EXIT WHEN (SELECT stop FROM public.move_flag);
        n := n + 1;
        s := multipartner.create_subscription(c, 'MOVE_' || n, 'Move offer', 1, 'P1Y', 'monthly');
        INSERT INTO public.move_write (n, op) VALUES (n, 'INSERT');
        COMMIT;
        UPDATE multipartner.subscription SET quantity = 2
         WHERE customer_id = c AND subscription_id = s;
        INSERT INTO public.move_write (n, op) VALUES (n, 'UPDATE');
        COMMIT;
        PERFORM pg_sleep(0.005);
    END LOOP;
END
$$;
-- the audit rows of the customer's subscriptions
\set audited 'SELECT count(*) AS audited FROM multipartner.audit_log WHERE customer_id = :''c1'' AND table_name = ''subscription'''
:audited \gset before_
SELECT :before_audited AS audited_before;


-- start the writer (the flag cleared before, by a statement of its own: the
-- writer reads it committed) / stop it and wait for its end
CREATE FUNCTION pg_temp.writer_start(c uuid, port int) RETURNS boolean LANGUAGE sql AS $$
    SELECT dblink_connect('writer', format('host=127.0.0.1 port=%s dbname=mp_dist_move user=regress_move_p1_ga', port));
    SELECT dblink_send_query('writer', format('CALL public.move_writer(%L)', c));
    SELECT pg_sleep(0.5);
    SELECT count(*) > 0 FROM public.move_write WHERE at > clock_timestamp() - interval '0.4 s';
$$;
\set writer_stop 'SELECT pg_sleep(0.3) IS NOT NULL AS wrote_on; UPDATE public.move_flag SET stop = true; SELECT r.status || ''/'' || dblink_disconnect(''writer'') AS writer FROM pg_sleep(0.3), dblink_get_result(''writer'', false) AS r(status text);'
-- every write of the writer made once, audited once; C1's shards all in one group
CREATE FUNCTION pg_temp.check_writes(c uuid, audited_before bigint) RETURNS TABLE (
    every_sale_once boolean, every_update_once boolean, one_audit_row_per_write boolean, group_of_c1 int)
LANGUAGE plpgsql AS $$
BEGIN
    every_sale_once := (SELECT count(*) FROM public.move_write WHERE op = 'INSERT') =
        (SELECT count(*) FROM multipartner.subscription s WHERE s.customer_id = c AND s.offer_id LIKE 'MOVE\_%');
    every_update_once := (SELECT count(*) FROM public.move_write WHERE op = 'UPDATE') =
        (SELECT count(*) FROM multipartner.subscription s WHERE s.customer_id = c AND s.offer_id LIKE 'MOVE\_%' AND s.quantity = 2);
    one_audit_row_per_write := (SELECT count(*) FROM multipartner.audit_log a WHERE a.customer_id = c AND a.table_name = 'subscription'
                                   AND coalesce(a.new_row, a.old_row)->>'offer_id' LIKE 'MOVE\_%')
        - audited_before = (SELECT count(*) FROM public.move_write);
    SELECT CASE WHEN count(DISTINCT p.groupid) = 1 THEN min(p.groupid) END INTO group_of_c1
      FROM pg_dist_partition t JOIN pg_dist_placement p
        ON p.shardid = get_shard_id_for_distribution_column(t.logicalrelid, c)
     WHERE t.logicalrelid::text LIKE 'multipartner.%' AND t.partmethod = 'h';
    RETURN NEXT;
END
$$;
SELECT get_shard_id_for_distribution_column('multipartner.customer', :'c1') AS c1_shard \gset

-------------------------------------------------------------------------------
-- 1. logical replication (the default), as PostgreSQL 15 runs it: the apply
-- worker runs as the subscription's owner, which Citus makes a NOSUPERUSER
-- member of the tables' owner, and PostgreSQL 15 refuses to replicate into
-- a table with FORCE ROW LEVEL SECURITY for it.  The move errors out after
-- citus.logical_replication_timeout; the shards stay where they were,
-- nothing is lost, the writes went on.
-------------------------------------------------------------------------------
UPDATE public.move_flag SET stop = false;
SELECT pg_temp.writer_start(:'c1', :coordinator_port) AS writing;
\set VERBOSITY terse
SELECT citus_move_shard_placement(:c1_shard, '127.0.0.1', :from_port, '127.0.0.1', :to_port);
\set VERBOSITY default
:writer_stop
SELECT * FROM pg_temp.check_writes(:'c1', :before_audited);
CALL citus_cleanup_orphaned_resources();

-------------------------------------------------------------------------------
-- 2. logical replication whose apply worker may write through row security
-- (as on PostgreSQL 16, where it runs as the table owner; here a session on
-- the target gives Citus's subscription role BYPASSRLS as soon as it
-- exists).  The target shards' triggers (ENABLE ALWAYS) exist before the
-- last catch-up, so the apply worker would fire them on the replayed rows:
-- the extension's triggers let those rows through untouched.
-------------------------------------------------------------------------------
-- a backend of the target node, kept across the move (P1's own
-- connection), reads the subscription tables' shard map there first: C2's
-- sale is judged on that node, C1's shards are remote to it
SELECT dblink_connect('target', format('host=127.0.0.1 port=%s dbname=mp_dist_move user=regress_move_p1_ga', :to_port)) AS target;
SELECT * FROM dblink('target', format('SELECT multipartner.create_subscription(%L, %L, %L, 1, %L, %L) IS NOT NULL',
         :'c2', 'MOVE_C2_TARGET', 'Move offer', 'P1Y', 'monthly')) AS r(c2_sold_on_target boolean);
SELECT dblink_connect('bypass', format('host=127.0.0.1 port=%s dbname=mp_dist_move user=postgres', :to_port)) AS bypass;
SELECT dblink_send_query('bypass', $q$DO $d$
DECLARE
    r name;
BEGIN
    SET citus.enable_ddl_propagation = off;
    LOOP
        SELECT rolname INTO r FROM pg_roles WHERE rolname LIKE 'citus\_shard\_move\_subscription\_role\_%' AND NOT rolsuper;
        EXIT WHEN r IS NOT NULL;
        PERFORM pg_sleep(0.01);
    END LOOP;
    EXECUTE format('ALTER ROLE %I BYPASSRLS', r);
END
$d$$q$) AS waiting;
UPDATE public.move_flag SET stop = false;
SELECT pg_temp.writer_start(:'c1', :coordinator_port) AS writing;
SELECT citus_move_shard_placement(:c1_shard, '127.0.0.1', :from_port, '127.0.0.1', :to_port) IS NOT NULL AS moved;
:writer_stop
SELECT r.status AS bypass FROM dblink_get_result('bypass', false) AS r(status text);
SELECT dblink_disconnect('bypass');
SELECT * FROM pg_temp.check_writes(:'c1', :before_audited);
SELECT :to_group AS target_group;
-- right after the move the new node judges C1's writes: the backend that
-- read the map before the move finds C1's shards local now (its cached map
-- was dropped by the placement change), the sale is accepted and audited
-- once; a partner without a relationship is refused as on a single node
SELECT (SELECT count(*) FROM multipartner.audit_log WHERE customer_id = :'c1') AS audit_c1 \gset
SELECT * FROM dblink('target', format('SELECT multipartner.create_subscription(%L, %L, %L, 1, %L, %L) IS NOT NULL',
         :'c1', 'AFTER_MOVE_1', 'Move offer', 'P1Y', 'monthly')) AS r(c1_sold_on_new_node boolean);
SELECT dblink_disconnect('target');
SELECT count(*) - :audit_c1 AS audit_rows_of_the_sale FROM multipartner.audit_log WHERE customer_id = :'c1';
SET ROLE regress_move_p2_ga;
SELECT replace(pg_temp.refusal(format('SELECT multipartner.create_subscription(%L, %L, %L, 1, %L, %L)',
         :'c1', 'AFTER_MOVE_P2', 'Move offer', 'P1Y', 'monthly')), :'c1', '<C1>') AS p2_refused;
RESET ROLE;

-------------------------------------------------------------------------------
-- 3. 'block_writes', back to the first worker, under writes
-------------------------------------------------------------------------------
UPDATE public.move_flag SET stop = false;
SELECT pg_temp.writer_start(:'c1', :coordinator_port) AS writing;
SELECT citus_move_shard_placement(:c1_shard, '127.0.0.1', :to_port, '127.0.0.1', :from_port,
                                  shard_transfer_mode => 'block_writes') IS NOT NULL AS moved;
:writer_stop
SELECT * FROM pg_temp.check_writes(:'c1', :before_audited);
-- and on the first worker again: accepted, refused
SELECT count(*) AS audit_c1 FROM multipartner.audit_log WHERE customer_id = :'c1' \gset
SET ROLE regress_move_p1_ga;
SELECT multipartner.create_subscription(:'c1', 'AFTER_MOVE_2', 'Move offer', 1, 'P1Y', 'monthly') IS NOT NULL AS c1_sold;
RESET ROLE;
SELECT count(*) - :audit_c1 AS audit_rows_of_the_sale FROM multipartner.audit_log WHERE customer_id = :'c1';
SET ROLE regress_move_p2_ga;
SELECT replace(pg_temp.refusal(format('SELECT multipartner.create_subscription(%L, %L, %L, 1, %L, %L)',
         :'c1', 'AFTER_MOVE_P2', 'Move offer', 'P1Y', 'monthly')), :'c1', '<C1>') AS p2_refused;
RESET ROLE;
-- the shards moved away from the second worker are dropped there
CALL citus_cleanup_orphaned_resources();
SELECT result AS c1_subscription_shard_gone FROM run_command_on_workers(format('SELECT to_regclass(%L) IS NULL',
         'multipartner.subscription_' || get_shard_id_for_distribution_column('multipartner.subscription', :'c1')))
 WHERE nodeport = :to_port;
-- the moved shards' foreign keys are Citus's new ones, their triggers ENABLE
-- ORIGIN (replica mode would skip them; the extension's triggers refuse a
-- write in replica mode while one is there); a second CALL distribute()
-- makes them ALWAYS again
\set not_always 'SELECT nodeid, result AS not_always FROM run_command_on_all_nodes($$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = ''multipartner''::regnamespace AND t.tgenabled <> ''A'' AND t.tgfoid <> ''citus_truncate_trigger''::regproc$$) ORDER BY nodeid;'
:not_always
CALL multipartner.distribute();
:not_always

-------------------------------------------------------------------------------
-- 4. a customer role is bound where its member row is (bind_member_roles()):
-- a move copies the row but not the binding (a grant of the node, and Citus
-- copies the rows before it creates the target's triggers), so until the
-- second CALL distribute() the moved customer's member acts for nobody on
-- the new node (fail closed); the CALL binds it there and unbinds it on the
-- node it left
-------------------------------------------------------------------------------
CREATE ROLE regress_move_c1_ga LOGIN;
GRANT multipartner_customer_app TO regress_move_c1_ga;
INSERT INTO multipartner.customer_member VALUES ('regress_move_c1_ga', :'c1', 'global_admin');
\set c1_bound 'SELECT CASE n.nodeport WHEN :from_port THEN ''from'' WHEN :to_port THEN ''to'' ELSE ''coordinator'' END AS node, c.result AS member_bound FROM run_command_on_all_nodes($$SELECT count(*) FROM pg_type t, aclexplode(t.typacl) a WHERE t.oid = ''multipartner.customer_role''::regtype AND a.grantee = ''regress_move_c1_ga''::regrole$$) c JOIN pg_dist_node n USING (nodeid) ORDER BY n.groupid;'
\set c1_sees 'SET ROLE regress_move_c1_ga; SELECT count(*) AS member_sees_c1 FROM multipartner.customer; RESET ROLE;'
:c1_bound
:c1_sees
SELECT citus_move_shard_placement(:c1_shard, '127.0.0.1', :from_port, '127.0.0.1', :to_port,
                                  shard_transfer_mode => 'block_writes') IS NOT NULL AS moved;
:c1_sees
CALL multipartner.distribute();
:c1_bound
:c1_sees
