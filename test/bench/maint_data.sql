/*
 * test/bench/maint_data.sql: the data set of the maintenance layer (issue 14,
 * SPEC §10), in a database of its own ("maint": the main data set's dates are
 * fixed, so most of its subscriptions are long past their commitment_end and
 * a run there would record a renewal for nearly every row).  psql variables:
 * nsubs (the subscriptions; 1M at the default SCALE), ncust (nsubs / 10),
 * npart.  Loaded as superuser with every trigger of the tables off
 * (bench.triggers_off of setup.sql), the tenant registry filled the way the
 * triggers would; nothing is due and nothing ends within 30 days when it is
 * done.  test/bench/maint_due.sql then makes 1% of it due.
 *
 * Times are offsets from the load's now() of at least a day, so a few minutes
 * between the load and the runs change nothing.
 *   customer c (1..ncust): an active relationship with pa(c) = 2 + (c-1) %
 *       (npart-1), who sells all its subscriptions; c % 100 = 1 also has a
 *       pending request from pb(c) (another partner), 10 days old.
 *   subscription n (1..nsubs): customer 1 + (n-1) % ncust.  P1M (monthly,
 *       all with auto_renew) or P1Y; auto_renew unless n % 7 = 0; cancelled
 *       n % 20 = 0, suspended n % 50 = 25; created so that every term ends
 *       in the future, and every end without renewal more than 30 days ahead.
 *       Marked for maint_due.sql: n % 100 = 50 (1%: (n/100) % 4 = 0 a P1M
 *       and 1 a P1Y with auto_renew: renewals; 2 a P1Y without auto_renew
 *       and 3 a suspended P1Y: expiries) and n % 500 = 117 (0.2%, P1Y without
 *       auto_renew: notices).
 *   admin relationship of c % 10 = 5 with pa(c): active 100 days of 730,
 *       auto_extend when c % 20 = 15, one active assignment each.  Marked:
 *       c % 1000 = 5 (1% of them), by (c/1000) % 4: 0 without auto_extend
 *       (expiry, its assignment ends), 1 with (extension), 2 approval_pending
 *       for 5 days, no assignment (expiry at 90 days), 3 without auto_extend
 *       (notices).
 */
\set ON_ERROR_STOP 1
\timing off

SELECT bench.triggers_off(ARRAY[
    'multipartner.partner', 'multipartner.customer', 'multipartner.tenant',
    'multipartner.relationship', 'multipartner.subscription',
    'multipartner.admin_relationship', 'multipartner.access_assignment']::regclass[]);

INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id, status, created_at)
SELECT md5('p' || p)::uuid, 'Partner ' || p, 'commercial', md5('pt' || p)::uuid, 'active',
       now() - interval '3 years' + p * interval '1 minute'
  FROM generate_series(1, :npart) p;

INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at)
SELECT md5('c' || c)::uuid, md5('ct' || c)::uuid, 'Customer ' || c, 'commercial',
       now() - interval '2 years 6 months' + c * interval '1 second'
  FROM generate_series(1, :ncust) c;

INSERT INTO multipartner.tenant (tenant_id, kind, owner_id)
SELECT csp_tenant_id, 'partner_csp', partner_id FROM multipartner.partner
UNION ALL
SELECT tenant_id, 'customer', customer_id FROM multipartner.customer;

INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, delegated_admin,
                                       requested_by, requested_at, decided_by, decided_at)
SELECT md5('r1-' || c)::uuid, md5('c' || c)::uuid, md5('p' || (2 + (c - 1) % (:npart - 1)))::uuid,
       'active'::multipartner.relationship_status, true, 'bench_loader',
       now() - interval '2 years' + c * interval '1 second',
       'bench_loader', now() - interval '2 years' + interval '1 day' + c * interval '1 second'
  FROM generate_series(1, :ncust) c
UNION ALL
SELECT md5('r2-' || c)::uuid, md5('c' || c)::uuid,
       md5('p' || (2 + ((c - 1) + (:npart - 1) / 2) % (:npart - 1)))::uuid,
       'pending', true, 'bench_loader', now() - interval '10 days' - (c % 86400) * interval '1 second',
       NULL, NULL
  FROM generate_series(1, :ncust) c WHERE c % 100 = 1;

INSERT INTO multipartner.subscription (subscription_id, customer_id, partner_of_record, offer_id,
                                       product_family, quantity, term, billing_cycle, commitment_end,
                                       auto_renew, status, created_at, created_by, term_start)
