/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The plan engine: every query of the extension runs through a plan
 *	  prepared once and kept (mp_execute), the SPI path of the questions of
 *	  lookup.c as well as the SQL API's own writes, kept here (mp_query).
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
 * caller's identity is taken with GetUserId() before (identity.c).  The API
 * writes below run as the caller, so the caller's privileges and the
 * triggers apply to them as to any direct DML.
 *
 * Callers of mp_query() bracket it with SPI_connect()/SPI_finish() and copy
 * out what they need before SPI_finish(); lookup.c does that itself.
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

#define MP_MAX_ARGS 8

typedef struct MpQueryDef
{
	const char *sql;
	bool		as_owner;		/* run as the schema owner, ignoring RLS */
	int			nargs;
	Oid			argtypes[MP_MAX_ARGS];
} MpQueryDef;

#define Q_OWNER true
#define Q_CALLER false

/*
 * The status literals below are enum labels cast in the query text; they
 * are resolved once, when the plan is prepared.
 */
static const MpQueryDef mp_query_defs[MPQ_NUM_QUERIES] = {
	[MPQ_API_INSERT_SUBSCRIPTION] = {
		"INSERT INTO " MP_SCHEMA ".subscription"
		" (customer_id, partner_of_record, offer_id, product_family, quantity,"
		"  term, billing_cycle)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING subscription_id",
		Q_CALLER, 7, {UUIDOID, UUIDOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID}
	},
	[MPQ_API_INSERT_CUSTOMER] = {
		"INSERT INTO " MP_SCHEMA ".customer (customer_id, tenant_id, name, cloud)"
		" VALUES ($1, $2, $3, $4)",
		Q_CALLER, 4, {UUIDOID, UUIDOID, TEXTOID, InvalidOid}
	},
	[MPQ_API_INSERT_RELATIONSHIP] = {
		"INSERT INTO " MP_SCHEMA ".relationship"
		" (customer_id, partner_id, status, delegated_admin)"
		" VALUES ($1, $2, $3::pg_catalog.text::" MP_SCHEMA ".relationship_status, $4)"
		" RETURNING relationship_id",
		Q_CALLER, 4, {UUIDOID, UUIDOID, TEXTOID, BOOLOID}
	},
	[MPQ_API_SET_STATUS] = {
		"UPDATE " MP_SCHEMA ".relationship r"
		" SET status = $2::pg_catalog.text::" MP_SCHEMA ".relationship_status"
		" WHERE r.relationship_id OPERATOR(pg_catalog.=) $1",
		Q_CALLER, 2, {UUIDOID, TEXTOID}
	},
	[MPQ_API_REVOKE_ADMIN] = {
		"UPDATE " MP_SCHEMA ".relationship r SET delegated_admin = false"
		" WHERE r.relationship_id OPERATOR(pg_catalog.=) $1",
		Q_CALLER, 1, {UUIDOID}
	},
	/* multipartner.check(): the real operations, run as the caller */
	[MPQ_CHECK_REQUEST] = {
		"SELECT " MP_SCHEMA ".request_relationship($1)",
		Q_CALLER, 1, {UUIDOID}
	},
	/*
	 * One query per function: a generic plan checks EXECUTE on every
	 * function it could call, and each role may call only some of them.
	 */
	[MPQ_CHECK_ACCEPT] = {
		"SELECT " MP_SCHEMA ".accept_relationship($1)", Q_CALLER, 1, {UUIDOID}
	},
	[MPQ_CHECK_DECLINE] = {
		"SELECT " MP_SCHEMA ".decline_relationship($1)", Q_CALLER, 1, {UUIDOID}
	},
	[MPQ_CHECK_TERMINATE] = {
		"SELECT " MP_SCHEMA ".terminate_relationship($1)", Q_CALLER, 1, {UUIDOID}
	},
	[MPQ_CHECK_REVOKE] = {
		"SELECT " MP_SCHEMA ".revoke_delegated_admin($1)", Q_CALLER, 1, {UUIDOID}
	},
	[MPQ_CHECK_SELL] = {
		"SELECT " MP_SCHEMA ".create_subscription($1, 'multipartner.check', 'multipartner.check',"
		" $2, $3, $4)",
		Q_CALLER, 4, {UUIDOID, INT4OID, TEXTOID, TEXTOID}
	},
	[MPQ_CHECK_UPDATE_SUBSCRIPTION] = {
		"UPDATE " MP_SCHEMA ".subscription s SET"
		" quantity = COALESCE($2, s.quantity),"
		" status = COALESCE($3::pg_catalog.text::" MP_SCHEMA ".subscription_status, s.status),"
		" auto_renew = COALESCE($4, s.auto_renew),"
		" partner_of_record = COALESCE($5, s.partner_of_record),"
		" term = COALESCE($6, s.term)"
		" WHERE s.subscription_id OPERATOR(pg_catalog.=) $1",
		Q_CALLER, 6, {UUIDOID, INT4OID, TEXTOID, BOOLOID, UUIDOID, TEXTOID}
	},
	[MPQ_API_EXPIRE_ALL] = {
		"UPDATE " MP_SCHEMA ".relationship r SET status = 'expired'"
		" WHERE r.status OPERATOR(pg_catalog.=) 'pending'"
		" AND r.requested_at OPERATOR(pg_catalog.<=) $1",
		Q_CALLER, 1, {TIMESTAMPTZOID}
	},
};

static SPIPlanPtr mp_plans[MPQ_NUM_QUERIES];

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
 * Argument types that are our own enums are only known at run time; they
 * are looked up by name when the plan is prepared.
 */
static void
mp_resolve_argtypes(MpQuery q, Oid *argtypes)
{
	const MpQueryDef *def = &mp_query_defs[q];

	for (int i = 0; i < def->nargs; i++)
		argtypes[i] = def->argtypes[i];
	if (q == MPQ_API_INSERT_CUSTOMER)
		argtypes[3] = mp_type_oid("cloud");
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
int
mp_execute(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes,
		   bool as_owner, Datum *values, const char *nulls, long tcount,
		   Snapshot snapshot)
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
		rc = SPI_execute_plan(*slot, values, nulls, false, tcount);

	if (as_owner)
		SetUserIdAndSecContext(save_userid, save_sec_context);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed for \"%s\": %s",
			 sql, SPI_result_code_string(rc));

	return (int) SPI_processed;
}

/*
 * mp_query - run the fixed query q with the given parameters
 */
int
mp_query(MpQuery q, Datum *values, const char *nulls, long tcount)
{
	return mp_query_snapshot(q, values, nulls, tcount, InvalidSnapshot);
}

int
mp_query_snapshot(MpQuery q, Datum *values, const char *nulls, long tcount,
				  Snapshot snapshot)
{
	const MpQueryDef *def = &mp_query_defs[q];
	Oid			argtypes[MP_MAX_ARGS];

	mp_resolve_argtypes(q, argtypes);
	return mp_execute(&mp_plans[q], def->sql, def->nargs, argtypes,
					  def->as_owner, values, nulls, tcount, snapshot);
}

/* Column col (1-based) of result row row of the last mp_query(). */
Datum
mp_result_datum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
						 isnull);
}
