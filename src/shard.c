/*-------------------------------------------------------------------------
 *
 * shard.c
 *	  Which of the extension's tables a relation is: the relation itself, or
 *	  on a Citus node the distributed or reference table it is a shard of.
 *
 * Citus copies a table's triggers to its shards, so on a worker (and on
 * the coordinator, for its placements of reference tables) a trigger of
 * ours fires with tg_relation a shard: multipartner.partner_102008 for
 * multipartner.partner.  Whatever the C code decides by the table (which
 * branch a trigger shared by several tables takes, the audit's table_name,
 * the table a message and its errtable() field name) must be decided by
 * the logical table, not by the relation's own name (CITUS_NOTES blocker 9).
 * So the code asks mp_relation_name(rel), mp_relation_is(rel, name) and
 * mp_logical_relid(rel), and reports with mp_errtable*() (report.c), never
 * RelationGetRelationName(rel) for a decision or a message a client sees
 * (only "cannot happen" elogs name the relation itself).
 *
 * A shard is linked to its table only by Citus's metadata: pg_dist_shard
 * (logicalrelid, shardid, ...) on every node that has the metadata, and
 * the shard's name, which is the table's name, an underscore and the shard
 * id.  This file finds the table as Citus itself does (RelationIsAKnownShard,
 * worker_shard_visibility.c): the name's numeric suffix is only a candidate
 * shard id; the shard is the one pg_dist_shard knows by that id (an index
 * probe of pg_dist_shard_shardid_index, read as a catalog, no query), and
 * it is taken only if that shard's table is in the relation's schema (ours)
 * and its name followed by "_" and the id is exactly the relation's name.
 * (Citus shortens the shard names of tables whose names are too long for
 * that; none of the extension's is.)
 *
 * Cost.  Without Citus, or for a relation whose name does not end in "_"
 * and digits (none of the extension's tables does), the answer is the
 * relation's own name after a strrchr() and, for the first, the cached
 * Citus-presence answer of fastpath.c: the single-node path reads no
 * catalog.  A shard's answer is kept per relation OID (an MpCache: a hash
 * table in its own context), forgotten by a relcache invalidation of the
 * shard (dropped, renamed, moved) or of its table (Citus's pg_dist_shard
 * trigger invalidates the table when a shard's row changes), all of it by
 * one of everything.  A relation with a numeric suffix that pg_dist_shard
 * does not know (yet) is not remembered: it is asked again next time, so a
 * shard whose metadata arrives later is recognised then.
 *
 * The messages PostgreSQL itself writes on a node name the relation they
 * were raised on: on a worker a shard ("new row violates row-level
 * security policy for table "subscription_102130"", "duplicate key value
 * violates unique constraint "customer_pkey_102037"", "... is not present
 * in table "customer_102040""), and Citus passes them on to the client as
 * they are.  SPEC §11 wants the logical table named, never a shard.  So
 * on a node with Citus an emit_log_hook (mp_unshard_error) rewrites, in an
 * error of class 23 (integrity constraint) or 42 (access rule: row
 * security, an unknown column of a relation) on its way to the client, the
 * server log and Citus, the double-quoted names of shards of the
 * extension's tables, and of their constraints and indexes (Citus names
 * them the same way: the name, "_" and the shard id), to the name without
 * the suffix.  (The error's table-name and constraint-name fields keep the
 * shard's names: Citus does not pass them on to the coordinator's client.)
 * A name is one only if it is made of lower-case letters, digits and "_" (a value
 * PostgreSQL echoes in double quotes has other characters, or it would not
 * be quoted), ends in "_" and digits (none of the extension's names does),
 * begins with the name of one of the extension's tables (every constraint
 * and index of the extension does), and
 *   - the error's schema field is the extension's schema (the errors of a
 *     constraint or an index say where they were raised, and a shard is in
 *     its table's schema), or
 *   - the digits are the id of a shard this backend knows as one of that
 *     table (an entry above: every trigger of ours notes its relation,
 *     mp_shard_note, before the row is checked; the row-security error has
 *     no schema field).
 * So a table of someone else's named customer_2024 keeps its name.  The
 * hook reads no catalog (it runs while an error is being reported):
 * whether Citus is there is the answer fastpath.c cached, and nothing is
 * rewritten before that is known.  The worker's log then names the table
 * too; its STATEMENT line still names the shard.  Class 22 (data, whose
 * messages echo input) and the extension's own refusals (which name the
 * table already, report.c) are left as they are.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_namespace.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "multipartner.h"

typedef struct ShardEntry
{
	Oid			relid;			/* the shard (hash key) */
	Oid			logicalrelid;	/* its table */
	NameData	logicalname;	/* the table's name */
	uint64		shardid;		/* its id (the suffix of its name) */
} ShardEntry;

