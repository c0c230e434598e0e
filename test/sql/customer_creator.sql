\i test/setup.psql
-- customer_creator: a customer a partner inserts must end its transaction
-- with a relationship with that partner (issue 10, item 5).  The check is a
-- constraint trigger DEFERRABLE INITIALLY DEFERRED; this file, one
-- transaction, runs it with SET CONSTRAINTS ... IMMEDIATE (throws_ok's
-- subtransaction undoes a refusal and re-arms the check); the real COMMITs
-- are test/specs/customer_creator_relationship.spec.
\i test/fixtures.psql
\set t1 '44444444-4444-4444-8444-0000000000d1'
\set t2 '44444444-4444-4444-8444-0000000000d2'
\set t3 '44444444-4444-4444-8444-0000000000d3'
-- each customer's id is its tenant id: the form that works on distributed
-- tables too, where a customer is placed by its id and its tenant claim by
-- its tenant id (README "Running on Citus"); any id does on one node
\set c1 :t1
\set c2 :t2
\set c3 :t3
\i test/fixtures_done.psql
SELECT plan(9);

\if :{?mp_citus_rules}
BEGIN;
\endif
SET ROLE regress_office_sa;
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                       :'c1', :'t1', 'Squatter', 'commercial'),
                'a partner inserts a customer directly (checked later)');
SELECT throws_ok('SET CONSTRAINTS multipartner.tenant_registry_relationship IMMEDIATE', '23503',
                 format('customer %s has no relationship with partner %s, which created it', :'c1', :'office_id'),
                 'without a relationship with its creator the customer is refused (23503)');
SELECT throws_ok('SET CONSTRAINTS ALL IMMEDIATE', '23503', NULL, '... also by SET CONSTRAINTS ALL (23503)');
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'c1'),
                'the partner asks it for a relationship');
SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE', '... and then the customer passes');
SET CONSTRAINTS ALL DEFERRED;
\if :{?mp_citus_rules}
COMMIT;
BEGIN;
\endif
-- another partner's relationship does not count: the creator's does
SET ROLE regress_azure_sa;
SELECT lives_ok(format('INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (%L, %L, %L, %L)',
                       :'c2', :'t2', 'Azure Squatter', 'commercial'),
                'another partner inserts a customer');
SET ROLE regress_office_sa;
SELECT lives_ok(format('INSERT INTO multipartner.relationship (customer_id) VALUES (%L)', :'c2'),
                'Office asks it for a relationship');
SELECT throws_ok('SET CONSTRAINTS ALL IMMEDIATE', '23503',
                 format('customer %s has no relationship with partner %s, which created it', :'c2', :'azure_id'),
                 'a relationship with another partner does not do (23503)');
-- an operator's customer needs none
SET ROLE regress_operator;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES (:'c3', :'t3', 'Imported', 'commercial');
SET ROLE regress_azure_sa;
INSERT INTO multipartner.relationship (customer_id) VALUES (:'c2');
SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE', 'an operator''s customer passes without any relationship');
RESET ROLE;
\if :{?mp_citus_rules}
COMMIT;
\endif

SELECT * FROM finish();
\i test/teardown.psql
