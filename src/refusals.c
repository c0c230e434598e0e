/*-------------------------------------------------------------------------
 *
 * refusals.c
 *	  Counters of refusals and of lookup paths in shared memory, for
 *	  operators: the view multipartner.refusals and
 *	  multipartner.refusals_reset().
 *
 * A refusal is a security event: a role tried what a rule forbids.  With
 * the library in shared_preload_libraries, every refusal of a rule
 * (mp_count_refusal, called by the reporter and the few rule sites that
 * refuse on their own, just before they raise the error) adds one to the
 * counter of its (database, rule, SQLSTATE, acting partner), and the
 * lookup layer's backend-local counts of which path answered each
 * question (lookup.c) are added to the counter of their (database,
 * lookup, path) at the end of every transaction that asked one.
 *
 * The counters are a shared hash table in the manner of
 * contrib/pg_stat_statements: its size (multipartner.refusals_max
 * entries) is fixed at server start, one LWLock guards its shape (shared
 * to find an entry, exclusive to add or remove entries), a spinlock in
 * each entry guards its numbers.  When the table is full, an event whose
 * key has no entry yet is counted in the overflow counter of its kind
 * (a row with name 'overflow' and no database): totals stay true, only
 * the detail is lost until a reset.  Nothing is evicted: a flood of
 * refusals cannot push the record of others out.
 *
 * Cost: a refusal is rare and raises an error right after; it takes the
 * lock once.  A lookup costs one backend-local increment; the fold at
 * transaction end takes the lock once in shared mode, only when the
 * transaction asked something, and adds each nonzero count through the
 * entry it found last time (kept per backend until a reset).
 *
 * The counters live in memory only: they start at zero when the server
 * starts, after a crash and after a reset (first_at says since when each
 * one counts).  Each refusal is also an ERROR in the server log.
 *
 * Without preloading there is no shared memory: the view and the reset
 * raise an error that says so (55000), as pg_stat_statements does, and
 * counting does nothing.  multipartner.check()'s dry runs are not counted.
 *
 * On Citus each node counts the refusals it raises, and a dry run's
 * statements run on the workers, whose backends know nothing of check():
 * the executor hook (executor.c) carries multipartner.dry_run = on to the
 * workers with the dry run's statements, and a refusal raised where that
 * setting is on is counted under a kind of its own, dry_run, not as a
 * refusal.  A worker cannot tell the coordinator's dry run from a client
 * that sets the setting itself (Citus passes on a client's SET LOCAL, and
 * its own connections are known only by their application_name, which a
 * client sets too), so the setting only moves a refusal to that kind, in
 * the same view: it hides none.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "multipartner.h"

/* The labels of MpRefusalRule, as the view shows them. */
static const char *const rule_labels[MP_NUM_RULES] = {
	[MP_RULE_R2] = "R2",
	[MP_RULE_R3] = "R3",
	[MP_RULE_R4] = "R4",
	[MP_RULE_R5] = "R5",
	[MP_RULE_R6] = "R6",
	[MP_RULE_R7] = "R7",
	[MP_RULE_R8] = "R8",
	[MP_RULE_R9] = "R9",
	[MP_RULE_R10] = "R10",
	[MP_RULE_R11] = "R11",
	[MP_RULE_R12] = "R12",
	[MP_RULE_R13] = "R13",
	[MP_RULE_IDENTITY] = "identity",
	[MP_RULE_SUSPENDED] = "suspended",
	[MP_RULE_LIFECYCLE] = "lifecycle",
	[MP_RULE_RECORDED] = "recorded",
	[MP_RULE_AUDIT] = "audit",
	[MP_RULE_GUARD] = "guard",
	[MP_RULE_R14] = "R14",
	[MP_RULE_R15] = "R15",
	[MP_RULE_R16] = "R16",
	[MP_RULE_R17] = "R17",
	[MP_RULE_R18] = "R18",
	[MP_RULE_R19] = "R19",
	[MP_RULE_R20] = "R20",
};

typedef enum MpStatKind
{
	MP_STAT_REFUSAL,
	MP_STAT_LOOKUP,
	MP_STAT_DRY_RUN,			/* a refusal under multipartner.dry_run */
	MP_NUM_STAT_KINDS
} MpStatKind;

static const char *const kind_labels[MP_NUM_STAT_KINDS] = {"refusal", "lookup", "dry_run"};

/* What an entry counts; zeroed before it is filled, padding included. */
typedef struct MpStatKey
{
	Oid			dbid;
	uint8		kind;			/* MpStatKind */
	uint8		what;			/* MpRefusalRule, or MpLookup */
	uint8		path;			/* lookups: MpLookupPath */
	bool		has_partner;	/* refusals, dry runs: acted for a partner */
	int32		sqlstate;		/* refusals, dry runs */
	pg_uuid_t	partner;		/* refusals, dry runs, when has_partner */
} MpStatKey;

