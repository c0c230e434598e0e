-- citus_tenant: the tenant registry and R8 on Citus (SPEC §11, CITUS_DESIGN
-- §1.6).  In a database of its own (mp_dist_tenant on every node): a
-- populated install (two partners, LOGIN roles, a customer whose id is not
-- its tenant id) taken to Citus with CALL multipartner.distribute().  Then:
-- a partner inserted after distribution claims its CSP tenant once (in the
-- registry's shard of that tenant, by the one placement of the partner row
-- on the node holding it) and is audited once; R8 and tenant uniqueness
-- hold whichever row comes second, with the single-node SQLSTATEs and
-- messages; create_customer() makes the customer's id its tenant id; a
-- customer whose id is not its tenant id is refused (22023); a customer
-- made before distribution cannot be deleted (55000), one made after can.
\set mp_db mp_dist_tenant
\i test/citus/own_db.psql

\i test/citus/refusal.psql
-- the registry's rows for a tenant in every shard of it (not through the
-- distributed table, which reads only the shard of hash(tenant))
CREATE FUNCTION pg_temp.claims(tenant uuid) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(r.result, ', ' ORDER BY r.result), 'none')
      FROM run_command_on_shards('multipartner.tenant',
             format($c$SELECT string_agg(kind || ':' || owner_id::text || ':' || coalesce(created_by_partner::text, '-'), ', ') FROM %%s WHERE tenant_id = %L$c$, tenant)) r
     WHERE r.result <> ''
$$;

-- before distribution: partners P1 and P2, LOGIN roles (created after Citus,
-- so every node has them), a customer C1 whose id is a random uuid
\set p1 '11111111-1111-4111-8111-0000000000f1'
\set p2 '11111111-1111-4111-8111-0000000000f2'
\set p3 '11111111-1111-4111-8111-0000000000f3'
\set p4 '11111111-1111-4111-8111-0000000000f4'
\set csp1 '22222222-2222-4222-8222-0000000000f1'
\set csp2 '22222222-2222-4222-8222-0000000000f2'
\set csp3 '22222222-2222-4222-8222-0000000000f3'
\set csp4 '22222222-2222-4222-8222-0000000000f4'
\set t1 '44444444-4444-4444-8444-0000000000f1'
\set t2 '44444444-4444-4444-8444-0000000000f2'
\set t3 '44444444-4444-4444-8444-0000000000f3'
\set t4 '44444444-4444-4444-8444-0000000000f4'
\set t5 '44444444-4444-4444-8444-0000000000f5'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Tenant P1', 'commercial', :'csp1'),
  (:'p2', 'Tenant P2', 'commercial', :'csp2');
CREATE ROLE regress_tenant_p1_ga LOGIN;
CREATE ROLE regress_tenant_p2_ga LOGIN;
GRANT multipartner_partner_app TO regress_tenant_p1_ga, regress_tenant_p2_ga;
INSERT INTO multipartner.partner_member VALUES
  ('regress_tenant_p1_ga', :'p1', 'global_admin'), ('regress_tenant_p2_ga', :'p2', 'global_admin');
SET ROLE regress_tenant_p1_ga;
SELECT multipartner.create_customer(:'t1', 'Tenant C1', 'commercial') AS c1 \gset
RESET ROLE;
SELECT :'c1' <> :'t1' AS c1_id_is_not_its_tenant;
-- and C0, an operator's, with the default's random id and no relationship
INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (:'t4', 'Tenant C0', 'commercial');
SELECT customer_id AS c0 FROM multipartner.customer WHERE tenant_id = :'t4' \gset

CALL multipartner.distribute();
SELECT logicalrelid, partmethod FROM pg_dist_partition
 WHERE logicalrelid IN ('multipartner.partner'::regclass, 'multipartner.customer'::regclass, 'multipartner.tenant'::regclass)
 ORDER BY 1::text;

-- the claims made before distribution, each in the shard of its tenant
SELECT pg_temp.claims(:'csp1') = 'partner_csp:' || :'p1' || ':-' AS csp1_claimed,
       pg_temp.claims(:'t1') = 'customer:' || :'c1' || ':' || :'p1' AS t1_claimed;

-------------------------------------------------------------------------------
-- a partner inserted after distribution: its trigger fires on the partner
-- placement of every node; the one on the node of the registry's shard of
-- its CSP tenant claims it, once; audited once
-------------------------------------------------------------------------------
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES (:'p3', 'Tenant P3', 'commercial', :'csp3');
SELECT pg_temp.claims(:'csp3') = 'partner_csp:' || :'p3' || ':-' AS csp3_claimed_once;
SELECT count(*) AS partner_audit_rows, min(table_name) AS table_name, min(operation) AS operation
  FROM multipartner.audit_log WHERE partner_id = :'p3';
-- over every node's audit shards too (the distributed table reads them all)
SELECT sum(result::int) AS partner_audit_rows_in_shards
  FROM run_command_on_shards('multipartner.audit_log',
         format($c$SELECT count(*) FROM %%s WHERE partner_id = %L$c$, :'p3'));

