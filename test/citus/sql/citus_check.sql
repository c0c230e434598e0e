-- citus_check: multipartner.check('update_subscription') and
-- check('cancel_subscription') next to Citus (CITUS_NOTES blocker 14).
-- Their dry run is an UPDATE of the subscription.  Until 0.8 it set each
-- column to COALESCE($n, s.col), the status through a text-to-enum cast,
-- and Citus refuses a distributed UPDATE with a function that is not
-- immutable inside COALESCE or CASE, so on a distributed subscription
-- table check() answered "0A000 non-IMMUTABLE functions are not allowed
-- in CASE or COALESCE statements" for every call, even for an unknown id.
-- Now check.c picks the SET list from the arguments given (src/check.c).
-- First with nothing distributed (the coordinator with Citus loaded: the
-- lookups read the tables themselves, placement.c), then with the
-- subscription table distributed by hand by customer_id, which needs its
-- primary key and foreign keys dropped (blocker 5: a hand workaround of
-- this test only, rolled back; since 0.9 no policy holds a sub-select).  Every part runs in
-- a transaction that is rolled back: nothing of it stays.
SET client_min_messages = warning;
\set office_id    '11111111-1111-4111-8111-0000000000e1'
\set azure_id     '11111111-1111-4111-8111-0000000000e2'
\set contoso_id   '33333333-3333-4333-8333-0000000000e1'
\set sub_id       '66666666-6666-4666-8666-0000000000e1'
\set unknown_id   '66666666-6666-4666-8666-0000000000e9'

-- (the answer of one check() call as one line)
\set answer 'SELECT format(''allowed %s, rule %s, sqlstate %s: %s'', allowed, coalesce(rule, ''-''), coalesce(sqlstate, ''-''), coalesce(message, ''-'')) AS answer FROM'

-- 1. Nothing distributed: the answers of the single-node suite (check.sql).
BEGIN;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
    (:'office_id', 'Office Reseller', 'commercial', '22222222-2222-4222-8222-0000000000e1'),
    (:'azure_id', 'Azure Reseller', 'commercial', '22222222-2222-4222-8222-0000000000e2');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    (:'contoso_id', '44444444-4444-4444-8444-0000000000e1', 'Contoso', 'commercial');
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active');
INSERT INTO multipartner.subscription
    (subscription_id, customer_id, partner_of_record, offer_id, product_family,
     quantity, term, billing_cycle)
VALUES (:'sub_id', :'contoso_id', :'office_id', 'O365_E3', 'Microsoft 365', 10, 'P1Y', 'monthly');
:answer multipartner.check('update_subscription', :'sub_id', quantity => 12, auto_renew => false);
:answer multipartner.check('update_subscription', :'sub_id', status => 'suspended');
:answer multipartner.check('update_subscription', :'sub_id', status => 'bogus');
:answer multipartner.check('update_subscription', :'sub_id', partner_of_record => :'azure_id');
:answer multipartner.check('update_subscription', :'sub_id', term => 'P3Y');
:answer multipartner.check('update_subscription', :'sub_id', quantity => 0);
:answer multipartner.check('update_subscription', :'sub_id');
:answer multipartner.check('cancel_subscription', :'sub_id');
:answer multipartner.check('update_subscription', :'unknown_id', quantity => 3);
:answer multipartner.check('update_subscription', :'unknown_id', status => 'bogus');
-- the dry runs changed nothing
SELECT quantity, status, auto_renew, partner_of_record = :'office_id' AS same_partner, term
  FROM multipartner.subscription WHERE subscription_id = :'sub_id';
ROLLBACK;

-- 2. The subscription table distributed by customer_id (by hand, empty:
-- distributing rows would fire the rules on the workers' copies, blocker 6).
-- The dry run's UPDATE runs on every shard now; for an id no shard holds
-- it answers 42704, whichever columns are given.  (A row of its own cannot
-- be tried yet: its rules would read the workers' local tables, blocker 4.)
-- One difference from a single node: Citus evaluates the status's cast on
-- the coordinator before it looks for the row, so a status that is no
-- status says 22P02 even for an unknown id (a single node says 42704,
-- part 1).
BEGIN;
SET LOCAL citus.multi_shard_modify_mode = sequential;
ALTER TABLE multipartner.subscription
    DROP CONSTRAINT subscription_pkey,
    DROP CONSTRAINT subscription_customer_id_fkey,
    DROP CONSTRAINT subscription_partner_of_record_fkey;
SELECT create_distributed_table('multipartner.subscription', 'customer_id') AS distributed;
SELECT partmethod, (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shards
  FROM pg_dist_partition p WHERE logicalrelid = 'multipartner.subscription'::regclass;
:answer multipartner.check('update_subscription', :'unknown_id', quantity => 2);
:answer multipartner.check('update_subscription', :'unknown_id', status => 'cancelled');
:answer multipartner.check('update_subscription', :'unknown_id', auto_renew => false);
:answer multipartner.check('update_subscription', :'unknown_id', partner_of_record => :'azure_id');
:answer multipartner.check('update_subscription', :'unknown_id', term => 'P1M');
:answer multipartner.check('update_subscription', :'unknown_id', quantity => 2, status => 'active',
                           auto_renew => true, partner_of_record => :'office_id', term => 'P1Y');
:answer multipartner.check('update_subscription', subscription_id => :'unknown_id');
:answer multipartner.check('cancel_subscription', :'unknown_id');
:answer multipartner.check('update_subscription', :'unknown_id', status => 'bogus');
ROLLBACK;

-- nothing stays: the subscription table is local again, with its keys
SELECT count(*) AS distributed_subscription
  FROM pg_dist_partition WHERE logicalrelid = 'multipartner.subscription'::regclass;
SELECT count(*) AS subscription_constraints
  FROM pg_constraint WHERE conrelid = 'multipartner.subscription'::regclass AND contype IN ('p', 'f');
