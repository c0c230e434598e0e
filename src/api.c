/*-------------------------------------------------------------------------
 *
 * api.c
 *	  The SQL API: create_customer, request_relationship,
 *	  accept_relationship, decline_relationship, revoke_delegated_admin,
 *	  terminate_relationship, expire_relationships, and the GDAP API
 *	  (create_admin_relationship ... end_admin_access).
 *
 * These functions are thin on purpose.  Each one writes rows as the
 * calling role (SECURITY INVOKER, plans from spi.c), so the caller's table
 * privileges, its row security and the triggers of relationship.c and
 * party.c decide exactly as they decide for direct DML: the rules live in
 * one place.  All the API adds is the acting partner as the default party,
 * NULL checks with a clear message, and "does not exist" for an id that
 * matches no row the caller can see.
 *
 * Status changes are idempotent: accepting an active relationship again,
 * or terminating a terminated one, changes nothing and succeeds.
 *
 * Calls by id (0.9, CITUS_DESIGN §3).  Every call that acts on one row by
 * its id has an overload that takes the customer_id first, and puts it into
 * the WHERE of every statement it runs: on Citus, where the tables are
 * distributed by customer_id, each statement is then a router query (one
 * task, one shard, no two-phase commit).  An id that is not the given
 * customer's "does not exist", exactly as an unknown id: the caller learns
 * nothing of other customers' rows.  The old signatures (the id alone) run
 * the statement by id as before wherever the table is not hash-distributed
 * (a single node: the same statement, the same answers); on a distributed
 * table they first find the customer with one read by id as the caller (a
 * read of every shard, but no write to any of them), then run the overload's
 * router statement, and refuse an id the caller sees at two customers
 * (possible on Citus only: there ids are unique per customer).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"

#include "multipartner.h"

/* The API's writes, run as the caller (spi.c). */
static MpSql insert_subscription_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".subscription"
	   " (customer_id, partner_of_record, offer_id, product_family, quantity,"
	   "  term, billing_cycle)"
	   " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING subscription_id",
	   MP_AS_CALLER, 7, UUIDOID, UUIDOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID);

/* the cloud as its label: the enum type's OID is known only at run time */
static MpSql insert_customer_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".customer (customer_id, tenant_id, name, cloud)"
	   " VALUES ($1, $2, $3, $4::pg_catalog.text::" MP_SCHEMA ".cloud)",
	   MP_AS_CALLER, 4, UUIDOID, UUIDOID, TEXTOID, TEXTOID);

static MpSql insert_relationship_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".relationship"
	   " (customer_id, partner_id, status, delegated_admin)"
	   " VALUES ($1, $2, $3::pg_catalog.text::" MP_SCHEMA ".relationship_status, $4)"
	   " RETURNING relationship_id",
	   MP_AS_CALLER, 4, UUIDOID, UUIDOID, TEXTOID, BOOLOID);

static MpSql set_status_sql =
MP_SQL("UPDATE " MP_SCHEMA ".relationship r"
	   " SET status = $2::pg_catalog.text::" MP_SCHEMA ".relationship_status"
	   " WHERE r.relationship_id OPERATOR(pg_catalog.=) $1",
	   MP_AS_CALLER, 2, UUIDOID, TEXTOID);

static MpSql revoke_admin_sql =
MP_SQL("UPDATE " MP_SCHEMA ".relationship r SET delegated_admin = false"
	   " WHERE r.relationship_id OPERATOR(pg_catalog.=) $1",
	   MP_AS_CALLER, 1, UUIDOID);

/* the same by customer and id: $1 customer_id, $2 relationship_id [, $3 status] */
static MpSql set_status_customer_sql =
MP_SQL("UPDATE " MP_SCHEMA ".relationship r"
	   " SET status = $3::pg_catalog.text::" MP_SCHEMA ".relationship_status"
	   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND r.relationship_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 3, UUIDOID, UUIDOID, TEXTOID);

