/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  The one skeleton every trigger of the extension runs through.
 *
 * A trigger function is a table of its rules (an MpTrigger): its name, how
 * the install script fires it (BEFORE or AFTER ... FOR EACH ROW, or any
 * way), what it does in restore mode, which writes its table refuses
 * outright (R10), and the rule functions for INSERT, UPDATE and DELETE.
 * mp_trigger_run does, in this order:
 *   0. in a logical replication worker (the apply or table sync worker of
 *      a subscription; on Citus the target of a shard move), nothing but
 *      the table's hook (t->always): the row goes through untouched, no
 *      rule, no stamp, no audit (see replayed_row);
 *   1. the protocol check: called by the trigger manager, as declared,
 *      against objects of this library's version (version.c), and, under
 *      session_replication_role = replica, with no trigger of the table
 *      that replica mode would skip;
 *   2. the table's hook that runs on every call (t->always), if any;
 *   2a. the time stamp of a new row (t->stamp, BEFORE INSERT): a NULL
 *      there becomes the statement's time (mp_statement_time), for every
 *      writer, operators and restore mode included.  Until 0.9 the
 *      column's DEFAULT GREATEST(statement_timestamp(), now()) did that;
 *      on Citus a default is evaluated on the coordinator and shipped as a
 *      constant, so the node that judges the row fills it in instead
 *      (SPEC §11);
 *   3. restore mode (restore.c): let the row through, hold it until its
 *      partner or customer is loaded, do nothing, or run the rules only
 *      then;
 *   4. R10: the UPDATE, DELETE or TRUNCATE the table never allows;
 *   5. the rule for the event, which returns the row to write (BEFORE
 *      ROW), or NULL to skip it; an event without a rule lets the row
 *      through.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "replication/logicalworker.h"
#include "utils/lsyscache.h"

#include "multipartner.h"

/*
 * A write under session_replication_role = replica must not skip a trigger
 * that guards the table: one of the extension's own, or a foreign key's
 * internal trigger (RI_FKey_check_* on the referencing table,
 * RI_FKey_noaction_* on the referenced one).  The install script makes them
 * all ENABLE ALWAYS, but pg_upgrade does not keep that for the foreign keys
 * (pg_dump --binary-upgrade recreates them with ALTER TABLE ... ADD
 * CONSTRAINT, whose triggers are ENABLE ORIGIN), and a superuser may have
 * changed one.  So every trigger of ours, which fires ALWAYS, looks at the
 * written table's triggers (the relcache keeps them) and refuses the write
 * while one that replica mode would skip is there.  Every table with a
 * foreign key, on either side, has a row trigger of ours for each event
 * that fires the key's triggers (AFTER ROW on the member tables: its error
 * aborts the statement all the same).  A DBA's own ENABLE ORIGIN trigger is
 * the DBA's choice and does not count; neither does a restore (restore
 * mode), whose triggers step aside anyway.
 */
static void
check_replica_skips_nothing(Relation rel)
{
	TriggerDesc *trigdesc = rel->trigdesc;
	Oid			nspid = InvalidOid;
	pg_uuid_t	partner;

	if (trigdesc == NULL || mp_restoring())
		return;
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		Trigger    *t = &trigdesc->triggers[i];

		if (t->tgenabled != TRIGGER_FIRES_ON_ORIGIN)
			continue;
		/* an internal trigger of no constraint: another extension's (Citus) */
		if (t->tgisinternal && !OidIsValid(t->tgconstraint))
			continue;
		if (!t->tgisinternal)
		{
			if (!OidIsValid(nspid))
				nspid = get_namespace_oid(MP_SCHEMA, true);
			if (get_func_namespace(t->tgfoid) != nspid)
				continue;
		}
		mp_count_refusal_for(MP_RULE_GUARD, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
							 mp_acting_partner_cached(&partner) ? &partner : NULL);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot write to table \"%s\" with session_replication_role = replica",
						mp_relation_name(rel)),
				 OidIsValid(t->tgconstraint) ?
				 errdetail("Trigger \"%s\" of constraint \"%s\" is ENABLE ORIGIN, so replica mode would skip it.",
						   t->tgisinternal ? t->tgname : mp_object_name(rel, t->tgname),
						   mp_constraint_name(t->tgconstraint)) :
				 errdetail("Trigger \"%s\" is ENABLE ORIGIN, so replica mode would skip it.",
						   mp_object_name(rel, t->tgname)),
				 errhint("A superuser makes the triggers of the extension's tables ENABLE ALWAYS again with SELECT multipartner.enable_always_triggers(); pg_upgrade leaves those of the foreign keys ENABLE ORIGIN."),
				 mp_errtable(rel)));
	}
}

/*
 * The protocol check: funcname was called by the trigger manager the way
 * the install script declares it, against objects of this library's
 * version, and, in replica mode, the write skips no trigger of the table.
 */
static void
check_protocol(FunctionCallInfo fcinfo, const char *funcname,
			   MpTriggerKind kind)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname)));
	mp_require_schema_version();
	if (unlikely(SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA))
		check_replica_skips_nothing(trigdata->tg_relation);
	if (kind == MP_TRIGGER_ANY)
		return;
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		(kind == MP_TRIGGER_BEFORE_ROW) != TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s ... FOR EACH ROW",
						funcname, kind == MP_TRIGGER_BEFORE_ROW ? "BEFORE" : "AFTER")));
}

