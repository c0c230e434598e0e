/*-------------------------------------------------------------------------
 *
 * audit_identity.c
 *	  One statement, one identity: the audit row records the role and the
 *	  acting partner the rules judged.
 *
 * The rules run in BEFORE ROW triggers and read the identity then
 * (GetUserId(), multipartner.acting_partner); the audit row is written by
 * the AFTER ROW trigger at the end of the statement.  In between, the
 * statement itself can change the identity: UPDATE ... RETURNING
 * set_config('multipartner.acting_partner', '<other partner>', true), or
 * set_config('role', ...).  So the identity is taken once per statement,
 * by the BEFORE ROW trigger audit_identity, which every audited table has
 * and which fires before the rule triggers of a row (triggers fire in name
 * order, and nothing but our triggers runs between them):
 *
 *  - at a statement's first row it records the identity (current user,
 *    session user, acting partner as mp_acting_partner_peek resolves it)
 *    under the statement's output command id;
 *  - at every later row it refuses (42501) a row whose identity differs:
 *    the rules would judge that row as someone else than the first ones,
 *    and one audit identity per statement could not be true of both.  A
 *    change of role or acting partner inside a statement thus takes effect
 *    at the next statement, as the policies' initplans already behave;
 *  - the AFTER ROW audit trigger finds the identity by the command id the
 *    row was written with, and records that.
 *
 * The command id: a BEFORE ROW trigger runs under the statement's snapshot,
 * whose curcid is the command id the executor writes the row with
 * (es_output_cid is GetCurrentCommandId(true) taken right after the
 * snapshot's command id was set: top level, SPI, SQL functions, EXPLAIN
 * ANALYZE, COPY; the fast path's CommandCounterIncrement inside a trigger
 * changes neither).  In the AFTER ROW trigger it is the new tuple's cmin
 * (INSERT, UPDATE) or the old tuple's cmax (DELETE), combo command ids
 * resolved.  Nested statements (a function called by a statement) have
 * their own command ids and their own entries.
 *
 * The entries live until the transaction ends, at most MP_STMT_IDENTITIES
 * of them (the least recently used goes; an entry is used by each row of
 * its statement).  An audit row whose entry was evicted is an error, never
 * a guess.  (The schema before 0.4 has no audit_identity trigger, but the
 * library writes nothing against it: version.c.)  Command ids
 * are never reused within a transaction, and the rows of an aborted
 * subtransaction fire no AFTER trigger, so a subtransaction abort leaves
 * only entries nobody asks for.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "multipartner.h"

#define MP_STMT_IDENTITIES 256

typedef struct MpStmtIdentity
{
	CommandId	cid;
	uint64		used;			/* last use, for eviction */
	MpIdentity	id;
} MpStmtIdentity;

static MpStmtIdentity stmt_ids[MP_STMT_IDENTITIES];
static int	n_stmt_ids = 0;
static int	last_hit = -1;
static uint64 use_clock = 0;

static MpStmtIdentity *
stmt_identity_find(CommandId cid)
{
	if (last_hit >= 0 && last_hit < n_stmt_ids && stmt_ids[last_hit].cid == cid)
		return &stmt_ids[last_hit];
	for (int i = n_stmt_ids - 1; i >= 0; i--)
	{
		if (stmt_ids[i].cid == cid)
		{
			last_hit = i;
			return &stmt_ids[i];
		}
	}
	return NULL;
}

static MpStmtIdentity *
stmt_identity_add(CommandId cid)
{
	int			slot;

	/*
	 * Entries of higher command ids belong to statements that ran inside
	 * this one before its first row (INSERT ... SELECT f()) and are done.
	 */
	for (int i = 0; i < n_stmt_ids;)
	{
		if (stmt_ids[i].cid > cid)
			stmt_ids[i] = stmt_ids[--n_stmt_ids];
		else
			i++;
	}
	if (n_stmt_ids < MP_STMT_IDENTITIES)
		slot = n_stmt_ids++;
	else
	{
		slot = 0;
		for (int i = 1; i < n_stmt_ids; i++)
			if (stmt_ids[i].used < stmt_ids[slot].used)
				slot = i;
	}
	stmt_ids[slot].cid = cid;
	last_hit = slot;
	return &stmt_ids[slot];
}

/*
 * A write the extension makes as the schema owner for the acting role (the
 * assignments an ending admin relationship ends with it, lookup.c) is the
 * acting role's: its rows are audited as the identity taken just before the
 * switch to the owner, not as the owner (ended_by names the same role).
 */
static bool identity_lent = false;
static MpIdentity lent_identity;