static MpSql revoke_admin_customer_sql =
MP_SQL("UPDATE " MP_SCHEMA ".relationship r SET delegated_admin = false"
	   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND r.relationship_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 2, UUIDOID, UUIDOID);

/* the customers of an id, on a distributed table (two at most are read) */
static MpSql relationship_customer_sql =
MP_SQL("SELECT r.customer_id FROM " MP_SCHEMA ".relationship r"
	   " WHERE r.relationship_id OPERATOR(pg_catalog.=) $1 LIMIT 2",
	   MP_AS_CALLER, 1, UUIDOID);

static MpSql expire_all_sql =
MP_SQL("UPDATE " MP_SCHEMA ".relationship r SET status = 'expired'"
	   " WHERE r.status OPERATOR(pg_catalog.=) 'pending'"
	   " AND r.requested_at OPERATOR(pg_catalog.<=) $1",
	   MP_AS_CALLER, 1, TIMESTAMPTZOID);

static void
require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/*
 * The customer of the row with this id, found by query q ($1 the id, the
 * customer_id in column 1) as the caller, for a call by id alone on a
 * distributed table.  False when the caller sees no such row; an id the
 * caller sees at two customers is refused, since the call cannot tell which
 * one is meant.  what is the row's kind ("relationship"), call the overload
 * to name in the hint.
 */
static bool
customer_of_id(MpSql *q, Datum id, const char *what, const char *call,
			   pg_uuid_t *customer_id)
{
	int			n;
	bool		isnull;

	n = mp_sql_execute(q, &id, NULL, 2, InvalidSnapshot);
	if (n == 0)
		return false;
	if (n > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("%s %s is at more than one customer", what,
						mp_uuid_str(DatumGetUUIDP(id))),
				 errdetail("On Citus an id is unique per customer only."),
				 errhint("Name the customer: %s(customer_id, ...).", call)));
	*customer_id = *DatumGetUUIDP(mp_result_datum(0, 1, &isnull));
	return true;
}

/*
 * Run an INSERT ... RETURNING <uuid> and return a copy of the uuid in the
 * caller's memory context.
 */
static pg_uuid_t *
insert_returning_uuid(MpSql *q, Datum *args, pg_uuid_t *result)
{
	bool		isnull;

	if (mp_sql_execute(q, args, NULL, 0, InvalidSnapshot) != 1)
		elog(ERROR, "multipartner insert returned no row");
	*result = *DatumGetUUIDP(mp_result_datum(0, 1, &isnull));
	return result;
}

