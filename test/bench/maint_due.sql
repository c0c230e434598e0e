/*
 * test/bench/maint_due.sql: makes the rows maint_data.sql marked due, the way
 * an operator's import of past rows would (superuser, triggers off, the
 * tenant registry untouched): the same rows and the same table size as in
 * the run with nothing due, only their times moved.  psql variables: nsubs,
 * ncust.
 *   subscriptions n % 100 = 50 (1%): past commitment_end.  P1M ones created
 *       95 days ago (three terms elapsed: one renewal records the third);
 *       P1Y ones a year and 10 days ago.  Half renew (auto_renew), a quarter
 *       expire without auto_renew, a quarter expire suspended.
 *   subscriptions n % 500 = 117 (0.2%): end in 1 to 29 days without
 *       auto_renew: the 30-day notice, and the 7- and 1-day ones when that
 *       near (only the nearest is sent).
 *   admin relationships c % 1000 = 5: end_at 3 days ago (expired, or
 *       extended by 180 days with auto_extend), approval_pending 95 days, or
 *       end_at in 1 to 28 days (notices).
 *   relationship requests of c % 200 = 1: 91 days old (expired).
 */
\set ON_ERROR_STOP 1
\timing off

SELECT bench.triggers_off(ARRAY[
    'multipartner.relationship', 'multipartner.subscription',
    'multipartner.admin_relationship', 'multipartner.access_assignment']::regclass[]);

UPDATE multipartner.subscription s
   SET created_at = x.at, term_start = x.at,
       commitment_end = x.at + CASE s.term WHEN 'P1M' THEN interval '1 month' ELSE interval '1 year' END
  FROM (SELECT md5('s' || n)::uuid AS id,
               now() - (n % 86400) * interval '1 second'
                 - CASE (n / 100) % 4 WHEN 0 THEN interval '95 days' ELSE interval '1 year 10 days' END AS at
          FROM generate_series(50, :nsubs, 100) n
        UNION ALL
        SELECT md5('s' || n)::uuid,
               now() - interval '1 year' + (1 + n % 28) * interval '1 day' - (n % 3600) * interval '1 second'
          FROM generate_series(117, :nsubs, 500) n) x
 WHERE s.subscription_id = x.id;

UPDATE multipartner.admin_relationship ar
   SET created_at = x.at - interval '2 days', requested_at = x.at - interval '1 day',
       decided_at = x.at, activated_at = x.at, end_at = x.at + interval '730 days'
  FROM (SELECT c, now() - interval '733 days' - (c % 86400) * interval '1 second' AS at
          FROM generate_series(5, :ncust, 1000) c WHERE (c / 1000) % 4 IN (0, 1)
        UNION ALL
        SELECT c, now() - interval '730 days' + (1 + c % 28) * interval '1 day'
          FROM generate_series(5, :ncust, 1000) c WHERE (c / 1000) % 4 = 3) x
 WHERE ar.customer_id = md5('c' || x.c)::uuid AND ar.admin_relationship_id = md5('ar' || x.c)::uuid;
UPDATE multipartner.admin_relationship ar
   SET created_at = now() - interval '95 days', requested_at = now() - interval '95 days'
  FROM generate_series(5, :ncust, 1000) c
 WHERE (c / 1000) % 4 = 2
   AND ar.customer_id = md5('c' || c)::uuid AND ar.admin_relationship_id = md5('ar' || c)::uuid;

UPDATE multipartner.relationship r
   SET requested_at = now() - interval '91 days' - (c % 86400) * interval '1 second'
  FROM generate_series(1, :ncust, 200) c
 WHERE r.relationship_id = md5('r2-' || c)::uuid;

SELECT bench.triggers_restore();
