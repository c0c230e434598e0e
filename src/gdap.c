/*-------------------------------------------------------------------------
 *
 * gdap.c
 *	  Granular delegated admin (GDAP, SPEC §9), enforced on
 *	  multipartner.admin_role, admin_relationship and access_assignment for
 *	  every writer (the SQL API and direct DML alike):
 *	    R14 who creates, edits, submits, withdraws, approves, declines and
 *	        terminates admin relationships, and who assigns; creating one
 *	        needs an active reseller relationship and an active partner,
 *	    R15 display name, roles and duration,
 *	    R16 terms change only while created (while active: Global
 *	        Administrator removed, auto_extend on or off),
 *	    R17 no auto_extend with a global_admin role,
 *	    R18 the state machine
 *	          created -> approval_pending | terminated,
 *	          approval_pending -> active | declined | terminated | expired,
 *	          active -> terminated | expired (and end_at moved on by 180
 *	          days when due with auto_extend, by an operator),
 *	        judged by the effective status at the statement's clock,
 *	    R19 assignments: on an effectively active relationship, to a member
 *	        of its partner, a non-empty subset of its roles, one active per
 *	        (relationship, grantee) (the partial unique index),
 *	    R20 nothing is deleted, parties and ids never change.
 *	  Ending an admin relationship (terminated, expired) ends its active
 *	  assignments in the same statement.
 *
 * The stamp columns (created_by/at, requested_at, decided_by/at,
 * activated_at, end_at, ended_by/at) are written by these triggers only
 * (428C9 for a writer that sets them).  Every question of other rows goes
 * through lookup.c; refusals are counted under R14..R20 (refusals.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "multipartner.h"

const char *const mp_admin_status_labels[] = {
	"created", "approval_pending", "active", "declined", "expired",
	"terminated", NULL
};
const char *const mp_assignment_status_labels[] = {"active", "ended", NULL};

#define MP_AA_ACTIVE 0
#define MP_AA_ENDED 1

/* R15's limits */
#define MP_ADMIN_NAME_MAX 50
#define MP_ADMIN_DURATION_MAX_DAYS 730
/* SPEC §10: an active admin relationship with auto_extend runs on by this */
#define MP_ADMIN_EXTENSION_DAYS 180

/* R14: the partner roles that manage admin relationships, and assignments */
#define MP_PROLES_ADMIN_REL (MP_PROLE_GLOBAL_ADMIN | MP_PROLE_ADMIN_AGENT)
#define MP_PROLES_ASSIGN (MP_PROLE_GLOBAL_ADMIN | MP_PROLE_USER_MANAGEMENT_ADMIN | \
						  MP_PROLE_ADMIN_AGENT)

static const MpPartnerAct create_admin_act = {
	"create an admin relationship", "Creating an admin relationship",
	MP_PROLES_ADMIN_REL, MP_RULE_R14
};
static const MpPartnerAct assign_act = {
	"assign admin access", "Assigning admin access", MP_PROLES_ASSIGN,
	MP_RULE_R14
};

/*
 * Set while this backend ends the assignments of an admin relationship that
 * ended (lookup.c's end_assignments, run as the owner): the assignment
 * trigger then lets exactly that update through, with its stamps.
 */
static bool ending_assignments = false;

/* ------------------------------------------------------------------------
 * Time and helpers
 * ------------------------------------------------------------------------
 */

/*
 * The status an admin relationship reads as at the statement's clock, as
 * multipartner.effective_status(admin_relationship) says: a request pending
 * 90 days has expired, an active one past end_at without auto_extend too.
 */
int
mp_admin_effective_status(int status, bool has_requested_at,
						  TimestampTz requested_at, bool auto_extend,
						  bool has_end_at, TimestampTz end_at)
{
	if (status == MP_AR_APPROVAL_PENDING && has_requested_at &&
		requested_at <= mp_request_expiry_cutoff())
		return MP_AR_EXPIRED;
	if (status == MP_AR_ACTIVE && !auto_extend && has_end_at &&
		end_at <= mp_statement_time())
		return MP_AR_EXPIRED;
	return status;
}

static TimestampTz
plus_days(TimestampTz t, int64 days)
{
	Interval	iv;

	iv.month = 0;
	iv.day = (int32) days;
	iv.time = 0;
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(t),
												   IntervalPGetDatum(&iv)));
}

/*
 * effective_end_at() of an active relationship with auto_extend: end_at
 * plus the smallest multiple (k >= 1) of 180 days still ahead of the clock.
 */
static TimestampTz
extended_end_at(TimestampTz end_at)
{
	TimestampTz now = mp_statement_time();
	int64		k0 = (now - end_at) / (USECS_PER_DAY * MP_ADMIN_EXTENSION_DAYS);

	for (int64 k = Max(k0, 1);; k++)
	{
		TimestampTz e = plus_days(end_at, k * MP_ADMIN_EXTENSION_DAYS);

		if (e > now)
			return e;
	}
}

static pg_uuid_t
get_uuid(HeapTuple tup, Relation rel, const char *col, bool *isnull)
{
	Datum		d = mp_getattr(tup, rel, col, isnull);
	pg_uuid_t	u = {{0}};

	if (!*isnull)
		u = *DatumGetUUIDP(d);
	return u;
}

static bool
get_bool(HeapTuple tup, Relation rel, const char *col, bool *isnull)
{
	Datum		d = mp_getattr(tup, rel, col, isnull);

	return *isnull ? false : DatumGetBool(d);
}

static TimestampTz
get_time(HeapTuple tup, Relation rel, const char *col, bool *has)
{
	bool		isnull;
	Datum		d = mp_getattr(tup, rel, col, &isnull);

	*has = !isnull;
	return isnull ? 0 : DatumGetTimestampTz(d);
}

/* The acting role's partner roles for partner_id, held until commit; 0 if it acts for another. */
static uint32
partner_roles_for(const pg_uuid_t *partner_id)
{
	pg_uuid_t	acting;

	if (!mp_acting_partner(&acting, NULL) || !mp_uuid_eq(&acting, partner_id))
		return 0;
	return mp_lock_acting_membership();
}

/* Is the acting role a global_admin of the customer (held until commit)? */
static bool
customer_admin(const pg_uuid_t *customer_id)
{
	return (mp_customer_roles(customer_id) & MP_CROLE_GLOBAL_ADMIN) != 0 &&
		(mp_lock_customer_membership(customer_id) & MP_CROLE_GLOBAL_ADMIN) != 0;
}

/* A column a writer set to something else than the trigger would (428C9). */
static void
check_stamps_untouched(Relation rel, HeapTuple oldtup, HeapTuple newtup,
					   const char *const cols[])
{
	for (int i = 0; cols[i] != NULL; i++)
		if (mp_column_changed(rel, oldtup, newtup, cols[i]))
			mp_report_stamp(rel, cols[i],
							oldtup ? "left as it is" : "null",
							"the trigger sets it when the status changes");
}

