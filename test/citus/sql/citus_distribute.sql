-- citus_distribute: CALL multipartner.distribute() takes a populated
-- single-node install to a distributed one (SPEC §11).  In a database of its
-- own (mp_dist on every node, Citus created and the nodes registered there),
-- so that the other files keep an undistributed install.  Before: its
-- refusals (not a superuser; a worker with rows of its own).  After: the
-- thirteen tables are Citus tables (four reference tables, nine co-located
-- hash tables), no row was lost or added and the copy wrote no audit row
-- (the rows were judged when written), every row naming a role names the
-- same role on every node (Citus would copy the OID, and OIDs differ from
-- node to node), every trigger of the extension's tables and their shards
-- is ENABLE ALWAYS on every node (Citus's own truncate triggers aside), the
-- foreign keys are back, the keys include the distribution column, a
-- second CALL only finishes, and a non-superuser's DDL is not refused by
-- the DDL guard because of Citus's truncate triggers.
\set mp_db mp_dist
\i test/citus/own_db.psql

-- SQLSTATE and detail of a CALL that fails (the message names a node's port)
CREATE FUNCTION pg_temp.refusal(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || coalesce(d, '');
END
$$;

-- a populated install: partners, LOGIN roles (created after Citus, so every
-- node has them), customers, relationships, a sale, an admin relationship
-- approved and assigned
\set p1 '11111111-1111-4111-8111-0000000000e1'
\set p2 '11111111-1111-4111-8111-0000000000e2'
\set c1 '33333333-3333-4333-8333-0000000000e1'
\set c2 '33333333-3333-4333-8333-0000000000e2'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Dist P1', 'commercial', '22222222-2222-4222-8222-0000000000e1'),
  (:'p2', 'Dist P2', 'commercial', '22222222-2222-4222-8222-0000000000e2');
CREATE ROLE regress_dist_p1_ga LOGIN;
CREATE ROLE regress_dist_p2_ga LOGIN;
CREATE ROLE regress_dist_c1_ga LOGIN;
CREATE ROLE "Regress Dist Agent" LOGIN;
GRANT multipartner_partner_app TO regress_dist_p1_ga, regress_dist_p2_ga, "Regress Dist Agent";
GRANT multipartner_customer_app TO regress_dist_c1_ga;
INSERT INTO multipartner.partner_member VALUES
  ('regress_dist_p1_ga', :'p1', 'global_admin'), ('regress_dist_p2_ga', :'p2', 'global_admin'),
  ('"Regress Dist Agent"', :'p1', 'admin_agent');
SET ROLE regress_dist_p1_ga;
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000e1', 'Dist C1', 'commercial') AS c1 \gset
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000e2', 'Dist C2', 'commercial') AS c2 \gset
SELECT multipartner.create_subscription(:'c1', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly') IS NOT NULL AS sold;
SELECT multipartner.create_admin_relationship(:'c1', 'helpdesk', ARRAY['Helpdesk Administrator']) AS ar1 \gset
RESET ROLE;
INSERT INTO multipartner.customer_member VALUES ('regress_dist_c1_ga', :'c1', 'global_admin');
SET ROLE regress_dist_p2_ga;
SELECT multipartner.request_relationship(:'c1') AS r2 \gset
RESET ROLE;
SET ROLE regress_dist_c1_ga;
SELECT multipartner.accept_relationship(:'r2') IS NOT NULL AS accepted;
RESET ROLE;
SET ROLE regress_dist_p1_ga;
SELECT multipartner.request_admin_approval(:'ar1') IS NOT NULL AS submitted;
RESET ROLE;
SET ROLE regress_dist_c1_ga;
SELECT multipartner.approve_admin_relationship(:'ar1') IS NOT NULL AS approved;
RESET ROLE;
SET ROLE regress_dist_p1_ga;
SELECT multipartner.assign_admin_access(:'ar1', '"Regress Dist Agent"', ARRAY['Helpdesk Administrator']) IS NOT NULL AS assigned;
RESET ROLE;

-- what the single node holds, to compare after
\set counts 'SELECT string_agg(t || '':'' || n, '','' ORDER BY t) AS counts FROM (SELECT ''partner'' t, count(*) n FROM multipartner.partner UNION ALL SELECT ''partner_member'', count(*) FROM multipartner.partner_member UNION ALL SELECT ''admin_role'', count(*) FROM multipartner.admin_role UNION ALL SELECT ''customer'', count(*) FROM multipartner.customer UNION ALL SELECT ''customer_member'', count(*) FROM multipartner.customer_member UNION ALL SELECT ''relationship'', count(*) FROM multipartner.relationship UNION ALL SELECT ''subscription'', count(*) FROM multipartner.subscription UNION ALL SELECT ''admin_relationship'', count(*) FROM multipartner.admin_relationship UNION ALL SELECT ''access_assignment'', count(*) FROM multipartner.access_assignment UNION ALL SELECT ''tenant'', count(*) FROM multipartner.tenant UNION ALL SELECT ''audit_log'', count(*) FROM multipartner.audit_log) c'
:counts \gset before_
:counts;
\set roles 'SELECT concat_ws(''|'', (SELECT string_agg(member::text, '','' ORDER BY member::text) FROM multipartner.partner_member), (SELECT string_agg(member::text, '','' ORDER BY member::text) FROM multipartner.customer_member), (SELECT string_agg(grantee::text, '','' ORDER BY grantee::text) FROM multipartner.access_assignment)) AS roles'
:roles;

-- refused: not a superuser
SET ROLE regress_dist_p1_ga;
SELECT pg_temp.refusal('CALL multipartner.distribute()') AS not_superuser;
RESET ROLE;
-- refused: a worker has rows of its own (they would be hidden by the distributed table)
SELECT success FROM run_command_on_workers($$INSERT INTO multipartner.expiry_notice
    VALUES ('33333333-3333-4333-8333-0000000000ef', 'subscription', '55555555-5555-4555-8555-0000000000ef', now(), 30,
            '11111111-1111-4111-8111-0000000000ef', NULL)$$) ORDER BY nodeport;
SELECT pg_temp.refusal('CALL multipartner.distribute()') AS worker_rows;
SELECT success FROM run_command_on_workers($$DELETE FROM multipartner.expiry_notice$$) ORDER BY nodeport;
:counts;

CALL multipartner.distribute();

-- the tables: four reference tables, nine hash tables in one colocation group
SELECT logicalrelid, partmethod, partkey IS NOT NULL AS has_key,
       colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'multipartner.customer'::regclass)
         OR partmethod = 'n' AS colocated
  FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%' ORDER BY logicalrelid::text;
SELECT column_to_column_name(logicalrelid, partkey) AS distributed_by, string_agg(logicalrelid::text, ', ' ORDER BY logicalrelid::text)
  FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%' AND partmethod = 'h' GROUP BY 1 ORDER BY 1;
-- nothing lost or added, no audit row written by the copy
:counts \gset after_
SELECT :'before_counts' = :'after_counts' AS same_rows;
-- every node reads the same roles by name
SELECT nodeid, success, result = (:roles) AS same_roles
  FROM run_command_on_all_nodes(:'roles') ORDER BY nodeid;
:roles;
-- every trigger of the tables and of their shards ENABLE ALWAYS (Citus's truncate triggers aside), on every node
SELECT nodeid, result AS not_always FROM run_command_on_all_nodes($$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgenabled <> 'A' AND t.tgfoid <> 'citus_truncate_trigger'::regproc$$) ORDER BY nodeid;
-- (Citus's own: internal, of no constraint, ENABLE ORIGIN, on the coordinator's tables)
SELECT count(*) AS citus_truncate_triggers FROM pg_trigger WHERE tgfoid = 'citus_truncate_trigger'::regproc AND tgisinternal AND tgconstraint = 0 AND tgenabled = 'O'
   AND tgrelid IN (SELECT logicalrelid FROM pg_dist_partition);
-- and enable_always_triggers() leaves them so: nothing of the extension's is to enable
SELECT multipartner.enable_always_triggers() AS enabled;
-- the foreign keys are back on the tables (coordinator) and their shards (workers)
SELECT string_agg(conrelid::regclass::text || '.' || conname, ', ' ORDER BY conrelid::regclass::text, conname) AS foreign_keys
  FROM pg_constraint WHERE connamespace = 'multipartner'::regnamespace AND contype = 'f'
   AND conrelid IN (SELECT logicalrelid FROM pg_dist_partition);
SELECT nodeid, result::int > 0 AS shard_foreign_keys FROM run_command_on_workers($$SELECT count(*) FROM pg_constraint
    WHERE connamespace = 'multipartner'::regnamespace AND contype = 'f'$$) w JOIN pg_dist_node n USING (nodename, nodeport) ORDER BY nodeid;
-- keys with the distribution column; tenant uniqueness is the registry's
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('multipartner.relationship'::regclass, 'multipartner.subscription'::regclass,
                    'multipartner.audit_log'::regclass, 'multipartner.customer'::regclass)
   AND contype IN ('p', 'u') ORDER BY 1::text, 2;
-- the coordinator keeps no local copy of the rows (its tables are Citus's shells)
SELECT sum(pg_relation_size(logicalrelid)) AS local_bytes
  FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%';
-- a second CALL only finishes
SET client_min_messages = notice;
CALL multipartner.distribute();
SET client_min_messages = warning;
-- the DDL guard does not hold Citus's truncate triggers against a non-superuser's DDL
SET ROLE regress_dist_p1_ga;
CREATE TEMP TABLE dist_scratch (x int);
RESET ROLE;
