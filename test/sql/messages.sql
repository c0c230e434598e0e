-- messages: the catalogue of the errors of schema, identity and relationship
-- rules, each triggered once, with its errmsg, DETAIL, HINT and SQLSTATE
-- (the line after each error).  Every id shown is a fixed one; timestamps
-- appear only where they are fixed literals (TimeZone UTC).  On Citus
-- (CITUS_RULES) test/citus/expected/messages.out has the errors Citus raises
-- first and what it does otherwise (README "The rule suites on distributed
-- tables").
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_bypass.psql
\set r1 '88888888-8888-4888-8888-000000000001'
\set r2 '88888888-8888-4888-8888-000000000002'
\set r3 '88888888-8888-4888-8888-000000000003'
\set r4 '88888888-8888-4888-8888-000000000004'
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, requested_at)
VALUES (:'r1', :'contoso_id', :'office_id', '2020-01-01 00:00:00+00'),
       (:'r2', :'fabrikam_id', :'office_id', now());
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, delegated_admin)
VALUES (:'r3', :'fabrikam_id', :'azure_id', 'active', true),
       (:'r4', :'contoso_id', :'azure_id', 'active', false);
\i test/fixtures_done.psql
-- psql as before test/setup.psql: aligned output with headers, errors do not
-- stop the file, each statement's error undoes that statement only
\pset format aligned
\pset tuples_only false
\set ON_ERROR_STOP false
\set ON_ERROR_ROLLBACK on
\set VERBOSITY default
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
\set ECHO all
--
-- Identity
--
SET ROLE regress_multi;
SELECT multipartner.acting_partner(); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET multipartner.acting_partner = :'gov_id';
SELECT multipartner.acting_partner(); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET multipartner.acting_partner = 'garbage'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET multipartner.acting_partner;
SET multipartner.no_such_setting = 1; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_papp_nomember;
SELECT multipartner.request_relationship(:'contoso_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_nobody;
SELECT multipartner.acting_partner(); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

--
-- Partners and customers
--
-- R8, the customer second
SET ROLE regress_office_ga;
SELECT multipartner.create_customer(:'office_csp', 'Office Itself', 'commercial'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- R8, the partner second
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
VALUES ('Contoso as CSP', 'commercial', :'contoso_tenant'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- one customer per tenant, one partner per CSP tenant
SET ROLE regress_office_ga;
SELECT multipartner.create_customer(:'contoso_tenant', 'Contoso again', 'commercial'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
VALUES ('Office again', 'commercial', :'office_csp'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R2 for customers
SET ROLE regress_office_hd;
SELECT multipartner.create_customer('55555555-5555-4555-8555-0000000000a1', 'HD Customer', 'commercial'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R9
SET ROLE regress_office_ga;
SELECT multipartner.create_customer('55555555-5555-4555-8555-0000000000a1', 'Gov Customer', 'us_government'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the record of when a partner created a customer is the statement's time
SET ROLE regress_office_ga;
INSERT INTO multipartner.customer (tenant_id, name, cloud, created_at)
VALUES ('55555555-5555-4555-8555-0000000000a2', 'Backdated', 'commercial', '2020-01-01 00:00:00+00'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R12
SET ROLE regress_operator;
UPDATE multipartner.customer SET tenant_id = '55555555-5555-4555-8555-0000000000a1'
 WHERE customer_id = :'contoso_id'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.partner SET cloud = 'us_government' WHERE partner_id = :'office_id'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R10
DELETE FROM multipartner.partner WHERE partner_id = :'office_id'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM multipartner.customer WHERE customer_id = :'contoso_id'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- a partner role granted DELETE: row security gives it no row to delete
GRANT DELETE ON multipartner.customer TO regress_office_ga, regress_bypass;
SET ROLE regress_office_ga;
DELETE FROM multipartner.customer WHERE customer_id = :'govcust_id'; \echo rows :ROW_COUNT
-- one that sees the row (BYPASSRLS) reaches the trigger
SET ROLE regress_bypass;
DELETE FROM multipartner.customer WHERE customer_id = :'govcust_id'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE DELETE ON multipartner.customer FROM regress_office_ga, regress_bypass;
TRUNCATE multipartner.tenant; \echo SQLSTATE :LAST_ERROR_SQLSTATE
TRUNCATE multipartner.customer CASCADE; \echo SQLSTATE :LAST_ERROR_SQLSTATE

--
-- Relationships: requests (R2, R9, start state, one open relationship per pair)
--
SET ROLE regress_office_sa;
INSERT INTO multipartner.relationship (customer_id, partner_id)
VALUES (:'contoso_id', :'azure_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_hd;
SELECT multipartner.request_relationship(:'contoso_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_sa;
INSERT INTO multipartner.relationship (customer_id, status)
VALUES (:'contoso_id', 'active'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.relationship (customer_id, status)
VALUES (:'fabrikam_id', 'terminated'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.request_relationship(:'fabrikam_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES ('55555555-5555-4555-8555-0000000000a3', '55555555-5555-4555-8555-0000000000a3', 'Adatum', 'commercial');
SET ROLE regress_office_sa;
INSERT INTO multipartner.relationship (customer_id, requested_at)
VALUES ('55555555-5555-4555-8555-0000000000a3', '2020-01-01 00:00:00+00'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_azure_sa;
SELECT multipartner.request_relationship(:'fabrikam_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_operator;
INSERT INTO multipartner.relationship (customer_id, partner_id)
VALUES (:'govcust_id', :'office_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
UPDATE multipartner.partner SET status = 'suspended' WHERE partner_id = :'gov_id';
SET ROLE regress_gov_ga;
SELECT multipartner.request_relationship(:'govcust_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
UPDATE multipartner.partner SET status = 'active' WHERE partner_id = :'gov_id';

--
-- Relationships: decisions (R3) and the state machine
--
SET ROLE regress_contoso_reader;
SELECT multipartner.accept_relationship(:'r1'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_contoso_ga;
SELECT multipartner.accept_relationship(:'r1'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_ga;
SELECT multipartner.accept_relationship(:'r2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.terminate_relationship(:'r2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.revoke_delegated_admin(:'r2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- another partner's relationship does not exist for a partner role (row security)
SET ROLE regress_azure_ga;
SELECT multipartner.revoke_delegated_admin(:'r2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_azure_sa;
SELECT multipartner.terminate_relationship(:'r3'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.revoke_delegated_admin(:'r3'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_contoso_ga;
UPDATE multipartner.relationship SET delegated_admin = true
 WHERE relationship_id = :'r4'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.relationship SET decided_by = 'regress_contoso_ga'
 WHERE relationship_id = :'r1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.accept_relationship('99999999-9999-4999-8999-999999999999'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.decline_relationship(NULL); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_operator;
UPDATE multipartner.relationship SET customer_id = :'contoso_id'
 WHERE relationship_id = :'r2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- (its DETAIL carries the request time, which is now(): terse)
\set VERBOSITY terse
UPDATE multipartner.relationship SET status = 'expired'
 WHERE relationship_id = :'r2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;
-- R10
DELETE FROM multipartner.relationship WHERE relationship_id = :'r2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
TRUNCATE multipartner.relationship; \echo SQLSTATE :LAST_ERROR_SQLSTATE

-- replica mode while a trigger of ours or of a foreign key is ENABLE ORIGIN
-- (pg_upgrade leaves the foreign keys' so), and the repair, superusers only
ALTER TABLE multipartner.partner_member ENABLE TRIGGER audit;
GRANT SET ON PARAMETER session_replication_role TO regress_operator;
SET ROLE regress_operator;
SET session_replication_role = replica;
DELETE FROM multipartner.partner_member WHERE member = 'regress_office_hd'::regrole; \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET session_replication_role;
SELECT multipartner.enable_always_triggers(); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE SET ON PARAMETER session_replication_role FROM regress_operator;
-- one statement, one identity (audit_identity): the role switched between two
-- rows of one statement
RESET ROLE;
UPDATE multipartner.partner_member SET role = role
 WHERE member IN ('regress_office_hd'::regrole, 'regress_office_ba'::regrole)
RETURNING set_config('role', 'regress_operator', true); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- a member row must name a role that exists
INSERT INTO multipartner.partner_member VALUES (4000000000::oid::regrole, :'office_id', 'sales_agent'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a member role is not dropped while it has member rows
DROP ROLE regress_office_ba; \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the table, and the column or constraint, an error concerns (errtable,
-- errtablecol, errtableconstraint), as PostgreSQL's own constraints give them
CREATE FUNCTION pg_temp.error_fields(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; sch text; tab text; col text; con text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, sch = SCHEMA_NAME,
        tab = TABLE_NAME, col = COLUMN_NAME, con = CONSTRAINT_NAME;
    RETURN format('%s schema=%s table=%s column=%s constraint=%s', st, sch, tab, col, con);
END
$$;
SET ROLE regress_operator;
SELECT pg_temp.error_fields('DELETE FROM multipartner.relationship');
SELECT pg_temp.error_fields('UPDATE multipartner.partner SET cloud = ''us_government''');
SELECT pg_temp.error_fields(format('INSERT INTO multipartner.relationship (customer_id, partner_id) VALUES (%L, %L)',
                                   :'contoso_id', '11111111-1111-4111-8111-0000000000ff'));
SET ROLE regress_office_ga;
SELECT pg_temp.error_fields(format('INSERT INTO multipartner.relationship (customer_id, requested_at) VALUES (%L, %L)',
                                   :'contoso_id', '2020-01-01 00:00:00+00'));
RESET ROLE;
SELECT pg_temp.error_fields('TRUNCATE multipartner.tenant');
-- a customer a partner inserts needs that partner's relationship by the end
-- of the transaction (here checked at once; last, since the pending check
-- would make a later TRUNCATE of customer fail with 55006 instead of MP007)
-- (in a transaction of its own on Citus, where there is no test transaction;
-- SET CONSTRAINTS does not reach the workers there, so the check runs at
-- COMMIT, with the same error)
\if :{?mp_citus_rules}
BEGIN;
\endif
SET ROLE regress_office_ga;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES ('55555555-5555-4555-8555-0000000000a4', '55555555-5555-4555-8555-0000000000a4', 'Squatter', 'commercial');
SET CONSTRAINTS multipartner.tenant_registry_relationship IMMEDIATE; \echo SQLSTATE :SQLSTATE
RESET ROLE;
\if :{?mp_citus_rules}
COMMIT; \echo SQLSTATE :LAST_ERROR_SQLSTATE
\endif

\set ECHO none
\pset format unaligned
\pset tuples_only true
\i test/teardown.psql
\set ECHO all
-- the counters of multipartner.refusals need the library in
-- shared_preload_libraries (the main suite's runs do not have it; the Citus
-- suite's nodes do, test/citus/sql/citus_refusals.sql)
\if :{?mp_citus_rules}
\else
SELECT * FROM multipartner.refusals; \echo SQLSTATE :LAST_ERROR_SQLSTATE
\endif