PG_FUNCTION_INFO_V1(mp_create_customer);
Datum
mp_create_customer(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *customer_id = palloc(sizeof(pg_uuid_t));
	pg_uuid_t	partner_id;
	pg_uuid_t	rid;
	Datum		args[4];

	require_arg(fcinfo, 0, "tenant_id");
	require_arg(fcinfo, 1, "name");
	require_arg(fcinfo, 2, "cloud");
	mp_require_acting_partner(&partner_id, NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The id is made here rather than returned by the INSERT: a partner
	 * sees a customer only once it has a relationship with it (row
	 * security), so INSERT ... RETURNING would be refused.  On Citus it is
	 * the tenant id (party.c: there a customer's id is its tenant id).
	 */
	if (mp_customer_distributed())
		*customer_id = *PG_GETARG_UUID_P(0);
	else
		*customer_id = *DatumGetUUIDP(DirectFunctionCall1(gen_random_uuid, (Datum) 0));
	args[0] = UUIDPGetDatum(customer_id);
	args[1] = PG_GETARG_DATUM(0);
	args[2] = PG_GETARG_DATUM(1);
	args[3] = CStringGetTextDatum(mp_cloud_labels[mp_enum_index(PG_GETARG_DATUM(2),
																mp_cloud_labels)]);

	/*
	 * Under SET CONSTRAINTS ... IMMEDIATE the check that a partner's
	 * customer has its creator's relationship (party.c) fires at the end of
	 * the customer's INSERT, before the relationship below exists: this
	 * call vouches for it, since an error before the relationship is in
	 * place takes the customer with it.
	 */
	PG_TRY();
	{
		mp_creating_customer(customer_id);
		mp_sql_execute(&insert_customer_sql, args, NULL, 0, InvalidSnapshot);

		args[0] = UUIDPGetDatum(customer_id);
		args[1] = UUIDPGetDatum(&partner_id);
		args[2] = CStringGetTextDatum("active");
		args[3] = BoolGetDatum(true);
		insert_returning_uuid(&insert_relationship_sql, args, &rid);
	}
	PG_FINALLY();
	{
		mp_creating_customer(NULL);
	}
	PG_END_TRY();
	SPI_finish();

	PG_RETURN_UUID_P(customer_id);
}

PG_FUNCTION_INFO_V1(mp_request_relationship);
Datum
mp_request_relationship(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *rid = palloc(sizeof(pg_uuid_t));
	pg_uuid_t	partner_id;
	Datum		args[4];

	require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, 1, "delegated_admin");
	mp_require_acting_partner(&partner_id, NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = UUIDPGetDatum(&partner_id);
	args[2] = CStringGetTextDatum("pending");
	args[3] = PG_GETARG_DATUM(1);
	insert_returning_uuid(&insert_relationship_sql, args, rid);
	SPI_finish();

	PG_RETURN_UUID_P(rid);
}

static void
report_no_relationship(const pg_uuid_t *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("relationship %s does not exist", mp_uuid_str(id)),
			 errdetail("No relationship with this id is visible to role \"%s\".",
					   mp_current_role_name())));
}

/*
 * One UPDATE of one relationship as the caller; an id that matches no row
 * the caller can see (at the given customer) does not exist.  by_customer:
 * the overload, arguments (customer_id, relationship_id); else the id alone.
 * q is the statement by id, qc the same by customer and id; status NULL for
 * revoke_delegated_admin.
 */
static void
update_relationship(FunctionCallInfo fcinfo, bool by_customer, MpSql *q, MpSql *qc,
					const char *status, const char *call)
{
	Datum		args[3];
	pg_uuid_t	customer_id;
	int			idarg = by_customer ? 1 : 0;
	int			n;

	if (by_customer)
		require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, idarg, "relationship_id");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!by_customer && !mp_table_distributed("relationship"))
	{
		args[0] = PG_GETARG_DATUM(0);
		if (status)
			args[1] = CStringGetTextDatum(status);
		n = mp_sql_execute(q, args, NULL, 0, InvalidSnapshot);
	}
	else
	{
		if (by_customer)
			args[0] = PG_GETARG_DATUM(0);
		else if (customer_of_id(&relationship_customer_sql, PG_GETARG_DATUM(0),
								"relationship", call, &customer_id))
			args[0] = UUIDPGetDatum(&customer_id);
		else
			report_no_relationship(PG_GETARG_UUID_P(0));
		args[1] = PG_GETARG_DATUM(idarg);
		if (status)
			args[2] = CStringGetTextDatum(status);
		n = mp_sql_execute(qc, args, NULL, 0, InvalidSnapshot);
	}
	SPI_finish();

	if (n == 0)
		report_no_relationship(PG_GETARG_UUID_P(idarg));
}

PG_FUNCTION_INFO_V1(mp_accept_relationship);
Datum
mp_accept_relationship(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, false, &set_status_sql, &set_status_customer_sql,
						"active", "accept_relationship");
	PG_RETURN_VOID();
}

/* accept_relationship(customer_id, relationship_id) */
PG_FUNCTION_INFO_V1(mp_accept_relationship_c);
Datum
mp_accept_relationship_c(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, true, &set_status_sql, &set_status_customer_sql,
						"active", "accept_relationship");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mp_decline_relationship);
Datum
mp_decline_relationship(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, false, &set_status_sql, &set_status_customer_sql,
						"declined", "decline_relationship");
	PG_RETURN_VOID();
}

