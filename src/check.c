/*-------------------------------------------------------------------------
 *
 * check.c
 *	  multipartner.check(): may the acting role do this, and if not, which
 *	  rule stops it?
 *
 * The dry run does not re-implement any rule.  It performs the real
 * operation, through the same SQL API and the same triggers, inside a
 * subtransaction that it always rolls back, and reports the error the
 * operation raised, if any.  So the answer cannot drift from enforcement:
 * it is enforcement.  Everything the operation did (rows, audit rows, row
 * locks) is undone with the subtransaction; only sequence values (the audit
 * log's event_id) are consumed, as by any rolled-back write.
 *
 * The operation runs as the calling role under its own row security, so
 * the answer never says more than the caller could learn by trying: a
 * subscription another partner sold "does not exist" for it.  A refusal
 * in a dry run is not counted in multipartner.refusals (refusals.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/resowner.h"

#include "multipartner.h"

typedef enum CheckAction
{
	CHECK_REQUEST,
	CHECK_ACCEPT,
	CHECK_DECLINE,
	CHECK_REVOKE,
	CHECK_TERMINATE,
	CHECK_SELL,
	CHECK_UPDATE_SUBSCRIPTION,
	CHECK_CANCEL_SUBSCRIPTION,
	CHECK_CREATE_ADMIN,
	CHECK_REQUEST_ADMIN,
	CHECK_APPROVE_ADMIN,
	CHECK_DECLINE_ADMIN,
	CHECK_TERMINATE_ADMIN,
	CHECK_END_ADMIN_ACCESS
} CheckAction;

typedef struct CheckActionDef
{
	const char *name;
	CheckAction action;
	const char *target;			/* which id it acts on */
	const char *role_rule;		/* the rule a 42501 stands for */
	bool		gdap;			/* an operation of SPEC §9 (R14..R20) */
	const char *state_rule;		/* GDAP: the rule a 55000 stands for */
} CheckActionDef;

static const CheckActionDef check_actions[] = {
	{"request_relationship", CHECK_REQUEST, "customer_id", "R2"},
	{"accept_relationship", CHECK_ACCEPT, "relationship_id", "R3"},
	{"decline_relationship", CHECK_DECLINE, "relationship_id", "R3"},
	{"revoke_delegated_admin", CHECK_REVOKE, "relationship_id", "R3"},
	{"terminate_relationship", CHECK_TERMINATE, "relationship_id", "R3"},
	{"create_subscription", CHECK_SELL, "customer_id", "R4"},
	{"update_subscription", CHECK_UPDATE_SUBSCRIPTION, "subscription_id", "R4"},
	{"cancel_subscription", CHECK_CANCEL_SUBSCRIPTION, "subscription_id", "R4"},

	/*
	 * GDAP (SPEC §9).  The id is positional only: check() has no named
	 * parameter for an admin relationship or an assignment.  A 55000 is the
	 * state machine (R18: not in the state the action moves from, an
	 * approval after 90 days, an ended assignment), but at creation the
	 * suspended partner (R14).  assign_admin_access is not here: its grantee
	 * and roles are the question, and check() has no parameter for them
	 * (README, Decisions).
	 */
	{"create_admin_relationship", CHECK_CREATE_ADMIN, "customer_id", "R14", true, "R14"},
	{"request_admin_approval", CHECK_REQUEST_ADMIN, "admin_relationship_id", "R14", true, "R18"},
	{"approve_admin_relationship", CHECK_APPROVE_ADMIN, "admin_relationship_id", "R14", true, "R18"},
	{"decline_admin_relationship", CHECK_DECLINE_ADMIN, "admin_relationship_id", "R14", true, "R18"},
	{"terminate_admin_relationship", CHECK_TERMINATE_ADMIN, "admin_relationship_id", "R14", true, "R18"},
	{"end_admin_access", CHECK_END_ADMIN_ACCESS, "access_assignment_id", "R14", true, "R18"},
	{NULL, 0, NULL, NULL, false, NULL}
};

