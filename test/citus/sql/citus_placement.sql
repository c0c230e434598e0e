-- citus_placement: the placement resolver (src/placement.c) names the
-- relation of this node that holds a table's rows for a key, the one the
-- lookup layer reads on Citus instead of the logical table (a query naming
-- that from a shard is a nested distributed query, CITUS_NOTES blocker 4).
-- Asked through the library's test entry point mp_test_placement (no SQL
-- function of the extension names it: declared here in pg_temp), whose
-- answer is the shard id, 0 for the table itself, NULL for "no single
-- relation" (a hash-distributed table without its key).
-- On the coordinator, in a transaction that is rolled back: the
-- coordinator is made to hold shards, tenant is distributed by hand by
-- tenant_id (it has no foreign key and no subquery policy) and admin_role
-- made a reference table.  For 50 random ids the resolver must name the
-- shard get_shard_id_for_distribution_column() names when that shard has a
-- placement here, and refuse with 55000 when it has not (never fall back
-- to a distributed query).  After the rollback the same tables are local
-- again, which the resolver must notice (relcache invalidation).
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.placement(text, uuid) RETURNS bigint
    AS 'multipartner', 'mp_test_placement' LANGUAGE C;
-- (the answer, or 'remote' for the 55000 refusal)
CREATE FUNCTION pg_temp.try(text, uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN coalesce(pg_temp.placement($1, $2)::text, 'none');
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN 'remote';
END $$;
CREATE TEMP TABLE ids AS SELECT gen_random_uuid() AS id FROM generate_series(1, 50);

-- nothing distributed: every table is itself
SELECT pg_temp.try('tenant', id) AS tenant_undistributed, pg_temp.try('admin_role', NULL) AS admin_role_local
  FROM ids LIMIT 1;

BEGIN;
SELECT citus_set_node_property(nodename, nodeport, 'shouldhaveshards', true) IS NOT NULL AS coordinator_holds_shards
  FROM pg_dist_node WHERE groupid = 0;
SELECT create_distributed_table('multipartner.tenant', 'tenant_id') IS NOT NULL AS tenant_distributed;
SELECT create_reference_table('multipartner.admin_role') IS NOT NULL AS admin_role_reference;
-- some shards here, some elsewhere
SELECT count(*) > 0 AND count(*) < 32 AS some_tenant_shards_here
  FROM pg_dist_placement JOIN pg_dist_shard USING (shardid)
 WHERE logicalrelid = 'multipartner.tenant'::regclass
   AND groupid = (SELECT groupid FROM pg_dist_local_group);
-- the reference table: its one shard; a local table: itself
SELECT pg_temp.placement('admin_role', NULL) =
       (SELECT shardid FROM pg_dist_shard WHERE logicalrelid = 'multipartner.admin_role'::regclass) AS reference_shard,
       pg_temp.placement('partner', NULL) AS partner_itself;
-- the hash table: the shard of uuid_hash(key), local or refused
SELECT count(*) AS ids,
       count(*) FILTER (WHERE got = CASE WHEN here THEN want::text ELSE 'remote' END) AS resolver_agrees,
       count(*) FILTER (WHERE here) > 0 AS some_here,
       count(*) FILTER (WHERE NOT here) > 0 AS some_elsewhere
  FROM (SELECT pg_temp.try('tenant', id) AS got,
               get_shard_id_for_distribution_column('multipartner.tenant', id) AS want,
               EXISTS (SELECT FROM pg_dist_placement p
                        WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.tenant', id)
                          AND p.groupid = (SELECT groupid FROM pg_dist_local_group)) AS here
          FROM ids) x;
-- no key for a hash-distributed table: no single relation
SELECT pg_temp.try('tenant', NULL) AS tenant_without_key;
-- the message of the refusal, which names no key (it may be another
-- customer's: the key goes to the server log only)
DO $$
DECLARE
    far uuid;
BEGIN
    SELECT id INTO far FROM ids
     WHERE NOT EXISTS (SELECT FROM pg_dist_placement p
                        WHERE p.shardid = get_shard_id_for_distribution_column('multipartner.tenant', id)
                          AND p.groupid = (SELECT groupid FROM pg_dist_local_group))
     LIMIT 1;
    PERFORM pg_temp.placement('tenant', far);
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RAISE WARNING '%', SQLERRM;
END $$;
ROLLBACK;

-- rolled back: the tables are themselves again
SELECT pg_temp.try('tenant', id) AS tenant_after_rollback, pg_temp.try('admin_role', NULL) AS admin_role_after_rollback
  FROM ids LIMIT 1;