/*
 * A CHECK violation (23514) of column col, counted under rule; the rest of
 * the arguments are the report's errmsg() and errdetail() calls, so their
 * format strings are the translatable messages.
 */
#define report_check(rule, rel, col, ...) \
	do { \
		mp_count_refusal((rule), ERRCODE_CHECK_VIOLATION); \
		ereport(ERROR, \
				(errcode(ERRCODE_CHECK_VIOLATION), \
				 __VA_ARGS__, \
				 mp_errtablecol((rel), mp_attnum((rel), (col))))); \
	} while (0)

/*
 * A roles array (uuid[]): its elements, in the caller's memory.  NULL
 * elements and more than one dimension are refused with sqlstate.
 */
static pg_uuid_t *
roles_items(Relation rel, Datum d, int *n, MpRefusalRule rule, int sqlstate)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	pg_uuid_t  *items;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("roles must be a one-dimensional array"),
				 mp_errtablecol(rel, mp_attnum(rel, "roles"))));
	deconstruct_array(a, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR,
					  &elems, &nulls, n);
	items = palloc(sizeof(pg_uuid_t) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
		{
			mp_count_refusal(rule, sqlstate);
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("roles must not contain null"),
					 mp_errtablecol(rel, mp_attnum(rel, "roles"))));
		}
		items[i] = *DatumGetUUIDP(elems[i]);
	}
	return items;
}

/* The first element of items that is there twice, or -1. */
static int
duplicate_role(const pg_uuid_t *items, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (mp_uuid_eq(&items[i], &items[j]))
				return i;
	return -1;
}

static bool
role_in(const pg_uuid_t *role, const pg_uuid_t *items, int n)
{
	for (int i = 0; i < n; i++)
		if (mp_uuid_eq(role, &items[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * admin_role: operators add roles; nothing changes, nothing is deleted.
 * ------------------------------------------------------------------------
 */

/*
 * The roles the install script seeds (its pg_extension_config_dump filter
 * lists the same ids): not data of the database, the data guard
 * (guard.c) ignores them.
 */
static const char *const seeded_roles[] = {
	"62e90394-69f5-4237-9190-012177145e10", "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
	"fe930be7-5e62-47db-91af-98c3a49a38b1", "729827e3-9c14-49f7-bb1b-9608f156bbb8",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe", "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
	"29232cdf-9323-42fd-ade2-1d097af3e4de", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
	"69091246-20e8-4a56-aa4d-066075b2a7a8", "3a2c62db-5318-420d-8d74-23affee5d9d5",
	"194ae4cb-b126-40b2-bd5b-6091b380977d", "5d6b6bb7-de71-4623-b4af-96380a352509",
	"e8611ab8-c189-46e8-94e1-60213ab1f814", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
	"f023fd81-a637-4b56-95fd-791ac0226033", "7698a772-787b-4ac8-901f-60d6b08affd2",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", NULL
};

bool
mp_admin_role_seeded(const pg_uuid_t *role_id)
{
	char	   *s = mp_uuid_str(role_id);

	for (int i = 0; seeded_roles[i] != NULL; i++)
		if (strcmp(s, seeded_roles[i]) == 0)
			return true;
	return false;
}
static HeapTuple
admin_role_insert(const MpTriggerEvent *ev)
{
	if (!mp_is_operator())
		mp_report_denied_table(MP_RULE_R14, ev->rel, "insert into",
							   "Only operators add admin roles.");
	return ev->newtup;
}

static const char *const admin_role_cols[] = {"role_id", "name", "global_admin", NULL};

static HeapTuple
admin_role_update(const MpTriggerEvent *ev)
{
	/* R20 */
	mp_check_immutable(MP_RULE_R20, ev->rel, ev->oldtup, ev->newtup,
					   ERRCODE_MP_IDENTITY_IMMUTABLE, "admin role", "role_id",
					   admin_role_cols,
					   "Admin roles are never renamed, and their id and global_admin never change.",
					   NULL);
	return ev->newtup;
}

/*
 * Every write to admin_role, restore mode included, sends a relcache
 * invalidation of it: lookup.c keeps the table's rows (admin_roles), here
 * until the next command, in the other backends until this commits, and a
 * rollback drops what this backend kept meanwhile.
 */
static void
admin_role_written(void)
{
	Oid			relid = mp_relation_oid("admin_role");

	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
}

static const MpTrigger admin_role_guard = {
	.name = "admin_role_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_PASS,
	.always = admin_role_written,
	.no_delete = {"Admin roles are never deleted.", NULL},	/* R20 */
	.on_insert = admin_role_insert,
	.on_update = admin_role_update,
};

MP_TRIGGER_FUNCTION(mp_admin_role_guard, admin_role_guard)

/* ------------------------------------------------------------------------
 * admin_relationship
 * ------------------------------------------------------------------------
 */

/* An admin relationship's row, as the rules read it. */
typedef struct AdminRel
{
	pg_uuid_t	id;
	pg_uuid_t	customer_id;
	pg_uuid_t	partner_id;
	bool		has_partner;
	int			status;
	bool		auto_extend;
	bool		has_requested_at;
	TimestampTz requested_at;
	bool		has_end_at;
	TimestampTz end_at;
} AdminRel;

/* false: a NOT NULL column is NULL, which its constraint answers */
static bool
read_admin_rel(Relation rel, HeapTuple tup, AdminRel *r)
{
	bool		isnull;
	bool		anynull = false;
	Datum		d;

	r->id = get_uuid(tup, rel, "admin_relationship_id", &isnull);
	anynull |= isnull;
	r->customer_id = get_uuid(tup, rel, "customer_id", &isnull);
	anynull |= isnull;
	r->partner_id = get_uuid(tup, rel, "partner_id", &isnull);
	r->has_partner = !isnull;
	d = mp_getattr(tup, rel, "status", &isnull);
	anynull |= isnull;
	r->status = isnull ? MP_AR_CREATED : mp_enum_index(d, mp_admin_status_labels);
	r->auto_extend = get_bool(tup, rel, "auto_extend", &isnull);
	anynull |= isnull;
	r->requested_at = get_time(tup, rel, "requested_at", &r->has_requested_at);
	r->end_at = get_time(tup, rel, "end_at", &r->has_end_at);
	return !anynull;
}

static int
effective_of(const AdminRel *r)
{
	return mp_admin_effective_status(r->status, r->has_requested_at,
									 r->requested_at, r->auto_extend,
									 r->has_end_at, r->end_at);
}

/*
 * R15 and R17 on the terms of a row: display name, roles, duration,
 * auto_extend.  False: one is NULL (its NOT NULL constraint says so).
 * inserting: the row is new, so R17 names it by its display name (its id
 * is never stored when the INSERT is refused); an UPDATE names the id.
 */
static bool
check_terms(Relation rel, HeapTuple tup, const AdminRel *r, bool inserting)
{
	bool		isnull;
	Datum		d;
	int			len;
	int			n;
	pg_uuid_t  *items;
	bool	   *known;
	bool	   *ga;
	bool		any_ga = false;
	Interval   *iv;
	int			dup;

	d = mp_getattr(tup, rel, "display_name", &isnull);
	if (isnull)
		return false;
	len = pg_mbstrlen_with_len(VARDATA_ANY(DatumGetTextPP(d)),
							   VARSIZE_ANY_EXHDR(DatumGetTextPP(d)));
	if (len < 1 || len > MP_ADMIN_NAME_MAX)
		report_check(MP_RULE_R15, rel, "display_name",
					 errmsg("display name of an admin relationship must have 1 to %d characters",
							MP_ADMIN_NAME_MAX),
					 errdetail("It has %d.", len));

	d = mp_getattr(tup, rel, "roles", &isnull);
	if (isnull)
		return false;
	items = roles_items(rel, d, &n, MP_RULE_R15, ERRCODE_CHECK_VIOLATION);
	if (n == 0)
		report_check(MP_RULE_R15, rel, "roles",
					 errmsg("an admin relationship must ask for at least one admin role"));
	dup = duplicate_role(items, n);
	if (dup >= 0)
		report_check(MP_RULE_R15, rel, "roles",
					 errmsg("admin role %s is asked for more than once",
							mp_uuid_str(&items[dup])));
	known = palloc(sizeof(bool) * n);
	ga = palloc(sizeof(bool) * n);
	mp_lookup_admin_roles(d, n, items, known, ga);
	for (int i = 0; i < n; i++)
	{
		if (!known[i])
		{
			mp_count_refusal(MP_RULE_R15, ERRCODE_FOREIGN_KEY_VIOLATION);
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("admin role %s does not exist", mp_uuid_str(&items[i])),
					 errhint("The admin roles are the rows of multipartner.admin_role."),
					 mp_errtablecol(rel, mp_attnum(rel, "roles"))));
		}
		any_ga |= ga[i];
	}

	d = mp_getattr(tup, rel, "duration", &isnull);
	if (isnull)
		return false;
	iv = DatumGetIntervalP(d);
	if (iv->month != 0 || iv->time != 0 || iv->day < 1 ||
		iv->day > MP_ADMIN_DURATION_MAX_DAYS)
		report_check(MP_RULE_R15, rel, "duration",
					 errmsg("duration of an admin relationship must be a whole number of days from 1 to %d",
							MP_ADMIN_DURATION_MAX_DAYS),
					 errdetail("It is %s.",
							   DatumGetCString(DirectFunctionCall1(interval_out, d))));

	if (r->auto_extend && any_ga)
	{
		Datum		name = mp_getattr(tup, rel, "display_name", &isnull);

		mp_count_refusal(MP_RULE_R17, ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN);
		ereport(ERROR,
				(errcode(ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN),
				 inserting ?
				 errmsg("admin relationship \"%s\" cannot auto-extend",
						TextDatumGetCString(name)) :
				 errmsg("admin relationship %s cannot auto-extend", mp_uuid_str(&r->id)),
				 errdetail("Its roles include Global Administrator (a global_admin role); such a relationship cannot auto-extend."),
				 errhint("Remove the global_admin roles, or leave auto_extend off."),
				 mp_errtablecol(rel, mp_attnum(rel, "auto_extend"))));
	}
	return true;
}

static void
report_name_taken(Relation rel, const AdminRel *r, Datum name)
{
	mp_count_refusal(MP_RULE_R15, ERRCODE_UNIQUE_VIOLATION);
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("partner %s already has an admin relationship named \"%s\"",
					mp_uuid_str(&r->partner_id), TextDatumGetCString(name)),
			 errdetail("Display names are unique among all the partner's admin relationships, of any status and customer."),
			 mp_errtablecol(rel, mp_attnum(rel, "display_name"))));
}