static void
identity_now(MpIdentity *id)
{
	if (identity_lent)
	{
		*id = lent_identity;
		return;
	}
	id->userid = GetUserId();
	id->session_userid = GetSessionUserId();
	id->has_partner = mp_acting_partner_peek(&id->partner);
}

static const char *
partner_text(const MpIdentity *id)
{
	return id->has_partner ? psprintf("partner %s", mp_uuid_str(&id->partner)) :
		"no partner";
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on every audited
 * table, named to fire before the rule triggers.
 */
static HeapTuple
audit_identity_row(const MpTriggerEvent *ev)
{
	CommandId	cid;
	MpStmtIdentity *e;
	MpIdentity	now;

	if (!ActiveSnapshotSet())
		elog(ERROR, "audit_identity fired without an active snapshot");
	cid = GetActiveSnapshot()->curcid;

	identity_now(&now);
	e = stmt_identity_find(cid);
	if (e == NULL)
	{
		e = stmt_identity_add(cid);
		e->id = now;
	}
	else if (e->id.userid != now.userid ||
			 e->id.session_userid != now.session_userid ||
			 e->id.has_partner != now.has_partner ||
			 (now.has_partner && !mp_uuid_eq(&e->id.partner, &now.partner)))
	{
		mp_count_refusal_for(MP_RULE_IDENTITY, ERRCODE_INSUFFICIENT_PRIVILEGE,
							 now.has_partner ? &now.partner : NULL);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("acting identity changed during the statement"),
				 errdetail("The statement began writing as role \"%s\" acting for %s; a row of table \"%s\" was then to be written as role \"%s\" acting for %s.",
						   GetUserNameFromId(e->id.userid, false),
						   partner_text(&e->id),
						   mp_relation_name(ev->rel),
						   GetUserNameFromId(now.userid, false),
						   partner_text(&now)),
				 errhint("Change the role or multipartner.acting_partner between statements, not inside one.")));
	}
	e->used = ++use_clock;
	return ev->newtup ? ev->newtup : ev->oldtup;
}

/* a restore writes no audit row */
static const MpTrigger audit_identity = {
	.name = "audit_identity",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_PASS,
	.on_insert = audit_identity_row,
	.on_update = audit_identity_row,
	.on_delete = audit_identity_row,
};

MP_TRIGGER_FUNCTION(mp_audit_identity, audit_identity)

/* Does rel take its statements' identities (the 0.4 schema)? */
/*
 * mp_statement_identity - the identity of the statement that wrote the row
 * an AFTER ROW trigger fired for: newtup for INSERT and UPDATE, oldtup for
 * DELETE (newtup NULL).
 */
void
mp_statement_identity(Relation rel, HeapTuple oldtup, HeapTuple newtup,
					  MpIdentity *id)
{
	HeapTupleHeader hdr;
	CommandId	cid;
	MpStmtIdentity *e;

	if (newtup)
	{
		hdr = newtup->t_data;
		if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(hdr)))
			elog(ERROR, "audited row was not written by this transaction");
		cid = HeapTupleHeaderGetCmin(hdr);
	}
	else
	{
		hdr = oldtup->t_data;
		if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetUpdateXid(hdr)))
			elog(ERROR, "audited row was not deleted by this transaction");
		cid = HeapTupleHeaderGetCmax(hdr);
	}

	e = stmt_identity_find(cid);
	if (e != NULL)
	{
		e->used = ++use_clock;
		*id = e->id;
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("identity of the statement that wrote a row of table \"%s\" is no longer known",
					mp_relation_name(rel)),
			 errdetail("The audit keeps the identities of the last %d statements that wrote the extension's tables in a transaction.",
					   MP_STMT_IDENTITIES),
			 errhint("Write the extension's tables from fewer statements inside one statement.")));
}

/*
 * mp_audit_identity_lend - until mp_audit_identity_return, audit the rows
 * written as the identity of now (the acting role, before a switch to the
 * schema owner).  Nested loans keep the outermost identity.  Returns whether
 * a loan was already running, for mp_audit_identity_return (call it in
 * PG_FINALLY).
 */
bool
mp_audit_identity_lend(void)
{
	bool		lent_before = identity_lent;

	if (!identity_lent)
	{
		identity_now(&lent_identity);
		identity_lent = true;
	}
	return lent_before;
}

void
mp_audit_identity_return(bool lent_before)
{
	identity_lent = lent_before;
}

/* The end of a transaction (module.c's transaction callback). */
void
mp_audit_identity_end_xact(void)
{
	n_stmt_ids = 0;
	last_hit = -1;
	identity_lent = false;
}