/* Which rule of SPEC §5 (or §9, for the GDAP actions) an error stands for. */
static const char *
rule_of(int sqlerrcode, const CheckActionDef *def)
{
	if (def->gdap)
	{
		switch (sqlerrcode)
		{
			case ERRCODE_INSUFFICIENT_PRIVILEGE:
			case ERRCODE_MP_NO_ACTIVE_RELATIONSHIP:
				return def->role_rule;
			case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:
				return def->state_rule;
			case ERRCODE_CHECK_VIOLATION:
			case ERRCODE_UNIQUE_VIOLATION:
				return "R15";
			case ERRCODE_FOREIGN_KEY_VIOLATION:
				/* the placeholder roles exist: a customer that does not */
				return NULL;
			case ERRCODE_MP_ADMIN_TERMS_IMMUTABLE:
				return "R16";
			case ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN:
				return "R17";
			case ERRCODE_MP_ASSIGNMENT_OUTSIDE:
				return "R19";
			case ERRCODE_MP_NO_DELETE:
			case ERRCODE_MP_IDENTITY_IMMUTABLE:
				return "R20";
			default:
				break;			/* R9 and the like: as below */
		}
	}
	switch (sqlerrcode)
	{
		case ERRCODE_INSUFFICIENT_PRIVILEGE:
			return def->role_rule;
		case ERRCODE_MP_NO_ACTIVE_RELATIONSHIP:
			return "R4, R11";
		case ERRCODE_MP_NOT_PARTNER_OF_RECORD:
			return "R5";
		case ERRCODE_MP_NO_TRANSITION:
			return "R6";
		case ERRCODE_MP_TERMS_IMMUTABLE:
			return "R7";
		case ERRCODE_MP_CSP_TENANT:
			return "R8";
		case ERRCODE_MP_CLOUD_MISMATCH:
			return "R9";
		case ERRCODE_MP_NO_DELETE:
			return "R10";
		case ERRCODE_MP_IDENTITY_IMMUTABLE:
			return "R12";
		case ERRCODE_MP_LIVE_SUBSCRIPTIONS:
			return "R13";
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:
			return "lifecycle";
		case ERRCODE_UNIQUE_VIOLATION:
			return "one open relationship per pair";
		default:
			return NULL;
	}
}

/*
 * The real operations, run as the caller.  One query per function: a
 * generic plan checks EXECUTE on every function it could call, and each role
 * may call only some of them.
 */
