-- comments: the extension documents itself in the database.  Every object
-- that belongs to it (pg_depend deptype 'e': functions, tables, views,
-- sequences, types, event triggers), its schema, every column of its tables
-- and views, every trigger (but the foreign keys' internal ones) and every
-- policy on its tables has a comment, so \dx+, \d+ and \df+ read as reference
-- documentation.  A failure lists what lacks one, by name.
\i test/setup.psql

SELECT plan(8);

-- What lacks a comment, whatever kind it is and whenever it was added.
CREATE TEMP VIEW uncommented AS
WITH ext AS (
    SELECT x.oid, x.extnamespace FROM pg_extension x WHERE x.extname = 'multipartner'
), member AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rel AS (
    SELECT c.oid, c.relkind FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
)
SELECT 'member' AS kind, pg_describe_object(m.classid, m.objid, 0) AS object
  FROM member m
 WHERE NOT EXISTS (SELECT FROM pg_description c
                    WHERE c.classoid = m.classid AND c.objoid = m.objid AND c.objsubid = 0)
UNION ALL
SELECT 'schema', pg_describe_object('pg_namespace'::regclass, ext.extnamespace, 0)
  FROM ext WHERE obj_description(ext.extnamespace, 'pg_namespace') IS NULL
UNION ALL
SELECT 'column', pg_describe_object('pg_class'::regclass, a.attrelid, a.attnum)
  FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid
 WHERE rel.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
   AND col_description(a.attrelid, a.attnum) IS NULL
UNION ALL
SELECT 'trigger', pg_describe_object('pg_trigger'::regclass, t.oid, 0)
  FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid
 WHERE NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL
UNION ALL
SELECT 'policy', pg_describe_object('pg_policy'::regclass, p.oid, 0)
  FROM rel JOIN pg_policy p ON p.polrelid = rel.oid
 WHERE obj_description(p.oid, 'pg_policy') IS NULL;

-- Everything a comment was looked for, commented or not (to know the test
-- looked at enough).
CREATE TEMP VIEW documented AS
SELECT c.description
  FROM pg_description c
  JOIN pg_depend d ON d.classid = c.classoid AND d.objid = c.objoid
  JOIN pg_extension x ON x.oid = d.refobjid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND x.extname = 'multipartner'
UNION ALL
SELECT c.description
  FROM pg_description c
  JOIN pg_trigger t ON c.classoid = 'pg_trigger'::regclass AND c.objoid = t.oid
 WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'multipartner'::regnamespace)
UNION ALL
SELECT c.description
  FROM pg_description c
  JOIN pg_policy p ON c.classoid = 'pg_policy'::regclass AND c.objoid = p.oid
 WHERE p.polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'multipartner'::regnamespace)
UNION ALL
SELECT obj_description('multipartner'::regnamespace, 'pg_namespace');

SELECT is_empty($$SELECT object FROM uncommented WHERE kind IN ('member', 'schema') ORDER BY 1$$,
    'every function, table, view, sequence, type and event trigger of the extension, and its schema, has a comment');
SELECT is_empty($$SELECT object FROM uncommented WHERE kind = 'column' ORDER BY 1$$,
    'every column of the extension''s tables and views has a comment');
SELECT is_empty($$SELECT object FROM uncommented WHERE kind = 'trigger' ORDER BY 1$$,
    'every trigger on the extension''s tables has a comment');
SELECT is_empty($$SELECT object FROM uncommented WHERE kind = 'policy' ORDER BY 1$$,
    'every row security policy on the extension''s tables has a comment');

-- one style: PostgreSQL's catalog style, no final period, no stray blanks
SELECT is_empty($$SELECT description FROM documented
                   WHERE description ~ '\.$' OR description <> btrim(description) OR description = ''$$,
    'no comment ends with a period or a blank, none is empty');

-- the views above look at enough to mean something (0.6: 242 comments on
-- 33 functions, 9 tables, 6 views and their 127 columns, 41 triggers,
-- 21 policies and the rest)
SELECT cmp_ok((SELECT count(*)::integer FROM documented), '>', 200,
    'more than 200 comments were looked at');

-- An object added to the extension without a comment is caught, whoever
-- adds it (a later version, or another part of this one).  (What the view
-- lists is kept in a psql variable: rolling back to the savepoint would
-- roll back a pgTAP result too.)
SAVEPOINT added;
CREATE VIEW multipartner.regress_undocumented WITH (security_invoker = true) AS SELECT 1 AS n;
ALTER EXTENSION multipartner ADD VIEW multipartner.regress_undocumented;
CREATE FUNCTION multipartner.regress_undocumented_reset() RETURNS void LANGUAGE sql AS '';
ALTER EXTENSION multipartner ADD FUNCTION multipartner.regress_undocumented_reset();
SELECT string_agg(kind || ': ' || object, '; ' ORDER BY kind, object) AS listed FROM uncommented \gset
ROLLBACK TO SAVEPOINT added;
SELECT is(:'listed'::text,
    'column: column n of view multipartner.regress_undocumented; '
    'member: function multipartner.regress_undocumented_reset(); '
    'member: view multipartner.regress_undocumented'::text,
    'a view and a function added to the extension uncommented are listed by name, the view''s column too');
SAVEPOINT dropped;
COMMENT ON COLUMN multipartner.subscription.quantity IS NULL;
COMMENT ON POLICY partner_own ON multipartner.subscription IS NULL;
SELECT string_agg(kind || ': ' || object, '; ' ORDER BY kind, object) AS listed FROM uncommented \gset
ROLLBACK TO SAVEPOINT dropped;
SELECT is(:'listed'::text,
    'column: column quantity of table multipartner.subscription; '
    'policy: policy partner_own on table multipartner.subscription'::text,
    'a comment removed is listed by name');

SELECT * FROM finish();
ROLLBACK;
