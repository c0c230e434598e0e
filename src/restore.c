/*-------------------------------------------------------------------------
 *
 * restore.c
 *	  Restore mode: what the triggers do while a dump is loaded.  The
 *	  trigger skeleton (trigger.c) asks mp_restoring() on every call and,
 *	  as each trigger's table of rules says, lets the row through, holds it
 *	  (mp_restore_row), does nothing, or runs its rules only then
 *	  (restore_release).
 *
 * Restore mode.  The extension's tables are configuration tables
 * (pg_extension_config_dump), so pg_dump writes their rows and a restore
 * loads them with COPY after CREATE EXTENSION has created the tables with
 * their triggers.  Running the rules on that load would re-check history
 * against today's clock and roles, and the audit trigger would write every
 * restored row to the audit log a second time (next to the restored audit
 * rows).  So the triggers step aside for a session that is recognisably a
 * restore: a superuser session with the settings every pg_dump script and
 * every pg_restore connection starts with (row_security = off,
 * check_function_bodies = off and an empty search_path).  Only a superuser
 * can be in it, and a superuser can disable the triggers anyway; the
 * foreign keys, unique keys and checks of the tables still apply.
 *
 * Restore order.  pg_dump sorts the data of the tables in foreign-key order
 * (partner and customer before the tables that refer to them), which a
 * serial restore follows; but it records no dependency between the TABLE
 * DATA entries of an extension's configuration tables (only each one's on
 * its table, which is not in the archive), so pg_restore -j loads them in
 * any order, largest first, and concurrently: a child's COPY met the foreign
 * key before its partner or customer rows were there, failed, and left the
 * table empty.  So in restore mode a row inserted into a table with a
 * foreign key (partner_member, customer_member, relationship, subscription)
 * whose partner or customer is not there yet is held in
 * multipartner.restore_held instead (its text image), and each restore-mode
 * INSERT or COPY into partner or customer puts the held rows back at its
 * end (a row still missing its other party is held again).  Holding and
 * putting back take the same EXCLUSIVE lock on restore_held, and a row is
 * held only after a second look under that lock, so a row held by one
 * connection is always seen by the load of its party in another: either the
 * party's load puts it back after the holder committed, or the holder waited
 * for the party's commit and then found it.  The foreign keys still check
 * every row that goes into a table.
 *
 * GDAP (0.7): an admin_relationship row waits for its partner and customer
 * like a relationship; an access_assignment row waits for its admin
 * relationship (its foreign key), and each restore-mode INSERT or COPY into
 * admin_relationship puts the held rows back at its end too.  Putting back
 * inserts into admin_relationship itself, so that statement's own
 * restore_release does nothing (the one putting back goes on to the
 * assignments, after the admin relationships).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rls.h"

#include "multipartner.h"

/*
 * mp_restoring - is this session restoring a dump?
 */
bool
mp_restoring(void)
{
	return !row_security && !check_function_bodies &&
		namespace_search_path != NULL && namespace_search_path[0] == '\0' &&
		superuser();
}

/*
 * The tables whose rows refer to a partner or a customer, and the column
 * that does (NULL: none).
 */
typedef struct HeldTable
{
	const char *name;
	const char *partner_col;
	const char *customer_col;
	bool		admin_relationship; /* (customer_id, admin_relationship_id) */
} HeldTable;

static const HeldTable held_tables[] = {
	{"partner_member", "partner_id", NULL, false},
	{"customer_member", NULL, "customer_id", false},
	{"relationship", "partner_id", "customer_id", false},
	{"subscription", "partner_of_record", "customer_id", false},
	{"admin_relationship", "partner_id", "customer_id", false},
	{"access_assignment", NULL, NULL, true},
};
#define NUM_HELD_TABLES lengthof(held_tables)

/* the lock under which rows are held and put back */
static void
lock_held(void)
{
	Oid			relid = mp_relation_oid("restore_held");

	if (!OidIsValid(relid))
		elog(ERROR, "table \"%s.restore_held\" does not exist", MP_SCHEMA);
	LockRelationOid(relid, ExclusiveLock);
}

/*
 * Is the row's partner, customer or admin relationship missing?  Each look is a query of its
 * own, with a snapshot of its own (READ COMMITTED: what has committed by
 * now), run as the restoring superuser.
 */
static bool
party_missing(const HeldTable *ht, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		id;

	if (ht->partner_col)
	{
		id = mp_getattr(tuple, rel, ht->partner_col, &isnull);
		if (!isnull && !mp_lookup_party_exists(true, DatumGetUUIDP(id)))
			return true;
	}
	if (ht->customer_col)
	{
		id = mp_getattr(tuple, rel, ht->customer_col, &isnull);
		if (!isnull && !mp_lookup_party_exists(false, DatumGetUUIDP(id)))
			return true;
	}
	if (ht->admin_relationship)
	{
		bool		isnull2;
		Datum		customer = mp_getattr(tuple, rel, "customer_id", &isnull);
		Datum		rel_id = mp_getattr(tuple, rel, "admin_relationship_id", &isnull2);

		if (!isnull && !isnull2 &&
			!mp_lookup_admin_relationship_exists(DatumGetUUIDP(customer),
												 DatumGetUUIDP(rel_id)))
			return true;
	}
	return false;
}

/*
 * mp_restore_row - what a BEFORE ROW trigger of a table with a foreign key
 * returns in restore mode: the row, or NULL when it was held until its
 * partner or customer is loaded (see Restore order above).
 */
Datum
mp_restore_row(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tuple = trigdata->tg_trigtuple;
	const HeldTable *ht = NULL;
	bool		missing;

	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return mp_trigger_passthrough(trigdata);
	for (int i = 0; i < NUM_HELD_TABLES; i++)
		if (mp_relation_is(rel, held_tables[i].name))
			ht = &held_tables[i];
	if (ht == NULL)
		return PointerGetDatum(tuple);

	missing = party_missing(ht, rel, tuple);
	if (missing)
	{
		/* look again once no party's load can be putting rows back */
		lock_held();
		missing = party_missing(ht, rel, tuple);
	}
	if (missing)
		mp_lookup_restore_hold(ht->name,
							   OidOutputFunctionCall(F_RECORD_OUT,
													 heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel))));
	return missing ? PointerGetDatum(NULL) : PointerGetDatum(tuple);
}

/*
 * restore_hold(): BEFORE INSERT ... FOR EACH ROW on the member tables, which
 * have no BEFORE trigger of their own; outside restore mode it does nothing.
 */
static const MpTrigger restore_hold = {
	.name = "restore_hold",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,
};

MP_TRIGGER_FUNCTION(mp_restore_hold, restore_hold)

/*
 * restore_release(): AFTER INSERT ... FOR EACH STATEMENT on partner,
 * customer and admin_relationship; in restore mode it puts back the rows
 * held for want of the partners, customers or admin relationships this
 * statement loaded.  The admin relationships it puts back fire it again:
 * that nested call does nothing (this one puts the assignments back next).
 */
static bool releasing = false;

static HeapTuple
restore_release_statement(const MpTriggerEvent *ev)
{
	if (releasing)
		return NULL;
	lock_held();
	releasing = true;
	PG_TRY();
	{
		mp_lookup_restore_release();
	}
	PG_FINALLY();
	{
		releasing = false;
	}
	PG_END_TRY();
	return NULL;
}

static const MpTrigger restore_release = {
	.name = "restore_release",
	.kind = MP_TRIGGER_ANY,
	.restore = MP_RESTORE_ONLY,
	.on_insert = restore_release_statement,
};

MP_TRIGGER_FUNCTION(mp_restore_release, restore_release)
