/*-------------------------------------------------------------------------
 *
 * fastpath.c
 *	  The direct-access engine of the lookup layer: index probes and the
 *	  audit insert, without the executor.
 *
 * Going through SPI costs an executor start-up per lookup, which is most of
 * what a rule check costs (DESIGN_NOTES §1.2: a direct index probe measured
 * 1.7 us against 5 us through SPI).  So the direct implementations of the
 * questions of lookup.c use this engine: mp_probe() scans a table's own
 * index with the same snapshot SPI would have used, takes row locks with
 * table_tuple_lock() on the latest row version and checks the condition
 * again on the version locked (what SELECT ... FOR SHARE does through
 * EvalPlanQual); mp_fast_audit_insert() inserts the audit row with
 * heap_insert() plus index_insert() into each index (what
 * CatalogTupleInsert() does).
 *
 * Whether the direct path may run at all is mp_fast_path():
 * multipartner.fast_path is on.  On Citus a probe reads this node's
 * placement or shard of the table for the probe's keys (placement.c: the
 * key of the table's distribution column picks the shard), never the
 * logical table, where the rows are not; a hash-distributed table probed
 * without its distribution column defers to the SPI path.  lookup.c adds
 * the other conditions (locking questions under REPEATABLE READ and
 * SERIALIZABLE take the SPI path).  The engine itself
 * says "take the next path" (-1, false) whenever a table is not the plain
 * heap table with the btree index the probe expects: partitioned, foreign,
 * another access method, a renamed key column, an audit log with a trigger,
 * CHECK or column a DBA added.
 *
 * The tables and indexes are found by name and their key columns checked
 * once, then kept until a relcache invalidation of either (or a change of
 * pg_namespace) says to look again (probe_targets_inval); their shape
 * (relkind, access method, that the index is a btree on the table) is
 * checked on every open.  So a renamed column or a re-created table is never
 * read through a stale OID or a stale column check.  Whether Citus is
 * installed is asked again after any relcache invalidation (see
 * mp_fast_path).  The audit log's OID, sequence, columns and the IndexInfo
 * of its indexes are kept the same way.  Locks are kept until the end of the
 * transaction, as the executor keeps them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "multipartner.h"

bool		mp_fast_path_guc = true;

/*
 * Is Citus installed in this database?
 *
 * pg_extension has no syscache, so CREATE or DROP EXTENSION sends no
 * invalidation of its own.  But CREATE EXTENSION citus creates Citus's
 * catalog tables and DROP EXTENSION drops them, and every pg_class row
 * created or dropped sends a relcache invalidation of that relation, here at
 * the next command and to every other backend of the database at commit
 * (taken at latest when its next transaction starts).  So any relcache
 * invalidation, of one relation or of everything, forgets the answer, and
 * the next lookup asks pg_extension again: one index probe of pg_extension
 * after each invalidation, nothing on the hot path otherwise.
 */
static bool citus_present;
static MpCache citus_c = MP_CACHE("multipartner citus presence",
								  .on_relcache = true);

/* Is Citus installed in this database?  (shard.c asks it too) */
bool
mp_citus_present(void)
{
	if (!mp_cache_valid(&citus_c))
	{
		mp_cache_fill_begin(&citus_c);
		citus_present = OidIsValid(get_extension_oid("citus", true));
		mp_cache_fill_end(&citus_c);
	}
	return citus_present;
}

/*
 * Is Citus there, as far as this backend knows without reading a catalog:
 * false until mp_citus_present() has answered since the last invalidation
 * (for a caller that must not read one, shard.c's error hook).
 */
bool
mp_citus_known_present(void)
{
	return mp_cache_valid(&citus_c) && citus_present;
}

/*
 * May the direct path be used at all?  On Citus too: the probes read this
 * node's placement or shard of a table (placement.c), never the logical
 * table, which is not where the rows are.
 */
bool
mp_fast_path(void)
{
	return mp_fast_path_guc;
}

/*
 * How many leading key columns of a probe's index were found where the
 * probe expects them, for the table and index OIDs they were checked on
 * (mp_relation_oid keeps the OIDs; new OIDs are checked again).
 */
typedef struct ProbeTarget
{
	const char *idxname;
	Oid			relid;
	Oid			idxid;
	int			nchecked;
} ProbeTarget;

#define MP_PROBE_TARGETS 16
static ProbeTarget probe_targets[MP_PROBE_TARGETS];