/* decline_relationship(customer_id, relationship_id) */
PG_FUNCTION_INFO_V1(mp_decline_relationship_c);
Datum
mp_decline_relationship_c(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, true, &set_status_sql, &set_status_customer_sql,
						"declined", "decline_relationship");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mp_terminate_relationship);
Datum
mp_terminate_relationship(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, false, &set_status_sql, &set_status_customer_sql,
						"terminated", "terminate_relationship");
	PG_RETURN_VOID();
}

/* terminate_relationship(customer_id, relationship_id) */
PG_FUNCTION_INFO_V1(mp_terminate_relationship_c);
Datum
mp_terminate_relationship_c(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, true, &set_status_sql, &set_status_customer_sql,
						"terminated", "terminate_relationship");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mp_revoke_delegated_admin);
Datum
mp_revoke_delegated_admin(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, false, &revoke_admin_sql, &revoke_admin_customer_sql,
						NULL, "revoke_delegated_admin");
	PG_RETURN_VOID();
}

/* revoke_delegated_admin(customer_id, relationship_id) */
PG_FUNCTION_INFO_V1(mp_revoke_delegated_admin_c);
Datum
mp_revoke_delegated_admin_c(PG_FUNCTION_ARGS)
{
	update_relationship(fcinfo, true, &revoke_admin_sql, &revoke_admin_customer_sql,
						NULL, "revoke_delegated_admin");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mp_expire_relationships);
Datum
mp_expire_relationships(PG_FUNCTION_ARGS)
{
	Datum		arg = TimestampTzGetDatum(mp_request_expiry_cutoff());
	int			n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = mp_sql_execute(&expire_all_sql, &arg, NULL, 0, InvalidSnapshot);
	SPI_finish();
	PG_RETURN_INT64((int64) n);
}

PG_FUNCTION_INFO_V1(mp_create_subscription);
Datum
mp_create_subscription(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *sid = palloc(sizeof(pg_uuid_t));
	pg_uuid_t	partner_id;
	Datum		args[7];

	require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, 1, "offer_id");
	require_arg(fcinfo, 2, "product_family");
	require_arg(fcinfo, 3, "quantity");
	require_arg(fcinfo, 4, "term");
	require_arg(fcinfo, 5, "billing_cycle");
	mp_require_acting_partner(&partner_id, NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = UUIDPGetDatum(&partner_id);
	for (int i = 1; i < 6; i++)
		args[i + 1] = PG_GETARG_DATUM(i);
	insert_returning_uuid(&insert_subscription_sql, args, sid);
	SPI_finish();

	PG_RETURN_UUID_P(sid);
}

/* ------------------------------------------------------------------------
 * GDAP (SPEC §9): create_admin_relationship, request_admin_approval,
 * approve_admin_relationship, decline_admin_relationship,
 * terminate_admin_relationship, assign_admin_access, end_admin_access.
 * As above: rows written as the caller, the triggers of gdap.c decide.
 * ------------------------------------------------------------------------
 */

/*
 * Roles given by name or by id (as text), each resolved to its admin_role
 * id, in the order given (read as the caller: admin_role is everyone's).
 */
static MpSql resolve_roles_sql =
MP_SQL("SELECT u.ord, r.role_id"
	   " FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(v, ord)"
	   " LEFT JOIN " MP_SCHEMA ".admin_role r"
	   "   ON r.name OPERATOR(pg_catalog.=) u.v"
	   "   OR r.role_id::pg_catalog.text OPERATOR(pg_catalog.=) pg_catalog.lower(u.v)"
	   " ORDER BY u.ord, r.name OPERATOR(pg_catalog.=) u.v DESC",
	   MP_AS_CALLER, 1, TEXTARRAYOID);

