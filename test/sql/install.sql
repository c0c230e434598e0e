\i test/setup.psql
-- install: what CREATE EXTENSION multipartner leaves behind: schema, tables,
-- enums, roles, ownership, least privilege, ENABLE ALWAYS triggers, pinned
-- search_path, nothing for PUBLIC; and that applications cannot switch the
-- rules off.  (A second database of the same cluster: install_second_db.)
\i test/fixtures.psql

SELECT plan(150);

-------------------------------------------------------------------------------
-- The extension and its schema
-------------------------------------------------------------------------------
SELECT has_extension('multipartner', 'the extension multipartner is installed');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'multipartner'),
          'multipartner', 'it lives in schema multipartner');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'multipartner'), false,
          'it is not relocatable');
SELECT is((SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'multipartner'),
          :'ext_owner', 'the schema belongs to the extension owner');
SELECT ok((SELECT rolsuper FROM pg_roles WHERE rolname = :'ext_owner'),
          'the extension owner is a superuser (superuser = true in the control file)');

-------------------------------------------------------------------------------
-- Tables and enums
-------------------------------------------------------------------------------
SELECT has_table('multipartner', 'partner', 'table multipartner.partner exists');
SELECT has_table('multipartner', 'customer', 'table multipartner.customer exists');
SELECT has_table('multipartner', 'partner_member', 'table multipartner.partner_member exists');
SELECT has_table('multipartner', 'customer_member', 'table multipartner.customer_member exists');
SELECT has_table('multipartner', 'relationship', 'table multipartner.relationship exists');
SELECT has_table('multipartner', 'tenant', 'table multipartner.tenant exists');

SELECT enum_has_labels('multipartner', 'cloud', ARRAY['commercial', 'us_government'],
                       'enum cloud: commercial, us_government');
SELECT enum_has_labels('multipartner', 'partner_role',
                       ARRAY['global_admin', 'user_management_admin', 'admin_agent',
                             'sales_agent', 'helpdesk_agent', 'billing_admin'],
                       'enum partner_role: the six Partner Center roles, in order');
SELECT enum_has_labels('multipartner', 'customer_role', ARRAY['global_admin', 'billing_admin', 'reader'],
                       'enum customer_role: global_admin, billing_admin, reader');
SELECT enum_has_labels('multipartner', 'relationship_status',
                       ARRAY['pending', 'active', 'declined', 'expired', 'terminated'],
                       'enum relationship_status: pending, active, declined, expired, terminated');
SELECT enum_has_labels('multipartner', 'partner_status', ARRAY['active', 'suspended'],
                       'enum partner_status: active, suspended');

SELECT col_is_pk('multipartner', 'partner', 'partner_id', 'partner_id is the key of partner');
SELECT col_is_pk('multipartner', 'customer', 'customer_id', 'customer_id is the key of customer');
SELECT col_is_pk('multipartner', 'relationship', 'relationship_id', 'relationship_id is the key of relationship');
SELECT col_is_pk('multipartner', 'tenant', 'tenant_id', 'tenant_id is the key of the tenant registry');
SELECT col_is_unique('multipartner', 'partner', 'csp_tenant_id', 'partner.csp_tenant_id is unique');
SELECT col_is_unique('multipartner', 'customer', 'tenant_id', 'customer.tenant_id is unique');
SELECT col_type_is('multipartner', 'partner_member', 'member', 'regrole', 'partner_member.member is a regrole');
SELECT col_type_is('multipartner', 'customer_member', 'member', 'regrole', 'customer_member.member is a regrole');
SELECT index_is_unique('multipartner', 'relationship', 'relationship_open_key',
                       'relationship_open_key is a unique index');
SELECT is((SELECT pg_get_expr(indpred, indrelid) FROM pg_index
            WHERE indexrelid = 'multipartner.relationship_open_key'::regclass),
          '(status = ANY (ARRAY[''pending''::multipartner.relationship_status, ''active''::multipartner.relationship_status]))',
          'relationship_open_key covers pending and active relationships only');
