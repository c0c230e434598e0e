-- random_ops: a randomized driver (DESIGN_NOTES §2.3).  With a fixed seed it
-- runs :ops random operations, each as a random role (mostly one that might
-- be allowed, sometimes any role), each in its own subtransaction: create
-- customers; request, accept, decline, revoke and terminate relationships;
-- sell; raise and lower quantities; cancel, suspend, reactivate; change
-- terms; move a partner of record or a customer; delete what is never
-- deleted; operators adding and removing members, suspending partners,
-- deleting customers; dry runs with check(); forged record columns.  It
-- records each outcome (changed something, changed nothing, or the SQLSTATE
-- that refused it) and, after each operation that went through, derives
-- from the tables themselves (new row versions carry the subtransaction's
-- xid in xmin; deleted rows are gone) which rows it inserted, updated and
-- deleted, and compares that with the audit rows it wrote.  Then, with
-- pgTAP, only aggregated facts:
--   * every query of t/sql/invariants.sql says 'ok';
--   * the audit log is complete: each operation's audit rows are exactly
--     its changes (table, operation, row id), refused operations left no
--     audit row, the audit totals per table and operation equal what the
--     driver derived, the newest audit image of every row is the row, and
--     the row counts equal the initial ones plus inserts minus deletes;
--   * the run is meaningful: enough operations changed something, enough
--     were refused, every kind of operation ran, and the refusals include
--     each rule's SQLSTATE;
--   * every SQLSTATE seen is one the README documents.
-- The default seed makes the run deterministic, so the expected output is
-- stable (it prints counts, never ids).
--
-- Bigger runs, another seed: test/random.sh [SEED [OPS]] (as root; its own
-- throwaway cluster; a random seed and 20000 operations by default), or by
-- hand with psql variables, from the top of the tree, against any database
-- where a superuser may create the extensions pgtap and multipartner (for
-- instance the cluster of "make demo"; everything is rolled back):
--   psql -X -v seed=0.7 -v ops=100000 -f test/sql/random_ops.sql
--   psql -X -v seed=0.7 -v ops=5000 -v verbose=1 -f test/sql/random_ops.sql
-- (verbose adds the outcomes per kind of operation).  The seed is printed
-- in the diagnostics, so a failing run can be replayed.  3000 operations
-- take a few seconds; the run is one transaction, so every row version it
-- writes stays and the cost grows faster than the number of operations
-- (about 40 s for 30000).
\i test/setup.psql
\if :{?seed}
\else
\set seed 0.42
\endif
\if :{?ops}
\else
\set ops 3000
\endif
\i test/fixtures.psql
\i test/fixtures_bypass.psql

-- the rows (and audit rows) before the run
SELECT coalesce(max(event_id), 0) AS ev0 FROM multipartner.audit_log \gset

CREATE TEMP TABLE ops_log (n int PRIMARY KEY, kind text NOT NULL, actor text NOT NULL,
                           outcome text NOT NULL);   -- 'changed', 'nochange' or a SQLSTATE
-- the rows each operation that went through inserted, updated or deleted
-- (append-only: a DELETE per operation would leave dead rows to scan)
CREATE TEMP TABLE op_changes (n int, tbl text, operation text, row_id text);
CREATE INDEX ON op_changes (n);
CREATE TEMP TABLE audit_mismatch (n int, kind text, actor text, what text);
CREATE TEMP TABLE seen (tbl text, id text, PRIMARY KEY (tbl, id));
CREATE TEMP TABLE xprobe (n int);
CREATE TEMP TABLE initial_counts AS
SELECT 'partner' AS tbl, count(*) AS n FROM multipartner.partner
UNION ALL SELECT 'customer', count(*) FROM multipartner.customer
UNION ALL SELECT 'partner_member', count(*) FROM multipartner.partner_member
UNION ALL SELECT 'customer_member', count(*) FROM multipartner.customer_member
UNION ALL SELECT 'relationship', count(*) FROM multipartner.relationship
UNION ALL SELECT 'subscription', count(*) FROM multipartner.subscription;

-- The audited tables, and how many rows this transaction has tried to
-- insert, update or delete in each of them so far (PostgreSQL's
-- per-transaction counters, which include the current subtransaction): a
-- table whose counter did not move during an operation was not written, so
-- the scans below skip it.
CREATE FUNCTION pg_temp.write_counts() RETURNS bigint[] LANGUAGE sql VOLATILE AS $$
    SELECT array_agg(pg_stat_get_xact_tuples_inserted(c) + pg_stat_get_xact_tuples_updated(c)
                     + pg_stat_get_xact_tuples_deleted(c) ORDER BY o)
      FROM unnest(ARRAY['multipartner.partner', 'multipartner.customer', 'multipartner.partner_member',
                        'multipartner.customer_member', 'multipartner.relationship',
                        'multipartner.subscription']::regclass[]) WITH ORDINALITY u(c, o)
