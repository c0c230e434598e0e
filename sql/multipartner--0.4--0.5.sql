/* sql/multipartner--0.4--0.5.sql: upgrade multipartner from 0.4 to 0.5 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.5'" to load this file. \quit

/*
 * 0.5 reshapes the code (issue 11) and changes no rule.  In SQL: the
 * customer policies say openly how they compare with member_customers(),
 * a customer's partners are found once per statement,
 * member_customers() says what it does now, and bind_member_roles() binds
 * the roles of member rows loaded with the triggers off.  From 0.5 on,
 * sql/multipartner--0.5.sql is a fresh install written by hand, no longer
 * the concatenation of the steps; test/sql/upgrade.sql checks that this
 * step leaves what it makes.
 */

-- first, as every step does (version.c reads it before every write)
CREATE OR REPLACE FUNCTION multipartner.schema_version() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT '0.5'::pg_catalog.text$$;

/*
 * The customer policies compared with
 * ANY (pg_catalog.array_cat((SELECT multipartner.member_customers()), '{}'::uuid[])):
 * the array_cat only made the scalar sub-select an array expression, as
 * x = ANY (SELECT f()) is the ANY of the sub-select's rows.  The cast says
 * that itself, parse analysis drops it, and ruleutils prints it back (see
 * "Row-level visibility" in sql/multipartner--0.5.sql); the plans keep their
 * InitPlan and index conditions, as = ANY ($n).
 */
ALTER POLICY customer_own ON multipartner.customer
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));
ALTER POLICY customer_own ON multipartner.customer_member
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));
ALTER POLICY customer_own ON multipartner.relationship
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));
ALTER POLICY customer_own ON multipartner.subscription
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]))
    WITH CHECK (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[]));
-- A customer's partners: an array built once per statement instead of a
-- correlated EXISTS (why: "Row-level visibility" in sql/multipartner--0.5.sql).
ALTER POLICY customer_partners ON multipartner.partner
    USING (partner_id OPERATOR(pg_catalog.=) ANY (ARRAY(
               SELECT r.partner_id FROM multipartner.relationship r
                WHERE r.customer_id OPERATOR(pg_catalog.=)
                      ANY ((SELECT multipartner.member_customers())::uuid[]))));
ALTER POLICY customer_own ON multipartner.audit_log
    USING (customer_id OPERATOR(pg_catalog.=) ANY ((SELECT multipartner.member_customers())::uuid[])
           OR actor OPERATOR(pg_catalog.=) CURRENT_USER);

-- It said "cached per transaction"; the answers outlive the transaction.
COMMENT ON FUNCTION multipartner.member_customers() IS
    'the customers the current role is a member of (its customer_member rows, while the role is bound to them), ''{}'' for none; kept by the backend across transactions until the current role, a membership table or a binding changes, or a transaction aborts';

/*
 * The member trigger binds the role of each member row it sees (see
 * partner_member in sql/multipartner--0.5.sql).  Rows loaded with the
 * triggers switched off (a bulk load by a superuser, as the benchmark does)
 * have roles nobody bound, and count for nobody: this function binds the
 * existing roles of member rows that are not bound yet, as the upgrade to
 * 0.4 did for the rows already there.  Rows whose role no longer exists
 * are left alone (they count for nobody).  Each grant locks its role until
 * the transaction ends, so thousands of roles in one transaction can exceed
 * the lock table: max_roles binds that many at most, and a caller repeats
 * the call, each in its own transaction, until it returns 0.  It returns
 * how many roles (per member table) it bound.  Granting on the extension's
 * types is the owner's, so it is for superusers only.
 */
CREATE FUNCTION multipartner.bind_member_roles(max_roles integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $bind$
DECLARE
    r record;
    n integer := 0;
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
                   FROM (SELECT DISTINCT 'partner_role' AS typ, m.member
                           FROM multipartner.partner_member m
                         UNION
                         SELECT DISTINCT 'customer_role', m.member
                           FROM multipartner.customer_member m) u
                  WHERE EXISTS (SELECT FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) u.member)
                    AND NOT EXISTS (SELECT FROM bound b
                                     WHERE b.typ OPERATOR(pg_catalog.=) u.typ
                                       AND b.grantee OPERATOR(pg_catalog.=) u.member)
                  ORDER BY 1, 2
                  LIMIT max_roles)
             SELECT w.typ, pg_catalog.string_agg(w.member::pg_catalog.text, ', ') AS members,
                    pg_catalog.count(*)::integer AS roles
               FROM unbound w GROUP BY w.typ
    LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON TYPE multipartner.%I TO %s', r.typ, r.members);
        n := n OPERATOR(pg_catalog.+) r.roles;
    END LOOP;
    RETURN n;
END
$bind$;
COMMENT ON FUNCTION multipartner.bind_member_roles(integer) IS
    'superusers: bind the roles of member rows loaded with the triggers off to their member type, at most max_roles of them (NULL: all); returns how many it bound, 0 when none is left';
REVOKE ALL ON FUNCTION multipartner.bind_member_roles(integer) FROM PUBLIC;
