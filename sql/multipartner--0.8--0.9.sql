/* sql/multipartner--0.8--0.9.sql: upgrade multipartner from 0.8 to 0.9 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.9'" to load this file. \quit

/*
 * 0.9 makes the schema distributable with Citus (SPEC §11, issue 15): keys
 * that include the distribution column, policies without subqueries, stamps
 * that the node judging the row fills in, and multipartner.distribute().
 * On a single node every rule, message and visible row stays as in 0.8.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.9'::pg_catalog.text$$;

-------------------------------------------------------------------------------
-- distribute() (Citus, SPEC §11)
-------------------------------------------------------------------------------

/*
 * The member trigger binds the role of each member row it sees (see
 * partner_member above).  Rows loaded with the triggers switched off (a bulk
 * load by a superuser, as the benchmark does) have roles nobody bound, and
 * count for nobody: this function binds the
 * existing roles of member rows that are not bound yet, as the upgrade to
 * 0.4 did for the rows already there.  Rows whose role no longer exists
 * are left alone (they count for nobody).  Each grant locks its role until
 * the transaction ends, so thousands of roles in one transaction can exceed
 * the lock table: max_roles binds that many at most, and a caller repeats
 * the call, each in its own transaction, until it returns 0.  It returns
 * how many roles (per member table) it bound.  Granting on the extension's
 * types is the owner's, so it is for superusers only.
 *
 * On Citus the grants are per node (distribute() runs this on every node),
 * and a node's customer_role binds the roles of the customer_member rows of
 * its own shards: the rows it judges, where the member trigger binds and
 * unbinds (identity.c).  So there the customer rows are read from the node's
 * shards, and a customer role bound on the node with no row there (bound
 * before distribute(), or before a shard moved away) is unbound (REVOKE
 * takes no lock on the role; not counted in the result): else DROP ROLE
 * would be refused on that node after the role's last row went.
 */
CREATE OR REPLACE FUNCTION multipartner.bind_member_roles(max_roles integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $bind$
DECLARE
    r record;
    n integer := 0;
    shards text[];
    customer_members pg_catalog.oid[] := '{}';
    more pg_catalog.oid[];
    distributed boolean := false;
    stale text;
BEGIN
    IF NOT (SELECT a.rolsuper FROM pg_catalog.pg_roles a
             WHERE a.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for function bind_member_roles'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may grant on the extension''s member types.';
    END IF;
    IF max_roles OPERATOR(pg_catalog.<) 1 THEN
        RAISE EXCEPTION 'max_roles must be at least 1'
              USING ERRCODE = '22023';
    END IF;
    -- the customer rows this node judges: on Citus, once customer_member is
    -- distributed, those of its own shards (Citus's catalogs read by EXECUTE:
    -- they exist only with Citus); else the table's
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE $q$ SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition d
                                    WHERE d.logicalrelid OPERATOR(pg_catalog.=) 'multipartner.customer_member'::pg_catalog.regclass
                                      AND d.partmethod OPERATOR(pg_catalog.=) 'h') $q$
           INTO distributed;
    END IF;
    IF distributed THEN
        -- its shards with a placement here (none on the coordinator)
        EXECUTE $q$
            SELECT coalesce(pg_catalog.array_agg(pg_catalog.shard_name(s.logicalrelid, s.shardid)::pg_catalog.text), '{}')
              FROM pg_catalog.pg_dist_shard s
              JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
             WHERE s.logicalrelid OPERATOR(pg_catalog.=) 'multipartner.customer_member'::pg_catalog.regclass
               AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) $q$
           INTO shards;
    ELSE
        shards := ARRAY['multipartner.customer_member'];
    END IF;
    FOR r IN SELECT pg_catalog.unnest(shards) AS rel
    LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(DISTINCT m.member::pg_catalog.oid) FROM %s m', r.rel)
           INTO more;
        customer_members := customer_members OPERATOR(pg_catalog.||) coalesce(more, '{}');
    END LOOP;
    -- one GRANT per member type for all its roles: one rewrite of the type's ACL
    FOR r IN WITH bound AS (
                 -- the roles each member type binds now, read once
                 SELECT t.typname::pg_catalog.text AS typ, x.grantee
                   FROM pg_catalog.pg_type t, pg_catalog.aclexplode(t.typacl) x
                  WHERE t.typnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                    AND t.typname OPERATOR(pg_catalog.=) ANY (ARRAY['partner_role', 'customer_role']::pg_catalog.name[])
                    AND x.privilege_type OPERATOR(pg_catalog.=) 'USAGE'),
             unbound AS (
                 SELECT u.typ, u.member
                   FROM (SELECT DISTINCT 'partner_role' AS typ, m.member::pg_catalog.oid AS member
                           FROM multipartner.partner_member m
                         UNION
                         SELECT 'customer_role', c.member
                           FROM pg_catalog.unnest(customer_members) c(member)) u
                  WHERE EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) u.member)
                    AND NOT EXISTS (SELECT FROM bound b
                                     WHERE b.typ OPERATOR(pg_catalog.=) u.typ
                                       AND b.grantee OPERATOR(pg_catalog.=) u.member)
                  ORDER BY 1, 2
                  LIMIT max_roles)
             SELECT w.typ, pg_catalog.string_agg(w.member::pg_catalog.regrole::pg_catalog.text, ', ') AS members,
                    pg_catalog.count(*)::integer AS roles
               FROM unbound w GROUP BY w.typ
    LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON TYPE multipartner.%I TO %s', r.typ, r.members);
        n := n OPERATOR(pg_catalog.+) r.roles;
    END LOOP;
    -- on Citus: the customer roles bound here with no customer row here
    -- (on one node the trigger unbinds a role with its last row)
    IF NOT distributed THEN
        RETURN n;
    END IF;
    SELECT pg_catalog.string_agg(x.grantee::pg_catalog.regrole::pg_catalog.text, ', ') INTO stale
      FROM pg_catalog.pg_type t, pg_catalog.aclexplode(t.typacl) x
     WHERE t.oid OPERATOR(pg_catalog.=) 'multipartner.customer_role'::pg_catalog.regtype
       AND x.privilege_type OPERATOR(pg_catalog.=) 'USAGE'
       AND x.grantee OPERATOR(pg_catalog.<>) t.typowner
       AND x.grantee OPERATOR(pg_catalog.<>) 0
       AND EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) x.grantee)
       AND x.grantee OPERATOR(pg_catalog.<>) ALL (customer_members);
    IF stale IS NOT NULL THEN
        EXECUTE pg_catalog.format('REVOKE USAGE ON TYPE multipartner.customer_role FROM %s', stale);
    END IF;
    RETURN n;
END
$bind$;
COMMENT ON FUNCTION multipartner.bind_member_roles(integer) IS
    'superusers: bind the roles of member rows loaded with the triggers off to their member type, at most max_roles of them (NULL: all); returns how many it bound, 0 when none is left; on Citus per node: the customer rows of the node''s shards, a customer role with none there unbound';


/*
 * multipartner.distribute(): from a single-node install to a distributed one
 * on a Citus coordinator with workers (SPEC §11; since 0.9, issue 15).  A
 * procedure, because its last phase runs on every node after the commit of
 * the distributing transaction: CALL multipartner.distribute(), as a
 * superuser, on the coordinator, outside a transaction block.
 *
 * Phase 0 checks and refuses (55000, with a hint) unless Citus is ready: this
 * node is the coordinator and in the metadata, workers are registered, every
 * node runs with the settings of README "Running on Citus", every worker has
 * multipartner of this version (it is created there when absent) with no row
 * of its own in its tables (a worker's tables become the shells of the
 * distributed ones, whose rows nobody would see again) and every role named
 * by a member row.
 *
 * Phase A brings each worker's tables into the distributed shape, each in a
 * transaction of its own (idempotent): Citus makes no shell table for an
 * extension's table on a worker, it uses the one the worker's own CREATE
 * EXTENSION made, and propagates to it only what is run after distribution.
 *
 * Phase B, one transaction on the coordinator, with writers locked out
 * (EXCLUSIVE: reads go on): the foreign keys saved and dropped (Citus cannot
 * distribute the graph one table at a time), the same shape locally, the row
 * triggers switched off so that Citus's copy of the rows into the shards is
 * neither judged again nor audited (the rows were judged when written), the
 * rows naming a role (regrole: Citus copies it as an OID, and role OIDs
 * differ from node to node) taken out and put back by name, the tables
 * distributed (partner, partner_member, admin_role and admin_relationship_name
 * as reference tables;
 * customer by customer_id and every customer-keyed table co-located with it;
 * the tenant registry by tenant_id; audit_log by audit_key), the local copies
 * Citus leaves on the coordinator truncated, the foreign keys and the
 * triggers back, ENABLE ALWAYS.
 *
 * Phase C, after the commit, on every node: the foreign keys' internal
 * triggers ENABLE ALWAYS (their names are per node and per shard, so Citus
 * cannot propagate that), and the member roles bound on each node
 * (bind_member_roles(): the USAGE grants are per node).
 */
