/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  What keeps the rules in force around them: restore mode, and the event
 *	  trigger that refuses to let a non-superuser weaken the extension's
 *	  triggers and row security.
 *
 * Restore mode.  The extension's tables are configuration tables
 * (pg_extension_config_dump), so pg_dump writes their rows and a restore
 * loads them with COPY after CREATE EXTENSION has created the tables with
 * their triggers.  Running the rules on that load would re-check history
 * against today's clock and roles, and the audit trigger would write every
 * restored row to the audit log a second time (next to the restored audit
 * rows).  So the triggers step aside for a session that is recognisably a
 * restore: a superuser session with the settings every pg_dump script and
 * every pg_restore connection starts with (row_security = off,
 * check_function_bodies = off and an empty search_path).  Only a superuser
 * can be in it, and a superuser can disable the triggers anyway; the
 * foreign keys, unique keys and checks of the tables still apply.
 *
 * Restore order.  pg_dump sorts the data of the tables in foreign-key order
 * (partner and customer before the tables that refer to them), which a
 * serial restore follows; but it records no dependency between the TABLE
 * DATA entries of an extension's configuration tables (only each one's on
 * its table, which is not in the archive), so pg_restore -j loads them in
 * any order, largest first, and concurrently: a child's COPY met the foreign
 * key before its partner or customer rows were there, failed, and left the
 * table empty.  So in restore mode a row inserted into a table with a
 * foreign key (partner_member, customer_member, relationship, subscription)
 * whose partner or customer is not there yet is held in
 * multipartner.restore_held instead (its text image), and each restore-mode
 * INSERT or COPY into partner or customer puts the held rows back at its
 * end (a row still missing its other party is held again).  Holding and
 * putting back take the same EXCLUSIVE lock on restore_held, and a row is
 * held only after a second look under that lock, so a row held by one
 * connection is always seen by the load of its party in another: either the
 * party's load puts it back after the holder committed, or the holder waited
 * for the party's commit and then found it.  The foreign keys still check
 * every row that goes into a table.
 *
 * The DDL guard.  Tables, triggers and policies belong to the extension
 * owner, normally a superuser.  Should a non-superuser come to own one (an
 * ALTER ... OWNER by a superuser), the ddl_command_end and sql_drop event
 * triggers still refuse any change it makes to the extension's objects:
 * disabling or dropping a trigger (foreign-key triggers included), dropping
 * or altering a policy, turning row security off, moving a table out of the
 * schema, adding a table that inherits from one, a rule on one, or a GRANT
 * or REVOKE on one.  After every such command the state of all the
 * extension's tables is checked too, so a way round the command checks
 * still meets the state check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "commands/extension.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "access/htup_details.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rls.h"

#include "multipartner.h"

/*
 * mp_restoring - is this session restoring a dump?
 */
bool
mp_restoring(void)
{
	return !row_security && !check_function_bodies &&
		namespace_search_path != NULL && namespace_search_path[0] == '\0' &&
		superuser();
}

/*
 * The tables whose rows refer to a partner or a customer, and the column
 * that does (NULL: none).
 */
typedef struct HeldTable
{
	const char *name;
	const char *partner_col;
	const char *customer_col;
} HeldTable;

static const HeldTable held_tables[] = {
	{"partner_member", "partner_id", NULL},
	{"customer_member", NULL, "customer_id"},
	{"relationship", "partner_id", "customer_id"},
	{"subscription", "partner_of_record", "customer_id"},
};
#define NUM_HELD_TABLES lengthof(held_tables)

/* the lock under which rows are held and put back */
static void
lock_held(void)
{
	Oid			relid = mp_relation_oid("restore_held");

	if (!OidIsValid(relid))
		elog(ERROR, "table \"%s.restore_held\" does not exist", MP_SCHEMA);
	LockRelationOid(relid, ExclusiveLock);
}

/*
 * Is the row's partner or customer missing?  Each look is a query of its
 * own, with a snapshot of its own (READ COMMITTED: what has committed by
 * now), run as the restoring superuser.
 */
static bool
party_missing(const HeldTable *ht, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		id;

	if (ht->partner_col)
	{
		id = mp_getattr(tuple, rel, ht->partner_col, &isnull);
		if (!isnull && !mp_lookup_party_exists(true, DatumGetUUIDP(id)))
			return true;
	}
	if (ht->customer_col)
	{
		id = mp_getattr(tuple, rel, ht->customer_col, &isnull);
		if (!isnull && !mp_lookup_party_exists(false, DatumGetUUIDP(id)))
			return true;
	}
	return false;
}

