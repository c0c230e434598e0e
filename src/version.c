/*-------------------------------------------------------------------------
 *
 * version.c
 *	  Which version of the extension's objects this library runs against.
 *
 * A newer multipartner.so may be installed before ALTER EXTENSION
 * multipartner UPDATE runs in a database, or a backend may keep an older
 * library loaded after the update.  The C code of one version relies on the
 * objects of that version (tables, columns, triggers, locks), so every
 * trigger checks first that the objects are of the library's own version and
 * otherwise refuses the write, saying what to do.  Reads go on.
 *
 * The objects' version is the result of multipartner.schema_version(),
 * which every install and upgrade script defines (it is part of the catalog
 * test/sql/upgrade.sql compares); a database of 0.3 or older has none.  It
 * is read from the function's body through the syscache, kept, and looked
 * up again after any invalidation of pg_proc, so an update committed by
 * another session is seen at this session's next statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "multipartner.h"

#ifndef MP_VERSION
#error "MP_VERSION must be defined (the Makefile takes it from multipartner.control)"
#endif

static bool version_matches;
static char schema_version[32];

/* version_matches and schema_version, until pg_proc changes */
static MpCache version_cache = MP_CACHE("multipartner schema version",
										.nsyscaches = 1, .syscaches = {PROCOID});

/*
 * The version multipartner.schema_version() returns, from its body
 * ("SELECT '<version>'::pg_catalog.text"), or "" when there is no such
 * function (0.3 and older).
 */
static void
read_schema_version(void)
{
	List	   *name = list_make2(makeString(MP_SCHEMA), makeString("schema_version"));
	Oid			fn = LookupFuncName(name, 0, NULL, true);
	HeapTuple	tup;

	schema_version[0] = '\0';
	if (!OidIsValid(fn))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		char	   *src = isnull ? "" : TextDatumGetCString(d);
		char	   *open = strchr(src, '\'');
		char	   *close = open ? strchr(open + 1, '\'') : NULL;

		if (close && close - open - 1 < (int) sizeof(schema_version))
			strlcpy(schema_version, open + 1, close - open);
		ReleaseSysCache(tup);
	}
}

/* Compare two versions "X.Y" numerically, part by part (0.10 is after 0.9). */
static int
version_cmp(const char *a, const char *b)
{
	while (*a || *b)
	{
		long		x = strtol(a, (char **) &a, 10);
		long		y = strtol(b, (char **) &b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && !isdigit((unsigned char) *a)) || (*b && !isdigit((unsigned char) *b)))
			return strcmp(a, b);
	}
	return 0;
}

/*
 * mp_require_schema_version - refuse to write unless the extension's objects
 * are of this library's version
 */
void
mp_require_schema_version(void)
{
	/*
	 * The install and upgrade scripts write with the objects half made, and a
	 * restore loads rows as they were, with the rules stepped aside.
	 */
	if (creating_extension || mp_restoring())
		return;
	if (!mp_cache_valid(&version_cache))
	{
		mp_cache_fill_begin(&version_cache);
		read_schema_version();
		version_matches = strcmp(schema_version, MP_VERSION) == 0;
		mp_cache_fill_end(&version_cache);
	}
	if (version_matches)
		return;

	if (schema_version[0] == '\0' || version_cmp(schema_version, MP_VERSION) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("multipartner's library is version %s, but its objects in this database are of an older version (%s)",
						MP_VERSION, schema_version[0] ? schema_version : "0.3 or older"),
				 errdetail("The library enforces the rules of its own version only, so it writes nothing until the objects are updated."),
				 errhint("Run ALTER EXTENSION multipartner UPDATE in this database.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("multipartner's library is version %s, but its objects in this database are of version %s",
					MP_VERSION, schema_version),
			 errdetail("This session runs an older library than the one the objects were updated for."),
			 errhint("Install multipartner's library of version %s and reconnect.", schema_version)));
}

void
mp_version_init(void)
{
	mp_cache_register(&version_cache);
}

/* SQL-callable: multipartner.library_version(), the version of this library. */
PG_FUNCTION_INFO_V1(mp_library_version_sql);
Datum
mp_library_version_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(MP_VERSION));
}