CREATE PROCEDURE multipartner.distribute()
LANGUAGE plpgsql
AS $distribute$
DECLARE
    -- in the order they are distributed: reference tables, customer, co-located
    reference_tables CONSTANT text[] := ARRAY['partner', 'partner_member', 'admin_role', 'admin_relationship_name'];
    customer_tables CONSTANT text[] := ARRAY['customer', 'customer_member', 'relationship',
        'subscription', 'admin_relationship', 'access_assignment', 'expiry_notice', 'tenant', 'audit_log'];
    all_tables text[];
    -- the tables whose rows name a role (regrole columns)
    role_tables CONSTANT text[] := ARRAY['partner_member', 'customer_member', 'access_assignment'];
    -- the node's tables in the distributed shape; idempotent, run on every node
    shape CONSTANT text := $shape$
        DO $do$
        DECLARE
            r record;
        BEGIN
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
            FOR r IN SELECT c.conrelid::pg_catalog.regclass AS rel, c.conname
                       FROM pg_catalog.pg_constraint c
                      WHERE c.connamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                        AND c.contype OPERATOR(pg_catalog.=) 'f'
                      ORDER BY 1, 2
            LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
            END LOOP;
            -- tenant uniqueness is the tenant registry's (distributed by tenant_id)
            ALTER TABLE multipartner.customer DROP CONSTRAINT IF EXISTS customer_tenant_id_key;
            CREATE INDEX IF NOT EXISTS customer_tenant_id_idx ON multipartner.customer (tenant_id);
            -- keys that include the distribution column; the by-id lookups keep an index
            FOR r IN SELECT * FROM (VALUES ('relationship', 'relationship_pkey', 'customer_id, relationship_id', 'relationship_id'),
                                           ('subscription', 'subscription_pkey', 'customer_id, subscription_id', 'subscription_id'),
                                           ('audit_log', 'audit_log_pkey', 'audit_key, event_id', NULL))
                                  v(tbl, con, cols, id)
            LOOP
                IF (SELECT pg_catalog.array_length(c.conkey, 1) FROM pg_catalog.pg_constraint c
                     WHERE c.conrelid OPERATOR(pg_catalog.=) ('multipartner.' OPERATOR(pg_catalog.||) r.tbl)::pg_catalog.regclass
                       AND c.conname OPERATOR(pg_catalog.=) r.con) OPERATOR(pg_catalog.=) 1 THEN
                    EXECUTE pg_catalog.format('ALTER TABLE multipartner.%I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%s)',
                                              r.tbl, r.con, r.con, r.cols);
                END IF;
                IF r.id IS NOT NULL THEN
                    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS %I ON multipartner.%I (%I)',
                                              r.id OPERATOR(pg_catalog.||) '_idx', r.tbl, r.id);
                END IF;
            END LOOP;
        END
        $do$
    $shape$;
    -- every foreign key's internal trigger of the schema's relations (shards too) ENABLE ALWAYS, on one node
    fk_always CONSTANT text := $fk$
        DO $do$
        DECLARE
            t record;
        BEGIN
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
            FOR t IN SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
                       FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
                      WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
                        AND tg.tgisinternal AND tg.tgconstraint OPERATOR(pg_catalog.<>) 0
                        AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
            LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
            END LOOP;
        END
        $do$
    $fk$;
    r record;
    done integer;
    tbl text;
    cols text;
    vals text;
    rows_before bigint[] := '{}';
    n bigint;
    coordinator boolean;
    finish_only boolean;
    quiet text;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    all_tables := reference_tables OPERATOR(pg_catalog.||) customer_tables;

    ---------------------------------------------------------------- Phase 0
    IF NOT (SELECT a.rolsuper FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for procedure distribute'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may distribute the extension''s tables.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
              USING ERRCODE = '55000',
                    HINT = 'Run CREATE EXTENSION citus in this database on every node, then register the workers with citus_add_node() on the coordinator.';
    END IF;
    EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_partition p
              WHERE p.logicalrelid OPERATOR(pg_catalog.=) ANY (
                    SELECT (''multipartner.'' OPERATOR(pg_catalog.||) t)::pg_catalog.regclass FROM pg_catalog.unnest($1) t)'
       INTO done USING all_tables;
    finish_only := done OPERATOR(pg_catalog.=) pg_catalog.cardinality(all_tables);
    IF finish_only THEN
        -- only the last phase again (it is what a failed run asks to finish)
        RAISE NOTICE 'the tables of multipartner are distributed already';
    ELSIF done OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'the tables of multipartner are partly distributed'
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('%s of its %s tables are Citus tables.', done, pg_catalog.cardinality(all_tables)),
                    HINT = 'multipartner.distribute() distributes them all at once; undo the hand-made distribution first.';
    END IF;
    EXECUTE 'SELECT (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) OPERATOR(pg_catalog.=) 0
                AND EXISTS (SELECT FROM pg_catalog.pg_dist_node n WHERE n.groupid OPERATOR(pg_catalog.=) 0)'
       INTO coordinator;
    IF NOT coordinator THEN
        RAISE EXCEPTION 'multipartner.distribute() must run on the coordinator, registered in the Citus metadata'
              USING ERRCODE = '55000',
                    HINT = 'Run it on the coordinator, after SELECT citus_set_coordinator_host(...) there.';
    END IF;
    EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_node n
              WHERE n.groupid OPERATOR(pg_catalog.<>) 0 AND n.noderole OPERATOR(pg_catalog.=) ''primary'' AND n.isactive'
       INTO done;
    IF done OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'no worker node is registered'
              USING ERRCODE = '55000',
                    HINT = 'Register the workers with SELECT citus_add_node(host, port) on the coordinator.';
    END IF;
    IF NOT finish_only THEN
    -- the settings every node must run with (README "Running on Citus")
    FOR r IN EXECUTE $q$
        SELECT s.setting, s.wanted, pg_catalog.string_agg(n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) n.nodeport, ', '
                                                          ORDER BY n.nodeport) AS nodes
          FROM (VALUES ('citus.enable_unsafe_triggers', 'on'), ('citus.enable_binary_protocol', 'off'),
                       ('citus.allow_nested_distributed_execution', 'off')) s(setting, wanted),
               LATERAL pg_catalog.run_command_on_all_nodes('SHOW ' OPERATOR(pg_catalog.||) s.setting) c
               JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success OR c.result OPERATOR(pg_catalog.<>) s.wanted
         GROUP BY 1, 2 ORDER BY 1 $q$
    LOOP
        RAISE EXCEPTION 'setting "%" must be "%" on every node', r.setting, r.wanted
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('It is not on %s.', r.nodes),
                    HINT = 'Set it in postgresql.conf of every node (README "Running on Citus") and reload.';
    END LOOP;
    FOR r IN EXECUTE $q$
        SELECT pg_catalog.string_agg(n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) n.nodeport, ', ' ORDER BY n.nodeport) AS nodes
          FROM pg_catalog.run_command_on_all_nodes('SHOW max_prepared_transactions') c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success OR c.result OPERATOR(pg_catalog.=) '0'
        HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 $q$
    LOOP
        RAISE EXCEPTION 'setting "max_prepared_transactions" must be above 0 on every node'
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('It is not on %s.', r.nodes),
                    HINT = 'Writes to reference tables and to several shards commit in two phases.';
    END LOOP;
    -- multipartner on every worker, at this version, with empty tables
    -- (created where absent; a failure shows in the version check that follows)
    PERFORM FROM pg_catalog.run_command_on_workers(
            pg_catalog.format('SET citus.enable_ddl_propagation = off; CREATE EXTENSION IF NOT EXISTS multipartner VERSION %L',
                              multipartner.schema_version()));
    FOR r IN EXECUTE $q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(
               $c$SELECT coalesce((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'multipartner'), 'none')$c$) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) multipartner.schema_version()
         ORDER BY 2 $q$
    LOOP
        RAISE EXCEPTION 'the worker %:% has multipartner %, not %', r.nodename, r.nodeport, r.result, multipartner.schema_version()
              USING ERRCODE = '55000',
                    HINT = 'Install the same version of the extension''s files on every node and run ALTER EXTENSION multipartner UPDATE there.';
    END LOOP;
    -- (admin_role holds the rows CREATE EXTENSION seeds on every node)
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(%L) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) ''
         ORDER BY 2 $q$,
        'SELECT concat_ws('', ''' OPERATOR(pg_catalog.||)
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    ', CASE WHEN EXISTS (SELECT FROM multipartner.%I) THEN %L END', t, t), '' ORDER BY o)
           FROM pg_catalog.unnest(all_tables) WITH ORDINALITY u(t, o)
          WHERE t OPERATOR(pg_catalog.<>) 'admin_role') OPERATOR(pg_catalog.||) ')')
    LOOP
        RAISE EXCEPTION 'the worker %:% has rows in multipartner''s tables', r.nodename, r.nodeport
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('Tables with rows there: %s.', r.result),
                    HINT = 'A worker''s own tables become the shells of the distributed ones and their rows would be lost; write only through the coordinator''s install.';
    END LOOP;
    -- the roles member rows name, by name, on every worker
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT w.nodename, w.nodeport, w.result
          FROM pg_catalog.run_command_on_workers(%L) w
         WHERE NOT w.success OR w.result OPERATOR(pg_catalog.<>) ''
         ORDER BY 2 $q$,
        pg_catalog.format($c$SELECT coalesce(string_agg(quote_ident(n), ', ' ORDER BY n), '')
                                FROM unnest(%L::text[]) n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.rolname = n)$c$,
            (SELECT pg_catalog.array_agg(DISTINCT a.rolname::text)
               FROM pg_catalog.pg_roles a
              WHERE a.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.member FROM multipartner.partner_member m
                                                            UNION SELECT m.member FROM multipartner.customer_member m
                                                            UNION SELECT g.grantee FROM multipartner.access_assignment g)::pg_catalog.oid[]))))
    LOOP
        RAISE EXCEPTION 'the worker %:% lacks roles that member rows name', r.nodename, r.nodeport
              USING ERRCODE = '55000',
                    DETAIL = pg_catalog.format('Missing there: %s.', r.result),
                    HINT = 'Create every application role on every node (Citus propagates the roles created after CREATE EXTENSION citus, not older ones).';
    END LOOP;

    ---------------------------------------------------------------- Phase A
    FOR r IN EXECUTE pg_catalog.format('SELECT w.nodename, w.nodeport, w.result FROM pg_catalog.run_command_on_workers(%L) w
                                         WHERE NOT w.success ORDER BY 2', shape)
    LOOP
        RAISE EXCEPTION 'could not prepare the tables of the worker %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result;
    END LOOP;

    ---------------------------------------------------------------- Phase B
    -- foreign keys to reference tables need one connection per node for the whole transaction
    PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- nobody writes while a trigger is off: EXCLUSIVE blocks writers, not readers
    LOCK TABLE multipartner.partner, multipartner.partner_member, multipartner.admin_role,
         multipartner.customer, multipartner.customer_member, multipartner.relationship,
         multipartner.subscription, multipartner.admin_relationship, multipartner.access_assignment,
         multipartner.expiry_notice, multipartner.tenant, multipartner.audit_log,
         multipartner.admin_relationship_name IN EXCLUSIVE MODE;
    FOREACH tbl IN ARRAY all_tables LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM multipartner.%I', tbl) INTO n;
        rows_before := rows_before OPERATOR(pg_catalog.||) n;
    END LOOP;
    CREATE TEMP TABLE mp_distribute_fk ON COMMIT DROP AS
        SELECT c.conrelid::pg_catalog.regclass::pg_catalog.text AS rel, c.conname::pg_catalog.text AS conname,
               pg_catalog.pg_get_constraintdef(c.oid) AS def
          FROM pg_catalog.pg_constraint c
         WHERE c.connamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND c.contype OPERATOR(pg_catalog.=) 'f';
    EXECUTE shape;
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'on', true);
    CREATE TEMP TABLE mp_distribute_tg ON COMMIT DROP AS
        SELECT tg.tgrelid::pg_catalog.regclass::pg_catalog.text AS rel, tg.tgname::pg_catalog.text AS tgname,
               (tg.tgtype::integer OPERATOR(pg_catalog.&) 32) OPERATOR(pg_catalog.<>) 0 AS on_truncate
          FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace
           AND c.relname OPERATOR(pg_catalog.=) ANY (all_tables::pg_catalog.name[])
           AND NOT tg.tgisinternal;
    -- the copy into the shards must be quiet: the row triggers off (the shards are made with them off)
    FOR r IN SELECT * FROM mp_distribute_tg WHERE NOT on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    -- R15's claims (gdap.c): one for each admin relationship's name, made here
    -- (the table is empty on a single node, a restore may have brought some)
    DELETE FROM multipartner.admin_relationship_name;
    INSERT INTO multipartner.admin_relationship_name (partner_id, display_name, customer_id, admin_relationship_id)
        SELECT a.partner_id, a.display_name, a.customer_id, a.admin_relationship_id FROM multipartner.admin_relationship a;
    rows_before[pg_catalog.array_position(all_tables, 'admin_relationship_name')] :=
        (SELECT pg_catalog.count(*) FROM multipartner.admin_relationship_name);
    -- rows naming a role go by name: saved as VALUES lists of literals, then deleted here
    CREATE TEMP TABLE mp_distribute_roles (tbl text, cols text, vals text) ON COMMIT DROP;
    FOR i IN 1 .. pg_catalog.cardinality(role_tables) LOOP
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
               pg_catalog.string_agg(pg_catalog.format('pg_catalog.quote_nullable(%I::pg_catalog.text)', a.attname), ' || '', '' || ' ORDER BY a.attnum)
          INTO cols, vals
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) ('multipartner.' OPERATOR(pg_catalog.||) role_tables[i])::pg_catalog.regclass
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        EXECUTE pg_catalog.format('INSERT INTO mp_distribute_roles SELECT %L, %L, ''('' || %s || '')'' FROM multipartner.%I',
                                  role_tables[i], cols, vals, role_tables[i]);
        EXECUTE pg_catalog.format('DELETE FROM multipartner.%I', role_tables[i]);
    END LOOP;
    -- (Citus says for each table that it copies the rows and how to remove them here: this does)
    quiet := pg_catalog.current_setting('client_min_messages');
    PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);
    FOREACH tbl IN ARRAY reference_tables LOOP
        PERFORM pg_catalog.create_reference_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass);
    END LOOP;
    PERFORM pg_catalog.create_distributed_table('multipartner.customer', 'customer_id');
    FOREACH tbl IN ARRAY customer_tables[2:] LOOP
        PERFORM pg_catalog.create_distributed_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass,
                    CASE tbl WHEN 'tenant' THEN 'tenant_id' WHEN 'audit_log' THEN 'audit_key' ELSE 'customer_id' END,
                    colocate_with => 'multipartner.customer');
    END LOOP;
    PERFORM pg_catalog.set_config('client_min_messages', quiet, true);
    -- the role rows back, through Citus, which names the role in each shard's statement
    FOR r IN SELECT d.tbl, d.cols, pg_catalog.string_agg(d.vals, ', ') AS vals
               FROM mp_distribute_roles d GROUP BY 1, 2 ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('INSERT INTO multipartner.%I (%s) VALUES %s', r.tbl, r.cols, r.vals);
    END LOOP;
    -- Citus leaves the copied rows on the coordinator's disk; its TRUNCATE of
    -- them would be refused by forbid_truncate, switched off here only
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
    FOR r IN SELECT * FROM mp_distribute_tg WHERE on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    FOREACH tbl IN ARRAY all_tables LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(('multipartner.' OPERATOR(pg_catalog.||) tbl)::pg_catalog.regclass);
    END LOOP;
    FOR r IN SELECT * FROM mp_distribute_tg WHERE on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'on', true);
    -- the foreign keys back (propagated to the shards and the workers' tables)
    FOR r IN SELECT * FROM mp_distribute_fk ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def);
    END LOOP;
    -- the row triggers back, ENABLE ALWAYS, propagated to every shard
    FOR r IN SELECT * FROM mp_distribute_tg WHERE NOT on_truncate ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.rel, r.tgname);
    END LOOP;
    EXECUTE fk_always;
    -- nothing lost, nothing added
    FOR i IN 1 .. pg_catalog.cardinality(all_tables) LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM multipartner.%I', all_tables[i]) INTO n;
        IF n OPERATOR(pg_catalog.<>) rows_before[i] THEN
            RAISE EXCEPTION 'distributing table "%" changed its rows', all_tables[i]
                  USING ERRCODE = 'XX000',
                        DETAIL = pg_catalog.format('It had %s rows before and %s after.', rows_before[i], n);
        END IF;
    END LOOP;
    COMMIT;
    END IF;

    ---------------------------------------------------------------- Phase C
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    FOR r IN EXECUTE pg_catalog.format($q$
        SELECT n.nodename, n.nodeport, c.result
          FROM pg_catalog.run_command_on_all_nodes(%L) c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success ORDER BY 2 $q$, fk_always)
    LOOP
        RAISE EXCEPTION 'could not make the foreign keys'' triggers ENABLE ALWAYS on %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result,
                    HINT = 'The tables are distributed; run CALL multipartner.distribute() again to finish.';
    END LOOP;
    FOR r IN EXECUTE $q$
        SELECT n.nodename, n.nodeport, c.result
          FROM pg_catalog.run_command_on_all_nodes('SELECT multipartner.bind_member_roles()') c
          JOIN pg_catalog.pg_dist_node n ON n.nodeid OPERATOR(pg_catalog.=) c.nodeid
         WHERE NOT c.success ORDER BY 2 $q$
    LOOP
        RAISE EXCEPTION 'could not bind the member roles on %:%', r.nodename, r.nodeport
              USING ERRCODE = '55000', DETAIL = r.result,
                    HINT = 'The tables are distributed; run CALL multipartner.distribute() again to finish.';
    END LOOP;
    RAISE NOTICE 'multipartner is distributed: % reference tables, % tables by customer',
          pg_catalog.cardinality(reference_tables), pg_catalog.cardinality(customer_tables);
