/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Executor hooks: EXPLAIN ANALYZE (and auto_explain's log_analyze) show
 *	  a role under the extension's row security no count derived from rows
 *	  it cannot see.
 *
 * Row security adds its policy as a filter of the scan, after the index
 * condition a user chose (tenant_id BETWEEN ... is leakproof, so it goes
 * into the index scan).  The executor counts what it read before the
 * policy filtered it: "Rows Removed by Filter", a bitmap index scan's
 * actual rows, "Heap Fetches", "Heap Blocks", buffer and WAL counts, node
 * timings.  Halving the range recovers every tenant id on the platform.
 * Node counts are kept in each plan node's Instrumentation, which EXPLAIN
 * prints after ExecutorFinish and before ExecutorEnd (explain.c,
 * ExplainOnePlan: ExecutorRun, ExecutorFinish, ExplainPrintPlan,
 * ExecutorEnd); auto_explain prints in its ExecutorEnd hook, later still.
 *
 * So, after standard_ExecutorFinish, an instrumented execution by a role
 * that is neither an operator (whose policies are USING (true): they see
 * everything and keep their counts) nor BYPASSRLS has the instrumentation
 * of every node of its plan state tree reset (initPlans, subPlans and the
 * workers' copies included), as if no node had run: EXPLAIN prints
 * "never executed" and zeros.  That happens when the transaction has run
 * a statement over one of the extension's relations (tables or views),
 * this one or a nested one: a non-inlined function's statements are not
 * instrumented, but the buffers and time they use are counted in the node
 * that called the function.  "Has run" is marked in ExecutorStart, for
 * every statement, nested or not, before it runs, and kept until the
 * transaction ends, so it is true whenever any node of an execution in
 * this transaction could have counted one of our rows: an execution is
 * always inside one transaction.
 *
 * A fresh backend loads this library while it starts the first statement
 * that uses the extension (the policies call its C functions, whose
 * fmgr_info happens at plan initialisation), so that statement's own
 * ExecutorStart ran without our hook; _PG_init therefore marks the
 * transaction it is loaded in as having read our relations.  By
 * ExecutorFinish the hook is in place.
 *
 * No NOTICE is raised: auto_explain would raise it for every statement of
 * an application, and the plan itself says what happened (every node
 * "never executed").  README.md says so.
 *
 * On Citus the ExecutorStart hook also carries multipartner.acting_partner
 * to the workers (CITUS_DESIGN §2.7).  Citus sends no session-level SET to
 * its worker connections, so a role that is a member of two partners would
 * be refused there ("is a member of 2 partners") although this node knows
 * which one it acts for.  Citus does send a SET LOCAL, with
 * citus.propagate_set_commands = 'local', to the connections of the
 * transaction (after their BEGIN), but only one it counts as part of a
 * multi-statement transaction: in a transaction block, in a DO block, or
 * run from a function (its executor nesting level above one).  So before
 * the first distributed statement of a transaction (a plan with a Citus
 * custom scan; its range table no longer names the tables) that runs while
 * the setting is not empty, the hook runs through SPI "DO $$BEGIN SET LOCAL
 * multipartner.acting_partner = '<value>'; END$$" with
 * citus.propagate_set_commands at 'local' for that one statement (then back
 * to what it was): a DO block counts at any nesting level, so the API
 * functions (whose DML runs through SPI, inside the caller's statement),
 * direct DML and reads all carry it.  Once per transaction and
 * value (again after a subtransaction that carried it ends: Citus forgets
 * a subtransaction's SET LOCALs at its end).  Citus sends the SET LOCALs it
 * keeps with the BEGIN of each remote transaction block, and it opens such
 * blocks only in a coordinated transaction: a single-shard statement or a
 * read outside a transaction block runs on the worker without one, so the
 * value would not arrive (the worker then refused a several-partner role:
 * "is a member of 2 partners").  So once the value is carried, the hook
 * makes the transaction a coordinated one, through Citus's exported C
 * function UseCoordinatedTransaction() (looked up once per backend in
 * citus.so; a no-op when the transaction already is one): the statement's
 * connections then begin a block carrying the SET LOCAL, at the cost of
 * that block's COMMIT, only in transactions that carry something.
 * A Citus without that symbol leaves it as before (README "Running on
 * Citus" says to use a transaction block then).  The same DO block carries
 * the session's TimeZone, DateStyle and IntervalStyle when the session has
 * them from anything but the node's configuration (carried_gucs below): the
 * rules on the workers count an admin relationship's days in the session's
 * TimeZone, as one node does; and, in multipartner.check()'s dry run (or
 * where multipartner.dry_run is on), multipartner.dry_run = on, so that the
 * workers count the dry run's refusals as dry runs (refusals.c).  The DO block is run again when one of the
 * values changes in the transaction; Citus sends a SET LOCAL to the
 * connections the transaction has open, too.  Without Citus, or with
 * nothing to carry, the hook tests a string, three GUC sources and a
 * cached bool.  The hook is
 * in place once the library is loaded in the backend: always for an API
 * call, for direct DML when multipartner is preloaded on the coordinator.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"

#include "multipartner.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

/* this transaction has started a statement over one of our relations */
static bool xact_read_ours = false;

/*
 * What was carried to the Citus workers in this transaction (see the header
 * comment): the SET LOCALs, and the subtransaction that carried them.
 */
static char *carried_sets = NULL;	/* in TopMemoryContext */
static bool carried = false;
static SubTransactionId carried_subid = InvalidSubTransactionId;
/* the DO block that carries the value is running */
static bool carrying = false;

/* Does the plan read or write a relation of schema multipartner? */
static bool
plan_uses_ours(PlannedStmt *stmt)
{
	Oid			nspid = InvalidOid;
	bool		looked = false;
	ListCell   *lc;

	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind != RTE_RELATION)
			continue;
		if (!looked)
		{
			nspid = get_namespace_oid(MP_SCHEMA, true);
			looked = true;
			if (!OidIsValid(nspid))
				return false;
		}
		if (get_rel_namespace(rte->relid) == nspid)
			return true;
	}
	return false;
}

/*
 * Reset one node's counters, keeping what it was asked to measure (the
 * flags set at node creation).
 */
static void
instr_forget(Instrumentation *instr)
{
	bool		need_timer = instr->need_timer;
	bool		need_bufusage = instr->need_bufusage;
	bool		need_walusage = instr->need_walusage;
	bool		async_mode = instr->async_mode;

	memset(instr, 0, sizeof(Instrumentation));
	instr->need_timer = need_timer;
	instr->need_bufusage = need_bufusage;
	instr->need_walusage = need_walusage;
	instr->async_mode = async_mode;
}

static bool
planstate_forget(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (ps->instrument)
		instr_forget(ps->instrument);
	if (ps->worker_instrument)
	{
		for (int i = 0; i < ps->worker_instrument->num_workers; i++)
			instr_forget(&ps->worker_instrument->instrument[i]);
	}
	/* "Heap Blocks: exact=... lossy=..." counts pages before the policy */
	if (IsA(ps, BitmapHeapScanState))
	{
		((BitmapHeapScanState *) ps)->exact_pages = 0;
		((BitmapHeapScanState *) ps)->lossy_pages = 0;
	}
	return planstate_tree_walker(ps, planstate_forget, context);
}

/* Is the current role under the extension's row security? */
static bool
role_sees_only_its_rows(void)
{
	Oid			userid = GetUserId();

	return !mp_is_operator() && !has_bypassrls_privilege(userid);
}

/* Is there a Citus custom scan in plan (a distributed statement)? */
static bool
plan_is_distributed(Plan *plan)
{
	if (plan == NULL)
		return false;
	if (IsA(plan, CustomScan))
	{
		const CustomScanMethods *m = ((CustomScan *) plan)->methods;

		if (m && m->CustomName && strncmp(m->CustomName, "Citus", 5) == 0)
			return true;
	}
	return plan_is_distributed(plan->lefttree) ||
		plan_is_distributed(plan->righttree);
}

static bool
stmt_is_distributed(PlannedStmt *stmt)
{
	ListCell   *lc;

	if (plan_is_distributed(stmt->planTree))
		return true;
	foreach(lc, stmt->subplans)
		if (plan_is_distributed((Plan *) lfirst(lc)))
			return true;
	return false;
}

/*
 * Make this transaction a Citus coordinated transaction, so that the
 * statement's worker connections begin a remote transaction block, which
 * carries the SET LOCALs Citus keeps (see the header comment).  Citus's
 * UseCoordinatedTransaction(void) is looked up in citus.so once per
 * backend; without it nothing happens.
 */
typedef void (*citus_void_fn) (void);

typedef struct CitusFunction
{
	const char *name;
	bool		looked;
	citus_void_fn fn;
} CitusFunction;

static CitusFunction citus_use_coordinated = {"UseCoordinatedTransaction"};
static CitusFunction citus_use_2pc = {"Use2PCForCoordinatedTransaction"};

/* Call Citus's exported void function f, if citus.so has it. */
static void
call_citus(CitusFunction *f)
{
	if (!f->looked)
	{
		f->fn = (citus_void_fn) load_external_function("$libdir/citus", f->name,
													   false, NULL);
		f->looked = true;
	}
	if (f->fn != NULL)
		f->fn();
}

/*
 * Is this a Citus database with the extension in it?  The library may be
 * loaded (shared_preload_libraries) in every database of a node, Citus's
 * own CREATE EXTENSION included: where the extension's schema is absent
 * there is nothing to carry or to commit in two phases.
 */
static bool
ours_on_citus(void)
{
	return mp_citus_present() && OidIsValid(get_namespace_oid(MP_SCHEMA, true));
}

/*
 * A partner's INSERT into customer queues the deferred check
 * tenant_registry_relationship (the customer must end its transaction with
 * a relationship with the partner that created it) on the worker of the
 * customer's shard.  Citus commits a transaction that wrote on one worker
 * with a plain COMMIT sent at its pre-commit, and reports the failure of
 * that COMMIT with an error of its own, XX000 "could not commit transaction
 * for shard ...", the worker's 23503 only as a WARNING.  The PREPARE
 * TRANSACTION of a two-phase commit fires the deferred triggers too, and a
 * failed PREPARE reaches the client as the worker's error, with its
 * SQLSTATE, message, detail and hint.  So a transaction that runs a
 * distributed INSERT into customer as a role that is not an operator (the
 * trigger's WHEN clause) commits in two phases on Citus
 * (Use2PCForCoordinatedTransaction(); a no-op for a statement Citus runs
 * outside a remote transaction block, whose worker commits at once and
 * reports the check's error as the statement's).
 */
static void
two_phase_commit_for_customer_insert(PlannedStmt *stmt)
{
	Oid			customer;
	ListCell   *lc;

	if (stmt->commandType != CMD_INSERT || !IsTransactionState() ||
		!ours_on_citus() || !mp_customer_distributed())
		return;
	customer = mp_relation_oid("customer");
	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relid == customer)
		{
			if (stmt_is_distributed(stmt) && !mp_is_operator())
				call_citus(&citus_use_2pc);
			return;
		}
	}
}

