-- replica_origin: a foreign key's trigger left ENABLE ORIGIN (what pg_upgrade
-- does to all 24, issue 10 item 6) must not let session_replication_role =
-- replica skip it.  The extension's own triggers, which fire ALWAYS, refuse
-- the write (55000) on either side of the key, a DBA's own ENABLE ORIGIN
-- trigger does not count, and multipartner.enable_always_triggers() (for
-- superusers) puts every trigger of ours back to ENABLE ALWAYS.  The full
-- pg_upgrade is t/003_pg_upgrade.pl; this one simulates its result.
\i test/setup.psql
\i test/fixtures.psql

SELECT plan(18);

\set ghost '00000000-0000-4000-8000-00000000dead'
GRANT SET ON PARAMETER session_replication_role TO regress_operator;

-- the state pg_upgrade leaves, for one foreign key: customer_member -> customer
CREATE FUNCTION pg_temp.fk_triggers(tbl regclass, fk name, state "char") RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    t record;
    n int := 0;
BEGIN
    FOR t IN SELECT tg.tgrelid::regclass AS rel, tg.tgname FROM pg_trigger tg
              JOIN pg_constraint k ON k.oid = tg.tgconstraint
             WHERE k.conrelid = tbl AND k.conname = fk AND tg.tgisinternal
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.rel,
                       CASE state WHEN 'O' THEN 'ENABLE' ELSE 'ENABLE ALWAYS' END, t.tgname);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
SELECT is(pg_temp.fk_triggers('multipartner.customer_member', 'customer_member_customer_id_fkey', 'O'), 4,
    'the four triggers of customer_member_customer_id_fkey are ENABLE ORIGIN, as after pg_upgrade');

-- a customer nothing refers to, for the referenced side
SET ROLE regress_operator;
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud)
VALUES ('33333333-3333-4333-8333-0000000000f1', '44444444-4444-4444-8444-0000000000f1', 'Lonely', 'commercial');
RESET ROLE;

SET ROLE regress_operator;
SET session_replication_role = replica;
SELECT throws_ok($$INSERT INTO multipartner.customer_member (member, customer_id, role)
                   VALUES ('regress_contoso_reader', '$$ || :'ghost' || $$', 'reader')$$,
    '55000', 'cannot write to table "customer_member" with session_replication_role = replica',
    'replica mode, operator: a member row for a customer that does not exist is refused (referencing side)');
SELECT throws_ok($$DELETE FROM multipartner.customer WHERE customer_id = '33333333-3333-4333-8333-0000000000f1'$$,
    '55000', 'cannot write to table "customer" with session_replication_role = replica',
    'replica mode, operator: deleting a customer is refused while its side of the key would be skipped');
SELECT throws_ok($$UPDATE multipartner.customer_member SET role = 'billing_admin'
                    WHERE customer_id = '$$ || :'contoso_id' || $$'$$,
    '55000', NULL, 'replica mode, operator: updating a member row is refused too');
SELECT lives_ok($$UPDATE multipartner.partner SET name = name WHERE partner_id = '$$ || :'office_id' || $$'$$,
    'replica mode, operator: a table whose triggers all fire ALWAYS is written as before');
RESET session_replication_role;
SELECT throws_ok($$INSERT INTO multipartner.customer_member (member, customer_id, role)
                   VALUES ('regress_contoso_reader', '$$ || :'ghost' || $$', 'reader')$$,
    '23503', NULL, 'origin mode: the ENABLE ORIGIN key fires and refuses the member row');
RESET ROLE;
SELECT is((SELECT count(*) FROM multipartner.customer_member WHERE customer_id = :'ghost'), 0::bigint,
    'no member row for the customer that does not exist was written');
SELECT is((SELECT count(*) FROM multipartner.customer WHERE name = 'Lonely'), 1::bigint,
    'the customer was not deleted');

-- a trigger of ours left ENABLE ORIGIN counts the same
SELECT is(pg_temp.fk_triggers('multipartner.customer_member', 'customer_member_customer_id_fkey', 'A'), 4,
    'the key is ENABLE ALWAYS again');
ALTER TABLE multipartner.partner_member ENABLE TRIGGER audit;
SET ROLE regress_operator;
SET session_replication_role = replica;
SELECT throws_ok($$DELETE FROM multipartner.partner_member WHERE member = 'regress_office_hd'::regrole$$,
    '55000', NULL, 'replica mode: the audit trigger left ENABLE ORIGIN is not skipped either');
RESET session_replication_role;
RESET ROLE;

-- a DBA's own ENABLE ORIGIN trigger is the DBA's choice
CREATE FUNCTION pg_temp.dba_note() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER dba_note AFTER INSERT ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION pg_temp.dba_note();
SET ROLE regress_operator;
SET session_replication_role = replica;
SELECT lives_ok($$INSERT INTO multipartner.customer_member (member, customer_id, role)
                   VALUES ('regress_contoso_reader', '$$ || :'fabrikam_id' || $$', 'reader')$$,
    'replica mode: a DBA''s own ENABLE ORIGIN trigger does not stop the write');
RESET session_replication_role;

-- the repair, superusers only
SELECT throws_ok('SELECT multipartner.enable_always_triggers()', '42501', NULL,
    'an operator cannot run enable_always_triggers()');
RESET ROLE;
SELECT is(pg_temp.fk_triggers('multipartner.relationship', 'relationship_partner_id_fkey', 'O'), 4,
    'the four triggers of relationship_partner_id_fkey are ENABLE ORIGIN');
SELECT is(multipartner.enable_always_triggers(), 5,
    'enable_always_triggers() switches the audit trigger and the four of the key back');
SELECT is((SELECT string_agg(DISTINCT tgenabled::text, ',') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgname <> 'dba_note'), 'A',
    'every trigger of the extension''s tables is ENABLE ALWAYS again');
SELECT is((SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'dba_note'), 'O',
    'the DBA''s own trigger is left as it was');
SELECT is(multipartner.enable_always_triggers(), 0, 'a second call finds nothing to do');
SET ROLE regress_operator;
SET session_replication_role = replica;
SELECT throws_ok($$INSERT INTO multipartner.customer_member (member, customer_id, role)
                   VALUES ('regress_contoso_reader', '$$ || :'ghost' || $$', 'reader')$$,
    '23503', NULL, 'replica mode after the repair: the foreign key itself refuses the member row');
RESET session_replication_role;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
