-- t/sql/invariants.sql: global invariants of a multipartner database,
-- one line each, "ok" or a description of what is broken.  Run as a superuser.
-- t/001_crash_restart.pl checks them after a crash, the randomized driver
-- test/sql/random_ops.sql after its run.
-- (the moment of a sale is its INSERT, which for history an operator loaded
-- is later than its created_at)
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' subscriptions sold without an active relationship at that moment' END
  FROM multipartner.subscription s
  CROSS JOIN LATERAL (SELECT min(a.at) AS at FROM multipartner.audit_log a
                       WHERE a.table_name = 'subscription' AND a.row_id = s.subscription_id::text
                         AND a.operation = 'INSERT') sold
 WHERE NOT EXISTS (SELECT FROM multipartner.relationship r
                    WHERE r.customer_id = s.customer_id AND r.partner_id = s.partner_of_record
                      AND r.decided_at <= coalesce(sold.at, s.created_at)
                      AND (r.status = 'active' OR (r.status = 'terminated' AND r.ended_at >= coalesce(sold.at, s.created_at))));
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' rows without their INSERT audit row' END
  FROM (SELECT 'subscription' AS t, subscription_id::text AS id FROM multipartner.subscription
        UNION ALL SELECT 'relationship', relationship_id::text FROM multipartner.relationship
        UNION ALL SELECT 'customer', customer_id::text FROM multipartner.customer
        UNION ALL SELECT 'partner', partner_id::text FROM multipartner.partner) x
 WHERE NOT EXISTS (SELECT FROM multipartner.audit_log a
                    WHERE a.table_name = x.t AND a.row_id = x.id AND a.operation = 'INSERT');
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' audit rows describe a row that is not there' END
  FROM multipartner.audit_log a
 WHERE a.table_name = 'subscription' AND a.operation = 'INSERT'
   AND NOT EXISTS (SELECT FROM multipartner.subscription s WHERE s.subscription_id::text = a.row_id);
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' subscriptions whose partner of record changed' END
  FROM multipartner.audit_log a
 WHERE a.table_name = 'subscription' AND a.operation = 'UPDATE'
   AND (a.old_row->>'partner_of_record' IS DISTINCT FROM a.new_row->>'partner_of_record'
        OR a.old_row->>'customer_id' IS DISTINCT FROM a.new_row->>'customer_id');
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' subscriptions whose terms changed' END
  FROM multipartner.audit_log a
 WHERE a.table_name = 'subscription' AND a.operation = 'UPDATE'
   AND (a.old_row->>'offer_id', a.old_row->>'term', a.old_row->>'billing_cycle', a.old_row->>'created_at')
       IS DISTINCT FROM
       (a.new_row->>'offer_id', a.new_row->>'term', a.new_row->>'billing_cycle', a.new_row->>'created_at');
-- (since 0.8 a renewal moves term_start and commitment_end, forward only: the
-- new term starts at or after the old one's end)
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' subscriptions whose term moved but not by a renewal' END
  FROM multipartner.audit_log a
 WHERE a.table_name = 'subscription' AND a.operation = 'UPDATE'
   AND (a.old_row->>'term_start', a.old_row->>'commitment_end')
       IS DISTINCT FROM (a.new_row->>'term_start', a.new_row->>'commitment_end')
   AND NOT ((a.new_row->>'term_start')::timestamptz >= (a.old_row->>'commitment_end')::timestamptz
            AND (a.new_row->>'commitment_end')::timestamptz > (a.new_row->>'term_start')::timestamptz);
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' CSP tenants that are customers' END
  FROM multipartner.partner p JOIN multipartner.customer c ON c.tenant_id = p.csp_tenant_id;
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' relationships across clouds' END
  FROM multipartner.relationship r
  JOIN multipartner.partner p USING (partner_id) JOIN multipartner.customer c USING (customer_id)
 WHERE p.cloud <> c.cloud;
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' pairs with more than one open relationship' END
  FROM (SELECT customer_id, partner_id FROM multipartner.relationship
         WHERE status IN ('pending', 'active') GROUP BY 1, 2 HAVING count(*) > 1) x;
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' terminated relationships with live subscriptions' END
  FROM multipartner.relationship r
 WHERE r.status = 'terminated'
   AND EXISTS (SELECT FROM multipartner.subscription s
                WHERE s.customer_id = r.customer_id AND s.partner_of_record = r.partner_id
                  AND s.status IN ('active', 'suspended')
                  AND NOT EXISTS (SELECT FROM multipartner.relationship r2
                                   WHERE r2.customer_id = r.customer_id AND r2.partner_id = r.partner_id
                                     AND r2.status = 'active'));
SELECT CASE WHEN count(*) = 0 THEN 'ok' ELSE count(*) || ' tenant registry rows out of step' END
  FROM (SELECT tenant_id FROM multipartner.tenant
        EXCEPT ALL (SELECT tenant_id FROM multipartner.customer UNION ALL SELECT csp_tenant_id FROM multipartner.partner)) x;
