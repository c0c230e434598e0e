/*
 * test/bench/floor.sql: the two baselines of the benchmark (make bench), made
 * from the extension's own tables so that they stay the same tables whatever
 * the extension's version.  Run after CREATE EXTENSION multipartner.
 *
 *   floor  every table of the extension with the same columns, types,
 *          defaults, identity, CHECK constraints and indexes (LIKE ...
 *          INCLUDING ALL) and the same foreign keys (pointed at floor), but
 *          no trigger and no row security: what storing the same rows with
 *          plain referential integrity costs.
 *   bare   subscription and relationship once more without foreign keys: the
 *          base cost of writing the row, subtracted from every variant in the
 *          callgrind layer ("overhead above bare").
 *
 * They use the extension's enum types.
 */
\set ON_ERROR_STOP 1

CREATE SCHEMA floor;
CREATE SCHEMA bare;

DO $$
DECLARE
    t   name;
    fk  record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
              WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r'
              ORDER BY c.relname
    LOOP
        EXECUTE format('CREATE TABLE floor.%I (LIKE multipartner.%I INCLUDING ALL)', t, t);
    END LOOP;
    FOR fk IN SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) AS def
                FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
               WHERE c.relnamespace = 'multipartner'::regnamespace AND con.contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE floor.%I ADD CONSTRAINT %I %s', fk.relname, fk.conname,
                       replace(fk.def, 'REFERENCES multipartner.', 'REFERENCES floor.'));
    END LOOP;
END
$$;

-- term_start (0.8) and, since 0.9, the time stamps of new rows are the
-- trigger's to write in the extension (its columns have no default there);
-- without a trigger the floor's rows get the time of the INSERT from a
-- default (the data load gives them explicitly)
ALTER TABLE floor.subscription
    ALTER COLUMN term_start SET DEFAULT GREATEST(statement_timestamp(), now()),
    ALTER COLUMN created_at SET DEFAULT GREATEST(statement_timestamp(), now());
ALTER TABLE floor.customer
    ALTER COLUMN created_at SET DEFAULT GREATEST(statement_timestamp(), now());
ALTER TABLE floor.relationship
    ALTER COLUMN requested_at SET DEFAULT GREATEST(statement_timestamp(), now());
ALTER TABLE floor.admin_relationship
    ALTER COLUMN created_at SET DEFAULT GREATEST(statement_timestamp(), now());
ALTER TABLE floor.access_assignment
    ALTER COLUMN created_at SET DEFAULT GREATEST(statement_timestamp(), now());

CREATE TABLE bare.relationship (LIKE floor.relationship INCLUDING ALL);
CREATE TABLE bare.subscription (LIKE floor.subscription INCLUDING ALL);

-- The application roles of the extension write here too.  No row security, no triggers.
GRANT USAGE ON SCHEMA floor, bare TO multipartner_partner_app, multipartner_customer_app;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA floor, bare
    TO multipartner_partner_app, multipartner_customer_app;
