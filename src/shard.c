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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_namespace.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "multipartner.h"

typedef struct ShardEntry
{
	Oid			relid;			/* the shard (hash key) */
	Oid			logicalrelid;	/* its table */
	NameData	logicalname;	/* the table's name */
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

void
mp_shard_init(void)
{
	mp_cache_register(&shards_c);
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
		return &once;
	}
	e = hash_search(shards, &relid, HASH_ENTER, &found);
	e->logicalrelid = logical;
	namestrcpy(&e->logicalname, logicalname);
	return e;
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