SELECT ok((SELECT extconfig FROM pg_extension WHERE extname = 'multipartner') @>
          ARRAY['multipartner.partner', 'multipartner.customer', 'multipartner.partner_member',
                'multipartner.customer_member', 'multipartner.relationship',
                'multipartner.tenant']::regclass[]::oid[],
          'pg_dump keeps the rows of the six tables (pg_extension_config_dump)');

-------------------------------------------------------------------------------
-- Roles: created by the install script, NOLOGIN, no attributes
-------------------------------------------------------------------------------
SELECT has_role('multipartner_operator', 'role multipartner_operator exists');
SELECT has_role('multipartner_partner_app', 'role multipartner_partner_app exists');
SELECT has_role('multipartner_customer_app', 'role multipartner_customer_app exists');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'multipartner_operator'), false,
          'multipartner_operator is NOLOGIN');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'multipartner_partner_app'), false,
          'multipartner_partner_app is NOLOGIN');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'multipartner_customer_app'), false,
          'multipartner_customer_app is NOLOGIN');
SELECT is((SELECT array_agg(rolname ORDER BY rolname) FROM pg_roles
            WHERE rolname IN ('multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app')
              AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)),
          NULL, 'none of the three roles has SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS');

-------------------------------------------------------------------------------
-- Ownership: the extension owner owns every relation, never an application
-------------------------------------------------------------------------------
SELECT table_owner_is('multipartner', 'partner', :'ext_owner', 'partner is owned by the extension owner');
SELECT table_owner_is('multipartner', 'customer', :'ext_owner', 'customer is owned by the extension owner');
SELECT table_owner_is('multipartner', 'partner_member', :'ext_owner', 'partner_member is owned by the extension owner');
SELECT table_owner_is('multipartner', 'customer_member', :'ext_owner', 'customer_member is owned by the extension owner');
SELECT table_owner_is('multipartner', 'relationship', :'ext_owner', 'relationship is owned by the extension owner');
SELECT table_owner_is('multipartner', 'tenant', :'ext_owner', 'tenant is owned by the extension owner');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'multipartner'::regnamespace
              AND c.relowner::regrole::text <> :'ext_owner'),
          NULL, 'no relation of the schema belongs to anybody but the extension owner');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND p.proowner::regrole::text <> :'ext_owner'),
          NULL, 'no function of the schema belongs to anybody but the extension owner');

-------------------------------------------------------------------------------
-- Least privilege on tables, as granted by the install script
-------------------------------------------------------------------------------
SELECT table_privs_are('multipartner', 'partner', 'multipartner_operator',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'operator on partner: SELECT, INSERT, UPDATE, DELETE');
SELECT table_privs_are('multipartner', 'customer', 'multipartner_operator',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'operator on customer: SELECT, INSERT, UPDATE, DELETE');
SELECT table_privs_are('multipartner', 'partner_member', 'multipartner_operator',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'operator on partner_member: SELECT, INSERT, UPDATE, DELETE');
SELECT table_privs_are('multipartner', 'customer_member', 'multipartner_operator',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'operator on customer_member: SELECT, INSERT, UPDATE, DELETE');
SELECT table_privs_are('multipartner', 'relationship', 'multipartner_operator',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'],
                       'operator on relationship: SELECT, INSERT, UPDATE, DELETE, TRUNCATE (the trigger refuses the last two: MP007)');
SELECT table_privs_are('multipartner', 'tenant', 'multipartner_operator',
                       ARRAY['SELECT'], 'operator on tenant: SELECT only');

SELECT table_privs_are('multipartner', 'partner', 'multipartner_partner_app',
                       ARRAY['SELECT'], 'partner app on partner: SELECT');
SELECT table_privs_are('multipartner', 'customer', 'multipartner_partner_app',
                       ARRAY['SELECT', 'INSERT'], 'partner app on customer: SELECT, INSERT');
SELECT table_privs_are('multipartner', 'partner_member', 'multipartner_partner_app',
                       ARRAY['SELECT'], 'partner app on partner_member: SELECT');