static HTAB *shards = NULL;

/* a shard's entry goes with its own relcache entry and with its table's */
static void
shards_inval(MpCache *c, Oid relid)
{
	HASH_SEQ_STATUS status;
	ShardEntry *e;

	if (!mp_cache_valid(c))
		return;					/* nothing kept */
	if (!OidIsValid(relid))
	{
		mp_cache_invalidate(c);
		return;
	}
	hash_seq_init(&status, shards);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		if (e->relid == relid || e->logicalrelid == relid)
			hash_search(shards, &e->relid, HASH_REMOVE, NULL);
	}
	/* an answer being looked up meanwhile is used once, not kept */
	c->generation++;
}

static MpCache shards_c = MP_CACHE("multipartner citus shards",
								   .on_relcache = true,
								   .rel_inval = shards_inval);

/* the extension's tables, whose shards a message may name */
const char *const mp_tables[] = {
	"partner", "partner_member", "admin_role", "customer", "customer_member",
	"relationship", "subscription", "admin_relationship", "admin_relationship_name",
	"access_assignment", "expiry_notice", "tenant", "audit_log", NULL
};

static emit_log_hook_type prev_emit_log_hook = NULL;

/* Is shardid a shard of table relname that this backend knows? */
static bool
known_shard(uint64 shardid, const char *relname, int len)
{
	HASH_SEQ_STATUS status;
	ShardEntry *e;
	bool		found = false;

	if (shards == NULL || !mp_cache_valid(&shards_c))
		return false;
	hash_seq_init(&status, shards);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		if (e->shardid == shardid && strlen(NameStr(e->logicalname)) == len &&
			strncmp(NameStr(e->logicalname), relname, len) == 0)
		{
			found = true;
			hash_seq_term(&status);
			break;
		}
	}
	return found;
}

/*
 * How much of the double-quoted name t (len bytes) to keep: len, or the
 * length without its "_" and shard id if it is the name of a shard of one
 * of the extension's tables, or of such a shard's constraint or index;
 * ours: the error was raised in the extension's schema (see the header
 * comment).
 */
static int
unsharded_length(const char *t, int len, bool ours)
{
	int			us = -1;
	uint64		shardid = 0;

	for (int i = 0; i < len; i++)
	{
		char		c = t[i];

		if (c == '_')
			us = i;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return len;
	}
	if (us <= 0 || us == len - 1 || len - us > 20)
		return len;
	for (int i = us + 1; i < len; i++)
	{
		if (t[i] < '0' || t[i] > '9')
			return len;
		shardid = shardid * 10 + (t[i] - '0');
	}
	for (const char *const *tab = mp_tables; *tab; tab++)
	{
		int			tl = strlen(*tab);

		if (tl <= us && strncmp(t, *tab, tl) == 0 && (tl == us || t[tl] == '_') &&
			(ours || known_shard(shardid, *tab, tl)))
			return us;
	}
	return len;
}

/* s with its double-quoted shard names unsharded, or s itself */
static char *
unshard_text(char *s, bool ours)
{
	StringInfoData out;
	const char *p = s;
	const char *q;
	bool		changed = false;

	if (s == NULL || strchr(s, '"') == NULL)
		return s;
	initStringInfo(&out);
	while ((q = strchr(p, '"')) != NULL)
	{
		const char *end = strchr(q + 1, '"');
		int			len;
		int			keep;

		if (end == NULL)
			break;
		len = end - (q + 1);
		keep = unsharded_length(q + 1, len, ours);
		changed |= keep != len;
		appendBinaryStringInfo(&out, p, q + 1 + keep - p);
		appendStringInfoChar(&out, '"');
		p = end + 1;
	}
	if (!changed)
	{
		pfree(out.data);
		return s;
	}
	appendStringInfoString(&out, p);
	return out.data;
}

