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
 * Its actor and acting partner are those the statement's rules judged,
 * taken by the BEFORE ROW trigger audit_identity (audit_identity.c), not
 * as they are when the row is audited at the end of the statement.
 * The row is written by the lookup layer's question "write this audit row"
 * (lookup.c): directly into the table and its indexes, with its
 * old_row/new_row images built here straight from the tuple (the same jsonb
 * as to_jsonb(row), see audit_image), or through SPI as the schema owner
 * (applications have no INSERT privilege on the log), to_jsonb in SQL.
 *
 * mp_audit_log_guard refuses every other write: UPDATE and DELETE (R10) for
 * everyone, INSERT unless it comes from that SPI insert in this backend
 * (mp_lookup_audit_writing), or from a restore.
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
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "multipartner.h"

/*
 * What the audit trigger needs to know about an audited table, built once
 * and kept until a relcache invalidation of the table (or of everything)
 * arrives, so that a renamed or added column is seen at once:
 *   - its columns in the order jsonb stores object keys (shorter names
 *     first, then bytewise), each with how its value becomes a jsonb value,
 *     so the row image is built straight from the tuple: the same jsonb as
 *     to_jsonb(row), without to_jsonb's per-column type look-ups and
 *     without sorting the keys on every row;
 *   - its primary key columns and their output functions (the row id);
 *   - the columns naming the partner and the customer the row concerns,
 *     and the one its audit_key is taken from.
 * A column of a type the direct image does not know makes the whole image
 * go through to_jsonb() instead.
 */
typedef enum AuditColKind
{
	ACK_BOOL,					/* true/false */
	ACK_INT,					/* int2, int4, int8: a jsonb number */
	ACK_TEXT,					/* text, varchar: the string itself */
	ACK_NAME,					/* name */
	ACK_DATETIME,				/* date, timestamp, timestamptz: ISO 8601 */
	ACK_UUID,					/* uuid */
	ACK_ENUM,					/* an enum: its label */
	ACK_OUTPUT					/* regrole, and types it does not know: the output function */
} AuditColKind;

/* The labels of an enum column seen so far (an enum has a handful). */
#define AUDIT_ENUM_LABELS 8

typedef struct AuditCol
{
	AttrNumber	attnum;
	const char *key;
	int			keylen;
	Oid			typid;
	AuditColKind kind;
	FmgrInfo	out;			/* the type's output function */
	int			nlabels;		/* ACK_ENUM: labels kept so far */
	Oid			label_oid[AUDIT_ENUM_LABELS];
	char	   *label[AUDIT_ENUM_LABELS];
} AuditCol;

typedef struct AuditDesc
{
	Oid			relid;			/* InvalidOid: a free slot */
	bool		valid;
	MemoryContext cxt;
	bool		direct;			/* every column has a kind */
	int			ncols;
	AuditCol   *cols;			/* in jsonb key order */
	NameData	table_name;
	int			npk;
	AuditCol   *pk[INDEX_MAX_KEYS];	/* primary key columns, in key order */
	AttrNumber	partner_att;	/* 0: the table has none */
	AttrNumber	customer_att;
	AttrNumber	key_att;		/* the column audit_key is taken from */
	FmgrInfo	to_jsonb;		/* to_jsonb(reltype), for !direct */
} AuditDesc;

/* Nine audited tables; a slot is reused when a table is created again. */
#define MP_AUDIT_MAX_TABLES 12
static AuditDesc audit_descs[MP_AUDIT_MAX_TABLES];
static int	audit_desc_victim = 0;

/*
 * A table's description goes with its relcache entry; all of them with a
 * change of pg_enum (ALTER TYPE ... RENAME VALUE: the labels kept).
 */
static void
audit_desc_inval(MpCache *c, Oid relid)
{
	for (int i = 0; i < MP_AUDIT_MAX_TABLES; i++)
		if (!OidIsValid(relid) || audit_descs[i].relid == relid)
			audit_descs[i].valid = false;
}

static MpCache audit_descs_c = MP_CACHE("multipartner audited tables",
										.on_relcache = true,
										.rel_inval = audit_desc_inval,
										.nsyscaches = 1,
										.syscaches = {ENUMOID});