-------------------------------------------------------------------------------
-- create_customer() as a LOGIN partner role: the customer's id is its tenant id
-------------------------------------------------------------------------------
SET ROLE regress_tenant_p1_ga;
SELECT multipartner.create_customer(:'t2', 'Tenant C2', 'commercial') = :'t2' AS c2_id_is_its_tenant;
SELECT customer_id = :'t2' AS visible, tenant_id = :'t2' AS tenant FROM multipartner.customer WHERE tenant_id = :'t2';
SELECT status, delegated_admin FROM multipartner.relationship WHERE customer_id = :'t2';
RESET ROLE;
SELECT pg_temp.claims(:'t2') = 'customer:' || :'t2' || ':' || :'p1' AS t2_claimed_by_p1;

-------------------------------------------------------------------------------
-- R8: a partner's CSP tenant is never a customer, whichever row comes second
-------------------------------------------------------------------------------
-- the customer second: create_customer() as a LOGIN partner role, a partner
-- from before distribution and one from after
SET ROLE regress_tenant_p1_ga;
SELECT pg_temp.refusal(format('SELECT multipartner.create_customer(%L, %L, %L)', :'csp1', 'P1 Itself', 'commercial')) AS customer_second;
SELECT pg_temp.refusal(format('SELECT multipartner.create_customer(%L, %L, %L)', :'csp3', 'P3 Itself', 'commercial')) AS customer_second_new_partner;
RESET ROLE;
-- ... by a direct INSERT of the superuser
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                              :'csp2', :'csp2', 'P2 Itself', 'commercial')) AS customer_second_insert;
-- the partner second: a customer from before distribution (id not its
-- tenant: its claim is in the shard of its tenant), and one from after
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                              :'p4', 'C1 as CSP', 'commercial', :'t1')) AS partner_second_old_customer;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                              :'p4', 'C2 as CSP', 'commercial', :'t2')) AS partner_second;
-- nothing of the refused rows anywhere
SELECT (SELECT count(*) FROM multipartner.partner WHERE partner_id = :'p4') AS p4_rows,
       pg_temp.claims(:'csp1') = 'partner_csp:' || :'p1' || ':-' AS csp1_still_p1,
       pg_temp.claims(:'t1') = 'customer:' || :'c1' || ':' || :'p1' AS t1_still_c1;

-------------------------------------------------------------------------------
-- each tenant is one customer; each partner has its own CSP tenant
-------------------------------------------------------------------------------
SET ROLE regress_tenant_p2_ga;
-- a customer from before distribution (another id, same tenant)
SELECT pg_temp.refusal(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t1', 'C1 again', 'commercial')) AS second_customer_old;
-- a customer from after (same id, same tenant)
SELECT pg_temp.refusal(format('SELECT multipartner.create_customer(%L, %L, %L)', :'t2', 'C2 again', 'commercial')) AS second_customer;
RESET ROLE;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                              :'p4', 'P1 again', 'commercial', :'csp1')) AS second_partner_old;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES (%L, %L, %L, %L)',
                              :'p4', 'P3 again', 'commercial', :'csp3')) AS second_partner;

-------------------------------------------------------------------------------
-- a customer's id is its tenant id on Citus (22023)
-------------------------------------------------------------------------------
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                              :'t5', :'t3', 'Other id', 'commercial')) AS id_not_tenant;
-- without an id: the default's random uuid
SELECT regexp_replace(pg_temp.refusal(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                              :'t3', 'Default id', 'commercial')), '[0-9a-f-]{36} is not', '<random id> is not') AS default_id;
SET ROLE regress_tenant_p1_ga;
SELECT pg_temp.refusal(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                              :'t5', :'t3', 'Other id', 'commercial')) AS id_not_tenant_partner;
RESET ROLE;
SELECT pg_temp.claims(:'t3') AS t3_claims, (SELECT count(*) FROM multipartner.customer WHERE tenant_id = :'t3') AS t3_customers;
-- with its tenant id as its id, by the superuser: accepted, claimed
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (:'t3', :'t3', 'Tenant C3', 'commercial');
SELECT pg_temp.claims(:'t3') = 'customer:' || :'t3' || ':-' AS t3_claimed;

-------------------------------------------------------------------------------
-- deleting customers (an operator, nothing refers to them)
-------------------------------------------------------------------------------
-- one made after distribution: deleted, its claim released, its tenant free again
DELETE FROM multipartner.customer WHERE customer_id = :'t3';
SELECT pg_temp.claims(:'t3') AS t3_released;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES (:'p4', 'Tenant P4', 'commercial', :'t3');
SELECT pg_temp.claims(:'t3') = 'partner_csp:' || :'p4' || ':-' AS t3_now_p4_csp;
-- one made before distribution: refused (its claim may be on another node)
SELECT replace(pg_temp.refusal(format('DELETE FROM multipartner.customer WHERE customer_id = %L', :'c0')), :'c0', '<C0>') AS delete_old_customer;
SELECT count(*) AS c0_kept FROM multipartner.customer WHERE customer_id = :'c0';
SELECT pg_temp.claims(:'t4') = 'customer:' || :'c0' || ':-' AS t4_still_c0;