$$;
CREATE FUNCTION pg_temp.written_tables(before bigint[], after bigint[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(t ORDER BY o), '{}')
      FROM unnest(ARRAY['partner', 'customer', 'partner_member', 'customer_member', 'relationship', 'subscription'])
           WITH ORDINALITY u(t, o)
     WHERE before[o] IS DISTINCT FROM after[o]
$$;

-- every audited row of the tables tbls, by the row id the audit log uses
CREATE FUNCTION pg_temp.current_rows(tbls text[] DEFAULT ARRAY['partner', 'customer', 'partner_member', 'customer_member', 'relationship', 'subscription'])
RETURNS TABLE (tbl text, id text) LANGUAGE sql STABLE AS $$
    SELECT 'partner', partner_id::text FROM multipartner.partner WHERE 'partner' = ANY (tbls)
    UNION ALL SELECT 'customer', customer_id::text FROM multipartner.customer WHERE 'customer' = ANY (tbls)
    UNION ALL SELECT 'partner_member', member::text || ',' || partner_id || ',' || role FROM multipartner.partner_member WHERE 'partner_member' = ANY (tbls)
    UNION ALL SELECT 'customer_member', member::text || ',' || customer_id || ',' || role FROM multipartner.customer_member WHERE 'customer_member' = ANY (tbls)
    UNION ALL SELECT 'relationship', relationship_id::text FROM multipartner.relationship WHERE 'relationship' = ANY (tbls)
    UNION ALL SELECT 'subscription', subscription_id::text FROM multipartner.subscription WHERE 'subscription' = ANY (tbls)
$$;

-- the audited rows of the tables tbls whose visible version was written by
-- transaction x
CREATE FUNCTION pg_temp.rows_written_by(x xid, tbls text[]) RETURNS TABLE (tbl text, id text) LANGUAGE sql STABLE AS $$
    SELECT 'partner', partner_id::text FROM multipartner.partner WHERE 'partner' = ANY (tbls) AND xmin = x
    UNION ALL SELECT 'customer', customer_id::text FROM multipartner.customer WHERE 'customer' = ANY (tbls) AND xmin = x
    UNION ALL SELECT 'partner_member', member::text || ',' || partner_id || ',' || role FROM multipartner.partner_member WHERE 'partner_member' = ANY (tbls) AND xmin = x
    UNION ALL SELECT 'customer_member', member::text || ',' || customer_id || ',' || role FROM multipartner.customer_member WHERE 'customer_member' = ANY (tbls) AND xmin = x
    UNION ALL SELECT 'relationship', relationship_id::text FROM multipartner.relationship WHERE 'relationship' = ANY (tbls) AND xmin = x
    UNION ALL SELECT 'subscription', subscription_id::text FROM multipartner.subscription WHERE 'subscription' = ANY (tbls) AND xmin = x
$$;

CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
    $$ SELECT a[1 + floor(random() * cardinality(a))::int] $$;
CREATE FUNCTION pg_temp.pick(a uuid[]) RETURNS uuid LANGUAGE sql VOLATILE AS
    $$ SELECT CASE WHEN cardinality(a) = 0 THEN '99999999-9999-4999-8999-999999999999'::uuid
                   ELSE a[1 + floor(random() * cardinality(a))::int] END $$;
-- one of the k newest (a relationship just requested is more likely pending)
CREATE FUNCTION pg_temp.pick_recent(a uuid[], k int) RETURNS uuid LANGUAGE sql VOLATILE AS
    $$ SELECT pg_temp.pick(a[greatest(cardinality(a) - k + 1, 1):]) $$;

CREATE FUNCTION pg_temp.random_ops(nops int) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    unknown constant uuid := '99999999-9999-4999-8999-999999999999';
    partner_roles constant text[] := ARRAY[
        'regress_office_ga', 'regress_office_uma', 'regress_office_aa', 'regress_office_sa',
        'regress_office_hd', 'regress_office_ba', 'regress_azure_ga', 'regress_azure_uma',
        'regress_azure_aa', 'regress_azure_sa', 'regress_azure_hd', 'regress_azure_ba',
        'regress_gov_ga', 'regress_gov_sa', 'regress_multi', 'regress_papp_nomember',
        'regress_bypass'];
    sellers constant text[] := ARRAY[
        'regress_office_ga', 'regress_office_aa', 'regress_office_sa', 'regress_azure_ga',
        'regress_azure_aa', 'regress_azure_sa', 'regress_gov_ga', 'regress_gov_sa',
        'regress_multi', 'regress_bypass'];
    customer_roles constant text[] := ARRAY[
        'regress_contoso_ga', 'regress_contoso_ba', 'regress_contoso_reader',
        'regress_fabrikam_ga', 'regress_govcust_ga', 'regress_bypass_customer'];
    operators constant text[] := ARRAY['regress_operator', 'superuser'];
    all_roles text[];
    offers constant text[] := ARRAY['O365_E3', 'O365_E5', 'AZURE_PLAN', 'EMS_E3', 'VISIO_P2'];
    terms constant text[] := ARRAY['P1M', 'P1Y', 'P3Y'];
    cycles constant text[] := ARRAY['monthly', 'annual', 'triennial'];
    pm_roles constant text[] := ARRAY['global_admin', 'user_management_admin', 'admin_agent',
                                      'sales_agent', 'helpdesk_agent', 'billing_admin'];
    cm_roles constant text[] := ARRAY['global_admin', 'billing_admin', 'reader'];
    check_actions constant text[] := ARRAY['request_relationship', 'accept_relationship',
        'decline_relationship', 'revoke_delegated_admin', 'terminate_relationship',
        'create_subscription', 'update_subscription', 'cancel_subscription'];
    partners uuid[];
    csp_tenants uuid[];
    custs uuid[];
    rels uuid[] := '{}';
    subs uuid[] := '{}';
    tenants uuid[];
    tenant_n int := 0;
    r float8;
    kind text;
    actor text;
    acting text;
    stmt text;
    target uuid;
    deletes bool;
    x xid;
    prev_event bigint;
    stage text;
    outcome text;
    nchanges int;
    m int;
    new_id uuid;
    fresh_tenant uuid;
    counts_before bigint[];
    written text[];
BEGIN
    SELECT array_agg(partner_id ORDER BY partner_id), array_agg(csp_tenant_id ORDER BY partner_id)
      INTO partners, csp_tenants FROM multipartner.partner;
    SELECT array_agg(customer_id ORDER BY customer_id), array_agg(tenant_id ORDER BY customer_id)
      INTO custs, tenants FROM multipartner.customer;
    all_roles := partner_roles || customer_roles || ARRAY['regress_operator', 'regress_nobody', 'superuser'];
    INSERT INTO pg_temp.seen SELECT * FROM pg_temp.current_rows();

    FOR i IN 1..nops LOOP
        r := random();
        acting := NULL;
        deletes := false;
        tenant_n := tenant_n + 1;
        fresh_tenant := format('77777777-7777-4777-8777-%s', lpad(tenant_n::text, 12, '0'))::uuid;

        IF r < 0.07 THEN
            kind := 'create_customer';
            actor := pg_temp.pick(partner_roles);
            r := random();
            stmt := format('SELECT multipartner.create_customer(%L, %L, %L)',
                           CASE WHEN r < 0.85 THEN fresh_tenant
                                WHEN r < 0.93 THEN pg_temp.pick(tenants)
                                ELSE pg_temp.pick(csp_tenants) END,
                           'Customer ' || i,
                           CASE WHEN random() < 0.85 THEN 'commercial' ELSE 'us_government' END);
        ELSIF r < 0.17 THEN
            kind := 'request_relationship';
            actor := pg_temp.pick(partner_roles);
            stmt := format('SELECT multipartner.request_relationship(%L, %L)',
                           CASE WHEN random() < 0.03 THEN unknown
                                WHEN random() < 0.5 THEN custs[1 + floor(random() * 3)::int]
                                ELSE pg_temp.pick(custs) END,
                           random() < 0.8);
        ELSIF r < 0.25 THEN
            kind := 'accept_relationship';
            actor := CASE WHEN random() < 0.6 THEN pg_temp.pick(customer_roles)
                          WHEN random() < 0.7 THEN pg_temp.pick(operators)
                          ELSE pg_temp.pick(all_roles) END;
            stmt := format('SELECT multipartner.accept_relationship(%L)',
                           CASE WHEN random() < 0.5 THEN pg_temp.pick_recent(rels, 8) ELSE pg_temp.pick(rels) END);
        ELSIF r < 0.28 THEN
            kind := 'decline_relationship';
            actor := CASE WHEN random() < 0.5 THEN pg_temp.pick(customer_roles)
                          WHEN random() < 0.6 THEN pg_temp.pick(operators)
                          ELSE pg_temp.pick(all_roles) END;
            stmt := format('SELECT multipartner.decline_relationship(%L)',
                           CASE WHEN random() < 0.5 THEN pg_temp.pick_recent(rels, 8) ELSE pg_temp.pick(rels) END);
        ELSIF r < 0.31 THEN
            kind := 'revoke_delegated_admin';
            actor := pg_temp.pick(all_roles);
            stmt := format('SELECT multipartner.revoke_delegated_admin(%L)', pg_temp.pick(rels));
        ELSIF r < 0.36 THEN
            kind := 'terminate_relationship';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(partner_roles) ELSE pg_temp.pick(all_roles) END;
            stmt := format('SELECT multipartner.terminate_relationship(%L)', pg_temp.pick(rels));
        ELSIF r < 0.53 THEN
            kind := 'create_subscription';
            actor := CASE WHEN random() < 0.85 THEN pg_temp.pick(sellers) ELSE pg_temp.pick(all_roles) END;
            r := random();
            stmt := format('SELECT multipartner.create_subscription(%L, %L, %L, %s, %L, %L)',
                           CASE WHEN random() < 0.02 THEN unknown ELSE pg_temp.pick(custs) END,
                           pg_temp.pick(offers), 'Family',
                           CASE WHEN random() < 0.04 THEN (ARRAY[0, -1, 1000001])[1 + floor(random() * 3)::int]
                                ELSE 1 + floor(random() * 100)::int END,
                           CASE WHEN r < 0.45 THEN 'P1M' WHEN r < 0.85 THEN 'P1Y' WHEN r < 0.97 THEN 'P3Y' ELSE 'P2Y' END,
                           CASE WHEN random() < 0.8 THEN 'monthly' ELSE pg_temp.pick(cycles) END);
        ELSIF r < 0.61 THEN
            kind := 'raise_quantity';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(partner_roles) ELSE pg_temp.pick(all_roles) END;
            stmt := format('UPDATE multipartner.subscription SET quantity = quantity + %s WHERE subscription_id = %L',
                           1 + floor(random() * 20)::int, pg_temp.pick(subs));
        ELSIF r < 0.65 THEN
            kind := 'lower_quantity';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(partner_roles) ELSE pg_temp.pick(all_roles) END;
            stmt := format('UPDATE multipartner.subscription SET quantity = quantity - %s WHERE subscription_id = %L',
                           1 + floor(random() * 5)::int, pg_temp.pick(subs));
        ELSIF r < 0.70 THEN
            kind := 'cancel_subscription';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(partner_roles) ELSE pg_temp.pick(all_roles) END;
            stmt := format('UPDATE multipartner.subscription SET status = ''cancelled'' WHERE subscription_id = %L', pg_temp.pick(subs));
        ELSIF r < 0.73 THEN
            kind := 'suspend_reactivate';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(partner_roles) ELSE pg_temp.pick(all_roles) END;
            stmt := format('UPDATE multipartner.subscription SET status = %L WHERE subscription_id = %L',
                           CASE WHEN random() < 0.5 THEN 'suspended' ELSE 'active' END, pg_temp.pick(subs));
        ELSIF r < 0.75 THEN
            kind := 'change_terms';
            actor := pg_temp.pick(all_roles);
            stmt := format('UPDATE multipartner.subscription SET %s = %L WHERE subscription_id = %L',
                           pg_temp.pick(ARRAY['term', 'offer_id', 'billing_cycle']),
                           pg_temp.pick(terms || cycles || offers), pg_temp.pick(subs));
        ELSIF r < 0.77 THEN
            kind := 'move_partner_of_record';
            actor := pg_temp.pick(all_roles);
            stmt := format('UPDATE multipartner.subscription SET partner_of_record = %L WHERE subscription_id = %L',
                           pg_temp.pick(partners), pg_temp.pick(subs));
        ELSIF r < 0.78 THEN
            kind := 'move_customer';
            actor := pg_temp.pick(all_roles);
            stmt := format('UPDATE multipartner.subscription SET customer_id = %L WHERE subscription_id = %L',
                           pg_temp.pick(custs), pg_temp.pick(subs));
        ELSIF r < 0.80 THEN
            kind := 'toggle_auto_renew';
            actor := pg_temp.pick(all_roles);
            stmt := format('UPDATE multipartner.subscription SET auto_renew = NOT auto_renew WHERE subscription_id = %L', pg_temp.pick(subs));
        ELSIF r < 0.82 THEN
            kind := 'delete';
            deletes := true;
            actor := pg_temp.pick(all_roles);
            stmt := CASE WHEN random() < 0.5
                         THEN format('DELETE FROM multipartner.subscription WHERE subscription_id = %L', pg_temp.pick(subs))
                         ELSE format('DELETE FROM multipartner.relationship WHERE relationship_id = %L', pg_temp.pick(rels)) END;
        ELSIF r < 0.835 THEN
            kind := 'delete_customer';
            deletes := true;
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := format('DELETE FROM multipartner.customer WHERE customer_id = %L', pg_temp.pick(custs));
        ELSIF r < 0.85 THEN
            kind := 'operator_inserts_customer';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := format($$INSERT INTO multipartner.customer (tenant_id, name, cloud) VALUES (%L, %L, 'commercial')$$,
                           CASE WHEN random() < 0.9 THEN fresh_tenant ELSE pg_temp.pick(csp_tenants) END,
                           'Bare customer ' || i);
        ELSIF r < 0.87 THEN
            kind := 'partner_membership';
            deletes := true;
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := CASE WHEN random() < 0.6
                         THEN format($$INSERT INTO multipartner.partner_member (member, partner_id, role) VALUES ('regress_papp_nomember', %L, %L)$$,
                                     pg_temp.pick(partners), pg_temp.pick(pm_roles))
                         ELSE format($$DELETE FROM multipartner.partner_member WHERE member = 'regress_papp_nomember'::regrole AND partner_id = %L$$,
                                     pg_temp.pick(partners)) END;
        ELSIF r < 0.88 THEN
            kind := 'customer_membership';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := format('INSERT INTO multipartner.customer_member (member, customer_id, role) VALUES (%L, %L, %L)',
                           pg_temp.pick(customer_roles), pg_temp.pick(custs), pg_temp.pick(cm_roles));
        ELSIF r < 0.92 THEN
            kind := 'check';
            actor := pg_temp.pick(all_roles);
            stmt := pg_temp.pick(check_actions);
            stmt := format('SELECT (multipartner.check(%L, %L, quantity => %s)).allowed', stmt,
                           CASE WHEN stmt IN ('request_relationship', 'create_subscription') THEN pg_temp.pick(custs)
                                WHEN stmt IN ('update_subscription', 'cancel_subscription') THEN pg_temp.pick(subs)
                                ELSE pg_temp.pick(rels) END,
                           CASE WHEN random() < 0.5 THEN 'NULL' ELSE (1 + floor(random() * 50)::int)::text END);
        ELSIF r < 0.93 THEN
            kind := 'expire_relationships';
            actor := pg_temp.pick(all_roles);
            stmt := 'SELECT multipartner.expire_relationships()';
        ELSIF r < 0.95 THEN
            kind := 'forged_sale';
            actor := pg_temp.pick(sellers);
            r := random();
            stmt := format($$INSERT INTO multipartner.subscription (customer_id, offer_id, product_family, quantity, term, billing_cycle, %s)
                             VALUES (%L, 'FORGED', 'Family', 1, 'P1M', 'monthly', %s)$$,
                           CASE WHEN r < 0.4 THEN 'partner_of_record' WHEN r < 0.7 THEN 'created_at' ELSE 'created_by' END,
                           pg_temp.pick(custs),
                           CASE WHEN r < 0.4 THEN quote_literal(pg_temp.pick(partners))
                                WHEN r < 0.7 THEN 'now() - interval ''30 days'''
                                ELSE quote_literal(pg_temp.pick(all_roles)) END);
        ELSIF r < 0.96 THEN
            kind := 'forged_decision';
            actor := pg_temp.pick(all_roles);
            stmt := format('UPDATE multipartner.relationship SET %s WHERE relationship_id = %L',
                           pg_temp.pick(ARRAY['decided_by = current_user', 'ended_at = now()', 'requested_at = now() - interval ''100 days''',
                                              'partner_id = ''11111111-1111-4111-8111-000000000002''']),
                           pg_temp.pick(rels));
        ELSIF r < 0.98 THEN
            kind := 'update_customer';
            actor := CASE WHEN random() < 0.7 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := CASE WHEN random() < 0.5
                         THEN format('UPDATE multipartner.customer SET tenant_id = %L WHERE customer_id = %L', fresh_tenant, pg_temp.pick(custs))
                         ELSE format('UPDATE multipartner.customer SET name = %L WHERE customer_id = %L', 'Renamed ' || i, pg_temp.pick(custs)) END;
        ELSE
            kind := 'partner_status';
            actor := CASE WHEN random() < 0.8 THEN pg_temp.pick(operators) ELSE pg_temp.pick(all_roles) END;
            stmt := format('UPDATE multipartner.partner SET status = %L WHERE partner_id = %L',
                           CASE WHEN random() < 0.3 THEN 'suspended' ELSE 'active' END, pg_temp.pick(partners));
        END IF;

        -- a role that is a member of two partners says which; others sometimes name one too
        IF actor = 'regress_multi' THEN
            acting := pg_temp.pick(ARRAY['11111111-1111-4111-8111-000000000001', '11111111-1111-4111-8111-000000000001',
                                         '11111111-1111-4111-8111-000000000002', '', '11111111-1111-4111-8111-000000000003']);
        ELSIF random() < 0.03 THEN
            acting := pg_temp.pick(partners)::text;
        END IF;

        SELECT coalesce(max(event_id), 0) INTO prev_event FROM multipartner.audit_log;
        counts_before := pg_temp.write_counts();
        stage := 'op';
        BEGIN
            IF actor <> 'superuser' THEN
                EXECUTE format('SET LOCAL ROLE %I', actor);
            END IF;
            IF acting IS NOT NULL THEN
                PERFORM set_config('multipartner.acting_partner', acting, true);
            END IF;
            EXECUTE stmt;
            stage := 'bookkeeping';
            RESET ROLE;
            PERFORM set_config('multipartner.acting_partner', '', true);

            -- what this operation wrote: the visible row versions whose xmin is
            -- this subtransaction's xid (the probe row learns it), and, for
            -- deleting kinds, the rows that are gone
            written := pg_temp.written_tables(counts_before, pg_temp.write_counts());
            INSERT INTO pg_temp.xprobe VALUES (i) RETURNING xmin INTO x;
            INSERT INTO pg_temp.op_changes
            SELECT i, w.tbl,
                   CASE WHEN EXISTS (SELECT FROM pg_temp.seen s WHERE s.tbl = w.tbl AND s.id = w.id)
                        THEN 'UPDATE' ELSE 'INSERT' END,
                   w.id
              FROM pg_temp.rows_written_by(x, written) w;
            IF deletes THEN
                INSERT INTO pg_temp.op_changes
                SELECT i, s.tbl, 'DELETE', s.id FROM pg_temp.seen s
                 WHERE s.tbl = ANY (written)
                   AND NOT EXISTS (SELECT FROM pg_temp.current_rows(written) c WHERE c.tbl = s.tbl AND c.id = s.id);
                DELETE FROM pg_temp.seen s USING pg_temp.op_changes c
                 WHERE c.n = i AND c.operation = 'DELETE' AND c.tbl = s.tbl AND c.row_id = s.id;
            END IF;
            INSERT INTO pg_temp.seen SELECT tbl, row_id FROM pg_temp.op_changes WHERE n = i AND operation = 'INSERT';
            SELECT count(*) INTO nchanges FROM pg_temp.op_changes WHERE n = i;

            -- its audit rows must be exactly these changes
            SELECT count(*) INTO m FROM (
                (SELECT tbl, operation, row_id FROM pg_temp.op_changes WHERE n = i
                 EXCEPT ALL
                 SELECT table_name::text, operation, row_id FROM multipartner.audit_log WHERE event_id > prev_event)
                UNION ALL
                (SELECT table_name::text, operation, row_id FROM multipartner.audit_log WHERE event_id > prev_event
                 EXCEPT ALL
                 SELECT tbl, operation, row_id FROM pg_temp.op_changes WHERE n = i)) d;
            IF m > 0 THEN
                INSERT INTO pg_temp.audit_mismatch VALUES (i, kind, actor, m || ' audit rows differ from the changes');
            END IF;

            -- new ids for later operations (one per table and operation at most)
            SELECT row_id::uuid INTO new_id FROM pg_temp.op_changes WHERE n = i AND tbl = 'customer' AND operation = 'INSERT';
            IF FOUND THEN
                custs := custs || new_id;
                SELECT tenant_id INTO fresh_tenant FROM multipartner.customer WHERE customer_id = new_id;
                tenants := tenants || fresh_tenant;
            END IF;
            SELECT row_id::uuid INTO new_id FROM pg_temp.op_changes WHERE n = i AND tbl = 'relationship' AND operation = 'INSERT';
            IF FOUND THEN
                rels := rels || new_id;
            END IF;
            SELECT row_id::uuid INTO new_id FROM pg_temp.op_changes WHERE n = i AND tbl = 'subscription' AND operation = 'INSERT';
            IF FOUND THEN
                subs := subs || new_id;
            END IF;
            outcome := CASE WHEN nchanges > 0 THEN 'changed' ELSE 'nochange' END;
        EXCEPTION WHEN OTHERS THEN
            IF stage = 'bookkeeping' THEN
                RAISE;          -- a bug of the driver, not an answer of the rules
            END IF;
            outcome := SQLSTATE;
        END;
        -- a refused operation left no audit row behind
        IF outcome NOT IN ('changed', 'nochange')
           AND (SELECT coalesce(max(event_id), 0) FROM multipartner.audit_log) <> prev_event THEN
            INSERT INTO pg_temp.audit_mismatch VALUES (i, kind, actor, 'a refused operation left audit rows');
        END IF;
        -- the customers deleted are gone from the lists
        IF kind = 'delete_customer' AND outcome = 'changed' THEN
            SELECT array_agg(c ORDER BY o), array_agg(t ORDER BY o) INTO custs, tenants
              FROM unnest(custs, tenants) WITH ORDINALITY u(c, t, o)
             WHERE EXISTS (SELECT FROM multipartner.customer WHERE customer_id = u.c);
        END IF;
        INSERT INTO pg_temp.ops_log VALUES (i, kind, actor, outcome);
    END LOOP;
END
$fn$;

-- the invariants, one query each, from the file the other tools use
\set invariants_sql `cat t/sql/invariants.sql`
CREATE FUNCTION pg_temp.invariants(script text) RETURNS TABLE (n int, result text) LANGUAGE plpgsql AS $fn$
DECLARE
    q text;
BEGIN
    n := 0;
    FOR q IN SELECT s FROM regexp_split_to_table(regexp_replace(script, '^--[^\n]*$', '', 'gn'), ';') s
              WHERE btrim(s, E' \n\t') <> '' LOOP
        n := n + 1;
        EXECUTE q INTO result;
        RETURN NEXT;
    END LOOP;
END
$fn$;

SELECT plan(17);

SELECT setseed(:seed) AS seeded \gset
SELECT pg_temp.random_ops(:ops) AS driver \gset

SELECT diag(format('seed %s, %s operations: %s changed something, %s changed nothing, %s refused',
                   :'seed', count(*), count(*) FILTER (WHERE outcome = 'changed'),
                   count(*) FILTER (WHERE outcome = 'nochange'),
                   count(*) FILTER (WHERE outcome NOT IN ('changed', 'nochange'))))
  FROM ops_log;
SELECT diag('SQLSTATE histogram: ' || string_agg(format('%s %s', outcome, n), ', ' ORDER BY n DESC, outcome))
  FROM (SELECT outcome, count(*) AS n FROM ops_log WHERE outcome NOT IN ('changed', 'nochange') GROUP BY 1) h;

-------------------------------------------------------------------------------
-- the run is meaningful
-------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM ops_log), :ops::bigint, 'every operation ran and was recorded');
SELECT cmp_ok((SELECT count(*) FROM ops_log WHERE outcome = 'changed'), '>=', :ops::bigint / 8,
    'at least an eighth of the operations changed something');