END
$distribute$;

REVOKE ALL ON PROCEDURE multipartner.distribute() FROM PUBLIC;
COMMENT ON PROCEDURE multipartner.distribute() IS
    'superusers, on a Citus coordinator: distribute the extension''s tables (partner, partner_member, admin_role, admin_relationship_name as reference tables; the customer-keyed tables by customer, co-located) without judging or auditing their rows again; CALL it again to finish a run cut off after its commit';
-- audit_log.audit_key (issue 15, CITUS_DESIGN §1.7): the key the audit log is
-- distributed by on Citus, co-located with customer.  The old rows get it by
-- a rewrite of the table (ALTER COLUMN ... TYPE ... USING), which fires no
-- trigger: an UPDATE is refused by the append-only guard.  The rule is the
-- audit trigger's (src/audit.c): customer_id for the rows of the tables that
-- have one, partner_id for partner and partner_member, role_id (the row id)
-- for admin_role.  audit_log_pkey stays (event_id); distribute() makes the
-- composite key.
-------------------------------------------------------------------------------
ALTER TABLE multipartner.audit_log ADD COLUMN audit_key uuid;
ALTER TABLE multipartner.audit_log
    ALTER COLUMN audit_key TYPE uuid USING
        CASE table_name
        WHEN 'partner' THEN partner_id
        WHEN 'partner_member' THEN partner_id
        WHEN 'admin_role' THEN (row_id)::uuid
        ELSE customer_id
        END,
    ALTER COLUMN audit_key SET NOT NULL;
