\i test/setup.psql
-- clock: every time rule and every record stamp is judged at the start of
-- the statement, not of its transaction (issue 10, item 4), so a
-- transaction held open neither stretches the 168-hour cancellation window
-- or the 90-day request lifetime, nor backdates a sale or a record.
--
-- The whole file is one transaction (test/setup.psql).  Rows are loaded by
-- the superuser at offsets from now() (the transaction's start) that put
-- them just inside a window at BEGIN; one pg_sleep(0.6) then puts every
-- later statement at least 0.6 s after now(), past those edges.  Every
-- assertion compares timestamps (a stamp with statement_timestamp() of its
-- own statement, captured with \gset or by pg_temp.at() in the same
-- statement, and with now()); none depends on how long anything took.
\i test/fixtures.psql
SET LOCAL TimeZone = 'UTC';

-- Run sql as the current role; return the start of this statement (which is
-- also the start of sql's own statement: it runs inside this one).
CREATE FUNCTION pg_temp.at(sql text) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN statement_timestamp();
END
$$;

\set sub_edge      '66666666-6666-4666-8666-0000000000e1'
\set sub_inside    '66666666-6666-4666-8666-0000000000e2'
\set sub_ending    '66666666-6666-4666-8666-0000000000e3'
\set sub_dml       '66666666-6666-4666-8666-0000000000e4'
\set sub_renewing  '66666666-6666-4666-8666-0000000000e5'
\set rel_stale1    '77777777-7777-4777-8777-0000000000e1'
\set rel_stale2    '77777777-7777-4777-8777-0000000000e2'
\set c_direct      '33333333-3333-4333-8333-0000000000e1'
\set c_forged      '33333333-3333-4333-8333-0000000000e2'
\set c_operator    '33333333-3333-4333-8333-0000000000e3'
\set c_true        '33333333-3333-4333-8333-0000000000e4'
\set c_req         '33333333-3333-4333-8333-0000000000e6'

SELECT plan(46);

-- Office sells to Contoso; Tailspin (Fabrikam's global_admin runs it too)
-- is asked below.
INSERT INTO multipartner.relationship (customer_id, partner_id, status)
VALUES (:'contoso_id', :'office_id', 'active');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES (:'c_req', '44444444-4444-4444-8444-0000000000e6', 'Tailspin', 'commercial');
INSERT INTO multipartner.customer_member (member, customer_id, role)
VALUES ('regress_fabrikam_ga', :'c_req', 'global_admin');

-- Loaded by the superuser (an operator may load history), at BEGIN:
--   sub_edge:   bought 168 hours minus 0.5 s before BEGIN: cancellable at BEGIN only
--   sub_inside: bought 167 hours before BEGIN: cancellable all along
--   sub_ending: its commitment ends 0.3 s after BEGIN (P1M, or P1Y when the
--               month before that instant has no such day: created_at + term
--               must land on it exactly), without auto_renew
--   sub_renewing: the same term, with auto_renew (the default)
--   rel_stale1/2: pending requests made 90 days minus 0.5 s before BEGIN
SELECT now() + interval '0.3 seconds' AS ending_at,
       CASE WHEN (now() + interval '0.3 seconds' - interval '1 month') + interval '1 month'
                 = now() + interval '0.3 seconds'
            THEN 'P1M' ELSE 'P1Y' END AS ending_term \gset
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at)
VALUES
    (:'sub_edge', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly',
     now() - interval '168 hours' + interval '0.5 seconds'),
    (:'sub_inside', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly',
     now() - interval '167 hours'),
    (:'sub_renewing', :'contoso_id', :'office_id', 'O365_E1', 'Microsoft 365', 3, :'ending_term', 'monthly',
     :'ending_at'::timestamptz - CASE :'ending_term' WHEN 'P1M' THEN interval '1 month' ELSE interval '1 year' END);
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, created_at, auto_renew)
VALUES
    (:'sub_ending', :'contoso_id', :'office_id', 'O365_E1', 'Microsoft 365', 3, :'ending_term', 'monthly',
     :'ending_at'::timestamptz - CASE :'ending_term' WHEN 'P1M' THEN interval '1 month' ELSE interval '1 year' END,
     false);
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, requested_at) VALUES
    (:'rel_stale1', :'fabrikam_id', :'office_id', now() - interval '90 days' + interval '0.5 seconds'),
    (:'rel_stale2', :'fabrikam_id', :'azure_id', now() - interval '90 days' + interval '0.5 seconds');

SELECT ok((SELECT now() < created_at + interval '168 hours' FROM multipartner.subscription
            WHERE subscription_id = :'sub_edge'),
          'at the transaction''s start sub_edge is inside its 168-hour window');
