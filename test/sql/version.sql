-- version: the library writes only against objects of its own version.  A
-- newer multipartner.so installed before ALTER EXTENSION multipartner UPDATE
-- would otherwise run its rules against the old objects (0.4 on 0.2 objects
-- silently dropped a guarantee); a backend that keeps an older library after
-- an update would do the reverse.  Every write is refused until the versions
-- agree, with a hint saying what to do; reads go on.
SET client_min_messages = warning;
\set regress_db :DBNAME
CREATE DATABASE regress_mp_version;
\c regress_mp_version
SET client_min_messages = warning;
-- this library, the objects of 0.3
CREATE EXTENSION multipartner VERSION '0.3';
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
     VALUES ('P', 'commercial', '22222222-2222-4222-8222-0000000000aa');
UPDATE multipartner.partner SET name = 'Q';
SELECT count(*) AS partners_read FROM multipartner.partner;
-- the objects of 0.4, the first to say their version: refused as older
ALTER EXTENSION multipartner UPDATE TO '0.4';
SELECT multipartner.schema_version() AS objects;
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
     VALUES ('P', 'commercial', '22222222-2222-4222-8222-0000000000aa');
-- the same session, once the objects are updated: writes go through
ALTER EXTENSION multipartner UPDATE;
SELECT multipartner.schema_version() AS objects, multipartner.library_version() AS library;
INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
     VALUES ('P', 'commercial', '22222222-2222-4222-8222-0000000000aa');
SELECT count(*) AS partners FROM multipartner.partner;
-- objects newer than the library (what a session that kept an older library
-- sees after an update): refused too
BEGIN;
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$SELECT '0.10'::pg_catalog.text$$;
UPDATE multipartner.partner SET name = 'Q';
ROLLBACK;
UPDATE multipartner.partner SET name = 'Q';
\c :regress_db
DROP DATABASE regress_mp_version;