COMMENT ON COLUMN multipartner.audit_log.audit_key IS
    'the key the row is kept by (distributed by, on Citus): customer_id for the rows of customer-keyed tables, partner_id for partner and partner_member rows, role_id for admin_role rows';

-- The life of each relationship, from the audit log.  customer_id is the
-- audit row's audit_key (so on Citus a filter by customer is one shard);
-- for a relationship row it always equals the row's customer_id, and
-- saying so lets a single node reach audit_log_customer_idx by it.
CREATE OR REPLACE VIEW multipartner.relationship_history WITH (security_invoker = true) AS
SELECT a.audit_key AS customer_id,
       a.partner_id,
       (a.row_id)::uuid AS relationship_id,
       a.event_id,
       a.at,
       a.operation,
       (a.old_row OPERATOR(pg_catalog.->>) 'status') AS old_status,
       (a.new_row OPERATOR(pg_catalog.->>) 'status') AS new_status,
       (a.old_row OPERATOR(pg_catalog.->>) 'delegated_admin')::boolean AS old_delegated_admin,
       (a.new_row OPERATOR(pg_catalog.->>) 'delegated_admin')::boolean AS new_delegated_admin,
       a.actor,
       a.session_actor,
       a.acting_partner,
       a.txid
  FROM multipartner.audit_log a
 WHERE a.table_name OPERATOR(pg_catalog.=) 'relationship'
   AND a.customer_id OPERATOR(pg_catalog.=) a.audit_key;

-------------------------------------------------------------------------------
-- Column forms of the effective_*() functions, and the views as joins
-- (issue 15, CITUS_DESIGN §1.11, §3).  A whole-row argument does not survive
-- Citus: on a shard the row's type is the shard's (subscription_102127), and
-- no function takes it.  So every caller inside the extension (the views,
-- effective_admin_roles(), run_maintenance(), the R13 lookup in C) passes
-- the columns; the row-typed functions stay as the interface (the
-- subscription ones are the same C functions, the others call the column
-- forms).  customer_partners, admin_relationships and orphaned_subscriptions
-- read their counts and GDAP flag from derived tables grouped by customer_id
-- instead of correlated subqueries, so that a filter by customer is one
-- task on Citus; the rows are the same for every role.
-------------------------------------------------------------------------------
CREATE FUNCTION multipartner.effective_relationship_status(
    status multipartner.relationship_status, requested_at timestamptz)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'pending'::multipartner.relationship_status
                AND $2 OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.relationship_status
           ELSE $1
           END
$$;
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.relationship)
RETURNS multipartner.relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_relationship_status($1.status, $1.requested_at)
$$;
CREATE FUNCTION multipartner.effective_subscription_status(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS multipartner.subscription_status
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_status';
CREATE FUNCTION multipartner.effective_subscription_term_start(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_term_start';
CREATE FUNCTION multipartner.effective_subscription_commitment_end(
    status multipartner.subscription_status, auto_renew boolean, term text,
    created_at timestamptz, term_start timestamptz, commitment_end timestamptz)
RETURNS timestamptz
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mp_subscription_effective_commitment_end';
CREATE FUNCTION multipartner.effective_admin_relationship_status(
    status multipartner.admin_relationship_status, requested_at timestamptz,
    auto_extend boolean, end_at timestamptz)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status
                AND $2 OPERATOR(pg_catalog.<=)
                    (GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                     OPERATOR(pg_catalog.-) interval '90 days')
           THEN 'expired'::multipartner.admin_relationship_status
           WHEN $1 OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND NOT $3
                AND $4 OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN 'expired'::multipartner.admin_relationship_status
           ELSE $1
           END
$$;
CREATE FUNCTION multipartner.effective_admin_relationship_end_at(
    status multipartner.admin_relationship_status, auto_extend boolean, end_at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
           WHEN $1 OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND $2
                AND $3 OPERATOR(pg_catalog.<=)
                    GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
           THEN (SELECT pg_catalog.min(x.e)
                   FROM (SELECT $3 OPERATOR(pg_catalog.+)
                                (interval '180 days' OPERATOR(pg_catalog.*) k.k) AS e
                           FROM (SELECT pg_catalog.floor(pg_catalog.date_part('epoch',
                                            GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now())
                                            OPERATOR(pg_catalog.-) $3)
                                        OPERATOR(pg_catalog./) 15552000::double precision)::integer AS k0) f,
                                pg_catalog.generate_series(GREATEST(f.k0, 1), f.k0 OPERATOR(pg_catalog.+) 2) AS k(k)
                         ) x
                  WHERE x.e OPERATOR(pg_catalog.>)
                        GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now()))
           ELSE $3
           END
$$;
CREATE OR REPLACE FUNCTION multipartner.effective_status(multipartner.admin_relationship)
RETURNS multipartner.admin_relationship_status
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_status($1.status, $1.requested_at,
                                                             $1.auto_extend, $1.end_at)
$$;
CREATE OR REPLACE FUNCTION multipartner.effective_end_at(multipartner.admin_relationship)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT multipartner.effective_admin_relationship_end_at($1.status, $1.auto_extend, $1.end_at)
$$;
REVOKE ALL ON FUNCTION
      multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz),
      multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text,
                                                 timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text,
                                                     timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text,
                                                         timestamptz, timestamptz, timestamptz),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
      multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz),
      multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text,
                                                 timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text,
                                                     timestamptz, timestamptz, timestamptz),
      multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text,
                                                         timestamptz, timestamptz, timestamptz),
      multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status,
                                                       timestamptz, boolean, timestamptz),
      multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status,
                                                       boolean, timestamptz)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

