-- check: multipartner.check(), the dry run, agrees with the real operation.
-- For each case of the rule suite (role, action, target, arguments), the
-- case runner pg_temp.agree() calls check() as that role, then performs the
-- real operation (the API call, or the UPDATE of the subscription) as the
-- same role and undoes it, and reports both:
--   'allowed <check.allowed>, sqlstate <check.sqlstate>, rule <check.rule>; operation <SQLSTATE>'
-- ('-' for NULL, 00000 for an operation that succeeded; an UPDATE that
-- matches no row the role can see is reported as 42704, what check() says
-- for it).  The expected text of each case states the answer and, with it,
-- that check() and the operation agree.  Then: check() leaves nothing
-- behind, its argument errors, and its named-argument form.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/fixtures_bypass.psql

-- More of the world, with fixed ids:
--   :r_pend   Office - Fabrikam  pending (requested now)
--   :r_decl   Azure  - Fabrikam  declined
--   :adatum_id  a customer with :r_adatum, Azure active, no subscription,
--               and :r_susp_adatum, Litware (suspended) active
--   :northwind_id  a customer with :r_stale, Office pending since 91 days
--   Gov - GovCust (:rel_gov_govcust) terminated
--   Litware :litware_id, suspended, with regress_litware_sa (sales_agent)
\set r_pend         '77777777-7777-4777-8777-000000000001'
\set r_decl         '77777777-7777-4777-8777-000000000002'
\set r_adatum       '77777777-7777-4777-8777-000000000003'
\set r_stale        '77777777-7777-4777-8777-000000000004'
\set r_susp_adatum  '77777777-7777-4777-8777-000000000005'
\set adatum_id      '33333333-3333-4333-8333-0000000000c1'
\set northwind_id   '33333333-3333-4333-8333-0000000000c2'
\set litware_id     '11111111-1111-4111-8111-0000000000c1'
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'adatum_id', '44444444-4444-4444-8444-0000000000c1', 'Adatum', 'commercial'),
    (:'northwind_id', '44444444-4444-4444-8444-0000000000c2', 'Northwind', 'commercial');
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (:'litware_id', 'Litware Reseller', 'commercial', '22222222-2222-4222-8222-0000000000c1');
CREATE ROLE regress_litware_sa NOLOGIN;
GRANT multipartner_partner_app TO regress_litware_sa;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_litware_sa', :'litware_id', 'sales_agent');
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_at) VALUES
    (:'r_pend', :'fabrikam_id', :'office_id', 'pending', now()),
    (:'r_decl', :'fabrikam_id', :'azure_id', 'pending', now()),
    (:'r_adatum', :'adatum_id', :'azure_id', 'active', now()),
    (:'r_susp_adatum', :'adatum_id', :'litware_id', 'active', now()),
    (:'r_stale', :'northwind_id', :'office_id', 'pending', now() - interval '91 days');
UPDATE multipartner.relationship SET status = 'declined' WHERE relationship_id = :'r_decl';
UPDATE multipartner.relationship SET status = 'terminated' WHERE relationship_id = :'rel_gov_govcust';
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'litware_id';
\i test/fixtures_done.psql