/*
 * mp_restore_row - what a BEFORE ROW trigger of a table with a foreign key
 * returns in restore mode: the row, or NULL when it was held until its
 * partner or customer is loaded (see Restore order above).
 */
Datum
mp_restore_row(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tuple = trigdata->tg_trigtuple;
	const HeldTable *ht = NULL;
	bool		missing;

	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return mp_trigger_passthrough(trigdata);
	for (int i = 0; i < NUM_HELD_TABLES; i++)
		if (strcmp(RelationGetRelationName(rel), held_tables[i].name) == 0)
			ht = &held_tables[i];
	if (ht == NULL)
		return PointerGetDatum(tuple);

	missing = party_missing(ht, rel, tuple);
	if (missing)
	{
		/* look again once no party's load can be putting rows back */
		lock_held();
		missing = party_missing(ht, rel, tuple);
	}
	if (missing)
		mp_lookup_restore_hold(ht->name,
							   OidOutputFunctionCall(F_RECORD_OUT,
													 heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel))));
	return missing ? PointerGetDatum(NULL) : PointerGetDatum(tuple);
}

/*
 * restore_hold(): BEFORE INSERT ... FOR EACH ROW on the member tables, which
 * have no BEFORE trigger of their own; outside restore mode it does nothing.
 */
static const MpTrigger restore_hold = {
	.name = "restore_hold",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,
};

MP_TRIGGER_FUNCTION(mp_restore_hold, restore_hold)

/*
 * restore_release(): AFTER INSERT ... FOR EACH STATEMENT on partner and
 * customer; in restore mode it puts back the rows held for want of the
 * partners or customers this statement loaded.
 */
static HeapTuple
restore_release_statement(const MpTriggerEvent *ev)
{
	lock_held();
	mp_lookup_restore_release();
	return NULL;
}

static const MpTrigger restore_release = {
	.name = "restore_release",
	.kind = MP_TRIGGER_ANY,
	.restore = MP_RESTORE_ONLY,
	.on_insert = restore_release_statement,
};

MP_TRIGGER_FUNCTION(mp_restore_release, restore_release)

/*
 * The extension's tables, found by membership (pg_depend), not by schema: a
 * table moved out of the schema is still ours.
 */
#define EXT_TABLES \
"SELECT e.objid FROM pg_catalog.pg_depend e" \
" JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid" \
" WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass" \
"   AND e.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass" \
"   AND e.deptype OPERATOR(pg_catalog.=) 'e' AND x.extname OPERATOR(pg_catalog.=) $1"

/*
 * Anything of ours weakened?  Every table of the extension must still be in
 * its schema, with row security enabled and forced, every trigger on it
 * (foreign-key triggers included) ENABLE ALWAYS, no rewrite rule on it and
 * no table inheriting from it (whose rows would read as ours unchecked).
 */
static const char *const weakened_sql =
"SELECT c.relname::pg_catalog.text FROM pg_catalog.pg_class c"
" WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(" EXT_TABLES "))"
"   AND c.relkind OPERATOR(pg_catalog.=) 'r'"
"   AND (c.relnamespace OPERATOR(pg_catalog.<>) $2"
"        OR NOT c.relrowsecurity OR NOT c.relforcerowsecurity"
"        OR EXISTS (SELECT FROM pg_catalog.pg_trigger t"
"                    WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid"
"                      AND t.tgenabled OPERATOR(pg_catalog.<>) 'A')"
"        OR EXISTS (SELECT FROM pg_catalog.pg_rewrite r"
"                    WHERE r.ev_class OPERATOR(pg_catalog.=) c.oid)"
"        OR EXISTS (SELECT FROM pg_catalog.pg_inherits i"
"                    WHERE i.inhparent OPERATOR(pg_catalog.=) c.oid))"
" LIMIT 1";

/* The commands of this statement that touched the schema or its objects. */
static const char *const touched_sql =
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_ddl_commands() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
"    OR EXISTS (SELECT FROM pg_catalog.pg_depend e"
"                JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid"
"               WHERE e.classid OPERATOR(pg_catalog.=) d.classid"
"                 AND e.objid OPERATOR(pg_catalog.=) d.objid"
"                 AND e.deptype OPERATOR(pg_catalog.=) 'e'"
"                 AND x.extname OPERATOR(pg_catalog.=) $1)"
" LIMIT 1";

