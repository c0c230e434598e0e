-- citus_views: the DBA views filtered by customer are one Citus task
-- (CITUS_DESIGN §3, finding 9), and none calls a function of a whole row
-- (finding 6: on a shard the row has the shard's type).  The tables the
-- views read are distributed by hand, empty, in a transaction that is
-- rolled back: customer and its co-located tables by customer_id, the audit
-- log by audit_key, partner and admin_role as reference tables.  That needs
-- what distribute() will do first (and another part of 0.9 changes): the
-- policies with subqueries, the foreign keys and the keys without the
-- distribution column dropped, by hand, for this test only.
-- 0.9's join forms of customer_partners, admin_relationships and
-- orphaned_subscriptions are one task; the 0.8 forms (correlated subqueries,
-- EXISTS: test/view_forms.psql) are a task per shard.
SET client_min_messages = warning;
\set C '33333333-3333-4333-8333-0000000000f1'

-- the Task Count lines of a statement's plan, in order, and the errors in it
CREATE FUNCTION pg_temp.tasks(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    counts text[] := '{}';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF line ~ 'Task Count|Error' THEN
            counts := counts || btrim(line);
        END IF;
    END LOOP;
    RETURN array_to_string(counts, ', ');
END
$$;

BEGIN;
SET LOCAL citus.multi_shard_modify_mode = sequential;
DO $$
DECLARE
    t record;
BEGIN
    -- every foreign key of the schema
    FOR t IN SELECT conrelid::regclass AS rel, conname FROM pg_constraint
              WHERE contype = 'f' AND connamespace = 'multipartner'::regnamespace LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t.rel, t.conname);
    END LOOP;
    -- the policies with a subquery, of the tables distributed below
    FOR t IN SELECT p.polname, p.polrelid::regclass AS rel FROM pg_policy p
              WHERE p.polrelid::regclass::text IN ('multipartner.partner', 'multipartner.customer',
                        'multipartner.relationship', 'multipartner.subscription',
                        'multipartner.admin_relationship', 'multipartner.access_assignment',
                        'multipartner.admin_role', 'multipartner.audit_log')
                AND (coalesce(pg_get_expr(p.polqual, p.polrelid), '') ~* 'select'
                     OR coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ~* 'select') LOOP
        EXECUTE format('DROP POLICY %I ON %s', t.polname, t.rel);
    END LOOP;
    -- the keys without the distribution column (the id-only keys)
    FOR t IN SELECT c.conname, c.conrelid::regclass AS rel FROM pg_constraint c
              WHERE c.contype IN ('p', 'u')
                AND (c.conrelid, c.conname) IN (('multipartner.customer'::regclass, 'customer_tenant_id_key'),
                                                ('multipartner.relationship'::regclass, 'relationship_pkey'),
                                                ('multipartner.subscription'::regclass, 'subscription_pkey'),
                                                ('multipartner.audit_log'::regclass, 'audit_log_pkey')) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t.rel, t.conname);
    END LOOP;
END
$$;
SELECT count(*) AS reference_tables FROM (
    SELECT create_reference_table(t) FROM unnest(ARRAY['multipartner.partner', 'multipartner.admin_role']) t) x;
SELECT count(*) AS customer_distributed FROM create_distributed_table('multipartner.customer', 'customer_id');
SELECT count(*) AS colocated_tables FROM (
    SELECT create_distributed_table(t, 'customer_id', colocate_with => 'multipartner.customer')
      FROM unnest(ARRAY['multipartner.relationship', 'multipartner.subscription',
                        'multipartner.admin_relationship', 'multipartner.access_assignment']) t) x;
-- (distributing the audit log writes into it: its guard is off for that)
ALTER TABLE multipartner.audit_log DISABLE TRIGGER audit_log_guard;
SELECT count(*) AS audit_log_distributed
  FROM create_distributed_table('multipartner.audit_log', 'audit_key', colocate_with => 'multipartner.customer');

-- 0.9: one task each, filtered by customer
SELECT v, pg_temp.tasks(format('SELECT * FROM multipartner.%s WHERE customer_id = %L', v, :'C')) AS tasks
  FROM unnest(ARRAY['customer_partners', 'admin_relationships', 'orphaned_subscriptions',
                    'subscriptions_by_partner', 'relationship_history', 'multi_partner_customers']) v;
-- and they run there (no whole-row call): no rows, no error
SELECT count(*) AS customer_partners FROM multipartner.customer_partners WHERE customer_id = :'C';
SELECT count(*) AS admin_relationships FROM multipartner.admin_relationships WHERE customer_id = :'C';
SELECT count(*) AS orphaned_subscriptions FROM multipartner.orphaned_subscriptions WHERE customer_id = :'C';
SELECT count(*) AS subscriptions_by_partner FROM multipartner.subscriptions_by_partner WHERE customer_id = :'C';
SELECT count(*) AS relationship_history FROM multipartner.relationship_history WHERE customer_id = :'C';

-- 0.8: the same filter is a task per shard, and the worker cannot plan the
-- forms with a whole-row call (admin_relationships, orphaned_subscriptions:
-- the row has the shard's type there, finding 6).  That leaves the worker's
-- transaction aborted, so each is asked under a savepoint.
\set ECHO none
\i test/view_forms.psql
\set ECHO all
SAVEPOINT before_0_8;
SELECT pg_temp.tasks(format('SELECT * FROM pg_temp.old_customer_partners WHERE customer_id = %L', :'C')) AS customer_partners_0_8;
ROLLBACK TO SAVEPOINT before_0_8;
SELECT pg_temp.tasks(format('SELECT * FROM pg_temp.old_admin_relationships WHERE customer_id = %L', :'C')) AS admin_relationships_0_8;
ROLLBACK TO SAVEPOINT before_0_8;
SELECT pg_temp.tasks(format('SELECT * FROM pg_temp.old_orphaned_subscriptions WHERE customer_id = %L', :'C')) AS orphaned_subscriptions_0_8;
ROLLBACK TO SAVEPOINT before_0_8;
ROLLBACK;

-- nothing stays
SELECT count(*) AS distributed_tables
  FROM pg_dist_partition WHERE logicalrelid::text LIKE 'multipartner.%';
