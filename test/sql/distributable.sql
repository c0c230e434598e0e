\i test/setup.psql
-- distributable: the 0.9 schema facts Citus needs (SPEC §11, CITUS_DESIGN
-- §1.8 and §1.10), checked on a single node where they must change nothing
-- a role sees.
--   1. No policy of the extension holds a sub-select (Citus refuses any
--      SubLink in a policy); the two that were real sub-selects call
--      partner_sees_customer() and member_partners(), which see what the
--      statement sees, and member_partners() is read once per statement.
--   2. No stamp default that a Citus coordinator would evaluate: the five
--      stamps of customer-keyed tables have none, partner.created_at keeps
--      its own; a direct INSERT without the stamp still gets the statement's
--      time, from the guard trigger, as a partner, as an operator and in
--      restore mode.
\i test/fixtures.psql

SELECT plan(25);

-------------------------------------------------------------------------------
-- 1. Policies
-------------------------------------------------------------------------------
SELECT is_empty($$
    SELECT p.polrelid::regclass::text || '.' || p.polname
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
     WHERE c.relnamespace = 'multipartner'::regnamespace
       AND (p.polqual::text ~ '\{SUBLINK' OR coalesce(p.polwithcheck::text, '') ~ '\{SUBLINK')$$,
    'no policy of the extension holds a sub-select (a SUBLINK node)');
SELECT ok((SELECT count(*) >= 16 FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            WHERE c.relnamespace = 'multipartner'::regnamespace
              AND p.polqual::text ~ 'FUNCEXPR'),
          'the check above looks at the policies that call the identity functions (16 or more)');
SELECT is((SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
            WHERE polrelid = 'multipartner.customer'::regclass AND polname = 'partner_own'),
          'multipartner.partner_sees_customer(customer_id)',
          'a partner''s customers: partner_sees_customer(customer_id)');
SELECT is((SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
            WHERE polrelid = 'multipartner.partner'::regclass AND polname = 'customer_partners'),
          '(partner_id = ANY (multipartner.member_partners()))',
          'a customer''s partners: partner_id = ANY (member_partners())');

INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active'),
    (:'contoso_id', :'azure_id', 'pending');

SET ROLE regress_office_ga;
SELECT is(multipartner.partner_sees_customer(:'contoso_id'), true,
          'partner_sees_customer(): the acting partner''s customer');
SELECT is(multipartner.partner_sees_customer(:'fabrikam_id'), false,
          'partner_sees_customer(): a customer it has no relationship with');
SET ROLE regress_azure_ga;
SELECT is(multipartner.partner_sees_customer(:'contoso_id'), true,
          'partner_sees_customer(): a relationship of any status (pending) counts');
SET ROLE regress_papp_nomember;
SELECT is(multipartner.partner_sees_customer(:'contoso_id'), false,
          'partner_sees_customer(): false for a role that acts for no partner');
SET ROLE regress_multi;
SELECT throws_ok(format('SELECT multipartner.partner_sees_customer(%L)', :'contoso_id'), '42501',
                 'role "regress_multi" is a member of 2 partners',
                 'partner_sees_customer(): the ambiguity refusal of acting_partner()');
SET ROLE regress_contoso_ga;
SELECT is((SELECT array_agg(p ORDER BY p) FROM unnest(multipartner.member_partners()) p),
          ARRAY[:'office_id', :'azure_id']::uuid[],
          'member_partners(): the partners of the customer''s relationships, of any status');
SET ROLE regress_fabrikam_ga;
SELECT is(multipartner.member_partners(), '{}'::uuid[], 'member_partners(): ''{}'' for a customer with no relationship');
SET ROLE regress_office_ga;
SELECT is(multipartner.member_partners(), '{}'::uuid[], 'member_partners(): ''{}'' for a role that is no customer member');
RESET ROLE;

-- once per statement: three partner rows read, not three lookups (the
-- planner evaluates a STABLE call once more when it estimates the filter)
SELECT sum(direct + spi) AS n0 FROM multipartner.lookup_counts() WHERE lookup = 'member_partners' \gset
SET ROLE regress_contoso_ga;
-- a sequential scan, so that the policy is a filter called for every row
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT (array_agg(partner_id ORDER BY partner_id) = ARRAY[:'office_id', :'azure_id']::uuid[])::text AS seen_partners
  FROM multipartner.partner \gset
RESET enable_indexscan;
RESET enable_bitmapscan;
RESET ROLE;
SELECT is(:'seen_partners'::text, 'true', 'a customer sees the partners of its relationships');
SELECT cmp_ok((SELECT sum(direct + spi) FROM multipartner.lookup_counts() WHERE lookup = 'member_partners') - :n0, '<=', 2::numeric,
          'member_partners() reads relationship once for the statement (and once when the planner estimates the filter), not once per partner row');

-- what the statement sees: not the relationship its own CTE writes (as the
-- EXISTS sub-select of 0.8 did not)
SET ROLE regress_azure_ga;
WITH r AS (INSERT INTO multipartner.relationship (customer_id, partner_id)
           VALUES (:'fabrikam_id', :'azure_id') RETURNING 1)