CREATE OR REPLACE VIEW multipartner.customer_partners WITH (security_invoker = true) AS
SELECT c.customer_id,
       c.name AS customer_name,
       c.tenant_id,
       c.cloud,
       p.partner_id,
       p.name AS partner_name,
       p.status AS partner_status,
       r.relationship_id,
       r.delegated_admin,
       r.decided_at AS active_since,
       COALESCE(ls.n, 0::bigint) AS live_subscriptions,
       COALESCE(ap.n, 0::bigint) AS active_partners
  FROM multipartner.relationship r
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN (SELECT s.customer_id, s.partner_of_record, pg_catalog.count(*) AS n
               FROM multipartner.subscription s
              WHERE s.status OPERATOR(pg_catalog.=) ANY
                    (ARRAY['active', 'suspended']::multipartner.subscription_status[])
              GROUP BY s.customer_id, s.partner_of_record) ls
         ON ls.customer_id OPERATOR(pg_catalog.=) r.customer_id
        AND ls.partner_of_record OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN (SELECT r2.customer_id, pg_catalog.count(*) AS n
               FROM multipartner.relationship r2
              WHERE r2.status OPERATOR(pg_catalog.=) 'active'
              GROUP BY r2.customer_id) ap
         ON ap.customer_id OPERATOR(pg_catalog.=) r.customer_id
 WHERE r.status OPERATOR(pg_catalog.=) 'active';

CREATE OR REPLACE VIEW multipartner.subscriptions_by_partner WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.product_family,
       s.quantity,
       s.term,
       s.billing_cycle,
       multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS status,
       s.auto_renew,
       s.created_at,
       multipartner.effective_subscription_commitment_end(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS commitment_end,
       s.created_by,
       multipartner.effective_subscription_term_start(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS term_start
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record;

CREATE OR REPLACE FUNCTION multipartner.effective_admin_roles(customer_id uuid)
RETURNS TABLE (role_id uuid, role_name text, source text,
               admin_relationship_id uuid, until timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    IF $1 IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
              MESSAGE = 'customer_id must not be null';
    END IF;
    -- a role that may not read partner_member (a customer's) is no
    -- partner's member: it holds no partner admin role
    IF NOT pg_catalog.has_table_privilege('multipartner.partner_member', 'SELECT') THEN
        RETURN;
    END IF;
    -- GDAP takes precedence: a role with an active assignment on an
    -- effectively active admin relationship at the customer gets no DAP
    -- role, even when the assignment's roles have all left the
    -- relationship's (Global Administrator removed) and it grants nothing
    RETURN QUERY
        WITH assigned AS (
            SELECT a.roles AS assigned_roles, r.admin_relationship_id, r.roles AS rel_roles,
                   multipartner.effective_admin_relationship_end_at(r.status, r.auto_extend, r.end_at) AS until
              FROM multipartner.access_assignment a
              JOIN multipartner.admin_relationship r
                ON r.customer_id OPERATOR(pg_catalog.=) a.customer_id
               AND r.admin_relationship_id OPERATOR(pg_catalog.=) a.admin_relationship_id
             WHERE a.customer_id OPERATOR(pg_catalog.=) $1
               AND a.grantee OPERATOR(pg_catalog.=) (SELECT pg_catalog.to_regrole(CURRENT_USER::pg_catalog.text))
               AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status
               AND multipartner.effective_admin_relationship_status(r.status, r.requested_at, r.auto_extend, r.end_at) OPERATOR(pg_catalog.=)
                   'active'::multipartner.admin_relationship_status
        ), gdap AS (
            SELECT ar.role_id, ar.name AS role_name, 'gdap'::pg_catalog.text AS source,
                   x.admin_relationship_id, x.until
              FROM assigned x
              JOIN multipartner.admin_role ar
                ON ar.role_id OPERATOR(pg_catalog.=) ANY (x.assigned_roles)
               AND ar.role_id OPERATOR(pg_catalog.=) ANY (x.rel_roles)
        ), dap AS (
            SELECT ar.role_id, ar.name AS role_name, 'dap'::pg_catalog.text AS source,
                   NULL::uuid AS admin_relationship_id, NULL::timestamptz AS until
              FROM multipartner.partner_member m
              JOIN multipartner.admin_role ar
                ON ar.role_id OPERATOR(pg_catalog.=) CASE m.role
                       WHEN 'admin_agent' THEN '62e90394-69f5-4237-9190-012177145e10'::uuid
                       WHEN 'helpdesk_agent' THEN '729827e3-9c14-49f7-bb1b-9608f156bbb8'::uuid
                   END
             WHERE m.member OPERATOR(pg_catalog.=) (SELECT pg_catalog.to_regrole(CURRENT_USER::pg_catalog.text))
               AND m.partner_id OPERATOR(pg_catalog.=) (SELECT multipartner.acting_partner())
               AND EXISTS (SELECT FROM multipartner.relationship rel
                            WHERE rel.customer_id OPERATOR(pg_catalog.=) $1
                              AND rel.partner_id OPERATOR(pg_catalog.=) m.partner_id
                              AND rel.status OPERATOR(pg_catalog.=) 'active'::multipartner.relationship_status
                              AND rel.delegated_admin)
               AND NOT EXISTS (SELECT FROM assigned)
        )
        SELECT DISTINCT ON (x.role_id, x.source, x.admin_relationship_id) x.*
          FROM (SELECT * FROM gdap UNION ALL SELECT * FROM dap) x
         ORDER BY x.role_id, x.source, x.admin_relationship_id;
END
$fn$;

CREATE OR REPLACE VIEW multipartner.admin_relationships WITH (security_invoker = true) AS
SELECT r.admin_relationship_id,
       r.customer_id,
       c.name AS customer_name,
       r.partner_id,
       p.name AS partner_name,
       r.display_name,
       r.status,
       multipartner.effective_admin_relationship_status(r.status, r.requested_at, r.auto_extend, r.end_at) AS effective_status,
       r.end_at,
       multipartner.effective_admin_relationship_end_at(r.status, r.auto_extend, r.end_at) AS effective_end_at,
       r.auto_extend,
       COALESCE(rn.role_names, '{}'::text[]) AS role_names,
       COALESCE(aa.n, 0::bigint) AS active_assignments
  FROM multipartner.admin_relationship r
  LEFT JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) r.customer_id
  LEFT JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) r.partner_id
  LEFT JOIN LATERAL (SELECT pg_catalog.array_agg(ar.name ORDER BY ar.name) AS role_names
                       FROM multipartner.admin_role ar
                      WHERE ar.role_id OPERATOR(pg_catalog.=) ANY (r.roles)) rn ON true
  LEFT JOIN (SELECT a.customer_id, a.admin_relationship_id, pg_catalog.count(*) AS n
               FROM multipartner.access_assignment a
              WHERE a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status
              GROUP BY a.customer_id, a.admin_relationship_id) aa
         ON aa.customer_id OPERATOR(pg_catalog.=) r.customer_id
        AND aa.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id;

CREATE OR REPLACE VIEW multipartner.orphaned_subscriptions WITH (security_invoker = true) AS
SELECT s.customer_id,
       c.name AS customer_name,
       s.partner_of_record AS partner_id,
       p.name AS partner_name,
       s.subscription_id,
       s.offer_id,
       s.quantity,
       multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end) AS status,
       CASE
       WHEN p.status OPERATOR(pg_catalog.=) 'suspended' THEN 'partner suspended'
       WHEN r.relationship_id IS NULL THEN 'no active relationship'
       ELSE 'delegated admin revoked'
       END AS reason
  FROM multipartner.subscription s
  JOIN multipartner.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
  JOIN multipartner.partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
  LEFT JOIN multipartner.relationship r
         ON r.customer_id OPERATOR(pg_catalog.=) s.customer_id
        AND r.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
        AND r.status OPERATOR(pg_catalog.=) 'active'
  LEFT JOIN (SELECT ar.customer_id, ar.partner_id
               FROM multipartner.admin_relationship ar
              WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
                AND multipartner.effective_admin_relationship_status(ar.status, ar.requested_at, ar.auto_extend, ar.end_at)
                    OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
              GROUP BY ar.customer_id, ar.partner_id) g
         ON g.customer_id OPERATOR(pg_catalog.=) s.customer_id
        AND g.partner_id OPERATOR(pg_catalog.=) s.partner_of_record
 WHERE s.status OPERATOR(pg_catalog.=) ANY
       (ARRAY['active', 'suspended']::multipartner.subscription_status[])
   AND multipartner.effective_subscription_status(s.status, s.auto_renew, s.term, s.created_at, s.term_start, s.commitment_end)
       OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'suspended']::multipartner.subscription_status[])
   AND (p.status OPERATOR(pg_catalog.=) 'suspended'
        OR r.relationship_id IS NULL
        OR NOT (r.delegated_admin OR g.customer_id IS NOT NULL));