typedef struct MpStatEntry
{
	MpStatKey	key;			/* hash key: first */
	slock_t		mutex;			/* guards what follows */
	int64		count;
	TimestampTz first_at;
	TimestampTz last_at;
} MpStatEntry;

typedef struct MpStatShared
{
	LWLock	   *lock;			/* the hash table's shape */
	slock_t		mutex;			/* guards what follows */
	uint64		generation;		/* bumped by every reset */
	int64		overflow[MP_NUM_STAT_KINDS];
	TimestampTz overflow_first[MP_NUM_STAT_KINDS];
	TimestampTz overflow_last[MP_NUM_STAT_KINDS];
} MpStatShared;

/* GUC multipartner.refusals_max */
static int	mp_refusals_max = 5000;

static MpStatShared *shared = NULL;
static HTAB *stat_hash = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* check()'s dry runs count nothing (mp_refusals_quiet) */
static bool quiet = false;

/* multipartner.dry_run (module.c): a dry run's statement on a Citus worker */
bool		mp_dry_run_guc = false;

#define IS_REFUSAL_KIND(k) ((k) == MP_STAT_REFUSAL || (k) == MP_STAT_DRY_RUN)

/*
 * The entries this backend's lookup counts went to last time, valid while
 * the table's generation is lookup_generation (a reset removes entries).
 */
static MpStatEntry *lookup_entry[MP_NUM_LOOKUPS][MP_NUM_LOOKUP_PATHS];
static uint64 lookup_generation = 0;

static Size
stat_shmem_size(void)
{
	return add_size(MAXALIGN(sizeof(MpStatShared)),
					hash_estimate_size(mp_refusals_max, sizeof(MpStatEntry)));
}

static void
stat_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(stat_shmem_size());
	RequestNamedLWLockTranche("multipartner", 1);
}