/* The uuid[] of the roles in the text[] argument argno (inside SPI). */
static Datum
resolve_roles(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			rows;
	Datum	   *ids;
	int			k = 0;
	int64		last = 0;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("roles must be a one-dimensional array")));
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("roles must not contain null")));
	rows = mp_sql_execute(&resolve_roles_sql, &fcinfo->args[argno].value, NULL, 0,
						  InvalidSnapshot);
	ids = palloc(sizeof(Datum) * Max(n, 1));
	for (int r = 0; r < rows; r++)
	{
		bool		isnull;
		int64		ord = DatumGetInt64(mp_result_datum(r, 1, &isnull));
		Datum		id = mp_result_datum(r, 2, &isnull);

		if (ord == last)
			continue;			/* a name that is also an id: the name's row came first */
		last = ord;
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("admin role \"%s\" does not exist",
							TextDatumGetCString(elems[ord - 1])),
					 errhint("Name a role of multipartner.admin_role by its name or its id.")));
		ids[k] = PointerGetDatum(palloc(sizeof(pg_uuid_t)));
		memcpy(DatumGetPointer(ids[k]), DatumGetPointer(id), sizeof(pg_uuid_t));
		k++;
	}
	return PointerGetDatum(construct_array(ids, k, UUIDOID, UUID_LEN, false,
										   TYPALIGN_CHAR));
}

static MpSql insert_admin_relationship_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".admin_relationship"
	   " (admin_relationship_id, customer_id, display_name, roles, duration, auto_extend)"
	   " VALUES ($1, $2, $3, $4, $5, $6)",
	   MP_AS_CALLER, 6, UUIDOID, UUIDOID, TEXTOID, UUIDARRAYOID, INTERVALOID, BOOLOID);

/*
 * R15 on Citus (gdap.c check_name_unique): the claim of a display name, made
 * as the caller before the admin relationship is written with it, in the
 * same distributed transaction.  A claim whose holder has another name now
 * passes to this one; of two writers of one name the second waits here
 * for the first.
 */
static MpSql claim_admin_name_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".admin_relationship_name AS n"
	   " (display_name, customer_id, admin_relationship_id) VALUES ($1, $2, $3)"
	   " ON CONFLICT (partner_id, display_name) DO UPDATE"
	   " SET customer_id = EXCLUDED.customer_id,"
	   " admin_relationship_id = EXCLUDED.admin_relationship_id",
	   MP_AS_CALLER, 3, TEXTOID, UUIDOID, UUIDOID);

/*
 * Claim name for admin relationship id of customer on a distributed install,
 * when the caller may create admin relationships (else the trigger refuses
 * the write as on a single node).  A name another admin relationship still
 * holds (R15's 23505, from the claim's trigger on the holder's node) is left
 * unclaimed: the write that follows is refused by the admin relationship's
 * trigger, at R15's place among its rules, as on a single node.  The failed
 * claim is rolled back to its savepoint on every node.
 */
static void
claim_admin_name(Datum name, Datum customer, Datum id)
{
	pg_uuid_t	partner;
	Datum		args[3];
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	if (!mp_table_distributed("admin_relationship") ||
		!mp_may_create_admin_relationship(&partner))
		return;
	args[0] = name;
	args[1] = customer;
	args[2] = id;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		mp_sql_execute(&claim_admin_name_sql, args, NULL, 0, InvalidSnapshot);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

PG_FUNCTION_INFO_V1(mp_create_admin_relationship);
Datum
mp_create_admin_relationship(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *id = palloc(sizeof(pg_uuid_t));
	Datum		args[6];

	require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, 1, "display_name");
	require_arg(fcinfo, 2, "roles");
	require_arg(fcinfo, 3, "duration");
	require_arg(fcinfo, 4, "auto_extend");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* made here: the partner may not see the row before the trigger fills partner_id */
	*id = *DatumGetUUIDP(DirectFunctionCall1(gen_random_uuid, (Datum) 0));
	args[0] = UUIDPGetDatum(id);
	args[1] = PG_GETARG_DATUM(0);
	args[2] = PG_GETARG_DATUM(1);
	args[3] = resolve_roles(fcinfo, 2);
	args[4] = PG_GETARG_DATUM(3);
	args[5] = PG_GETARG_DATUM(4);
	claim_admin_name(args[2], args[1], args[0]);
	mp_sql_execute(&insert_admin_relationship_sql, args, NULL, 0, InvalidSnapshot);
	SPI_finish();

	PG_RETURN_UUID_P(id);
}

