/*
 * tap_on_coordinator: a test-only module of the Citus mode of the rule suites
 * (test/citus/rules/begin.psql LOADs it; README "Running on Citus", "The rule
 * suites on distributed tables").  Never part of the extension.
 *
 * A pgTAP assertion such as
 *     SELECT is((SELECT ... FROM multipartner.x WHERE customer_id = ...), ...)
 * reads one shard, so Citus's router planner sends the whole statement, is()
 * included, to that shard's worker, where the plan of the test (pgTAP's
 * temporary tables, which live in the coordinator's session) does not exist.
 * This planner hook, run before Citus's, adds the one-row temporary table
 * pg_temp.mp_tap_one to the FROM list of such a statement: a top-level SELECT
 * with no FROM list, with sub-selects, whose target list calls a function of
 * the extension pgtap or a pg_temp function.  A local table in the query makes
 * Citus plan the sub-selects on their own (each runs on its shard and sends its
 * result back) and run the rest, the assertion, on the coordinator.  Cross
 * joined with one row, the statement returns what it returned before.  Nothing
 * happens when pg_temp.mp_tap_one does not exist.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static planner_hook_type prev_planner = NULL;

static bool
calls_tap_walker(Node *node, Oid *pgtap)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr))
	{
		Oid			fn = ((FuncExpr *) node)->funcid;

		if (isAnyTempNamespace(get_func_namespace(fn)))
			return true;
		if (OidIsValid(*pgtap) && getExtensionOfObject(ProcedureRelationId, fn) == *pgtap)
			return true;
	}
	/* sub-selects are not looked into: only the statement's own calls count */
	if (IsA(node, Query) || IsA(node, SubLink))
	{
		if (IsA(node, SubLink))
			return calls_tap_walker(((SubLink *) node)->testexpr, pgtap);
		return false;
	}
	return expression_tree_walker(node, calls_tap_walker, pgtap);
}

static PlannedStmt *
tap_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	if (parse->commandType == CMD_SELECT && parse->rtable == NIL && parse->hasSubLinks &&
		parse->jointree != NULL && parse->jointree->fromlist == NIL && parse->setOperations == NULL)
	{
		Oid			pgtap = get_extension_oid("pgtap", true);
		Oid			one = RangeVarGetRelid(makeRangeVar("pg_temp", "mp_tap_one", -1), NoLock, true);

		if (OidIsValid(one) && calls_tap_walker((Node *) parse->targetList, &pgtap))
		{
			RangeTblEntry *rte = makeNode(RangeTblEntry);
			RangeTblRef *ref = makeNode(RangeTblRef);

			LockRelationOid(one, AccessShareLock);
			rte->rtekind = RTE_RELATION;
			rte->relid = one;
			rte->relkind = get_rel_relkind(one);
			rte->rellockmode = AccessShareLock;
			rte->alias = NULL;
			rte->eref = makeAlias("mp_tap_one", list_make1(makeString("one")));
			rte->inh = false;
			rte->inFromCl = true;
			rte->requiredPerms = ACL_SELECT;
			rte->checkAsUser = InvalidOid;
			parse->rtable = list_make1(rte);
			ref->rtindex = 1;
			parse->jointree->fromlist = list_make1(ref);
		}
	}
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

void
_PG_init(void)
{
	prev_planner = planner_hook;
	planner_hook = tap_planner;
}
