/*
 * test/bench/data.sql: the data set, the same in floor, multipartner, ref and
 * bare.  psql variables: npart, ncust, nsubs (run.sh sets them from SCALE),
 * nadmins and npool (the request pool, below).
 *
 *   partner p (1..npart): partner 1 is the big CSP the workloads act for
 *       (login role bench_sales is its sales_agent); every partner has three
 *       more members whose regrole is a made-up OID (no role behind it: 20k
 *       login roles would be too many), so partner_member has a realistic size.
 *   customer c (1..ncust): an active relationship with p1(c) in 2..npart;
 *       every 4th also with p2(c) (multi-partner customers, R1); c % 8 = 3
 *       also with partner 1; c % 10 = 7 has a terminated one with p3(c) too.
 *       One made-up global_admin each.  The request pool: customers with
 *       c % 8 <> 3 (partner 1 has no relationship with them), the j-th of them
 *       c(j) = 8 (j / 7) + j % 7 + 1 + (j % 7 >= 2) for j < npool, whose
 *       global_admin is also role bench_ca_<j % nadmins> (a handful of
 *       customers per role, as a customer's administrators have).
 *   subscription n (1..nsubs): customer c = 1 + (n-1) % ncust, k = (n-1) / ncust
 *       (nsubs / ncust = 10 at every scale); partner 1 when c % 8 = 3 and k is
 *       even, p2(c) when c % 4 = 0 and k is odd, else p1(c).
 *   GDAP (0.7): partner 1's customers (c % 8 = 3) have 3 active admin
 *       relationships with it, each with an active assignment to bench_sales;
 *       role bench_admin is partner 1's admin_agent (in multipartner and ref).
 *
 * Loaded into floor with plain INSERT ... SELECT, then copied to multipartner
 * and ref with every trigger of those tables switched off (as superuser; see
 * run.sh), and the tenant registries filled the way the triggers would.
 */
\set ON_ERROR_STOP 1
\timing off

SELECT bench.triggers_off(ARRAY[
    'floor.partner', 'floor.customer', 'floor.partner_member', 'floor.customer_member',
    'floor.relationship', 'floor.subscription', 'floor.tenant',
    'multipartner.partner', 'multipartner.customer', 'multipartner.partner_member',
    'multipartner.customer_member', 'multipartner.relationship', 'multipartner.subscription',
    'multipartner.tenant', 'multipartner.admin_relationship', 'multipartner.access_assignment',
    'floor.admin_relationship', 'floor.access_assignment',
    'ref.partner', 'ref.customer', 'ref.partner_member', 'ref.customer_member',
    'ref.relationship', 'ref.subscription', 'ref.tenant', 'ref.admin_relationship',
    'ref.access_assignment']::regclass[]);

INSERT INTO floor.partner (partner_id, name, cloud, csp_tenant_id, status, created_at)
SELECT md5('p' || p)::uuid, 'Partner ' || p, 'commercial', md5('pt' || p)::uuid, 'active',
       timestamptz '2023-01-01 00:00:00+00' + p * interval '1 minute'
  FROM generate_series(1, :npart) p;

INSERT INTO floor.customer (customer_id, tenant_id, name, cloud, created_at)
SELECT md5('c' || c)::uuid, md5('ct' || c)::uuid, 'Customer ' || c, 'commercial',
       timestamptz '2023-06-01 00:00:00+00' + c * interval '1 second'
  FROM generate_series(1, :ncust) c;

INSERT INTO floor.partner_member (member, partner_id, role)
SELECT (1000000 + 3 * p + k)::oid::regrole, md5('p' || p)::uuid,
       (ARRAY['global_admin', 'sales_agent', 'billing_admin']::multipartner.partner_role[])[k + 1]
  FROM generate_series(1, :npart) p, generate_series(0, 2) k
UNION ALL
SELECT 'bench_sales'::regrole, md5('p1')::uuid, 'sales_agent';

INSERT INTO floor.customer_member (member, customer_id, role)
SELECT (5000000 + c)::oid::regrole, md5('c' || c)::uuid, 'global_admin'::multipartner.customer_role
  FROM generate_series(1, :ncust) c
UNION ALL
SELECT ('bench_ca_' || (j % :nadmins))::regrole,
       md5('c' || (8 * (j / 7) + j % 7 + 1 + (j % 7 >= 2)::int))::uuid, 'global_admin'
  FROM generate_series(0, :npool - 1) j;

INSERT INTO floor.relationship (relationship_id, customer_id, partner_id, status, delegated_admin,
                                requested_by, requested_at, decided_by, decided_at, ended_by, ended_at)