-- The case runner.  It keeps the session's plans (no DISCARD PLANS): the
-- cases run well past the fifth call, when PostgreSQL switches to generic
-- plans (see the block about repeated calls below).
CREATE FUNCTION pg_temp.agree(role name, acting uuid, action text, id uuid,
                              quantity integer, status text, por uuid, term text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c record;
    checked text;
    op text;
    n bigint;
    sql text;
    sets text[] := '{}';
BEGIN
    EXECUTE format('SET ROLE %I', role);
    PERFORM set_config('multipartner.acting_partner', coalesce(acting::text, ''), false);
    BEGIN
        SELECT * INTO c FROM multipartner.check(action, id, quantity => quantity, status => status,
                                                partner_of_record => por, term => term);
        checked := format('allowed %s, sqlstate %s, rule %s', c.allowed, coalesce(c.sqlstate, '-'), coalesce(c.rule, '-'));
    EXCEPTION WHEN OTHERS THEN
        checked := 'check() raised ' || SQLSTATE;
    END;
    -- the real operation, written here independently of check()
    IF action = 'update_subscription' THEN
        IF quantity IS NOT NULL THEN sets := sets || format('quantity = %s', quantity); END IF;
        IF status IS NOT NULL THEN sets := sets || format('status = %L', status); END IF;
        IF por IS NOT NULL THEN sets := sets || format('partner_of_record = %L', por); END IF;
        IF term IS NOT NULL THEN sets := sets || format('term = %L', term); END IF;
        sql := format('UPDATE multipartner.subscription SET %s WHERE subscription_id = %L',
                      array_to_string(sets, ', '), id);
    ELSIF action = 'cancel_subscription' THEN
        sql := format($q$UPDATE multipartner.subscription SET status = 'cancelled' WHERE subscription_id = %L$q$, id);
    ELSIF action = 'create_subscription' THEN
        sql := format($q$SELECT multipartner.create_subscription(%L, 'O365_E3', 'Microsoft 365', %s, %L, 'monthly')$q$,
                      id, coalesce(quantity, 1), coalesce(term, 'P1M'));
    ELSE
        sql := format('SELECT multipartner.%I(%L)', action, id);
    END IF;
    BEGIN
        EXECUTE sql;
        GET DIAGNOSTICS n = ROW_COUNT;
        op := CASE WHEN n = 0 THEN '42704' ELSE '00000' END;
        RAISE EXCEPTION 'undo the operation' USING ERRCODE = 'P0001';
    EXCEPTION WHEN OTHERS THEN
        IF op IS NULL THEN
            op := SQLSTATE;
        END IF;
    END;
    RESET ROLE;
    PERFORM set_config('multipartner.acting_partner', '', false);
    RETURN checked || '; operation ' || op;
END
$$;

CREATE TEMP TABLE cases (
    n integer PRIMARY KEY,
    role name NOT NULL,
    acting uuid,
    action text NOT NULL,
    id uuid,
    quantity integer,
    status text,
    por uuid,
    term text,
    e_allowed boolean NOT NULL,
    e_sqlstate text,
    e_rule text,
    description text NOT NULL
);
INSERT INTO cases VALUES
-- R2: who may request a relationship
( 1, 'regress_office_sa', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R2: a sales_agent may request'),
( 2, 'regress_office_uma', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R2: a user_management_admin may request'),
( 3, 'regress_office_hd', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: a helpdesk_agent may not request'),
( 4, 'regress_office_ba', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: a billing_admin may not request'),
( 5, 'regress_papp_nomember', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: a partner-app role of no partner may not request'),
( 6, 'regress_contoso_ga', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: a customer role may not request'),
( 7, 'regress_multi', NULL, 'request_relationship', :'adatum_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: a two-partner member that did not pick its partner may not request'),
( 8, 'regress_multi', :'azure_id', 'request_relationship', :'fabrikam_id', NULL, NULL, NULL, NULL, false, '42501', 'R2', 'R2: ... nor acting for Azure, where it is helpdesk_agent'),
-- R3: accept and decline
( 9, 'regress_fabrikam_ga', NULL, 'accept_relationship', :'r_pend', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: the customer''s global_admin may accept'),
(10, 'regress_fabrikam_ga', NULL, 'decline_relationship', :'r_pend', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: the customer''s global_admin may decline'),
(11, 'regress_operator', NULL, 'accept_relationship', :'r_pend', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: an operator may accept'),
(12, 'regress_office_ga', NULL, 'accept_relationship', :'r_pend', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: the requesting partner may not accept'),
(13, 'regress_contoso_reader', NULL, 'decline_relationship', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: the customer''s reader may not decline'),
(14, 'regress_bypass_customer', NULL, 'accept_relationship', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: another customer''s global_admin that sees it (BYPASSRLS) may not accept'),
(15, 'regress_contoso_ga', NULL, 'accept_relationship', :'r_pend', NULL, NULL, NULL, NULL, false, '42704', NULL, 'another customer''s request does not exist for a customer role'),
-- R3: revoke delegated admin
(16, 'regress_contoso_ga', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: the customer''s global_admin may revoke'),
(17, 'regress_office_ga', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: the partner''s global_admin may revoke'),
(18, 'regress_contoso_reader', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: the customer''s reader may not revoke'),
(19, 'regress_office_sa', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: the partner''s sales_agent may not revoke'),
(20, 'regress_bypass', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: another partner''s global_admin that sees it (BYPASSRLS) may not revoke'),
(21, 'regress_azure_ga', NULL, 'revoke_delegated_admin', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '42704', NULL, 'another partner''s relationship does not exist for a partner role'),
-- R3: terminate
(22, 'regress_azure_ga', NULL, 'terminate_relationship', :'r_adatum', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: the partner''s global_admin may terminate'),
(23, 'regress_operator', NULL, 'terminate_relationship', :'r_adatum', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R3: an operator may terminate'),
(24, 'regress_azure_sa', NULL, 'terminate_relationship', :'r_adatum', NULL, NULL, NULL, NULL, false, '42501', 'R3', 'R3: the partner''s sales_agent may not terminate'),
(25, 'regress_office_ga', NULL, 'terminate_relationship', :'r_adatum', NULL, NULL, NULL, NULL, false, '42704', NULL, 'another partner''s relationship cannot be terminated: it does not exist for it'),
-- R13
(26, 'regress_office_ga', NULL, 'terminate_relationship', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, 'MP009', 'R13', 'R13: not while the partner has live subscriptions there'),
(27, 'regress_azure_ga', NULL, 'terminate_relationship', :'rel_azure_contoso', NULL, NULL, NULL, NULL, false, 'MP009', 'R13', 'R13: ... for the other partner of the same customer too'),
-- R4: who may sell, and to whom
(28, 'regress_office_sa', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R4: a sales_agent sells on an active relationship'),
(29, 'regress_multi', :'office_id', 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R4: a two-partner member acting for Office sells'),
(30, 'regress_office_hd', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, false, '42501', 'R4', 'R4: a helpdesk_agent places no order'),
(31, 'regress_office_uma', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, false, '42501', 'R4', 'R4: a user_management_admin places no order'),
(32, 'regress_operator', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, false, '42501', 'R4', 'R4: an operator acts for no partner'),
(33, 'regress_contoso_ga', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, false, '42501', 'R4', 'R4: a customer role does not sell'),
(34, 'regress_multi', NULL, 'create_subscription', :'contoso_id', NULL, NULL, NULL, NULL, false, '42501', 'R4', 'R4: a two-partner member that did not pick its partner does not sell'),
(35, 'regress_office_sa', NULL, 'create_subscription', :'adatum_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R4: no relationship, no sale'),
(36, 'regress_office_sa', NULL, 'create_subscription', :'fabrikam_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R4: a pending relationship allows no sale'),
(37, 'regress_office_sa', NULL, 'create_subscription', :'unknown_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R4: a customer that does not exist has no relationship'),
-- R11
(38, 'regress_azure_sa', NULL, 'create_subscription', :'fabrikam_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R11: a declined relationship allows no sale'),
(39, 'regress_gov_sa', NULL, 'create_subscription', :'govcust_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R11: a terminated relationship allows no sale'),
(40, 'regress_office_sa', NULL, 'create_subscription', :'northwind_id', NULL, NULL, NULL, NULL, false, 'MP001', 'R4, R11', 'R11: an expired request allows no sale'),
-- R5
(41, 'regress_office_sa', NULL, 'update_subscription', :'sub_office', 11, NULL, NULL, NULL, true, NULL, NULL, 'R5: the partner of record''s sales_agent raises the quantity'),
(42, 'regress_operator', NULL, 'update_subscription', :'sub_azure', 2, NULL, NULL, NULL, true, NULL, NULL, 'R5: an operator updates any subscription'),
(43, 'regress_contoso_ga', NULL, 'update_subscription', :'sub_office', 11, NULL, NULL, NULL, false, 'MP002', 'R5', 'R5: the customer, who sees it, may not update it'),
(44, 'regress_bypass', NULL, 'update_subscription', :'sub_office', 11, NULL, NULL, NULL, false, 'MP002', 'R5', 'R5: another partner that sees it (BYPASSRLS) may not update it'),
(45, 'regress_office_hd', NULL, 'update_subscription', :'sub_office', 11, NULL, NULL, NULL, false, '42501', 'R4', 'R5: the partner of record''s helpdesk_agent changes no order'),
(46, 'regress_azure_ga', NULL, 'update_subscription', :'sub_office', 11, NULL, NULL, NULL, false, '42704', NULL, 'R5/§7: another partner''s subscription does not exist for a partner role'),
-- R6
(47, 'regress_office_ga', NULL, 'update_subscription', :'sub_office', NULL, NULL, :'azure_id', NULL, false, 'MP003', 'R6', 'R6: the partner of record cannot hand it to another partner'),
(48, 'regress_bypass', NULL, 'update_subscription', :'sub_office', NULL, NULL, :'azure_id', NULL, false, 'MP003', 'R6', 'R6: another partner that sees it (BYPASSRLS) cannot take it over'),
(49, 'regress_operator', NULL, 'update_subscription', :'sub_office', NULL, NULL, :'azure_id', NULL, false, 'MP003', 'R6', 'R6: not even an operator'),
-- R7
(50, 'regress_office_ga', NULL, 'update_subscription', :'sub_office', NULL, NULL, NULL, 'P3Y', false, 'MP004', 'R7', 'R7: the term never changes'),
(51, 'regress_office_ga', NULL, 'update_subscription', :'sub_office_old', 10, NULL, NULL, NULL, false, 'MP004', 'R7', 'R7: no lower quantity after 168 hours'),
(52, 'regress_office_ga', NULL, 'cancel_subscription', :'sub_office_old', NULL, NULL, NULL, NULL, false, 'MP004', 'R7', 'R7: no cancelling after 168 hours'),
(53, 'regress_operator', NULL, 'cancel_subscription', :'sub_office_old', NULL, NULL, NULL, NULL, false, 'MP004', 'R7', 'R7: ... not even by an operator'),
(54, 'regress_office_ga', NULL, 'update_subscription', :'sub_office_old', 25, NULL, NULL, NULL, true, NULL, NULL, 'R7: a higher quantity at any time'),
(55, 'regress_office_ga', NULL, 'update_subscription', :'sub_office', 5, NULL, NULL, NULL, true, NULL, NULL, 'R7: a lower quantity within 168 hours'),
(56, 'regress_office_ga', NULL, 'cancel_subscription', :'sub_office', NULL, NULL, NULL, NULL, true, NULL, NULL, 'R7: cancelling within 168 hours'),
(57, 'regress_office_ga', NULL, 'update_subscription', :'sub_office', NULL, 'expired', NULL, NULL, false, 'MP004', 'R7', 'R7: no expiry before the end of the commitment'),
(58, 'regress_office_ga', NULL, 'update_subscription', :'sub_office_done', NULL, 'expired', NULL, NULL, true, NULL, NULL, 'R7: expiry once the commitment has ended'),
-- R9
(59, 'regress_office_sa', NULL, 'request_relationship', :'govcust_id', NULL, NULL, NULL, NULL, false, 'MP006', 'R9', 'R9: a commercial partner asks a us_government customer'),
(60, 'regress_gov_ga', NULL, 'request_relationship', :'contoso_id', NULL, NULL, NULL, NULL, false, 'MP006', 'R9', 'R9: a us_government partner asks a commercial customer'),
-- the lifecycle (55000)
(61, 'regress_contoso_ga', NULL, 'decline_relationship', :'rel_office_contoso', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: an active relationship cannot be declined'),
(62, 'regress_office_ga', NULL, 'terminate_relationship', :'r_pend', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: a pending request cannot be terminated'),
(63, 'regress_office_ga', NULL, 'revoke_delegated_admin', :'r_pend', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: no revoking on a pending request'),
(64, 'regress_operator', NULL, 'accept_relationship', :'r_stale', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: a request older than 90 days cannot be accepted'),
(65, 'regress_fabrikam_ga', NULL, 'accept_relationship', :'r_decl', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: declined is final'),
(66, 'regress_litware_sa', NULL, 'create_subscription', :'adatum_id', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: a suspended partner does not sell'),
(67, 'regress_litware_sa', NULL, 'request_relationship', :'fabrikam_id', NULL, NULL, NULL, NULL, false, '55000', 'lifecycle', 'lifecycle: a suspended partner does not request'),
-- one open relationship per pair (23505)
(68, 'regress_office_sa', NULL, 'request_relationship', :'contoso_id', NULL, NULL, NULL, NULL, false, '23505', 'one open relationship per pair', 'duplicate: a request while the relationship is active'),
(69, 'regress_office_sa', NULL, 'request_relationship', :'fabrikam_id', NULL, NULL, NULL, NULL, false, '23505', 'one open relationship per pair', 'duplicate: a request while one is pending'),
-- unknown ids
(70, 'regress_contoso_ga', NULL, 'accept_relationship', :'unknown_id', NULL, NULL, NULL, NULL, false, '42704', NULL, 'unknown relationship: 42704'),
(71, 'regress_office_ga', NULL, 'terminate_relationship', :'unknown_id', NULL, NULL, NULL, NULL, false, '42704', NULL, 'unknown relationship to terminate: 42704'),
(72, 'regress_office_ga', NULL, 'update_subscription', :'unknown_id', 3, NULL, NULL, NULL, false, '42704', NULL, 'unknown subscription: 42704'),
(73, 'regress_office_ga', NULL, 'cancel_subscription', :'unknown_id', NULL, NULL, NULL, NULL, false, '42704', NULL, 'unknown subscription to cancel: 42704'),
(74, 'regress_office_sa', NULL, 'request_relationship', :'unknown_id', NULL, NULL, NULL, NULL, false, '23503', NULL, 'unknown customer to ask: the foreign key (23503), no rule'),
-- no rule: a value the table refuses
(75, 'regress_office_ga', NULL, 'update_subscription', :'sub_office', 0, NULL, NULL, NULL, false, '23514', NULL, 'a quantity of 0: the check constraint (23514), no rule');

SELECT plan(108);
-- every row of every table, as the superuser sees them
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
        SELECT 'partner ' || to_jsonb(x)::text AS t FROM multipartner.partner x
        UNION ALL SELECT 'customer ' || to_jsonb(x)::text FROM multipartner.customer x
        UNION ALL SELECT 'partner_member ' || to_jsonb(x)::text FROM multipartner.partner_member x
        UNION ALL SELECT 'customer_member ' || to_jsonb(x)::text FROM multipartner.customer_member x
        UNION ALL SELECT 'relationship ' || to_jsonb(x)::text FROM multipartner.relationship x
        UNION ALL SELECT 'subscription ' || to_jsonb(x)::text FROM multipartner.subscription x
        UNION ALL SELECT 'tenant ' || to_jsonb(x)::text FROM multipartner.tenant x
        UNION ALL SELECT 'audit_log ' || to_jsonb(x)::text FROM multipartner.audit_log x) s
$$;
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql AS $$
    SELECT format('partner %s, customer %s, partner_member %s, customer_member %s, relationship %s, subscription %s, tenant %s, audit_log %s',
                  (SELECT count(*) FROM multipartner.partner), (SELECT count(*) FROM multipartner.customer),
                  (SELECT count(*) FROM multipartner.partner_member), (SELECT count(*) FROM multipartner.customer_member),
                  (SELECT count(*) FROM multipartner.relationship), (SELECT count(*) FROM multipartner.subscription),
                  (SELECT count(*) FROM multipartner.tenant), (SELECT count(*) FROM multipartner.audit_log))
$$;
SELECT pg_temp.snapshot() AS snap_before_cases \gset

-- Each case is a statement of its own (\gexec over the case table, in its
-- order): on distributed tables (the Citus mode of the suite, README
-- "Running on Citus") every statement is a transaction, and Citus refuses a
-- query on a shard that another role wrote earlier in the same transaction
-- (25001), undone or not.
SELECT $$SELECT is(pg_temp.agree(c.role, c.acting, c.action, c.id, c.quantity, c.status, c.por, c.term),
          format('allowed %s, sqlstate %s, rule %s; operation %s', c.e_allowed, coalesce(c.e_sqlstate, '-'),
                 coalesce(c.e_rule, '-'), coalesce(c.e_sqlstate, '00000')),
          format('case %s, %s: %s', c.n, c.action, c.description))
  FROM cases c WHERE c.n = $$ || n
  FROM cases ORDER BY n \gexec
SELECT is(current_user::text, session_user::text, 'the case runner is back to the superuser');
SELECT is(pg_temp.snapshot(), :'snap_before_cases', 'the case table left nothing behind: every row of every table is as it was');

-------------------------------------------------------------------------------
-- Repeated calls in one session (a bug once): the relationship actions
-- used to share one kept plan, "SELECT CASE $2 WHEN 'accept' THEN
-- accept_relationship($1) ... END", whose generic plan (from the sixth
-- execution on) checks EXECUTE on all four API functions, which no partner
-- or customer role has.  Each action now has its own plan; seven calls in a
-- row stay allowed.
-------------------------------------------------------------------------------
SET ROLE regress_fabrikam_ga;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('accept_relationship', :'r_pend') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(accept_relationship) as the customer''s global_admin, seven times in a session: allowed every time');
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('decline_relationship', :'r_pend') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(decline_relationship) as the customer''s global_admin, seven times: allowed every time');
SET ROLE regress_contoso_ga;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('revoke_delegated_admin', :'rel_office_contoso') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(revoke_delegated_admin) as the customer''s global_admin, seven times: allowed every time');
SET ROLE regress_office_ga;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('revoke_delegated_admin', :'rel_office_contoso') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(revoke_delegated_admin) as the partner''s global_admin, seven times: allowed every time');
SET ROLE regress_azure_ga;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('terminate_relationship', :'r_adatum') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(terminate_relationship) as the partner''s global_admin, seven times: allowed every time');
SET ROLE regress_operator;
DISCARD PLANS;
SELECT is((SELECT string_agg(coalesce((c).sqlstate || ' ' || (c).message, 'ok'), ', ') FROM (SELECT multipartner.check('accept_relationship', :'r_pend') AS c FROM generate_series(1, 7)) s),
          'ok, ok, ok, ok, ok, ok, ok', 'check(accept_relationship) as an operator, seven times: allowed every time (operators may execute all four functions)');
RESET ROLE;
DISCARD PLANS;

-------------------------------------------------------------------------------
-- check() leaves nothing behind: not a row, not an audit row, not a change
-------------------------------------------------------------------------------
-- the snapshot after running sql as the superuser (undone before returning)
CREATE FUNCTION pg_temp.snapshot_after(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    snap text;
BEGIN
    BEGIN
        EXECUTE sql;
        snap := pg_temp.snapshot();
        RAISE EXCEPTION 'undo' USING ERRCODE = 'P0001';
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    RETURN snap;
END
$$;
SELECT pg_temp.snapshot() AS snap, pg_temp.counts() AS counts \gset
SELECT isnt(pg_temp.snapshot_after(format('SELECT multipartner.revoke_delegated_admin(%L)', :'rel_office_contoso')), :'snap',
    'the snapshot sees a real change (sanity check of the snapshot itself)');
SELECT is(pg_temp.snapshot(), :'snap', '... which the sanity check undid');

SET ROLE regress_office_sa;
SELECT ok((multipartner.check('create_subscription', :'contoso_id')).allowed, 'a check of a sale that would succeed ...');
SELECT ok((multipartner.check('request_relationship', :'adatum_id')).allowed, '... of a request that would succeed ...');
SELECT ok((multipartner.check('update_subscription', :'sub_office', quantity => 12, auto_renew => false)).allowed, '... of an update that would succeed ...');
SET ROLE regress_office_ga;
SELECT ok((multipartner.check('cancel_subscription', :'sub_office')).allowed, '... of a cancellation that would succeed ...');
SET ROLE regress_fabrikam_ga;
SELECT ok((multipartner.check('accept_relationship', :'r_pend')).allowed, '... of an acceptance that would succeed ...');
SET ROLE regress_contoso_ga;
SELECT ok((multipartner.check('revoke_delegated_admin', :'rel_office_contoso')).allowed, '... of a revocation that would succeed ...');
SET ROLE regress_azure_ga;
SELECT ok((multipartner.check('terminate_relationship', :'r_adatum')).allowed, '... and of a termination that would succeed ...');
RESET ROLE;
SELECT is(pg_temp.counts(), :'counts', '... leave the row count of every table, audit_log included, as it was');
SELECT is(pg_temp.snapshot(), :'snap', '... and every row of every table as it was');

-------------------------------------------------------------------------------
-- Arguments
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok(format($$SELECT * FROM multipartner.check('sell_everything', %L)$$, :'contoso_id'),
    '22023', 'unknown action "sell_everything"', 'an unknown action: 22023');
SELECT throws_ok(format($$SELECT * FROM multipartner.check(NULL, %L)$$, :'contoso_id'),
    '22004', 'action must not be null', 'a NULL action: 22004');
SELECT throws_ok($$SELECT * FROM multipartner.check('create_subscription')$$,
    '22004', 'create_subscription needs a customer_id', 'no id: 22004');
SELECT throws_ok($$SELECT * FROM multipartner.check('terminate_relationship', NULL)$$,
    '22004', 'terminate_relationship needs a relationship_id', 'a NULL id: 22004');
SELECT throws_ok(format($$SELECT * FROM multipartner.check('update_subscription', customer_id => %L, quantity => 3)$$, :'contoso_id'),
    '22004', 'update_subscription needs a subscription_id', 'a named id of the wrong kind is no id: 22004');
SELECT results_eq(format($$SELECT * FROM multipartner.check('create_subscription', customer_id => %L)$$, :'fabrikam_id'),
    format($$SELECT * FROM multipartner.check('create_subscription', %L)$$, :'fabrikam_id'),
    'named customer_id => works like the positional id (create_subscription, MP001)');
SELECT results_eq(format($$SELECT * FROM multipartner.check('update_subscription', subscription_id => %L, quantity => 10)$$, :'sub_office_old'),
    format($$SELECT * FROM multipartner.check('update_subscription', %L, quantity => 10)$$, :'sub_office_old'),
    'named subscription_id => works like the positional id (update_subscription, R7)');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate FROM multipartner.check('cancel_subscription', subscription_id => %L)$$, :'sub_office'),
    $$VALUES (true, NULL::text, NULL::text)$$,
    'named subscription_id => (cancel_subscription): allowed');
SELECT results_eq(format($$SELECT * FROM multipartner.check('terminate_relationship', relationship_id => %L)$$, :'rel_office_contoso'),
    format($$SELECT * FROM multipartner.check('terminate_relationship', %L)$$, :'rel_office_contoso'),
    'named relationship_id => works like the positional id (terminate_relationship, R13)');
SELECT results_eq(format($$SELECT * FROM multipartner.check('request_relationship', customer_id => %L)$$, :'govcust_id'),
    format($$SELECT * FROM multipartner.check('request_relationship', %L)$$, :'govcust_id'),
    'named customer_id => works like the positional id (request_relationship, R9)');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate FROM multipartner.check('create_subscription', %L, quantity => 2, term => 'P1Y', billing_cycle => 'annual')$$, :'contoso_id'),
    $$VALUES (true, NULL::text, NULL::text)$$,
    'create_subscription with quantity, term and billing_cycle: allowed');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate FROM multipartner.check('create_subscription', %L, term => 'P1M', billing_cycle => 'annual')$$, :'contoso_id'),
    $$VALUES (false, NULL::text, '23514')$$,
    'create_subscription with an annual cycle on a monthly term: the check constraint (23514), no rule');
SELECT results_eq(format($$SELECT allowed, rule, sqlstate, message, detail, hint FROM multipartner.check('update_subscription', %L, partner_of_record => %L)$$, :'sub_office', :'azure_id'),
    format($$VALUES (false, 'R6', 'MP003', 'cannot change column "partner_of_record" of subscription %s',
                     'A subscription never moves to another partner of record or another customer.',
                     'Cancel it within its cancellation window and let the other partner sell a new one.')$$, :'sub_office'),
    'check() returns the operation''s own message, detail and hint');
SET ROLE regress_nobody;
SELECT throws_ok(format($$SELECT * FROM multipartner.check('create_subscription', %L)$$, :'contoso_id'),
    '42501', NULL, 'a role with no grant may not call check()');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
