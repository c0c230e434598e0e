/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The event trigger that refuses to let a non-superuser weaken the
 *	  extension's triggers and row security.
 *
 * The DDL guard.  Tables, triggers and policies belong to the extension
 * owner, normally a superuser.  Should a non-superuser come to own one (an
 * ALTER ... OWNER by a superuser), the ddl_command_end and sql_drop event
 * triggers still refuse any change it makes to the extension's objects:
 * disabling or dropping a trigger (foreign-key triggers included), dropping
 * or altering a policy, turning row security off, moving a table out of the
 * schema, adding a table that inherits from one, a rule on one, a GRANT
 * or REVOKE on one, or ALTER EXTENSION multipartner ADD or DROP (by an
 * owner of the extension who is no superuser any more).  After every such
 * command the state of all the extension's tables is checked too, so a
 * way round the command checks still meets the state check.
 *
 * The data guard.  DROP EXTENSION multipartner drops every table of the
 * extension with its rows, the audit log included, with or without
 * CASCADE; DROP SCHEMA multipartner CASCADE and DROP OWNED BY the
 * extension's owner or the schema's drop the extension too.  A ddl_command_start event
 * trigger refuses these while any table of the extension holds a row,
 * unless multipartner.allow_drop_with_data (superusers only) is on.  It
 * speaks only to a user PostgreSQL would let drop the extension; anybody
 * else gets PostgreSQL's own refusal, and no word of the rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "commands/extension.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "multipartner.h"

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
 * its schema, with row security enabled and forced, every trigger on it that
 * is a foreign key's or the extension's own ENABLE ALWAYS (the triggers
 * check_replica_skips_nothing looks at; not, say, the internal truncate
 * trigger Citus puts on a distributed table's shell), no rewrite rule
 * on it and no table inheriting from it (whose rows would read as ours
 * unchecked).
 */
static MpSql weakened_sql = MP_SQL(
"SELECT c.relname::pg_catalog.text FROM pg_catalog.pg_class c"
" WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(" EXT_TABLES "))"
"   AND c.relkind OPERATOR(pg_catalog.=) 'r'"
"   AND (c.relnamespace OPERATOR(pg_catalog.<>) $2"
"        OR NOT c.relrowsecurity OR NOT c.relforcerowsecurity"
"        OR EXISTS (SELECT FROM pg_catalog.pg_trigger t"
"                    WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid"
"                      AND t.tgenabled OPERATOR(pg_catalog.<>) 'A'"
"                      AND ((t.tgisinternal AND t.tgconstraint OPERATOR(pg_catalog.<>) 0)"
"                           OR EXISTS (SELECT FROM pg_catalog.pg_proc p"
"                                       WHERE p.oid OPERATOR(pg_catalog.=) t.tgfoid"
"                                         AND p.pronamespace OPERATOR(pg_catalog.=) $2)))"
"        OR EXISTS (SELECT FROM pg_catalog.pg_rewrite r"
"                    WHERE r.ev_class OPERATOR(pg_catalog.=) c.oid)"
"        OR EXISTS (SELECT FROM pg_catalog.pg_inherits i"
"                    WHERE i.inhparent OPERATOR(pg_catalog.=) c.oid))"
" LIMIT 1", MP_AS_CALLER, 2, TEXTOID, OIDOID);

/* The commands of this statement that touched the schema or its objects. */
static MpSql touched_sql = MP_SQL(
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_ddl_commands() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
"    OR EXISTS (SELECT FROM pg_catalog.pg_depend e"
"                JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid"
"               WHERE e.classid OPERATOR(pg_catalog.=) d.classid"
"                 AND e.objid OPERATOR(pg_catalog.=) d.objid"
"                 AND e.deptype OPERATOR(pg_catalog.=) 'e'"
"                 AND x.extname OPERATOR(pg_catalog.=) $1)"
" LIMIT 1", MP_AS_CALLER, 1, TEXTOID);

static MpSql dropped_sql = MP_SQL(
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
" LIMIT 1", MP_AS_CALLER, 1, TEXTOID);

static MpSql member_sql = MP_SQL(
"SELECT 1 FROM pg_catalog.pg_depend e"
" JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid"
" WHERE e.classid OPERATOR(pg_catalog.=) $1 AND e.objid OPERATOR(pg_catalog.=) $2"
"   AND e.deptype OPERATOR(pg_catalog.=) 'e' AND x.extname OPERATOR(pg_catalog.=) $3",
MP_AS_CALLER, 3, OIDOID, OIDOID, TEXTOID);

static void
refuse(const char *what)
{
	pg_uuid_t	partner;

	mp_count_refusal_for(MP_RULE_GUARD, ERRCODE_INSUFFICIENT_PRIVILEGE,
						 mp_acting_partner_cached(&partner) ? &partner : NULL);
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
	return mp_sql_execute(&member_sql, args, NULL, 1, InvalidSnapshot) > 0;
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

	/*
	 * ALTER EXTENSION multipartner ADD or DROP, by an owner of the extension
	 * who is no superuser (any more): an object let out of the extension is
	 * no longer checked here, and dropping one let out (a table moved out of
	 * the schema, then DROP TABLE ... CASCADE) cascades to the extension and
	 * every row of it, past the data guard.
	 */
	if (!drop && trigdata->parsetree &&
		IsA(trigdata->parsetree, AlterExtensionContentsStmt) &&
		strcmp(((AlterExtensionContentsStmt *) trigdata->parsetree)->extname,
			   MP_SCHEMA) == 0)
		refuse(MP_SCHEMA);

	args[0] = CStringGetTextDatum(MP_SCHEMA);
	if (mp_sql_execute(drop ? &dropped_sql : &touched_sql, args, NULL, 1,
					   InvalidSnapshot) > 0)
		refuse(TextDatumGetCString(mp_result_datum(0, 1, &isnull)));

	args[1] = ObjectIdGetDatum(nspid);
	if (mp_sql_execute(&weakened_sql, args, NULL, 1, InvalidSnapshot) > 0)
		refuse(psprintf("%s.%s", MP_SCHEMA,
						TextDatumGetCString(mp_result_datum(0, 1, &isnull))));

	SPI_finish();
	PG_RETURN_VOID();
}

/*-------------------------------------------------------------------------
 * The data guard (see the file header)
 *-------------------------------------------------------------------------
 */

/* multipartner.allow_drop_with_data (module.c) */
bool		mp_allow_drop_with_data_guc = false;

/* The extension's plain tables, the ones that hold rows, by name. */
static MpSql ext_plain_tables_sql = MP_SQL(
"SELECT c.oid FROM pg_catalog.pg_class c"
" WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(" EXT_TABLES "))"
"   AND c.relkind OPERATOR(pg_catalog.=) 'r'"
" ORDER BY c.relname", MP_AS_CALLER, 1, TEXTOID);

/* The owner and the schema of the extension (pg_extension has no syscache). */
static void
extension_owner_schema(Oid extoid, Oid *owner, Oid *nspid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	*owner = *nspid = InvalidOid;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		*owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
		*nspid = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * Does this statement drop the extension, as a user PostgreSQL lets do so?
 * DROP EXTENSION naming it (alone or in a list, CASCADE or not) needs the
 * extension's ownership; DROP SCHEMA ... CASCADE naming its schema the
 * schema's; DROP OWNED BY naming its owner or the schema's owner the
 * privileges of that role (DropOwnedObjects).  For anybody else PostgreSQL refuses the statement
 * itself, and the guard neither looks at the tables nor locks them.
 */
static bool
drops_extension(Node *parsetree, Oid extoid)
{
	ListCell   *lc;
	Oid			owner;
	Oid			nspid;

	extension_owner_schema(extoid, &owner, &nspid);
	if (IsA(parsetree, DropStmt))
	{
		DropStmt   *stmt = (DropStmt *) parsetree;

		if (stmt->removeType == OBJECT_EXTENSION)
		{
			foreach(lc, stmt->objects)
				if (strcmp(strVal(lfirst(lc)), MP_SCHEMA) == 0)
					return pg_extension_ownercheck(extoid, GetUserId());
		}
		else if (stmt->removeType == OBJECT_SCHEMA &&
				 stmt->behavior == DROP_CASCADE)
		{
			foreach(lc, stmt->objects)
				if (get_namespace_oid(strVal(lfirst(lc)), true) == nspid)
					return pg_namespace_ownercheck(nspid, GetUserId());
		}
	}
	else if (IsA(parsetree, DropOwnedStmt))
	{
		DropOwnedStmt *stmt = (DropOwnedStmt *) parsetree;

		/*
		 * The extension's owner, or the schema's: a superuser may have
		 * given the schema to another role, and DROP OWNED BY it CASCADE
		 * drops the schema and the extension with it.
		 */
		Oid			nspowner = InvalidOid;
		HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));

		if (HeapTupleIsValid(tup))
		{
			nspowner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
			ReleaseSysCache(tup);
		}
		foreach(lc, stmt->roles)
		{
			Oid			roleid = get_rolespec_oid(lfirst_node(RoleSpec, lc), true);

			if (OidIsValid(roleid) && (roleid == owner || roleid == nspowner) &&
				has_privs_of_role(GetUserId(), roleid))
				return true;
		}
	}
	return false;
}