/*
 * The settings carried to the workers besides the acting partner: those the
 * rules' day arithmetic (an admin relationship's 90 days, its end and its
 * extensions count days in the session's TimeZone) and PostgreSQL's own
 * formatting of times and intervals in messages depend on.  Each is carried
 * when the session has it from anything but the node's configuration
 * (source PGC_S_GLOBAL or above: a database or role setting, the client's
 * connection request, PGTZ say, or SET), which README "Running on Citus"
 * asks to be the same on every node.  Their GUC entries are found once.
 */
static const char *const carried_gucs[] = {"TimeZone", "DateStyle", "IntervalStyle"};
static struct config_generic *carried_guc[lengthof(carried_gucs)];
static bool carried_gucs_found = false;

static void
find_carried_gucs(void)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
		for (int k = 0; k < lengthof(carried_gucs); k++)
			if (pg_strcasecmp(vars[i]->name, carried_gucs[k]) == 0)
				carried_guc[k] = vars[i];
	carried_gucs_found = true;
}

/* Does the session have a setting to carry (see above)? */
static bool
session_settings_to_carry(void)
{
	if (!carried_gucs_found)
		find_carried_gucs();
	for (int k = 0; k < lengthof(carried_gucs); k++)
		if (carried_guc[k] != NULL && carried_guc[k]->source >= PGC_S_GLOBAL)
			return true;
	return false;
}