SELECT cmp_ok((SELECT count(*) FROM ops_log WHERE outcome NOT IN ('changed', 'nochange')), '>=', :ops::bigint / 5,
    'at least a fifth of the operations were refused');
SELECT is((SELECT string_agg(k, ', ') FROM unnest(ARRAY['create_customer', 'request_relationship', 'accept_relationship',
             'decline_relationship', 'revoke_delegated_admin', 'terminate_relationship', 'create_subscription',
             'raise_quantity', 'lower_quantity', 'cancel_subscription', 'suspend_reactivate', 'toggle_auto_renew',
             'delete_customer', 'operator_inserts_customer', 'partner_membership', 'customer_membership',
             'update_customer', 'partner_status']) k
            WHERE NOT EXISTS (SELECT FROM ops_log WHERE kind = k AND outcome = 'changed')),
    NULL, 'every kind of operation that can go through went through at least once');
SELECT is((SELECT string_agg(c, ', ') FROM unnest(ARRAY['42501', 'MP001', 'MP002', 'MP003', 'MP004', 'MP005', 'MP006',
             'MP007', 'MP008', 'MP009', '55000', '23505', '23514', '428C9', '42704']) c
            WHERE NOT EXISTS (SELECT FROM ops_log WHERE outcome = c)),
    NULL, 'the refusals include every rule''s SQLSTATE and the lifecycle, uniqueness, check, forged-column and unknown-id ones');