/*
 * Does the table (locked already) hold a row this snapshot sees?  The admin
 * roles CREATE EXTENSION seeds are not data: only the ones operators added
 * (which pg_dump keeps) count.
 */
static bool
table_has_rows(Oid relid, Snapshot snapshot)
{
	Relation	rel = table_open(relid, NoLock);
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	bool		found;
	bool		roles = mp_relation_is(rel, "admin_role");
	AttrNumber	idatt = roles ? mp_attnum(rel, "role_id") : 0;

	while ((found = table_scan_getnextslot(scan, ForwardScanDirection, slot)))
	{
		bool		isnull;
		Datum		id;

		if (!roles)
			break;
		id = slot_getattr(slot, idatt, &isnull);
		if (isnull || !mp_admin_role_seeded(DatumGetUUIDP(id)))
			break;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	table_close(rel, NoLock);
	return found;
}

PG_FUNCTION_INFO_V1(mp_data_guard);
Datum
mp_data_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			extoid;
	Datum		arg;
	int			ntables;
	Oid		   *tables;
	Snapshot	snapshot;
	StringInfoData held;
	int			nheld = 0;
	int			i;
	bool		isnull;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"data_guard")));
	trigdata = (EventTriggerData *) fcinfo->context;

	if (mp_allow_drop_with_data_guc)
		PG_RETURN_VOID();
	extoid = get_extension_oid(MP_SCHEMA, true);
	if (!OidIsValid(extoid) || trigdata->parsetree == NULL ||
		!drops_extension(trigdata->parsetree, extoid))
		PG_RETURN_VOID();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	arg = CStringGetTextDatum(MP_SCHEMA);
	ntables = mp_sql_execute(&ext_plain_tables_sql, &arg, NULL, 0, InvalidSnapshot);
	tables = palloc(sizeof(Oid) * Max(ntables, 1));
	for (i = 0; i < ntables; i++)
		tables[i] = DatumGetObjectId(mp_result_datum(i, 1, &isnull));

	/*
	 * Lock every table as the drop will (ACCESS EXCLUSIVE), then look with a
	 * snapshot taken after the locks: a row a concurrent transaction commits
	 * is either seen here or waits for the drop, never dropped unseen.  The
	 * look reads the heap itself: no privilege and no row security stands
	 * between the drop and the rows it would destroy, and it stops at the
	 * first row of each table.
	 */
	for (i = 0; i < ntables; i++)
		LockRelationOid(tables[i], AccessExclusiveLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	initStringInfo(&held);
	for (i = 0; i < ntables; i++)
	{
		if (!table_has_rows(tables[i], snapshot))
			continue;
		if (nheld++ > 0)
			appendStringInfoString(&held, ", ");
		appendStringInfoString(&held,
							   quote_qualified_identifier(get_namespace_name(get_rel_namespace(tables[i])),
														  get_rel_name(tables[i])));
	}
	UnregisterSnapshot(snapshot);

	if (nheld > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension %s because its tables hold rows",
						MP_SCHEMA),
				 errdetail_plural("Table %s holds rows.", "Tables %s hold rows.",
								  nheld, held.data),
				 errhint("Set multipartner.allow_drop_with_data to on to drop the extension and every row it holds, the audit log included.")));

	SPI_finish();
	PG_RETURN_VOID();
}
