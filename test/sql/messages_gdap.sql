-- messages_gdap: the errors of the GDAP rules (R14-R20, SPEC §9), each raised
-- once with fixed ids, so that the expected output is a readable catalogue of
-- errmsg, DETAIL, HINT and SQLSTATE (the line after each error).  Not a pgTAP
-- file.  Timestamps are fixed literals (TimeZone UTC).
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_bypass.psql
\set ar1 '77777777-7777-4777-8777-000000000001'
\set ar2 '77777777-7777-4777-8777-000000000002'
\set ar3 '77777777-7777-4777-8777-000000000003'
\set ar4 '77777777-7777-4777-8777-000000000004'
\set as1 '77777777-7777-4777-8777-0000000000a1'
\set unknown_id '99999999-9999-4999-8999-999999999999'
\set role_ga '62e90394-69f5-4237-9190-012177145e10'
\set role_hd '729827e3-9c14-49f7-bb1b-9608f156bbb8'
\set role_exch '29232cdf-9323-42fd-ade2-1d097af3e4de'
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
    (:'contoso_id', :'office_id', 'active');
CREATE ROLE regress_office_tech1 NOLOGIN;
GRANT multipartner_partner_app TO regress_office_tech1;
INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES
    ('regress_office_tech1', :'office_id', 'helpdesk_agent');
-- ar1 active (Exchange, Helpdesk, Global Administrator), ar2 created,
-- ar3 approval_pending since 2020 (expired), ar4 terminated
SET ROLE regress_office_ga;
INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, display_name, roles, duration)
VALUES (:'ar1', :'contoso_id', 'Contoso admin', ARRAY[:'role_exch', :'role_hd', :'role_ga']::uuid[], '180 days'),
       (:'ar2', :'contoso_id', 'Contoso created', ARRAY[:'role_hd']::uuid[], '30 days'),
       (:'ar4', :'contoso_id', 'Contoso withdrawn', ARRAY[:'role_hd']::uuid[], '30 days');
UPDATE multipartner.admin_relationship SET status = 'approval_pending' WHERE admin_relationship_id = :'ar1';
UPDATE multipartner.admin_relationship SET status = 'terminated' WHERE admin_relationship_id = :'ar4';
SET ROLE regress_contoso_ga;
UPDATE multipartner.admin_relationship SET status = 'active' WHERE admin_relationship_id = :'ar1';
RESET ROLE;
-- restore mode (pg_dump's settings) loads a row with its history
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, partner_id, display_name, roles,
    duration, status, created_by, created_at, requested_at)
VALUES (:'ar3', :'contoso_id', :'office_id', 'Contoso old', ARRAY[:'role_hd']::pg_catalog.uuid[], '30 days',
        'approval_pending', 'regress_office_ga', '2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00');
RESET row_security;
RESET check_function_bodies;
RESET search_path;
SET ROLE regress_office_ga;
INSERT INTO multipartner.access_assignment (access_assignment_id, admin_relationship_id, customer_id, grantee, roles)
VALUES (:'as1', :'ar1', :'contoso_id', 'regress_office_tech1', ARRAY[:'role_hd']::uuid[]);
RESET ROLE;
\i test/fixtures_done.psql
\set ON_ERROR_STOP false
\set VERBOSITY default
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET intervalstyle = postgres;
\set ECHO all

