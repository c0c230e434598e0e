/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The append-only audit log: one row in multipartner.audit_log per
 *	  inserted, updated or deleted row of partner, customer, partner_member,
 *	  customer_member, relationship and subscription.
 *
 * mp_audit is an AFTER ... FOR EACH ROW trigger, so it records rows as the
 * BEFORE triggers let them be written, in the same transaction: a write
 * that rolls back leaves no audit row, and no committed write lacks one.
 * The row is inserted directly into the table and its indexes (fastpath.c),
 * or, where the direct path is not taken, as the schema owner (applications
 * have no INSERT privilege on the log) through one kept plan per audited
 * table, whose parameters are the table's own row type so to_jsonb() sees
 * every column.
 *
 * mp_audit_log_guard refuses every other write: UPDATE and DELETE (R10) for
 * everyone, INSERT unless it comes from mp_audit in this backend, which it
 * recognises by a flag set only around its own insert.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "catalog/index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "multipartner.h"

/* One plan per audited table; there are six. */
#define MP_AUDIT_MAX_TABLES 8

typedef struct MpAuditPlan
{
	Oid			reltype;		/* row type of the audited table */
	SPIPlanPtr	plan;
} MpAuditPlan;

static MpAuditPlan audit_plans[MP_AUDIT_MAX_TABLES];
static int	audit_next_victim = 0;

/* true only while mp_audit inserts its row */
static bool audit_writing = false;

static const char *const audit_sql =
"INSERT INTO " MP_SCHEMA ".audit_log"
" (actor, session_actor, acting_partner, operation, table_name, row_id,"
"  old_row, new_row, txid, partner_id, customer_id)"
" VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.to_jsonb($7), pg_catalog.to_jsonb($8),"
"  pg_catalog.txid_current(), $9, $10)";

#define AUDIT_NARGS 10

/*
 * The partner and the customer a row concerns, kept beside the jsonb so
 * that row security on the log compares plain, indexable columns.
 */
static void
audit_party(Relation rel, HeapTuple tuple, const char *const cols[],
			Datum *value, char *null)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);

	*null = 'n';
	for (int i = 0; cols[i] != NULL; i++)
	{
		int			attnum = SPI_fnumber(tupdesc, cols[i]);
		bool		isnull;

		if (attnum <= 0)
			continue;
		*value = heap_getattr(tuple, attnum, tupdesc, &isnull);
		if (!isnull)
			*null = ' ';
		return;
	}
}

static const char *const partner_cols[] = {"partner_id", "partner_of_record", NULL};
static const char *const customer_cols[] = {"customer_id", NULL};

/*
 * The plan slot for a table's row type.  The plans are keyed by row type
 * because that is their parameter type; a table dropped and created again
 * (DROP/CREATE EXTENSION in one backend) has a new one, and its old slot is
 * reused once the cache is full, so the cache stays bounded.
 */
static SPIPlanPtr *
audit_plan_slot(Oid reltype)
{
	MpAuditPlan *victim;

	for (int i = 0; i < MP_AUDIT_MAX_TABLES; i++)
	{
		if (audit_plans[i].reltype == reltype)
			return &audit_plans[i].plan;
		if (audit_plans[i].reltype == InvalidOid)
		{
			audit_plans[i].reltype = reltype;
			return &audit_plans[i].plan;
		}
	}
	victim = &audit_plans[audit_next_victim];
	audit_next_victim = (audit_next_victim + 1) % MP_AUDIT_MAX_TABLES;
	if (victim->plan)
		SPI_freeplan(victim->plan);
	victim->plan = NULL;
	victim->reltype = reltype;
	return &victim->plan;
}

/*
 * The primary key of the row as text, columns joined by ",": the uuid for
 * most tables, "member,partner_id,role" for the membership tables.
 */
static char *
audit_row_id(Relation rel, HeapTuple tuple)
{
	Oid			pkoid = RelationGetPrimaryKeyIndex(rel);
	Relation	idxrel;
	StringInfoData buf;

	if (!OidIsValid(pkoid))
		elog(ERROR, "audited table \"%s\" has no primary key",
			 RelationGetRelationName(rel));
	initStringInfo(&buf);
	idxrel = index_open(pkoid, AccessShareLock);
	for (int i = 0; i < idxrel->rd_index->indnkeyatts; i++)
	{
		AttrNumber	attnum = idxrel->rd_index->indkey.values[i];
		Oid			typoutput;
		bool		typisvarlena;
		bool		isnull;
		Datum		value = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		if (isnull)
			continue;
		getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid,
						  &typoutput, &typisvarlena);
		appendStringInfoString(&buf, OidOutputFunctionCall(typoutput, value));
	}
	index_close(idxrel, AccessShareLock);
	return buf.data;
}