/*
 * R15: the display name is the partner's only one.  A transaction advisory
 * lock on (partner, name) serializes writers of one name, and the look-up
 * runs on the latest snapshot, so of two concurrent writers the second sees
 * the first.
 *
 * On Citus no shard holds all of a partner's admin relationships, and the
 * lock would be one node's: there the name must be claimed first, in
 * admin_relationship_name (a reference table, whose primary key serializes
 * the writers of a name on every node; create_admin_relationship() and
 * rename_admin_relationship() claim it).  The claim of this row's name is
 * read in this node's placement: another admin relationship's is R15's
 * refusal, none is refused as a write that skipped the claim.
 */
static void
check_name_unique(Relation rel, HeapTuple tup, const AdminRel *r)
{
	bool		isnull;
	Datum		name = mp_getattr(tup, rel, "display_name", &isnull);
	text	   *t = DatumGetTextPP(name);
	uint32		k1;
	uint32		k2;

	if (mp_table_distributed("admin_relationship"))
	{
		pg_uuid_t	customer;
		pg_uuid_t	id;

		if (!mp_lookup_admin_name_claim(&r->partner_id, name, &customer, &id))
		{
			mp_count_refusal(MP_RULE_R15, ERRCODE_INSUFFICIENT_PRIVILEGE);
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("display name \"%s\" is not claimed for the admin relationship",
							text_to_cstring(t)),
					 errdetail("On a distributed install a partner's display names are kept unique by their claims in table \"admin_relationship_name\", made before the admin relationship is written."),
					 errhint("Use multipartner.create_admin_relationship() or multipartner.rename_admin_relationship(), which claim the name."),
					 mp_errtablecol(rel, mp_attnum(rel, "display_name"))));
		}
		if (!mp_uuid_eq(&customer, &r->customer_id) || !mp_uuid_eq(&id, &r->id))
			report_name_taken(rel, r, name);
		return;
	}
	k1 = hash_bytes((const unsigned char *) r->partner_id.data, UUID_LEN);
	k2 = hash_bytes((const unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	DirectFunctionCall2(pg_advisory_xact_lock_int4,
						Int32GetDatum((int32) (k1 ^ 0x4744)),
						Int32GetDatum((int32) k2));
	if (mp_lookup_admin_name_taken(&r->partner_id, name, &r->id))
		report_name_taken(rel, r, name);
}

/*
 * R14: who creates an admin relationship (or claims a display name for
 * one): the partner's global_admin or admin_agent, never an operator.
 * named: the partner the row names, or NULL; *acting: the partner acted for.
 */
static void
require_admin_creator(Relation rel, const char *action, const pg_uuid_t *named,
					  pg_uuid_t *acting)
{
	if (mp_is_operator() && !mp_acting_partner_peek(acting))
		mp_report_denied_table(MP_RULE_R14, rel, action,
							   "Operators terminate admin relationships and end access assignments; the partner's global_admin or admin_agent creates admin relationships.");
	mp_require_partner_act(&create_admin_act, named, acting);
}

/*
 * Whether the role acts for one partner, *partner, as its global_admin or
 * admin_agent, without refusing anything: the API claims a display name
 * (Citus) only then, and leaves every other case to the trigger's refusal.
 */
bool
mp_may_create_admin_relationship(pg_uuid_t *partner)
{
	uint32		roles = 0;

	return mp_acting_partner_peek_roles(partner, &roles) &&
		(roles & MP_PROLES_ADMIN_REL) != 0;
}

static const char *const admin_rel_new_stamps[] = {
	"requested_at", "decided_by", "decided_at", "activated_at", "end_at",
	"ended_by", "ended_at", NULL
};

/* BEFORE INSERT: a new admin relationship (R14, R15, R17, R18). */
static HeapTuple
admin_rel_insert(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	tup = ev->newtup;
	MpRowPatch	patch = {0};
	AdminRel	r;
	pg_uuid_t	acting;
	MpPartnerInfo partner;
	MpCustomerInfo customer;
	bool		complete;

	complete = read_admin_rel(rel, tup, &r);

	/* R14: the partner's global_admin or admin_agent, never an operator */
	require_admin_creator(rel, "insert into", r.has_partner ? &r.partner_id : NULL, &acting);
	if (!r.has_partner)
	{
		r.partner_id = acting;
		r.has_partner = true;
		mp_patch_set(&patch, rel, "partner_id", UUIDPGetDatum(&r.partner_id));
	}
	if (!complete)
		return mp_patch_apply(&patch, rel, tup, ev->cxt);

	/* R18: it starts created */
	if (r.status != MP_AR_CREATED)
	{
		mp_count_refusal(MP_RULE_R18, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a new admin relationship must be created, not \"%s\"",
						mp_admin_status_labels[r.status]),
				 errhint("Submit it with multipartner.request_admin_approval(); the customer approves it.")));
	}

	/* the parties: the partner exists and is active */
	if (!mp_lookup_partner(&r.partner_id, &partner))
		mp_report_party_missing(rel, "partner", &r.partner_id,
								"admin_relationship_partner_id_fkey");
	if (partner.status != 0)
		mp_report_partner_suspended(&r.partner_id,
									"A suspended partner cannot create admin relationships.");
	/*
	 * R14: an active reseller relationship, held until commit.  Before the
	 * customer is looked up: an unknown customer is MP001 too, as for a sale,
	 * so that the answer does not tell whether a customer the partner cannot
	 * see exists.
	 */
	if (!mp_lookup_lock_active_relationship(&r.customer_id, &r.partner_id))
	{
		mp_count_refusal(MP_RULE_R14, ERRCODE_MP_NO_ACTIVE_RELATIONSHIP);
		ereport(ERROR,
				(errcode(ERRCODE_MP_NO_ACTIVE_RELATIONSHIP),
				 errmsg("partner %s has no active relationship with customer %s",
						mp_uuid_str(&r.partner_id), mp_uuid_str(&r.customer_id)),
				 errdetail("An admin relationship is created only with a customer the partner has an active reseller relationship with."),
				 errhint("Request a relationship with multipartner.request_relationship() first.")));
	}

	/* the customer (it exists if it has one): one cloud */
	if (!mp_lookup_customer(&r.customer_id, false, &customer))
		mp_report_party_missing(rel, "customer", &r.customer_id,
								"admin_relationship_customer_id_fkey");
	if (partner.cloud != customer.cloud)
	{
		mp_count_refusal(MP_RULE_R9, ERRCODE_MP_CLOUD_MISMATCH);
		ereport(ERROR,
				(errcode(ERRCODE_MP_CLOUD_MISMATCH),
				 errmsg("partner %s and customer %s are in different clouds",
						mp_uuid_str(&r.partner_id), mp_uuid_str(&r.customer_id)),
				 errhint("Partner Center and Partner Center for Microsoft Cloud for US Government are separate.")));
	}

	/* R15, R17 */
	if (!check_terms(rel, tup, &r, true))
		return mp_patch_apply(&patch, rel, tup, ev->cxt);
	check_name_unique(rel, tup, &r);
	/* on Citus an id is unique per customer only, as the primary key says */
	if (!mp_table_distributed("admin_relationship") &&
		mp_lookup_admin_id_taken(&r.id, &r.customer_id))
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("admin relationship id %s is already in use", mp_uuid_str(&r.id)),
				 errhint("Leave admin_relationship_id out: its default makes a new one."),
				 mp_errtablecol(rel, mp_attnum(rel, "admin_relationship_id"))));

	/* the record */
	check_stamps_untouched(rel, NULL, tup, admin_rel_new_stamps);
	mp_stamp_role(&patch, rel, tup, "created_by", "the creating role");
	mp_stamp_time(&patch, rel, tup, "created_at", "the time of the creation");
	return mp_patch_apply(&patch, rel, tup, ev->cxt);
}