/*
 * emit_log_hook: an error of class 23 or 42 names the extension's tables,
 * not their shards (header comment).  Memory: the error's own context,
 * where EmitErrorReport calls the hook.
 */
static void
mp_unshard_error(ErrorData *edata)
{
	int			class = ERRCODE_TO_CATEGORY(edata->sqlerrcode);

	if (edata->elevel >= ERROR && mp_citus_known_present() &&
		(class == ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION ||
		 class == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION))
	{
		bool		ours = edata->schema_name != NULL &&
			strcmp(edata->schema_name, MP_SCHEMA) == 0;

		edata->message = unshard_text(edata->message, ours);
		edata->detail = unshard_text(edata->detail, ours);
		edata->detail_log = unshard_text(edata->detail_log, ours);
		edata->hint = unshard_text(edata->hint, ours);
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
mp_shard_init(void)
{
	mp_cache_register(&shards_c);
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = mp_unshard_error;
}

/*
 * The shard id that relname's suffix names ("partner_102008": 102008), or 0
 * if it names none (Citus's shard ids start at 102008 and are never 0).
 */
static uint64
shard_id_suffix(const char *relname)
{
	const char *us = strrchr(relname, '_');
	uint64		id = 0;

	if (us == NULL || us[1] == '\0')
		return 0;
	for (const char *p = us + 1; *p; p++)
	{
		if (*p < '0' || *p > '9' || id > (PG_UINT64_MAX - 9) / 10)
			return 0;
		id = id * 10 + (*p - '0');
	}
	return id;
}

/*
 * The table pg_dist_shard says shard shardid belongs to, InvalidOid if it
 * knows no such shard (or this node has no Citus metadata).
 */
static Oid
pg_dist_shard_table(uint64 shardid)
{
	Oid			distshard = get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE);
	Oid			idxid = get_relname_relid("pg_dist_shard_shardid_index", PG_CATALOG_NAMESPACE);
	Relation	rel;
	TupleDesc	tupdesc;
	AttrNumber	logicalatt;
	AttrNumber	shardatt;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			logical = InvalidOid;

	if (!OidIsValid(distshard) || !OidIsValid(idxid))
		return InvalidOid;
	rel = table_open(distshard, AccessShareLock);
	tupdesc = RelationGetDescr(rel);
	logicalatt = SPI_fnumber(tupdesc, "logicalrelid");
	shardatt = SPI_fnumber(tupdesc, "shardid");
	if (logicalatt <= 0 || shardatt <= 0)
		elog(ERROR, "pg_dist_shard has no column logicalrelid or shardid");

	/* the index's key is shardid (bigint); systable scan keys name heap columns */
	ScanKeyInit(&key, shardatt, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) shardid));
	scan = systable_beginscan(rel, idxid, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, logicalatt, tupdesc, &isnull);

		if (!isnull)
			logical = DatumGetObjectId(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return logical;
}

/*
 * The entry of rel if it is a shard of a table in its own schema, NULL if
 * it is not one (see the header comment).
 */