-------------------------------------------------------------------------------
-- only documented SQLSTATEs
-------------------------------------------------------------------------------
-- README: MP001..MP009 (R4..R13), 42501, and PostgreSQL's 55000 (lifecycle),
-- 23505 (one open relationship per pair, duplicate tenant), 23503 (an id
-- that does not exist), 23514, 23502, 22004 (bad values), 428C9 (a column
-- the trigger maintains), 42704 (an id the role cannot see).
SELECT is((SELECT string_agg(DISTINCT outcome, ', ') FROM ops_log
            WHERE outcome NOT IN ('changed', 'nochange')
              AND outcome <> ALL (ARRAY['42501', 'MP001', 'MP002', 'MP003', 'MP004', 'MP005', 'MP006', 'MP007',
                                        'MP008', 'MP009', '55000', '23505', '23503', '23514', '23502', '22004',
                                        '428C9', '42704'])),
    NULL, 'every SQLSTATE of a refusal is one the README documents');
SELECT cmp_ok((SELECT count(*) FROM ops_log WHERE outcome = '23503'), '>', 0::bigint,
    'a request for a customer that does not exist is refused with 23503 (the driver tries it)');

-------------------------------------------------------------------------------
-- the invariants
-------------------------------------------------------------------------------
CREATE TEMP TABLE invariant_results AS SELECT * FROM pg_temp.invariants(:'invariants_sql');
SELECT cmp_ok((SELECT count(*) FROM invariant_results), '>=', 10::bigint,
    't/sql/invariants.sql has its (at least ten) queries');