PG_FUNCTION_INFO_V1(mp_audit);
Datum
mp_audit(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	tupdesc;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	const char *operation;
	Oid			argtypes[AUDIT_NARGS];
	Datum		values[AUDIT_NARGS];
	char		nulls[AUDIT_NARGS];
	pg_uuid_t	acting;

	mp_check_trigger(fcinfo, "audit", MP_TRIGGER_AFTER_ROW);
	/* a restore loads the audit log's own rows: write no second copy */
	if (mp_restoring())
		return PointerGetDatum(NULL);
	rel = trigdata->tg_relation;
	tupdesc = RelationGetDescr(rel);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		operation = "INSERT";
		newtup = trigdata->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		operation = "UPDATE";
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
	}
	else
	{
		operation = "DELETE";
		oldtup = trigdata->tg_trigtuple;
	}

	memset(nulls, ' ', sizeof(nulls));
	argtypes[0] = NAMEOID;
	argtypes[1] = NAMEOID;
	argtypes[2] = UUIDOID;
	argtypes[3] = TEXTOID;
	argtypes[4] = NAMEOID;
	argtypes[5] = TEXTOID;
	argtypes[6] = rel->rd_rel->reltype;
	argtypes[7] = rel->rd_rel->reltype;
	argtypes[8] = UUIDOID;
	argtypes[9] = UUIDOID;

	values[0] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[1] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetSessionUserId(), false)));
	if (mp_acting_partner_peek(&acting))
		values[2] = UUIDPGetDatum(&acting);
	else
		nulls[2] = 'n';
	values[3] = CStringGetTextDatum(operation);
	values[4] = DirectFunctionCall1(namein,
									CStringGetDatum(RelationGetRelationName(rel)));
	values[5] = CStringGetTextDatum(audit_row_id(rel, newtup ? newtup : oldtup));
	if (oldtup)
		values[6] = heap_copy_tuple_as_datum(oldtup, tupdesc);
	else
		nulls[6] = 'n';
	if (newtup)
		values[7] = heap_copy_tuple_as_datum(newtup, tupdesc);
	else
		nulls[7] = 'n';
	audit_party(rel, newtup ? newtup : oldtup, partner_cols, &values[8], &nulls[8]);
	audit_party(rel, newtup ? newtup : oldtup, customer_cols, &values[9], &nulls[9]);

	/* the direct insert (fastpath.c), or the same row through SPI */
	{
		MpAuditRow	row;

		row.actor = values[0];
		row.session_actor = values[1];
		row.acting_partner = nulls[2] == 'n' ? NULL : DatumGetUUIDP(values[2]);
		row.operation = operation;
		row.table_name = values[4];
		row.row_id = TextDatumGetCString(values[5]);
		row.reltype = rel->rd_rel->reltype;
		row.old_row = nulls[6] == 'n' ? (Datum) 0 : values[6];
		row.new_row = nulls[7] == 'n' ? (Datum) 0 : values[7];
		row.partner_id = nulls[8] == 'n' ? NULL : DatumGetUUIDP(values[8]);
		row.customer_id = nulls[9] == 'n' ? NULL : DatumGetUUIDP(values[9]);
		if (mp_fast_audit_insert(&row))
			return PointerGetDatum(NULL);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	audit_writing = true;
	PG_TRY();
	{
		mp_execute(audit_plan_slot(rel->rd_rel->reltype), audit_sql, AUDIT_NARGS,
				   argtypes, true, values, nulls, 0, InvalidSnapshot);
	}
	PG_FINALLY();
	{
		audit_writing = false;
	}
	PG_END_TRY();
	SPI_finish();

	return PointerGetDatum(NULL);
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on audit_log.
 */
PG_FUNCTION_INFO_V1(mp_audit_log_guard);
Datum
mp_audit_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	mp_check_trigger(fcinfo, "audit_log_guard", MP_TRIGGER_BEFORE_ROW);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (!audit_writing && !mp_restoring())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to write to table \"%s\"",
							RelationGetRelationName(trigdata->tg_relation)),
					 errdetail("Only the audit trigger writes the audit log.")));
		return PointerGetDatum(trigdata->tg_trigtuple);
	}
	ereport(ERROR,
			(errcode(ERRCODE_MP_NO_DELETE),
			 errmsg("cannot %s table \"%s\"",
					TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete from",
					RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("The audit log is append-only.")));
	return PointerGetDatum(NULL);
}