CREATE OR REPLACE FUNCTION multipartner.run_maintenance()
RETURNS TABLE (kind text, count bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    t timestamptz := GREATEST(pg_catalog.statement_timestamp(), pg_catalog.now());
    n_relationship bigint;
    n_expired bigint := 0;
    n_extended bigint;
    n_ended bigint := 0;
    n_renewed bigint;
    n_sub_expired bigint;
    n_notices bigint;
    n bigint;
    r record;
BEGIN
    n_relationship := multipartner.expire_relationships();

    -- admin relationships time has ended (their assignments end with them)
    FOR r IN
        SELECT ar.customer_id, ar.admin_relationship_id
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'approval_pending'::multipartner.admin_relationship_status
           AND ar.requested_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.-) interval '90 days')
        UNION ALL
        SELECT ar.customer_id, ar.admin_relationship_id
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND NOT ar.auto_extend
    LOOP
        PERFORM FROM multipartner.admin_relationship ar
          WHERE ar.customer_id OPERATOR(pg_catalog.=) r.customer_id
            AND ar.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
            AND ar.status OPERATOR(pg_catalog.=) ANY
                ('{approval_pending,active}'::multipartner.admin_relationship_status[])
            AND multipartner.effective_admin_relationship_status(ar.status, ar.requested_at, ar.auto_extend, ar.end_at) OPERATOR(pg_catalog.=)
                'expired'::multipartner.admin_relationship_status
          FOR UPDATE;
        CONTINUE WHEN NOT FOUND;
        SELECT pg_catalog.count(*) INTO n
          FROM multipartner.access_assignment a
         WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND a.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
           AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status;
        UPDATE multipartner.admin_relationship ar
           SET status = 'expired'
         WHERE ar.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND ar.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id;
        n_expired := n_expired OPERATOR(pg_catalog.+) 1;
        -- the assignments its trigger ended (the row lock keeps new ones out)
        n_ended := n_ended OPERATOR(pg_catalog.+) n OPERATOR(pg_catalog.-)
                   (SELECT pg_catalog.count(*)
                      FROM multipartner.access_assignment a
                     WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
                       AND a.admin_relationship_id OPERATOR(pg_catalog.=) r.admin_relationship_id
                       AND a.status OPERATOR(pg_catalog.=) 'active'::multipartner.access_assignment_status);
    END LOOP;

    -- auto-extended admin relationships: the write leaves end_at as it
    -- is recorded and the trigger moves it on as effective_end_at() reads
    -- (gdap.c), so the new end is computed once, where the row is (a STABLE
    -- function of the row's columns in SET is refused on Citus, 0A000)
    WITH x AS (
        UPDATE multipartner.admin_relationship ar
           SET end_at = ar.end_at
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.<=) t
           AND ar.auto_extend
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_extended FROM x;

    -- subscriptions: renewed terms, then expiries; as above, the write
    -- leaves the term as recorded and the trigger writes the current one
    -- (subscription.c, term.c)
    WITH x AS (
        UPDATE multipartner.subscription s
           SET term_start = s.term_start
         WHERE s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[])
           AND s.commitment_end OPERATOR(pg_catalog.<=) t
           AND s.status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
           AND s.auto_renew
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_renewed FROM x;
    WITH x AS (
        UPDATE multipartner.subscription s
           SET status = 'expired'
         WHERE s.status OPERATOR(pg_catalog.=) ANY
               (ARRAY['active', 'suspended']::multipartner.subscription_status[])
           AND s.commitment_end OPERATOR(pg_catalog.<=) t
           AND (s.status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
                OR NOT s.auto_renew)
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO n_sub_expired FROM x;

    -- notices: what ends within 30 days without renewing, once per
    -- threshold; only the nearest threshold passed is sent
    WITH ending AS (
        SELECT 'admin_relationship'::pg_catalog.text AS kind, ar.admin_relationship_id AS id,
               ar.customer_id, ar.partner_id, ar.end_at AS ends_at
          FROM multipartner.admin_relationship ar
         WHERE ar.status OPERATOR(pg_catalog.=) 'active'::multipartner.admin_relationship_status
           AND ar.end_at OPERATOR(pg_catalog.>) t
           AND ar.end_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) interval '30 days')
           AND NOT ar.auto_extend
        UNION ALL
        SELECT 'subscription', s.subscription_id, s.customer_id, s.partner_of_record, s.commitment_end
          FROM multipartner.subscription s
         WHERE (s.status OPERATOR(pg_catalog.=) 'suspended'::multipartner.subscription_status
                OR (s.status OPERATOR(pg_catalog.=) 'active'::multipartner.subscription_status
                    AND NOT s.auto_renew))
           AND s.commitment_end OPERATOR(pg_catalog.>) t
           AND s.commitment_end OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) interval '30 days')
    ), passed AS (
        SELECT e.*, d.d AS days_before,
               d.d OPERATOR(pg_catalog.=) pg_catalog.min(d.d) OVER (PARTITION BY e.kind, e.id) AS nearest
          FROM ending e,
               LATERAL pg_catalog.unnest('{30,7,1}'::integer[]) AS d(d)
         WHERE e.ends_at OPERATOR(pg_catalog.<=) (t OPERATOR(pg_catalog.+) pg_catalog.make_interval(days => d.d))
    ), sent AS (
        INSERT INTO multipartner.expiry_notice AS en
               (customer_id, kind, object_id, ends_at, days_before, partner_id, sent_at)
        SELECT p.customer_id, p.kind, p.id, p.ends_at, p.days_before, p.partner_id,
               CASE WHEN p.nearest THEN t END
          FROM passed p
        ON CONFLICT DO NOTHING
        RETURNING en.*
    )
    SELECT pg_catalog.count(pg_catalog.pg_notify('multipartner_expiring',
               pg_catalog.json_build_object(
                   'kind', x.kind, 'id', x.object_id, 'customer', x.customer_id,
                   'partner', x.partner_id, 'ends_at', x.ends_at,
                   'days_left', x.days_before)::pg_catalog.text))
      INTO n_notices
      FROM sent x
     WHERE x.sent_at IS NOT NULL;

    RETURN QUERY VALUES ('access_assignment_ended'::pg_catalog.text, n_ended),
                        ('admin_relationship_expired', n_expired),
                        ('admin_relationship_extended', n_extended),
                        ('notice_sent', n_notices),
                        ('relationship_expired', n_relationship),
                        ('subscription_expired', n_sub_expired),
                        ('subscription_renewed', n_renewed);
END
$fn$;

COMMENT ON FUNCTION multipartner.effective_relationship_status(multipartner.relationship_status, timestamptz) IS
    'effective_status(relationship) from the columns (status, requested_at): what the views call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_subscription_status(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_status(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end): what the views and lookups call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_subscription_term_start(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_term_start(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end)';
COMMENT ON FUNCTION multipartner.effective_subscription_commitment_end(multipartner.subscription_status, boolean, text, timestamptz, timestamptz, timestamptz) IS
    'effective_commitment_end(subscription) from the columns (status, auto_renew, term, created_at, term_start, commitment_end)';
COMMENT ON FUNCTION multipartner.effective_admin_relationship_status(multipartner.admin_relationship_status, timestamptz, boolean, timestamptz) IS
    'effective_status(admin_relationship) from the columns (status, requested_at, auto_extend, end_at): what the views call, a whole-row argument does not survive Citus';
COMMENT ON FUNCTION multipartner.effective_admin_relationship_end_at(multipartner.admin_relationship_status, boolean, timestamptz) IS
    'effective_end_at(admin_relationship) from the columns (status, auto_extend, end_at)';