static MpSql request_sql =
MP_SQL("SELECT " MP_SCHEMA ".request_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql accept_sql =
MP_SQL("SELECT " MP_SCHEMA ".accept_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql decline_sql =
MP_SQL("SELECT " MP_SCHEMA ".decline_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql terminate_sql =
MP_SQL("SELECT " MP_SCHEMA ".terminate_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql revoke_sql =
MP_SQL("SELECT " MP_SCHEMA ".revoke_delegated_admin($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql sell_sql =
MP_SQL("SELECT " MP_SCHEMA ".create_subscription($1, 'multipartner.check', 'multipartner.check',"
	   " $2, $3, $4)", MP_AS_CALLER, 4, UUIDOID, INT4OID, TEXTOID, TEXTOID);
/*
 * create_admin_relationship with placeholder terms (check() has no
 * parameter for them): a name no admin relationship has (R15 wants it
 * unique per partner; it is rolled back with the rest), the least role
 * (Directory Readers, seeded, never renamed), the default duration and no
 * auto_extend.  So the answer is R14's: who, with which customer.
 */
static MpSql create_admin_sql =
MP_SQL("SELECT " MP_SCHEMA ".create_admin_relationship($1,"
	   " 'multipartner.check ' OPERATOR(pg_catalog.||)"
	   " pg_catalog.left(pg_catalog.gen_random_uuid()::pg_catalog.text, 8),"
	   " ARRAY['88d8e3e3-8f55-4a1e-953a-9b9898b8876b'])",
	   MP_AS_CALLER, 1, UUIDOID);
static MpSql request_admin_sql =
MP_SQL("SELECT " MP_SCHEMA ".request_admin_approval($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql approve_admin_sql =
MP_SQL("SELECT " MP_SCHEMA ".approve_admin_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql decline_admin_sql =
MP_SQL("SELECT " MP_SCHEMA ".decline_admin_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql terminate_admin_sql =
MP_SQL("SELECT " MP_SCHEMA ".terminate_admin_relationship($1)", MP_AS_CALLER, 1, UUIDOID);
static MpSql end_admin_access_sql =
MP_SQL("SELECT " MP_SCHEMA ".end_admin_access($1)", MP_AS_CALLER, 1, UUIDOID);
/*
 * With customer_id given (for an action on an id of its own): the
 * overloads by customer and id, $1 the id and $2 the customer, so that on
 * Citus every statement of the operation names the customer (one shard).
 */
#define BY_CUSTOMER(fn) \
	MP_SQL("SELECT " MP_SCHEMA "." fn "($2, $1)", MP_AS_CALLER, 2, UUIDOID, UUIDOID)
static MpSql accept_c_sql = BY_CUSTOMER("accept_relationship");
static MpSql decline_c_sql = BY_CUSTOMER("decline_relationship");
static MpSql terminate_c_sql = BY_CUSTOMER("terminate_relationship");
static MpSql revoke_c_sql = BY_CUSTOMER("revoke_delegated_admin");
static MpSql request_admin_c_sql = BY_CUSTOMER("request_admin_approval");
static MpSql approve_admin_c_sql = BY_CUSTOMER("approve_admin_relationship");
static MpSql decline_admin_c_sql = BY_CUSTOMER("decline_admin_relationship");
static MpSql terminate_admin_c_sql = BY_CUSTOMER("terminate_admin_relationship");
static MpSql end_admin_access_c_sql = BY_CUSTOMER("end_admin_access");
/*
 * update_subscription and cancel_subscription: one UPDATE that sets the five
 * columns check() has parameters for, each to its argument when one is given
 * and to itself when not.  The SET list is chosen here from which arguments
 * are NULL (one kept plan per choice, 32 at most) rather than written once
 * as COALESCE($n, s.col): Citus refuses a distributed UPDATE whose COALESCE
 * or CASE holds a function that is not immutable, and the text-to-enum cast
 * of the status is one (0A000 "non-IMMUTABLE functions are not allowed in
 * CASE or COALESCE statements", CITUS_NOTES blocker 14).  Every column is in
 * the SET list whatever is given, as with COALESCE, so the same column
 * privileges are checked and NEW is the same row; the cast still runs per
 * row, after the row is found, so an unknown id answers 42704 before a bad
 * status.  Parameters: $1 id, $2 quantity, $3 status (text), $4
 * auto_renew, $5 partner_of_record, $6 term, and with customer_id given $7
 * the customer, which is then in the WHERE too (on Citus: one shard).
 */
#define UPDATE_SUBSCRIPTION_NARGS 6
static const struct
{
	const char *column;
	const char *param;
}			update_subscription_set[UPDATE_SUBSCRIPTION_NARGS - 1] = {
	{"quantity", "$2"},
	{"status", "$3::pg_catalog.text::" MP_SCHEMA ".subscription_status"},
	{"auto_renew", "$4"},
	{"partner_of_record", "$5"},
	{"term", "$6"},
};
static Oid	update_subscription_argtypes[UPDATE_SUBSCRIPTION_NARGS + 1] = {
	UUIDOID, INT4OID, TEXTOID, BOOLOID, UUIDOID, TEXTOID, UUIDOID
};
static SPIPlanPtr update_subscription_plans[2][1 << (UPDATE_SUBSCRIPTION_NARGS - 1)];

/*
 * Run the UPDATE for the arguments in args/nulls ($1..$6, and $7 when
 * by_customer); bit i of the chosen plan is set when $(i + 2) is given.
 */
static int
update_subscription(Datum *args, const char *nulls, bool by_customer)
{
	int			given = 0;
	StringInfoData sql;

	for (int i = 0; i < UPDATE_SUBSCRIPTION_NARGS - 1; i++)
		if (nulls[i + 1] != 'n')
			given |= 1 << i;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "UPDATE " MP_SCHEMA ".subscription s SET");
	for (int i = 0; i < UPDATE_SUBSCRIPTION_NARGS - 1; i++)
	{
		const char *column = update_subscription_set[i].column;

		appendStringInfo(&sql, "%s %s = ", i == 0 ? "" : ",", column);
		if (given & (1 << i))
			appendStringInfoString(&sql, update_subscription_set[i].param);
		else
			appendStringInfo(&sql, "s.%s", column);
	}
	appendStringInfoString(&sql, " WHERE s.subscription_id OPERATOR(pg_catalog.=) $1");
	if (by_customer)
		appendStringInfoString(&sql, " AND s.customer_id OPERATOR(pg_catalog.=) $7");

	return mp_execute(&update_subscription_plans[by_customer][given], sql.data,
					  UPDATE_SUBSCRIPTION_NARGS + by_customer, update_subscription_argtypes,
					  MP_AS_CALLER, args, nulls, 0, InvalidSnapshot);
}

/*
 * Run the operation; errors propagate to the caller's PG_CATCH.  by_customer:
 * customer_id was given for an action on an id of another kind, and the
 * operation names it (the overloads by customer and id).
 */
static void
run_action(const CheckActionDef *def, Datum id, bool by_customer, FunctionCallInfo fcinfo)
{
	Datum		args[7];
	char		nulls[7];
	int			n = -1;
	static MpSql *const by_customer_sql[] = {
		[CHECK_ACCEPT] = &accept_c_sql,
		[CHECK_DECLINE] = &decline_c_sql,
		[CHECK_REVOKE] = &revoke_c_sql,
		[CHECK_TERMINATE] = &terminate_c_sql,
		[CHECK_REQUEST_ADMIN] = &request_admin_c_sql,
		[CHECK_APPROVE_ADMIN] = &approve_admin_c_sql,
		[CHECK_DECLINE_ADMIN] = &decline_admin_c_sql,
		[CHECK_TERMINATE_ADMIN] = &terminate_admin_c_sql,
		[CHECK_END_ADMIN_ACCESS] = &end_admin_access_c_sql,
	};

	memset(nulls, ' ', sizeof(nulls));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = id;
	args[1] = by_customer ? PG_GETARG_DATUM(2) : (Datum) 0;
	if (by_customer && by_customer_sql[def->action] != NULL)
	{
		mp_sql_execute(by_customer_sql[def->action], args, nulls, 0, InvalidSnapshot);
		SPI_finish();
		return;
	}
	switch (def->action)
	{
		case CHECK_REQUEST:
			mp_sql_execute(&request_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_ACCEPT:
			mp_sql_execute(&accept_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_DECLINE:
			mp_sql_execute(&decline_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_REVOKE:
			mp_sql_execute(&revoke_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_TERMINATE:
			mp_sql_execute(&terminate_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_CREATE_ADMIN:
			mp_sql_execute(&create_admin_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_REQUEST_ADMIN:
			mp_sql_execute(&request_admin_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_APPROVE_ADMIN:
			mp_sql_execute(&approve_admin_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_DECLINE_ADMIN:
			mp_sql_execute(&decline_admin_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_TERMINATE_ADMIN:
			mp_sql_execute(&terminate_admin_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_END_ADMIN_ACCESS:
			mp_sql_execute(&end_admin_access_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_SELL:
			args[1] = PG_ARGISNULL(5) ? Int32GetDatum(1) : PG_GETARG_DATUM(5);
			args[2] = PG_ARGISNULL(9) ? CStringGetTextDatum("P1M") : PG_GETARG_DATUM(9);
			args[3] = PG_ARGISNULL(10) ? CStringGetTextDatum("monthly") : PG_GETARG_DATUM(10);
			mp_sql_execute(&sell_sql, args, nulls, 0, InvalidSnapshot);
			break;
		case CHECK_UPDATE_SUBSCRIPTION:
		case CHECK_CANCEL_SUBSCRIPTION:
			for (int i = 1; i < 6; i++)
			{
				/* quantity, status, auto_renew, partner_of_record, term */
				static const int argno[] = {0, 5, 6, 7, 8, 9};

				if (PG_ARGISNULL(argno[i]))
				{
					args[i] = (Datum) 0;
					nulls[i] = 'n';
				}
				else
					args[i] = PG_GETARG_DATUM(argno[i]);
			}
			if (def->action == CHECK_CANCEL_SUBSCRIPTION)
			{
				args[2] = CStringGetTextDatum("cancelled");
				nulls[2] = ' ';
			}
			if (by_customer)
				args[6] = PG_GETARG_DATUM(2);
			n = update_subscription(args, nulls, by_customer);
			if (n == 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("subscription %s does not exist",
								mp_uuid_str(DatumGetUUIDP(id))),
						 errdetail("No subscription with this id is visible to role \"%s\".",
								   mp_current_role_name())));
			break;
	}
	SPI_finish();
}

/*
 * multipartner.check(action text, id uuid, customer_id uuid,
 *                    subscription_id uuid, relationship_id uuid,
 *                    quantity int, status text, auto_renew bool,
 *                    partner_of_record uuid, term text, billing_cycle text,
 *                    OUT allowed, OUT rule, OUT sqlstate, OUT message,
 *                    OUT detail, OUT hint)
 */
PG_FUNCTION_INFO_V1(mp_check);
Datum
mp_check(PG_FUNCTION_ARGS)
{
	const CheckActionDef *def;
	char	   *action;
	Datum		id = (Datum) 0;
	bool		have_id = false;
	bool		by_customer;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, true, true, true, true, true};
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		was_quiet;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("action must not be null")));
	action = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (def = check_actions; def->name != NULL; def++)
		if (strcmp(def->name, action) == 0)
			break;
	if (def->name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown action \"%s\"", action),
				 errhint("Use request_relationship, accept_relationship, decline_relationship, revoke_delegated_admin, terminate_relationship, create_subscription, update_subscription, cancel_subscription, create_admin_relationship, request_admin_approval, approve_admin_relationship, decline_admin_relationship, terminate_admin_relationship or end_admin_access.")));

	/* The id: positional, or by the name of what the action acts on. */
	if (!PG_ARGISNULL(1))
	{
		id = PG_GETARG_DATUM(1);
		have_id = true;
	}
	else
	{
		/* customer_id, subscription_id, relationship_id; none for the GDAP ids */
		int			argno = strcmp(def->target, "customer_id") == 0 ? 2 :
			strcmp(def->target, "subscription_id") == 0 ? 3 :
			strcmp(def->target, "relationship_id") == 0 ? 4 : -1;

		if (argno >= 0 && !PG_ARGISNULL(argno))
		{
			id = PG_GETARG_DATUM(argno);
			have_id = true;
		}
	}
	if (!have_id && def->target[0] == 'a')
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs an %s", def->name, def->target),
				 errhint("Give it as the second argument: check() has no named parameter for it.")));
	if (!have_id)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs a %s", def->name, def->target)));

	/*
	 * customer_id given for an action on another kind of id: the customer
	 * that id must be at, in every statement of the operation (a row of
	 * another customer does not exist, as an unknown id).  For the actions
	 * on a customer id it is that id (above), and the positional id wins.
	 */
	by_customer = strcmp(def->target, "customer_id") != 0 && !PG_ARGISNULL(2);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	/* a dry run's refusal is an answer, not a security event: not counted */
	was_quiet = mp_refusals_quiet(true);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		run_action(def, id, by_customer, fcinfo);
		mp_refusals_quiet(was_quiet);

		/* allowed: undo it all the same */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		values[0] = BoolGetDatum(true);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		const char *rule;

		mp_refusals_quiet(was_quiet);
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;

		/* Cancels and the like are not answers: let them through. */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
			edata->elevel > ERROR)
			ReThrowError(edata);

		values[0] = BoolGetDatum(false);
		rule = rule_of(edata->sqlerrcode, def);
		if (rule)
		{
			values[1] = CStringGetTextDatum(rule);
			nulls[1] = false;
		}
		values[2] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
		nulls[2] = false;
		if (edata->message)
		{
			values[3] = CStringGetTextDatum(edata->message);
			nulls[3] = false;
		}
		if (edata->detail)
		{
			values[4] = CStringGetTextDatum(edata->detail);
			nulls[4] = false;
		}
		if (edata->hint)
		{
			values[5] = CStringGetTextDatum(edata->hint);
			nulls[5] = false;
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
