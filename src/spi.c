/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The one cache of prepared plans that every rule lookup and every API
 *	  write goes through.
 *
 * Like ri_triggers.c, each query is written once, fully schema-qualified
 * and with OPERATOR(pg_catalog.=), so a hostile search_path changes
 * nothing; it is prepared on first use, kept with SPI_keepplan, and
 * prepared again from its text when SPI_plan_is_valid says a DDL change
 * made it stale (for instance after DROP/CREATE EXTENSION in the same
 * backend).  There is one plan per query, so the cache is bounded by
 * MPQ_NUM_QUERIES.
 *
 * Rule lookups run as the owner of the multipartner schema (the extension
 * owner, who owns every table) with SECURITY_LOCAL_USERID_CHANGE |
 * SECURITY_NOFORCE_RLS, the way RI checks run as the table owner: the
 * caller's privileges and row security never hide a row from a rule.  The
 * caller's identity must be taken with GetUserId() before mp_query() is
 * called, which identity.c does.  API writes run as the caller, so the
 * caller's privileges and the triggers apply to them as to any direct DML.
 *
 * Callers bracket mp_query() with SPI_connect()/SPI_finish() themselves and
 * copy out what they need before SPI_finish().
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
	[MPQ_PARTNER_MEMBERSHIPS] = {
		"SELECT m.partner_id, m.role FROM " MP_SCHEMA ".partner_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {REGROLEOID}
	},
	/* see mp_lock_acting_membership() */
	[MPQ_MEMBERSHIP_LOCK] = {
		"SELECT m.role FROM " MP_SCHEMA ".partner_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1"
		" AND m.partner_id OPERATOR(pg_catalog.=) $2"
		" FOR KEY SHARE OF m",
		Q_OWNER, 2, {REGROLEOID, UUIDOID}
	},
	[MPQ_CUSTOMER_MEMBERSHIP_LOCK] = {
		"SELECT m.role FROM " MP_SCHEMA ".customer_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1"
		" AND m.customer_id OPERATOR(pg_catalog.=) $2"
		" FOR KEY SHARE OF m",
		Q_OWNER, 2, {REGROLEOID, UUIDOID}
	},
	[MPQ_CUSTOMER_MEMBERSHIPS] = {
		"SELECT m.customer_id, m.role FROM " MP_SCHEMA ".customer_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {REGROLEOID}
	},
	/* does the role still have a row in the member table? (member_changed) */
	[MPQ_PARTNER_MEMBER_LEFT] = {
		"SELECT 1 FROM " MP_SCHEMA ".partner_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1 LIMIT 1",
		Q_OWNER, 1, {REGROLEOID}
	},
	[MPQ_CUSTOMER_MEMBER_LEFT] = {
		"SELECT 1 FROM " MP_SCHEMA ".customer_member m"
		" WHERE m.member OPERATOR(pg_catalog.=) $1 LIMIT 1",
		Q_OWNER, 1, {REGROLEOID}
	},
	[MPQ_PARTNER_GET] = {
		"SELECT p.cloud, p.status FROM " MP_SCHEMA ".partner p"
		" WHERE p.partner_id OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {UUIDOID}
	},
	/*
	 * The customer's cloud, and the xmin and creator of its tenant claim:
	 * the claim row is only ever inserted, so its xmin is the transaction
	 * that created the customer, whatever updated the customer row since.
	 */
	[MPQ_CUSTOMER_GET] = {
		"SELECT c.cloud, t.xmin, t.created_by_partner"
		" FROM " MP_SCHEMA ".customer c"
		" LEFT JOIN " MP_SCHEMA ".tenant t"
		"  ON t.tenant_id OPERATOR(pg_catalog.=) c.tenant_id"
		"  AND t.kind OPERATOR(pg_catalog.=) 'customer'"
		" WHERE c.customer_id OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {UUIDOID}
	},
	/*
	 * Item 5 of issue 10: whether the customer still exists, the partner
	 * that created it (its tenant claim says which; NULL for an operator)
	 * and whether that partner has a relationship with it, of any status.
	 * claimed is false only if the claim is not written yet.
	 */
	[MPQ_CUSTOMER_CREATOR] = {
		"SELECT t.tenant_id IS NOT NULL AS claimed, t.created_by_partner,"
		" EXISTS (SELECT FROM " MP_SCHEMA ".relationship r"
		"  WHERE r.customer_id OPERATOR(pg_catalog.=) c.customer_id"
		"  AND r.partner_id OPERATOR(pg_catalog.=) t.created_by_partner)"
		" FROM " MP_SCHEMA ".customer c"
		" LEFT JOIN " MP_SCHEMA ".tenant t"
		"  ON t.tenant_id OPERATOR(pg_catalog.=) c.tenant_id"
		"  AND t.owner_id OPERATOR(pg_catalog.=) c.customer_id"
		"  AND t.kind OPERATOR(pg_catalog.=) 'customer'"
		" WHERE c.customer_id OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {UUIDOID}
	},
	[MPQ_PARTNER_IN_USE] = {
		"SELECT 1 WHERE EXISTS (SELECT FROM " MP_SCHEMA ".relationship r"
		"  WHERE r.partner_id OPERATOR(pg_catalog.=) $1)"
		" OR EXISTS (SELECT FROM " MP_SCHEMA ".partner_member m"
		"  WHERE m.partner_id OPERATOR(pg_catalog.=) $1)"
		" OR EXISTS (SELECT FROM " MP_SCHEMA ".subscription s"
		"  WHERE s.partner_of_record OPERATOR(pg_catalog.=) $1)",
		Q_OWNER, 1, {UUIDOID}
	},
	[MPQ_CUSTOMER_IN_USE] = {
		"SELECT 1 WHERE EXISTS (SELECT FROM " MP_SCHEMA ".relationship r"
		"  WHERE r.customer_id OPERATOR(pg_catalog.=) $1)"
		" OR EXISTS (SELECT FROM " MP_SCHEMA ".customer_member m"
		"  WHERE m.customer_id OPERATOR(pg_catalog.=) $1)"
		" OR EXISTS (SELECT FROM " MP_SCHEMA ".subscription s"
		"  WHERE s.customer_id OPERATOR(pg_catalog.=) $1)",
		Q_OWNER, 1, {UUIDOID}
	},
	[MPQ_TENANT_CLAIM] = {
		"INSERT INTO " MP_SCHEMA ".tenant (tenant_id, kind, owner_id, created_by_partner)"
		" VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO NOTHING",
		Q_OWNER, 4, {UUIDOID, TEXTOID, UUIDOID, UUIDOID}
	},
	[MPQ_TENANT_KIND] = {
		"SELECT t.kind FROM " MP_SCHEMA ".tenant t"
		" WHERE t.tenant_id OPERATOR(pg_catalog.=) $1",
		Q_OWNER, 1, {UUIDOID}
	},
	[MPQ_TENANT_RELEASE] = {
		"DELETE FROM " MP_SCHEMA ".tenant t"
		" WHERE t.tenant_id OPERATOR(pg_catalog.=) $1"
		" AND t.owner_id OPERATOR(pg_catalog.=) $2",
		Q_OWNER, 2, {UUIDOID, UUIDOID}
	},
	[MPQ_REL_OPEN] = {
		"SELECT r.relationship_id, r.status, r.requested_at"
		" FROM " MP_SCHEMA ".relationship r"
		" WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
		" AND r.partner_id OPERATOR(pg_catalog.=) $2"
		" AND r.status OPERATOR(pg_catalog.=) ANY"
		"  (ARRAY['pending', 'active']::" MP_SCHEMA ".relationship_status[])",
		Q_OWNER, 2, {UUIDOID, UUIDOID}
	},
	[MPQ_REL_ANY] = {
		"SELECT 1 FROM " MP_SCHEMA ".relationship r"
		" WHERE r.customer_id OPERATOR(pg_catalog.=) $1 LIMIT 1",
		Q_OWNER, 1, {UUIDOID}
	},
	[MPQ_REL_EXPIRE] = {
		"UPDATE " MP_SCHEMA ".relationship r"
		" SET status = 'expired'"
		" WHERE r.relationship_id OPERATOR(pg_catalog.=) $1"
		" AND r.status OPERATOR(pg_catalog.=) 'pending'",
		Q_CALLER, 1, {UUIDOID}
	},
	/*
	 * R4/R11: the relationship that allows a sale, held FOR SHARE until the
	 * selling transaction ends.  FOR KEY SHARE would not conflict with the
	 * status update of a concurrent termination; FOR SHARE does, so the
	 * termination either waits for this sale (and then sees its
	 * subscription, R13) or commits first (and then this finds no active
	 * row: in READ COMMITTED the lock re-checks the status on the new row
	 * version, in REPEATABLE READ it fails with a serialization error).
	 */
	[MPQ_REL_ACTIVE_LOCK] = {
		"SELECT 1 FROM " MP_SCHEMA ".relationship r"
		" WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
		" AND r.partner_id OPERATOR(pg_catalog.=) $2"
		" AND r.status OPERATOR(pg_catalog.=) 'active'"
		" FOR SHARE OF r",
		Q_OWNER, 2, {UUIDOID, UUIDOID}
	},
	[MPQ_REL_LATEST_STATUS] = {
		"SELECT r.status, r.requested_at FROM " MP_SCHEMA ".relationship r"
		" WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
		" AND r.partner_id OPERATOR(pg_catalog.=) $2"
		" ORDER BY r.requested_at DESC LIMIT 1",
		Q_OWNER, 2, {UUIDOID, UUIDOID}
	},
	/* R13; run on the latest snapshot (see relationship.c) */
	[MPQ_LIVE_SUBSCRIPTIONS] = {
		"SELECT pg_catalog.count(*) FROM " MP_SCHEMA ".subscription s"
		" WHERE s.customer_id OPERATOR(pg_catalog.=) $1"
		" AND s.partner_of_record OPERATOR(pg_catalog.=) $2"
		" AND s.status OPERATOR(pg_catalog.=) ANY"
		"  (ARRAY['active', 'suspended']::" MP_SCHEMA ".subscription_status[])",
		Q_OWNER, 2, {UUIDOID, UUIDOID}
	},
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
