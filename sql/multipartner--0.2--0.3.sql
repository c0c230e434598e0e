/* sql/multipartner--0.2--0.3.sql: upgrade multipartner from 0.2 to 0.3 */

\echo Use "ALTER EXTENSION multipartner UPDATE TO '0.3'" to load this file. \quit

/*
 * 0.3 changes how a write made as a partner member holds the membership
 * that allows it (identity.c, mp_lock_acting_membership).  Under READ
 * COMMITTED the writer no longer locks its partner_member rows FOR KEY
 * SHARE (a WAL record and a dirtied page per transaction, and a MultiXact
 * as soon as two transactions of one role overlap); it takes a lock on the
 * member role as an object (pg_locks: locktype object, classid the
 * partner_member table, objid the role) in ACCESS SHARE mode, which writers
 * never conflict on.  A change of a membership row takes the same lock in
 * ACCESS EXCLUSIVE mode, so it waits for the writes in flight under the old
 * membership, and the writes after it wait for it and then read the new
 * one.  The membership trigger also sends a relcache invalidation of the
 * table, which drops the memberships other backends keep across
 * transactions (they no longer read them in every transaction).  REPEATABLE READ and
 * SERIALIZABLE writers keep the row lock, whose conflict with a concurrent
 * change is the serialization failure they need.
 *
 * For that the membership trigger must see each changed row: it becomes a
 * row-level trigger (it was one call per statement).
 */
DROP TRIGGER partner_member_changed ON multipartner.partner_member;
CREATE TRIGGER partner_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.partner_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.member_changed();
ALTER TABLE multipartner.partner_member ENABLE ALWAYS TRIGGER partner_member_changed;

DROP TRIGGER customer_member_changed ON multipartner.customer_member;
CREATE TRIGGER customer_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON multipartner.customer_member
    FOR EACH ROW EXECUTE FUNCTION multipartner.member_changed();
ALTER TABLE multipartner.customer_member ENABLE ALWAYS TRIGGER customer_member_changed;
