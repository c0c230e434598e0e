/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Small helpers shared by the trigger and API files: column access by
 *	  name, enum labels, uuids, the request expiry cut-off, and what the
 *	  rules do with a row: compare a column of
 *	  the old and new row, refuse a change of what never changes, check the
 *	  record columns the trigger writes, patch the new row, and find the
 *	  partner a row is written for.
 *
 * Columns are found by name on every call (a handful of strcmp over a
 * dozen attributes), so a renamed or dropped column fails loudly instead
 * of reading the wrong attribute.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "multipartner.h"

const char *const mp_partner_role_labels[] = {
	"global_admin", "user_management_admin", "admin_agent",
	"sales_agent", "helpdesk_agent", "billing_admin", NULL
};
const char *const mp_customer_role_labels[] = {
	"global_admin", "billing_admin", "reader", NULL
};
const char *const mp_rel_status_labels[] = {
	"pending", "active", "declined", "expired", "terminated", NULL
};
const char *const mp_sub_status_labels[] = {
	"active", "suspended", "cancelled", "expired", NULL
};
const char *const mp_cloud_labels[] = {
	"commercial", "us_government", NULL
};
const char *const mp_partner_status_labels[] = {
	"active", "suspended", NULL
};

/*
 * The column numbers found so far, by table and by the address of the
 * column name (the callers pass string constants).  An entry is only a
 * guess: it is used when the attribute it names still has that name and is
 * not dropped, so a renamed, dropped or re-created column is looked up by
 * name again, and nothing needs invalidating.  Two ways per set, the one
 * used last first: with one way, two columns one statement reads that fell
 * into the same slot looked each other up by name on every row, and which
 * ones did depended on where the linker put the names.
 */
#define MP_ATTNUM_SETS 64

typedef struct MpAttnumEntry
{
	Oid			relid;
	const char *colname;
	int			attnum;
} MpAttnumEntry;

static MpAttnumEntry attnum_cache[MP_ATTNUM_SETS][2];

/* Does entry e still name column colname of rel? */
static bool
attnum_entry_holds(const MpAttnumEntry *e, Relation rel, const char *colname)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Form_pg_attribute att;

	if (e->relid != RelationGetRelid(rel) || e->colname != colname ||
		e->attnum < 1 || e->attnum > tupdesc->natts)
		return false;
	att = TupleDescAttr(tupdesc, e->attnum - 1);
	return !att->attisdropped && strcmp(NameStr(att->attname), colname) == 0;
}

/* Attribute number of colname in rel; an error if there is none. */
int
mp_attnum(Relation rel, const char *colname)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	uint32		h = (((uintptr_t) colname >> 3) ^ RelationGetRelid(rel) * 31) % MP_ATTNUM_SETS;
	MpAttnumEntry *set = attnum_cache[h];
	int			attnum;

	if (attnum_entry_holds(&set[0], rel, colname))
		return set[0].attnum;
	if (attnum_entry_holds(&set[1], rel, colname))
	{
		MpAttnumEntry hit = set[1];

		set[1] = set[0];
		set[0] = hit;
		return hit.attnum;
	}

	attnum = SPI_fnumber(tupdesc, colname);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						colname, mp_relation_name(rel)),
				 errhint("The multipartner tables must keep the columns the extension created.")));
	set[1] = set[0];
	set[0].relid = RelationGetRelid(rel);
	set[0].colname = colname;
	set[0].attnum = attnum;
	return attnum;
}

Datum
mp_getattr(HeapTuple tuple, Relation rel, const char *colname, bool *isnull)
{
	return heap_getattr(tuple, mp_attnum(rel, colname), RelationGetDescr(rel),
						isnull);
}

/*
 * The answers of mp_enum_index so far, by enum value and label list; all
 * forgotten when pg_enum changes (a label renamed).
 */
#define MP_ENUM_CACHE 32

typedef struct MpEnumEntry
{
	Oid			oid;
	const char *const *labels;
	int			index;
} MpEnumEntry;