/* rename_admin_relationship(customer_id, admin_relationship_id, display_name) */
static MpSql rename_admin_sql =
MP_SQL("UPDATE " MP_SCHEMA ".admin_relationship r SET display_name = $3"
	   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND r.admin_relationship_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 3, UUIDOID, UUIDOID, TEXTOID);

static void report_no_admin_relationship(const pg_uuid_t *id);

/*
 * The new display name, written as the caller: the trigger judges it (R14,
 * R16: by the partner's global_admin or admin_agent, while created; R15).
 * On Citus the new name is claimed first; the old claim passes to the next
 * admin relationship of the partner given that name.
 */
PG_FUNCTION_INFO_V1(mp_rename_admin_relationship);
Datum
mp_rename_admin_relationship(PG_FUNCTION_ARGS)
{
	Datum		args[3];

	require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, 1, "admin_relationship_id");
	require_arg(fcinfo, 2, "display_name");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	claim_admin_name(args[2], args[0], args[1]);
	if (mp_sql_execute(&rename_admin_sql, args, NULL, 0, InvalidSnapshot) == 0)
		report_no_admin_relationship(PG_GETARG_UUID_P(1));
	SPI_finish();
	PG_RETURN_VOID();
}

static MpSql set_admin_status_sql =
MP_SQL("UPDATE " MP_SCHEMA ".admin_relationship r"
	   " SET status = $2::pg_catalog.text::" MP_SCHEMA ".admin_relationship_status"
	   " WHERE r.admin_relationship_id OPERATOR(pg_catalog.=) $1",
	   MP_AS_CALLER, 2, UUIDOID, TEXTOID);

/* by customer and id: $1 customer_id, $2 admin_relationship_id, $3 status */
static MpSql set_admin_status_customer_sql =
MP_SQL("UPDATE " MP_SCHEMA ".admin_relationship r"
	   " SET status = $3::pg_catalog.text::" MP_SCHEMA ".admin_relationship_status"
	   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND r.admin_relationship_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 3, UUIDOID, UUIDOID, TEXTOID);

/*
 * The customers of an admin relationship id (two at most are read): for
 * assign_admin_access(admin_relationship_id, ...), which writes the
 * customer_id into the assignment, and for the status calls by id alone on
 * a distributed table.
 */
static MpSql admin_customer_sql =
MP_SQL("SELECT r.customer_id FROM " MP_SCHEMA ".admin_relationship r"
	   " WHERE r.admin_relationship_id OPERATOR(pg_catalog.=) $1 LIMIT 2",
	   MP_AS_CALLER, 1, UUIDOID);

static void
report_no_admin_relationship(const pg_uuid_t *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("admin relationship %s does not exist", mp_uuid_str(id)),
			 errdetail("No admin relationship with this id is visible to role \"%s\".",
					   mp_current_role_name())));
}

/*
 * One status UPDATE of one admin relationship as the caller; by_customer:
 * the overload, arguments (customer_id, admin_relationship_id).
 */
