-- citus_party: the rules of the partner and customer rows on distributed
-- tables (SPEC §11), where they differ from one node only in placement.  In
-- a database of its own (mp_dist_party on every node): two partners, LOGIN
-- roles, a customer made before distribution (its id is not its tenant id),
-- taken to Citus with CALL multipartner.distribute().  Then:
--   R10: a non-operator's DELETE of a customer, granted DELETE and seeing
--        the row (BYPASSRLS), is refused 42501 on the worker, for a
--        multi-shard and a router DELETE, a customer made before
--        distribution and ones made after; an operator's is judged (MP007
--        for a customer with a relationship, deleted when nothing refers to it);
--   a customer whose id is not its tenant id (22023 on Citus) is judged by
--        everything one node judges it by first, with the single-node
--        SQLSTATEs: R2 (42501), R9 (MP006), R8 (MP005), NOT NULL (23502),
--        CHECK (23514), the primary key (23505; ON CONFLICT DO NOTHING
--        skips it, as on one node);
--   re-inserting an existing partner ... ON CONFLICT (partner_id) DO
--        NOTHING inserts nothing, as on one node.
\set mp_db mp_dist_party
\i test/citus/own_db.psql

\i test/citus/refusal.psql
-- the registry's rows for a tenant in every shard of it
CREATE FUNCTION pg_temp.claims(tenant uuid) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(r.result, ', ' ORDER BY r.result), 'none')
      FROM run_command_on_shards('multipartner.tenant',
             format($c$SELECT string_agg(kind || ':' || owner_id::text, ', ') FROM %%s WHERE tenant_id = %L$c$, tenant)) r
     WHERE r.result <> ''
$$;

\set p1 '11111111-1111-4111-8111-0000000000a1'
\set p2 '11111111-1111-4111-8111-0000000000a2'
\set csp1 '22222222-2222-4222-8222-0000000000a1'
\set csp2 '22222222-2222-4222-8222-0000000000a2'
\set t1 '44444444-4444-4444-8444-0000000000a1'
\set t2 '44444444-4444-4444-8444-0000000000a2'
\set t3 '44444444-4444-4444-8444-0000000000a3'
\set t4 '44444444-4444-4444-8444-0000000000a4'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Party P1', 'commercial', :'csp1'),
  (:'p2', 'Party P2', 'us_government', :'csp2');
CREATE ROLE regress_party_ga LOGIN;
CREATE ROLE regress_party_hd LOGIN;
CREATE ROLE regress_party_bypass LOGIN BYPASSRLS;
CREATE ROLE regress_party_operator LOGIN;
GRANT multipartner_partner_app TO regress_party_ga, regress_party_hd, regress_party_bypass;
GRANT multipartner_operator TO regress_party_operator;
INSERT INTO multipartner.partner_member VALUES
  ('regress_party_ga', :'p1', 'global_admin'), ('regress_party_hd', :'p1', 'helpdesk_agent'),
  ('regress_party_bypass', :'p1', 'global_admin');
SET ROLE regress_party_ga;
SELECT multipartner.create_customer(:'t1', 'Party C1', 'commercial') AS c1 \gset
RESET ROLE;
SELECT :'c1' <> :'t1' AS c1_id_is_not_its_tenant;

CALL multipartner.distribute();

SET ROLE regress_party_ga;
SELECT multipartner.create_customer(:'t2', 'Party C2', 'commercial') = :'t2' AS c2_id_is_its_tenant;
RESET ROLE;
-- and C4, an operator's, that nothing refers to (an operator may delete it)
SET ROLE regress_party_operator;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (:'t4', :'t4', 'Party C4', 'commercial');
RESET ROLE;