static MpEnumEntry enum_cache[MP_ENUM_CACHE];

static MpCache enum_cache_c = MP_CACHE("multipartner enum labels",
									   .nsyscaches = 1, .syscaches = {ENUMOID});

/*
 * Position of an enum value's label in labels[] (NULL-terminated), which
 * lists the labels in the order the install script declares them.
 */
int
mp_enum_index(Datum value, const char *const labels[])
{
	HeapTuple	tup;
	const char *label;
	int			i;
	MpEnumEntry *e = &enum_cache[DatumGetObjectId(value) % MP_ENUM_CACHE];

	if (!mp_cache_valid(&enum_cache_c))
	{
		mp_cache_fill_begin(&enum_cache_c);
		memset(enum_cache, 0, sizeof(enum_cache));
		mp_cache_fill_end(&enum_cache_c);
	}
	if (e->oid == DatumGetObjectId(value) && e->labels == labels)
		return e->index;

	tup = SearchSysCache1(ENUMOID, value);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for enum value %u",
			 DatumGetObjectId(value));
	label = NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel);
	for (i = 0; labels[i] != NULL; i++)
		if (strcmp(labels[i], label) == 0)
			break;
	if (labels[i] == NULL)
		elog(ERROR, "unexpected enum label \"%s\"", label);
	ReleaseSysCache(tup);
	e->oid = DatumGetObjectId(value);
	e->labels = labels;
	e->index = i;
	return i;
}

/*
 * mp_enum_label_datum - the inverse of mp_enum_index: the value of an enum
 * type's label (the label must exist).
 */
Datum
mp_enum_label_datum(Oid enumtype, const char *label)
{
	HeapTuple	tup;
	Oid			oid;

	tup = SearchSysCache2(ENUMTYPOIDNAME, ObjectIdGetDatum(enumtype),
						  CStringGetDatum(label));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "enum type %u has no label \"%s\"", enumtype, label);
	oid = ((Form_pg_enum) GETSTRUCT(tup))->oid;
	ReleaseSysCache(tup);
	return ObjectIdGetDatum(oid);
}

/*
 * The OIDs of the extension's tables and indexes, found by name once and kept
 * until a relcache invalidation of the relation (a DROP, a RENAME, an ALTER),
 * of everything, or a change of pg_namespace says to look again.  Callers
 * pass string constants, which the entries keep.
 */
#define MP_RELATION_OIDS 32

typedef struct MpRelationOid
{
	const char *relname;
	Oid			oid;			/* InvalidOid: look up again */
} MpRelationOid;

static MpRelationOid relation_oids[MP_RELATION_OIDS];

/* a relation's entry goes with its relcache entry, all of them with pg_namespace */
static void
relation_oids_inval(MpCache *c, Oid relid)
{
	for (int i = 0; i < MP_RELATION_OIDS; i++)
		if (!OidIsValid(relid) || relation_oids[i].oid == relid)
			relation_oids[i].oid = InvalidOid;
}

static MpCache relation_oids_c = MP_CACHE("multipartner relation oids",
										  .on_relcache = true,
										  .rel_inval = relation_oids_inval,
										  .nsyscaches = 1,
										  .syscaches = {NAMESPACEOID});

/* OID of relation multipartner.relname, InvalidOid if there is none. */
Oid
mp_relation_oid(const char *relname)
{
	MpRelationOid *e = NULL;

	/* by the name's address first: the callers pass string constants */
	for (int i = 0; i < MP_RELATION_OIDS && relation_oids[i].relname != NULL; i++)
	{
		if (relation_oids[i].relname == relname)
		{
			e = &relation_oids[i];
			break;
		}
	}
	for (int i = 0; e == NULL && i < MP_RELATION_OIDS; i++)
	{
		if (relation_oids[i].relname == NULL ||
			strcmp(relation_oids[i].relname, relname) == 0)
			e = &relation_oids[i];
	}
	if (e == NULL)
		elog(ERROR, "too many multipartner relations to remember");
	if (!mp_cache_valid(&relation_oids_c))
	{
		/* pg_namespace changed: every name may resolve elsewhere now */
		mp_cache_fill_begin(&relation_oids_c);
		relation_oids_inval(&relation_oids_c, InvalidOid);
		mp_cache_fill_end(&relation_oids_c);
	}
	if (e->relname == NULL || !OidIsValid(e->oid))
	{
		e->relname = relname;
		e->oid = get_relname_relid(relname, get_namespace_oid(MP_SCHEMA, false));
	}
	return e->oid;
}

