\i test/setup.psql
-- locks: no application role can stall other tenants.  LOCK TABLE in a mode
-- that conflicts with what tenants' reads and writes take (SHARE UPDATE
-- EXCLUSIVE and stronger) is refused with 42501 for every application role
-- on every table and view of the extension: since 0.4 they hold UPDATE
-- column by column (which UPDATE and SELECT ... FOR UPDATE accept and LOCK
-- TABLE does not) and no DELETE.  Operators keep whole-table privileges.
-- Row locks stay where row security puts them: a role locks only rows it
-- sees (test/specs/row_lock_stall.spec shows whom that stalls).
\i test/fixtures.psql
\i test/fixtures_subscription.psql

SELECT plan(230);

CREATE FUNCTION pg_temp.lock_result(rel text, mode text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('LOCK TABLE %s IN %s MODE', rel, mode);
    RETURN 'locked';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

-- every application role (partner roles of every kind, customer roles of
-- every kind, an application role of no partner), every relation, every
-- strong mode: refused
SELECT is(pg_temp.lock_result(rel, mode), '42501',
          format('%s: LOCK %s IN %s MODE refused', who, rel, mode))
  FROM unnest(ARRAY['regress_office_ga', 'regress_office_hd', 'regress_azure_ba',
                    'regress_contoso_ga', 'regress_contoso_reader', 'regress_papp_nomember']) who,
       unnest(ARRAY['multipartner.subscription', 'multipartner.relationship',
                    'multipartner.customer', 'multipartner.partner',
                    'multipartner.audit_log', 'multipartner.customer_partners',
                    'multipartner.subscriptions_by_partner']) rel,
       unnest(ARRAY['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE',
                    'SHARE UPDATE EXCLUSIVE']) mode,
       LATERAL (SELECT set_config('role', who, true)) s
 ORDER BY who, rel, mode;
RESET ROLE;

-- the member tables, the tenant registry: refused too (one mode is enough:
-- the applications have SELECT at most there)
SELECT is(pg_temp.lock_result(rel, 'ACCESS EXCLUSIVE'), '42501',
          format('%s: LOCK %s IN ACCESS EXCLUSIVE MODE refused', who, rel))
  FROM unnest(ARRAY['regress_office_ga', 'regress_contoso_ga']) who,
       unnest(ARRAY['multipartner.partner_member', 'multipartner.customer_member',
                    'multipartner.tenant']) rel,
       LATERAL (SELECT set_config('role', who, true)) s
 ORDER BY who, rel;
RESET ROLE;

-- modes no tenant's read or write waits for stay as PostgreSQL gives them:
-- ACCESS SHARE (what a SELECT takes) with SELECT
SET ROLE regress_office_hd;
SELECT is(pg_temp.lock_result('multipartner.subscription', 'ACCESS SHARE'), 'locked',
          'partner helpdesk: LOCK subscription IN ACCESS SHARE MODE (what a SELECT takes) is allowed');
SET ROLE regress_contoso_reader;
SELECT is(pg_temp.lock_result('multipartner.relationship', 'ACCESS SHARE'), 'locked',
          'customer reader: LOCK relationship IN ACCESS SHARE MODE is allowed');
RESET ROLE;

-- operators run the platform: whole-table privileges, LOCK allowed
SET ROLE regress_operator;
SELECT is(pg_temp.lock_result('multipartner.subscription', 'ACCESS EXCLUSIVE'), 'locked',
          'operator: LOCK subscription IN ACCESS EXCLUSIVE MODE is allowed');
SELECT is(pg_temp.lock_result('multipartner.relationship', 'SHARE'), 'locked',
          'operator: LOCK relationship IN SHARE MODE is allowed');
RESET ROLE;

-- what the column grants still let through: UPDATE with the rules' own
-- answers, SELECT ... FOR UPDATE of the rows the role sees
SET ROLE regress_office_sa;
SELECT lives_ok(format($$UPDATE multipartner.subscription SET quantity = 11 WHERE subscription_id = %L$$, :'sub_office'),
                'partner: UPDATE of its subscription still works');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L$$, :'azure_id', :'sub_office'),
                 'MP003', NULL, 'partner: a refused column change still carries the rule''s SQLSTATE (MP003)');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET offer_id = 'X' WHERE subscription_id = %L$$, :'sub_office'),
                 'MP004', NULL, 'partner: changing the terms still carries MP004');
SELECT is((SELECT count(*)::int FROM (SELECT 1 FROM multipartner.subscription FOR UPDATE) s), 3,
          'partner: SELECT ... FOR UPDATE locks only its own subscriptions (3)');
SELECT throws_ok(format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', :'sub_office'),
                 '42501', NULL, 'partner: DELETE of a subscription is refused by the privilege check (R10)');
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rel_office_contoso'),
                 '42501', NULL, 'partner: DELETE of a relationship is refused by the privilege check (R10)');
RESET ROLE;

SET ROLE regress_contoso_ga;
SELECT is((SELECT count(*)::int FROM (SELECT 1 FROM multipartner.relationship FOR UPDATE) s), 2,
          'customer: SELECT ... FOR UPDATE locks only its own relationships (2)');
SELECT throws_ok(format($$UPDATE multipartner.subscription SET quantity = 12 WHERE subscription_id = %L$$, :'sub_office'),
                 'MP002', NULL, 'customer: UPDATE of a subscription still answers R5 (MP002)');
SELECT throws_ok(format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', :'rel_office_contoso'),
                 '42501', NULL, 'customer: DELETE of a relationship is refused by the privilege check (R10)');
RESET ROLE;

-- no application role holds a whole-table privilege that LOCK TABLE
-- accepts for the strong modes (UPDATE, DELETE, TRUNCATE)
SELECT is((SELECT count(*)::int FROM pg_class c, unnest(ARRAY['multipartner_partner_app', 'multipartner_customer_app']) r,
                   unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind IN ('r', 'v')
              AND has_table_privilege(r, c.oid, p)), 0,
          'no application role has UPDATE, DELETE or TRUNCATE on a whole table or view');

SELECT * FROM finish();
ROLLBACK;