SELECT (SELECT count(*) FROM r)::text || '/' ||
       (SELECT count(*) FROM multipartner.customer WHERE customer_id = :'fabrikam_id')::text AS cte_seen \gset
SELECT is(:'cte_seen'::text, '1/0', 'partner_sees_customer() sees what the statement sees, not the rows it writes');
SELECT is((SELECT count(*) FROM multipartner.customer WHERE customer_id = :'fabrikam_id'), 1::bigint,
          '... and the next statement sees the customer');
RESET ROLE;

-------------------------------------------------------------------------------
-- 2. Stamps
-------------------------------------------------------------------------------
SELECT is_empty($$
    SELECT attrelid::regclass::text || '.' || attname FROM pg_attribute
     WHERE (attrelid, attname) IN (('multipartner.customer'::regclass, 'created_at'),
                                   ('multipartner.relationship'::regclass, 'requested_at'),
                                   ('multipartner.subscription'::regclass, 'created_at'),
                                   ('multipartner.admin_relationship'::regclass, 'created_at'),
                                   ('multipartner.access_assignment'::regclass, 'created_at'))
       AND (atthasdef OR NOT attnotnull)$$,
    'the five stamps of customer-keyed tables: NOT NULL, no default');
SELECT col_has_default('multipartner', 'partner', 'created_at', 'partner.created_at keeps its default');

-- a partner's direct INSERTs, the stamp left out
SET ROLE regress_office_ga;
WITH n AS (INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (:'fabrikam_id', :'office_id')
                      RETURNING requested_at)
SELECT (requested_at = GREATEST(statement_timestamp(), now()))::text AS stamped_1 FROM n \gset
SELECT is(:'stamped_1'::text, 'true', 'a partner''s direct INSERT into relationship: requested_at is the statement''s time');
WITH n AS (INSERT INTO multipartner.subscription (customer_id, partner_of_record, offer_id, product_family,
                                                             quantity, term, billing_cycle)
                      VALUES (:'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly')
                      RETURNING created_at)
SELECT (created_at = GREATEST(statement_timestamp(), now()))::text AS stamped_2 FROM n \gset
SELECT is(:'stamped_2'::text, 'true', 'a partner''s direct INSERT into subscription: created_at is the statement''s time');
WITH n AS (INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles)
                      VALUES (:'contoso_id', 'Stamped', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::uuid[])
                      RETURNING created_at)
SELECT (created_at = GREATEST(statement_timestamp(), now()))::text AS stamped_3 FROM n \gset
SELECT is(:'stamped_3'::text, 'true', 'a partner''s direct INSERT into admin_relationship: created_at is the statement''s time');
-- an active admin relationship to assign in (created, requested, approved)
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Assignable', ARRAY['Helpdesk Administrator']) AS ar \gset
SELECT multipartner.request_admin_approval(:'ar') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar') AS ignored \gset
SET ROLE regress_office_ga;
WITH n AS (INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles)
                      VALUES (:'ar', :'contoso_id', 'regress_office_hd', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::uuid[])
                      RETURNING created_at)
SELECT (created_at = GREATEST(statement_timestamp(), now()))::text AS stamped_4 FROM n \gset
SELECT is(:'stamped_4'::text, 'true', 'a partner''s direct INSERT into access_assignment: created_at is the statement''s time');

-- an operator's, which the rules do not stamp (it may load history)
SET ROLE regress_operator;
WITH n AS (INSERT INTO multipartner.customer (tenant_id, name, cloud)
                      VALUES ('44444444-4444-4444-8444-0000000000d1', 'Stamped Operator', 'commercial')
                      RETURNING created_at)
SELECT (created_at = GREATEST(statement_timestamp(), now()))::text AS stamped_5 FROM n \gset
SELECT is(:'stamped_5'::text, 'true', 'an operator''s direct INSERT into customer: created_at is the statement''s time');
WITH n AS (INSERT INTO multipartner.relationship (customer_id, partner_id, status)
                      VALUES (:'govcust_id', :'gov_id', 'active') RETURNING requested_at)
SELECT (requested_at = GREATEST(statement_timestamp(), now()))::text AS stamped_6 FROM n \gset
SELECT is(:'stamped_6'::text, 'true', 'an operator''s direct INSERT into relationship: requested_at is the statement''s time');
RESET ROLE;

-- restore mode (restore.c): the triggers step aside, the stamp is still written
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
WITH n AS (INSERT INTO multipartner.customer (tenant_id, name, cloud)
           VALUES ('44444444-4444-4444-8444-0000000000d2', 'Stamped Restore', 'commercial') RETURNING created_at)
SELECT (created_at OPERATOR(pg_catalog.=) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))::pg_catalog.text AS restore_stamped FROM n \gset
RESET search_path;
RESET check_function_bodies;
RESET row_security;
SELECT is(:'restore_stamped'::text, 'true', 'restore mode: a customer loaded without created_at gets the statement''s time');

SELECT * FROM finish();
ROLLBACK;
