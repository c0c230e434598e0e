/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The plan engine: every query of the extension is an MpSql (its text,
 *	  who it runs as, its parameter types and its kept plan) next to the code
 *	  that asks it (lookup.c, api.c, check.c, guard.c), and runs through a plan
 *	  prepared once and kept (mp_sql_execute, mp_execute).
 *
 * Like ri_triggers.c, each query is written once, fully schema-qualified
 * and with OPERATOR(pg_catalog.=), so a hostile search_path changes
 * nothing; it is prepared on first use, kept with SPI_keepplan, and
 * prepared again from its text when SPI_plan_is_valid says a DDL change
 * made it stale (for instance after DROP/CREATE EXTENSION in the same
 * backend).  There is one plan per query, so the cache is bounded by the
 * number of queries.
 *
 * A rule's query runs as the owner of the multipartner schema (the
 * extension owner, who owns every table) with SECURITY_LOCAL_USERID_CHANGE |
 * SECURITY_NOFORCE_RLS, the way RI checks run as the table owner: the
 * caller's privileges and row security never hide a row from a rule.  The
 * caller's identity is taken with GetUserId() before (identity.c).  The SQL
 * API's writes run as the caller, so the caller's privileges and the
 * triggers apply to them as to any direct DML.
 *
 * Callers bracket a query with SPI_connect()/SPI_finish() and copy out what
 * they need before SPI_finish(); lookup.c's SPI implementations do that
 * themselves.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "multipartner.h"

/* Oid of the owner of the multipartner schema, who owns every table. */
Oid
mp_schema_owner(void)
{
	Oid			nspid = get_namespace_oid(MP_SCHEMA, false);
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema %u", nspid);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * mp_execute - run sql through the kept plan in *slot, preparing it first
 * if there is none or it went stale
 *
 * as_owner runs both the preparation and the execution as the schema owner
 * without row security.  snapshot is InvalidSnapshot for the usual
 * snapshot, or a snapshot to run on (R13 uses the latest one).  Returns
 * SPI_processed; results stay in SPI_tuptable.  The caller is connected to
 * SPI.
 */
static int
execute(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes,
		bool as_owner, Datum *values, const char *nulls, long tcount,
		Snapshot snapshot, bool read_only)
{
	Oid			save_userid = InvalidOid;
	int			save_sec_context = 0;
	int			rc;

	if (as_owner)
	{
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(mp_schema_owner(),
							   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_NOFORCE_RLS);
	}

	if (*slot != NULL && !SPI_plan_is_valid(*slot))
	{
		SPI_freeplan(*slot);
		*slot = NULL;
	}
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for \"%s\"", sql);
		*slot = plan;
	}

	if (snapshot != InvalidSnapshot)
		rc = SPI_execute_snapshot(*slot, values, nulls, snapshot,
								  InvalidSnapshot, false, false, tcount);
	else
		rc = SPI_execute_plan(*slot, values, nulls, read_only, tcount);

	if (as_owner)
		SetUserIdAndSecContext(save_userid, save_sec_context);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed for \"%s\": %s",
			 sql, SPI_result_code_string(rc));

	return (int) SPI_processed;
}

int
mp_execute(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes,
		   bool as_owner, Datum *values, const char *nulls, long tcount,
		   Snapshot snapshot)
{
	return execute(slot, sql, nargs, argtypes, as_owner, values, nulls, tcount,
				   snapshot, false);
}

/*
 * mp_sql_execute - run the query q through its kept plan (mp_execute); the
 * caller is connected to SPI.
 */
int
mp_sql_execute(MpSql *q, Datum *values, const char *nulls, long tcount,
			   Snapshot snapshot)
{
	return mp_execute(&q->plan, q->sql, q->nargs, q->argtypes, q->as_owner,
					  values, nulls, tcount, snapshot);
}

/*
 * mp_sql_execute_read_only - run the query q (a SELECT) as a sub-select of
 * the running query would: read-only SPI, on the active snapshot, with no
 * CommandCounterIncrement, so it sees exactly what the statement that
 * called it sees (what a STABLE SQL function does).  For the functions the
 * row security policies call (identity.c).  The caller is connected to SPI.
 */
int
mp_sql_execute_read_only(MpSql *q, Datum *values, const char *nulls, long tcount)
{
	return execute(&q->plan, q->sql, q->nargs, q->argtypes, q->as_owner,
				   values, nulls, tcount, InvalidSnapshot, true);
}

/* Column col (1-based) of result row row of the last query run. */
Datum
mp_result_datum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
						 isnull);
}