SELECT table_privs_are('multipartner', 'customer_member', 'multipartner_partner_app',
                       ARRAY[]::name[], 'partner app on customer_member: nothing');
SELECT table_privs_are('multipartner', 'relationship', 'multipartner_partner_app',
                       ARRAY['SELECT', 'INSERT'],
                       'partner app on relationship: SELECT, INSERT on the table (UPDATE column by column, no DELETE: LOCK TABLE is refused)');
SELECT table_privs_are('multipartner', 'tenant', 'multipartner_partner_app',
                       ARRAY[]::name[], 'partner app on tenant: nothing');

SELECT table_privs_are('multipartner', 'partner', 'multipartner_customer_app',
                       ARRAY['SELECT'], 'customer app on partner: SELECT');
SELECT table_privs_are('multipartner', 'customer', 'multipartner_customer_app',
                       ARRAY['SELECT'], 'customer app on customer: SELECT');
SELECT table_privs_are('multipartner', 'partner_member', 'multipartner_customer_app',
                       ARRAY[]::name[], 'customer app on partner_member: nothing');
SELECT table_privs_are('multipartner', 'customer_member', 'multipartner_customer_app',
                       ARRAY['SELECT'], 'customer app on customer_member: SELECT');
SELECT table_privs_are('multipartner', 'relationship', 'multipartner_customer_app',
                       ARRAY['SELECT'],
                       'customer app on relationship: SELECT on the table (UPDATE column by column, no DELETE: LOCK TABLE is refused)');
SELECT table_privs_are('multipartner', 'tenant', 'multipartner_customer_app',
                       ARRAY[]::name[], 'customer app on tenant: nothing');

SELECT table_privs_are('multipartner', 'partner', 'public', ARRAY[]::name[], 'PUBLIC on partner: nothing');
SELECT table_privs_are('multipartner', 'customer', 'public', ARRAY[]::name[], 'PUBLIC on customer: nothing');
SELECT table_privs_are('multipartner', 'partner_member', 'public', ARRAY[]::name[], 'PUBLIC on partner_member: nothing');
SELECT table_privs_are('multipartner', 'customer_member', 'public', ARRAY[]::name[], 'PUBLIC on customer_member: nothing');
SELECT table_privs_are('multipartner', 'relationship', 'public', ARRAY[]::name[], 'PUBLIC on relationship: nothing');
SELECT table_privs_are('multipartner', 'tenant', 'public', ARRAY[]::name[], 'PUBLIC on tenant: nothing');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND (has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                   OR has_any_column_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))),
          NULL, 'PUBLIC has no privilege on any relation (or column) of the schema');
SELECT is((SELECT array_agg(DISTINCT a.privilege_type ORDER BY a.privilege_type) FROM pg_class c,
                  aclexplode(c.relacl) a
            WHERE c.relnamespace = 'multipartner'::regnamespace
              AND a.grantee IN ('multipartner_partner_app'::regrole, 'multipartner_customer_app'::regrole)),
          ARRAY['INSERT', 'SELECT'],
          'the application roles get only SELECT and INSERT on whole relations (never UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER, which LOCK TABLE would accept)');
SELECT is((SELECT array_agg(DISTINCT format('%s.%s', c.relname, a.attname) ORDER BY format('%s.%s', c.relname, a.attname))
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r'
              AND c.relname IN ('relationship', 'subscription')
              AND NOT (has_column_privilege('multipartner_partner_app', c.oid, a.attnum, 'UPDATE')
                       AND has_column_privilege('multipartner_customer_app', c.oid, a.attnum, 'UPDATE'))),
          NULL,
          'the application roles may UPDATE every column of relationship and subscription (the rules decide which change is allowed)');