SELECT is((SELECT string_agg(format('#%s: %s', n, result), '; ' ORDER BY n) FROM invariant_results WHERE result IS DISTINCT FROM 'ok'),
    NULL, 'every invariant of t/sql/invariants.sql holds after the run');

-------------------------------------------------------------------------------
-- the audit log is complete
-------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM audit_mismatch WHERE what LIKE '%differ%'), 0::bigint,
    'each operation that went through wrote exactly one audit row per row it inserted, updated or deleted');
SELECT is((SELECT count(*) FROM audit_mismatch WHERE what LIKE '%refused%'), 0::bigint,
    'no refused operation left an audit row');
SELECT results_eq(
    format($$SELECT table_name::text COLLATE "default", operation, count(*) FROM multipartner.audit_log
              WHERE event_id > %s GROUP BY 1, 2 ORDER BY 1, 2$$, :ev0),
    $$SELECT tbl, operation, count(*) FROM op_changes GROUP BY 1, 2 ORDER BY 1, 2$$,
    'the audit totals per table and operation are what the driver saw committed');
SELECT cmp_ok((SELECT count(*) FROM op_changes), '>=', (SELECT count(*) FROM ops_log WHERE outcome = 'changed'),
    'at least one audit row per operation that changed something');
SELECT results_eq(
    $$SELECT tbl, count(*) FROM pg_temp.current_rows() GROUP BY 1 ORDER BY 1$$,
    $$SELECT i.tbl, i.n + count(e.row_id) FILTER (WHERE e.operation = 'INSERT')
                    - count(e.row_id) FILTER (WHERE e.operation = 'DELETE')
        FROM initial_counts i LEFT JOIN op_changes e ON e.tbl = i.tbl GROUP BY i.tbl, i.n ORDER BY 1$$,
    'row counts: the initial ones plus the inserts minus the deletes, nothing half written');