static const char *const admin_rel_ids[] = {
	"admin_relationship_id", "customer_id", "partner_id", NULL
};
static const char *const admin_rel_stamps[] = {
	"created_by", "created_at", "requested_at", "decided_by", "decided_at",
	"activated_at", "end_at", "ended_by", "ended_at", NULL
};

/* Who is acting on an admin relationship. */
typedef struct AdminActor
{
	bool		op;
	uint32		partner_roles;	/* for the row's partner */
	bool		customer_admin;
	bool		customer_member;
} AdminActor;

static void
refuse_status(const AdminRel *r, int target, const char *action,
			  const char *detail)
{
	(void) target;
	mp_report_denied(MP_RULE_R14, ERRCODE_INSUFFICIENT_PRIVILEGE, action,
					 "admin relationship", &r->id, detail, NULL);
}

/* R14: may the actor put the relationship (now old_status) into target? */
static void
check_status_role(const AdminRel *old, int target, const AdminActor *a)
{
	bool		partner = (a->partner_roles & MP_PROLES_ADMIN_REL) != 0;

	switch (target)
	{
		case MP_AR_APPROVAL_PENDING:
		case MP_AR_CREATED:
			if (!partner)
				refuse_status(old, target, "submit",
							  "Only the partner's global_admin or admin_agent submits an admin relationship for approval.");
			break;
		case MP_AR_ACTIVE:
		case MP_AR_DECLINED:
			if (!a->customer_admin)
				refuse_status(old, target,
							  target == MP_AR_ACTIVE ? "approve" : "decline",
							  "Only a global administrator of the customer approves or declines an admin relationship.");
			break;
		case MP_AR_TERMINATED:
			if (old->status == MP_AR_ACTIVE || old->status == MP_AR_TERMINATED)
			{
				if (!partner && !a->customer_admin && !a->op)
					refuse_status(old, target, "terminate",
								  "Only the partner's global_admin or admin_agent, a global administrator of the customer, or an operator terminates an active admin relationship.");
			}
			else if (!partner)
				refuse_status(old, target, "withdraw",
							  "Only the partner's global_admin or admin_agent withdraws an admin relationship before it is active.");
			break;
		case MP_AR_EXPIRED:
			if (!a->op)
				refuse_status(old, target, "expire",
							  "Only an operator records that an admin relationship expired (multipartner.run_maintenance()).");
			break;
	}
}

/*
 * R18: is from -> to one of the moves of the lifecycle, for anyone?  A move
 * that is nobody's is 55000 before who asks is judged (42501).
 */