SELECT md5('r' || x.k || '-' || x.c)::uuid, md5('c' || x.c)::uuid, md5('p' || x.p)::uuid,
       x.status::multipartner.relationship_status, true, 'bench_loader',
       timestamptz '2024-01-01 00:00:00+00' + x.c * interval '1 second', 'bench_loader',
       timestamptz '2024-01-02 00:00:00+00' + x.c * interval '1 second',
       CASE WHEN x.status = 'terminated' THEN 'bench_loader' END,
       CASE WHEN x.status = 'terminated' THEN timestamptz '2024-06-01 00:00:00+00' END
  FROM (SELECT c, 1 AS k, 2 + (c - 1) % (:npart - 1) AS p, 'active' AS status
          FROM generate_series(1, :ncust) c
        UNION ALL
        SELECT c, 2, 2 + ((c - 1) + (:npart - 1) / 2) % (:npart - 1), 'active'
          FROM generate_series(1, :ncust) c WHERE c % 4 = 0
        UNION ALL
        SELECT c, 3, 1, 'active'
          FROM generate_series(1, :ncust) c WHERE c % 8 = 3
        UNION ALL
        SELECT c, 4, 2 + ((c - 1) + (:npart - 1) / 3) % (:npart - 1), 'terminated'
          FROM generate_series(1, :ncust) c WHERE c % 10 = 7) x;

INSERT INTO floor.subscription (subscription_id, customer_id, partner_of_record, offer_id,
                                product_family, quantity, term, billing_cycle, commitment_end,
                                auto_renew, status, created_at, created_by, term_start)
SELECT md5('s' || n)::uuid, md5('c' || c)::uuid,
       md5('p' || CASE WHEN c % 8 = 3 AND k % 2 = 0 THEN 1
                       WHEN c % 4 = 0 AND k % 2 = 1 THEN 2 + ((c - 1) + (:npart - 1) / 2) % (:npart - 1)
                       ELSE 2 + (c - 1) % (:npart - 1) END)::uuid,
       (ARRAY['CFQ7TTC0LF8Q', 'CFQ7TTC0LDPB', 'DZH318Z0BQ3Q', 'DZH318Z0BQ4H'])[1 + n % 4],
       (ARRAY['Office 365', 'Microsoft 365', 'Azure', 'Dynamics 365'])[1 + n % 4],
       1 + n % 100,
       CASE WHEN n % 3 = 0 THEN 'P1M' ELSE 'P1Y' END,
       CASE WHEN n % 3 = 1 THEN 'annual' ELSE 'monthly' END,
       created_at + CASE WHEN n % 3 = 0 THEN interval '1 month' ELSE interval '1 year' END,
       n % 7 <> 0,
       CASE WHEN n % 20 = 0 AND NOT (c % 8 = 3 AND k % 2 = 0) THEN 'cancelled' ELSE 'active' END::multipartner.subscription_status,
       created_at, 'bench_loader', created_at
  FROM (SELECT n, 1 + (n - 1) % :ncust AS c, (n - 1) / :ncust AS k,
               timestamptz '2025-01-01 00:00:00+00' + (n % 365) * interval '1 day'
                 + (n % 86400) * interval '1 second' AS created_at
          FROM generate_series(1, :nsubs) n) g;

INSERT INTO floor.tenant (tenant_id, kind, owner_id)
SELECT csp_tenant_id, 'partner_csp', partner_id FROM floor.partner
UNION ALL
SELECT tenant_id, 'customer', customer_id FROM floor.customer;

-- GDAP (0.7): partner 1's customers (c % 8 = 3, 1/8 of them) have 3 active
-- admin relationships with it each, approved 29 days ago for 730 days, and one
-- active assignment on each to bench_sales (the effective_admin_roles() read
-- of the read layer)
INSERT INTO floor.admin_relationship
       (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend,
        status, created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
SELECT md5('ar' || k || '-' || c)::uuid, md5('c' || c)::uuid, md5('p1')::uuid, 'bench ' || c || '-' || k,
       CASE k WHEN 1 THEN ARRAY['29232cdf-9323-42fd-ade2-1d097af3e4de', '729827e3-9c14-49f7-bb1b-9608f156bbb8']
              WHEN 2 THEN ARRAY['fe930be7-5e62-47db-91af-98c3a49a38b1', '4d6ac14f-3453-41d0-bef9-a3e0c569773a']
              ELSE ARRAY['f2ef992c-3afb-46b9-b7cf-a126ee74c451', '5d6b6bb7-de71-4623-b4af-96380a352509'] END::uuid[],
       interval '730 days', false, 'active', 'bench_loader', now() - interval '30 days',
       now() - interval '30 days', 'bench_loader', now() - interval '29 days',
       now() - interval '29 days', now() - interval '29 days' + interval '730 days'
  FROM generate_series(1, :ncust) c, generate_series(1, 3) k
 WHERE c % 8 = 3;
INSERT INTO floor.access_assignment
       (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status,
        created_by, created_at)
SELECT md5('aa' || substr(r.display_name, 7))::uuid, r.admin_relationship_id, r.customer_id, r.partner_id,
       'bench_sales'::regrole, r.roles, 'active', 'bench_loader', now() - interval '28 days'
  FROM floor.admin_relationship r WHERE r.created_by = 'bench_loader';

-- The same rows in the extension's tables (floor's are LIKE them) and in the reference's.
INSERT INTO multipartner.partner SELECT * FROM floor.partner;
INSERT INTO multipartner.customer SELECT * FROM floor.customer;
INSERT INTO multipartner.tenant SELECT * FROM floor.tenant;
INSERT INTO multipartner.partner_member SELECT * FROM floor.partner_member;
INSERT INTO multipartner.customer_member SELECT * FROM floor.customer_member;
-- GDAP (0.7): bench_admin is partner 1's admin_agent (the callgrind layer's
-- creator and assigner of admin relationships; in ref too, below)
INSERT INTO multipartner.partner_member (member, partner_id, role)
VALUES ('bench_admin'::regrole, md5('p1')::uuid, 'admin_agent');
-- the member trigger (off here) binds every member row's role to its rows
-- (0.4): the real roles among them are bound the way it would, one GRANT a
-- transaction (each locks its role until commit: thousands in one transaction
-- overflow the lock table of the bench cluster's max_connections = 20;
-- multipartner.bind_member_roles(500) called until it returns 0 would do the
-- same, but each call reads all the member rows, most of them here of roles
-- that do not exist, and the load took 64 s instead of 9 at SCALE 0.02)
SELECT format('GRANT USAGE ON TYPE multipartner.%I TO %s', typ, member)
  FROM (SELECT DISTINCT 'partner_role' AS typ, m.member::text AS member FROM multipartner.partner_member m
         WHERE EXISTS (SELECT FROM pg_roles a WHERE a.oid = m.member)
        UNION
        SELECT DISTINCT 'customer_role', m.member::text FROM multipartner.customer_member m
         WHERE EXISTS (SELECT FROM pg_roles a WHERE a.oid = m.member)) g \gexec