/* jsonb's order of object keys (lengthCompareJsonbStringValue) */
static int
audit_col_cmp(const void *a, const void *b)
{
	const AuditCol *ca = (const AuditCol *) a;
	const AuditCol *cb = (const AuditCol *) b;

	if (ca->keylen != cb->keylen)
		return ca->keylen > cb->keylen ? 1 : -1;
	return memcmp(ca->key, cb->key, ca->keylen);
}

/* How a value of type typid goes into the image; false if not known. */
static bool
audit_col_kind(Oid typid, AuditColKind *kind)
{
	switch (typid)
	{
		case BOOLOID:
			*kind = ACK_BOOL;
			return true;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			*kind = ACK_INT;
			return true;
		case TEXTOID:
		case VARCHAROID:
			*kind = ACK_TEXT;
			return true;
		case NAMEOID:
			*kind = ACK_NAME;
			return true;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			*kind = ACK_DATETIME;
			return true;
		case UUIDOID:
			*kind = ACK_UUID;
			return true;
		case REGROLEOID:
			*kind = ACK_OUTPUT;
			return true;
		default:
			/* an enum (not a domain over one): its label */
			if (get_typtype(typid) == TYPTYPE_ENUM)
			{
				*kind = ACK_ENUM;
				return true;
			}
			return false;
	}
}