static bool
listed_transition(int from, int to)
{
	switch (from * 8 + to)
	{
		case MP_AR_CREATED * 8 + MP_AR_APPROVAL_PENDING:
		case MP_AR_CREATED * 8 + MP_AR_TERMINATED:
		case MP_AR_APPROVAL_PENDING * 8 + MP_AR_ACTIVE:
		case MP_AR_APPROVAL_PENDING * 8 + MP_AR_DECLINED:
		case MP_AR_APPROVAL_PENDING * 8 + MP_AR_TERMINATED:
		case MP_AR_APPROVAL_PENDING * 8 + MP_AR_EXPIRED:
		case MP_AR_ACTIVE * 8 + MP_AR_TERMINATED:
		case MP_AR_ACTIVE * 8 + MP_AR_EXPIRED:
			return true;
	}
	return false;
}

static void
refuse_transition(const AdminRel *r, int from, int to, const char *detail)
{
	mp_count_refusal(MP_RULE_R18, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot change admin relationship %s from %s to %s",
					mp_uuid_str(&r->id), mp_admin_status_labels[from],
					mp_admin_status_labels[to]),
			 errdetail_internal("%s", detail)));
}

static void
refuse_expired(const AdminRel *r)
{
	mp_count_refusal(MP_RULE_R18, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("admin relationship %s has expired", mp_uuid_str(&r->id)),
			 r->status == MP_AR_APPROVAL_PENDING ?
			 errdetail("It was submitted at %s; requests expire after %d days.",
					   timestamptz_to_str(r->requested_at), MP_REQUEST_LIFETIME_DAYS) :
			 errdetail("It ended at %s.", timestamptz_to_str(r->end_at)),
			 errhint("An expired admin relationship is never restored: create a new one.")));
}

static void
refuse_terms(Relation rel, const AdminRel *r, const char *col, const char *detail)
{
	mp_report_immutable(MP_RULE_R16, rel, col, ERRCODE_MP_ADMIN_TERMS_IMMUTABLE,
							"admin relationship", &r->id, detail, NULL);
}

/*
 * R16: the terms an UPDATE changes.  While created the partner changes any
 * of them (R15 and R17 judge the new ones); while active only Global
 * Administrator leaves roles and auto_extend turns on or off; never
 * otherwise, and never by the customer.
 */
static void
check_terms_change(Relation rel, HeapTuple oldtup, HeapTuple newtup,
				   const AdminRel *old, const AdminRel *new,
				   const AdminActor *a)
{
	bool		name_changed = mp_column_changed(rel, oldtup, newtup, "display_name");
	bool		roles_changed = mp_column_changed(rel, oldtup, newtup, "roles");
	bool		duration_changed = mp_column_changed(rel, oldtup, newtup, "duration");
	bool		extend_changed = mp_column_changed(rel, oldtup, newtup, "auto_extend");
	const char *first;

	if (!name_changed && !roles_changed && !duration_changed && !extend_changed)
		return;
	first = name_changed ? "display_name" : roles_changed ? "roles" :
		duration_changed ? "duration" : "auto_extend";

	if ((a->partner_roles & MP_PROLES_ADMIN_REL) == 0)
	{
		if (a->customer_member && !a->op && a->partner_roles == 0)
			refuse_terms(rel, old, first,
						 "The customer changes nothing of an admin relationship but its status.");
		mp_report_denied(MP_RULE_R14, ERRCODE_INSUFFICIENT_PRIVILEGE, "edit",
						 "admin relationship", &old->id,
						 "Only the partner's global_admin or admin_agent edits an admin relationship.",
						 NULL);
	}

	if (old->status == MP_AR_CREATED)
	{
		if (!check_terms(rel, newtup, new, false))
			return;
		if (name_changed)
			check_name_unique(rel, newtup, new);
		return;
	}
	if (old->status != MP_AR_ACTIVE || effective_of(old) != MP_AR_ACTIVE)
		refuse_terms(rel, old, first,
					 psprintf("The terms of an admin relationship change only while it is created; it is %s.",
							  mp_admin_status_labels[effective_of(old)]));
	if (name_changed || duration_changed)
		refuse_terms(rel, old, name_changed ? "display_name" : "duration",
					 "While an admin relationship is active, only Global Administrator may be removed from its roles and auto_extend turned on or off.");
	if (roles_changed)
	{
		bool		isnull;
		Datum		od = mp_getattr(oldtup, rel, "roles", &isnull);
		Datum		nd = mp_getattr(newtup, rel, "roles", &isnull);
		int			on;
		int			nn;
		pg_uuid_t  *oitems;
		pg_uuid_t  *nitems;
		bool	   *known;
		bool	   *ga;
		bool		ok = true;

		if (isnull)
			return;
		oitems = roles_items(rel, od, &on, MP_RULE_R16, ERRCODE_MP_ADMIN_TERMS_IMMUTABLE);
		nitems = roles_items(rel, nd, &nn, MP_RULE_R16, ERRCODE_MP_ADMIN_TERMS_IMMUTABLE);
		known = palloc(sizeof(bool) * Max(on, 1));
		ga = palloc(sizeof(bool) * Max(on, 1));
		mp_lookup_admin_roles(od, on, oitems, known, ga);
		/* new = old minus its global_admin roles, as a set */
		if (duplicate_role(nitems, nn) >= 0)
			ok = false;
		for (int i = 0; ok && i < nn; i++)
			if (!role_in(&nitems[i], oitems, on))
				ok = false;
		for (int i = 0; ok && i < on; i++)
			if (role_in(&oitems[i], nitems, nn) == ga[i])
				ok = false;
		if (!ok)
			refuse_terms(rel, old, "roles",
						 "While an admin relationship is active, its roles change only by removing the global_admin roles (Global Administrator), all of them at once.");
		if (nn == 0)
			report_check(MP_RULE_R15, rel, "roles",
						 errmsg("an admin relationship must ask for at least one admin role"),
						 errdetail("Removing Global Administrator would leave it none: terminate it instead."));
	}
	/* R17 on the result */
	if (new->auto_extend)
	{
		bool		isnull;
		Datum		nd = mp_getattr(newtup, rel, "roles", &isnull);
		int			nn;
		pg_uuid_t  *nitems;
		bool	   *known;
		bool	   *ga;

		if (isnull)
			return;
		nitems = roles_items(rel, nd, &nn, MP_RULE_R17, ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN);
		known = palloc(sizeof(bool) * Max(nn, 1));
		ga = palloc(sizeof(bool) * Max(nn, 1));
		mp_lookup_admin_roles(nd, nn, nitems, known, ga);
		for (int i = 0; i < nn; i++)
			if (ga[i])
			{
				mp_count_refusal(MP_RULE_R17, ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN);
				ereport(ERROR,
						(errcode(ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN),
						 errmsg("admin relationship %s cannot auto-extend", mp_uuid_str(&old->id)),
						 errdetail("Its roles include Global Administrator (a global_admin role); such a relationship cannot auto-extend."),
						 errhint("Remove the global_admin roles, or leave auto_extend off."),
						 mp_errtablecol(rel, mp_attnum(rel, "auto_extend"))));
			}
	}
}