/*
 * A relcache invalidation of a probe's table or index (a renamed or dropped
 * column sends one) makes its key columns be checked again at its next
 * open; one of everything checks them all again.
 */
static void
probe_targets_inval(MpCache *c, Oid relid)
{
	for (int i = 0; i < MP_PROBE_TARGETS; i++)
	{
		ProbeTarget *t = &probe_targets[i];

		if (!OidIsValid(relid) || relid == t->relid || relid == t->idxid)
			t->nchecked = 0;
	}
}

static MpCache probe_targets_c = MP_CACHE("multipartner probe targets",
										  .on_relcache = true,
										  .rel_inval = probe_targets_inval);

static ProbeTarget *
probe_target(const char *idxname, Oid relid, Oid idxid)
{
	ProbeTarget *t = NULL;

	for (int i = 0; i < MP_PROBE_TARGETS; i++)
	{
		if (probe_targets[i].idxname == idxname || probe_targets[i].idxname == NULL)
		{
			t = &probe_targets[i];
			break;
		}
	}
	if (t == NULL)
		elog(ERROR, "too many multipartner probe targets");
	if (t->idxname == NULL || t->relid != relid || t->idxid != idxid)
	{
		t->idxname = idxname;
		t->relid = relid;
		t->idxid = idxid;
		t->nchecked = 0;
	}
	return t;
}

/*
 * Open the relation of this node that holds table relname's rows for the
 * probe's keys (placement.c: the table itself, or on Citus its local shard;
 * opts->at names one), and the matching index idxname, for a probe; or
 * return false when the shape is not the plain one the direct path knows:
 * a heap table, a btree index on it whose leading columns are keycols[],
 * or no single relation is known (a hash-distributed table probed without
 * its distribution column).  *empty is set instead when opts->remote_empty
 * and the keys' shard is not on this node.  The locks are kept until the
 * end of the transaction, as the executor keeps them, so a later probe in
 * the transaction finds them held.
 */
static bool
open_for_probe(const char *relname, const char *idxname,
			   const char *const keycols[], int nkeys, const Datum *keys,
			   const MpProbeOpts *opts, LOCKMODE lockmode, Relation *rel,
			   Relation *idx, bool *empty)
{
	ProbeTarget *t;
	MpPlacement pl;
	Oid			relid;
	Oid			idxid;

	*empty = false;
retry:
	if (opts && opts->at)
		pl = *opts->at;
	else if (!mp_placement_keys(relname, keycols, keys, nkeys,
								opts && opts->remote_empty, &pl))
	{
		*empty = pl.remote;
		return false;
	}
	relid = pl.relid;
	idxid = mp_placement_index(&pl, idxname);
	if (!OidIsValid(relid) || !OidIsValid(idxid))
		return false;
	*rel = table_open(relid, lockmode);
	*idx = index_open(idxid, AccessShareLock);
	if (!mp_placement_refresh(&pl) || idxid != mp_placement_index(&pl, idxname))
	{
		/* taking the locks brought an invalidation of them: look again */
		index_close(*idx, NoLock);
		table_close(*rel, NoLock);
		if (opts && opts->at)
			return false;
		goto retry;
	}
	t = probe_target(idxname, relid, idxid);
	if ((*rel)->rd_rel->relkind != RELKIND_RELATION ||
		(*rel)->rd_tableam != GetHeapamTableAmRoutine() ||
		(*idx)->rd_index->indrelid != relid ||
		(*idx)->rd_index->indnkeyatts < nkeys ||
		(*idx)->rd_rel->relam != BTREE_AM_OID)
	{
		index_close(*idx, NoLock);
		table_close(*rel, NoLock);
		return false;
	}
	/*
	 * The opens above took the invalidations a renamed column sends, and
	 * probe_targets_inval made the columns be checked again.
	 */
	for (; t->nchecked < nkeys; t->nchecked++)
	{
		AttrNumber	attnum = SPI_fnumber(RelationGetDescr(*rel), keycols[t->nchecked]);

		/*
		 * The column, and the collation the query's "=" compares it with
		 * (the column's): the probe compares in the index's collation.
		 */
		if ((*idx)->rd_index->indkey.values[t->nchecked] != attnum ||
			attnum <= 0 ||
			(*idx)->rd_indcollation[t->nchecked] !=
			TupleDescAttr(RelationGetDescr(*rel), attnum - 1)->attcollation)
		{
			index_close(*idx, NoLock);
			table_close(*rel, NoLock);
			return false;
		}
	}
	return true;
}