/*
 * Carry the acting partner and the session's settings (above) to the Citus
 * workers before a distributed statement, once per transaction and values
 * (see the header comment): a DO block of SET LOCALs, with
 * citus.propagate_set_commands at 'local' for that one statement (then back
 * to what it was), then a coordinated transaction.
 */
static void
carry_to_workers(PlannedStmt *stmt)
{
	const char *acting = mp_acting_partner_guc;
	const char *prop;
	char	   *old = NULL;
	StringInfoData sets;
	StringInfoData sql;

	if (carrying || !IsTransactionState() || !ours_on_citus() ||
		!stmt_is_distributed(stmt))
		return;

	initStringInfo(&sets);
	if (acting != NULL && acting[0] != '\0')
		appendStringInfo(&sets, "SET LOCAL " MP_SCHEMA ".acting_partner = %s; ",
						 quote_literal_cstr(acting));
	if (mp_refusals_in_dry_run())
		appendStringInfoString(&sets, "SET LOCAL " MP_SCHEMA ".dry_run = on; ");
	for (int k = 0; k < lengthof(carried_gucs); k++)
		if (carried_guc[k] != NULL && carried_guc[k]->source >= PGC_S_GLOBAL)
			appendStringInfo(&sets, "SET LOCAL %s = %s; ", carried_gucs[k],
							 quote_literal_cstr(GetConfigOption(carried_gucs[k], false, false)));
	if (sets.len == 0 || (carried && strcmp(carried_sets, sets.data) == 0))
	{
		pfree(sets.data);
		return;
	}

	initStringInfo(&sql);
	appendStringInfo(&sql, "DO $mp_carry$BEGIN %sEND$mp_carry$", sets.data);
	prop = GetConfigOption("citus.propagate_set_commands", true, false);
	if (prop != NULL && pg_strcasecmp(prop, "local") != 0)
	{
		old = pstrdup(prop);
		(void) set_config_option("citus.propagate_set_commands", "local",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
								 true, 0, false);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	carrying = true;
	PG_TRY();
	{
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "carrying the session's settings to the Citus workers failed");
	}
	PG_FINALLY();
	{
		carrying = false;
	}
	PG_END_TRY();
	SPI_finish();
	if (old != NULL)
		(void) set_config_option("citus.propagate_set_commands", old,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
								 true, 0, false);
	pfree(sql.data);
	call_citus(&citus_use_coordinated);
	if (carried_sets != NULL)
		pfree(carried_sets);
	carried_sets = MemoryContextStrdup(TopMemoryContext, sets.data);
	pfree(sets.data);
	carried = true;
	carried_subid = GetCurrentSubTransactionId();
}