static const char *const lifecycle_detail =
	"An admin relationship goes from created to approval_pending or terminated, from approval_pending to active, declined or terminated, and from active to terminated; time expires approval_pending and active ones; declined, expired and terminated are final.";

/* BEFORE UPDATE: R14, R16, R17, R18, R20, the stamps, and the cascade. */
static HeapTuple
admin_rel_update(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	oldtup = ev->oldtup;
	HeapTuple	newtup = ev->newtup;
	const Bitmapset *updatedcols = ev->td->tg_updatedcols;
	MpRowPatch	patch = {0};
	AdminRel	old;
	AdminRel	new;
	AdminActor	a = {0};
	TimestampTz now = mp_statement_time();
	int			eff;
	bool		status_assigned;
	bool		ends = false;
	bool		extension = false;
	TimestampTz ended_at = now;

	/* R20 */
	mp_check_immutable(MP_RULE_R20, rel, oldtup, newtup, ERRCODE_MP_IDENTITY_IMMUTABLE,
					   "admin relationship", "admin_relationship_id", admin_rel_ids,
					   "The parties and the id of an admin relationship never change.",
					   NULL);
	read_admin_rel(rel, oldtup, &old);
	if (!read_admin_rel(rel, newtup, &new))
		return newtup;			/* a NOT NULL constraint says so */
	eff = effective_of(&old);

	a.op = mp_is_operator();
	a.partner_roles = partner_roles_for(&old.partner_id);
	a.customer_member = mp_customer_roles(&old.customer_id) != 0;
	a.customer_admin = a.customer_member && customer_admin(&old.customer_id);

	/*
	 * An operator's extension of an active relationship with auto_extend
	 * that is due: end_at moves to effective_end_at() (run_maintenance()).
	 */
	if (old.status == MP_AR_ACTIVE && new.status == MP_AR_ACTIVE && a.op &&
		old.auto_extend && old.has_end_at && old.end_at <= now &&
		mp_column_changed(rel, oldtup, newtup, "end_at") && new.has_end_at &&
		new.end_at == extended_end_at(old.end_at))
		extension = true;

	if (extension)
	{
		const char *const others[] = {"created_by", "created_at", "requested_at",
			"decided_by", "decided_at", "activated_at", "ended_by", "ended_at", NULL};

		check_stamps_untouched(rel, oldtup, newtup, others);
	}
	else
	{
		check_stamps_untouched(rel, oldtup, newtup, admin_rel_stamps);

		/*
		 * SPEC §10: a due extension nobody recorded yet is written with this
		 * write, which is judged after it (as a subscription's renewal is,
		 * subscription.c).  Without this, turning auto_extend off on a
		 * relationship whose end_at passed unrecorded would end it at that
		 * past end_at, although it read as active until its extended end a
		 * moment before.
		 */
		if (old.status == MP_AR_ACTIVE && old.auto_extend && old.has_end_at &&
			old.end_at <= now)
			mp_patch_set(&patch, rel, "end_at",
						 TimestampTzGetDatum(extended_end_at(old.end_at)));
	}

	status_assigned = old.status != new.status ||
		bms_is_member(mp_attnum(rel, "status") - FirstLowInvalidHeapAttributeNumber,
					  updatedcols);
	if (old.status != new.status && !listed_transition(old.status, new.status))
		refuse_transition(&old, old.status, new.status, lifecycle_detail);
	if (status_assigned)
		check_status_role(&old, new.status, &a);

	if (old.status != new.status)
	{
		switch (old.status * 8 + new.status)
		{
			case MP_AR_CREATED * 8 + MP_AR_APPROVAL_PENDING:
				mp_patch_set(&patch, rel, "requested_at", TimestampTzGetDatum(now));
				break;
			case MP_AR_APPROVAL_PENDING * 8 + MP_AR_ACTIVE:
				{
					bool		isnull;
					Datum		dur = mp_getattr(oldtup, rel, "duration", &isnull);

					if (eff != MP_AR_APPROVAL_PENDING)
						refuse_expired(&old);
					mp_patch_set_role(&patch, rel, "decided_by");
					mp_patch_set(&patch, rel, "decided_at", TimestampTzGetDatum(now));
					mp_patch_set(&patch, rel, "activated_at", TimestampTzGetDatum(now));
					mp_patch_set(&patch, rel, "end_at",
								 DirectFunctionCall2(timestamptz_pl_interval,
													 TimestampTzGetDatum(now), dur));
				}
				break;
			case MP_AR_APPROVAL_PENDING * 8 + MP_AR_DECLINED:
				if (eff != MP_AR_APPROVAL_PENDING)
					refuse_expired(&old);
				mp_patch_set_role(&patch, rel, "decided_by");
				mp_patch_set(&patch, rel, "decided_at", TimestampTzGetDatum(now));
				break;
			case MP_AR_CREATED * 8 + MP_AR_TERMINATED:
			case MP_AR_APPROVAL_PENDING * 8 + MP_AR_TERMINATED:
			case MP_AR_ACTIVE * 8 + MP_AR_TERMINATED:
				if (eff == MP_AR_EXPIRED)
					refuse_expired(&old);
				mp_patch_set_role(&patch, rel, "ended_by");
				mp_patch_set(&patch, rel, "ended_at", TimestampTzGetDatum(now));
				ends = old.status == MP_AR_ACTIVE;
				break;
			case MP_AR_APPROVAL_PENDING * 8 + MP_AR_EXPIRED:
			case MP_AR_ACTIVE * 8 + MP_AR_EXPIRED:
				if (eff != MP_AR_EXPIRED)
					refuse_transition(&old, old.status, new.status,
									  "It has not expired yet.");
				ended_at = old.status == MP_AR_ACTIVE ? old.end_at :
					plus_days(old.requested_at, MP_REQUEST_LIFETIME_DAYS);
				mp_patch_set_role(&patch, rel, "ended_by");
				mp_patch_set(&patch, rel, "ended_at", TimestampTzGetDatum(ended_at));
				ends = old.status == MP_AR_ACTIVE;
				break;
			default:
				refuse_transition(&old, old.status, new.status, lifecycle_detail);
		}
	}

	check_terms_change(rel, oldtup, newtup, &old, &new, &a);

	if (ends)
	{
		ending_assignments = true;
		PG_TRY();
		{
			mp_lookup_end_assignments(&old.customer_id, &old.id, ended_at);
		}
		PG_FINALLY();
		{
			ending_assignments = false;
		}
		PG_END_TRY();
	}
	return mp_patch_apply(&patch, rel, newtup, ev->cxt);
}

static const MpTrigger admin_relationship_guard = {
	.name = "admin_relationship_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,
	.stamp = "created_at",
	.no_delete = {"Admin relationships are never deleted.",	/* R20 */
	"Terminate the admin relationship instead."},
	.on_insert = admin_rel_insert,
	.on_update = admin_rel_update,
};

