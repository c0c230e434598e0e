/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  One idiom for every backend-local cache of the module, and the one
 *	  place its invalidations arrive.
 *
 * A cache is an MpCache (multipartner.h) next to the data it keeps: its
 * name, whether it is valid, its own memory context, and what makes it
 * stale (relcache invalidations, the invalidations of some catalog caches),
 * each either wholesale or through a hook that forgets only the entries
 * concerned.  The idiom:
 *
 *		if (!mp_cache_valid(&c))
 *		{
 *			mp_cache_fill_begin(&c);	(its context, if any, reset)
 *			... build the data, allocating in mp_cache_context(&c) ...
 *			mp_cache_fill_end(&c);	(valid, unless an invalidation came meanwhile)
 *		}
 *
 * An invalidation that arrives while a cache is being filled (a lock taken
 * by the fill processes invalidation messages) bumps its generation, so
 * mp_cache_fill_end() leaves it invalid and the next use fills it again:
 * the answer built may be used once, by the caller that asked, never kept.
 * An error during the fill leaves the cache invalid, and its context is
 * reset by the next fill, so nothing leaks.
 *
 * PostgreSQL 15 has room for 10 relcache callbacks and 64 syscache
 * callbacks per backend (inval.c, MAX_RELCACHE_CALLBACKS and
 * MAX_SYSCACHE_CALLBACKS), shared by core and every loaded module; running
 * out ends the backend with FATAL.  Next to Citus, which takes up to five,
 * a module that registers one callback per cache leaves no room.  So this
 * file registers one relcache callback in all and one syscache callback per
 * catalog cache id, whatever the number of caches that listen, and hands
 * each invalidation to the caches concerned.
 *
 * Not everything kept is an MpCache: the kept SPI plans check themselves
 * (SPI_plan_is_valid, spi.c), the column numbers of mp_attnum are guesses
 * checked at each use (util.c), and what lives for a statement or a
 * transaction only (the partner status of a statement, the audit identities,
 * the membership locks) is forgotten by the transaction callbacks of
 * module.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/inval.h"
#include "utils/memutils.h"

#include "multipartner.h"

#define MP_MAX_CACHES 16

static MpCache *caches[MP_MAX_CACHES];
static int	n_caches = 0;

/* the catalog caches some cache listens to, each registered once */
static int	syscache_ids[MP_MAX_CACHES * MP_CACHE_MAX_SYSCACHES];
static int	n_syscache_ids = 0;

static bool relcache_registered = false;

void
mp_cache_invalidate(MpCache *c)
{
	c->valid = false;
	c->generation++;
}

static void
dispatch_relcache(Datum arg, Oid relid)
{
	for (int i = 0; i < n_caches; i++)
	{
		MpCache    *c = caches[i];

		if (!c->on_relcache)
			continue;
		if (c->rel_inval)
			c->rel_inval(c, relid);
		else
			mp_cache_invalidate(c);
	}
}

static void
dispatch_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	for (int i = 0; i < n_caches; i++)
	{
		MpCache    *c = caches[i];

		for (int j = 0; j < c->nsyscaches; j++)
		{
			if (c->syscaches[j] != cacheid)
				continue;
			if (c->sys_inval)
				c->sys_inval(c, cacheid, hashvalue);
			else
				mp_cache_invalidate(c);
		}
	}
}

/* Make c hear the invalidations it names; once per cache, at _PG_init. */
void
mp_cache_register(MpCache *c)
{
	if (n_caches == MP_MAX_CACHES)
		elog(ERROR, "too many multipartner caches");
	caches[n_caches++] = c;
	if (c->on_relcache && !relcache_registered)
	{
		CacheRegisterRelcacheCallback(dispatch_relcache, (Datum) 0);
		relcache_registered = true;
	}
	for (int j = 0; j < c->nsyscaches; j++)
	{
		bool		known = false;

		for (int k = 0; k < n_syscache_ids; k++)
			if (syscache_ids[k] == c->syscaches[j])
				known = true;
		if (!known)
		{
			CacheRegisterSyscacheCallback(c->syscaches[j], dispatch_syscache, (Datum) 0);
			syscache_ids[n_syscache_ids++] = c->syscaches[j];
		}
	}
}

/* The cache's own context, made on first use under CacheMemoryContext. */
MemoryContext
mp_cache_context(MpCache *c)
{
	if (c->cxt == NULL)
	{
		c->cxt = AllocSetContextCreate(CacheMemoryContext, "multipartner cache",
									   ALLOCSET_SMALL_SIZES);
		MemoryContextSetIdentifier(c->cxt, c->name);
	}
	return c->cxt;
}

/*
 * Start filling c: it is invalid, and its context (if it has one: see
 * mp_cache_context) empty, until mp_cache_fill_end.
 */
void
mp_cache_fill_begin(MpCache *c)
{
	c->valid = false;
	c->fill_generation = c->generation;
	if (c->cxt)
		MemoryContextReset(c->cxt);
}

/* c is filled; it stays valid unless an invalidation came meanwhile. */
bool
mp_cache_fill_end(MpCache *c)
{
	c->valid = (c->fill_generation == c->generation);
	return c->valid;
}