static void
stat_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("multipartner refusals", sizeof(MpStatShared), &found);
	if (!found)
	{
		memset(shared, 0, sizeof(MpStatShared));
		shared->lock = &(GetNamedLWLockTranche("multipartner"))->lock;
		SpinLockInit(&shared->mutex);
		shared->generation = 1;
	}
	info.keysize = sizeof(MpStatKey);
	info.entrysize = sizeof(MpStatEntry);
	stat_hash = ShmemInitHash("multipartner refusals hash",
							  mp_refusals_max, mp_refusals_max,
							  &info, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * From _PG_init: the setting and the shared memory, only while
 * shared_preload_libraries is being loaded (as pg_stat_statements: a
 * PGC_POSTMASTER setting cannot be defined later).
 */
void
mp_refusals_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("multipartner.refusals_max",
							"Maximum number of counters in multipartner.refusals.",
							"One counter per database, rule, SQLSTATE and acting partner, and per database, lookup and path. When all are taken, new keys are counted in an overflow row of their kind. Needs multipartner in shared_preload_libraries.",
							&mp_refusals_max,
							5000,
							100,
							1000000,
							PGC_POSTMASTER,
							0,
							NULL,
							NULL,
							NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stat_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stat_shmem_startup;
}

/* Are the counters there (the library was preloaded)? */
bool
mp_refusals_enabled(void)
{
	return shared != NULL;
}

/* check() turns counting off around its dry run; returns the old value */
bool
mp_refusals_quiet(bool on)
{
	bool		was = quiet;

	quiet = on;
	return was;
}

/*
 * Is this backend in check()'s dry run, or in one carried to it (the
 * executor carries either on to the Citus nodes its statements reach, so
 * that a dry run's statements are one kind on every node)?
 */
bool
mp_refusals_in_dry_run(void)
{
	return quiet || mp_dry_run_guc;
}

static void
entry_add(MpStatEntry *e, int64 n, TimestampTz now)
{
	SpinLockAcquire(&e->mutex);
	if (e->count == 0)
		e->first_at = now;
	e->count += n;
	e->last_at = now;
	SpinLockRelease(&e->mutex);
}

static void
overflow_add(MpStatKind kind, int64 n, TimestampTz now)
{
	SpinLockAcquire(&shared->mutex);
	if (shared->overflow[kind] == 0)
		shared->overflow_first[kind] = now;
	shared->overflow[kind] += n;
	shared->overflow_last[kind] = now;
	SpinLockRelease(&shared->mutex);
}

/*
 * The entry of key, made if there is room; NULL when the table is full.
 * Called with the lock held in shared mode; to add an entry it lets it go
 * and takes it in exclusive mode, and leaves it so.  Either way the entry
 * stays valid until the caller lets the lock go (only a reset removes
 * entries, under the exclusive lock); but a reset may have run while the
 * lock was let go, so entries the caller found before may be gone.
 */
static MpStatEntry *
entry_find(const MpStatKey *key)
{
	MpStatEntry *e;
	bool		found;

	e = hash_search(stat_hash, key, HASH_FIND, NULL);
	if (e != NULL || hash_get_num_entries(stat_hash) >= mp_refusals_max)
		return e;				/* found, or no room: no exclusive lock */

	LWLockRelease(shared->lock);
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	e = hash_search(stat_hash, key, HASH_FIND, NULL);
	if (e == NULL && hash_get_num_entries(stat_hash) < mp_refusals_max)
	{
		e = hash_search(stat_hash, key, HASH_ENTER, &found);
		if (!found)
		{
			SpinLockInit(&e->mutex);
			e->count = 0;
			e->first_at = e->last_at = 0;
		}
	}
	return e;
}

/* Add n to the counter of key, or to its kind's overflow counter. */
static void
stat_add(const MpStatKey *key, int64 n, TimestampTz now)
{
	MpStatEntry *e;

	LWLockAcquire(shared->lock, LW_SHARED);
	e = entry_find(key);
	if (e != NULL)
		entry_add(e, n, now);
	else
		overflow_add(key->kind, n, now);
	LWLockRelease(shared->lock);
}

/*
 * mp_count_refusal_for - count one refusal of rule with sqlstate by a role
 * acting for partner (NULL: for none)
 *
 * Never raises an error and allocates nothing: it runs just before the
 * refusal is raised.
 */
void
mp_count_refusal_for(MpRefusalRule rule, int sqlstate, const pg_uuid_t *partner)
{
	MpStatKey	key;

	if (shared == NULL || quiet)
		return;
	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.kind = mp_dry_run_guc ? MP_STAT_DRY_RUN : MP_STAT_REFUSAL;
	key.what = (uint8) rule;
	key.sqlstate = sqlstate;
	if (partner != NULL)
	{
		key.has_partner = true;
		key.partner = *partner;
	}
	stat_add(&key, 1, GetCurrentTimestamp());
}

/*
 * mp_count_refusal - the same, for the partner the role acts for, if it
 * acts for exactly one (mp_acting_partner_peek: it reads the role's
 * memberships if they are not cached yet)
 */
void
mp_count_refusal(MpRefusalRule rule, int sqlstate)
{
	pg_uuid_t	partner;

	if (shared == NULL || quiet)
		return;
	mp_count_refusal_for(rule, sqlstate,
						 mp_acting_partner_peek(&partner) ? &partner : NULL);
}

/*
 * Forget the entries this backend remembered for its lookup counts if a
 * reset removed them since (the table's generation moved on).  Called with
 * the lock held, which keeps the answer true while it is held.
 */
static void
forget_entries_if_reset(void)
{
	uint64		generation;

	SpinLockAcquire(&shared->mutex);
	generation = shared->generation;
	SpinLockRelease(&shared->mutex);
	if (generation != lookup_generation)
	{
		memset(lookup_entry, 0, sizeof(lookup_entry));
		lookup_generation = generation;
	}
}

/*
 * mp_refusals_fold_lookups - add this backend's lookup counts since the
 * last fold (counts minus folded; folded is brought up to counts) to the
 * shared counters of this database: at transaction end, when there is
 * something to add.
 */
void
mp_refusals_fold_lookups(const uint64 counts[MP_NUM_LOOKUPS][MP_NUM_LOOKUP_PATHS],
						 uint64 folded[MP_NUM_LOOKUPS][MP_NUM_LOOKUP_PATHS])
{
	TimestampTz now;

	if (shared == NULL)
		return;
	now = GetCurrentTimestamp();
	LWLockAcquire(shared->lock, LW_SHARED);
	forget_entries_if_reset();
	for (int l = 0; l < MP_NUM_LOOKUPS; l++)
		for (int p = 0; p < MP_NUM_LOOKUP_PATHS; p++)
		{
			int64		n = (int64) (counts[l][p] - folded[l][p]);
			MpStatEntry *e = lookup_entry[l][p];

			if (n == 0)
				continue;
			folded[l][p] = counts[l][p];
			if (e == NULL)
			{
				MpStatKey	key;

				memset(&key, 0, sizeof(key));
				key.dbid = MyDatabaseId;
				key.kind = MP_STAT_LOOKUP;
				key.what = (uint8) l;
				key.path = (uint8) p;
				e = entry_find(&key);

				/*
				 * To add the entry entry_find let the lock go a moment: a
				 * reset may have removed the entries remembered before.
				 * The lock is held again, so what is read now stays true
				 * until the end of this fold.
				 */
				forget_entries_if_reset();
				lookup_entry[l][p] = e;
			}
			if (e != NULL)
				entry_add(e, n, now);
			else
				overflow_add(MP_STAT_LOOKUP, n, now);
		}
	LWLockRelease(shared->lock);
}

static void
require_shared(void)
{
	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("multipartner must be loaded via shared_preload_libraries to count refusals"),
				 errhint("Add multipartner to shared_preload_libraries and restart the server.")));
}