MP_TRIGGER_FUNCTION(mp_admin_relationship_guard, admin_relationship_guard)

/* ------------------------------------------------------------------------
 * admin_relationship_name: the claims of R15's display names on Citus
 * (check_name_unique).  A claim is made by a partner's global_admin or
 * admin_agent for its own partner (partner_id filled in as for an admin
 * relationship) and is never deleted; it passes to another admin
 * relationship of the partner (an UPDATE of customer_id and
 * admin_relationship_id: INSERT ... ON CONFLICT DO UPDATE) only once the
 * one that holds it has another name.  The placement trigger fires on every
 * node, and the node holding that relationship's shard refuses a name still
 * in use (R15): one node's refusal aborts the write on all of them.  On a
 * single node the table stays empty (R15 reads admin_relationship there).
 * ------------------------------------------------------------------------
 */
static const char *const admin_name_ids[] = {"partner_id", "display_name", NULL};

static void
require_distributed_claims(Relation rel)
{
	if (!mp_table_distributed("admin_relationship"))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is used on a distributed install only",
						mp_relation_name(rel)),
				 errdetail("On a single node R15 reads the admin relationships themselves; no display name is claimed."),
				 mp_errtable(rel)));
}

static HeapTuple
admin_name_insert(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	MpRowPatch	patch = {0};
	bool		isnull;
	Datum		d = mp_getattr(ev->newtup, rel, "partner_id", &isnull);
	pg_uuid_t	named;
	pg_uuid_t	acting;

	require_distributed_claims(rel);
	if (!isnull)
		named = *DatumGetUUIDP(d);
	require_admin_creator(rel, "insert into", isnull ? NULL : &named, &acting);
	if (isnull)
		mp_patch_set(&patch, rel, "partner_id", UUIDPGetDatum(&acting));
	return mp_patch_apply(&patch, rel, ev->newtup, ev->cxt);
}

static HeapTuple
admin_name_update(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	bool		isnull;
	AdminRel	holder = {0};
	pg_uuid_t	acting;
	Datum		name = mp_getattr(ev->oldtup, rel, "display_name", &isnull);

	require_distributed_claims(rel);
	mp_check_immutable(MP_RULE_R20, rel, ev->oldtup, ev->newtup,
					   ERRCODE_MP_IDENTITY_IMMUTABLE, "a display name claim of partner", "partner_id",
					   admin_name_ids,
					   "A claim is the partner's name for good; only the admin relationship holding it changes.",
					   NULL);
	holder.partner_id = *DatumGetUUIDP(mp_getattr(ev->oldtup, rel, "partner_id", &isnull));
	holder.customer_id = *DatumGetUUIDP(mp_getattr(ev->oldtup, rel, "customer_id", &isnull));
	holder.id = *DatumGetUUIDP(mp_getattr(ev->oldtup, rel, "admin_relationship_id", &isnull));
	require_admin_creator(rel, "update", &holder.partner_id, &acting);
	if (!mp_column_changed(rel, ev->oldtup, ev->newtup, "customer_id") &&
		!mp_column_changed(rel, ev->oldtup, ev->newtup, "admin_relationship_id"))
		return ev->newtup;
	/* only the node with the holder's shard can tell (-1 elsewhere) */
	if (mp_lookup_admin_name_in_use(&holder.customer_id, &holder.id, name) == 1)
		report_name_taken(rel, &holder, name);
	return ev->newtup;
}

static const MpTrigger admin_relationship_name_guard = {
	.name = "admin_relationship_name_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_PASS,
	.no_delete = {"Claims of display names are never deleted.",
	"A claim passes to another admin relationship of the partner once its holder has another name."},
	.on_insert = admin_name_insert,
	.on_update = admin_name_update,
};

MP_TRIGGER_FUNCTION(mp_admin_relationship_name_guard, admin_relationship_name_guard)

/* ------------------------------------------------------------------------
 * access_assignment
 * ------------------------------------------------------------------------
 */
static const char *const assignment_new_stamps[] = {"ended_by", "ended_at", NULL};

