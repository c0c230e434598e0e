/*
 * fill_callbacks.c
 *	  Test module: takes relcache callback slots, as other extensions loaded
 *	  in the same backend do (Citus takes up to five), so a test can show
 *	  that multipartner still loads when only one slot is left.
 *	  Not installed with the extension; test/run-tests.sh builds it.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/inval.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(fill_relcache_callbacks);

static void
noop_relcache(Datum arg, Oid relid)
{
}

/* fill_relcache_callbacks(n int) returns int: registers n relcache callbacks */
Datum
fill_relcache_callbacks(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);

	for (int i = 0; i < n; i++)
		CacheRegisterRelcacheCallback(noop_relcache, (Datum) 0);
	PG_RETURN_INT32(n);
}