SELECT is((SELECT commitment_end FROM multipartner.subscription WHERE subscription_id = :'sub_ending'),
          :'ending_at'::timestamptz, 'sub_ending''s commitment ends 0.3 s after the transaction''s start');
SELECT is((SELECT array_agg(multipartner.effective_status(r) ORDER BY r.relationship_id::text)::text
             FROM multipartner.relationship r WHERE r.relationship_id IN (:'rel_stale1', :'rel_stale2')),
          '{pending,pending}', 'at the transaction''s start both requests are younger than 90 days');

-- The transaction stays open.
SELECT pg_sleep(0.6) \gset
SELECT ok(statement_timestamp() >= now() + interval '0.6 seconds',
          'a later statement of the transaction starts at least 0.6 s after it');

-------------------------------------------------------------------------------
-- R7: the 168-hour window, at the statement's time
-------------------------------------------------------------------------------
SELECT ok((SELECT statement_timestamp() >= created_at + interval '168 hours' FROM multipartner.subscription
            WHERE subscription_id = :'sub_edge'),
          'at this statement sub_edge is past its 168-hour window');
SET ROLE regress_office_sa;
SELECT throws_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'cancelled', :'sub_edge'),
                 'MP004', format('cannot cancel subscription %s', :'sub_edge'),
                 'R7: a transaction that began inside the window cannot cancel after it (MP004)');
SELECT throws_ok(format('UPDATE multipartner.subscription SET quantity = 5 WHERE subscription_id = %L', :'sub_edge'),
                 'MP004', format('cannot lower the quantity of subscription %s', :'sub_edge'),
                 'R7: ... nor lower the quantity (MP004)');
SELECT lives_ok(format('UPDATE multipartner.subscription SET quantity = 11 WHERE subscription_id = %L', :'sub_edge'),
                'R7: raising the quantity is still allowed');
SELECT lives_ok(format('UPDATE multipartner.subscription SET quantity = 5 WHERE subscription_id = %L', :'sub_inside'),
                'R7: inside the window the quantity may be lowered');
SELECT lives_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'cancelled', :'sub_inside'),
                'R7: inside the window a subscription may be cancelled');
RESET ROLE;
SELECT is((SELECT array_agg((quantity, status)::text ORDER BY subscription_id)
             FROM multipartner.subscription WHERE subscription_id IN (:'sub_edge', :'sub_inside')),
          ARRAY['(11,active)', '(5,cancelled)'], 'sub_edge raised and active, sub_inside lowered and cancelled');
-- the superuser is held to the same window
SELECT throws_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'cancelled', :'sub_edge'),
                 'MP004', NULL, 'R7: the superuser cannot cancel past the window either (MP004)');

-------------------------------------------------------------------------------
-- R7: expired only once commitment_end has passed, at the statement's time
-------------------------------------------------------------------------------
SELECT ok((SELECT now() < commitment_end AND statement_timestamp() > commitment_end
             FROM multipartner.subscription WHERE subscription_id = :'sub_ending'),
          'sub_ending''s commitment had not ended at the transaction''s start and has at this statement');
SET ROLE regress_office_sa;
SELECT lives_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'expired', :'sub_ending'),
                'R7: a subscription whose commitment ended during the transaction may be marked expired');
SELECT throws_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'expired', :'sub_edge'),
                 'MP004', format('cannot expire subscription %s before the end of its commitment', :'sub_edge'),
                 'R7: one whose commitment runs on may not (MP004)');
RESET ROLE;

-------------------------------------------------------------------------------
-- SPEC §10: a renewal at the statement's time, whether or not recorded
-------------------------------------------------------------------------------
SELECT is((SELECT (s.status, s.term_start = s.created_at, s.commitment_end = :'ending_at'::timestamptz)::text
             FROM multipartner.subscription s WHERE subscription_id = :'sub_renewing'),
          '(active,t,t)', 'sub_renewing is recorded in its first term, which ended during the transaction');
SELECT is((SELECT (multipartner.effective_status(s), multipartner.effective_term_start(s) = :'ending_at'::timestamptz,
                   multipartner.effective_commitment_end(s) = multipartner.effective_term_start(s) + s.term::interval)::text
             FROM multipartner.subscription s WHERE subscription_id = :'sub_renewing'),
          '(active,t,t)', 'at this statement it has renewed: its second term starts at the first one''s end');
SET ROLE regress_office_sa;
SELECT lives_ok(format('UPDATE multipartner.subscription SET quantity = 2 WHERE subscription_id = %L', :'sub_renewing'),
                'R7: the 168-hour window starts again with the renewal: the quantity may be lowered');