/* BEFORE INSERT: R14's roles, R19. */
static HeapTuple
assignment_insert(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	tup = ev->newtup;
	MpRowPatch	patch = {0};
	bool		isnull;
	bool		rnull;
	bool		cnull;
	pg_uuid_t	rid = get_uuid(tup, rel, "admin_relationship_id", &rnull);
	pg_uuid_t	cid = get_uuid(tup, rel, "customer_id", &cnull);
	pg_uuid_t	named;
	pg_uuid_t	acting;
	pg_uuid_t	aid;
	bool		named_null;
	MpAdminRelInfo info = {0};
	Datum		d;
	Oid			grantee;
	int			n;
	int			rn;
	pg_uuid_t  *items;
	pg_uuid_t  *ritems;
	MpMemberRows members = {0};
	int			eff;

	named = get_uuid(tup, rel, "partner_id", &named_null);
	aid = get_uuid(tup, rel, "access_assignment_id", &isnull);

	if (mp_is_operator() && !mp_acting_partner_peek(&acting))
		mp_report_denied_table(MP_RULE_R14, rel, "insert into",
							   "Operators end access assignments; the partner's global_admin, user_management_admin or admin_agent makes them.");
	mp_require_partner_act(&assign_act, NULL, &acting);
	if (rnull || cnull)
		return tup;				/* the NOT NULL constraints say so */

	if (!mp_lookup_lock_admin_relationship(&cid, &rid, &info))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("admin relationship %s of customer %s does not exist",
						mp_uuid_str(&rid), mp_uuid_str(&cid)),
				 mp_errtableconstraint(rel, "access_assignment_admin_relationship_fkey")));
	if (!mp_uuid_eq(&info.partner_id, &acting))
		mp_report_denied(MP_RULE_R14, ERRCODE_INSUFFICIENT_PRIVILEGE,
						 "assign admin access of", "admin relationship", &rid,
						 psprintf("Role \"%s\" acts for partner %s, which does not hold this admin relationship.",
								  mp_current_role_name(), mp_uuid_str(&acting)),
						 NULL);
	if (!named_null && !mp_uuid_eq(&named, &info.partner_id))
		mp_report_stamp(rel, "partner_id", "the admin relationship's partner",
						"it is copied from the admin relationship");
	mp_patch_set(&patch, rel, "partner_id", UUIDPGetDatum(&info.partner_id));

	d = mp_getattr(tup, rel, "status", &isnull);
	if (!isnull && mp_enum_index(d, mp_assignment_status_labels) != MP_AA_ACTIVE)
	{
		mp_count_refusal(MP_RULE_R19, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a new access assignment must be active")));
	}

	/* R19: the relationship is effectively active (as locked) */
	eff = mp_admin_effective_status(info.status, info.has_requested_at,
									info.requested_at, info.auto_extend,
									info.has_end_at, info.end_at);
	if (eff != MP_AR_ACTIVE)
	{
		mp_count_refusal(MP_RULE_R19, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("admin relationship %s is not active", mp_uuid_str(&rid)),
				 errdetail("It is %s; admin access is assigned only on an active admin relationship.",
						   mp_admin_status_labels[eff])));
	}

	/* R19: the grantee is a member of the partner (held until commit) */
	d = mp_getattr(tup, rel, "grantee", &isnull);
	if (isnull)
		return mp_patch_apply(&patch, rel, tup, ev->cxt);
	grantee = DatumGetObjectId(d);
	members.cxt = CurrentMemoryContext;
	mp_lookup_memberships(true, grantee, &info.partner_id, true, &members);
	if (members.n == 0)
	{
		char	   *gname = GetUserNameFromId(grantee, true);

		mp_count_refusal(MP_RULE_R19, ERRCODE_MP_ASSIGNMENT_OUTSIDE);
		ereport(ERROR,
				(errcode(ERRCODE_MP_ASSIGNMENT_OUTSIDE),
				 errmsg("role \"%s\" is not a member of partner %s",
						gname ? gname : "?", mp_uuid_str(&info.partner_id)),
				 errdetail("Admin access is assigned only to members of the admin relationship's partner."),
				 errhint("An operator adds the role to multipartner.partner_member."),
				 mp_errtablecol(rel, mp_attnum(rel, "grantee"))));
	}

	/* R19: a non-empty subset of the relationship's roles, no duplicates */
	d = mp_getattr(tup, rel, "roles", &isnull);
	if (isnull)
		return mp_patch_apply(&patch, rel, tup, ev->cxt);
	items = roles_items(rel, d, &n, MP_RULE_R19, ERRCODE_MP_ASSIGNMENT_OUTSIDE);
	ritems = info.roles ? roles_items(rel, PointerGetDatum(info.roles), &rn,
									  MP_RULE_R19, ERRCODE_MP_ASSIGNMENT_OUTSIDE) : NULL;
	if (!info.roles)
		rn = 0;
	if (n == 0 || duplicate_role(items, n) >= 0)
	{
		mp_count_refusal(MP_RULE_R19, ERRCODE_MP_ASSIGNMENT_OUTSIDE);
		ereport(ERROR,
				(errcode(ERRCODE_MP_ASSIGNMENT_OUTSIDE),
				 n == 0 ? errmsg("an access assignment must hold at least one admin role") :
				 errmsg("admin role %s is assigned more than once",
						mp_uuid_str(&items[duplicate_role(items, n)])),
				 mp_errtablecol(rel, mp_attnum(rel, "roles"))));
	}
	for (int i = 0; i < n; i++)
		if (!role_in(&items[i], ritems, rn))
		{
			mp_count_refusal(MP_RULE_R19, ERRCODE_MP_ASSIGNMENT_OUTSIDE);
			ereport(ERROR,
					(errcode(ERRCODE_MP_ASSIGNMENT_OUTSIDE),
					 errmsg("admin role %s is not a role of admin relationship %s",
							mp_uuid_str(&items[i]), mp_uuid_str(&rid)),
					 errdetail("An access assignment holds a subset of its admin relationship's current roles."),
					 mp_errtablecol(rel, mp_attnum(rel, "roles"))));
		}

	(void) aid;
	check_stamps_untouched(rel, NULL, tup, assignment_new_stamps);
	mp_stamp_role(&patch, rel, tup, "created_by", "the assigning role");
	mp_stamp_time(&patch, rel, tup, "created_at", "the time of the assignment");
	return mp_patch_apply(&patch, rel, tup, ev->cxt);
}

static const char *const assignment_ids[] = {
	"access_assignment_id", "admin_relationship_id", "customer_id", "partner_id",
	"grantee", NULL
};
static const char *const assignment_stamps[] = {
	"created_by", "created_at", "ended_by", "ended_at", NULL
};

/* BEFORE UPDATE: only active -> ended, by the partner's assigners or an operator. */
static HeapTuple
assignment_update(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	oldtup = ev->oldtup;
	HeapTuple	newtup = ev->newtup;
	MpRowPatch	patch = {0};
	bool		isnull;
	pg_uuid_t	aid = get_uuid(oldtup, rel, "access_assignment_id", &isnull);
	pg_uuid_t	partner_id = get_uuid(oldtup, rel, "partner_id", &isnull);
	int			old_status;
	int			new_status;
	Datum		d;

	/* R20 */
	mp_check_immutable(MP_RULE_R20, rel, oldtup, newtup, ERRCODE_MP_IDENTITY_IMMUTABLE,
					   "access assignment", "access_assignment_id", assignment_ids,
					   "The relationship, the parties and the grantee of an access assignment never change.",
					   NULL);
	old_status = mp_enum_index(mp_getattr(oldtup, rel, "status", &isnull),
							   mp_assignment_status_labels);
	d = mp_getattr(newtup, rel, "status", &isnull);
	if (isnull)
		return newtup;
	new_status = mp_enum_index(d, mp_assignment_status_labels);

	/* the end of an ended admin relationship's assignments (lookup.c) */
	if (ending_assignments && old_status == MP_AA_ACTIVE && new_status == MP_AA_ENDED)
		return newtup;

	if (!mp_is_operator() &&
		(partner_roles_for(&partner_id) & MP_PROLES_ASSIGN) == 0)
		mp_report_denied(MP_RULE_R14, ERRCODE_INSUFFICIENT_PRIVILEGE, "change",
						 "access assignment", &aid,
						 "Only the partner's global_admin, user_management_admin or admin_agent, or an operator, ends an access assignment.",
						 NULL);
	if (mp_column_changed(rel, oldtup, newtup, "roles"))
		mp_report_immutable(MP_RULE_R16, rel, "roles",
								ERRCODE_MP_ADMIN_TERMS_IMMUTABLE, "access assignment",
								&aid, "The roles of an access assignment never change: end it and make a new one.",
								NULL);
	check_stamps_untouched(rel, oldtup, newtup, assignment_stamps);
	if (old_status != new_status)
	{
		if (old_status != MP_AA_ACTIVE)
		{
			mp_count_refusal(MP_RULE_R18, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("access assignment %s has ended", mp_uuid_str(&aid)),
					 errdetail("An ended access assignment is final."),
					 errhint("Make a new assignment with multipartner.assign_admin_access().")));
		}
		mp_patch_set_role(&patch, rel, "ended_by");
		mp_patch_set(&patch, rel, "ended_at", TimestampTzGetDatum(mp_statement_time()));
	}
	return mp_patch_apply(&patch, rel, newtup, ev->cxt);
}

static const MpTrigger access_assignment_guard = {
	.name = "access_assignment_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,	/* until its admin relationship is loaded */
	.stamp = "created_at",
	.no_delete = {"Access assignments are never deleted.",	/* R20 */
	"End the assignment instead."},
	.on_insert = assignment_insert,
	.on_update = assignment_update,
};

MP_TRIGGER_FUNCTION(mp_access_assignment_guard, access_assignment_guard)