-------------------------------------------------------------------------------
-- R10: only an operator deletes a customer, on the worker too
-------------------------------------------------------------------------------
GRANT DELETE ON multipartner.customer TO regress_party_bypass;
SET ROLE regress_party_bypass;
-- a multi-shard DELETE (by tenant_id), a customer made after distribution
SELECT pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t2')) AS bypass_delete_multi_shard;
-- a router DELETE (by customer_id)
SELECT pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'t2')) AS bypass_delete_router;
-- a customer made before distribution (R10 comes first, not 55000)
SELECT replace(pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t1')), :'c1', '<C1>') AS bypass_delete_old;
-- one nothing refers to
SELECT pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t4')) AS bypass_delete_unreferenced;
-- every customer at once
SELECT regexp_replace(pg_temp.refusal('DELETE FROM multipartner.customer'), '[0-9a-f-]{36}', '<id>') AS bypass_delete_all;
RESET ROLE;
REVOKE DELETE ON multipartner.customer FROM regress_party_bypass;
SELECT count(*) AS customers_kept FROM multipartner.customer WHERE tenant_id IN (:'t1', :'t2', :'t4');
SET ROLE regress_party_operator;
SELECT pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t2')) AS operator_delete_referenced;
SELECT pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE tenant_id = %L', :'t4')) AS operator_delete_unreferenced;
RESET ROLE;
SELECT count(*) AS c4_gone FROM multipartner.customer WHERE tenant_id = :'t4';

-------------------------------------------------------------------------------
-- a customer whose id is not its tenant id: the rules of one node first
-------------------------------------------------------------------------------
-- R2: a helpdesk agent may not create customers (the default's random id)
SET ROLE regress_party_hd;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'t3', 'HD Cust', 'commercial')) AS r2_first;
-- R9: a commercial partner creates no us_government customer
SET ROLE regress_party_ga;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'t3', 'Gov Cust', 'us_government')) AS r9_first;
RESET ROLE;
-- R8: a partner's CSP tenant, on whichever node the row is
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'csp1', 'P1 Itself', 'commercial')) AS r8_first;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'csp2', 'P2 Itself', 'us_government')) AS r8_first_other;
-- the table's constraints
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, NULL, %L)',
                              :'t3', 'commercial')), E'\n.*', '') AS not_null_first;
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'t3', '', 'commercial')), E'\n.*', '') AS check_first;
-- the primary key: an existing customer's id
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                              :'c1', :'t3', 'Squatter', 'commercial')), E'\n.*', '') AS pkey_first;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)'
                              ' ON CONFLICT DO NOTHING', :'c1', :'t3', 'Squatter', 'commercial')) AS on_conflict_skips;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)'
                              ' ON CONFLICT (customer_id) DO NOTHING', :'c1', :'t3', 'Squatter', 'commercial')) AS on_conflict_key_skips;
-- and else still 22023
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'t3', 'Fine', 'commercial')), '[0-9a-f-]{36} is not', '<random id> is not') AS still_22023;
SELECT pg_temp.claims(:'t3') AS t3_claims, (SELECT count(*) FROM multipartner.customer WHERE tenant_id = :'t3') AS t3_customers,
       (SELECT count(*) FROM multipartner.customer WHERE customer_id = :'c1' AND tenant_id = :'t1') AS c1_unchanged;

-------------------------------------------------------------------------------
-- an existing partner re-inserted ... ON CONFLICT DO NOTHING: nothing
-------------------------------------------------------------------------------
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)'
                              ' ON CONFLICT (partner_id) DO NOTHING', :'p1', 'Party P1', 'commercial', :'csp1')) AS partner_on_conflict_skips;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)'
                              ' ON CONFLICT DO NOTHING', :'p1', 'Party P1', 'commercial', :'csp1')) AS partner_on_conflict_any_skips;
-- a plain INSERT: the primary key refuses it (naming the placement's index)
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                              :'p1', 'Party P1', 'commercial', :'csp1')), E'\n.*', '') AS partner_pkey;
-- another partner with a taken CSP tenant: still the table's key, as on one node
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (name, cloud, csp_tenant_id) VALUES (%L, %L, %L)',
                              'P1 again', 'commercial', :'csp1')) AS partner_csp_taken;
SELECT count(*) AS partners, pg_temp.claims(:'csp1') = 'partner_csp:' || :'p1' AS csp1_still_p1 FROM multipartner.partner;