static void
audit_desc_fill(AuditDesc *d, Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Oid			pkoid = RelationGetPrimaryKeyIndex(rel);
	MemoryContext oldcxt;
	Relation	idxrel;
	FuncExpr   *expr;
	Oid			typoutput;
	bool		typisvarlena;

	if (!OidIsValid(pkoid))
		elog(ERROR, "audited table \"%s\" has no primary key",
			 RelationGetRelationName(rel));
	if (d->cxt == NULL)
		d->cxt = AllocSetContextCreate(CacheMemoryContext,
									   "multipartner audit table",
									   ALLOCSET_SMALL_SIZES);
	MemoryContextReset(d->cxt);
	d->valid = false;
	d->relid = RelationGetRelid(rel);
	oldcxt = MemoryContextSwitchTo(d->cxt);

	d->direct = true;
	d->ncols = 0;
	d->cols = palloc0(sizeof(AuditCol) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		AuditCol   *c = &d->cols[d->ncols];

		if (att->attisdropped)
			continue;
		c->attnum = att->attnum;
		c->key = pstrdup(NameStr(att->attname));
		c->keylen = strlen(c->key);
		c->typid = att->atttypid;
		if (!audit_col_kind(att->atttypid, &c->kind))
		{
			c->kind = ACK_OUTPUT;
			d->direct = false;
		}
		getTypeOutputInfo(att->atttypid, &typoutput, &typisvarlena);
		fmgr_info_cxt(typoutput, &c->out, d->cxt);
		d->ncols++;
	}
	qsort(d->cols, d->ncols, sizeof(AuditCol), audit_col_cmp);
	namestrcpy(&d->table_name, mp_relation_name(rel));

	idxrel = index_open(pkoid, AccessShareLock);
	d->npk = idxrel->rd_index->indnkeyatts;
	for (int i = 0; i < d->npk; i++)
	{
		d->pk[i] = NULL;
		for (int j = 0; j < d->ncols; j++)
			if (d->cols[j].attnum == idxrel->rd_index->indkey.values[i])
				d->pk[i] = &d->cols[j];
		if (d->pk[i] == NULL)
			elog(ERROR, "primary key column %d of \"%s\" not found",
				 idxrel->rd_index->indkey.values[i], RelationGetRelationName(rel));
	}
	index_close(idxrel, AccessShareLock);

	/*
	 * On Citus distribute() widens the primary keys of relationship and
	 * subscription to (customer_id, id); their row id stays the id alone, as
	 * on one node and before distribute(), so that a row's history keeps one
	 * row_id (README "Running on Citus").
	 */
	if (d->npk == 2 && d->pk[0]->attnum == SPI_fnumber(tupdesc, "customer_id") &&
		(strcmp(NameStr(d->table_name), "relationship") == 0 ||
		 strcmp(NameStr(d->table_name), "subscription") == 0))
	{
		d->pk[0] = d->pk[1];
		d->npk = 1;
	}

	d->partner_att = SPI_fnumber(tupdesc, "partner_id");
	if (d->partner_att <= 0)
		d->partner_att = SPI_fnumber(tupdesc, "partner_of_record");
	if (d->partner_att <= 0)
		d->partner_att = 0;
	d->customer_att = SPI_fnumber(tupdesc, "customer_id");
	if (d->customer_att <= 0)
		d->customer_att = 0;

	/*
	 * audit_key, the key the audit row is kept by on Citus (co-located with
	 * its customer): the row's customer_id; for a table without one its
	 * partner_id (partner, partner_member); for one without either its own
	 * uuid primary key (admin_role: role_id).  The 0.8 -> 0.9 update fills
	 * the old rows by the same rule, by table name.
	 */
	if (d->customer_att != 0)
		d->key_att = d->customer_att;
	else if (SPI_fnumber(tupdesc, "partner_id") > 0)
		d->key_att = SPI_fnumber(tupdesc, "partner_id");
	else if (d->npk == 1 && d->pk[0]->typid == UUIDOID)
		d->key_att = d->pk[0]->attnum;
	else
		elog(ERROR, "audited table \"%s\" has no column to key its audit rows by",
			 RelationGetRelationName(rel));

	/*
	 * to_jsonb is polymorphic and reads its argument's type from its call
	 * expression, so it gets one.
	 */
	fmgr_info_cxt(F_TO_JSONB, &d->to_jsonb, d->cxt);
	expr = makeFuncExpr(F_TO_JSONB, JSONBOID,
						list_make1(makeNullConst(rel->rd_rel->reltype, -1, InvalidOid)),
						InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	fmgr_info_set_expr((Node *) expr, &d->to_jsonb);

	MemoryContextSwitchTo(oldcxt);
	d->valid = true;
}

static AuditDesc *
audit_desc(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	AuditDesc  *d = NULL;

	if (!mp_cache_valid(&audit_descs_c))
	{
		mp_cache_fill_begin(&audit_descs_c);
		audit_desc_inval(&audit_descs_c, InvalidOid);
		mp_cache_fill_end(&audit_descs_c);
	}
	for (int i = 0; i < MP_AUDIT_MAX_TABLES; i++)
	{
		if (audit_descs[i].relid == relid)
		{
			d = &audit_descs[i];
			break;
		}
		if (d == NULL && audit_descs[i].relid == InvalidOid)
			d = &audit_descs[i];
	}
	if (d == NULL)
	{
		d = &audit_descs[audit_desc_victim];
		audit_desc_victim = (audit_desc_victim + 1) % MP_AUDIT_MAX_TABLES;
	}
	if (d->relid != relid || !d->valid)
	{
		d->relid = InvalidOid;
		audit_desc_fill(d, rel);
	}
	return d;
}

/*
 * An enum value's label, kept in the column's entry after the first time
 * (enum_out reads pg_enum through the syscache); a renamed label
 * invalidates every entry (audit_descs_c).
 */
static char *
audit_enum_label(AuditDesc *d, AuditCol *c, Datum value)
{
	Oid			oid = DatumGetObjectId(value);
	char	   *label;

	for (int i = 0; i < c->nlabels; i++)
		if (c->label_oid[i] == oid)
			return c->label[i];
	label = OutputFunctionCall(&c->out, value);
	if (c->nlabels < AUDIT_ENUM_LABELS)
	{
		c->label[c->nlabels] = MemoryContextStrdup(d->cxt, label);
		c->label_oid[c->nlabels++] = oid;
	}
	return label;
}

/* A value of column c as text, as its output function writes it. */
static char *
audit_col_text(AuditDesc *d, AuditCol *c, Datum value)
{
	switch (c->kind)
	{
		case ACK_UUID:
			return mp_uuid_str(DatumGetUUIDP(value));
		case ACK_ENUM:
			return audit_enum_label(d, c, value);
		default:
			return OutputFunctionCall(&c->out, value);
	}
}

/*
 * The row's image as jsonb: equal to to_jsonb(row), built directly from the
 * tuple (heap_deform_tuple fills in columns added since it was written).
 */
static Datum
audit_image(AuditDesc *d, Relation rel, HeapTuple tuple)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Datum	   *values;
	bool	   *nulls;
	JsonbValue	obj;
	JsonbPair  *pairs;

	if (!d->direct)
		return FunctionCall1(&d->to_jsonb, heap_copy_tuple_as_datum(tuple, tupdesc));

	values = palloc(sizeof(Datum) * tupdesc->natts);
	nulls = palloc(sizeof(bool) * tupdesc->natts);
	heap_deform_tuple(tuple, tupdesc, values, nulls);

	pairs = palloc(sizeof(JsonbPair) * Max(d->ncols, 1));
	for (int i = 0; i < d->ncols; i++)
	{
		AuditCol   *c = &d->cols[i];
		JsonbValue *v = &pairs[i].value;
		Datum		value = values[c->attnum - 1];

		pairs[i].key.type = jbvString;
		pairs[i].key.val.string.val = (char *) c->key;
		pairs[i].key.val.string.len = c->keylen;
		pairs[i].order = i;
		if (nulls[c->attnum - 1])
		{
			v->type = jbvNull;
			continue;
		}
		switch (c->kind)
		{
			case ACK_BOOL:
				v->type = jbvBool;
				v->val.boolean = DatumGetBool(value);
				break;
			case ACK_INT:
				v->type = jbvNumeric;
				v->val.numeric = int64_to_numeric(c->typid == INT8OID ? DatumGetInt64(value) :
												  c->typid == INT4OID ? DatumGetInt32(value) :
												  DatumGetInt16(value));
				break;
			case ACK_TEXT:
				{
					text	   *t = DatumGetTextPP(value);

					v->type = jbvString;
					v->val.string.val = VARDATA_ANY(t);
					v->val.string.len = VARSIZE_ANY_EXHDR(t);
				}
				break;
			case ACK_NAME:
				v->type = jbvString;
				v->val.string.val = NameStr(*DatumGetName(value));
				v->val.string.len = strlen(v->val.string.val);
				break;
			case ACK_DATETIME:
				v->type = jbvString;
				v->val.string.val = JsonEncodeDateTime(NULL, value, c->typid, NULL);
				v->val.string.len = strlen(v->val.string.val);
				break;
			case ACK_UUID:
			case ACK_ENUM:
			case ACK_OUTPUT:
				v->type = jbvString;
				v->val.string.val = audit_col_text(d, c, value);
				v->val.string.len = strlen(v->val.string.val);
				break;
		}
	}
	obj.type = jbvObject;
	obj.val.object.nPairs = d->ncols;
	obj.val.object.pairs = pairs;
	return JsonbPGetDatum(JsonbValueToJsonb(&obj));
}

