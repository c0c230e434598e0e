/*-------------------------------------------------------------------------
 *
 * placement.c
 *	  Which relation holds the rows of one of the extension's tables for a
 *	  key on THIS node: the table itself, or on a Citus node the local shard
 *	  (placement) of it that holds the key.  The counterpart of shard.c
 *	  (shard -> table); CITUS_DESIGN §2.2.
 *
 * On a Citus node a query that names a distributed or reference table is a
 * distributed query, and from a trigger or a policy function running in a
 * Citus task it is refused ("cannot execute a distributed query from a
 * query on a shard") unless all its tasks are local, and outside a trigger
 * always.  So the lookup layer (lookup.c, fastpath.c) reads the shard
 * relation of this node instead: a plain heap table to PostgreSQL and to
 * Citus's planner alike, no nested execution, no 2PC state of its own.
 *
 *   no Citus, or a table pg_dist_partition does not know
 *		the table itself (mp_relation_oid);
 *   a reference table (partmethod 'n')
 *		its one shard, which has a placement on every node;
 *   a hash-distributed table (partmethod 'h')
 *		the shard whose [shardminvalue, shardmaxvalue] holds uuid_hash(key),
 *		the hash Citus applies to a uuid distribution column (verified against
 *		get_shard_id_for_distribution_column by test/citus/sql/citus_placement.sql);
 *		it must have a placement in this node's group (pg_dist_local_group),
 *		else ERROR 55000: by co-location every key a trigger asks about is
 *		local, so a remote one is a design violation, never a reason to fall
 *		back to a distributed query.
 *
 * Citus's catalogs are read as catalogs, by systable scans of their indexes
 * (pg_dist_partition_logical_relid_index, pg_dist_shard_logical_relid_index,
 * pg_dist_placement_shardid_index), looked up by name in pg_catalog: no
 * Citus header, no Citus symbol, no query.  The shard's name is the table's
 * name, "_" and the shard id, in the table's schema; its indexes are the
 * table's index names with the same suffix.
 *
 * Cost.  Without Citus: mp_citus_present()'s cached answer and
 * mp_relation_oid(), as before.  With Citus, per logical table an entry
 * (an MpCache of a hash table, as shard.c): its partition method and its
 * shards' hash intervals, sorted, each with whether this node holds a
 * placement.  Citus's triggers on pg_dist_shard and pg_dist_placement
 * invalidate the logical table's relcache entry on any change of a shard
 * or placement (metadata_cache.c), and that invalidation drops the entry;
 * one of everything drops all.  The shard relation itself is looked up by
 * name at each use (get_relname_relid, a syscache probe), never kept by
 * OID, so a shard dropped or moved away is never read through a stale OID;
 * a caller that opens the shard with a lock resolves again after the lock
 * (taking it processes the invalidations) and retries on a change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_namespace.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/uuid.h"
#include "catalog/pg_type.h"
#include "nodes/primnodes.h"

#include "multipartner.h"

typedef struct ShardInterval
{
	int32		min;
	int32		max;
	uint64		shardid;
	bool		local;			/* a placement in this node's group */
} ShardInterval;

typedef struct PlacementEntry
{
	Oid			logicalrelid;	/* hash key */
	char		partmethod;		/* 0: not a Citus table; 'n', 'h', ... */
	NameData	distcol;		/* 'h': the distribution column (a uuid) */
	int			nshards;
	ShardInterval *shards;		/* sorted by min, in the cache's context */
} PlacementEntry;

static HTAB *placements = NULL;
static int32 local_group_kept = -2;	/* -2: not read since the last fill */

static void
placements_inval(MpCache *c, Oid relid)
{
	if (!mp_cache_valid(c))
		return;
	if (!OidIsValid(relid))
	{
		mp_cache_invalidate(c);
		return;
	}
	if (hash_search(placements, &relid, HASH_REMOVE, NULL) != NULL)
		c->generation++;		/* an answer being built meanwhile: once only */
}

static MpCache placements_c = MP_CACHE("multipartner citus placements",
									   .on_relcache = true,
									   .rel_inval = placements_inval);

void
mp_placement_init(void)
{
	mp_cache_register(&placements_c);
}

static Oid
catalog_oid(const char *name)
{
	return get_relname_relid(name, PG_CATALOG_NAMESPACE);
}

static AttrNumber
catalog_att(Relation rel, const char *col)
{
	AttrNumber	a = SPI_fnumber(RelationGetDescr(rel), col);

	if (a <= 0)
		elog(ERROR, "%s has no column %s", RelationGetRelationName(rel), col);
	return a;
}

