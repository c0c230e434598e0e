-- drop_guard: DROP EXTENSION multipartner would drop every row of its
-- tables, the audit log included.  While they hold rows it is refused
-- (2BP01), and so are DROP SCHEMA multipartner CASCADE and DROP OWNED BY the
-- extension's owner, which would drop the extension too, unless a superuser
-- sets multipartner.allow_drop_with_data.  An empty extension drops as
-- before; a role that may not drop the extension learns nothing of its rows.
-- In databases of its own; plain pg_regress output (CREATE DATABASE cannot
-- run inside the transaction of a pgTAP file).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
\set regress_db :DBNAME
DROP DATABASE IF EXISTS regress_mp_drop;
CREATE DATABASE regress_mp_drop;
\c regress_mp_drop
SET client_min_messages = warning;
CREATE EXTENSION multipartner;
-- one partner: rows in partner, tenant and audit_log
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000d1', 'Drop Test Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000d1');
SHOW multipartner.allow_drop_with_data;

-- refused, in every form that drops the extension; nothing is dropped
DROP EXTENSION multipartner;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION multipartner CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION IF EXISTS regress_no_such_extension, multipartner;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA multipartner CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT extversion AS still_installed FROM pg_extension WHERE extname = 'multipartner';
SELECT (SELECT count(*) FROM multipartner.partner) AS partners,
       (SELECT count(*) FROM multipartner.tenant) AS tenants,
       (SELECT count(*) FROM multipartner.audit_log) AS audit_rows;

-- a role that may not drop the extension gets PostgreSQL's own refusal, no
-- word of the rows, and cannot turn the guard off
CREATE ROLE regress_mp_drop_user;
SET ROLE regress_mp_drop_user;
DROP EXTENSION multipartner;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA multipartner CASCADE;
\echo :LAST_ERROR_SQLSTATE
SET multipartner.allow_drop_with_data = on;
\echo :LAST_ERROR_SQLSTATE
SHOW multipartner.allow_drop_with_data;
RESET ROLE;
-- nor in a session that has not loaded the library yet, where the setting
-- is a placeholder anybody may set: loading the library drops the value
\c regress_mp_drop
SET client_min_messages = warning;
SET SESSION AUTHORIZATION regress_mp_drop_user;
SET multipartner.allow_drop_with_data = on;
RESET SESSION AUTHORIZATION;
DROP EXTENSION multipartner;
\echo :LAST_ERROR_SQLSTATE
SHOW multipartner.allow_drop_with_data;
DROP ROLE regress_mp_drop_user;

-- a superuser confirms: the extension goes with every row
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'multipartner';
-- what DROP EXTENSION leaves: the schema (which CREATE EXTENSION created
-- but is no member of the extension), empty, and the cluster-wide roles
SELECT n.nspowner::regrole AS schema_owner,
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) AS objects_in_it
  FROM pg_namespace n WHERE n.nspname = 'multipartner';
SELECT count(*) AS roles FROM pg_roles
 WHERE rolname IN ('multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app');

-- empty: drops as before, with the guard on
CREATE EXTENSION multipartner;
SHOW multipartner.allow_drop_with_data;
DROP EXTENSION multipartner;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'multipartner';
-- rows the dropping transaction wrote itself count too
CREATE EXTENSION multipartner;
BEGIN;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000d1', 'Drop Test Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000d1');
DROP EXTENSION multipartner;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
DROP EXTENSION multipartner;

-- DROP SCHEMA ... CASCADE with the setting drops the extension
CREATE EXTENSION multipartner;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000d1', 'Drop Test Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000d1');
BEGIN;
SET LOCAL multipartner.allow_drop_with_data = on;
DROP SCHEMA multipartner CASCADE;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'multipartner';
ROLLBACK;
SELECT count(*) AS extensions_after_rollback FROM pg_extension WHERE extname = 'multipartner';
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;

-- DROP OWNED BY the owner: installed by a superuser of its own (the
-- bootstrap superuser's objects cannot be dropped that way), into a schema
-- it creates
DROP SCHEMA multipartner;
CREATE ROLE regress_mp_drop_owner SUPERUSER;
SET ROLE regress_mp_drop_owner;
CREATE EXTENSION multipartner;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000d1', 'Drop Test Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000d1');
RESET ROLE;
DROP OWNED BY regress_mp_drop_owner;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'multipartner';
SET multipartner.allow_drop_with_data = on;
DROP OWNED BY regress_mp_drop_owner;
RESET multipartner.allow_drop_with_data;
SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'multipartner') AS extensions,
       (SELECT count(*) FROM pg_namespace WHERE nspname = 'multipartner') AS schemas;
DROP ROLE regress_mp_drop_owner;

-- an owner of the extension who is no superuser any more cannot let a table
-- out of the extension (let out and moved to a schema of its own, DROP
-- TABLE ... CASCADE would drop the extension and every row with it), and
-- DROP OWNED BY the role a superuser gave the schema to is refused as DROP
-- SCHEMA is (its CASCADE drops the schema and the extension)
CREATE ROLE regress_mp_drop_owner SUPERUSER;
SET ROLE regress_mp_drop_owner;
CREATE EXTENSION multipartner;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000d1', 'Drop Test Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000d1');
RESET ROLE;
ALTER ROLE regress_mp_drop_owner NOSUPERUSER;
SET ROLE regress_mp_drop_owner;
ALTER EXTENSION multipartner DROP TABLE multipartner.audit_log;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS audit_log_still_member FROM pg_depend
 WHERE classid = 'pg_class'::regclass AND objid = 'multipartner.audit_log'::regclass
   AND deptype = 'e';
CREATE ROLE regress_mp_schema_owner;
ALTER SCHEMA multipartner OWNER TO regress_mp_schema_owner;
SET ROLE regress_mp_schema_owner;
DROP OWNED BY regress_mp_schema_owner CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'multipartner';
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;
DROP SCHEMA multipartner;
DROP ROLE regress_mp_schema_owner, regress_mp_drop_owner;

\c :regress_db
DROP DATABASE regress_mp_drop;