/* Do the row's columns still hold the probe's keys? */
static bool
keys_match(Relation rel, TupleTableSlot *slot, const AttrNumber *attnums,
		   const Datum *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, attnums[i], &isnull);
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1);

		if (isnull || !datumIsEqual(d, keys[i], att->attbyval, att->attlen))
			return false;
	}
	return true;
}

/*
 * probe - scan index idxname of table relname for rows whose leading nkeys
 * index columns, which must be the table columns keycols[], equal keys[]
 * (compared with eqprocs[], in the index's collation, which must be the
 * column's), and pass each visible row to cb, which says whether it counts.
 *
 * With lock (a LockTupleMode + 1, 0 for none), filter decides on the visible
 * version whether to lock the row; the row is then locked in its latest
 * version, waiting for a concurrent writer, and the locked version must
 * still hold the keys and pass filter before cb sees it (what EvalPlanQual
 * does for SELECT ... FOR SHARE); a row deleted meanwhile is skipped.
 * Returns the number of rows cb counted, or -1 to take the SPI path.
 *
 * The snapshot is the one a query through SPI would take (the transaction
 * snapshot after a CommandCounterIncrement), and the table lock the one its
 * executor would (AccessShareLock, RowShareLock with row locks);
 * mp_probe_opts says otherwise for the questions whose query differs.
 */
int
mp_probe(const char *relname, const char *idxname, const char *const keycols[],
	  int nkeys, const Datum *keys, const Oid *eqprocs, int lock,
	  MpProbeCallback filter, MpProbeCallback cb, void *arg)
{
	return mp_probe_opts(relname, idxname, keycols, nkeys, keys, eqprocs, lock,
						 filter, cb, arg, NULL);
}

/*
 * mp_probe_opts - mp_probe, with opts (or NULL): on the latest snapshot
 * (opts->latest, for a query that SPI runs with GetLatestSnapshot()), on
 * the active one without a CommandCounterIncrement (opts->active, for a
 * function that a query calls and that must see what the query sees), under
 * another table lock (opts->rellock, e.g. the RowExclusiveLock of an UPDATE
 * whose rows the probe looks for).
 */
