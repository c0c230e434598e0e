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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "multipartner.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

/* this transaction has started a statement over one of our relations */
static bool xact_read_ours = false;

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

static void
mp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (!xact_read_ours && plan_uses_ours(queryDesc->plannedstmt))
		xact_read_ours = true;
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
