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
 * The DDL guard.  Tables, triggers and policies belong to the extension
 * owner, normally a superuser.  Should a non-superuser come to own one (an
 * ALTER ... OWNER by a superuser), the ddl_command_end and sql_drop event
 * triggers still refuse any change it makes to the multipartner schema:
 * disabling or dropping a trigger, dropping or altering a policy, turning
 * row security off.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
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
 * Anything of ours weakened?  Every trigger of the extension's tables must
 * be ENABLE ALWAYS, every table must have row security enabled and forced,
 * and every policy must still be there.
 */
static const char *const weakened_sql =
"SELECT c.relname::pg_catalog.text FROM pg_catalog.pg_class c"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'"
" AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity"
"      OR EXISTS (SELECT FROM pg_catalog.pg_trigger t"
"                  WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT t.tgisinternal"
"                    AND t.tgenabled OPERATOR(pg_catalog.<>) 'A'))"
" LIMIT 1";

static const char *const touched_sql =
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_ddl_commands() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
" LIMIT 1";

static const char *const dropped_sql =
"SELECT d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d"
" WHERE d.schema_name OPERATOR(pg_catalog.=) $1"
"    OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '.%')"
" LIMIT 1";

static SPIPlanPtr weakened_plan;
static SPIPlanPtr touched_plan;
static SPIPlanPtr dropped_plan;

static void
refuse(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to change \"%s\"", what),
			 errdetail("Only a superuser may change the objects of the multipartner extension."),
			 errhint("The triggers and row security policies of multipartner enforce its rules; they stay as the extension created them.")));
}

PG_FUNCTION_INFO_V1(mp_ddl_guard);
Datum
mp_ddl_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			nspid;
	Datum		arg;
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

	arg = CStringGetTextDatum(MP_SCHEMA);
	if (mp_execute(drop ? &dropped_plan : &touched_plan,
				   drop ? dropped_sql : touched_sql, 1,
				   (Oid[]) {TEXTOID}, false, &arg, NULL, 1, InvalidSnapshot) > 0)
		refuse(TextDatumGetCString(mp_result_datum(0, 1, &isnull)));

	arg = ObjectIdGetDatum(nspid);
	if (mp_execute(&weakened_plan, weakened_sql, 1, (Oid[]) {OIDOID}, false,
				   &arg, NULL, 1, InvalidSnapshot) > 0)
		refuse(psprintf("%s.%s", MP_SCHEMA,
						TextDatumGetCString(mp_result_datum(0, 1, &isnull))));

	SPI_finish();
	PG_RETURN_VOID();
}