int
mp_probe_opts(const char *relname, const char *idxname,
			  const char *const keycols[], int nkeys, const Datum *keys,
			  const Oid *eqprocs, int lock, MpProbeCallback filter,
			  MpProbeCallback cb, void *arg, const MpProbeOpts *opts)
{
	Relation	rel;
	Relation	idx;
	ScanKeyData skey[INDEX_MAX_KEYS];
	AttrNumber	attnums[INDEX_MAX_KEYS];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	TupleTableSlot *locked = NULL;
	Snapshot	snapshot;
	LOCKMODE	rellock = lock ? RowShareLock : AccessShareLock;
	int			counted = 0;
	bool		unique;
	bool		empty;

	if (opts && opts->rellock != NoLock)
		rellock = opts->rellock;
	if (!open_for_probe(relname, idxname, keycols, nkeys, keys, opts, rellock,
						&rel, &idx, &empty))
		return empty ? 0 : -1;
	for (int i = 0; i < nkeys; i++)
	{
		attnums[i] = idx->rd_index->indkey.values[i];
		ScanKeyInit(&skey[i], i + 1, BTEqualStrategyNumber, eqprocs[i], keys[i]);
		/* open_for_probe checked that it is the column's */
		skey[i].sk_collation = idx->rd_indcollation[i];
	}

	unique = idx->rd_index->indisunique && nkeys >= idx->rd_index->indnkeyatts;

	/*
	 * what SPI does before a query: see our own earlier writes; or, for a
	 * function a query calls (opts->active), what that query sees
	 */
	if (opts && opts->active)
		snapshot = RegisterSnapshot(GetActiveSnapshot());
	else
	{
		CommandCounterIncrement();
		snapshot = RegisterSnapshot(opts && opts->latest ? GetLatestSnapshot() :
									GetTransactionSnapshot());
	}

	scan = index_beginscan(rel, idx, snapshot, nkeys, 0);
	index_rescan(scan, skey, nkeys, NULL, 0);
	slot = table_slot_create(rel, NULL);
	if (lock)
		locked = table_slot_create(rel, NULL);

	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		TM_FailureData tmfd;
		TM_Result	res;

		if (filter && !filter(rel, slot, arg))
			continue;
		if (!lock)
		{
			if (cb(rel, slot, arg))
				counted++;
			/* a snapshot sees one version at most of a unique key */
			if (unique)
				break;
			continue;
		}
		res = table_tuple_lock(rel, &slot->tts_tid, snapshot, locked,
							   GetCurrentCommandId(false),
							   (LockTupleMode) (lock - 1), LockWaitBlock,
							   TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
		if (res == TM_Ok)
		{
			if (keys_match(rel, locked, attnums, keys, nkeys) &&
				(!filter || filter(rel, locked, arg)) &&
				cb(rel, locked, arg))
				counted++;
		}
		else if (res != TM_Deleted)
		{
			/* anything unusual: let the executor's path decide */
			counted = -1;
			break;
		}
	}

	if (locked)
		ExecDropSingleTupleTableSlot(locked);
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	UnregisterSnapshot(snapshot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return counted;
}

/*
 * The audit row, inserted directly.
 *
 * What the direct audit insert needs to know about audit_log, cached until
 * a relcache invalidation of the table (or of everything) arrives: its oid,
 * its identity sequence, its columns, and the IndexInfo of each of its
 * indexes.  One entry per relation: on a single node the table itself; on
 * a Citus worker each of its audit_log shards (the audit row goes to the
 * shard of the row's customer, so one backend writes to many in turn), up
 * to AUDIT_CACHE_MAX of them, then the cache starts again empty.  An entry
 * is added while the cache is valid; an invalidation of a relation of any
 * entry, or of any relation while an entry is being added, empties it all.
 */
typedef enum AuditAtt
{
	AA_EVENT_ID, AA_AT, AA_ACTOR, AA_SESSION_ACTOR, AA_ACTING_PARTNER,
	AA_OPERATION, AA_TABLE_NAME, AA_ROW_ID, AA_OLD_ROW, AA_NEW_ROW, AA_TXID,
	AA_PARTNER_ID, AA_CUSTOMER_ID, AA_AUDIT_KEY, AA_NUM
} AuditAtt;

static const char *const audit_att_names[AA_NUM] = {
	"event_id", "at", "actor", "session_actor", "acting_partner",
	"operation", "table_name", "row_id", "old_row", "new_row", "txid",
	"partner_id", "customer_id", "audit_key"
};

typedef struct AuditTableCache
{
	Oid			relid;
	bool		direct;			/* of the shape the direct insert expects */
	Oid			seqid;
	AttrNumber	att[AA_NUM];
	int			nindexes;
	Oid		   *indexoids;
	IndexInfo **indexinfos;
} AuditTableCache;

#define AUDIT_CACHE_MAX 128

/* the entries, in the cache's context; n_audit of them are filled */
static AuditTableCache *audit_entries;
static int	n_audit = 0;
/* an entry is being added (its index list not known yet) */
static bool audit_adding = false;

/*
 * An invalidation of an audit log or of one of its indexes; while an entry
 * is being added, any.
 */
static void
audit_cache_inval(MpCache *c, Oid relid)
{
	if (!c->valid || audit_adding || !OidIsValid(relid))
	{
		mp_cache_invalidate(c);
		return;
	}
	for (int e = 0; c->valid && e < n_audit; e++)
	{
		AuditTableCache *ac = &audit_entries[e];

		if (relid == ac->relid)
			mp_cache_invalidate(c);
		for (int i = 0; c->valid && i < ac->nindexes; i++)
			if (relid == ac->indexoids[i])
				mp_cache_invalidate(c);
	}
}

static MpCache audit_cache_c = MP_CACHE("multipartner audit log",
										.on_relcache = true,
										.rel_inval = audit_cache_inval);

void
mp_fastpath_init(void)
{
	mp_cache_register(&citus_c);
	mp_cache_register(&probe_targets_c);
	mp_cache_register(&audit_cache_c);
}

/* Is tgname our trigger name (on a Citus shard: name "_<shardid>")? */
static bool
trigger_is(const char *tgname, const char *name, uint64 shardid)
{
	char		suffixed[NAMEDATALEN * 2];

	if (strcmp(tgname, name) == 0)
		return true;
	if (shardid == 0)
		return false;
	snprintf(suffixed, sizeof(suffixed), "%s_" UINT64_FORMAT, name, shardid);
	return strcmp(tgname, suffixed) == 0;
}

/*
 * Fill ac for the open audit_log rel (on Citus its shard shardid, else 0),
 * allocating in cxt; false if its shape is unexpected (the direct insert is
 * then not used for it).
 */
static bool
audit_entry_fill(AuditTableCache *ac, Relation rel, uint64 shardid, MemoryContext cxt)
{
	List	   *indexes;
	ListCell   *lc;
	MemoryContext oldcxt;
	int			i = 0;

	ac->nindexes = 0;
	ac->relid = RelationGetRelid(rel);
	for (int a = 0; a < AA_NUM; a++)
		ac->att[a] = mp_attnum(rel, audit_att_names[a]);
	/* a Citus shard has no identity: the writer gives event_id (placement.c) */
	ac->seqid = getIdentitySequence(ac->relid, ac->att[AA_EVENT_ID], true);
	if (!OidIsValid(ac->seqid) && shardid == 0)
		return false;

	/*
	 * Only the table as the install script makes it: a trigger, a CHECK
	 * constraint, a foreign key (its triggers) or a column a DBA adds must
	 * fire, be checked or get its default as on the SPI path, which an insert
	 * of our own does not do; so then every audit row takes the SPI path.
	 */
	if (RelationGetDescr(rel)->constr)
	{
		TupleConstr *constr = RelationGetDescr(rel)->constr;

		/* our own CHECK holds by construction: operation is one of three */
		for (int c = 0; c < constr->num_check; c++)
			if (strcmp(constr->check[c].ccname, "audit_log_operation_check") != 0)
				return false;
	}
	if (rel->trigdesc)
		for (int t = 0; t < rel->trigdesc->numtriggers; t++)
		{
			Trigger    *tg = &rel->trigdesc->triggers[t];

			if (tg->tgisinternal ||
				(!trigger_is(tg->tgname, "audit_log_guard", shardid) &&
				 !trigger_is(tg->tgname, "audit_log_forbid_truncate", shardid)))
				return false;
		}
	for (int a = 0, live = 0; a < RelationGetDescr(rel)->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);

		if (!att->attisdropped && ++live > AA_NUM)
			return false;
		if (att->attgenerated)
			return false;
	}
	/* a NOT NULL on a column an audit row may leave empty: the SPI path raises it */
	for (int a = 0; a < AA_NUM; a++)
		if ((a == AA_ACTING_PARTNER || a == AA_OLD_ROW || a == AA_NEW_ROW ||
			 a == AA_PARTNER_ID || a == AA_CUSTOMER_ID) &&
			TupleDescAttr(RelationGetDescr(rel), ac->att[a] - 1)->attnotnull)
			return false;

	indexes = RelationGetIndexList(rel);
	oldcxt = MemoryContextSwitchTo(cxt);
	ac->nindexes = list_length(indexes);
	ac->indexoids = palloc(sizeof(Oid) * Max(ac->nindexes, 1));
	ac->indexinfos = palloc(sizeof(IndexInfo *) * Max(ac->nindexes, 1));
	MemoryContextSwitchTo(oldcxt);
	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		IndexInfo  *ii;

		oldcxt = MemoryContextSwitchTo(cxt);
		ii = BuildIndexInfo(idx);
		MemoryContextSwitchTo(oldcxt);
		index_close(idx, AccessShareLock);
		if (ii->ii_Expressions != NIL || ii->ii_Predicate != NIL ||
			ii->ii_ExclusionOps != NULL)
		{
			list_free(indexes);
			return false;
		}
		ac->indexoids[i] = lfirst_oid(lc);
		ac->indexinfos[i] = ii;
		i++;
	}
	list_free(indexes);
	return true;
}