SELECT is((SELECT array_agg(DISTINCT a.privilege_type ORDER BY a.privilege_type) FROM pg_class c,
                  aclexplode(c.relacl) a
            WHERE c.relnamespace = 'multipartner'::regnamespace
              AND a.grantee = 'multipartner_operator'::regrole
              AND a.privilege_type IN ('REFERENCES', 'TRIGGER')),
          NULL, 'the operator never gets REFERENCES or TRIGGER on any relation');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r'
              AND has_table_privilege('multipartner_operator', c.oid, 'TRUNCATE')
              AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
                                 AND t.tgtype & 32 <> 0 AND t.tgenabled = 'A')),
          NULL, 'wherever the operator may TRUNCATE, an ENABLE ALWAYS TRUNCATE trigger refuses it');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.relnamespace = 'multipartner'::regnamespace AND a.is_grantable
              AND a.grantee <> c.relowner),
          NULL, 'no grant on a relation of the schema is WITH GRANT OPTION');

SELECT schema_privs_are('multipartner', 'multipartner_operator', ARRAY['USAGE'], 'operator on the schema: USAGE only');
SELECT schema_privs_are('multipartner', 'multipartner_partner_app', ARRAY['USAGE'], 'partner app on the schema: USAGE only');
SELECT schema_privs_are('multipartner', 'multipartner_customer_app', ARRAY['USAGE'], 'customer app on the schema: USAGE only');
SELECT schema_privs_are('multipartner', 'public', ARRAY[]::name[], 'PUBLIC on the schema: nothing');

-------------------------------------------------------------------------------
-- Functions: who may execute them, and pinned search_path
-------------------------------------------------------------------------------
SELECT has_function('multipartner', 'acting_partner', ARRAY[]::name[], 'acting_partner() exists');
SELECT has_function('multipartner', 'is_operator', ARRAY[]::name[], 'is_operator() exists');
SELECT has_function('multipartner', 'create_customer', ARRAY['uuid', 'text', 'multipartner.cloud'],
                    'create_customer(uuid, text, cloud) exists');
SELECT has_function('multipartner', 'request_relationship', ARRAY['uuid', 'boolean'],
                    'request_relationship(uuid, boolean) exists');
SELECT has_function('multipartner', 'accept_relationship', ARRAY['uuid'], 'accept_relationship(uuid) exists');
SELECT has_function('multipartner', 'decline_relationship', ARRAY['uuid'], 'decline_relationship(uuid) exists');
SELECT has_function('multipartner', 'revoke_delegated_admin', ARRAY['uuid'], 'revoke_delegated_admin(uuid) exists');
SELECT has_function('multipartner', 'terminate_relationship', ARRAY['uuid'], 'terminate_relationship(uuid) exists');
SELECT has_function('multipartner', 'expire_relationships', ARRAY[]::name[], 'expire_relationships() exists');
SELECT has_function('multipartner', 'effective_status', ARRAY['multipartner.relationship'],
                    'effective_status(relationship) exists');
SELECT is((SELECT pg_get_function_arguments('multipartner.request_relationship(uuid, boolean)'::regprocedure)),
          'customer_id uuid, delegated_admin boolean DEFAULT true',
          'request_relationship: delegated_admin defaults to true');

SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND p.proname IN ('create_customer', 'request_relationship', 'accept_relationship',
                                'decline_relationship', 'revoke_delegated_admin',
                                'terminate_relationship', 'expire_relationships')
              AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp']),
          ARRAY['multipartner.accept_relationship(uuid)', 'multipartner.accept_relationship(uuid,uuid)',
                'multipartner.create_customer(uuid,text,multipartner.cloud)',
                'multipartner.decline_relationship(uuid)', 'multipartner.decline_relationship(uuid,uuid)',
                'multipartner.expire_relationships()', 'multipartner.request_relationship(uuid,boolean)',
                'multipartner.revoke_delegated_admin(uuid)', 'multipartner.revoke_delegated_admin(uuid,uuid)',
                'multipartner.terminate_relationship(uuid)', 'multipartner.terminate_relationship(uuid,uuid)'],
          'the seven API functions and their overloads by customer (0.9) pin search_path = pg_catalog, pg_temp');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace AND p.prosecdef
              AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
          NULL, 'every SECURITY DEFINER function of the schema (if any) pins search_path');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND p.proname IN ('create_customer', 'request_relationship', 'accept_relationship',
                                'decline_relationship', 'revoke_delegated_admin',
                                'terminate_relationship', 'expire_relationships',
                                'acting_partner', 'is_operator', 'effective_status')
              AND p.prosecdef),
          NULL, 'the API and identity functions are SECURITY INVOKER');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND has_function_privilege('public', p.oid, 'EXECUTE')),
          NULL, 'PUBLIC may execute no function of the schema');