SELECT throws_ok(format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L', 'expired', :'sub_renewing'),
                 'MP004', format('cannot expire subscription %s before the end of its commitment', :'sub_renewing'),
                 'R7: a renewed subscription does not expire at its old end (MP004)');
RESET ROLE;
SELECT is((SELECT (s.quantity, s.term_start = :'ending_at'::timestamptz)::text
             FROM multipartner.subscription s WHERE subscription_id = :'sub_renewing'),
          '(2,t)', 'the write recorded the renewal with it (term_start moved to the old end)');

-------------------------------------------------------------------------------
-- The 90-day request lifetime, at the statement's time
-------------------------------------------------------------------------------
SELECT is((SELECT array_agg(multipartner.effective_status(r) ORDER BY r.relationship_id::text)::text
             FROM multipartner.relationship r WHERE r.relationship_id IN (:'rel_stale1', :'rel_stale2')),
          '{expired,expired}', 'effective_status(): at this statement both requests read as expired');
SET ROLE regress_fabrikam_ga;
SELECT throws_ok(format('SELECT multipartner.accept_relationship(%L)', :'rel_stale1'),
                 '55000', format('relationship request %s has expired', :'rel_stale1'),
                 'a request that expired while the transaction was open cannot be accepted (55000)');
SELECT throws_ok(format('SELECT multipartner.decline_relationship(%L)', :'rel_stale2'),
                 '55000', NULL, '... nor declined (55000)');
SET ROLE regress_office_sa;
SELECT throws_ok(format($$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')$$, :'fabrikam_id'),
                 'MP001', NULL, 'no sale on it (MP001)');
RESET ROLE;
SELECT multipartner.expire_relationships() AS n_expired, statement_timestamp() AS expired_at \gset
SELECT is(:'n_expired'::bigint, 2::bigint, 'expire_relationships() expires both requests');
SELECT is((SELECT array_agg((status, ended_at = :'expired_at')::text ORDER BY relationship_id::text)
             FROM multipartner.relationship WHERE relationship_id IN (:'rel_stale1', :'rel_stale2')),
          ARRAY['(expired,t)', '(expired,t)'],
          '... expired, ended_at the start of the expire_relationships() statement');

-------------------------------------------------------------------------------
-- The record stamps: the start of the statement that wrote them
-------------------------------------------------------------------------------
-- a sale through the API
SET ROLE regress_office_sa;
SELECT multipartner.create_subscription(:'contoso_id', 'O365_E3', 'Microsoft 365', 4, 'P1M', 'monthly') AS sub_api,
       statement_timestamp() AS sub_api_at \gset
RESET ROLE;
SELECT is((SELECT created_at FROM multipartner.subscription WHERE subscription_id = :'sub_api'),
          :'sub_api_at'::timestamptz, 'a sale''s created_at is the start of its statement');
SELECT ok(:'sub_api_at'::timestamptz > now(), '... which is after the transaction''s start');
SELECT is((SELECT commitment_end FROM multipartner.subscription WHERE subscription_id = :'sub_api'),
          ((:'sub_api_at'::timestamptz AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC',
          '... and anchors commitment_end');
-- a sale by direct INSERT
SET ROLE regress_office_sa;
INSERT INTO multipartner.subscription (subscription_id, customer_id, offer_id, product_family, quantity, term, billing_cycle)
VALUES (:'sub_dml', :'contoso_id', 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly')
RETURNING created_at = statement_timestamp() AS dml_is_stmt, created_at > now() AS dml_after_begin \gset
SELECT ok(:'dml_is_stmt'::boolean AND :'dml_after_begin'::boolean,
          'a direct INSERT''s created_at is the start of its statement, after the transaction''s start');
-- the transaction's start is a backdated sale
SELECT throws_ok(format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, created_at)
                          VALUES (%L, 'O365_E3', 'Microsoft 365', 2, 'P1M', 'monthly', now())$$, :'contoso_id'),
                 '428C9', 'column "created_at" must be the time of the sale',
                 'a partner cannot date a sale at its transaction''s start (428C9)');
RESET ROLE;

-- request, accept, terminate
SET ROLE regress_office_ga;
SELECT multipartner.request_relationship(:'c_req') AS rel_new, statement_timestamp() AS requested_at \gset
SET ROLE regress_fabrikam_ga;
SELECT multipartner.accept_relationship(:'rel_new') AS ignored, statement_timestamp() AS decided_at \gset
SET ROLE regress_office_ga;
SELECT multipartner.terminate_relationship(:'rel_new') AS ignored, statement_timestamp() AS ended_at \gset
RESET ROLE;
SELECT is((SELECT (requested_at = :'requested_at', decided_at = :'decided_at', ended_at = :'ended_at')::text
             FROM multipartner.relationship WHERE relationship_id = :'rel_new'),
          '(t,t,t)', 'requested_at, decided_at and ended_at are the starts of the request, accept and terminate statements');
SELECT ok(:'requested_at'::timestamptz > now() AND :'decided_at'::timestamptz > :'requested_at'::timestamptz
          AND :'ended_at'::timestamptz > :'decided_at'::timestamptz,
          '... each after the one before, all after the transaction''s start');
-- a partner's direct request: the transaction's start is refused
SET ROLE regress_azure_ga;
SELECT throws_ok(format('INSERT INTO multipartner.relationship (customer_id, requested_at) VALUES (%L, now())', :'contoso_id'),
                 '428C9', 'column "requested_at" must be the time of the request',
                 'a partner cannot date a request at its transaction''s start (428C9)');
SELECT pg_temp.at(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'fabrikam_id')) AS direct_req_at \gset
RESET ROLE;
SELECT is((SELECT requested_at FROM multipartner.relationship
            WHERE customer_id = :'fabrikam_id' AND partner_id = :'azure_id' AND status = 'pending'),
          :'direct_req_at'::timestamptz, 'a partner''s direct request is stamped with the start of its statement');

-------------------------------------------------------------------------------
-- customer.created_at: stamped like the other record columns
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT multipartner.create_customer('44444444-4444-4444-8444-0000000000e5', 'API Customer', 'commercial') AS c_api,
       statement_timestamp() AS c_api_at \gset
RESET ROLE;
SELECT is((SELECT (c.created_at = :'c_api_at', r.requested_at = :'c_api_at', r.decided_at = :'c_api_at')::text
             FROM multipartner.customer c JOIN multipartner.relationship r USING (customer_id)
            WHERE c.customer_id = :'c_api'),
          '(t,t,t)', 'create_customer(): the customer''s created_at and its relationship''s stamps are the start of the statement');
SET ROLE regress_office_sa;
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at) VALUES (%L, %L, %L, %L, %L)',
                        :'c_forged', '44444444-4444-4444-8444-0000000000e2', 'Forged', 'commercial', '2020-01-01 00:00:00+00'),
                 '428C9', 'column "created_at" must be the time the customer is created',
                 'a partner cannot backdate a customer''s created_at (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at) VALUES (%L, %L, %L, %L, now())',
                        :'c_forged', '44444444-4444-4444-8444-0000000000e2', 'Forged', 'commercial'),
                 '428C9', NULL, '... nor date it at its transaction''s start (428C9)');
