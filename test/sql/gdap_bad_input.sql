\i test/setup.psql
-- gdap_bad_input: every GDAP API function with NULLs (22004), unknown roles
-- (23503), names of 0 and 51 characters, durations of 0, 731 and 1.5 days,
-- negative intervals, months or years, roles given twice (23514), an unknown
-- relationship or assignment (42704), an unknown grantee; each refused call
-- is asserted by its SQLSTATE (pg_temp.refused()), and the table state is
-- compared at the end: nothing half-written (test/state.psql says why the
-- state is not compared after each error).
\i test/fixtures.psql
\i test/state.psql
\i test/fixtures_done.psql

SELECT plan(52);

INSERT INTO multipartner.relationship (customer_id, partner_id, status)
VALUES (:'contoso_id', :'office_id', 'active');
SET ROLE regress_office_ga;
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Good one', ARRAY['Helpdesk Administrator'], '30 days') AS ar \gset
SELECT multipartner.create_admin_relationship(:'contoso_id', 'Active one', ARRAY['Helpdesk Administrator'], '30 days') AS ar_act \gset
SELECT multipartner.request_admin_approval(:'ar_act') AS ignored \gset
SET ROLE regress_contoso_ga;
SELECT multipartner.approve_admin_relationship(:'ar_act') AS ignored \gset
SET ROLE regress_office_ga;
SELECT multipartner.assign_admin_access(:'ar_act', 'regress_office_hd', ARRAY['Helpdesk Administrator']) AS as1 \gset
RESET ROLE;
CREATE TEMP TABLE gdap_before AS
SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM multipartner.admin_relationship t) AS d_rel,
       (SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM multipartner.access_assignment t) AS d_as;
GRANT SELECT ON gdap_before TO PUBLIC;