-- EXECUTE, function by function and role by role
SELECT function_privs_are('multipartner', 'acting_partner', ARRAY[]::name[], 'multipartner_operator', ARRAY['EXECUTE'],
                          'operator may execute acting_partner()');
SELECT function_privs_are('multipartner', 'acting_partner', ARRAY[]::name[], 'multipartner_partner_app', ARRAY['EXECUTE'],
                          'partner app may execute acting_partner()');
SELECT function_privs_are('multipartner', 'acting_partner', ARRAY[]::name[], 'multipartner_customer_app', ARRAY['EXECUTE'],
                          'customer app may execute acting_partner()');
SELECT function_privs_are('multipartner', 'is_operator', ARRAY[]::name[], 'multipartner_operator', ARRAY['EXECUTE'],
                          'operator may execute is_operator()');
SELECT function_privs_are('multipartner', 'is_operator', ARRAY[]::name[], 'multipartner_partner_app', ARRAY['EXECUTE'],
                          'partner app may execute is_operator()');
SELECT function_privs_are('multipartner', 'is_operator', ARRAY[]::name[], 'multipartner_customer_app', ARRAY['EXECUTE'],
                          'customer app may execute is_operator()');
SELECT function_privs_are('multipartner', 'effective_status', ARRAY['multipartner.relationship'], 'multipartner_operator',
                          ARRAY['EXECUTE'], 'operator may execute effective_status()');
SELECT function_privs_are('multipartner', 'effective_status', ARRAY['multipartner.relationship'], 'multipartner_partner_app',
                          ARRAY['EXECUTE'], 'partner app may execute effective_status()');
SELECT function_privs_are('multipartner', 'effective_status', ARRAY['multipartner.relationship'], 'multipartner_customer_app',
                          ARRAY['EXECUTE'], 'customer app may execute effective_status()');