/*
 * ---------------------------------------------------------------------------
 * Policies without sub-selects, stamps without coordinator-evaluated
 * defaults (CITUS_DESIGN §1.10 and §1.8, blockers 3 and 11)
 * ---------------------------------------------------------------------------
 *
 * Citus refuses any sub-select in a policy, on a reference table and a
 * distributed one alike.  The fourteen policies that wrapped a call in an
 * InitPlan compare the column with the call itself; the two sub-selects of
 * relationship are C functions of the lookup layer, which read it as the
 * sub-select did and give every role the same rows.
 */
CREATE FUNCTION multipartner.partner_sees_customer(uuid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mp_partner_sees_customer_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION multipartner.member_partners()
RETURNS uuid[]
AS 'MODULE_PATHNAME', 'mp_member_partners_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;

REVOKE ALL ON FUNCTION multipartner.partner_sees_customer(uuid),
    multipartner.member_partners() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.partner_sees_customer(uuid),
    multipartner.member_partners()
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

COMMENT ON FUNCTION multipartner.partner_sees_customer(uuid) IS
    'true when the acting partner has a relationship, of any status, with the customer (the policy partner_own of customer); false when the role acts for no partner';
COMMENT ON FUNCTION multipartner.member_partners() IS
    'the partners that have or had a relationship with a customer the current role is a member of (the policy customer_partners of partner), ''{}'' for none; read once per statement';

-- (partner's own row as "= ANY" of a one-element array, not "=": with an
-- equality PostgreSQL puts partner_id and acting_partner() in one
-- equivalence class, and a view that outer-joins partner to a table whose
-- policy is the same equality (admin_relationships) got a one-time filter
-- acting_partner() = acting_partner(), which Citus does not plan on
-- PostgreSQL 15.  Same rows, same index scan.)
ALTER POLICY partner_own ON multipartner.partner
    USING (partner_id OPERATOR(pg_catalog.=) ANY (ARRAY[multipartner.acting_partner()]));
ALTER POLICY partner_own ON multipartner.partner_member
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.relationship
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.subscription
    USING (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_of_record OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY partner_own ON multipartner.customer
    USING (multipartner.partner_sees_customer(customer_id));
ALTER POLICY partner_own ON multipartner.audit_log
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner()
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);
ALTER POLICY customer_own ON multipartner.customer
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.customer_member
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.relationship
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_own ON multipartner.subscription
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY customer_partners ON multipartner.partner
    USING (partner_id OPERATOR(pg_catalog.=) ANY (multipartner.member_partners()));
ALTER POLICY customer_own ON multipartner.audit_log
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers())
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);
ALTER POLICY partner_own ON multipartner.admin_relationship
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY customer_own ON multipartner.admin_relationship
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));
ALTER POLICY partner_own ON multipartner.access_assignment
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
ALTER POLICY customer_own ON multipartner.access_assignment
    USING (customer_id OPERATOR(pg_catalog.=) ANY (multipartner.member_customers()));

/*
 * On Citus a column default is evaluated on the coordinator and shipped as a
 * constant, which the shard's trigger then refuses as "not the time of the
 * sale".  The guard triggers write the statement's time over a NULL stamp
 * (the 0.9 library, for every writer, operators and restore mode included),
 * so these defaults go.  partner.created_at keeps its default: no trigger
 * stamps a partner, and on Citus (a reference table) the one value the
 * coordinator computes is what keeps every copy equal.
 */
ALTER TABLE multipartner.customer ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.relationship ALTER COLUMN requested_at DROP DEFAULT;
ALTER TABLE multipartner.subscription ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.admin_relationship ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE multipartner.access_assignment ALTER COLUMN created_at DROP DEFAULT;

-------------------------------------------------------------------------------
-- enable_always_triggers(): the foreign keys' internal triggers and the
-- extension's own, not another extension's internal ones (Citus's truncate
-- trigger on a distributed table's shell), as the DDL guard and the
-- replica-mode check count them
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION multipartner.enable_always_triggers()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $enable_always$
DECLARE
    t record;
    n integer := 0;
    citus boolean := pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    propagation text := pg_catalog.current_setting('citus.enable_ddl_propagation', true);
    rels pg_catalog.oid[];
    shards pg_catalog.oid[];
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
             WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
        RAISE EXCEPTION 'permission denied for function enable_always_triggers'
              USING ERRCODE = '42501',
                    DETAIL = 'Only a superuser may alter the internal triggers of foreign keys.';
    END IF;
    -- the extension's tables
    SELECT pg_catalog.array_agg(e.objid) INTO rels
      FROM pg_catalog.pg_depend e
      JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid
     WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND e.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND e.deptype OPERATOR(pg_catalog.=) 'e'
       AND x.extname OPERATOR(pg_catalog.=) 'multipartner';
    -- On a Citus node also their shards with a placement here (not members
    -- of the extension; Citus's catalogs read by EXECUTE: they exist only
    -- with Citus), and the ALTERs not passed on by Citus to the shards by
    -- the shell's trigger names (a foreign key's trigger has another name on
    -- every shard and node): run it on every node (README "Running on
    -- Citus").
    IF citus THEN
        EXECUTE $q$
            SELECT coalesce(pg_catalog.array_agg(pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid), '{}')
              FROM pg_catalog.pg_dist_shard s
              JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
             WHERE s.logicalrelid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)
               AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) $q$
           INTO shards USING rels;
        rels := rels OPERATOR(pg_catalog.||) shards;
        PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
    END IF;
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgname
          FROM pg_catalog.pg_trigger tg
          JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
         WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (rels)
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'A'
           AND ((tg.tgisinternal AND tg.tgconstraint OPERATOR(pg_catalog.<>) 0)
                OR p.pronamespace OPERATOR(pg_catalog.=) 'multipartner'::pg_catalog.regnamespace)
         ORDER BY 1, 2
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    IF citus THEN
        PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', propagation, true);
    END IF;
    RETURN n;
END
$enable_always$;
COMMENT ON FUNCTION multipartner.enable_always_triggers() IS
    'superusers: make every trigger of the extension''s tables (foreign keys'' included) ENABLE ALWAYS again, as after pg_upgrade; returns how many changed; on Citus this node''s tables and shards, run on every node';

-------------------------------------------------------------------------------
-- Tenant registry and R8 on Citus (issue 15, CITUS_DESIGN 1.6)
-------------------------------------------------------------------------------
/*
 * partner_guard judges inserts too: on Citus (partner a reference table) a
 * second partner with a CSP tenant taken is refused by it, naming the
 * table's key, before a placement's unique index refuses it naming a shard.
 * Nothing changes on one node.
 */
DROP TRIGGER partner_guard ON multipartner.partner;
CREATE TRIGGER partner_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.partner
    FOR EACH ROW EXECUTE FUNCTION multipartner.partner_guard();
ALTER TABLE multipartner.partner ENABLE ALWAYS TRIGGER partner_guard;
COMMENT ON TRIGGER partner_guard ON multipartner.partner IS
    'R8 on Citus: one partner per CSP tenant; R10, R12: identity never changes; deleted only by an operator, while nothing refers to it';

-------------------------------------------------------------------------------
-- Router calls (issue 15, CITUS_DESIGN §3, blocker 13): every call by id has
-- an overload with the customer first, which names the customer in every
-- statement it runs, so that on Citus each is one shard's (one task, no
-- two-phase commit).  The old signatures stay (on a single node the same
-- statements; on a distributed table they find the customer first).  No
-- parameter has a default, so no existing call, positional or named, can
-- resolve to an overload.
-------------------------------------------------------------------------------