-- R14: who creates, and with whom
SET ROLE regress_office_sa;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Sales', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_operator;
INSERT INTO multipartner.admin_relationship (customer_id, partner_id, display_name, roles)
VALUES (:'contoso_id', :'office_id', 'Operator', ARRAY[:'role_hd']::uuid[]); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'fabrikam_id', 'Fabrikam', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'unknown_id', 'Nobody', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles, status)
VALUES (:'contoso_id', 'Active at once', ARRAY[:'role_hd']::uuid[], 'active'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R15: the terms
SELECT multipartner.create_admin_relationship(:'contoso_id', '', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Contoso created', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'No role', '{}'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Twice', ARRAY['Helpdesk Administrator', 'Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Unknown', ARRAY['Helpdesk Administrator', 'Nope']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles)
VALUES (:'contoso_id', 'Unknown id', ARRAY[:'unknown_id']::uuid[]); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Long', ARRAY['Helpdesk Administrator'], '731 days'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Half', ARRAY['Helpdesk Administrator'], '1.5 days'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Month', ARRAY['Helpdesk Administrator'], '1 month'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', NULL, ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Null role', ARRAY[NULL::text]); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, display_name, roles)
VALUES (:'ar2', :'contoso_id', 'Id again', ARRAY[:'role_hd']::uuid[]); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R17
INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, display_name, roles, auto_extend)
VALUES ('77777777-7777-4777-8777-000000000005', :'contoso_id', 'GA', ARRAY[:'role_ga']::uuid[], true); \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_relationship SET auto_extend = true WHERE admin_relationship_id = :'ar1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R16: the terms of an active one, the customer's edits
UPDATE multipartner.admin_relationship SET duration = '30 days' WHERE admin_relationship_id = :'ar1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_relationship SET roles = ARRAY[:'role_hd']::uuid[] WHERE admin_relationship_id = :'ar1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_relationship SET display_name = 'Renamed' WHERE admin_relationship_id = :'ar4'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_contoso_ga;
UPDATE multipartner.admin_relationship SET display_name = 'Customer' WHERE admin_relationship_id = :'ar2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_sa;
UPDATE multipartner.admin_relationship SET display_name = 'Sales' WHERE admin_relationship_id = :'ar2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R14/R18: the states
SET ROLE regress_office_ga;
SELECT multipartner.approve_admin_relationship(:'ar2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.request_admin_approval(:'ar1'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_relationship SET status = 'expired' WHERE admin_relationship_id = :'ar3'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_sa;
SELECT multipartner.request_admin_approval(:'ar2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.terminate_admin_relationship(:'ar1'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.terminate_admin_relationship(:'ar2'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_contoso_reader;
SELECT multipartner.approve_admin_relationship(:'ar3'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar3'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.approve_admin_relationship(:'ar4'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_operator;
UPDATE multipartner.admin_relationship SET status = 'expired' WHERE admin_relationship_id = :'ar1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_relationship SET end_at = '2099-01-01 00:00:00+00' WHERE admin_relationship_id = :'ar1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_ga;
SELECT multipartner.run_maintenance(); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.request_admin_approval(:'unknown_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
-- R20
UPDATE multipartner.admin_relationship SET customer_id = :'fabrikam_id' WHERE admin_relationship_id = :'ar2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_operator;
DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = :'ar2'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM multipartner.admin_role WHERE role_id = :'role_hd'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.admin_role SET name = 'Helpdesk' WHERE role_id = :'role_hd'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM multipartner.access_assignment WHERE access_assignment_id = :'as1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE

-- R19 and R14 for assignments
SET ROLE regress_office_sa;
SELECT multipartner.assign_admin_access(:'ar1', 'regress_office_hd', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_ga;
SELECT multipartner.assign_admin_access(:'ar2', 'regress_office_hd', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_azure_hd', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_office_hd', ARRAY['Security Reader']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_office_hd', '{}'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_office_hd', ARRAY['Helpdesk Administrator', 'Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_office_tech1', ARRAY['Exchange Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'unknown_id', 'regress_office_hd', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.assign_admin_access(:'ar1', 'regress_no_such_role', ARRAY['Helpdesk Administrator']); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, grantee, roles, status)
VALUES (:'ar1', :'contoso_id', 'regress_office_hd', ARRAY[:'role_hd']::uuid[], 'ended'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO multipartner.access_assignment (admin_relationship_id, customer_id, partner_id, grantee, roles)
VALUES (:'ar1', :'contoso_id', :'azure_id', 'regress_office_hd', ARRAY[:'role_hd']::uuid[]); \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.access_assignment SET roles = ARRAY[:'role_exch']::uuid[] WHERE access_assignment_id = :'as1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE multipartner.access_assignment SET grantee = 'regress_office_hd' WHERE access_assignment_id = :'as1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_hd;
SELECT multipartner.end_admin_access(:'as1'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE regress_office_ga;
SELECT multipartner.end_admin_access(:'as1');
UPDATE multipartner.access_assignment SET status = 'active' WHERE access_assignment_id = :'as1'; \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT multipartner.end_admin_access(:'unknown_id'); \echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM multipartner.effective_admin_roles(NULL); \echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
\set ECHO none
\i test/teardown.psql