#define REFUSAL_COLS 9

static void
put_row(ReturnSetInfo *rsinfo, const MpStatKey *key, bool overflow,
		int64 count, TimestampTz first_at, TimestampTz last_at)
{
	Datum		values[REFUSAL_COLS];
	bool		nulls[REFUSAL_COLS];

	memset(nulls, true, sizeof(nulls));
	if (!overflow)
	{
		values[0] = ObjectIdGetDatum(key->dbid);
		nulls[0] = false;
	}
	values[1] = CStringGetTextDatum(kind_labels[key->kind]);
	nulls[1] = false;
	if (overflow)
		values[2] = CStringGetTextDatum("overflow");
	else if (IS_REFUSAL_KIND(key->kind))
		values[2] = CStringGetTextDatum(key->what < MP_NUM_RULES ?
										rule_labels[key->what] : "?");
	else
		values[2] = CStringGetTextDatum(mp_lookup_name(key->what));
	nulls[2] = false;
	if (!overflow && IS_REFUSAL_KIND(key->kind))
	{
		values[3] = CStringGetTextDatum(unpack_sql_state(key->sqlstate));
		nulls[3] = false;
		if (key->has_partner)
		{
			pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

			*u = key->partner;
			values[4] = UUIDPGetDatum(u);
			nulls[4] = false;
		}
	}
	if (!overflow && key->kind == MP_STAT_LOOKUP)
	{
		values[5] = CStringGetTextDatum(mp_lookup_path_name(key->path));
		nulls[5] = false;
	}
	values[6] = Int64GetDatum(count);
	nulls[6] = false;
	values[7] = TimestampTzGetDatum(first_at);
	nulls[7] = false;
	values[8] = TimestampTzGetDatum(last_at);
	nulls[8] = false;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * multipartner.refusal_counts() - every counter (the view
 * multipartner.refusals adds the database's name): dbid, kind, name,
 * sqlstate, partner_id, path, count, first_at, last_at.  This backend's
 * lookups are folded first, so its own transaction's show.
 */
PG_FUNCTION_INFO_V1(mp_refusal_counts);

Datum
mp_refusal_counts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS seq;
	MpStatEntry *e;

	require_shared();
	mp_lookup_fold();
	InitMaterializedSRF(fcinfo, 0);

	LWLockAcquire(shared->lock, LW_SHARED);
	hash_seq_init(&seq, stat_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		int64		count;
		TimestampTz first_at;
		TimestampTz last_at;

		SpinLockAcquire(&e->mutex);
		count = e->count;
		first_at = e->first_at;
		last_at = e->last_at;
		SpinLockRelease(&e->mutex);
		if (count > 0)
			put_row(rsinfo, &e->key, false, count, first_at, last_at);
	}
	for (int k = 0; k < MP_NUM_STAT_KINDS; k++)
	{
		MpStatKey	key;
		int64		count;
		TimestampTz first_at;
		TimestampTz last_at;

		SpinLockAcquire(&shared->mutex);
		count = shared->overflow[k];
		first_at = shared->overflow_first[k];
		last_at = shared->overflow_last[k];
		SpinLockRelease(&shared->mutex);
		if (count == 0)
			continue;
		memset(&key, 0, sizeof(key));
		key.kind = k;
		put_row(rsinfo, &key, true, count, first_at, last_at);
	}
	LWLockRelease(shared->lock);
	return (Datum) 0;
}

/*
 * multipartner.refusals_reset() - remove every counter, of every database,
 * the overflow counters included.
 */
PG_FUNCTION_INFO_V1(mp_refusals_reset);

Datum
mp_refusals_reset(PG_FUNCTION_ARGS)
{
	HASH_SEQ_STATUS seq;
	MpStatEntry *e;

	require_shared();
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, stat_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(stat_hash, &e->key, HASH_REMOVE, NULL);
	SpinLockAcquire(&shared->mutex);
	shared->generation++;
	memset(shared->overflow, 0, sizeof(shared->overflow));
	SpinLockRelease(&shared->mutex);
	LWLockRelease(shared->lock);
	PG_RETURN_VOID();
}