\set cr 'SELECT multipartner.create_admin_relationship'
SET ROLE regress_office_ga;
-- NULLs
SELECT * FROM pg_temp.refused(format($$%s(NULL, 'x', ARRAY['Helpdesk Administrator'])$$, :'cr'), '22004', 'create_admin_relationship(customer_id => NULL)');
SELECT * FROM pg_temp.refused(format($$%s(%L, NULL, ARRAY['Helpdesk Administrator'])$$, :'cr', :'contoso_id'), '22004', 'create_admin_relationship(display_name => NULL)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'x', NULL)$$, :'cr', :'contoso_id'), '22004', 'create_admin_relationship(roles => NULL)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'x', ARRAY['Helpdesk Administrator'], NULL)$$, :'cr', :'contoso_id'), '22004', 'create_admin_relationship(duration => NULL)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'x', ARRAY['Helpdesk Administrator'], '30 days', NULL)$$, :'cr', :'contoso_id'), '22004', 'create_admin_relationship(auto_extend => NULL)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'x', ARRAY['Helpdesk Administrator', NULL])$$, :'cr', :'contoso_id'), '22004', 'create_admin_relationship(roles with a NULL element)');
SELECT * FROM pg_temp.refused(format($$%s(NULL, NULL, NULL, NULL, NULL)$$, :'cr'), '22004', 'create_admin_relationship(all NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.request_admin_approval(NULL)', '22004', 'request_admin_approval(NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.terminate_admin_relationship(NULL)', '22004', 'terminate_admin_relationship(NULL)');
SELECT * FROM pg_temp.refused($$SELECT multipartner.assign_admin_access(NULL, 'regress_office_sa', ARRAY['Helpdesk Administrator'])$$, '22004', 'assign_admin_access(admin_relationship_id => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, NULL, ARRAY['Helpdesk Administrator'])$$, :'ar_act'), '22004', 'assign_admin_access(grantee => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_sa', NULL)$$, :'ar_act'), '22004', 'assign_admin_access(roles => NULL)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_sa', ARRAY[NULL::text])$$, :'ar_act'), '22004', 'assign_admin_access(roles => {NULL})');
SELECT * FROM pg_temp.refused('SELECT multipartner.end_admin_access(NULL)', '22004', 'end_admin_access(NULL)');
SELECT * FROM pg_temp.refused('SELECT * FROM multipartner.effective_admin_roles(NULL)', '22004', 'effective_admin_roles(NULL)');
-- names
SELECT * FROM pg_temp.refused(format($$%s(%L, '', ARRAY['Helpdesk Administrator'])$$, :'cr', :'contoso_id'), '23514', 'display_name of 0 characters');
SELECT * FROM pg_temp.refused(format($$%s(%L, %L, ARRAY['Helpdesk Administrator'])$$, :'cr', :'contoso_id', repeat('x', 51)), '23514', 'display_name of 51 characters');
SELECT * FROM pg_temp.refused(format($$%s(%L, %L, ARRAY['Helpdesk Administrator'])$$, :'cr', :'contoso_id', repeat('é', 51)), '23514', 'display_name of 51 characters (2 bytes each: characters count, not bytes)');
SELECT lives_ok(format($$%s(%L, %L, ARRAY['Helpdesk Administrator'])$$, :'cr', :'contoso_id', repeat('é', 50)), 'display_name of 50 two-byte characters is allowed');
-- durations
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '0 days')$$, :'cr', :'contoso_id'), '23514', 'duration of 0 days');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '731 days')$$, :'cr', :'contoso_id'), '23514', 'duration of 731 days');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '1.5 days')$$, :'cr', :'contoso_id'), '23514', 'duration of 1.5 days');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '-30 days')$$, :'cr', :'contoso_id'), '23514', 'duration of -30 days');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '31 days -1 hours')$$, :'cr', :'contoso_id'), '23514', 'duration with a negative time part');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '1 mon')$$, :'cr', :'contoso_id'), '23514', 'duration of 1 month (only days)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '1 year')$$, :'cr', :'contoso_id'), '23514', 'duration of 1 year (only days)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '24 hours')$$, :'cr', :'contoso_id'), '23514', 'duration of 24 hours (not a whole number of days)');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'd', ARRAY['Helpdesk Administrator'], '730 days 1 second')$$, :'cr', :'contoso_id'), '23514', 'duration of 730 days and a second');
SELECT lives_ok(format($$%s(%L, 'd730', ARRAY['Helpdesk Administrator'], '730 days')$$, :'cr', :'contoso_id'), 'duration of 730 days is allowed');
SELECT lives_ok(format($$%s(%L, 'd1', ARRAY['Helpdesk Administrator'], '1 day')$$, :'cr', :'contoso_id'), 'duration of 1 day is allowed');
-- roles
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY['Helpdesk Admin'])$$, :'cr', :'contoso_id'), '23503', 'an unknown role name');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY['helpdesk administrator'])$$, :'cr', :'contoso_id'), '23503', 'a role name in the wrong case is unknown');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY[%L])$$, :'cr', :'contoso_id', :'unknown_id'), '23503', 'an unknown role id');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY['Helpdesk Administrator', 'Nope'])$$, :'cr', :'contoso_id'), '23503', 'one unknown role among known ones');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', '{}')$$, :'cr', :'contoso_id'), '23514', 'no role');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY['Helpdesk Administrator', 'Helpdesk Administrator'])$$, :'cr', :'contoso_id'), '23514', 'a role named twice');
SELECT * FROM pg_temp.refused(format($$%s(%L, 'r', ARRAY['Helpdesk Administrator', '729827e3-9c14-49f7-bb1b-9608f156bbb8'])$$, :'cr', :'contoso_id'), '23514', 'a role given by name and by id');
-- unknown customer / relationship / assignment
SELECT * FROM pg_temp.refused(format($$%s(%L, 'u', ARRAY['Helpdesk Administrator'])$$, :'cr', :'unknown_id'), 'MP001', 'an unknown customer: no active reseller relationship (MP001)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.request_admin_approval(%L)', :'unknown_id'), '42704', 'request_admin_approval(unknown id)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.terminate_admin_relationship(%L)', :'unknown_id'), '42704', 'terminate_admin_relationship(unknown id)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.end_admin_access(%L)', :'unknown_id'), '42704', 'end_admin_access(unknown id)');
-- the grantee
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 'regress_no_such_role', ARRAY['Helpdesk Administrator'])$$, :'ar_act'), '42704', 'an unknown grantee (regrole input: 42704)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 4000000000::oid::regrole, ARRAY['Helpdesk Administrator'])$$, :'ar_act'), 'MP012', 'a grantee OID no role has (no member of the partner: MP012)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_sa', ARRAY['Nope'])$$, :'ar_act'), '23503', 'assign: an unknown role name (23503)');
SELECT * FROM pg_temp.refused(format($$SELECT multipartner.assign_admin_access(%L, 'regress_office_sa', ARRAY['Helpdesk Administrator', 'Helpdesk Administrator'])$$, :'ar_act'), 'MP012', 'assign: a role twice (MP012)');
RESET ROLE;
SET ROLE regress_contoso_ga;
SELECT * FROM pg_temp.refused('SELECT multipartner.approve_admin_relationship(NULL)', '22004', 'approve_admin_relationship(NULL)');
SELECT * FROM pg_temp.refused('SELECT multipartner.decline_admin_relationship(NULL)', '22004', 'decline_admin_relationship(NULL)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.approve_admin_relationship(%L)', :'unknown_id'), '42704', 'approve_admin_relationship(unknown id)');
SELECT * FROM pg_temp.refused(format('SELECT multipartner.decline_admin_relationship(%L)', :'unknown_id'), '42704', 'decline_admin_relationship(unknown id)');
RESET ROLE;
SELECT is((SELECT (count(*) FILTER (WHERE display_name IN ('d730', 'd1')) = 2
                   AND count(*) FILTER (WHERE display_name = repeat('é', 50)) = 1)
             FROM multipartner.admin_relationship), true, 'the allowed ones were created');
SELECT is((SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM multipartner.admin_relationship t
            WHERE display_name NOT IN ('d730', 'd1', repeat('é', 50))),
          (SELECT d_rel FROM gdap_before), 'the refused calls left every admin relationship as it was, and added none');
SELECT is((SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM multipartner.access_assignment t),
          (SELECT d_as FROM gdap_before), 'the refused calls left the assignments as they were, and added none');
SELECT * FROM finish();
\i test/teardown.psql