/* audit_image for the lookup layer's direct audit insert */
static Datum
audit_row_image(void *arg, Relation rel, HeapTuple tuple)
{
	return audit_image((AuditDesc *) arg, rel, tuple);
}

/*
 * The primary key of the row as text, columns joined by ",": the uuid for
 * most tables, "member,partner_id,role" for the membership tables.
 */
static char *
audit_row_id(AuditDesc *d, Relation rel, HeapTuple tuple)
{
	StringInfoData buf;

	if (d->npk == 1)
	{
		bool		isnull;
		Datum		value = heap_getattr(tuple, d->pk[0]->attnum, RelationGetDescr(rel), &isnull);

		return isnull ? pstrdup("") : audit_col_text(d, d->pk[0], value);
	}
	initStringInfo(&buf);
	for (int i = 0; i < d->npk; i++)
	{
		bool		isnull;
		Datum		value = heap_getattr(tuple, d->pk[i]->attnum, RelationGetDescr(rel), &isnull);

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		if (!isnull)
			appendStringInfoString(&buf, audit_col_text(d, d->pk[i], value));
	}
	return buf.data;
}

/* The uuid in column attnum (0: none), or NULL. */
static const pg_uuid_t *
audit_party(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	bool		isnull;
	Datum		value;

	if (attnum == 0)
		return NULL;
	value = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);
	return isnull ? NULL : DatumGetUUIDP(value);
}

/*
 * A role's name as a name Datum, for actor and session_actor; the last two
 * asked are kept until pg_authid changes (a rename).
 */
