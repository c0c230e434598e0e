/*-------------------------------------------------------------------------
 *
 * inval.c
 *	  One relcache callback and one syscache callback per catalog cache,
 *	  dispatching to every cache of the module.
 *
 * PostgreSQL 15 has room for 10 relcache callbacks and 64 syscache
 * callbacks per backend (inval.c, MAX_RELCACHE_CALLBACKS and
 * MAX_SYSCACHE_CALLBACKS), shared by core and every loaded module; running
 * out ends the backend with FATAL.  Next to Citus, which takes up to five,
 * a module that registers one callback per cache leaves no room.  So each
 * cache of this module hands its callback to mp_on_relcache_inval() or
 * mp_on_syscache_inval(), and this file registers one relcache callback in
 * all and one syscache callback per catalog cache id, whatever the number
 * of caches that listen.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/inval.h"

#include "multipartner.h"

#define MP_MAX_RELCACHE_HANDLERS 8
#define MP_MAX_SYSCACHE_HANDLERS 16

static RelcacheCallbackFunction relcache_handlers[MP_MAX_RELCACHE_HANDLERS];
static int	n_relcache_handlers = 0;

typedef struct MpSyscacheHandler
{
	int			cacheid;
	SyscacheCallbackFunction func;
} MpSyscacheHandler;

static MpSyscacheHandler syscache_handlers[MP_MAX_SYSCACHE_HANDLERS];
static int	n_syscache_handlers = 0;

/* how many callbacks this module holds in PostgreSQL's tables */
static int	n_registered_relcache = 0;
static int	n_registered_syscache = 0;

static void
dispatch_relcache(Datum arg, Oid relid)
{
	for (int i = 0; i < n_relcache_handlers; i++)
		relcache_handlers[i] (arg, relid);
}

static void
dispatch_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	for (int i = 0; i < n_syscache_handlers; i++)
		if (syscache_handlers[i].cacheid == cacheid)
			syscache_handlers[i].func(arg, cacheid, hashvalue);
}

/* Call func(0, relid) on every relcache invalidation (relid 0: all). */
void
mp_on_relcache_inval(RelcacheCallbackFunction func)
{
	if (n_relcache_handlers == MP_MAX_RELCACHE_HANDLERS)
		elog(ERROR, "too many multipartner relcache handlers");
	if (n_registered_relcache == 0)
	{
		CacheRegisterRelcacheCallback(dispatch_relcache, (Datum) 0);
		n_registered_relcache = 1;
	}
	relcache_handlers[n_relcache_handlers++] = func;
}

/* Call func(0, cacheid, hashvalue) on every invalidation of syscache cacheid. */
void
mp_on_syscache_inval(int cacheid, SyscacheCallbackFunction func)
{
	bool		known = false;

	if (n_syscache_handlers == MP_MAX_SYSCACHE_HANDLERS)
		elog(ERROR, "too many multipartner syscache handlers");
	for (int i = 0; i < n_syscache_handlers; i++)
		if (syscache_handlers[i].cacheid == cacheid)
			known = true;
	if (!known)
	{
		CacheRegisterSyscacheCallback(cacheid, dispatch_syscache, (Datum) 0);
		n_registered_syscache++;
	}
	syscache_handlers[n_syscache_handlers].cacheid = cacheid;
	syscache_handlers[n_syscache_handlers].func = func;
	n_syscache_handlers++;
}

/* Callbacks held in PostgreSQL's tables: relcache, syscache (for tests). */
void
mp_inval_slots(int *relcache, int *syscache)
{
	*relcache = n_registered_relcache;
	*syscache = n_registered_syscache;
}