/*
 * The tuple a BEFORE ROW trigger returns to let the row through unchanged
 * (the new row of an INSERT or UPDATE, the old one of a DELETE).
 */
Datum
mp_trigger_passthrough(TriggerData *trigdata)
{
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/* R10: refuse the write if the table never allows it */
static void
check_refusal(const MpTrigger *t, Relation rel, TriggerEvent event)
{
	const MpRefusal *r = NULL;
	MpWrite		write = MP_WRITE_DELETE;

	if (TRIGGER_FIRED_BY_DELETE(event))
		r = &t->no_delete;
	else if (TRIGGER_FIRED_BY_TRUNCATE(event))
	{
		r = &t->no_truncate;
		write = MP_WRITE_TRUNCATE;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		r = &t->no_update;
		write = MP_WRITE_UPDATE;
	}
	if (r != NULL && r->detail != NULL)
		mp_report_no_delete(rel, write, r->detail, r->hint);
}

/*
 * A new row's time stamp left NULL: the statement's time, in the row every
 * later step sees (the rules, the pass-through of restore mode, the image a
 * restore holds).  A value given is left to the rules, which judge it.
 */
static void
stamp_new_row(TriggerData *trigdata, const char *col)
{
	Relation	rel = trigdata->tg_relation;
	bool		isnull;
	MpRowPatch	patch = {0};

	mp_getattr(trigdata->tg_trigtuple, rel, col, &isnull);
	if (!isnull)
		return;
	mp_patch_set(&patch, rel, col, TimestampTzGetDatum(mp_statement_time()));
	trigdata->tg_trigtuple = mp_patch_apply(&patch, rel, trigdata->tg_trigtuple,
											CurrentMemoryContext);
}

/*
 * A row a logical replication worker writes: a replay of a row written,
 * judged and audited on the publisher.  On Citus that is a shard move or
 * split by logical replication (citus_move_shard_placement,
 * citus_rebalance_start; 'auto' and 'force_logical'): Citus creates the
 * target shards' triggers, ENABLE ALWAYS as on every shard, before the last
 * catch-up, so the apply worker fires them on the rows written during the
 * move.  Judged again there, with no acting partner and no caller, they
 * would be refused (the worker retries the same change forever and the
 * move times out) or audited a second time; the audit rows themselves are
 * replayed into the moved audit_log shard.  So the row goes through as it
 * came, and the foreign keys' triggers, which replica mode skips there, are
 * no reason to refuse it either.  Only a superuser creates a subscription
 * (PostgreSQL 15) and chooses the publisher it replays; no session of a
 * client runs as a logical replication worker.  The table's hook still
 * runs: it keeps this node's caches true after a write, whoever made it.
 */
static Datum
replayed_row(FunctionCallInfo fcinfo, const MpTrigger *t)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						t->name)));
	if (t->always)
		t->always();
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) &&
		TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		return mp_trigger_passthrough(trigdata);
	return PointerGetDatum(NULL);
}

/*
 * mp_trigger_run - the body of every trigger function: t's rules applied
 * to the event the trigger manager passed (see the file's banner).
 */
Datum
mp_trigger_run(FunctionCallInfo fcinfo, const MpTrigger *t)
{
	TriggerData *trigdata;
	MpTriggerEvent ev;
	MpRule		rule = NULL;
	bool		before_row;

	if (unlikely(IsLogicalWorker()))
		return replayed_row(fcinfo, t);
	check_protocol(fcinfo, t->name, t->kind);
	trigdata = (TriggerData *) fcinfo->context;
	mp_shard_note(trigdata->tg_relation);	/* errors on a shard name the table */
	before_row = TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) &&
		TRIGGER_FIRED_BEFORE(trigdata->tg_event);

	if (t->always)
		t->always();

	if (t->stamp != NULL && before_row &&
		TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		stamp_new_row(trigdata, t->stamp);

	switch (t->restore)
	{
		case MP_RESTORE_RUN:
			break;
		case MP_RESTORE_PASS:
			if (mp_restoring())
				return mp_trigger_passthrough(trigdata);
			break;
		case MP_RESTORE_HOLD:
			if (mp_restoring())
				return mp_restore_row(trigdata);
			break;
		case MP_RESTORE_SKIP:
			if (mp_restoring())
				return PointerGetDatum(NULL);
			break;
		case MP_RESTORE_ONLY:
			if (!mp_restoring())
				return before_row ? mp_trigger_passthrough(trigdata) :
					PointerGetDatum(NULL);
			break;
	}

	check_refusal(t, trigdata->tg_relation, trigdata->tg_event);

	ev.td = trigdata;
	ev.rel = trigdata->tg_relation;
	ev.cxt = CurrentMemoryContext;
	ev.oldtup = NULL;
	ev.newtup = NULL;
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		ev.newtup = trigdata->tg_trigtuple;
		rule = t->on_insert;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		ev.oldtup = trigdata->tg_trigtuple;
		ev.newtup = trigdata->tg_newtuple;
		rule = t->on_update;
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		ev.oldtup = trigdata->tg_trigtuple;
		rule = t->on_delete;
	}

	if (rule == NULL)
		return before_row ? mp_trigger_passthrough(trigdata) :
			PointerGetDatum(NULL);
	if (before_row)
		return PointerGetDatum(rule(&ev));
	rule(&ev);
	return PointerGetDatum(NULL);
}