/*
 * The cache's entry for the open audit_log rel, added if it is not there;
 * NULL to take the SPI path (a table of an unexpected shape: its entry
 * says so until an invalidation of it, such as the DROP TRIGGER that gives
 * it its shape back).  An entry added while an invalidation came is used
 * by this one insert only: the cache is then invalid, and the next insert
 * starts it again.
 */
static AuditTableCache *
audit_entry(Relation rel, uint64 shardid)
{
	Oid			relid = RelationGetRelid(rel);
	AuditTableCache *ac;
	uint64		generation;
	bool		ok;

	if (!mp_cache_valid(&audit_cache_c) || n_audit == AUDIT_CACHE_MAX)
	{
		mp_cache_fill_begin(&audit_cache_c);
		audit_entries = MemoryContextAlloc(mp_cache_context(&audit_cache_c),
										   sizeof(AuditTableCache) * AUDIT_CACHE_MAX);
		n_audit = 0;
		mp_cache_fill_end(&audit_cache_c);
	}
	for (int e = 0; e < n_audit; e++)
		if (audit_entries[e].relid == relid)
			return audit_entries[e].direct ? &audit_entries[e] : NULL;

	ac = &audit_entries[n_audit];
	generation = audit_cache_c.generation;
	audit_adding = true;
	PG_TRY();
	{
		ok = audit_entry_fill(ac, rel, shardid, mp_cache_context(&audit_cache_c));
	}
	PG_FINALLY();
	{
		audit_adding = false;
	}
	PG_END_TRY();
	ac->direct = ok;
	if (audit_cache_c.generation == generation)
		n_audit++;
	return ok ? ac : NULL;
}