/* This node's group (pg_dist_local_group), -1 if it has none. */
static int32
read_local_group(void)
{
	Oid			relid = catalog_oid("pg_dist_local_group");
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	int32		group = -1;

	if (!OidIsValid(relid))
		return -1;
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, catalog_att(rel, "groupid"),
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			group = DatumGetInt32(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return group;
}

static int32
local_group(void)
{
	if (local_group_kept == -2 || !mp_cache_valid(&placements_c))
		local_group_kept = read_local_group();
	return local_group_kept;
}

/*
 * The partition method pg_dist_partition records for relid, 0 if none, and
 * for a hash-distributed table the name of its distribution column (partkey
 * is the column's Var in nodeToString() form), empty if it is not a uuid.
 */
static char
partition_method(Oid relid, NameData *distcol)
{
	Oid			catid = catalog_oid("pg_dist_partition");
	Oid			idxid = catalog_oid("pg_dist_partition_logical_relid_index");
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	char		method = 0;

	if (!OidIsValid(catid) || !OidIsValid(idxid))
		return 0;
	rel = table_open(catid, AccessShareLock);
	ScanKeyInit(&key, catalog_att(rel, "logicalrelid"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, idxid, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, catalog_att(rel, "partmethod"),
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			method = DatumGetChar(d);
		d = heap_getattr(tup, catalog_att(rel, "partkey"), RelationGetDescr(rel), &isnull);
		if (method == 'h' && !isnull)
		{
			Node	   *var = stringToNode(TextDatumGetCString(d));

			if (IsA(var, Var) && ((Var *) var)->vartype == UUIDOID)
			{
				char	   *att = get_attname(relid, ((Var *) var)->varattno, true);

				if (att)
					namestrcpy(distcol, att);
			}
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return method;
}

/* Does shard shardid have a placement in group? */
static bool
placement_in_group(uint64 shardid, int32 group)
{
	Oid			catid = catalog_oid("pg_dist_placement");
	Oid			idxid = catalog_oid("pg_dist_placement_shardid_index");
	Relation	rel;
	AttrNumber	groupatt;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	if (!OidIsValid(catid) || !OidIsValid(idxid) || group < 0)
		return false;
	rel = table_open(catid, AccessShareLock);
	groupatt = catalog_att(rel, "groupid");
	ScanKeyInit(&key, catalog_att(rel, "shardid"), BTEqualStrategyNumber,
				F_INT8EQ, Int64GetDatum((int64) shardid));
	scan = systable_beginscan(rel, idxid, true, NULL, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, groupatt, RelationGetDescr(rel), &isnull);

		found = !isnull && DatumGetInt32(d) == group;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

static int
shard_interval_cmp(const void *a, const void *b)
{
	int32		x = ((const ShardInterval *) a)->min;
	int32		y = ((const ShardInterval *) b)->min;

	return x < y ? -1 : x > y;
}

static int32
text_int32(Datum d)
{
	char	   *s = TextDatumGetCString(d);
	int32		v = pg_strtoint32(s);

	pfree(s);
	return v;
}

/*
 * Fill e (partmethod known) with the shards of its table from pg_dist_shard,
 * in memory cxt.
 */
static void
read_shards(PlacementEntry *e, MemoryContext cxt)
{
	Oid			catid = catalog_oid("pg_dist_shard");
	Oid			idxid = catalog_oid("pg_dist_shard_logical_relid_index");
	int32		group = local_group();
	Relation	rel;
	AttrNumber	shardatt;
	AttrNumber	minatt;
	AttrNumber	maxatt;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			size = 8;

	e->nshards = 0;
	e->shards = MemoryContextAlloc(cxt, sizeof(ShardInterval) * size);
	if (!OidIsValid(catid) || !OidIsValid(idxid))
		return;
	rel = table_open(catid, AccessShareLock);
	shardatt = catalog_att(rel, "shardid");
	minatt = catalog_att(rel, "shardminvalue");
	maxatt = catalog_att(rel, "shardmaxvalue");
	ScanKeyInit(&key, catalog_att(rel, "logicalrelid"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(e->logicalrelid));
	scan = systable_beginscan(rel, idxid, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		ShardInterval *si;
		bool		shardnull;
		bool		minnull;
		bool		maxnull;
		Datum		shardid = heap_getattr(tup, shardatt, RelationGetDescr(rel), &shardnull);
		Datum		min = heap_getattr(tup, minatt, RelationGetDescr(rel), &minnull);
		Datum		max = heap_getattr(tup, maxatt, RelationGetDescr(rel), &maxnull);

		if (shardnull)
			continue;
		if (e->nshards == size)
		{
			size *= 2;
			e->shards = repalloc(e->shards, sizeof(ShardInterval) * size);
		}
		si = &e->shards[e->nshards++];
		si->shardid = (uint64) DatumGetInt64(shardid);
		/* a reference table's one shard has no interval */
		si->min = minnull ? PG_INT32_MIN : text_int32(min);
		si->max = maxnull ? PG_INT32_MAX : text_int32(max);
		si->local = false;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	for (int i = 0; i < e->nshards; i++)
		e->shards[i].local = placement_in_group(e->shards[i].shardid, group);
	if (e->nshards > 1)
		qsort(e->shards, e->nshards, sizeof(ShardInterval), shard_interval_cmp);
}

/*
 * The cached entry of table relid; if an invalidation came while it was
 * read, a copy in the caller's memory that is not kept.
 */
static const PlacementEntry *
placement_entry(Oid relid)
{
	PlacementEntry *e;
	PlacementEntry tmp;
	uint64		generation;
	bool		found;

	if (!mp_cache_valid(&placements_c))
	{
		HASHCTL		ctl;

		placements = NULL;		/* its context is reset now */
		local_group_kept = -2;
		mp_cache_fill_begin(&placements_c);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PlacementEntry);
		ctl.hcxt = mp_cache_context(&placements_c);
		placements = hash_create("multipartner citus placements", 32, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		mp_cache_fill_end(&placements_c);
	}
	e = hash_search(placements, &relid, HASH_FIND, NULL);
	if (e != NULL)
		return e;

	generation = placements_c.generation;
	tmp.logicalrelid = relid;
	tmp.nshards = 0;
	tmp.shards = NULL;
	memset(&tmp.distcol, 0, sizeof(tmp.distcol));
	tmp.partmethod = partition_method(relid, &tmp.distcol);
	if (tmp.partmethod != 0)
		read_shards(&tmp, CurrentMemoryContext);

	if (placements_c.generation != generation || !mp_cache_valid(&placements_c))
	{
		PlacementEntry *once = palloc(sizeof(PlacementEntry));

		*once = tmp;
		return once;
	}
	e = hash_search(placements, &relid, HASH_ENTER, &found);
	*e = tmp;
	if (tmp.nshards > 0)
	{
		e->shards = MemoryContextAlloc(mp_cache_context(&placements_c),
									   sizeof(ShardInterval) * tmp.nshards);
		memcpy(e->shards, tmp.shards, sizeof(ShardInterval) * tmp.nshards);
	}
	if (tmp.shards)
		pfree(tmp.shards);
	return e;
}

/* The shard of e whose interval holds hash, or NULL. */
static const ShardInterval *
find_interval(const PlacementEntry *e, int32 hash)
{
	int			lo = 0;
	int			hi = e->nshards - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const ShardInterval *si = &e->shards[mid];

		if (hash < si->min)
			hi = mid - 1;
		else if (hash > si->max)
			lo = mid + 1;
		else
			return si;
	}
	return NULL;
}

/* The hash Citus places a uuid by (the uuid type's hash support function). */
static int32
citus_uuid_hash(const pg_uuid_t *key)
{
	return DatumGetInt32(DirectFunctionCall1(uuid_hash, UUIDPGetDatum(key)));
}

/* Fill p for shard si of e (relname's entry). */
static void
placement_of_shard(const char *relname, const PlacementEntry *e,
				   const ShardInterval *si, MpPlacement *p)
{
	char		shardname[NAMEDATALEN];

	p->shardid = si->shardid;
	snprintf(shardname, sizeof(shardname), "%s_" UINT64_FORMAT, relname, si->shardid);
	namestrcpy(&p->shardname, shardname);
	p->relid = get_relname_relid(shardname, get_rel_namespace(p->logicalrelid));
	if (!OidIsValid(p->relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shard \"%s\" of table \"%s\" does not exist on this node",
						shardname, relname)));
}

/*
 * The entry of relname for p (filled with the table itself), NULL when the
 * answer is the table itself (no Citus, no such table, not a Citus table).
 */
static const PlacementEntry *
placement_start(const char *relname, MpPlacement *p)
{
	Oid			relid = mp_relation_oid(relname);
	const PlacementEntry *e;

	memset(p, 0, sizeof(*p));
	p->logicalrelid = relid;
	p->relname = relname;
	p->relid = relid;
	if (!OidIsValid(relid) || !mp_citus_present())
		return NULL;
	e = placement_entry(relid);
	p->partmethod = e->partmethod;
	p->distcol = e->distcol;
	return e->partmethod == 0 ? NULL : e;
}

static bool
placement_finish(const char *relname, const PlacementEntry *e,
				 const pg_uuid_t *key, bool missing_ok, MpPlacement *p)
{
	const ShardInterval *si = NULL;

	if (e->partmethod == 'h')
	{
		if (key == NULL)
		{
			p->relid = InvalidOid;
			return false;
		}
		si = find_interval(e, citus_uuid_hash(key));
	}
	else if (e->nshards == 1)
		si = &e->shards[0];		/* reference (or single-shard) table */
	if (si == NULL || !si->local)
	{
		p->relid = InvalidOid;
		p->remote = true;
		if (missing_ok)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 key && e->partmethod == 'h' ?
				 errmsg("the shard of table \"%s\" for this key is not on this node",
						relname) :
				 errmsg("table \"%s\" has no shard on this node", relname),
				 errdetail("The multipartner rules read only the shards of this node, never through a distributed query."),
				 /* the key may be another customer's: in the server log only */
				 key ? errdetail_log("The key is %s.", mp_uuid_str(key)) : 0,
				 errhint("Keep the tables of multipartner co-located as multipartner.distribute() places them.")));
	}
	placement_of_shard(relname, e, si, p);
	return true;
}

/*
 * mp_placement - the relation of this node that holds table relname's rows
 * for key (see the header comment).  key may be NULL for a table that is
 * not hash-distributed.  Returns false, p->relid invalid, when the table
 * does not exist or is hash-distributed and no key was given (the caller
 * then knows no single relation to read), and with missing_ok when the
 * key's shard is not on this node (p->remote); raises 55000 for that
 * otherwise, or when the shard's relation is missing.
 */
bool
mp_placement(const char *relname, const pg_uuid_t *key, bool missing_ok,
			 MpPlacement *p)
{
	const PlacementEntry *e = placement_start(relname, p);

	if (e == NULL)
		return OidIsValid(p->relid);
	return placement_finish(relname, e, key, missing_ok, p);
}

/*
 * mp_placement_keys - mp_placement for a probe of relname on the columns
 * keycols[] equal to keys[]: the key is the one given for the table's
 * distribution column (a uuid), if any.
 */
bool
mp_placement_keys(const char *relname, const char *const keycols[],
				  const Datum *keys, int nkeys, bool missing_ok, MpPlacement *p)
{
	const PlacementEntry *e = placement_start(relname, p);
	const pg_uuid_t *key = NULL;

	if (e == NULL)
		return OidIsValid(p->relid);
	if (e->partmethod == 'h')
		for (int i = 0; i < nkeys; i++)
			if (NameStr(e->distcol)[0] != '\0' &&
				strcmp(keycols[i], NameStr(e->distcol)) == 0)
				key = DatumGetUUIDP(keys[i]);
	return placement_finish(relname, e, key, missing_ok, p);
}

/*
 * mp_placement_local - every relation of this node that holds rows of
 * relname: the table itself, its one local placement, or each of its
 * shards with a placement here (a palloc'd array in *ps).  Returns their
 * number.  A question about all the rows of a hash-distributed table (a
 * role's customer memberships) is answered from the local shards: exactly
 * the rows this node can judge (CITUS_DESIGN §2.4).
 */
int
mp_placement_local(const char *relname, MpPlacement **ps)
{
	MpPlacement first;
	const PlacementEntry *e = placement_start(relname, &first);
	int			n = 0;

	if (e == NULL || e->partmethod != 'h')
	{
		*ps = palloc(sizeof(MpPlacement));
		if (e != NULL && !placement_finish(relname, e, NULL, true, &first))
			return 0;
		if (!OidIsValid(first.relid))
			return 0;
		(*ps)[0] = first;
		return 1;
	}
	*ps = palloc(sizeof(MpPlacement) * Max(e->nshards, 1));
	for (int i = 0; i < e->nshards; i++)
	{
		if (!e->shards[i].local)
			continue;
		(*ps)[n] = first;
		placement_of_shard(relname, e, &e->shards[i], &(*ps)[n]);
		n++;
	}
	return n;
}

/*
 * mp_placement_no_shard_here - is relname hash-distributed with none of its
 * shards on this node (a Citus coordinator, which holds the reference
 * tables' placements only)?  There the local shards answer nothing about
 * anyone, and a question about all of a role's rows is one for the
 * distributed table (member_partners(), identity.c).
 */
bool
mp_placement_no_shard_here(const char *relname)
{
	MpPlacement first;
	const PlacementEntry *e = placement_start(relname, &first);

	if (e == NULL || e->partmethod != 'h')
		return false;
	for (int i = 0; i < e->nshards; i++)
		if (e->shards[i].local)
			return false;
	return true;
}

/*
 * mp_placement_refresh - after a lock: is p's relation still the one its
 * name names?  (Taking a lock processes invalidations; a shard dropped or
 * renamed meanwhile is not read through its old OID.)
 */
bool
mp_placement_refresh(const MpPlacement *p)
{
	if (p->shardid == 0)
		return mp_relation_oid(p->relname) == p->relid;
	return get_relname_relid(NameStr(p->shardname),
							 get_rel_namespace(p->logicalrelid)) == p->relid;
}

/*
 * The index of p's relation that is the table's index idxname: idxname
 * itself for the table, idxname "_<shardid>" for a shard; InvalidOid if it
 * does not exist.
 */
Oid
mp_placement_index(const MpPlacement *p, const char *idxname)
{
	char		name[NAMEDATALEN];

	if (p->shardid == 0)
		return mp_relation_oid(idxname);
	snprintf(name, sizeof(name), "%s_" UINT64_FORMAT, idxname, p->shardid);
	return get_relname_relid(name, get_rel_namespace(p->logicalrelid));
}

/* The Citus partition method of table relid ('n', 'h', ...), 0 for none. */
char
mp_placement_method(Oid relid)
{
	if (!OidIsValid(relid) || !mp_citus_present())
		return 0;
	return placement_entry(relid)->partmethod;
}

/*
 * Is the customer table hash-distributed on this node (Citus)?  Then a
 * customer's id must be its tenant id (party.c, api.c): Citus places the
 * customer by its id and its tenant claim by its tenant id, and only the
 * same uuid puts both in co-located shards of one node.
 */
bool
mp_customer_distributed(void)
{
	return mp_table_distributed("customer");
}

/* Is the extension's table relname hash-distributed on this node (Citus)? */
bool
mp_table_distributed(const char *relname)
{
	return mp_placement_method(mp_relation_oid(relname)) == 'h';
}

/*
 * An audit event id for a row written into shard p of audit_log: a shard
 * has no identity default (Citus creates shards without it), so the writer
 * computes it as this node's group << 48 plus the next value of this node's
 * own identity sequence of the table (CITUS_DESIGN §1.7): unique across
 * nodes and after shard moves.  On a single node (group 0) the values are
 * the identity's own.
 */
int64
mp_placement_event_id(const MpPlacement *p)
{
	AttrNumber	att = get_attnum(p->logicalrelid, "event_id");
	Oid			seqid = att > 0 ?
		getIdentitySequence(p->logicalrelid, att, true) : InvalidOid;
	int32		group = local_group();

	if (!OidIsValid(seqid))
		elog(ERROR, "audit_log has no identity sequence");
	return ((int64) Max(group, 0) << 48) + nextval_internal(seqid, false);
}

/*
 * The schema-qualified, quoted name of p's relation, for SQL text (in the
 * caller's memory).
 */
char *
mp_placement_qualified(const MpPlacement *p)
{
	return quote_qualified_identifier(MP_SCHEMA,
									  p->shardid ? NameStr(p->shardname) : p->relname);
}

/*
 * multipartner's test entry point (no SQL function of the extension names
 * it; the Citus suite declares it in pg_temp): the shard id mp_placement()
 * resolves for table relname and key, 0 for the table itself, NULL when no
 * single relation is known.
 */
PG_FUNCTION_INFO_V1(mp_test_placement);

Datum
mp_test_placement(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	pg_uuid_t  *key = PG_ARGISNULL(1) ? NULL : PG_GETARG_UUID_P(1);
	const char *relname = NULL;
	MpPlacement p;

	/* mp_relation_oid keeps the name's address: pass a constant */
	for (const char *const *t = mp_tables; *t; t++)
		if (strcmp(*t, name) == 0)
			relname = *t;
	if (relname == NULL)
		elog(ERROR, "\"%s\" is not a multipartner table", name);
	if (!mp_placement(relname, key, false, &p))
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64) p.shardid);
}