static const char *const dropped_sql =
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
" LIMIT 1";

static const char *const member_sql =
"SELECT 1 FROM pg_catalog.pg_depend e"
" JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid"
" WHERE e.classid OPERATOR(pg_catalog.=) $1 AND e.objid OPERATOR(pg_catalog.=) $2"
"   AND e.deptype OPERATOR(pg_catalog.=) 'e' AND x.extname OPERATOR(pg_catalog.=) $3";

static SPIPlanPtr weakened_plan;
static SPIPlanPtr touched_plan;
static SPIPlanPtr dropped_plan;
static SPIPlanPtr member_plan;

static void
refuse(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to change \"%s\"", what),
			 errdetail("Only a superuser may change the objects of the multipartner extension."),
			 errhint("The triggers and row security policies of multipartner enforce its rules; they stay as the extension created them.")));
}

static bool
is_member(Oid classid, Oid objid)
{
	Datum		args[3];

	if (!OidIsValid(objid))
		return false;
	args[0] = ObjectIdGetDatum(classid);
	args[1] = ObjectIdGetDatum(objid);
	args[2] = CStringGetTextDatum(MP_SCHEMA);
	return mp_execute(&member_plan, member_sql, 3,
					  (Oid[]) {OIDOID, OIDOID, TEXTOID}, false, args, NULL, 1,
					  InvalidSnapshot) > 0;
}

/*
 * GRANT and REVOKE: pg_event_trigger_ddl_commands() does not say which
 * objects they touched, so read the statement itself.
 */
static void
check_grant(GrantStmt *stmt)
{
	ListCell   *lc;

	if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA)
	{
		foreach(lc, stmt->objects)
			if (strcmp(strVal(lfirst(lc)), MP_SCHEMA) == 0)
				refuse(MP_SCHEMA);
		return;
	}
	if (stmt->targtype != ACL_TARGET_OBJECT)
		return;
	switch (stmt->objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_SEQUENCE:
			foreach(lc, stmt->objects)
			{
				RangeVar   *rv = lfirst_node(RangeVar, lc);
				Oid			relid = RangeVarGetRelid(rv, NoLock, true);

				if (is_member(RelationRelationId, relid))
					refuse(get_rel_name(relid));
			}
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
			foreach(lc, stmt->objects)
			{
				ObjectWithArgs *owa = lfirst_node(ObjectWithArgs, lc);
				Oid			funcid = LookupFuncWithArgs(stmt->objtype, owa, true);

				if (is_member(ProcedureRelationId, funcid))
					refuse(NameListToString(owa->objname));
			}
			break;
		case OBJECT_SCHEMA:
			foreach(lc, stmt->objects)
				if (strcmp(strVal(lfirst(lc)), MP_SCHEMA) == 0)
					refuse(MP_SCHEMA);
			break;
		default:
			break;
	}
}

PG_FUNCTION_INFO_V1(mp_ddl_guard);
Datum
mp_ddl_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			nspid;
	Datum		args[2];
	bool		isnull;
	bool		drop;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"ddl_guard")));
	trigdata = (EventTriggerData *) fcinfo->context;

	/* Superusers are trusted, and the extension's own scripts run as one. */
	if (superuser() || creating_extension)
		PG_RETURN_VOID();

	nspid = get_namespace_oid(MP_SCHEMA, true);
	if (!OidIsValid(nspid))
		PG_RETURN_VOID();
	drop = strcmp(trigdata->event, "sql_drop") == 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (!drop && trigdata->parsetree && IsA(trigdata->parsetree, GrantStmt))
		check_grant((GrantStmt *) trigdata->parsetree);

	args[0] = CStringGetTextDatum(MP_SCHEMA);
	if (mp_execute(drop ? &dropped_plan : &touched_plan,
				   drop ? dropped_sql : touched_sql, 1,
				   (Oid[]) {TEXTOID}, false, args, NULL, 1, InvalidSnapshot) > 0)
		refuse(TextDatumGetCString(mp_result_datum(0, 1, &isnull)));

	args[1] = ObjectIdGetDatum(nspid);
	if (mp_execute(&weakened_plan, weakened_sql, 2, (Oid[]) {TEXTOID, OIDOID},
				   false, args, NULL, 1, InvalidSnapshot) > 0)
		refuse(psprintf("%s.%s", MP_SCHEMA,
						TextDatumGetCString(mp_result_datum(0, 1, &isnull))));

	SPI_finish();
	PG_RETURN_VOID();
}
