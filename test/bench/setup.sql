/*
 * test/bench/setup.sql: the benchmark's own helpers (schema "bench"), run by
 * test/bench/run.sh as superuser after the extension, floor.sql and
 * plpgsql_reference.sql.  Nothing here is part of what is measured.
 */
\set ON_ERROR_STOP 1

CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO PUBLIC;

-- Per-row uuids: md5 of a tag and a number, so every run has the same keys,
-- spread over the key space like gen_random_uuid() ones.
--   partner p: md5('p'||p)   customer c: md5('c'||c)   subscription n: md5('s'||n)

/*
 * Triggers off and back on for the bulk load and for removing the rows a
 * workload made.  The state of every trigger (internal foreign-key ones
 * included) is saved first and restored exactly: the extension's triggers are
 * ENABLE ALWAYS ('A'), and ALTER TABLE ... ENABLE TRIGGER ALL would bring
 * them back as ENABLE ('O').
 */
CREATE TABLE bench.saved_trigger (tbl regclass, tgname name, tgenabled "char",
                                  PRIMARY KEY (tbl, tgname));

CREATE FUNCTION bench.triggers_off(tables regclass[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        INSERT INTO bench.saved_trigger
        SELECT t, tg.tgname, tg.tgenabled FROM pg_trigger tg WHERE tg.tgrelid = t
        ON CONFLICT DO NOTHING;
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER ALL', t);
    END LOOP;
END
$fn$;

CREATE FUNCTION bench.triggers_restore() RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM bench.saved_trigger LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.tbl,
                       CASE t.tgenabled WHEN 'A' THEN 'ENABLE ALWAYS' WHEN 'R' THEN 'ENABLE REPLICA'
                                        WHEN 'D' THEN 'DISABLE' ELSE 'ENABLE' END,
                       t.tgname);
    END LOOP;
    IF EXISTS (SELECT FROM bench.saved_trigger s JOIN pg_trigger tg
                   ON tg.tgrelid = s.tbl AND tg.tgname = s.tgname
                WHERE tg.tgenabled <> s.tgenabled) THEN
        RAISE EXCEPTION 'bench.triggers_restore: a trigger did not get its state back';
    END IF;
    DELETE FROM bench.saved_trigger;
END
$fn$;

-- The relationship requests the request+accept workload made, removed so that
-- the next run starts from the same state (the extension and the reference
-- refuse DELETE: their triggers are switched off for it, as superuser).
CREATE SEQUENCE bench.req_seq;
GRANT USAGE ON SEQUENCE bench.req_seq TO PUBLIC;

CREATE FUNCTION bench.reset_requests(s text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    IF s <> 'floor' THEN
        PERFORM bench.triggers_off(ARRAY[format('%I.relationship', s)::regclass]);
    END IF;
    EXECUTE format('DELETE FROM %I.relationship WHERE requested_by = %L', s, 'bench_sales');
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM bench.triggers_restore();
    PERFORM setval('bench.req_seq', 1, false);
    RETURN n;
END
$fn$;

/*
 * Memory layer: many trigger calls in one backend, COMMIT after every batch,
 * the backend's memory contexts summed after every tenth batch.
 * Each subscription INSERT and UPDATE fires three of the extension's trigger
 * functions (subscription_guard, audit, audit_log_guard on the audit row).
 * target 'floor' runs the same statements on floor (no trigger of ours): the
 * control, for what PL/pgSQL, the procedure and PostgreSQL keep themselves.
 */
CREATE TABLE bench.mem_log (target text, batch int, calls bigint, total_bytes bigint,
                            used_bytes bigint, ncontexts int, cache_bytes bigint);
CREATE TABLE bench.mem_ctx (target text, phase text, name text, ident text, level int,
                            total_bytes bigint, used_bytes bigint);
GRANT INSERT, SELECT ON bench.mem_log, bench.mem_ctx TO PUBLIC;

CREATE PROCEDURE bench.mem_probe(target text, batches int, rows_per_batch int, nbig int,
                                 ncust int, partner uuid)
LANGUAGE plpgsql AS $fn$
DECLARE
    i int;
    n bigint;
    calls bigint := 0;
BEGIN
    FOR b IN 1 .. batches LOOP
        FOR j IN 1 .. rows_per_batch LOOP
            i := (b * 7919 + j * 104729) % nbig;
            -- one of the partner's subscriptions: customer 8i+3, an even k
            n := (2 * ((b + j) % 5)) * ncust + 8 * i + 3;
            IF target = 'floor' THEN
                IF j % 2 = 0 THEN
                    INSERT INTO floor.subscription
                        (customer_id, partner_of_record, offer_id, product_family, quantity,
                         term, billing_cycle, commitment_end, term_start)
                    VALUES (md5('c' || (8 * i + 3))::uuid, partner, 'MEM-PROBE', 'Memory', 1,
                            'P1M', 'monthly', GREATEST(statement_timestamp(), now()) + interval '1 month',
                            GREATEST(statement_timestamp(), now()));
                ELSE
                    UPDATE floor.subscription SET quantity = quantity + 1
                     WHERE subscription_id = md5('s' || n)::uuid;
                END IF;
            ELSE
                IF j % 2 = 0 THEN
                    INSERT INTO multipartner.subscription
                        (customer_id, partner_of_record, offer_id, product_family, quantity,
                         term, billing_cycle, commitment_end, term_start)
                    VALUES (md5('c' || (8 * i + 3))::uuid, partner, 'MEM-PROBE', 'Memory', 1,
                            'P1M', 'monthly', GREATEST(statement_timestamp(), now()) + interval '1 month',
                            GREATEST(statement_timestamp(), now()));
                ELSE
                    UPDATE multipartner.subscription SET quantity = quantity + 1
                     WHERE subscription_id = md5('s' || n)::uuid;
                END IF;
                calls := calls + 3;
            END IF;
        END LOOP;
        COMMIT;
        IF b % 10 = 0 OR b = 1 OR b = batches THEN
            INSERT INTO bench.mem_log
            SELECT target, b, calls, sum(total_bytes), sum(used_bytes), count(*),
                   (SELECT sum(c.total_bytes) FROM pg_backend_memory_contexts c
                     WHERE c.name = 'CacheMemoryContext' OR c.parent = 'CacheMemoryContext')
              FROM pg_backend_memory_contexts;
            COMMIT;
        END IF;
        -- every context, at the 10% mark (after warm-up) and at the end
        IF b = greatest(batches / 10, 1) OR b = batches THEN
            INSERT INTO bench.mem_ctx
            SELECT target, CASE WHEN b = batches THEN 'end' ELSE 'warm' END, name, ident, level,
                   total_bytes, used_bytes
              FROM pg_backend_memory_contexts;
            COMMIT;
        END IF;
    END LOOP;
END
$fn$;
GRANT EXECUTE ON PROCEDURE bench.mem_probe(text, int, int, int, int, uuid) TO PUBLIC;