static void
mp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (!xact_read_ours && plan_uses_ours(queryDesc->plannedstmt))
		xact_read_ours = true;
	if ((mp_acting_partner_guc != NULL && mp_acting_partner_guc[0] != '\0') ||
		mp_refusals_in_dry_run() || session_settings_to_carry())
		carry_to_workers(queryDesc->plannedstmt);
	two_phase_commit_for_customer_insert(queryDesc->plannedstmt);
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

static void
mp_ExecutorFinish(QueryDesc *queryDesc)
{
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);

	/* the leader resets the workers' copies too; a worker leaves its own */
	if (queryDesc->instrument_options == 0 || queryDesc->planstate == NULL ||
		IsParallelWorker())
		return;
	if (!xact_read_ours && !plan_uses_ours(queryDesc->plannedstmt))
		return;
	if (!role_sees_only_its_rows())
		return;

	planstate_forget(queryDesc->planstate, NULL);
	/* subplans no expression refers to (pruned ones) too */
	if (queryDesc->estate)
	{
		ListCell   *lc;

		foreach(lc, queryDesc->estate->es_subplanstates)
			planstate_forget((PlanState *) lfirst(lc), NULL);
	}
}

/* The end of a transaction (module.c's transaction callback). */
void
mp_executor_end_xact(void)
{
	xact_read_ours = false;
	carried = false;
	carrying = false;
}

/*
 * The end of subtransaction subid (module.c): Citus forgets the SET LOCALs
 * of a subtransaction when it ends, committed or not; one carried there is
 * carried again.
 */
void
mp_executor_end_subxact(SubTransactionId subid)
{
	if (carried && carried_subid == subid)
		carried = false;
}

void
mp_executor_init(void)
{
	/*
	 * Loaded while a statement starts (not preloaded): that statement's
	 * ExecutorStart ran without the hook, so count it as one of ours.
	 */
	if (IsTransactionState())
		xact_read_ours = true;

	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = mp_ExecutorStart;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = mp_ExecutorFinish;
}