SELECT is((SELECT count(*) FROM (
              SELECT 'subscription' AS t, subscription_id::text AS id, to_jsonb(s) AS j FROM multipartner.subscription s
              UNION ALL SELECT 'relationship', relationship_id::text, to_jsonb(r) FROM multipartner.relationship r
              UNION ALL SELECT 'customer', customer_id::text, to_jsonb(c) FROM multipartner.customer c
              UNION ALL SELECT 'partner', partner_id::text, to_jsonb(p) FROM multipartner.partner p) x
            WHERE (SELECT a.new_row FROM multipartner.audit_log a
                    WHERE a.table_name = x.t AND a.row_id = x.id ORDER BY a.event_id DESC LIMIT 1) IS DISTINCT FROM x.j),
    0::bigint, 'the newest audit image of every partner, customer, relationship and subscription is the row itself');
SELECT is((SELECT count(*) FROM multipartner.audit_log a
            WHERE a.event_id > :ev0
              AND (a.txid <> txid_current() OR a.session_actor <> session_user
                   OR (a.operation = 'INSERT') <> (a.old_row IS NULL)
                   OR (a.operation = 'DELETE') <> (a.new_row IS NULL))),
    0::bigint, 'every audit row of the run names this transaction and session, with the old and new images its operation has');
SELECT is((SELECT count(*) FROM ops_log o
            WHERE o.outcome = 'changed' AND o.actor NOT IN ('superuser')
              AND NOT EXISTS (SELECT FROM multipartner.audit_log a WHERE a.event_id > :ev0 AND a.actor = o.actor)),
    0::bigint, 'the audit log names the acting role of every operation that changed something');

\if :{?verbose}
SELECT diag(format('%s %s: %s', kind, outcome, count(*))) FROM ops_log GROUP BY kind, outcome ORDER BY kind, outcome;
\endif
SELECT * FROM finish();
ROLLBACK;