/* the invalidation callbacks of util.c's caches */
void
mp_util_init(void)
{
	mp_cache_register(&enum_cache_c);
	mp_cache_register(&relation_oids_c);
}

/* Oid of type multipartner.typname. */
Oid
mp_type_oid(const char *typname)
{
	Oid			nspid = get_namespace_oid(MP_SCHEMA, false);
	Oid			typid;

	typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							CStringGetDatum(typname), ObjectIdGetDatum(nspid));
	if (!OidIsValid(typid))
		elog(ERROR, "type %s.%s does not exist", MP_SCHEMA, typname);
	return typid;
}

/* The text form of a uuid, as uuid_out writes it, without its StringInfo. */
char *
mp_uuid_str(const pg_uuid_t *uuid)
{
	static const char hex[] = "0123456789abcdef";
	char	   *result = palloc(2 * UUID_LEN + 5);
	char	   *p = result;

	for (int i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[uuid->data[i] >> 4];
		*p++ = hex[uuid->data[i] & 0x0F];
	}
	*p = '\0';
	return result;
}

bool
mp_uuid_eq(const pg_uuid_t *a, const pg_uuid_t *b)
{
	return memcmp(a->data, b->data, UUID_LEN) == 0;
}

/*
 * mp_statement_time - the moment every time rule judges a statement at, and
 * the stamp of what it records (created_at, requested_at, decided_at,
 * ended_at): the start of the statement, not of its transaction, so that a
 * transaction held open for days neither stretches a window nor backdates a
 * sale.  Inside a procedure that has committed, the statement (the CALL)
 * started before the transaction that runs now; then it is the start of
 * that transaction, the later of the two.  In SQL this is
 * GREATEST(statement_timestamp(), now()); partner.created_at's default,
 * what the guard triggers write into a stamp left NULL (trigger.c) and
 * multipartner.effective_status() say the same.
 */
TimestampTz
mp_statement_time(void)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	TimestampTz xact = GetCurrentTransactionStartTimestamp();

	return Max(stmt, xact);
}

/*
 * The statement's time - interval '90 days': a pending request made at or
 * before this moment has expired.  Computed with the same interval
 * arithmetic as the SQL function multipartner.effective_status(), so both
 * always agree.
 */
TimestampTz
mp_request_expiry_cutoff(void)
{
	Interval	lifetime;

	lifetime.time = 0;
	lifetime.day = MP_REQUEST_LIFETIME_DAYS;
	lifetime.month = 0;
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
												   TimestampTzGetDatum(mp_statement_time()),
												   IntervalPGetDatum(&lifetime)));
}

/*
 * mp_column_changed - does newtup's col differ from oldtup's (NULL: a new
 * row, whose col differs unless it is NULL)?  Binary equality, as the
 * executor's own "did this column change" tests.
 */
bool
mp_column_changed(Relation rel, HeapTuple oldtup, HeapTuple newtup,
				  const char *col)
{
	int			attnum = mp_attnum(rel, col);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
	bool		oldnull = true,
				newnull;
	Datum		oldval = (Datum) 0;
	Datum		newval = heap_getattr(newtup, attnum, tupdesc, &newnull);

	if (oldtup)
		oldval = heap_getattr(oldtup, attnum, tupdesc, &oldnull);
	if (oldnull || newnull)
		return oldnull != newnull;
	return !datumIsEqual(oldval, newval, att->attbyval, att->attlen);
}