SELECT throws_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at) VALUES (%L, %L, %L, %L, %L)',
                        :'c_forged', '44444444-4444-4444-8444-0000000000e2', 'Forged', 'commercial', '2099-01-01 00:00:00+00'),
                 '428C9', NULL, '... nor date it in the future (428C9)');
SELECT pg_temp.at(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                         :'c_direct', '44444444-4444-4444-8444-0000000000e1', 'Direct', 'commercial')) AS c_direct_at \gset
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at) VALUES (%L, %L, %L, %L, statement_timestamp())',
                       :'c_true', '44444444-4444-4444-8444-0000000000e4', 'True Time', 'commercial'),
                'a partner may name created_at with its true value, the start of the statement');
-- (their relationships, so that the transaction could commit)
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id, status) VALUES (%L, %L), (%L, %L)',
                       :'c_direct', 'active', :'c_true', 'active'),
                '... and the relationships with them');
RESET ROLE;
SELECT is((SELECT created_at FROM multipartner.customer WHERE customer_id = :'c_direct'), :'c_direct_at'::timestamptz,
          'a customer a partner inserts directly is created at the start of the statement');
SELECT ok(:'c_direct_at'::timestamptz > now(), '... which is after the transaction''s start');
SELECT is((SELECT count(*)::int FROM multipartner.customer WHERE customer_id = :'c_forged'), 0,
          'the forged customer was not created');
SET ROLE regress_operator;
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud, created_at) VALUES (%L, %L, %L, %L, %L)',
                       :'c_operator', '44444444-4444-4444-8444-0000000000e3', 'Imported', 'commercial', '2020-01-01 00:00:00+00'),
                'an operator may load a customer''s historical created_at');
RESET ROLE;
SELECT is((SELECT created_at FROM multipartner.customer WHERE customer_id = :'c_operator'),
          '2020-01-01 00:00:00+00'::timestamptz, '... and it is kept');

SELECT * FROM finish();
ROLLBACK;