static void
update_admin_relationship(FunctionCallInfo fcinfo, bool by_customer, const char *status,
						  const char *call)
{
	Datum		args[3];
	pg_uuid_t	customer_id;
	int			idarg = by_customer ? 1 : 0;
	int			n;

	if (by_customer)
		require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, idarg, "admin_relationship_id");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!by_customer && !mp_table_distributed("admin_relationship"))
	{
		args[0] = PG_GETARG_DATUM(0);
		args[1] = CStringGetTextDatum(status);
		n = mp_sql_execute(&set_admin_status_sql, args, NULL, 0, InvalidSnapshot);
	}
	else
	{
		if (by_customer)
			args[0] = PG_GETARG_DATUM(0);
		else if (customer_of_id(&admin_customer_sql, PG_GETARG_DATUM(0),
								"admin relationship", call, &customer_id))
			args[0] = UUIDPGetDatum(&customer_id);
		else
			report_no_admin_relationship(PG_GETARG_UUID_P(0));
		args[1] = PG_GETARG_DATUM(idarg);
		args[2] = CStringGetTextDatum(status);
		n = mp_sql_execute(&set_admin_status_customer_sql, args, NULL, 0, InvalidSnapshot);
	}
	SPI_finish();
	if (n == 0)
		report_no_admin_relationship(PG_GETARG_UUID_P(idarg));
}

