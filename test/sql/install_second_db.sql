-- install_second_db: the roles are cluster-wide, the extension per database.
-- A second database of the same cluster installs cleanly although the
-- three roles exist already.  Plain pg_regress output (CREATE DATABASE
-- cannot run inside the transaction of a pgTAP file).
\set VERBOSITY terse
SET client_min_messages = warning;
\set first_db :DBNAME
CREATE EXTENSION IF NOT EXISTS multipartner;
SELECT rolname, rolcanlogin FROM pg_roles
 WHERE rolname IN ('multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app')
 ORDER BY rolname;
DROP DATABASE IF EXISTS regress_mp_second;
CREATE DATABASE regress_mp_second;
\c regress_mp_second
SET client_min_messages = warning;
-- A fresh session that has not loaded multipartner.so yet: the setting is a
-- mere placeholder, so SET accepts anything; loading the library (here by
-- CREATE EXTENSION) warns and drops the invalid value.
SET multipartner.acting_partner = 'garbage';
CREATE EXTENSION multipartner;
SHOW multipartner.acting_partner;
SELECT extname, extversion, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'multipartner';
SELECT count(*) AS partners FROM multipartner.partner;
SELECT has_table_privilege('multipartner_partner_app', 'multipartner.relationship', 'SELECT') AS partner_app_reads,
       has_table_privilege('public', 'multipartner.relationship', 'SELECT') AS public_reads;
-- the rules work in the second database as well
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000f1', 'Second DB Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000f1');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES ('33333333-3333-4333-8333-0000000000f1', '22222222-2222-4222-8222-0000000000f1',
        'CSP tenant as a customer', 'commercial');
SELECT tenant_id, kind FROM multipartner.tenant;
-- dropping and creating the extension again in the same session works (its
-- tables hold rows: the drop needs the operator's confirmation, drop_guard)
SET multipartner.allow_drop_with_data = on;
DROP EXTENSION multipartner;
RESET multipartner.allow_drop_with_data;
CREATE EXTENSION multipartner;
SELECT count(*) AS partners_after_recreate FROM multipartner.partner;
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-0000000000f1', 'Second DB Partner', 'commercial',
        '22222222-2222-4222-8222-0000000000f1');
SELECT tenant_id, kind FROM multipartner.tenant;
\c :first_db
DROP DATABASE regress_mp_second;
SELECT count(*) AS roles_still_there FROM pg_roles
 WHERE rolname IN ('multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app');