SELECT md5('s' || n)::uuid, md5('c' || c)::uuid, md5('p' || (2 + (c - 1) % (:npart - 1)))::uuid,
       (ARRAY['CFQ7TTC0LF8Q', 'CFQ7TTC0LDPB', 'DZH318Z0BQ3Q', 'DZH318Z0BQ4H'])[1 + n % 4],
       (ARRAY['Office 365', 'Microsoft 365', 'Azure', 'Dynamics 365'])[1 + n % 4],
       1 + n % 100, term, CASE term WHEN 'P1M' THEN 'monthly' ELSE 'annual' END,
       created_at + CASE term WHEN 'P1M' THEN interval '1 month' ELSE interval '1 year' END,
       auto_renew, status, created_at, 'bench_loader', created_at
  FROM (SELECT n, c, term, auto_renew, status,
               now() - (n % 86400) * interval '1 second'
                 - CASE WHEN mark THEN interval '10 days'
                        WHEN term = 'P1M' THEN (n % 25) * interval '1 day'
                        ELSE (n % 300) * interval '1 day' END AS created_at
          FROM (SELECT n, 1 + (n - 1) % :ncust AS c, n % 100 = 50 OR n % 500 = 117 AS mark,
                       CASE WHEN n % 100 = 50 THEN CASE (n / 100) % 4 WHEN 0 THEN 'P1M' ELSE 'P1Y' END
                            WHEN n % 500 = 117 THEN 'P1Y'
                            WHEN n % 3 = 0 AND n % 7 <> 0 AND n % 50 <> 25 THEN 'P1M'
                            ELSE 'P1Y' END AS term,
                       CASE WHEN n % 100 = 50 THEN (n / 100) % 4 < 2
                            WHEN n % 500 = 117 THEN false
                            ELSE n % 7 <> 0 END AS auto_renew,
                       CASE WHEN n % 100 = 50 AND (n / 100) % 4 = 3 THEN 'suspended'
                            WHEN n % 100 = 50 OR n % 500 = 117 THEN 'active'
                            WHEN n % 20 = 0 THEN 'cancelled'
                            WHEN n % 50 = 25 THEN 'suspended'
                            ELSE 'active' END::multipartner.subscription_status AS status
                  FROM generate_series(1, :nsubs) n) g) h;

INSERT INTO multipartner.admin_relationship
       (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend,
        status, created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
SELECT md5('ar' || c)::uuid, md5('c' || c)::uuid, md5('p' || (2 + (c - 1) % (:npart - 1)))::uuid,
       'maint ' || c,
       ARRAY['29232cdf-9323-42fd-ade2-1d097af3e4de', '729827e3-9c14-49f7-bb1b-9608f156bbb8']::uuid[],
       interval '730 days',
       CASE WHEN c % 1000 = 5 THEN (c / 1000) % 4 = 1 ELSE c % 20 = 15 END,
       CASE WHEN pending THEN 'approval_pending' ELSE 'active' END::multipartner.admin_relationship_status,
       'bench_loader',
       CASE WHEN pending THEN now() - interval '5 days' ELSE now() - interval '102 days' END,
       CASE WHEN pending THEN now() - interval '5 days' ELSE now() - interval '101 days' END,
       CASE WHEN NOT pending THEN 'bench_loader' END,
       CASE WHEN NOT pending THEN now() - interval '100 days' END,
       CASE WHEN NOT pending THEN now() - interval '100 days' END,
       CASE WHEN NOT pending THEN now() - interval '100 days' + interval '730 days' END
  FROM (SELECT c, c % 1000 = 5 AND (c / 1000) % 4 = 2 AS pending
          FROM generate_series(5, :ncust, 10) c) g;

INSERT INTO multipartner.access_assignment
       (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles, status,
        created_by, created_at)
SELECT md5('aa' || ar.display_name)::uuid, ar.admin_relationship_id, ar.customer_id, ar.partner_id,
       'bench_op'::regrole, ar.roles, 'active', 'bench_loader', now() - interval '99 days'
  FROM multipartner.admin_relationship ar WHERE ar.status = 'active';

SELECT bench.triggers_restore();

-- the subscriptions, those whose effective state differs from the recorded
-- one (none: nothing is due), and what ends within 30 days (nothing)
SELECT 'maint_loaded', count(*),
       count(*) FILTER (WHERE multipartner.effective_status(s) <> s.status
                           OR multipartner.effective_commitment_end(s) <> s.commitment_end),
       (SELECT count(*) FROM multipartner.expiring)
  FROM multipartner.subscription s;