#define ADMIN_STATUS_CALL(fn, status) \
PG_FUNCTION_INFO_V1(mp_##fn); \
Datum \
mp_##fn(PG_FUNCTION_ARGS) \
{ \
	update_admin_relationship(fcinfo, false, status, #fn); \
	PG_RETURN_VOID(); \
} \
PG_FUNCTION_INFO_V1(mp_##fn##_c); \
Datum \
mp_##fn##_c(PG_FUNCTION_ARGS) \
{ \
	update_admin_relationship(fcinfo, true, status, #fn); \
	PG_RETURN_VOID(); \
}

/* each by id, and (customer_id, admin_relationship_id) as mp_..._c */
ADMIN_STATUS_CALL(request_admin_approval, "approval_pending")
ADMIN_STATUS_CALL(approve_admin_relationship, "active")
ADMIN_STATUS_CALL(decline_admin_relationship, "declined")
ADMIN_STATUS_CALL(terminate_admin_relationship, "terminated")

/* the overload's check that the admin relationship is the customer's */
static MpSql admin_of_customer_sql =
MP_SQL("SELECT 1 FROM " MP_SCHEMA ".admin_relationship r"
	   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND r.admin_relationship_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 2, UUIDOID, UUIDOID);

static MpSql insert_assignment_sql =
MP_SQL("INSERT INTO " MP_SCHEMA ".access_assignment"
	   " (access_assignment_id, admin_relationship_id, customer_id, grantee, roles)"
	   " VALUES ($1, $2, $3, $4, $5)",
	   MP_AS_CALLER, 5, UUIDOID, UUIDOID, UUIDOID, REGROLEOID, UUIDARRAYOID);

/*
 * assign_admin_access(admin_relationship_id, grantee, roles) and, with
 * by_customer, (customer_id, admin_relationship_id, grantee, roles): the
 * admin relationship is read as the caller first (an id it cannot see does
 * not exist), then the assignment is inserted with its customer_id.
 */
static Datum
assign_admin_access(FunctionCallInfo fcinfo, bool by_customer)
{
	pg_uuid_t  *id = palloc(sizeof(pg_uuid_t));
	pg_uuid_t	customer_id;
	int			a = by_customer ? 1 : 0;	/* the first argument after customer_id */
	Datum		args[5];

	if (by_customer)
		require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, a, "admin_relationship_id");
	require_arg(fcinfo, a + 1, "grantee");
	require_arg(fcinfo, a + 2, "roles");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (by_customer)
	{
		args[0] = PG_GETARG_DATUM(0);
		args[1] = PG_GETARG_DATUM(1);
		if (mp_sql_execute(&admin_of_customer_sql, args, NULL, 1, InvalidSnapshot) != 1)
			report_no_admin_relationship(PG_GETARG_UUID_P(1));
		customer_id = *PG_GETARG_UUID_P(0);
	}
	else if (!customer_of_id(&admin_customer_sql, PG_GETARG_DATUM(0), "admin relationship",
							 "assign_admin_access", &customer_id))
		report_no_admin_relationship(PG_GETARG_UUID_P(0));
	*id = *DatumGetUUIDP(DirectFunctionCall1(gen_random_uuid, (Datum) 0));
	args[0] = UUIDPGetDatum(id);
	args[1] = PG_GETARG_DATUM(a);
	args[2] = UUIDPGetDatum(&customer_id);
	args[3] = PG_GETARG_DATUM(a + 1);
	args[4] = resolve_roles(fcinfo, a + 2);
	mp_sql_execute(&insert_assignment_sql, args, NULL, 0, InvalidSnapshot);
	SPI_finish();

	PG_RETURN_UUID_P(id);
}

PG_FUNCTION_INFO_V1(mp_assign_admin_access);
Datum
mp_assign_admin_access(PG_FUNCTION_ARGS)
{
	return assign_admin_access(fcinfo, false);
}

PG_FUNCTION_INFO_V1(mp_assign_admin_access_c);
Datum
mp_assign_admin_access_c(PG_FUNCTION_ARGS)
{
	return assign_admin_access(fcinfo, true);
}

static MpSql end_assignment_sql =
MP_SQL("UPDATE " MP_SCHEMA ".access_assignment a SET status = 'ended'"
	   " WHERE a.access_assignment_id OPERATOR(pg_catalog.=) $1",
	   MP_AS_CALLER, 1, UUIDOID);

/* by customer and id: $1 customer_id, $2 access_assignment_id */
static MpSql end_assignment_customer_sql =
MP_SQL("UPDATE " MP_SCHEMA ".access_assignment a SET status = 'ended'"
	   " WHERE a.customer_id OPERATOR(pg_catalog.=) $1"
	   " AND a.access_assignment_id OPERATOR(pg_catalog.=) $2",
	   MP_AS_CALLER, 2, UUIDOID, UUIDOID);

static MpSql assignment_customer_sql =
MP_SQL("SELECT a.customer_id FROM " MP_SCHEMA ".access_assignment a"
	   " WHERE a.access_assignment_id OPERATOR(pg_catalog.=) $1 LIMIT 2",
	   MP_AS_CALLER, 1, UUIDOID);

static void
report_no_assignment(const pg_uuid_t *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("access assignment %s does not exist", mp_uuid_str(id)),
			 errdetail("No access assignment with this id is visible to role \"%s\".",
					   mp_current_role_name())));
}

/* end_admin_access(access_assignment_id), or (customer_id, access_assignment_id) */
static void
end_admin_access(FunctionCallInfo fcinfo, bool by_customer)
{
	Datum		args[2];
	pg_uuid_t	customer_id;
	int			idarg = by_customer ? 1 : 0;
	int			n;

	if (by_customer)
		require_arg(fcinfo, 0, "customer_id");
	require_arg(fcinfo, idarg, "access_assignment_id");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!by_customer && !mp_table_distributed("access_assignment"))
		n = mp_sql_execute(&end_assignment_sql, &fcinfo->args[0].value, NULL, 0,
						   InvalidSnapshot);
	else
	{
		if (by_customer)
			args[0] = PG_GETARG_DATUM(0);
		else if (customer_of_id(&assignment_customer_sql, PG_GETARG_DATUM(0),
								"access assignment", "end_admin_access", &customer_id))
			args[0] = UUIDPGetDatum(&customer_id);
		else
			report_no_assignment(PG_GETARG_UUID_P(0));
		args[1] = PG_GETARG_DATUM(idarg);
		n = mp_sql_execute(&end_assignment_customer_sql, args, NULL, 0, InvalidSnapshot);
	}
	SPI_finish();
	if (n == 0)
		report_no_assignment(PG_GETARG_UUID_P(idarg));
}

PG_FUNCTION_INFO_V1(mp_end_admin_access);
Datum
mp_end_admin_access(PG_FUNCTION_ARGS)
{
	end_admin_access(fcinfo, false);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mp_end_admin_access_c);
Datum
mp_end_admin_access_c(PG_FUNCTION_ARGS)
{
	end_admin_access(fcinfo, true);
	PG_RETURN_VOID();
}