INSERT INTO multipartner.relationship SELECT * FROM floor.relationship;
INSERT INTO multipartner.subscription SELECT * FROM floor.subscription;
-- GDAP (0.7): the admin relationships and assignments generated into floor
-- (above); the same rows in ref (below)
INSERT INTO multipartner.admin_relationship SELECT * FROM floor.admin_relationship;
INSERT INTO multipartner.access_assignment SELECT * FROM floor.access_assignment;

INSERT INTO ref.partner (partner_id, name, cloud, csp_tenant_id, status, created_at)
SELECT partner_id, name, cloud::text::ref.cloud, csp_tenant_id,
       status::text::ref.partner_status, created_at FROM floor.partner;
INSERT INTO ref.customer (customer_id, tenant_id, name, cloud, created_at)
SELECT customer_id, tenant_id, name, cloud::text::ref.cloud,
       created_at FROM floor.customer;
INSERT INTO ref.tenant (tenant_id, kind, owner_id) SELECT tenant_id, kind, owner_id FROM floor.tenant;
INSERT INTO ref.partner_member (member, partner_id, role) SELECT member, partner_id, role::text::ref.partner_role
       FROM floor.partner_member;
INSERT INTO ref.customer_member (member, customer_id, role) SELECT member, customer_id, role::text::ref.customer_role
       FROM floor.customer_member;
-- GDAP: bench_admin, partner 1's admin_agent, as in the extension (above)
INSERT INTO ref.partner_member (member, partner_id, role)
VALUES ('bench_admin'::regrole, md5('p1')::uuid, 'admin_agent');
INSERT INTO ref.relationship (relationship_id, customer_id, partner_id, status, delegated_admin,
                              requested_by, requested_at, decided_by, decided_at, ended_by, ended_at)
SELECT relationship_id, customer_id, partner_id,
       status::text::ref.relationship_status, delegated_admin, requested_by, requested_at,
       decided_by, decided_at, ended_by, ended_at FROM floor.relationship;
INSERT INTO ref.subscription (subscription_id, customer_id, partner_of_record, offer_id, product_family,
                              quantity, term, billing_cycle, commitment_end, auto_renew, status,
                              created_at, created_by)
SELECT subscription_id, customer_id, partner_of_record, offer_id,
       product_family, quantity, term, billing_cycle, commitment_end, auto_renew,
       status::text::ref.subscription_status, created_at, created_by FROM floor.subscription;
INSERT INTO ref.admin_relationship
SELECT admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend,
       status::text::ref.admin_relationship_status, created_by, created_at, requested_at, decided_by,
       decided_at, activated_at, end_at, ended_by, ended_at FROM floor.admin_relationship;
INSERT INTO ref.access_assignment
SELECT access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles,
       status::text::ref.access_assignment_status, created_by, created_at, ended_by, ended_at
  FROM floor.access_assignment;

INSERT INTO bare.relationship SELECT * FROM floor.relationship;
INSERT INTO bare.subscription SELECT * FROM floor.subscription;

SELECT bench.triggers_restore();

-- The data is consistent by construction; check the foreign keys the load skipped.
SELECT 'orphans',
       (SELECT count(*) FROM floor.subscription s
         WHERE NOT EXISTS (SELECT FROM floor.relationship r
                            WHERE r.customer_id = s.customer_id AND r.partner_id = s.partner_of_record
                              AND r.status = 'active')) AS subs_without_active_relationship,
       (SELECT count(*) FROM floor.relationship r
         WHERE NOT EXISTS (SELECT FROM floor.customer c WHERE c.customer_id = r.customer_id)
            OR NOT EXISTS (SELECT FROM floor.partner p WHERE p.partner_id = r.partner_id)) AS bad_relationships;