SELECT function_privs_are('multipartner', 'create_customer', ARRAY['uuid', 'text', 'multipartner.cloud'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute create_customer()');
SELECT function_privs_are('multipartner', 'create_customer', ARRAY['uuid', 'text', 'multipartner.cloud'],
                          'multipartner_partner_app', ARRAY['EXECUTE'], 'partner app may execute create_customer()');
SELECT function_privs_are('multipartner', 'create_customer', ARRAY['uuid', 'text', 'multipartner.cloud'],
                          'multipartner_customer_app', ARRAY[]::name[], 'customer app may not execute create_customer()');
SELECT function_privs_are('multipartner', 'request_relationship', ARRAY['uuid', 'boolean'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute request_relationship()');
SELECT function_privs_are('multipartner', 'request_relationship', ARRAY['uuid', 'boolean'],
                          'multipartner_partner_app', ARRAY['EXECUTE'], 'partner app may execute request_relationship()');
SELECT function_privs_are('multipartner', 'request_relationship', ARRAY['uuid', 'boolean'],
                          'multipartner_customer_app', ARRAY[]::name[], 'customer app may not execute request_relationship()');
SELECT function_privs_are('multipartner', 'accept_relationship', ARRAY['uuid'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute accept_relationship()');
SELECT function_privs_are('multipartner', 'accept_relationship', ARRAY['uuid'],
                          'multipartner_partner_app', ARRAY[]::name[], 'partner app may not execute accept_relationship()');
SELECT function_privs_are('multipartner', 'accept_relationship', ARRAY['uuid'],
                          'multipartner_customer_app', ARRAY['EXECUTE'], 'customer app may execute accept_relationship()');
SELECT function_privs_are('multipartner', 'decline_relationship', ARRAY['uuid'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute decline_relationship()');
SELECT function_privs_are('multipartner', 'decline_relationship', ARRAY['uuid'],
                          'multipartner_partner_app', ARRAY[]::name[], 'partner app may not execute decline_relationship()');
SELECT function_privs_are('multipartner', 'decline_relationship', ARRAY['uuid'],
                          'multipartner_customer_app', ARRAY['EXECUTE'], 'customer app may execute decline_relationship()');
SELECT function_privs_are('multipartner', 'revoke_delegated_admin', ARRAY['uuid'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute revoke_delegated_admin()');
SELECT function_privs_are('multipartner', 'revoke_delegated_admin', ARRAY['uuid'],
                          'multipartner_partner_app', ARRAY['EXECUTE'], 'partner app may execute revoke_delegated_admin()');
SELECT function_privs_are('multipartner', 'revoke_delegated_admin', ARRAY['uuid'],
                          'multipartner_customer_app', ARRAY['EXECUTE'], 'customer app may execute revoke_delegated_admin()');
SELECT function_privs_are('multipartner', 'terminate_relationship', ARRAY['uuid'],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute terminate_relationship()');
SELECT function_privs_are('multipartner', 'terminate_relationship', ARRAY['uuid'],
                          'multipartner_partner_app', ARRAY['EXECUTE'], 'partner app may execute terminate_relationship()');
SELECT function_privs_are('multipartner', 'terminate_relationship', ARRAY['uuid'],
                          'multipartner_customer_app', ARRAY[]::name[], 'customer app may not execute terminate_relationship()');
SELECT function_privs_are('multipartner', 'expire_relationships', ARRAY[]::name[],
                          'multipartner_operator', ARRAY['EXECUTE'], 'operator may execute expire_relationships()');
SELECT function_privs_are('multipartner', 'expire_relationships', ARRAY[]::name[],
                          'multipartner_partner_app', ARRAY[]::name[], 'partner app may not execute expire_relationships()');
SELECT function_privs_are('multipartner', 'expire_relationships', ARRAY[]::name[],
                          'multipartner_customer_app', ARRAY[]::name[], 'customer app may not execute expire_relationships()');
SELECT is((SELECT array_agg(p.proname::text || ' to ' || r.rolname ORDER BY p.proname, r.rolname)
             FROM pg_proc p CROSS JOIN pg_roles r
            WHERE p.pronamespace = 'multipartner'::regnamespace
              AND p.prorettype = 'trigger'::regtype
              AND r.rolname IN ('multipartner_operator', 'multipartner_partner_app', 'multipartner_customer_app')
              AND has_function_privilege(r.oid, p.oid, 'EXECUTE')),
          NULL, 'nobody is granted EXECUTE on the trigger functions');

-------------------------------------------------------------------------------
-- Triggers: present, and every one of them ENABLE ALWAYS
-------------------------------------------------------------------------------
SELECT has_trigger('multipartner', 'partner', 'partner_guard', 'partner has trigger partner_guard');
SELECT has_trigger('multipartner', 'partner', 'partner_forbid_truncate', 'partner has trigger partner_forbid_truncate');
SELECT has_trigger('multipartner', 'customer', 'customer_guard', 'customer has trigger customer_guard');
SELECT has_trigger('multipartner', 'customer', 'customer_forbid_truncate', 'customer has trigger customer_forbid_truncate');
SELECT has_trigger('multipartner', 'relationship', 'relationship_guard', 'relationship has trigger relationship_guard');
SELECT has_trigger('multipartner', 'relationship', 'relationship_forbid_truncate',
                   'relationship has trigger relationship_forbid_truncate');
SELECT has_trigger('multipartner', 'tenant', 'tenant_forbid_truncate', 'tenant has trigger tenant_forbid_truncate');
SELECT has_trigger('multipartner', 'partner_member', 'partner_member_changed',
                   'partner_member has trigger partner_member_changed');
SELECT has_trigger('multipartner', 'customer_member', 'customer_member_changed',
                   'customer_member has trigger customer_member_changed');
SELECT has_trigger('multipartner', 'customer', 'tenant_registry_relationship',
                   'customer has trigger tenant_registry_relationship');
SELECT is((SELECT (tgconstraint <> 0, tgdeferrable, tginitdeferred, tgenabled)::text FROM pg_trigger
            WHERE tgrelid = 'multipartner.customer'::regclass AND tgname = 'tenant_registry_relationship'),
          '(t,t,t,A)', 'tenant_registry_relationship is a constraint trigger, DEFERRABLE INITIALLY DEFERRED, ENABLE ALWAYS');
SELECT trigger_is('multipartner', 'relationship', 'relationship_guard', 'multipartner', 'relationship_guard',
                  'relationship_guard calls multipartner.relationship_guard()');
SELECT is((SELECT array_agg(c.relname || '.' || t.tgname ORDER BY c.relname, t.tgname)
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = 'multipartner'::regnamespace AND NOT t.tgisinternal
              AND t.tgenabled <> 'A'),
          NULL, 'every trigger on the tables of the schema is ENABLE ALWAYS');
SELECT cmp_ok((SELECT count(*)::int FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = 'multipartner'::regnamespace AND NOT t.tgisinternal
                  AND t.tgenabled = 'A'), '>=', 9,
              'at least the nine triggers of the relationship rules are ENABLE ALWAYS');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
             FROM pg_class c
            WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r'
              AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
                                 AND t.tgtype & 32 <> 0 AND t.tgenabled = 'A')),
          NULL, 'every table of the schema has an ENABLE ALWAYS TRUNCATE trigger');

-------------------------------------------------------------------------------
-- Nobody but the owner can switch the rules off
-------------------------------------------------------------------------------
SET ROLE regress_office_ga;
SELECT throws_ok('ALTER TABLE multipartner.relationship DISABLE TRIGGER relationship_guard', '42501', NULL,
                 'a partner role cannot disable a trigger');
SELECT throws_ok('DROP TABLE multipartner.relationship', '42501', NULL,
                 'a partner role cannot drop a table');
SELECT throws_ok('TRUNCATE multipartner.relationship', '42501', NULL,
                 'a partner role cannot truncate a table');
SELECT throws_ok('SET session_replication_role = replica', '42501', NULL,
                 'a partner role cannot set session_replication_role');
SELECT throws_ok('CREATE TABLE multipartner.regress_t (i int)', '42501', NULL,
                 'a partner role cannot create objects in the schema');
SET ROLE regress_contoso_ga;
SELECT throws_ok('ALTER TABLE multipartner.relationship DISABLE TRIGGER ALL', '42501', NULL,
                 'a customer role cannot disable triggers');
SET ROLE regress_operator;
SELECT throws_ok('ALTER TABLE multipartner.partner DISABLE TRIGGER partner_guard', '42501', NULL,
                 'an operator cannot disable a trigger');
SELECT throws_ok('ALTER TABLE multipartner.relationship ENABLE REPLICA TRIGGER relationship_guard', '42501', NULL,
                 'an operator cannot make a trigger REPLICA-only');
SELECT throws_ok('DROP TRIGGER relationship_guard ON multipartner.relationship', '42501', NULL,
                 'an operator cannot drop a trigger');
SELECT throws_ok('TRUNCATE multipartner.partner_member', '42501', NULL,
                 'an operator cannot truncate a table');
SELECT throws_ok('CREATE FUNCTION multipartner.regress_f() RETURNS int LANGUAGE sql AS ''SELECT 1''', '42501', NULL,
                 'an operator cannot create objects in the schema');
RESET ROLE;

-- Even with session_replication_role = replica the triggers fire.
SET LOCAL session_replication_role = replica;
SELECT throws_ok('TRUNCATE multipartner.tenant', 'MP007', NULL,
                 'replica mode: the TRUNCATE trigger still fires');
SELECT throws_ok(format('INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, %L)',
                        :'office_csp', 'Sneaky', 'commercial'),
                 'MP005', NULL, 'replica mode: the row triggers still fire');
SET LOCAL session_replication_role = origin;

SELECT * FROM finish();
ROLLBACK;