typedef struct AuditRoleName
{
	Oid			roleid;
	NameData	name;
} AuditRoleName;

static AuditRoleName audit_role_names[2];

/* ... until pg_authid changes */
static MpCache audit_roles_c = MP_CACHE("multipartner audit role names",
										.nsyscaches = 1, .syscaches = {AUTHOID});

static Datum
audit_role_name(Oid roleid)
{
	Name		result = palloc(NAMEDATALEN);
	AuditRoleName *r = NULL;

	if (!mp_cache_valid(&audit_roles_c))
	{
		mp_cache_fill_begin(&audit_roles_c);
		audit_role_names[0].roleid = InvalidOid;
		audit_role_names[1].roleid = InvalidOid;
		mp_cache_fill_end(&audit_roles_c);
	}
	for (int i = 0; i < 2; i++)
		if (audit_role_names[i].roleid == roleid)
			r = &audit_role_names[i];
	if (r == NULL)
	{
		/* evict the older of the two */
		audit_role_names[1] = audit_role_names[0];
		r = &audit_role_names[0];
		r->roleid = InvalidOid;
		namestrcpy(&r->name, GetUserNameFromId(roleid, false));
		r->roleid = roleid;
	}
	/* a copy: the next call may evict this entry */
	memcpy(result, &r->name, NAMEDATALEN);
	return NameGetDatum(result);
}

void
mp_audit_init(void)
{
	mp_cache_register(&audit_descs_c);
	mp_cache_register(&audit_roles_c);
}

/* AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW on every audited table */
static HeapTuple
audit_row(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	AuditDesc  *desc;
	HeapTuple	oldtup = ev->oldtup;
	HeapTuple	newtup = ev->newtup;
	HeapTuple	keytup;
	MpAuditRow	row = {0};
	pg_uuid_t	acting;
	MpIdentity	ident;

	desc = audit_desc(rel);

	row.operation = oldtup == NULL ? "INSERT" : newtup == NULL ? "DELETE" : "UPDATE";
	keytup = newtup ? newtup : oldtup;

	/* the identity the rules judged the statement by (audit_identity.c) */
	mp_statement_identity(rel, oldtup, newtup, &ident);
	row.actor = audit_role_name(ident.userid);
	row.session_actor = audit_role_name(ident.session_userid);
	acting = ident.partner;
	row.acting_partner = ident.has_partner ? &acting : NULL;
	row.table_name = NameGetDatum(&desc->table_name);
	row.row_id = audit_row_id(desc, rel, keytup);
	row.partner_id = audit_party(rel, keytup, desc->partner_att);
	row.customer_id = audit_party(rel, keytup, desc->customer_att);
	row.audit_key = audit_party(rel, keytup, desc->key_att);

	row.rel = rel;
	row.oldtup = oldtup;
	row.newtup = newtup;
	row.image = audit_row_image;
	row.image_arg = desc;
	mp_lookup_audit_insert(&row);
	return NULL;
}

/* a restore loads the audit log's own rows: write no second copy */
static const MpTrigger audit_trigger = {
	.name = "audit",
	.kind = MP_TRIGGER_AFTER_ROW,
	.restore = MP_RESTORE_SKIP,
	.on_insert = audit_row,
	.on_update = audit_row,
	.on_delete = audit_row,
};

MP_TRIGGER_FUNCTION(mp_audit, audit_trigger)

/*
 * An INSERT into audit_log: only the SPI insert of this backend
 * (mp_lookup_audit_writing), or a restore.
 */
static HeapTuple
audit_log_insert(const MpTriggerEvent *ev)
{
	if (!mp_lookup_audit_writing() && !mp_restoring())
		mp_report_denied_table(MP_RULE_AUDIT, ev->rel, "write to",
							   "Only the audit trigger writes the audit log.");
	return ev->newtup;
}

/* BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on audit_log */
static const MpTrigger audit_log_guard = {
	.name = "audit_log_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_RUN,
	.no_update = {"The audit log is append-only.", NULL},	/* R10 */
	.no_delete = {"The audit log is append-only.", NULL},
	.on_insert = audit_log_insert,
};

MP_TRIGGER_FUNCTION(mp_audit_log_guard, audit_log_guard)