/*
 * mp_fast_audit_insert - insert the audit row with the given column values
 * (by name; event_id, at and txid are filled in here).  Returns false to
 * take the SPI path.
 */
bool
mp_fast_audit_insert(const MpAuditRow *row)
{
	Oid			relid;
	Relation	rel;
	TupleDesc	tupdesc;
	Datum	   *values;
	bool	   *nulls;
	HeapTuple	tuple;
	TupleTableSlot *slot;
	AuditTableCache *ac;

	if (!mp_fast_path())
		return false;
	/* a NOT NULL column this insert does not check: the SPI path raises it */
	if (row->audit_key == NULL)
		return false;
	relid = row->at ? row->at->relid : mp_relation_oid("audit_log");
	if (!OidIsValid(relid))
		return false;
	/* an invalidation taken by the lock empties the cache */
	rel = table_open(relid, RowExclusiveLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_tableam != GetHeapamTableAmRoutine() ||
		rel->rd_rel->relhasrules ||
		(ac = audit_entry(rel, row->at ? row->at->shardid : 0)) == NULL)
	{
		table_close(rel, RowExclusiveLock);
		return false;
	}
	tupdesc = RelationGetDescr(rel);
	values = palloc0(sizeof(Datum) * tupdesc->natts);
	nulls = palloc(sizeof(bool) * tupdesc->natts);
	memset(nulls, true, sizeof(bool) * tupdesc->natts);

#define SET(a, val) \
	do { \
		values[ac->att[a] - 1] = (val); \
		nulls[ac->att[a] - 1] = false; \
	} while (0)

	SET(AA_EVENT_ID, Int64GetDatum(row->at ? row->event_id :
								   nextval_internal(ac->seqid, false)));
	SET(AA_AT, TimestampTzGetDatum(GetCurrentTimestamp()));
	SET(AA_ACTOR, row->actor);
	SET(AA_SESSION_ACTOR, row->session_actor);
	if (row->acting_partner)
		SET(AA_ACTING_PARTNER, UUIDPGetDatum(row->acting_partner));
	SET(AA_OPERATION, CStringGetTextDatum(row->operation));
	SET(AA_TABLE_NAME, row->table_name);
	SET(AA_ROW_ID, CStringGetTextDatum(row->row_id));
	if (row->old_row != (Datum) 0)
		SET(AA_OLD_ROW, row->old_row);
	if (row->new_row != (Datum) 0)
		SET(AA_NEW_ROW, row->new_row);
	SET(AA_TXID, Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId())));
	if (row->partner_id)
		SET(AA_PARTNER_ID, UUIDPGetDatum(row->partner_id));
	if (row->customer_id)
		SET(AA_CUSTOMER_ID, UUIDPGetDatum(row->customer_id));
	SET(AA_AUDIT_KEY, UUIDPGetDatum(row->audit_key));
#undef SET

	tuple = heap_form_tuple(tupdesc, values, nulls);
	heap_insert(rel, tuple, GetCurrentCommandId(true), 0, NULL);

	/* and into every index, as CatalogTupleInsert() does for catalogs */
	slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsHeapTuple);
	ExecStoreHeapTuple(tuple, slot, false);
	for (int i = 0; i < ac->nindexes; i++)
	{
		Relation	idx = index_open(ac->indexoids[i], RowExclusiveLock);
		IndexInfo  *ii = ac->indexinfos[i];
		Datum		ivalues[INDEX_MAX_KEYS];
		bool		inulls[INDEX_MAX_KEYS];

		if (!idx->rd_index->indisready)
			elog(ERROR, "index \"%s\" of the audit log is not ready",
				 RelationGetRelationName(idx));
		FormIndexDatum(ii, slot, NULL, ivalues, inulls);
		index_insert(idx, ivalues, inulls, &tuple->t_self, rel,
					 idx->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, ii);
		index_close(idx, NoLock);
	}
	ExecDropSingleTupleTableSlot(slot);
	heap_freetuple(tuple);
	table_close(rel, NoLock);
	return true;
}