static const ShardEntry *
shard_entry(Relation rel)
{
	NameData	relname;		/* a copy: the probe may rebuild rel's entry */
	Oid			relid = RelationGetRelid(rel);
	uint64		shardid;
	uint64		generation;
	Oid			logical;
	char	   *logicalname;
	char		expected[NAMEDATALEN * 2];
	ShardEntry *e;
	bool		found;

	shardid = shard_id_suffix(RelationGetRelationName(rel));
	if (shardid == 0 || !mp_citus_present())
		return NULL;
	namestrcpy(&relname, RelationGetRelationName(rel));

	if (!mp_cache_valid(&shards_c))
	{
		HASHCTL		ctl;

		shards = NULL;			/* its context is reset now */
		mp_cache_fill_begin(&shards_c);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ShardEntry);
		ctl.hcxt = mp_cache_context(&shards_c);
		shards = hash_create("multipartner citus shards", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		mp_cache_fill_end(&shards_c);
	}
	e = hash_search(shards, &relid, HASH_FIND, NULL);
	if (e != NULL)
		return e;

	/* ask the metadata; an invalidation meanwhile: answer once, keep nothing */
	generation = shards_c.generation;
	logical = pg_dist_shard_table(shardid);
	if (!OidIsValid(logical) ||
		get_rel_namespace(logical) != RelationGetNamespace(rel) ||
		(logicalname = get_rel_name(logical)) == NULL)
		return NULL;
	snprintf(expected, sizeof(expected), "%s_" UINT64_FORMAT, logicalname, shardid);
	if (strcmp(expected, NameStr(relname)) != 0)
		return NULL;

	if (shards_c.generation != generation || !mp_cache_valid(&shards_c))
	{
		/* good until the next call: this caller's use only */
		static ShardEntry once;

		once.relid = relid;
		once.logicalrelid = logical;
		namestrcpy(&once.logicalname, logicalname);
		once.shardid = shardid;
		return &once;
	}
	e = hash_search(shards, &relid, HASH_ENTER, &found);
	e->logicalrelid = logical;
	namestrcpy(&e->logicalname, logicalname);
	e->shardid = shardid;
	return e;
}

/*
 * mp_shard_note - remember rel if it is a shard of one of the extension's
 * tables, so that an error raised on it names the table (the error hook
 * above).  Every trigger of ours calls it first; on one node it costs a
 * strrchr().
 */
void
mp_shard_note(Relation rel)
{
	(void) shard_entry(rel);
}

/*
 * mp_relation_name - the name of the table rel is: its own, or that of the
 * table it is a Citus shard of.  The string lives as long as rel's relcache
 * entry or the next relcache invalidation, whichever comes first: copy it
 * to keep it longer.
 */
const char *
mp_relation_name(Relation rel)
{
	const ShardEntry *e = shard_entry(rel);

	return e ? NameStr(e->logicalname) : RelationGetRelationName(rel);
}

/*
 * mp_object_name - the name of a trigger or constraint of rel as its table
 * has it: on a Citus shard, whose objects Citus names "<name>_<shard id>",
 * name without that suffix; otherwise name itself.  Only for the names
 * Citus gives a shard's objects (not an internal trigger's, which Citus
 * leaves as PostgreSQL names it, "RI_ConstraintTrigger_a_<oid>"), and for
 * names short enough that Citus only appends the id (the extension's are).
 */
const char *
mp_object_name(Relation rel, const char *name)
{
	const ShardEntry *e = shard_entry(rel);
	char		suffix[32];
	size_t		len;
	size_t		slen;

	if (e == NULL || name == NULL)
		return name;
	snprintf(suffix, sizeof(suffix), "_" UINT64_FORMAT, e->shardid);
	len = strlen(name);
	slen = strlen(suffix);
	if (len <= slen || strcmp(name + len - slen, suffix) != 0)
		return name;
	return pnstrdup(name, len - slen);
}

/*
 * mp_constraint_name - the name of constraint conoid as its table has it
 * (mp_object_name of the relation the constraint is on, which for a
 * foreign key's trigger on the referenced table is another table), NULL if
 * there is no such constraint.
 */
const char *
mp_constraint_name(Oid conoid)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	char	   *name;
	Oid			relid;
	Relation	r;
	const char *result;

	if (!HeapTupleIsValid(tup))
		return NULL;
	name = pstrdup(NameStr(((Form_pg_constraint) GETSTRUCT(tup))->conname));
	relid = ((Form_pg_constraint) GETSTRUCT(tup))->conrelid;
	ReleaseSysCache(tup);
	if (!OidIsValid(relid) || (r = RelationIdGetRelation(relid)) == NULL)
		return name;
	result = mp_object_name(r, name);
	RelationClose(r);
	return result;
}

/* Is rel the extension's table relname (or a Citus shard of it)? */
bool
mp_relation_is(Relation rel, const char *relname)
{
	return strcmp(mp_relation_name(rel), relname) == 0;
}

/* The OID of the table rel is: its own, or that of its table if a shard. */
Oid
mp_logical_relid(Relation rel)
{
	const ShardEntry *e = shard_entry(rel);

	return e ? e->logicalrelid : RelationGetRelid(rel);
}