CREATE FUNCTION multipartner.accept_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_accept_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.decline_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.revoke_delegated_admin(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_revoke_delegated_admin_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.terminate_relationship(customer_id uuid, relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION multipartner.request_admin_approval(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_request_admin_approval_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.approve_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_approve_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.decline_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_decline_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.terminate_admin_relationship(customer_id uuid, admin_relationship_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_terminate_admin_relationship_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.assign_admin_access(customer_id uuid, admin_relationship_id uuid,
                                                 grantee regrole, roles text[])
RETURNS uuid
AS 'MODULE_PATHNAME', 'mp_assign_admin_access_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION multipartner.end_admin_access(customer_id uuid, access_assignment_id uuid)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_end_admin_access_c'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION
      multipartner.accept_relationship(uuid, uuid), multipartner.decline_relationship(uuid, uuid),
      multipartner.revoke_delegated_admin(uuid, uuid), multipartner.terminate_relationship(uuid, uuid),
      multipartner.request_admin_approval(uuid, uuid), multipartner.approve_admin_relationship(uuid, uuid),
      multipartner.decline_admin_relationship(uuid, uuid),
      multipartner.terminate_admin_relationship(uuid, uuid),
      multipartner.assign_admin_access(uuid, uuid, regrole, text[]),
      multipartner.end_admin_access(uuid, uuid)
    FROM PUBLIC;
-- the grants of the old signatures
GRANT EXECUTE ON FUNCTION multipartner.terminate_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.accept_relationship(uuid, uuid),
      multipartner.decline_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.revoke_delegated_admin(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION multipartner.terminate_admin_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;
GRANT EXECUTE ON FUNCTION
      multipartner.request_admin_approval(uuid, uuid),
      multipartner.assign_admin_access(uuid, uuid, regrole, text[]),
      multipartner.end_admin_access(uuid, uuid)
    TO multipartner_operator, multipartner_partner_app;
GRANT EXECUTE ON FUNCTION
      multipartner.approve_admin_relationship(uuid, uuid),
      multipartner.decline_admin_relationship(uuid, uuid)
    TO multipartner_operator, multipartner_customer_app;

COMMENT ON FUNCTION multipartner.accept_relationship(uuid, uuid) IS
    'accept_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.decline_relationship(uuid, uuid) IS
    'decline_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.revoke_delegated_admin(uuid, uuid) IS
    'revoke_delegated_admin(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.terminate_relationship(uuid, uuid) IS
    'terminate_relationship(relationship_id) for the relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.request_admin_approval(uuid, uuid) IS
    'request_admin_approval(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.approve_admin_relationship(uuid, uuid) IS
    'approve_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.decline_admin_relationship(uuid, uuid) IS
    'decline_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.terminate_admin_relationship(uuid, uuid) IS
    'terminate_admin_relationship(admin_relationship_id) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.assign_admin_access(uuid, uuid, regrole, text[]) IS
    'assign_admin_access(admin_relationship_id, grantee, roles) for the admin relationship of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';
COMMENT ON FUNCTION multipartner.end_admin_access(uuid, uuid) IS
    'end_admin_access(access_assignment_id) for the access assignment of this customer, naming the customer in every statement (on Citus one shard); another customer''s id does not exist';

-------------------------------------------------------------------------------
-- R15 on Citus (since 0.9, issue 15): the claims of display names.  On a
-- distributed install admin_relationship is split by customer, so no shard
-- holds all of a partner's names and no lock of one node serializes their
-- writers.  There this table is a reference table (a placement on every
-- node): create_admin_relationship() and rename_admin_relationship() claim
-- the name, as the caller, before the admin relationship is written with
-- it; its primary key makes the second writer of a name wait for the
-- first; a claim passes to another admin relationship of the partner only
-- once its holder has another name (the claim's trigger asks the node
-- holding the holder's shard); and the admin relationship's trigger
-- requires the claim of its name in its node's placement (another
-- relationship's: R15's 23505; none: 42501).  On a single node the table stays empty (its trigger refuses
-- claims there) and R15 reads admin_relationship itself.  distribute()
-- fills it from admin_relationship.
-------------------------------------------------------------------------------
CREATE TABLE multipartner.admin_relationship_name (
    partner_id            uuid NOT NULL,
    display_name          text NOT NULL,
    customer_id           uuid NOT NULL,
    admin_relationship_id uuid NOT NULL,
    CONSTRAINT admin_relationship_name_pkey PRIMARY KEY (partner_id, display_name)
);
SELECT pg_catalog.pg_extension_config_dump('multipartner.admin_relationship_name', '');

CREATE FUNCTION multipartner.admin_relationship_name_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mp_admin_relationship_name_guard'
LANGUAGE C;
CREATE TRIGGER admin_relationship_name_guard
    BEFORE INSERT OR UPDATE OR DELETE ON multipartner.admin_relationship_name
    FOR EACH ROW EXECUTE FUNCTION multipartner.admin_relationship_name_guard();
CREATE TRIGGER admin_relationship_name_forbid_truncate
    BEFORE TRUNCATE ON multipartner.admin_relationship_name
    FOR EACH STATEMENT EXECUTE FUNCTION multipartner.forbid_truncate();
ALTER TABLE multipartner.admin_relationship_name ENABLE ALWAYS TRIGGER admin_relationship_name_guard;
ALTER TABLE multipartner.admin_relationship_name ENABLE ALWAYS TRIGGER admin_relationship_name_forbid_truncate;

ALTER TABLE multipartner.admin_relationship_name ENABLE ROW LEVEL SECURITY;
ALTER TABLE multipartner.admin_relationship_name FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_reads ON multipartner.admin_relationship_name
    FOR SELECT TO multipartner_operator USING (true);
CREATE POLICY partner_own ON multipartner.admin_relationship_name
    FOR ALL TO multipartner_partner_app
    USING (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner())
    WITH CHECK (partner_id OPERATOR(pg_catalog.=) multipartner.acting_partner());
REVOKE ALL ON multipartner.admin_relationship_name FROM PUBLIC;
REVOKE ALL ON FUNCTION multipartner.admin_relationship_name_guard() FROM PUBLIC;
GRANT SELECT ON multipartner.admin_relationship_name TO multipartner_operator;
GRANT SELECT, INSERT ON multipartner.admin_relationship_name TO multipartner_partner_app;
-- (column by column, as everywhere: no LOCK TABLE)
GRANT UPDATE (customer_id, admin_relationship_id) ON multipartner.admin_relationship_name
   TO multipartner_partner_app;

CREATE FUNCTION multipartner.rename_admin_relationship(customer_id uuid, admin_relationship_id uuid,
                                                       display_name text)
RETURNS void
AS 'MODULE_PATHNAME', 'mp_rename_admin_relationship'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text)
    TO multipartner_operator, multipartner_partner_app, multipartner_customer_app;

COMMENT ON TABLE multipartner.admin_relationship_name IS
    'R15 on Citus: the claim of each display name of a partner''s admin relationships (a reference table there; empty on a single node)';
COMMENT ON COLUMN multipartner.admin_relationship_name.partner_id IS
    'the partner whose name it is (filled in with the acting partner)';
COMMENT ON COLUMN multipartner.admin_relationship_name.display_name IS
    'the display name, unique per partner';
COMMENT ON COLUMN multipartner.admin_relationship_name.customer_id IS
    'the customer of the admin relationship that holds the name';
COMMENT ON COLUMN multipartner.admin_relationship_name.admin_relationship_id IS
    'the admin relationship that holds the name';
COMMENT ON FUNCTION multipartner.admin_relationship_name_guard() IS
    'R14/R15 on Citus: claims are made by the partner''s global_admin or admin_agent, never deleted, passed on only once their holder has another name';
COMMENT ON TRIGGER admin_relationship_name_guard ON multipartner.admin_relationship_name IS
    'who claims a display name; a claim is never deleted and passes to another admin relationship only once its holder has another name';
COMMENT ON TRIGGER admin_relationship_name_forbid_truncate ON multipartner.admin_relationship_name IS
    'R10: TRUNCATE is refused';
COMMENT ON POLICY operator_reads ON multipartner.admin_relationship_name IS
    'operators read every claim';
COMMENT ON POLICY partner_own ON multipartner.admin_relationship_name IS
    'a partner application claims and sees its acting partner''s names';
COMMENT ON FUNCTION multipartner.rename_admin_relationship(uuid, uuid, text) IS
    'gives the admin relationship of this customer a new display name (while created, by the partner''s global_admin or admin_agent; R15, R16); on Citus it claims the new name first';

-- multipartner.refusals on Citus: check()'s dry runs on the workers are
-- counted under a kind of their own (src/refusals.c)
COMMENT ON COLUMN multipartner.refusals.kind IS
    'refusal: a write or action a rule refused; lookup: a question a rule asked of the tables, answered on one path; dry_run (since 0.9): a refusal under multipartner.dry_run, which multipartner.check() carries to the Citus workers with its dry run''s statements';
COMMENT ON COLUMN multipartner.refusals.name IS
    'for a refusal or a dry run the rule: R2 to R20 of the rules, identity, suspended, lifecycle, recorded, audit or guard; for a lookup its name; overflow for what came when every counter was taken';