/*
 * mp_check_immutable - refuse an UPDATE that changes any of cols[] with
 * sqlstate, counted under rule (R12 and its relationship twin, R6, R7's
 * terms, R20), naming the row by its uuid column idcol.
 */
void
mp_check_immutable(MpRefusalRule rule, Relation rel, HeapTuple oldtup, HeapTuple newtup,
				   int sqlstate, const char *kind, const char *idcol,
				   const char *const cols[], const char *detail,
				   const char *hint)
{
	bool		isnull;

	for (int i = 0; cols[i] != NULL; i++)
		if (mp_column_changed(rel, oldtup, newtup, cols[i]))
			mp_report_immutable(rule, rel, cols[i], sqlstate, kind,
								DatumGetUUIDP(mp_getattr(oldtup, rel, idcol, &isnull)),
								detail, hint);
}

/* Set col of the new row to value (which must live until mp_patch_apply). */
void
mp_patch_set(MpRowPatch *p, Relation rel, const char *col, Datum value)
{
	Assert(p->n < MP_PATCH_MAX);
	p->cols[p->n] = mp_attnum(rel, col);
	p->values[p->n] = value;
	p->nulls[p->n] = false;
	p->role[p->n] = false;
	p->n++;
}

/* Set name column col of the new row to the current role. */
void
mp_patch_set_role(MpRowPatch *p, Relation rel, const char *col)
{
	mp_patch_set(p, rel, col, (Datum) 0);
	p->role[p->n - 1] = true;
}

/* The new row with the patch applied, made in cxt (tuple if none). */
HeapTuple
mp_patch_apply(MpRowPatch *p, Relation rel, HeapTuple tuple, MemoryContext cxt)
{
	MemoryContext oldcxt;
	HeapTuple	result;

	if (p->n == 0)
		return tuple;
	oldcxt = MemoryContextSwitchTo(cxt);
	for (int i = 0; i < p->n; i++)
		if (p->role[i])
			p->values[i] = DirectFunctionCall1(namein,
											   CStringGetDatum(pstrdup(mp_current_role_name())));
	result = heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), p->n,
									   p->cols, p->values, p->nulls);
	MemoryContextSwitchTo(oldcxt);
	return result;
}

/*
 * The record of who did what: name column col is the acting role, which its
 * default gives; another value is refused (428C9) rather than silently
 * replaced, and the column is set.
 */
void
mp_stamp_role(MpRowPatch *p, Relation rel, HeapTuple tuple, const char *col,
			  const char *must_be)
{
	bool		isnull;
	Datum		d = mp_getattr(tuple, rel, col, &isnull);

	if (!isnull && strcmp(NameStr(*DatumGetName(d)), mp_current_role_name()) != 0)
		mp_report_stamp(rel, col, must_be, "it is set to the current role");
	mp_patch_set_role(p, rel, col);
}

/* ... and when: col is the time of the statement (mp_statement_time). */
void
mp_stamp_time(MpRowPatch *p, Relation rel, HeapTuple tuple, const char *col,
			  const char *must_be)
{
	bool		isnull;
	Datum		d = mp_getattr(tuple, rel, col, &isnull);

	if (!isnull && DatumGetTimestampTz(d) != mp_statement_time())
		mp_report_stamp(rel, col, must_be, "it is set to the start of the statement");
	mp_patch_set(p, rel, col, TimestampTzGetDatum(mp_statement_time()));
}

/*
 * mp_require_partner_act - the partner a non-operator writes a row for (R2,
 * R4): the role must act for one (*acting), the row must name that one or
 * none (named, or NULL), and the role must hold one of the partner roles
 * act needs.  The membership those roles come from is held until commit.
 */
void
mp_require_partner_act(const MpPartnerAct *act, const pg_uuid_t *named,
					   pg_uuid_t *acting)
{
	uint32		roles = mp_lock_acting_membership();

	mp_require_acting_partner(acting, NULL);
	if (named != NULL && !mp_uuid_eq(named, acting))
		mp_report_acts_for_other(act, named, acting);
	if ((roles & act->roles) == 0)
		mp_report_partner_role(act, acting);
}
