/*-------------------------------------------------------------------------
 *
 * lookup.c
 *	  The questions the rules ask of the tables, each answered in one place.
 *
 * Every read or write a rule makes beyond the row it judges ("the
 * memberships of this role", "lock the active relationship of this pair",
 * "cloud and status of this partner", "write this audit row", ...) is one
 * function here.  It returns a plain value (found or not, a count, the
 * columns asked for) and holds its implementations side by side:
 *
 *   direct  an index probe or a heap insert with the probe engine of
 *           fastpath.c: no executor start-up, the cheapest way (DESIGN_NOTES
 *           §1.2);
 *   spi     a query with the plan engine of spi.c: schema-qualified SQL,
 *           prepared once, run as the schema owner without row security (or
 *           as the caller where the question says so).
 *
 * A question lists its implementations in a table (questions[] below) and
 * ask() runs them: it starts at the path lookup_path() chooses for it (the
 * direct path unless multipartner.fast_path is off, Citus is installed, or a
 * locking question runs under REPEATABLE READ or SERIALIZABLE, where a
 * concurrent update must become a serialization failure, which the
 * executor's locking code gets right) and falls through to the next path
 * when an implementation defers (returns false: a table that is not a plain
 * heap table, an index of another shape, anything unusual).  An
 * implementation that defers leaves the answer as it found it, so the next
 * one starts clean.  A further path, such as the shard-local one of SPEC
 * §11, is one more column of the table and one more case in lookup_path():
 * no rule file changes.  Each answer is counted by the path that gave it
 * per backend (multipartner.lookup_counts()), and, with the library
 * preloaded, folded into the shared counters of multipartner.refusals at
 * transaction end (refusals.c).
 *
 * Callers need no SPI connection: the SPI implementations connect and
 * disconnect themselves, copy their answer out first, and the direct ones
 * never connect.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "multipartner.h"

typedef MpLookupPath MpPath;

#define MP_PATH_DIRECT MP_LOOKUP_PATH_DIRECT
#define MP_PATH_SPI MP_LOOKUP_PATH_SPI
#define MP_NUM_PATHS MP_NUM_LOOKUP_PATHS

/* An implementation: true when it answered, false to defer to the next path. */
typedef bool (*MpImpl) (void *question);

typedef struct MpQuestion
{
	const char *name;			/* in multipartner.lookup_counts() */
	bool		locking;		/* takes row locks */
	MpImpl		impl[MP_NUM_PATHS]; /* NULL: none on that path */
} MpQuestion;

static const MpQuestion questions[MP_NUM_LOOKUPS];

/*
 * How many times each question was answered on each path, since the
 * backend started (multipartner.lookup_counts()), and how much of that is
 * in the shared counters already (mp_lookup_fold).
 */
static uint64 lookup_counts[MP_NUM_LOOKUPS][MP_NUM_PATHS];
static uint64 lookup_folded[MP_NUM_LOOKUPS][MP_NUM_PATHS];
static bool lookup_unfolded = false;

static const char *const path_names[MP_NUM_PATHS] = {"direct", "spi"};

/* Where a question starts. */
static MpPath
lookup_path(const MpQuestion *q)
{
	if (!mp_fast_path())
		return MP_PATH_SPI;
	if (q->locking && IsolationUsesXactSnapshot())
		return MP_PATH_SPI;
	return MP_PATH_DIRECT;
}

/* Answer question l, arguments and answer in *question. */
static void
ask(MpLookup l, void *question)
{
	const MpQuestion *q = &questions[l];

	for (int p = lookup_path(q); p < MP_NUM_PATHS; p++)
	{
		if (q->impl[p] != NULL && q->impl[p] (question))
		{
			lookup_counts[l][p]++;
			lookup_unfolded = true;
			return;
		}
	}
	elog(ERROR, "no implementation of multipartner lookup \"%s\" answered", q->name);
}

const char *
mp_lookup_name(int l)
{
	return l >= 0 && l < MP_NUM_LOOKUPS ? questions[l].name : "?";
}

const char *
mp_lookup_path_name(int p)
{
	return p >= 0 && p < MP_NUM_PATHS ? path_names[p] : "?";
}

/*
 * mp_lookup_fold - at transaction end (and before the view is read): add
 * what was asked since the last fold to the shared counters of
 * multipartner.refusals, if the library was preloaded.  Nothing to do, the
 * common case of a transaction that asked nothing, costs one test.
 */
void
mp_lookup_fold(void)
{
	if (!lookup_unfolded)
		return;
	lookup_unfolded = false;
	if (mp_refusals_enabled())
		mp_refusals_fold_lookups((const uint64 (*)[MP_NUM_PATHS]) lookup_counts,
								 lookup_folded);
}

/*
 * multipartner.lookup_counts() - one row per question that has a direct
 * implementation: how many times this backend answered it on each path.
 */
PG_FUNCTION_INFO_V1(mp_lookup_counts);

Datum
mp_lookup_counts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < MP_NUM_LOOKUPS; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (questions[i].impl[MP_PATH_DIRECT] == NULL)
			continue;
		values[0] = CStringGetTextDatum(questions[i].name);
		values[1] = Int64GetDatum((int64) lookup_counts[i][MP_PATH_DIRECT]);
		values[2] = Int64GetDatum((int64) lookup_counts[i][MP_PATH_SPI]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * The SPI implementations' common steps: connect, run the question's query
 * (an MpSql, spi.c), and disconnect once the answer is copied out.
 */
static int
spi_run(MpSql *q, Datum *values, const char *nulls, long tcount,
		Snapshot snapshot)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return mp_sql_execute(q, values, nulls, tcount, snapshot);
}

static void
spi_done(void)
{
	SPI_finish();
}

/* Column col (1-based) of result row row of the last spi_run(). */
static Datum
spi_col(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
						 isnull);
}

static pg_uuid_t
spi_uuid(uint64 row, int col, bool *isnull)
{
	Datum		d = spi_col(row, col, isnull);
	pg_uuid_t	u = {{0}};

	if (!*isnull)
		u = *DatumGetUUIDP(d);
	return u;
}

#define Q MP_SQL
#define AS_OWNER MP_AS_OWNER
#define AS_CALLER MP_AS_CALLER
#define FROM(t) " FROM " MP_SCHEMA "." t
#define EQ " OPERATOR(pg_catalog.=) "

/*
 * What most questions are asked about (one or two ids: a partner, a
 * customer, a pair, a relationship) and their answer.
 */
typedef struct Question
{
	const pg_uuid_t *key[2];	/* the ids, $1 and $2 of the SPI query */
	bool		variant;		/* the question's variant: partner or customer, ... */
	void	   *answer;			/* the caller's answer struct, or NULL */
	bool		found;
	int64		count;
} Question;

static Question
ask_about(MpLookup l, const pg_uuid_t *a, const pg_uuid_t *b, bool variant,
		  void *answer)
{
	Question	q = {{a, b}, variant, answer, false, 0};

	ask(l, &q);
	return q;
}

/* spi_run() with the question's ids as the query's parameters */
static int
spi_keys(MpSql *sql, const Question *q, long tcount, Snapshot snapshot)
{
	Datum		args[2];

	Assert(sql->nargs <= 2);
	for (int i = 0; i < sql->nargs; i++)
		args[i] = UUIDPGetDatum(q->key[i]);
	return spi_run(sql, args, NULL, tcount, snapshot);
}

/*
 * The text of q with its table (MP_SCHEMA "." table) replaced by the shard
 * relation p (in the caller's memory).  (No query of the lookup layer
 * passes a whole row to a function: on a shard its type would be the
 * shard's row type, which no function takes; CITUS_DESIGN finding 6.)
 */
static char *
shard_sql(const char *sql, const MpPlacement *p)
{
	StringInfoData buf;
	char		from[NAMEDATALEN + 16];
	size_t		len;
	const char *c = sql;

	snprintf(from, sizeof(from), MP_SCHEMA ".%s", p->relname);
	len = strlen(from);
	initStringInfo(&buf);
	while (*c)
	{
		if (strncmp(c, from, len) == 0 &&
			!(c[len] == '_' || (c[len] >= 'a' && c[len] <= 'z') ||
			  (c[len] >= '0' && c[len] <= '9')))
		{
			appendStringInfoString(&buf, mp_placement_qualified(p));
			c += len;
		}
		else
			appendStringInfoChar(&buf, *c++);
	}
	return buf.data;
}

/*
 * spi_run() of q on placement p (placement.c): the kept plan when that is
 * the table itself, else q's text naming the shard, prepared for this run
 * only.
 */
static int
spi_run_on(MpSql *q, const MpPlacement *p, Datum *values, const char *nulls,
		   long tcount, Snapshot snapshot)
{
	SPIPlanPtr	plan = NULL;
	int			n;

	if (p->shardid == 0)
		return spi_run(q, values, nulls, tcount, snapshot);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = mp_execute(&plan, shard_sql(q->sql, p), q->nargs, q->argtypes,
				   q->as_owner, values, nulls, tcount, snapshot);
	SPI_freeplan(plan);
	return n;
}

/*
 * spi_run() of q on this node's relation of table for key: the table
 * itself without Citus, else its placement or shard.  A key whose shard is
 * not here raises 55000 (never a distributed query from a shard).
 */
static int
spi_run_at(MpSql *q, const char *table, const pg_uuid_t *key, Datum *values,
		   const char *nulls, long tcount, Snapshot snapshot)
{
	MpPlacement pl;

	if (!mp_citus_present() || !mp_placement(table, key, false, &pl))
		return spi_run(q, values, nulls, tcount, snapshot);
	return spi_run_on(q, &pl, values, nulls, tcount, snapshot);
}

/* spi_run_at() with the question's ids as the query's parameters */
static int
spi_keys_at(MpSql *sql, const Question *q, const char *table,
			const pg_uuid_t *key, long tcount, Snapshot snapshot)
{
	Datum		args[2];

	Assert(sql->nargs <= 2);
	for (int i = 0; i < sql->nargs; i++)
		args[i] = UUIDPGetDatum(q->key[i]);
	return spi_run_at(sql, table, key, args, NULL, tcount, snapshot);
}

/*
 * spi_run() of q, a query of the co-located tables tables[] (NULL-ended),
 * each on this node's shard for key: the tables themselves without Citus.
 * (A join of co-located shards is a join of plain tables to Citus's
 * planner; of the logical tables it is a distributed query, refused on a
 * shard.)  A key whose shard is not here raises 55000.
 */
static int
spi_run_colocated(MpSql *q, const char *const tables[], const pg_uuid_t *key,
				  Datum *values, const char *nulls, long tcount, Snapshot snapshot)
{
	SPIPlanPtr	plan = NULL;
	char	   *sql = NULL;
	int			n;

	if (mp_citus_present())
		for (int i = 0; tables[i] != NULL; i++)
		{
			MpPlacement pl;

			if (mp_placement(tables[i], key, false, &pl) && pl.shardid != 0)
				sql = shard_sql(sql ? sql : q->sql, &pl);
		}
	if (sql == NULL)
		return spi_run(q, values, nulls, tcount, snapshot);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = mp_execute(&plan, sql, q->nargs, q->argtypes, q->as_owner, values,
				   nulls, tcount, snapshot);
	SPI_freeplan(plan);
	return n;
}

/*
 * mp_probe() on the question's first nkeys ids (uuid columns keycols[]);
 * on deferral (-1) the answer is left unfound.
 */
static int
probe_keys(Question *q, const char *relname, const char *idxname,
		   const char *const keycols[], int nkeys, int lock,
		   MpProbeCallback filter, MpProbeCallback cb, void *arg)
{
	Datum		keys[2];
	Oid			eqprocs[2] = {F_UUID_EQ, F_UUID_EQ};
	int			n;

	for (int i = 0; i < nkeys; i++)
		keys[i] = UUIDPGetDatum(q->key[i]);
	q->found = false;
	n = mp_probe(relname, idxname, keycols, nkeys, keys, eqprocs, lock,
				 filter, cb, arg);
	if (n < 0)
		q->found = false;
	return n;
}

/* ------------------------------------------------------------------------
 * Memberships: the (id, role) rows of partner_member or customer_member for
 * a role (and one partner or customer only, when id is given), locked FOR
 * KEY SHARE when lock is set (see identity.c, mp_lock_acting_membership).
 * ------------------------------------------------------------------------
 */
typedef struct QMembers
{
	bool		partner;
	Oid			userid;
	const pg_uuid_t *id;		/* or NULL: all */
	bool		lock;
	MpMemberRows *rows;
} QMembers;

static void
member_rows_add(MpMemberRows *rows, const pg_uuid_t *id, int role)
{
	if (rows->n == rows->size)
	{
		rows->size = Max(rows->size * 2, 8);
		rows->items = rows->items ?
			repalloc(rows->items, sizeof(MpMemberRow) * rows->size) :
			MemoryContextAlloc(rows->cxt, sizeof(MpMemberRow) * rows->size);
	}
	rows->items[rows->n].id = *id;
	rows->items[rows->n].role = role;
	rows->n++;
}

typedef struct MemberProbe
{
	QMembers   *q;
	AttrNumber	idatt;
	AttrNumber	roleatt;
} MemberProbe;

static bool
member_probe_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	MemberProbe *mp = (MemberProbe *) arg;
	bool		isnull;
	Datum		id;
	Datum		role;

	if (mp->idatt == 0)
	{
		mp->idatt = mp_attnum(rel, mp->q->partner ? "partner_id" : "customer_id");
		mp->roleatt = mp_attnum(rel, "role");
	}
	id = slot_getattr(slot, mp->idatt, &isnull);
	role = slot_getattr(slot, mp->roleatt, &isnull);
	member_rows_add(mp->q->rows, DatumGetUUIDP(id),
					mp_enum_index(role, mp->q->partner ? mp_partner_role_labels :
								  mp_customer_role_labels));
	return true;
}

static bool
members_direct(void *question)
{
	QMembers   *q = (QMembers *) question;
	static const char *const partner_keys[] = {"member", "partner_id"};
	static const char *const customer_keys[] = {"member", "customer_id"};
	MemberProbe mp = {q, 0, 0};
	Datum		keys[2];
	Oid			eqprocs[2] = {F_OIDEQ, F_UUID_EQ};
	int			start = q->rows->n;

	keys[0] = ObjectIdGetDatum(q->userid);
	if (q->id)
		keys[1] = UUIDPGetDatum(q->id);
	if (!q->partner && q->id == NULL && mp_citus_present())
	{
		/*
		 * All of a role's customers, from a hash-distributed customer_member:
		 * the rows of this node's shards, each probed (CITUS_DESIGN §2.4).
		 */
		MpPlacement *ps;
		int			n = mp_placement_local("customer_member", &ps);

		for (int i = 0; i < n; i++)
		{
			MpProbeOpts opts = {.rellock = NoLock, .at = &ps[i]};

			mp.idatt = 0;
			if (mp_probe_opts("customer_member", "customer_member_pkey",
							  customer_keys, 1, keys, eqprocs, 0, NULL,
							  member_probe_row, &mp, &opts) < 0)
			{
				q->rows->n = start;
				return false;
			}
		}
		return true;
	}
	if (mp_probe(q->partner ? "partner_member" : "customer_member",
				 q->partner ? "partner_member_pkey" : "customer_member_pkey",
				 q->partner ? partner_keys : customer_keys, q->id ? 2 : 1, keys,
				 eqprocs, q->lock ? LockTupleKeyShare + 1 : 0, NULL,
				 member_probe_row, &mp) < 0)
	{
		q->rows->n = start;		/* deferred: leave no partial answer */
		return false;
	}
	return true;
}

/* [partner][lock] */
static MpSql members_sql[2][2] = {
	{
		Q("SELECT m.customer_id, m.role" FROM("customer_member m")
		  " WHERE m.member" EQ "$1", AS_OWNER, 1, REGROLEOID),
		Q("SELECT m.customer_id, m.role" FROM("customer_member m")
		  " WHERE m.member" EQ "$1 AND m.customer_id" EQ "$2"
		  " FOR KEY SHARE OF m", AS_OWNER, 2, REGROLEOID, UUIDOID),
	},
	{
		Q("SELECT m.partner_id, m.role" FROM("partner_member m")
		  " WHERE m.member" EQ "$1", AS_OWNER, 1, REGROLEOID),
		Q("SELECT m.partner_id, m.role" FROM("partner_member m")
		  " WHERE m.member" EQ "$1 AND m.partner_id" EQ "$2"
		  " FOR KEY SHARE OF m", AS_OWNER, 2, REGROLEOID, UUIDOID),
	},
};

static bool
members_spi(void *question)
{
	QMembers   *q = (QMembers *) question;
	MpSql	   *sql = &members_sql[q->partner][q->lock];
	MpPlacement *ps = NULL;
	int			np = 1;
	Datum		args[2];
	int			n;

	/* the unlocked queries read all of a role's rows (id is then NULL) */
	Assert(q->lock == (q->id != NULL));
	args[0] = ObjectIdGetDatum(q->userid);
	if (q->id)
		args[1] = UUIDPGetDatum(q->id);
	/* all of a role's customers on Citus, as members_direct: each local shard */
	if (!q->partner && q->id == NULL && mp_citus_present())
		np = mp_placement_local("customer_member", &ps);
	for (int p = 0; p < np; p++)
	{
		n = ps ? spi_run_on(sql, &ps[p], args, NULL, 0, InvalidSnapshot) :
			spi_run_at(sql, q->partner ? "partner_member" : "customer_member",
					   q->id, args, NULL, 0, InvalidSnapshot);
		for (int i = 0; i < n; i++)
		{
			bool		isnull;
			pg_uuid_t	id = spi_uuid(i, 1, &isnull);

			member_rows_add(q->rows, &id,
							mp_enum_index(spi_col(i, 2, &isnull),
										  q->partner ? mp_partner_role_labels :
										  mp_customer_role_labels));
		}
		spi_done();
	}
	return true;
}

void
mp_lookup_memberships(bool partner, Oid userid, const pg_uuid_t *id, bool lock,
					  MpMemberRows *rows)
{
	QMembers	q = {partner, userid, id, lock, rows};

	ask(partner ?
		(lock ? MP_LOOKUP_PARTNER_MEMBERSHIP_LOCK : MP_LOOKUP_PARTNER_MEMBERSHIPS) :
		(lock ? MP_LOOKUP_CUSTOMER_MEMBERSHIP_LOCK : MP_LOOKUP_CUSTOMER_MEMBERSHIPS),
		&q);
}

/* ------------------------------------------------------------------------
 * Does a role still have a row in a member table, as of now (the latest
 * snapshot, after the caller's own change)?  member_changed asks it to
 * unbind a role whose last row went.
 * ------------------------------------------------------------------------
 */
typedef struct QMemberLeft
{
	bool		partner;
	Oid			roleid;
	bool		found;
} QMemberLeft;

static MpSql member_left_sql[2] = {
	Q("SELECT 1" FROM("customer_member m") " WHERE m.member" EQ "$1 LIMIT 1",
	  AS_OWNER, 1, REGROLEOID),
	Q("SELECT 1" FROM("partner_member m") " WHERE m.member" EQ "$1 LIMIT 1",
	  AS_OWNER, 1, REGROLEOID),
};

static bool
member_left_spi(void *question)
{
	QMemberLeft *q = (QMemberLeft *) question;
	MpSql	   *sql = &member_left_sql[q->partner];
	Datum		arg = ObjectIdGetDatum(q->roleid);

	if (!q->partner && mp_citus_present())
	{
		/*
		 * customer_member by role on Citus: this node's shards, as the
		 * memberships (members_spi).  The binding this answer keeps or
		 * removes is this node's, for the customers this node judges.
		 */
		MpPlacement *ps;
		int			n = mp_placement_local("customer_member", &ps);

		q->found = false;
		for (int i = 0; i < n && !q->found; i++)
		{
			q->found = spi_run_on(sql, &ps[i], &arg, NULL, 1, GetLatestSnapshot()) > 0;
			spi_done();
		}
		return true;
	}
	/* partner_member: the table, or on Citus its local placement */
	q->found = spi_run_at(sql, q->partner ? "partner_member" : "customer_member",
						  NULL, &arg, NULL, 1, GetLatestSnapshot()) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_role_has_members(bool partner, Oid roleid)
{
	QMemberLeft q = {partner, roleid, false};

	ask(MP_LOOKUP_MEMBER_ROWS_LEFT, &q);
	return q.found;
}

/* ------------------------------------------------------------------------
 * A partner: its cloud and status (an index in mp_partner_status_labels),
 * read without a lock like any plain read.
 * ------------------------------------------------------------------------
 */
static bool
partner_probe_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	Question   *q = (Question *) arg;
	MpPartnerInfo *info = (MpPartnerInfo *) q->answer;
	bool		cnull;
	bool		snull;
	Datum		cloud = slot_getattr(slot, mp_attnum(rel, "cloud"), &cnull);
	Datum		status = slot_getattr(slot, mp_attnum(rel, "status"), &snull);

	if (!cnull && !snull)
	{
		info->cloud = DatumGetObjectId(cloud);
		info->status = mp_enum_index(status, mp_partner_status_labels);
		q->found = true;
	}
	return true;
}

static bool
partner_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"partner_id"};
	int			n;

	n = probe_keys(q, "partner", "partner_pkey", keycols, 1, 0, NULL,
				   partner_probe_row, q);
	/* a NULL in a NOT NULL column: not the table the probe knows */
	if (n < 0 || (n > 0 && !q->found))
	{
		q->found = false;
		return false;
	}
	return true;
}

static MpSql partner_sql =
Q("SELECT p.cloud, p.status" FROM("partner p") " WHERE p.partner_id" EQ "$1",
  AS_OWNER, 1, UUIDOID);

static bool
partner_spi(void *question)
{
	Question   *q = (Question *) question;
	MpPartnerInfo *info = (MpPartnerInfo *) q->answer;
	bool		isnull;

	q->found = spi_keys_at(&partner_sql, q, "partner", NULL, 1, InvalidSnapshot) == 1;
	if (q->found)
	{
		info->cloud = DatumGetObjectId(spi_col(0, 1, &isnull));
		info->status = mp_enum_index(spi_col(0, 2, &isnull),
									 mp_partner_status_labels);
	}
	spi_done();
	return true;
}

bool
mp_lookup_partner(const pg_uuid_t *partner_id, MpPartnerInfo *info)
{
	return ask_about(MP_LOOKUP_PARTNER, partner_id, NULL, false, info).found;
}

/* ------------------------------------------------------------------------
 * A customer: its cloud, and (with_claim) the xmin and creator of its
 * tenant claim.  The claim row is only ever inserted, so its xmin is the
 * transaction that created the customer, whatever updated the customer row
 * since.  Only a partner's active insert asks for the claim; the direct
 * path then probes tenant too, a second index probe.
 * ------------------------------------------------------------------------
 */
/* The customer row: its cloud and the tenant it claims. */
typedef struct CustomerProbe
{
	Question   *q;				/* variant: with the claim */
	pg_uuid_t	tenant_id;
} CustomerProbe;

static bool
customer_probe_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	CustomerProbe *cp = (CustomerProbe *) arg;
	bool		cnull;
	bool		tnull;
	Datum		cloud = slot_getattr(slot, mp_attnum(rel, "cloud"), &cnull);
	Datum		tenant = slot_getattr(slot, mp_attnum(rel, "tenant_id"), &tnull);

	if (!cnull && !tnull)
	{
		((MpCustomerInfo *) cp->q->answer)->cloud = DatumGetObjectId(cloud);
		cp->tenant_id = *DatumGetUUIDP(tenant);
		cp->q->found = true;
	}
	return true;
}

/* The tenant row, if a customer's claim: its xmin and creator (the LEFT JOIN). */
static bool
claim_probe_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	MpCustomerInfo *info = (MpCustomerInfo *) arg;
	bool		isnull;
	Datum		kind = slot_getattr(slot, mp_attnum(rel, "kind"), &isnull);
	Datum		creator;
	text	   *t;

	if (isnull)
		return false;
	t = DatumGetTextPP(kind);
	if (VARSIZE_ANY_EXHDR(t) != strlen("customer") ||
		memcmp(VARDATA_ANY(t), "customer", strlen("customer")) != 0)
		return false;
	info->claim_xmin = DatumGetTransactionId(slot_getsysattr(slot,
															 MinTransactionIdAttributeNumber,
															 &isnull));
	creator = slot_getattr(slot, mp_attnum(rel, "created_by_partner"), &isnull);
	info->has_creator = !isnull;
	if (!isnull)
		info->creator = *DatumGetUUIDP(creator);
	return true;
}

static bool
customer_direct(void *question)
{
	Question   *q = (Question *) question;
	MpCustomerInfo *info = (MpCustomerInfo *) q->answer;
	static const char *const customer_keys[] = {"customer_id"};
	static const char *const tenant_keys[] = {"tenant_id"};
	CustomerProbe cp = {q, {{0}}};
	MpProbeOpts remote_empty = {.rellock = NoLock, .remote_empty = true};
	Datum		key;
	Oid			eqproc = F_UUID_EQ;
	int			n;

	n = probe_keys(q, "customer", "customer_pkey", customer_keys, 1, 0, NULL,
				   customer_probe_row, &cp);
	/* a NULL in a NOT NULL column: not the table the probe knows */
	if (n < 0 || (n > 0 && !q->found))
	{
		q->found = false;
		return false;
	}
	info->claim_xmin = InvalidTransactionId;
	info->has_creator = false;
	if (!q->found || !q->variant)
		return true;

	/*
	 * The claim, on a snapshot of its own: it is only ever inserted (with
	 * the customer, in one transaction) or deleted with the customer, so a
	 * later snapshot sees the claim of the customer the first one saw, or
	 * no customer any more, which the foreign key then refuses.
	 */
	key = UUIDPGetDatum(&cp.tenant_id);
	/*
	 * On Citus a claim whose shard is on another node (a customer made
	 * before distribution, whose id is not its tenant) is not read: not
	 * claimed here, so "not created by you" (CITUS_DESIGN §1.6).
	 */
	if (mp_probe_opts("tenant", "tenant_pkey", tenant_keys, 1, &key, &eqproc, 0,
					  NULL, claim_probe_row, info, &remote_empty) < 0)
	{
		q->found = false;
		return false;
	}
	return true;
}

static MpSql customer_sql =
Q("SELECT c.cloud, t.xmin, t.created_by_partner" FROM("customer c")
  " LEFT JOIN " MP_SCHEMA ".tenant t"
  "  ON t.tenant_id" EQ "c.tenant_id AND t.kind" EQ "'customer'"
  " WHERE c.customer_id" EQ "$1", AS_OWNER, 1, UUIDOID);

/*
 * On Citus the claim joined is the one in the tenant shard co-located with
 * the customer's: a customer's id is its tenant id there (party.c), so that
 * is its claim.  A customer made before distribution (id and tenant
 * differ) has its claim in another shard and reads as unclaimed here: not
 * created in this transaction, which it was not (CITUS_DESIGN §1.6; the
 * direct path reads no remote claim either).
 */
static const char *const customer_tables[] = {"customer", "tenant", NULL};

static bool
customer_spi(void *question)
{
	Question   *q = (Question *) question;
	MpCustomerInfo *info = (MpCustomerInfo *) q->answer;
	Datum		arg = UUIDPGetDatum(q->key[0]);
	bool		isnull;

	q->found = spi_run_colocated(&customer_sql, customer_tables, q->key[0],
								 &arg, NULL, 1, InvalidSnapshot) == 1;
	if (q->found)
	{
		Datum		xmin;

		info->cloud = DatumGetObjectId(spi_col(0, 1, &isnull));
		xmin = spi_col(0, 2, &isnull);
		info->claim_xmin = isnull ? InvalidTransactionId : DatumGetTransactionId(xmin);
		info->creator = spi_uuid(0, 3, &isnull);
		info->has_creator = !isnull;
		/* the same answer as the direct path, which reads no claim unasked */
		if (!q->variant)
		{
			info->claim_xmin = InvalidTransactionId;
			info->has_creator = false;
		}
	}
	spi_done();
	return true;
}

bool
mp_lookup_customer(const pg_uuid_t *customer_id, bool with_claim,
				   MpCustomerInfo *info)
{
	return ask_about(MP_LOOKUP_CUSTOMER, customer_id, NULL, with_claim, info).found;
}

/* ------------------------------------------------------------------------
 * Who created a customer (issue 10, item 5): whether the customer still
 * exists, the partner its tenant claim names (none for an operator's) and
 * whether that partner has a relationship with it, of any status.  claimed
 * is false only if the claim is not written yet.
 * ------------------------------------------------------------------------
 */
static MpSql creator_sql =
Q("SELECT t.tenant_id IS NOT NULL AS claimed, t.created_by_partner,"
  " EXISTS (SELECT" FROM("relationship r")
  "  WHERE r.customer_id" EQ "c.customer_id"
  "  AND r.partner_id" EQ "t.created_by_partner)"
  FROM("customer c")
  " LEFT JOIN " MP_SCHEMA ".tenant t"
  "  ON t.tenant_id" EQ "c.tenant_id AND t.owner_id" EQ "c.customer_id"
  "  AND t.kind" EQ "'customer'"
  " WHERE c.customer_id" EQ "$1", AS_OWNER, 1, UUIDOID);

/*
 * On Citus the three co-located shards of the customer: a customer inserted
 * there has its id as its tenant id, so its claim is in the tenant shard
 * of its id.
 */
static const char *const creator_tables[] = {"customer", "tenant", "relationship", NULL};

static bool
creator_spi(void *question)
{
	Question   *q = (Question *) question;
	MpCreatorInfo *info = (MpCreatorInfo *) q->answer;
	Datum		arg = UUIDPGetDatum(q->key[0]);
	bool		isnull;

	q->found = spi_run_colocated(&creator_sql, creator_tables, q->key[0], &arg,
								 NULL, 1, InvalidSnapshot) == 1;
	if (q->found)
	{
		info->claimed = DatumGetBool(spi_col(0, 1, &isnull));
		info->creator = spi_uuid(0, 2, &isnull);
		info->has_creator = !isnull;
		info->has_relationship = DatumGetBool(spi_col(0, 3, &isnull));
	}
	spi_done();
	return true;
}

bool
mp_lookup_customer_creator(const pg_uuid_t *customer_id, MpCreatorInfo *info)
{
	return ask_about(MP_LOOKUP_CUSTOMER_CREATOR, customer_id, NULL, false, info).found;
}

/* ------------------------------------------------------------------------
 * Is a partner or customer referred to by a relationship, a member row or
 * a subscription?  (R10: an operator deletes only one that is not.)
 * ------------------------------------------------------------------------
 */
static MpSql in_use_sql[2] = {
	Q("SELECT 1 WHERE EXISTS (SELECT" FROM("relationship r") " WHERE r.customer_id" EQ "$1)"
	  " OR EXISTS (SELECT" FROM("customer_member m") " WHERE m.customer_id" EQ "$1)"
	  " OR EXISTS (SELECT" FROM("subscription s") " WHERE s.customer_id" EQ "$1)",
	  AS_OWNER, 1, UUIDOID),
	Q("SELECT 1 WHERE EXISTS (SELECT" FROM("relationship r") " WHERE r.partner_id" EQ "$1)"
	  " OR EXISTS (SELECT" FROM("partner_member m") " WHERE m.partner_id" EQ "$1)"
	  " OR EXISTS (SELECT" FROM("subscription s") " WHERE s.partner_of_record" EQ "$1)",
	  AS_OWNER, 1, UUIDOID),
};

/*
 * On Citus, one read per table, each of this node's relation of it: for a
 * customer its co-located shards (local: the delete runs on the customer's
 * shard); for a partner, whose delete runs on every placement of the
 * reference table partner (coordinator and workers, one 2PC), the local
 * placement of partner_member and every local shard of relationship and
 * subscription: the nodes together read every shard, and a reference found
 * on any one of them refuses there and aborts the delete everywhere
 * (CITUS_DESIGN §2.3).
 */
typedef struct InUseTable
{
	const char *table;
	MpSql		sql;
} InUseTable;

static InUseTable in_use_tables[2][3] = {
	{
		{"relationship", Q("SELECT 1" FROM("relationship r") " WHERE r.customer_id" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
		{"customer_member", Q("SELECT 1" FROM("customer_member m") " WHERE m.customer_id" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
		{"subscription", Q("SELECT 1" FROM("subscription s") " WHERE s.customer_id" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
	},
	{
		{"relationship", Q("SELECT 1" FROM("relationship r") " WHERE r.partner_id" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
		{"partner_member", Q("SELECT 1" FROM("partner_member m") " WHERE m.partner_id" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
		{"subscription", Q("SELECT 1" FROM("subscription s") " WHERE s.partner_of_record" EQ "$1 LIMIT 1", AS_OWNER, 1, UUIDOID)},
	},
};

static bool
in_use_citus(Question *q)
{
	Datum		arg = UUIDPGetDatum(q->key[0]);

	q->found = false;
	for (int t = 0; t < 3 && !q->found; t++)
	{
		InUseTable *it = &in_use_tables[q->variant][t];
		MpPlacement *ps;
		int			n;

		if (!q->variant)
		{
			q->found = spi_run_at(&it->sql, it->table, q->key[0], &arg, NULL, 1,
								  InvalidSnapshot) > 0;
			spi_done();
			continue;
		}
		n = mp_placement_local(it->table, &ps);
		for (int i = 0; i < n && !q->found; i++)
		{
			q->found = spi_run_on(&it->sql, &ps[i], &arg, NULL, 1, InvalidSnapshot) > 0;
			spi_done();
		}
	}
	return true;
}

static bool
in_use_spi(void *question)
{
	Question   *q = (Question *) question;

	if (mp_citus_present())
		return in_use_citus(q);
	q->found = spi_keys(&in_use_sql[q->variant], q, 1, InvalidSnapshot) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_party_in_use(bool partner, const pg_uuid_t *id)
{
	return ask_about(MP_LOOKUP_PARTY_IN_USE, id, NULL, partner, NULL).found;
}

/* ------------------------------------------------------------------------
 * The tenant registry (R8): claim a tenant for an owner, say what kind of
 * owner holds a tenant, release an owner's claim.  On Citus each reads and
 * writes this node's shard of the registry for the tenant id (placement.c),
 * never the distributed table: a customer's claim is local by co-location
 * (its id is its tenant id), a partner's is made by the one placement of
 * the partner row on the node that holds that shard (mp_lookup_tenant_here).
 * ------------------------------------------------------------------------
 */
typedef struct QTenant
{
	const pg_uuid_t *tenant_id;
	const char *kind;			/* claim: the kind; kind: the answer */
	const pg_uuid_t *owner_id;
	const pg_uuid_t *creator;	/* claim: or NULL */
	bool		done;			/* claimed; found */
	bool		latest;			/* kind: read on the latest snapshot */
} QTenant;

static MpSql tenant_claim_sql =
Q("INSERT INTO " MP_SCHEMA ".tenant (tenant_id, kind, owner_id, created_by_partner)"
  " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO NOTHING",
  AS_OWNER, 4, UUIDOID, TEXTOID, UUIDOID, UUIDOID);

static bool
tenant_claim_spi(void *question)
{
	QTenant    *q = (QTenant *) question;
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	args[0] = UUIDPGetDatum(q->tenant_id);
	args[1] = CStringGetTextDatum(q->kind);
	args[2] = UUIDPGetDatum(q->owner_id);
	if (q->creator)
		args[3] = UUIDPGetDatum(q->creator);
	else
		nulls[3] = 'n';
	q->done = spi_run_at(&tenant_claim_sql, "tenant", q->tenant_id, args, nulls, 0,
						 InvalidSnapshot) == 1;
	spi_done();
	return true;
}

bool
mp_lookup_tenant_claim(const pg_uuid_t *tenant_id, const char *kind,
					   const pg_uuid_t *owner_id, const pg_uuid_t *creator)
{
	QTenant		q = {tenant_id, kind, owner_id, creator, false, false};

	ask(MP_LOOKUP_TENANT_CLAIM, &q);
	return q.done;
}

static MpSql tenant_kind_sql =
Q("SELECT t.kind" FROM("tenant t") " WHERE t.tenant_id" EQ "$1",
  AS_OWNER, 1, UUIDOID);

static bool
tenant_kind_spi(void *question)
{
	QTenant    *q = (QTenant *) question;
	Datum		arg = UUIDPGetDatum(q->tenant_id);
	MemoryContext cxt = CurrentMemoryContext;
	bool		isnull;

	q->done = spi_run_at(&tenant_kind_sql, "tenant", q->tenant_id, &arg, NULL, 1,
						 q->latest ? GetLatestSnapshot() : InvalidSnapshot) == 1;
	/* copied out into the caller's memory: SPI_finish frees the result */
	if (q->done)
		q->kind = MemoryContextStrdup(cxt, TextDatumGetCString(spi_col(0, 1, &isnull)));
	spi_done();
	return true;
}

/* The kind of owner that holds tenant_id (in the caller's memory), or NULL. */
const char *
mp_lookup_tenant_kind(const pg_uuid_t *tenant_id)
{
	QTenant		q = {tenant_id, NULL, NULL, NULL, false, false};

	ask(MP_LOOKUP_TENANT_KIND, &q);
	return q.done ? q.kind : NULL;
}

/*
 * The same on the latest snapshot: a claim committed after the transaction's
 * snapshot too (REPEATABLE READ).  Asked on Citus under the tenant's lock
 * (party.c), so that of two concurrent claimants the second sees the first.
 */
const char *
mp_lookup_tenant_kind_latest(const pg_uuid_t *tenant_id)
{
	QTenant		q = {tenant_id, NULL, NULL, NULL, false, true};

	ask(MP_LOOKUP_TENANT_KIND, &q);
	return q.done ? q.kind : NULL;
}

static MpSql tenant_release_sql =
Q("DELETE" FROM("tenant t") " WHERE t.tenant_id" EQ "$1 AND t.owner_id" EQ "$2",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
tenant_release_spi(void *question)
{
	QTenant    *q = (QTenant *) question;
	Datum		args[2];

	args[0] = UUIDPGetDatum(q->tenant_id);
	args[1] = UUIDPGetDatum(q->owner_id);
	q->done = spi_run_at(&tenant_release_sql, "tenant", q->tenant_id, args, NULL, 0,
						 InvalidSnapshot) > 0;
	spi_done();
	return true;
}

void
mp_lookup_tenant_release(const pg_uuid_t *tenant_id, const pg_uuid_t *owner_id)
{
	QTenant		q = {tenant_id, NULL, owner_id, NULL, false, false};

	ask(MP_LOOKUP_TENANT_RELEASE, &q);
}

/*
 * Is tenant_id's row of the registry on this node?  Always without Citus or
 * while the registry is not distributed; on Citus, whether this node holds
 * the registry's shard for it.
 */
bool
mp_lookup_tenant_here(const pg_uuid_t *tenant_id)
{
	MpPlacement pl;

	if (!mp_citus_present())
		return true;
	return mp_placement("tenant", tenant_id, true, &pl);
}

/*
 * Has a partner csp_tenant_id as its CSP tenant?  Asked on Citus only, of
 * this node's placement of the partner reference table (party.c), under the
 * tenant's lock and on the latest snapshot: a partner committed after the
 * transaction's snapshot counts too, as it does for the unique index the
 * question stands in for.
 */
static MpSql csp_taken_sql =
Q("SELECT 1" FROM("partner p") " WHERE p.csp_tenant_id" EQ "$1 LIMIT 1",
  AS_OWNER, 1, UUIDOID);

static bool
csp_taken_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys_at(&csp_taken_sql, q, "partner", NULL, 1, GetLatestSnapshot()) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_partner_csp_taken(const pg_uuid_t *csp_tenant_id)
{
	return ask_about(MP_LOOKUP_PARTNER_CSP_TAKEN, csp_tenant_id, NULL, false, NULL).found;
}

/* ------------------------------------------------------------------------
 * Relationships of a pair (customer, partner) or of a customer.
 * ------------------------------------------------------------------------
 */
/* The pending or active relationship of the pair (at most one). */
static MpSql rel_open_sql =
Q("SELECT r.relationship_id, r.status, r.requested_at" FROM("relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.partner_id" EQ "$2"
  " AND r.status OPERATOR(pg_catalog.=) ANY"
  "  (ARRAY['pending', 'active']::" MP_SCHEMA ".relationship_status[])",
  AS_OWNER, 2, UUIDOID, UUIDOID);

/* The latest relationship of the pair, of any status. */
static MpSql rel_latest_sql =
Q("SELECT r.relationship_id, r.status, r.requested_at" FROM("relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.partner_id" EQ "$2"
  " ORDER BY r.requested_at DESC LIMIT 1",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
rel_row_spi(MpSql *sql, Question *q)
{
	MpRelInfo  *info = (MpRelInfo *) q->answer;
	bool		isnull;

	q->found = spi_keys_at(sql, q, "relationship", q->key[0], 1, InvalidSnapshot) == 1;
	if (q->found)
	{
		info->relationship_id = spi_uuid(0, 1, &isnull);
		info->status = mp_enum_index(spi_col(0, 2, &isnull), mp_rel_status_labels);
		info->requested_at = DatumGetTimestampTz(spi_col(0, 3, &isnull));
	}
	spi_done();
	return true;
}

/*
 * The direct probes of a pair's relationships: its rows in
 * relationship_customer_partner_idx (every status; the partial
 * relationship_open_key would miss rows if a DBA narrowed its predicate),
 * the status checked on the row seen.
 */
typedef struct RelProbe
{
	Question   *q;
	AttrNumber	idatt;
	AttrNumber	statusatt;
	AttrNumber	atatt;
} RelProbe;

static bool
rel_open_filter(Relation rel, TupleTableSlot *slot, void *arg)
{
	RelProbe   *rp = (RelProbe *) arg;
	bool		isnull;
	Datum		status;
	int			s;

	if (rp->statusatt == 0)
	{
		rp->idatt = mp_attnum(rel, "relationship_id");
		rp->statusatt = mp_attnum(rel, "status");
		rp->atatt = mp_attnum(rel, "requested_at");
	}
	status = slot_getattr(slot, rp->statusatt, &isnull);
	if (isnull)
		return false;
	s = mp_enum_index(status, mp_rel_status_labels);
	return s == MP_REL_PENDING || s == MP_REL_ACTIVE;
}

static bool
rel_open_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	RelProbe   *rp = (RelProbe *) arg;
	bool		idnull;
	bool		snull;
	bool		atnull;
	Datum		id = slot_getattr(slot, rp->idatt, &idnull);
	Datum		status = slot_getattr(slot, rp->statusatt, &snull);
	Datum		at = slot_getattr(slot, rp->atatt, &atnull);
	MpRelInfo  *info = (MpRelInfo *) rp->q->answer;

	/* the first one, as the query's row limit of 1 (the unique index allows one) */
	if (rp->q->found)
		return false;
	info->relationship_id = idnull ? (pg_uuid_t) {{0}} : *DatumGetUUIDP(id);
	info->status = mp_enum_index(status, mp_rel_status_labels);
	info->requested_at = atnull ? 0 : DatumGetTimestampTz(at);
	rp->q->found = true;
	return true;
}

static bool
rel_open_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id", "partner_id"};
	RelProbe	rp = {q, 0, 0, 0};

	return probe_keys(q, "relationship", "relationship_customer_partner_idx",
					  keycols, 2, 0, rel_open_filter, rel_open_row, &rp) >= 0;
}

static bool
rel_open_spi(void *question)
{
	return rel_row_spi(&rel_open_sql, (Question *) question);
}

static bool
rel_latest_spi(void *question)
{
	return rel_row_spi(&rel_latest_sql, (Question *) question);
}

bool
mp_lookup_open_relationship(const pg_uuid_t *customer_id,
							const pg_uuid_t *partner_id, MpRelInfo *info)
{
	return ask_about(MP_LOOKUP_OPEN_RELATIONSHIP, customer_id, partner_id, false,
					 info).found;
}

bool
mp_lookup_latest_relationship(const pg_uuid_t *customer_id,
							  const pg_uuid_t *partner_id, MpRelInfo *info)
{
	return ask_about(MP_LOOKUP_LATEST_RELATIONSHIP, customer_id, partner_id, false,
					 info).found;
}

/* Has the customer any relationship at all? */
static MpSql rel_any_sql =
Q("SELECT 1" FROM("relationship r") " WHERE r.customer_id" EQ "$1 LIMIT 1",
  AS_OWNER, 1, UUIDOID);

static bool
rel_any_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	((Question *) arg)->found = true;
	return true;
}

static bool
rel_any_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id"};

	return probe_keys(q, "relationship", "relationship_customer_partner_idx",
					  keycols, 1, 0, NULL, rel_any_row, q) >= 0;
}

static bool
rel_any_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys_at(&rel_any_sql, q, "relationship", q->key[0], 1, InvalidSnapshot) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_customer_has_relationship(const pg_uuid_t *customer_id)
{
	return ask_about(MP_LOOKUP_ANY_RELATIONSHIP, customer_id, NULL, false, NULL).found;
}

/*
 * R4/R11: the relationship that allows a sale, held FOR SHARE until the
 * selling transaction ends.  FOR KEY SHARE would not conflict with the
 * status update of a concurrent termination; FOR SHARE does, so the
 * termination either waits for this sale (and then sees its subscription,
 * R13) or commits first (and then this finds no active row: in READ
 * COMMITTED the lock re-checks the status on the new row version, in
 * REPEATABLE READ it fails with a serialization error).  The direct probe
 * does the same with table_tuple_lock() and a check of the version locked.
 */
static bool
rel_active_filter(Relation rel, TupleTableSlot *slot, void *arg)
{
	AttrNumber *status_att = (AttrNumber *) arg;
	bool		isnull;
	Datum		status;

	if (*status_att == 0)
		*status_att = mp_attnum(rel, "status");
	status = slot_getattr(slot, *status_att, &isnull);
	return !isnull && mp_enum_index(status, mp_rel_status_labels) == MP_REL_ACTIVE;
}

static bool
count_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	return true;
}

static bool
rel_active_lock_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id", "partner_id"};
	AttrNumber	status_att = 0;
	int			n;

	n = probe_keys(q, "relationship", "relationship_customer_partner_idx",
				   keycols, 2, LockTupleShare + 1, rel_active_filter, count_row,
				   &status_att);
	if (n < 0)
		return false;
	q->found = n > 0;
	return true;
}

static MpSql rel_active_lock_sql =
Q("SELECT 1" FROM("relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.partner_id" EQ "$2"
  " AND r.status" EQ "'active' FOR SHARE OF r",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
rel_active_lock_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys_at(&rel_active_lock_sql, q, "relationship", q->key[0], 1, InvalidSnapshot) == 1;
	spi_done();
	return true;
}

bool
mp_lookup_lock_active_relationship(const pg_uuid_t *customer_id,
								   const pg_uuid_t *partner_id)
{
	return ask_about(MP_LOOKUP_ACTIVE_RELATIONSHIP_LOCK, customer_id, partner_id,
					 false, NULL).found;
}

/*
 * R13: the partner's live (active or suspended) subscriptions with the
 * customer, as time has made them (one past its end without a renewal is
 * expired, SPEC §10, whether or not that is recorded), counted on the latest snapshot, not the transaction's: a sale
 * that committed while the termination waited for the relationship row
 * (the sale held it FOR SHARE) must be seen even under REPEATABLE READ,
 * where the transaction snapshot predates it.  This is what ri_triggers.c
 * does when it must detect rows that appeared concurrently.  The status
 * is read by the column form of effective_status(subscription): a
 * whole-row argument has the shard's row type on Citus, which no function
 * takes.
 */
static MpSql live_subs_sql =
Q("SELECT pg_catalog.count(*)" FROM("subscription s")
  " WHERE s.customer_id" EQ "$1 AND s.partner_of_record" EQ "$2"
  " AND s.status OPERATOR(pg_catalog.=) ANY"
  "  (ARRAY['active', 'suspended']::" MP_SCHEMA ".subscription_status[])"
  " AND " MP_SCHEMA ".effective_subscription_status(s.status, s.auto_renew, s.term,"
  "  s.created_at, s.term_start, s.commitment_end) OPERATOR(pg_catalog.=) ANY"
  "  (ARRAY['active', 'suspended']::" MP_SCHEMA ".subscription_status[])",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
live_subs_spi(void *question)
{
	Question   *q = (Question *) question;
	bool		isnull;

	spi_keys_at(&live_subs_sql, q, "subscription", q->key[0], 1, GetLatestSnapshot());
	q->count = DatumGetInt64(spi_col(0, 1, &isnull));
	spi_done();
	return true;
}

int64
mp_lookup_live_subscriptions(const pg_uuid_t *customer_id,
							 const pg_uuid_t *partner_id)
{
	return ask_about(MP_LOOKUP_LIVE_SUBSCRIPTIONS, customer_id, partner_id, false,
					 NULL).count;
}

/*
 * Record that a stale request expired, as the requesting role, not as the
 * owner: the audit record and ended_by must name who caused it.
 */
static MpSql expire_sql =
Q("UPDATE " MP_SCHEMA ".relationship r SET status = 'expired'"
  " WHERE r.relationship_id" EQ "$1 AND r.status" EQ "'pending'",
  AS_CALLER, 1, UUIDOID);

static bool
expire_spi(void *question)
{
	Question   *q = (Question *) question;

	/* on Citus the customer's relationship shard (key[1]), here */
	spi_keys_at(&expire_sql, q, "relationship", q->key[1], 0, InvalidSnapshot);
	spi_done();
	return true;
}

void
mp_lookup_expire_request(const pg_uuid_t *customer_id, const pg_uuid_t *relationship_id)
{
	/* $1 is the relationship; the customer only places the statement */
	(void) ask_about(MP_LOOKUP_EXPIRE_REQUEST, relationship_id, customer_id, false, NULL);
}

/* ------------------------------------------------------------------------
 * Write this audit row: directly into the table and its indexes, with the
 * images the caller builds (fastpath.c, mp_fast_audit_insert), or as the
 * schema owner through one kept plan per audited table, whose parameters
 * are the table's own row type so to_jsonb() sees every column.
 * ------------------------------------------------------------------------
 */
static bool
audit_direct(void *question)
{
	MpAuditRow *row = (MpAuditRow *) question;

	row->old_row = row->oldtup ? row->image(row->image_arg, row->rel, row->oldtup) : (Datum) 0;
	row->new_row = row->newtup ? row->image(row->image_arg, row->rel, row->newtup) : (Datum) 0;
	return mp_fast_audit_insert(row);
}

/* true only while audit_spi inserts its row (mp_audit_log_guard asks) */
static bool audit_writing = false;

bool
mp_lookup_audit_writing(void)
{
	return audit_writing;
}

static const char *const audit_sql =
"INSERT INTO " MP_SCHEMA ".audit_log"
" (actor, session_actor, acting_partner, operation, table_name, row_id,"
"  old_row, new_row, txid, partner_id, customer_id, audit_key)"
" VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.to_jsonb($7), pg_catalog.to_jsonb($8),"
"  pg_catalog.txid_current(), $9, $10, $11)";

#define AUDIT_NARGS 11
#define MP_AUDIT_PLANS 8

/*
 * The plans by row type, because that is their parameter type; a table
 * dropped and created again (DROP/CREATE EXTENSION in one backend) has a
 * new one, and its old slot is reused once all are taken, so the cache
 * stays bounded.
 */
typedef struct MpAuditPlan
{
	Oid			reltype;
	SPIPlanPtr	plan;
} MpAuditPlan;

static MpAuditPlan audit_plans[MP_AUDIT_PLANS];
static int	audit_next_victim = 0;

static SPIPlanPtr *
audit_plan_slot(Oid reltype)
{
	MpAuditPlan *victim;

	for (int i = 0; i < MP_AUDIT_PLANS; i++)
	{
		if (audit_plans[i].reltype == reltype)
			return &audit_plans[i].plan;
		if (audit_plans[i].reltype == InvalidOid)
		{
			audit_plans[i].reltype = reltype;
			return &audit_plans[i].plan;
		}
	}
	victim = &audit_plans[audit_next_victim];
	audit_next_victim = (audit_next_victim + 1) % MP_AUDIT_PLANS;
	if (victim->plan)
		SPI_freeplan(victim->plan);
	victim->plan = NULL;
	victim->reltype = reltype;
	return &victim->plan;
}

static bool
audit_spi(void *question)
{
	MpAuditRow *row = (MpAuditRow *) question;
	Relation	rel = row->rel;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Oid			argtypes[AUDIT_NARGS] = {
		NAMEOID, NAMEOID, UUIDOID, TEXTOID, NAMEOID, TEXTOID,
		rel->rd_rel->reltype, rel->rd_rel->reltype, UUIDOID, UUIDOID, UUIDOID
	};
	Datum		values[AUDIT_NARGS + 2];
	char		nulls[AUDIT_NARGS + 2];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = row->actor;
	values[1] = row->session_actor;
	if (row->acting_partner)
		values[2] = UUIDPGetDatum(row->acting_partner);
	else
		nulls[2] = 'n';
	values[3] = CStringGetTextDatum(row->operation);
	values[4] = row->table_name;
	values[5] = CStringGetTextDatum(row->row_id);
	if (row->oldtup)
		values[6] = heap_copy_tuple_as_datum(row->oldtup, tupdesc);
	else
		nulls[6] = 'n';
	if (row->newtup)
		values[7] = heap_copy_tuple_as_datum(row->newtup, tupdesc);
	else
		nulls[7] = 'n';
	if (row->partner_id)
		values[8] = UUIDPGetDatum(row->partner_id);
	else
		nulls[8] = 'n';
	if (row->customer_id)
		values[9] = UUIDPGetDatum(row->customer_id);
	else
		nulls[9] = 'n';
	if (row->audit_key)
		values[10] = UUIDPGetDatum(row->audit_key);
	else
		nulls[10] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	audit_writing = true;
	PG_TRY();
	{
		if (row->at == NULL)
			mp_execute(audit_plan_slot(rel->rd_rel->reltype), audit_sql, AUDIT_NARGS,
					   argtypes, true, values, nulls, 0, InvalidSnapshot);
		else
		{
			/* the shard, with the event_id computed (no identity there) */
			Oid			shardtypes[AUDIT_NARGS + 1];
			SPIPlanPtr	plan = NULL;
			char	   *sql = psprintf("INSERT INTO %s"
									   " (actor, session_actor, acting_partner, operation, table_name, row_id,"
									   "  old_row, new_row, txid, partner_id, customer_id, audit_key, event_id)"
									   " VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.to_jsonb($7), pg_catalog.to_jsonb($8),"
									   "  pg_catalog.txid_current(), $9, $10, $11, $12)",
									   mp_placement_qualified(row->at));

			memcpy(shardtypes, argtypes, sizeof(argtypes));
			shardtypes[AUDIT_NARGS] = INT8OID;
			values[AUDIT_NARGS] = Int64GetDatum(row->event_id);
			mp_execute(&plan, sql, AUDIT_NARGS + 1, shardtypes, true,
					   values, nulls, 0, InvalidSnapshot);
			SPI_freeplan(plan);
		}
	}
	PG_FINALLY();
	{
		audit_writing = false;
	}
	PG_END_TRY();
	SPI_finish();
	return true;
}

/*
 * On Citus the audit row goes into this node's shard of audit_log for the
 * row's key (placement.c), with an event_id the writer computes (a shard
 * has no identity default).  The key is the audit log's distribution
 * column's: customer_id or partner_id by name, otherwise (an audit key) the
 * customer, else the partner, else the row's own id (admin_role).  A row of
 * a reference table is audited by every placement's trigger; only the node
 * holding the key's audit shard writes it, so it is written once
 * (CITUS_DESIGN §1.7, finding 8).  Anything else whose audit shard is not
 * here is refused (55000): never a distributed insert from a shard.
 */
void
mp_lookup_audit_insert(MpAuditRow *row)
{
	MpPlacement pl;
	MpPlacement probe;

	row->at = NULL;
	if (!mp_citus_present())
	{
		ask(MP_LOOKUP_AUDIT_INSERT, row);	/* the table itself */
		return;
	}
	if (mp_placement("audit_log", NULL, true, &probe))
	{
		if (probe.shardid != 0)
		{
			/* a reference (single-shard) audit log: its one placement */
			pl = probe;
			row->at = &pl;
			row->event_id = mp_placement_event_id(&pl);
		}
	}
	else if (probe.partmethod == 'h')
	{
		const pg_uuid_t *key;
		const char *col = NameStr(probe.distcol);

		if (strcmp(col, "customer_id") == 0)
			key = row->customer_id;
		else if (strcmp(col, "partner_id") == 0)
			key = row->partner_id;
		else
			key = row->audit_key;	/* customer, else partner, else the row's id */
		if (key == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot audit a row of table \"%s\" on this node",
							NameStr(*DatumGetName(row->table_name))),
					 errdetail("The audit log is distributed by %s, which this row does not have.", col)));
		if (!mp_placement("audit_log", key, true, &pl))
		{
			if (pl.remote &&
				mp_placement_method(mp_logical_relid(row->rel)) == 'n')
				return;			/* the owner placement writes it */
			(void) mp_placement("audit_log", key, false, &pl);	/* 55000 */
		}
		row->at = &pl;
		row->event_id = mp_placement_event_id(&pl);
	}
	ask(MP_LOOKUP_AUDIT_INSERT, row);
	row->at = NULL;
}

/* ------------------------------------------------------------------------
 * Restore mode (restore.c): is a row's partner or customer loaded yet, hold
 * a row until it is, put the held rows of a table back.  As the restoring
 * superuser, each with a snapshot of its own (READ COMMITTED: what has
 * committed by now).
 * ------------------------------------------------------------------------
 */
typedef struct QHold
{
	const char *table_name;
	const char *row_image;
} QHold;

static MpSql party_there_sql[2] = {
	Q("SELECT 1" FROM("customer c") " WHERE c.customer_id" EQ "$1",
	  AS_CALLER, 1, UUIDOID),
	Q("SELECT 1" FROM("partner p") " WHERE p.partner_id" EQ "$1",
	  AS_CALLER, 1, UUIDOID),
};

static bool
party_there_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys(&party_there_sql[q->variant], q, 1, InvalidSnapshot) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_party_exists(bool partner, const pg_uuid_t *id)
{
	return ask_about(MP_LOOKUP_RESTORE_PARTY, id, NULL, partner, NULL).found;
}

/* an access assignment's admin relationship: loaded yet? */
static MpSql admin_rel_there_sql =
Q("SELECT 1" FROM("admin_relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.admin_relationship_id" EQ "$2",
  AS_CALLER, 2, UUIDOID, UUIDOID);

static bool
admin_rel_there_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys(&admin_rel_there_sql, q, 1, InvalidSnapshot) > 0;
	spi_done();
	return true;
}

/*
 * The direct path: admin_relationship_pkey, as the restoring superuser
 * (restore mode is a superuser's, who bypasses row security and needs no
 * grant: what the query as the caller reads); anyone else takes the query.
 */
static bool
admin_rel_there_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id", "admin_relationship_id"};

	if (!superuser())
		return false;
	return probe_keys(q, "admin_relationship", "admin_relationship_pkey",
					  keycols, 2, 0, NULL, rel_any_row, q) >= 0;
}

bool
mp_lookup_admin_relationship_exists(const pg_uuid_t *customer_id, const pg_uuid_t *id)
{
	return ask_about(MP_LOOKUP_RESTORE_ADMIN_RELATIONSHIP, customer_id, id, false, NULL).found;
}

static MpSql hold_sql =
Q("INSERT INTO " MP_SCHEMA ".restore_held (table_name, row_image) VALUES ($1, $2)",
  AS_CALLER, 2, TEXTOID, TEXTOID);

static bool
hold_spi(void *question)
{
	QHold	   *q = (QHold *) question;
	Datum		args[2];

	args[0] = CStringGetTextDatum(q->table_name);
	args[1] = CStringGetTextDatum(q->row_image);
	spi_run(&hold_sql, args, NULL, 0, InvalidSnapshot);
	spi_done();
	return true;
}

void
mp_lookup_restore_hold(const char *table_name, const char *row_image)
{
	QHold		q = {table_name, row_image};

	ask(MP_LOOKUP_RESTORE_HOLD, &q);
}

/*
 * Put back the held rows of each table that can hold rows, in this order:
 * access_assignment after admin_relationship, whose rows put back here may
 * be what its held rows waited for.
 */
#define RELEASE_SQL(t) \
Q("WITH held AS (DELETE FROM " MP_SCHEMA ".restore_held h" \
  "               WHERE h.table_name OPERATOR(pg_catalog.=) '" t "'" \
  "              RETURNING h.row_image)" \
  " INSERT INTO " MP_SCHEMA "." t \
  " SELECT (r.img).* FROM (SELECT held.row_image::" MP_SCHEMA "." t " AS img" \
  "                          FROM held OFFSET 0) r", AS_CALLER, 0, InvalidOid)

static MpSql release_sql[] = {
	RELEASE_SQL("partner_member"),
	RELEASE_SQL("customer_member"),
	RELEASE_SQL("relationship"),
	RELEASE_SQL("subscription"),
	RELEASE_SQL("admin_relationship"),
	RELEASE_SQL("access_assignment"),
};

static bool
release_spi(void *question)
{
	for (int i = 0; i < lengthof(release_sql); i++)
	{
		spi_run(&release_sql[i], NULL, NULL, 0, InvalidSnapshot);
		spi_done();
	}
	return true;
}

void
mp_lookup_restore_release(void)
{
	(void) ask_about(MP_LOOKUP_RESTORE_RELEASE, NULL, NULL, false, NULL);
}

/* ------------------------------------------------------------------------
 * GDAP (gdap.c, SPEC §9): the admin roles of a roles array, a display name
 * or an id taken, the admin relationship an assignment relies on (locked),
 * and the end of an ended relationship's assignments.
 * ------------------------------------------------------------------------
 */
typedef struct QAdminRoles
{
	Datum		ids;			/* uuid[] */
	int			n;
	const pg_uuid_t *items;
	bool	   *known;
	bool	   *global_admin;
} QAdminRoles;

static MpSql admin_roles_sql =
Q("SELECT r.role_id, r.global_admin" FROM("admin_role r")
  " WHERE r.role_id OPERATOR(pg_catalog.=) ANY ($1)",
  AS_OWNER, 1, UUIDARRAYOID);

static bool
admin_roles_spi(void *question)
{
	QAdminRoles *q = (QAdminRoles *) question;
	int			rows;

	for (int i = 0; i < q->n; i++)
		q->known[i] = q->global_admin[i] = false;
	rows = spi_run_at(&admin_roles_sql, "admin_role", NULL, &q->ids, NULL, 0, InvalidSnapshot);
	for (int r = 0; r < rows; r++)
	{
		bool		isnull;
		pg_uuid_t	id = spi_uuid(r, 1, &isnull);
		bool		ga = DatumGetBool(spi_col(r, 2, &isnull));

		for (int i = 0; i < q->n; i++)
			if (mp_uuid_eq(&q->items[i], &id))
			{
				q->known[i] = true;
				q->global_admin[i] = ga;
			}
	}
	spi_done();
	return true;
}

/*
 * The direct path: admin_role is a small reference table whose rows are
 * only ever added (R20: never deleted, renamed, nor is global_admin
 * changed), so its rows are kept, sorted by role_id, in a backend-local
 * cache (cache.c's idiom) and looked up there.  Kept answers are only ever
 * "this role exists (and is or is not a global_admin one)": a row that one
 * snapshot of this backend saw is seen by every later snapshot of it (a
 * later transaction's, or a later statement's in READ COMMITTED; under
 * REPEATABLE READ the fill ran in this transaction or in an earlier one, on
 * an older snapshot).  A role the cache does not hold is not "unknown" but
 * a probe of admin_role_pkey, on the snapshot the query would have used: a
 * role added since the fill (whose commit may be visible here before its
 * invalidation arrives) is found, and the cache filled again at the next
 * lookup.  The cache goes on a relcache invalidation of admin_role, which
 * DDL sends and every write to the table sends too (gdap.c's admin_role
 * guard, restore mode included), at the next command here and at commit to
 * the other backends; so a role added by a transaction that rolls back
 * leaves no answer behind.  The query's AccessShareLock on admin_role is
 * taken all the same (taking it anew takes the invalidations sent
 * meanwhile).  Under SERIALIZABLE the cache is not used: the probes take
 * the predicate locks the query's scan would.  More than
 * ADMIN_ROLE_CACHE_MAX rows are not kept: each role is probed.
 */
#define ADMIN_ROLE_CACHE_MAX 1024

typedef struct AdminRoleEntry
{
	pg_uuid_t	id;
	bool		global_admin;
} AdminRoleEntry;

static struct
{
	Oid			relid;			/* admin_role's oid (on Citus its placement's), as filled */
	Oid			logicalrelid;	/* admin_role's (gdap.c's writes invalidate it) */
	bool		too_many;		/* over ADMIN_ROLE_CACHE_MAX rows: probe each */
	int			n;
	int			size;
	AdminRoleEntry *items;		/* sorted by id, in the cache's context */
} admin_role_cache;

/* an invalidation of admin_role; while the cache is being filled, any */
static void
admin_role_cache_inval(MpCache *c, Oid relid)
{
	if (!c->valid || !OidIsValid(relid) || relid == admin_role_cache.relid ||
		relid == admin_role_cache.logicalrelid)
		mp_cache_invalidate(c);
}

static MpCache admin_role_c = MP_CACHE("multipartner admin roles",
									   .on_relcache = true,
									   .rel_inval = admin_role_cache_inval);

void
mp_lookup_init(void)
{
	mp_cache_register(&admin_role_c);
}

static int
admin_role_cmp(const void *a, const void *b)
{
	return memcmp(((const AdminRoleEntry *) a)->id.data,
				  ((const AdminRoleEntry *) b)->id.data, UUID_LEN);
}

/* One admin_role row: its id and global_admin (false: a NULL, not the table we know). */
static bool
admin_role_read(Relation rel, TupleTableSlot *slot, AdminRoleEntry *e)
{
	bool		inull;
	bool		gnull;
	Datum		id = slot_getattr(slot, mp_attnum(rel, "role_id"), &inull);
	Datum		ga = slot_getattr(slot, mp_attnum(rel, "global_admin"), &gnull);

	if (inull || gnull)
		return false;
	e->id = *DatumGetUUIDP(id);
	e->global_admin = DatumGetBool(ga);
	return true;
}

typedef struct AdminRoleFill
{
	bool		bad;			/* a row with a NULL */
} AdminRoleFill;

static bool
admin_role_fill_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	AdminRoleFill *f = (AdminRoleFill *) arg;
	AdminRoleEntry e;

	if (!admin_role_read(rel, slot, &e))
	{
		f->bad = true;
		return false;
	}
	if (admin_role_cache.too_many)
		return false;
	if (admin_role_cache.n == ADMIN_ROLE_CACHE_MAX)
	{
		admin_role_cache.too_many = true;
		return false;
	}
	if (admin_role_cache.n == admin_role_cache.size)
	{
		admin_role_cache.size = Max(admin_role_cache.size * 2, 32);
		admin_role_cache.items = admin_role_cache.items ?
			repalloc(admin_role_cache.items, sizeof(AdminRoleEntry) * admin_role_cache.size) :
			MemoryContextAlloc(mp_cache_context(&admin_role_c),
							   sizeof(AdminRoleEntry) * admin_role_cache.size);
	}
	admin_role_cache.items[admin_role_cache.n++] = e;
	return true;
}

/*
 * Fill the cache with every row of admin_role (a scan of the whole of
 * admin_role_pkey, on the snapshot a query would use); false to take the
 * SPI path.  A fill an invalidation interrupted answers this lookup and is
 * not kept.
 */
static bool
admin_role_cache_fill(Oid relid)
{
	static const char *const keycols[] = {"role_id"};
	AdminRoleFill f = {false};

	mp_cache_fill_begin(&admin_role_c);
	admin_role_cache.relid = relid;
	admin_role_cache.logicalrelid = mp_relation_oid("admin_role");
	admin_role_cache.too_many = false;
	admin_role_cache.n = 0;
	admin_role_cache.size = 0;
	admin_role_cache.items = NULL;	/* its context was reset */
	if (mp_probe("admin_role", "admin_role_pkey", keycols, 0, NULL, NULL, 0,
				 NULL, admin_role_fill_row, &f) < 0 || f.bad)
		return false;			/* the cache stays invalid */
	if (admin_role_cache.n > 1)
		qsort(admin_role_cache.items, admin_role_cache.n, sizeof(AdminRoleEntry),
			  admin_role_cmp);
	/* filled by this lookup: it answers from it even if not kept */
	mp_cache_fill_end(&admin_role_c);
	return true;
}

typedef struct AdminRoleProbe
{
	AdminRoleEntry e;
	bool		bad;			/* a NULL: not the table the probe knows */
} AdminRoleProbe;

static bool
admin_role_probe_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	AdminRoleProbe *p = (AdminRoleProbe *) arg;

	p->bad = !admin_role_read(rel, slot, &p->e);
	return true;
}

static bool
admin_roles_direct(void *question)
{
	QAdminRoles *q = (QAdminRoles *) question;
	static const char *const keycols[] = {"role_id"};
	Oid			eqproc = F_UUID_EQ;
	MpPlacement pl;
	Oid			relid;
	bool		use_cache = !IsolationIsSerializable();
	bool		filled = false;

	/* the table, or on Citus its local placement (whose writes invalidate it) */
	if (!mp_placement("admin_role", NULL, false, &pl))
		return false;
	relid = pl.relid;
	LockRelationOid(relid, AccessShareLock);
	if (mp_cache_valid(&admin_role_c) && admin_role_cache.relid != relid)
		mp_cache_invalidate(&admin_role_c);
	if (use_cache && !mp_cache_valid(&admin_role_c))
	{
		if (!admin_role_cache_fill(relid))
			return false;
		filled = true;
	}
	use_cache &= (filled || mp_cache_valid(&admin_role_c)) && !admin_role_cache.too_many;

	for (int i = 0; i < q->n; i++)
	{
		AdminRoleProbe p = {{{{0}}, false}, false};
		AdminRoleEntry *hit = NULL;
		Datum		d;
		int			n;

		q->known[i] = q->global_admin[i] = false;
		p.e.id = q->items[i];
		if (use_cache && admin_role_cache.n > 0)
			hit = bsearch(&p.e, admin_role_cache.items, admin_role_cache.n,
						  sizeof(AdminRoleEntry), admin_role_cmp);
		if (hit)
		{
			q->known[i] = true;
			q->global_admin[i] = hit->global_admin;
			continue;
		}
		/* not kept: probed, as the query would read it */
		d = UUIDPGetDatum(&q->items[i]);
		n = mp_probe("admin_role", "admin_role_pkey", keycols, 1, &d, &eqproc, 0,
					 NULL, admin_role_probe_row, &p);
		if (n < 0 || p.bad)
			return false;		/* the SPI path sets every answer again */
		if (n > 0)
		{
			q->known[i] = true;
			q->global_admin[i] = p.e.global_admin;
			/* a role added since the fill: fill again next time */
			if (use_cache)
				mp_cache_invalidate(&admin_role_c);
		}
	}
	return true;
}

/* Which of items (the elements of the uuid[] ids) are admin roles, and global ones. */
void
mp_lookup_admin_roles(Datum ids, int n, const pg_uuid_t *items, bool *known,
					  bool *global_admin)
{
	QAdminRoles q = {ids, n, items, known, global_admin};

	ask(MP_LOOKUP_ADMIN_ROLES, &q);
}

/*
 * R15: another admin relationship of the partner has the display name.
 * Asked under the transaction advisory lock of (partner, name), on the latest
 * snapshot, so a concurrent insert committed while this one waited is seen.
 */
typedef struct QAdminName
{
	const pg_uuid_t *partner_id;
	Datum		display_name;
	const pg_uuid_t *except_id;
	bool		found;
} QAdminName;

static MpSql admin_name_sql =
Q("SELECT 1" FROM("admin_relationship r")
  " WHERE r.partner_id" EQ "$1 AND r.display_name" EQ "$2"
  " AND r.admin_relationship_id OPERATOR(pg_catalog.<>) $3 LIMIT 1",
  AS_OWNER, 3, UUIDOID, TEXTOID, UUIDOID);

static bool
admin_name_spi(void *question)
{
	QAdminName *q = (QAdminName *) question;
	Datum		args[3];

	args[0] = UUIDPGetDatum(q->partner_id);
	args[1] = q->display_name;
	args[2] = UUIDPGetDatum(q->except_id);
	q->found = spi_run(&admin_name_sql, args, NULL, 1, GetLatestSnapshot()) > 0;
	spi_done();
	return true;
}

/*
 * The direct path: admin_relationship_partner_name_idx on (partner_id,
 * display_name), on the latest snapshot as the query; display_name is
 * compared in the index's collation, which the probe checks is the
 * column's (the query's "=").
 */
typedef struct AdminNameProbe
{
	QAdminName *q;
	AttrNumber	idatt;
} AdminNameProbe;

static bool
admin_name_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	AdminNameProbe *np = (AdminNameProbe *) arg;
	bool		isnull;
	Datum		id;

	if (np->idatt == 0)
		np->idatt = mp_attnum(rel, "admin_relationship_id");
	id = slot_getattr(slot, np->idatt, &isnull);
	/* "<>": a NULL id is no other row */
	if (isnull || mp_uuid_eq(DatumGetUUIDP(id), np->q->except_id))
		return false;
	np->q->found = true;
	return true;
}

static bool
admin_name_direct(void *question)
{
	QAdminName *q = (QAdminName *) question;
	static const char *const keycols[] = {"partner_id", "display_name"};
	static const MpProbeOpts latest = {true, NoLock};
	AdminNameProbe np = {q, 0};
	Datum		keys[2];
	Oid			eqprocs[2] = {F_UUID_EQ, F_TEXTEQ};

	keys[0] = UUIDPGetDatum(q->partner_id);
	keys[1] = q->display_name;
	q->found = false;
	if (mp_probe_opts("admin_relationship", "admin_relationship_partner_name_idx",
					  keycols, 2, keys, eqprocs, 0, NULL, admin_name_row, &np,
					  &latest) < 0)
	{
		q->found = false;
		return false;
	}
	return true;
}

bool
mp_lookup_admin_name_taken(const pg_uuid_t *partner_id, Datum display_name,
						   const pg_uuid_t *except_id)
{
	QAdminName	q = {partner_id, display_name, except_id, false};

	ask(MP_LOOKUP_ADMIN_NAME_TAKEN, &q);
	return q.found;
}

/*
 * An admin relationship id is used by another row (the primary key has
 * customer_id first, SPEC §8, so it does not say this itself).
 */
static MpSql admin_id_sql =
Q("SELECT 1" FROM("admin_relationship r")
  " WHERE r.admin_relationship_id" EQ "$1"
  " AND r.customer_id OPERATOR(pg_catalog.<>) $2 LIMIT 1",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
admin_id_spi(void *question)
{
	Question   *q = (Question *) question;

	q->found = spi_keys(&admin_id_sql, q, 1, GetLatestSnapshot()) > 0;
	spi_done();
	return true;
}

/* The direct path: admin_relationship_id_idx, on the latest snapshot. */
typedef struct AdminIdProbe
{
	Question   *q;
	AttrNumber	customeratt;
} AdminIdProbe;

static bool
admin_id_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	AdminIdProbe *ip = (AdminIdProbe *) arg;
	bool		isnull;
	Datum		customer;

	if (ip->customeratt == 0)
		ip->customeratt = mp_attnum(rel, "customer_id");
	customer = slot_getattr(slot, ip->customeratt, &isnull);
	if (isnull || mp_uuid_eq(DatumGetUUIDP(customer), ip->q->key[1]))
		return false;
	ip->q->found = true;
	return true;
}

static bool
admin_id_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"admin_relationship_id"};
	static const MpProbeOpts latest = {true, NoLock};
	AdminIdProbe ip = {q, 0};
	Datum		key = UUIDPGetDatum(q->key[0]);
	Oid			eqproc = F_UUID_EQ;

	q->found = false;
	if (mp_probe_opts("admin_relationship", "admin_relationship_id_idx", keycols, 1,
					  &key, &eqproc, 0, NULL, admin_id_row, &ip, &latest) < 0)
	{
		q->found = false;
		return false;
	}
	return true;
}

bool
mp_lookup_admin_id_taken(const pg_uuid_t *id, const pg_uuid_t *customer_id)
{
	return ask_about(MP_LOOKUP_ADMIN_ID_TAKEN, id, customer_id, false, NULL).found;
}

/*
 * R15 on Citus: the claim of a partner's display name, in this node's
 * placement of admin_relationship_name (a reference table: every node has
 * one), on the latest snapshot, as the one writer of the name that got
 * past the claim's primary key sees it.  The claim names the admin
 * relationship (customer and id) that holds the name.
 */
typedef struct QAdminClaim
{
	const pg_uuid_t *partner_id;
	Datum		display_name;
	pg_uuid_t	customer_id;	/* the answer */
	pg_uuid_t	admin_relationship_id;
	bool		found;
} QAdminClaim;

static MpSql admin_claim_sql =
Q("SELECT n.customer_id, n.admin_relationship_id" FROM("admin_relationship_name n")
  " WHERE n.partner_id" EQ "$1 AND n.display_name" EQ "$2",
  AS_OWNER, 2, UUIDOID, TEXTOID);

static bool
admin_claim_spi(void *question)
{
	QAdminClaim *q = (QAdminClaim *) question;
	Datum		args[2];
	bool		isnull;

	args[0] = UUIDPGetDatum(q->partner_id);
	args[1] = q->display_name;
	q->found = spi_run_at(&admin_claim_sql, "admin_relationship_name", NULL, args, NULL,
						  1, GetLatestSnapshot()) == 1;
	if (q->found)
	{
		q->customer_id = spi_uuid(0, 1, &isnull);
		q->admin_relationship_id = spi_uuid(0, 2, &isnull);
	}
	spi_done();
	return true;
}

bool
mp_lookup_admin_name_claim(const pg_uuid_t *partner_id, Datum display_name,
						   pg_uuid_t *customer_id, pg_uuid_t *admin_relationship_id)
{
	QAdminClaim q = {partner_id, display_name, {{0}}, {{0}}, false};

	ask(MP_LOOKUP_ADMIN_NAME_CLAIM, &q);
	*customer_id = q.customer_id;
	*admin_relationship_id = q.admin_relationship_id;
	return q.found;
}

/*
 * Whether admin relationship id of customer_id still has display_name (the
 * release of a claim, on Citus): 1 yes, 0 no (or no such row), -1 when its
 * customer's shard is not on this node, whose placement then cannot tell.
 * On the latest snapshot, which includes this transaction's rename.
 */
typedef struct QAdminNameInUse
{
	const pg_uuid_t *customer_id;
	const pg_uuid_t *id;
	Datum		display_name;
	int			answer;
} QAdminNameInUse;

static MpSql admin_name_in_use_sql =
Q("SELECT 1" FROM("admin_relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.admin_relationship_id" EQ "$2"
  " AND r.display_name" EQ "$3",
  AS_OWNER, 3, UUIDOID, UUIDOID, TEXTOID);

static bool
admin_name_in_use_spi(void *question)
{
	QAdminNameInUse *q = (QAdminNameInUse *) question;
	MpPlacement pl;
	Datum		args[3];

	args[0] = UUIDPGetDatum(q->customer_id);
	args[1] = UUIDPGetDatum(q->id);
	args[2] = q->display_name;
	if (!mp_placement("admin_relationship", q->customer_id, true, &pl))
	{
		q->answer = pl.remote ? -1 : 0;
		return true;
	}
	q->answer = spi_run_on(&admin_name_in_use_sql, &pl, args, NULL, 1,
						   GetLatestSnapshot()) > 0;
	spi_done();
	return true;
}

int
mp_lookup_admin_name_in_use(const pg_uuid_t *customer_id, const pg_uuid_t *id,
							Datum display_name)
{
	QAdminNameInUse q = {customer_id, id, display_name, 0};

	ask(MP_LOOKUP_ADMIN_NAME_IN_USE, &q);
	return q.answer;
}

/*
 * R19: the admin relationship an assignment is made on, locked FOR SHARE
 * like the relationship a sale relies on: its termination, expiry or the
 * removal of a role (UPDATEs of the row) waits for the assignment, or the
 * assignment, in READ COMMITTED, reads the row as they left it.
 */
static MpSql admin_rel_lock_sql =
Q("SELECT r.partner_id, r.status, r.roles, r.requested_at, r.end_at, r.auto_extend"
  FROM("admin_relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.admin_relationship_id" EQ "$2"
  " FOR SHARE OF r",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
admin_rel_lock_spi(void *question)
{
	Question   *q = (Question *) question;
	MpAdminRelInfo *info = (MpAdminRelInfo *) q->answer;
	MemoryContext cxt = CurrentMemoryContext;

	q->found = spi_keys_at(&admin_rel_lock_sql, q, "admin_relationship", q->key[0], 1, InvalidSnapshot) == 1;
	if (q->found)
	{
		bool		isnull;
		Datum		d;

		info->partner_id = spi_uuid(0, 1, &isnull);
		info->status = mp_enum_index(spi_col(0, 2, &isnull), mp_admin_status_labels);
		d = spi_col(0, 3, &isnull);
		/* copied out into the caller's memory: SPI_finish frees the result */
		if (isnull)
			info->roles = NULL;
		else
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			info->roles = DatumGetArrayTypePCopy(d);
			MemoryContextSwitchTo(old);
		}
		d = spi_col(0, 4, &info->has_requested_at);
		info->has_requested_at = !info->has_requested_at;
		info->requested_at = info->has_requested_at ? DatumGetTimestampTz(d) : 0;
		d = spi_col(0, 5, &info->has_end_at);
		info->has_end_at = !info->has_end_at;
		info->end_at = info->has_end_at ? DatumGetTimestampTz(d) : 0;
		info->auto_extend = DatumGetBool(spi_col(0, 6, &isnull));
	}
	spi_done();
	return true;
}

/*
 * The direct path: admin_relationship_pkey, the row locked FOR SHARE in its
 * latest version (mp_probe), its columns read from the version locked, as
 * the query returns them after EvalPlanQual.
 */
typedef struct AdminRelLockProbe
{
	Question   *q;
	bool		bad;			/* a NULL in a NOT NULL column */
} AdminRelLockProbe;

static bool
admin_rel_lock_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	AdminRelLockProbe *lp = (AdminRelLockProbe *) arg;
	MpAdminRelInfo *info = (MpAdminRelInfo *) lp->q->answer;
	bool		pnull;
	bool		snull;
	bool		rnull;
	bool		anull;
	bool		isnull;
	Datum		partner = slot_getattr(slot, mp_attnum(rel, "partner_id"), &pnull);
	Datum		status = slot_getattr(slot, mp_attnum(rel, "status"), &snull);
	Datum		roles = slot_getattr(slot, mp_attnum(rel, "roles"), &rnull);
	Datum		extend = slot_getattr(slot, mp_attnum(rel, "auto_extend"), &anull);
	Datum		d;

	if (pnull || snull || anull)
	{
		lp->bad = true;
		return false;
	}
	info->partner_id = *DatumGetUUIDP(partner);
	info->status = mp_enum_index(status, mp_admin_status_labels);
	/* in the caller's memory (mp_probe runs in it); the slot's row goes */
	info->roles = rnull ? NULL : DatumGetArrayTypePCopy(roles);
	d = slot_getattr(slot, mp_attnum(rel, "requested_at"), &isnull);
	info->has_requested_at = !isnull;
	info->requested_at = isnull ? 0 : DatumGetTimestampTz(d);
	d = slot_getattr(slot, mp_attnum(rel, "end_at"), &isnull);
	info->has_end_at = !isnull;
	info->end_at = isnull ? 0 : DatumGetTimestampTz(d);
	info->auto_extend = DatumGetBool(extend);
	lp->q->found = true;
	return true;
}

static bool
admin_rel_lock_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id", "admin_relationship_id"};
	AdminRelLockProbe lp = {q, false};
	int			n;

	n = probe_keys(q, "admin_relationship", "admin_relationship_pkey", keycols, 2,
				   LockTupleShare + 1, NULL, admin_rel_lock_row, &lp);
	if (n < 0 || lp.bad)
	{
		q->found = false;
		return false;
	}
	return true;
}

bool
mp_lookup_lock_admin_relationship(const pg_uuid_t *customer_id,
								  const pg_uuid_t *id, MpAdminRelInfo *info)
{
	return ask_about(MP_LOOKUP_ADMIN_RELATIONSHIP_LOCK, customer_id, id, false,
					 info).found;
}

/*
 * The active assignments of an admin relationship that ended end with it,
 * recorded as ended by the role that ended it.  Run as the owner (a
 * customer's global admin may terminate, and cannot write assignments).  In
 * READ COMMITTED the UPDATE's own snapshot sees an assignment committed
 * while the termination waited for the relationship row (the assignment
 * held it FOR SHARE).  Under REPEATABLE READ and SERIALIZABLE the
 * transaction snapshot may predate it: an active assignment the latest
 * snapshot still sees afterwards is a serialization failure (40001), never
 * an assignment left on an ended relationship.  gdap.c's assignment trigger
 * lets exactly this update through.
 */
typedef struct QEndAssignments
{
	const pg_uuid_t *customer_id;
	const pg_uuid_t *id;
	TimestampTz at;
	int64		count;
} QEndAssignments;

static MpSql end_assignments_sql =
Q("UPDATE " MP_SCHEMA ".access_assignment a"
  " SET status = 'ended', ended_by = $3, ended_at = $4"
  " WHERE a.customer_id" EQ "$1 AND a.admin_relationship_id" EQ "$2"
  " AND a.status" EQ "'active'",
  AS_OWNER, 4, UUIDOID, UUIDOID, NAMEOID, TIMESTAMPTZOID);

static MpSql assignments_left_sql =
Q("SELECT 1" FROM("access_assignment a")
  " WHERE a.customer_id" EQ "$1 AND a.admin_relationship_id" EQ "$2"
  " AND a.status" EQ "'active' LIMIT 1",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
end_assignments_spi(void *question)
{
	QEndAssignments *q = (QEndAssignments *) question;
	Datum		args[4];
	NameData	who;
	bool		lent_before;

	namestrcpy(&who, mp_current_role_name());
	args[0] = UUIDPGetDatum(q->customer_id);
	args[1] = UUIDPGetDatum(q->id);
	args[2] = NameGetDatum(&who);
	args[3] = TimestampTzGetDatum(q->at);
	/* written as the owner, audited as the role that ended the relationship */
	lent_before = mp_audit_identity_lend();
	PG_TRY();
	{
		/* on Citus the customer's shard of access_assignment, here */
		q->count = spi_run_at(&end_assignments_sql, "access_assignment", q->customer_id,
							  args, NULL, 0, InvalidSnapshot);
	}
	PG_FINALLY();
	{
		mp_audit_identity_return(lent_before);
	}
	PG_END_TRY();
	spi_done();
	if (IsolationUsesXactSnapshot())
	{
		bool		left = spi_run_at(&assignments_left_sql, "access_assignment",
									  q->customer_id, args, NULL, 1,
									  GetLatestSnapshot()) > 0;

		spi_done();
		if (left)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("An access assignment of the admin relationship was made concurrently.")));
	}
	return true;
}

/*
 * The direct path answers the common case, an admin relationship that ends
 * with no active assignment, without the UPDATE: a probe of
 * access_assignment_pkey on the customer (every assignment of it; the
 * partial access_assignment_active_key would miss rows if a DBA narrowed
 * its predicate), under the UPDATE's RowExclusiveLock and on the snapshot
 * its executor would take, finds no row of the relationship that is
 * active.  The UPDATE then updates nothing either: it scans on the same
 * snapshot, a row the snapshot does not see is not its to update, and a
 * row it sees as ended cannot become active (an ended assignment is
 * final).  With an active assignment it defers: the rows are updated by
 * the UPDATE, with their triggers and audit rows.  It defers too when the
 * table has a rule or a statement-level UPDATE trigger (which would fire
 * even for no row).  It runs under READ COMMITTED only (a locking
 * question: the SPI path's check of the latest snapshot is for REPEATABLE
 * READ and SERIALIZABLE).
 */
typedef struct EndAssignmentsProbe
{
	QEndAssignments *q;
	AttrNumber	relatt;
	AttrNumber	statusatt;
} EndAssignmentsProbe;

static bool
end_assignments_filter(Relation rel, TupleTableSlot *slot, void *arg)
{
	EndAssignmentsProbe *ep = (EndAssignmentsProbe *) arg;
	bool		rnull;
	bool		snull;
	Datum		relid;
	Datum		status;

	if (ep->relatt == 0)
	{
		ep->relatt = mp_attnum(rel, "admin_relationship_id");
		ep->statusatt = mp_attnum(rel, "status");
	}
	relid = slot_getattr(slot, ep->relatt, &rnull);
	status = slot_getattr(slot, ep->statusatt, &snull);
	return !rnull && !snull && mp_uuid_eq(DatumGetUUIDP(relid), ep->q->id) &&
		mp_enum_index(status, mp_assignment_status_labels) == 0;	/* active */
}

static bool
end_assignments_direct(void *question)
{
	QEndAssignments *q = (QEndAssignments *) question;
	static const char *const keycols[] = {"customer_id"};
	static const MpProbeOpts update_lock = {false, RowExclusiveLock};
	EndAssignmentsProbe ep = {q, 0, 0};
	MpPlacement pl;
	Relation	rel;
	bool		plain;
	Datum		key = UUIDPGetDatum(q->customer_id);
	Oid			eqproc = F_UUID_EQ;

	/* the table, or on Citus the customer's shard of it (55000 if elsewhere) */
	if (!mp_placement("access_assignment", q->customer_id, false, &pl))
		return false;
	rel = table_open(pl.relid, RowExclusiveLock);
	plain = !rel->rd_rel->relhasrules &&
		(rel->trigdesc == NULL ||
		 (!rel->trigdesc->trig_update_before_statement &&
		  !rel->trigdesc->trig_update_after_statement));
	table_close(rel, NoLock);
	if (!plain)
		return false;
	/* any active row of the relationship: the UPDATE's to do */
	if (mp_probe_opts("access_assignment", "access_assignment_pkey", keycols, 1,
					  &key, &eqproc, 0, end_assignments_filter, count_row, &ep,
					  &update_lock) != 0)
		return false;
	q->count = 0;
	return true;
}

int64
mp_lookup_end_assignments(const pg_uuid_t *customer_id, const pg_uuid_t *id,
						  TimestampTz at)
{
	QEndAssignments q = {customer_id, id, at, 0};

	ask(MP_LOOKUP_END_ASSIGNMENTS, &q);
	return q.count;
}

/* ------------------------------------------------------------------------
 * The two questions of the row security policies that are not a column
 * compared with the acting identity (0.9: Citus refuses a sub-select in a
 * policy, SPEC §11).  Both read relationship as its owner without row
 * security, like every lookup; the policies' sub-selects of 0.8 read it
 * under the caller's, which only ever hid rows they did not ask for (the
 * partner's own rows, the customer's own).  And both read it as a
 * sub-select of the running query does: on the query's snapshot, with no
 * CommandCounterIncrement (MpProbeOpts.active, mp_sql_execute_read_only),
 * so that a policy sees the rows the statement sees, never rows the
 * statement itself is writing.
 * ------------------------------------------------------------------------
 */
/* Has the partner a relationship, of any status, with the customer? */
static bool
sees_direct(void *question)
{
	Question   *q = (Question *) question;
	static const char *const keycols[] = {"customer_id", "partner_id"};
	static const MpProbeOpts active = {.latest = false, .rellock = NoLock, .active = true};
	Datum		keys[2];
	Oid			eqprocs[2] = {F_UUID_EQ, F_UUID_EQ};
	int			n;

	keys[0] = UUIDPGetDatum(q->key[0]);
	keys[1] = UUIDPGetDatum(q->key[1]);
	q->found = false;
	n = mp_probe_opts("relationship", "relationship_customer_partner_idx",
					  keycols, 2, keys, eqprocs, 0, NULL, rel_any_row, q,
					  &active);
	if (n < 0)
	{
		q->found = false;
		return false;
	}
	return true;
}

static MpSql sees_sql =
Q("SELECT 1" FROM("relationship r")
  " WHERE r.customer_id" EQ "$1 AND r.partner_id" EQ "$2 LIMIT 1",
  AS_OWNER, 2, UUIDOID, UUIDOID);

static bool
sees_spi(void *question)
{
	Question   *q = (Question *) question;
	Datum		args[2];

	args[0] = UUIDPGetDatum(q->key[0]);
	args[1] = UUIDPGetDatum(q->key[1]);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	q->found = mp_sql_execute_read_only(&sees_sql, args, NULL, 1) > 0;
	spi_done();
	return true;
}

bool
mp_lookup_partner_sees_customer(const pg_uuid_t *customer_id,
								const pg_uuid_t *partner_id)
{
	return ask_about(MP_LOOKUP_PARTNER_SEES_CUSTOMER, customer_id, partner_id,
					 false, NULL).found;
}

/*
 * The partners of the relationships, of any status, of some customers (a
 * partner may come more than once), in the caller's memory.
 */
typedef struct QMemberPartners
{
	const pg_uuid_t *customers;
	int			ncustomers;
	MemoryContext cxt;			/* where the answer goes */
	pg_uuid_t  *partners;
	int			n;
	int			size;
} QMemberPartners;

static void
member_partners_add(QMemberPartners *q, const pg_uuid_t *id)
{
	if (q->n == q->size)
	{
		q->size = Max(q->size * 2, 8);
		q->partners = q->partners ?
			repalloc(q->partners, sizeof(pg_uuid_t) * q->size) :
			MemoryContextAlloc(q->cxt, sizeof(pg_uuid_t) * q->size);
	}
	q->partners[q->n++] = *id;
}

/* The n partner ids of the SPI query just run, added to q; SPI is left. */
static void
member_partners_take(QMemberPartners *q, int n)
{
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		pg_uuid_t	id = spi_uuid(i, 1, &isnull);

		if (!isnull)
			member_partners_add(q, &id);
	}
	spi_done();
}

typedef struct MemberPartnersProbe
{
	QMemberPartners *q;
	AttrNumber	partneratt;
} MemberPartnersProbe;

static bool
member_partners_row(Relation rel, TupleTableSlot *slot, void *arg)
{
	MemberPartnersProbe *pp = (MemberPartnersProbe *) arg;
	bool		isnull;
	Datum		d;

	if (pp->partneratt == 0)
		pp->partneratt = mp_attnum(rel, "partner_id");
	d = slot_getattr(slot, pp->partneratt, &isnull);
	if (isnull)
		return false;
	member_partners_add(pp->q, DatumGetUUIDP(d));
	return true;
}

static bool
member_partners_direct(void *question)
{
	QMemberPartners *q = (QMemberPartners *) question;
	static const char *const keycols[] = {"customer_id"};
	static const MpProbeOpts active = {.latest = false, .rellock = NoLock, .active = true};
	MemberPartnersProbe pp = {q, 0};
	Oid			eqproc = F_UUID_EQ;

	for (int i = 0; i < q->ncustomers; i++)
	{
		Datum		key = UUIDPGetDatum(&q->customers[i]);

		if (mp_probe_opts("relationship", "relationship_customer_partner_idx",
						  keycols, 1, &key, &eqproc, 0, NULL,
						  member_partners_row, &pp, &active) < 0)
		{
			q->n = 0;			/* deferred: leave no partial answer */
			return false;
		}
	}
	return true;
}

static MpSql member_partners_sql =
Q("SELECT r.partner_id" FROM("relationship r")
  " WHERE r.customer_id OPERATOR(pg_catalog.=) ANY ($1)",
  AS_OWNER, 1, UUIDARRAYOID);

static bool
member_partners_spi(void *question)
{
	QMemberPartners *q = (QMemberPartners *) question;
	Datum	   *elems = palloc(sizeof(Datum) * Max(q->ncustomers, 1));
	Datum		arg;
	int			n;

	for (int i = 0; i < q->ncustomers; i++)
		elems[i] = UUIDPGetDatum(&q->customers[i]);
	arg = PointerGetDatum(construct_array(elems, q->ncustomers, UUIDOID,
										  UUID_LEN, false, TYPALIGN_CHAR));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = mp_sql_execute_read_only(&member_partners_sql, &arg, NULL, 0);
	member_partners_take(q, n);
	return true;
}

pg_uuid_t *
mp_lookup_member_partners(const pg_uuid_t *customers, int ncustomers,
						  int *npartners)
{
	QMemberPartners q = {customers, ncustomers, CurrentMemoryContext, NULL, 0, 0};

	*npartners = 0;
	if (ncustomers == 0)
		return NULL;
	ask(MP_LOOKUP_MEMBER_PARTNERS, &q);
	*npartners = q.n;
	return q.partners;
}

/*
 * The partners of the relationships, of any status, of every customer role
 * userid is a member of, asked of the distributed tables: for a Citus node
 * that holds no shard of customer_member (the coordinator), where the
 * local answer is always none (member_partners(), identity.c).  One
 * read-only query of the logical tables, a join on their distribution
 * column, on the statement's snapshot; the member compared by name (role
 * OIDs differ from node to node).  Never asked on a node with shards,
 * where a distributed query from a shard's task is refused: there the
 * local shards hold the rows a task of the customer's reads.
 */
static MpSql member_partners_everywhere_sql =
Q("SELECT r.partner_id" FROM("customer_member m")
  " JOIN " MP_SCHEMA ".relationship r ON r.customer_id OPERATOR(pg_catalog.=) m.customer_id"
  " WHERE m.member::pg_catalog.text OPERATOR(pg_catalog.=) $1",
  AS_OWNER, 1, TEXTOID);

pg_uuid_t *
mp_lookup_member_partners_everywhere(Oid userid, int *npartners)
{
	QMemberPartners q = {NULL, 0, CurrentMemoryContext, NULL, 0, 0};
	Datum		arg = CStringGetTextDatum(quote_identifier(GetUserNameFromId(userid, false)));
	int			n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = mp_sql_execute_read_only(&member_partners_everywhere_sql, &arg, NULL, 0);
	member_partners_take(&q, n);
	*npartners = q.n;
	return q.partners;
}

/* ------------------------------------------------------------------------
 * The questions and their implementations, side by side.
 * ------------------------------------------------------------------------
 */
static const MpQuestion questions[MP_NUM_LOOKUPS] = {
	[MP_LOOKUP_PARTNER_MEMBERSHIPS] = {"partner_memberships", false, {members_direct, members_spi}},
	[MP_LOOKUP_CUSTOMER_MEMBERSHIPS] = {"customer_memberships", false, {members_direct, members_spi}},
	[MP_LOOKUP_PARTNER_MEMBERSHIP_LOCK] = {"partner_membership_lock", true, {members_direct, members_spi}},
	[MP_LOOKUP_CUSTOMER_MEMBERSHIP_LOCK] = {"customer_membership_lock", true, {members_direct, members_spi}},
	[MP_LOOKUP_MEMBER_ROWS_LEFT] = {"member_rows_left", false, {NULL, member_left_spi}},
	[MP_LOOKUP_PARTNER] = {"partner_status", false, {partner_direct, partner_spi}},
	[MP_LOOKUP_CUSTOMER] = {"customer", false, {customer_direct, customer_spi}},
	[MP_LOOKUP_CUSTOMER_CREATOR] = {"customer_creator", false, {NULL, creator_spi}},
	[MP_LOOKUP_PARTY_IN_USE] = {"party_in_use", false, {NULL, in_use_spi}},
	[MP_LOOKUP_TENANT_CLAIM] = {"tenant_claim", false, {NULL, tenant_claim_spi}},
	[MP_LOOKUP_TENANT_KIND] = {"tenant_kind", false, {NULL, tenant_kind_spi}},
	[MP_LOOKUP_TENANT_RELEASE] = {"tenant_release", false, {NULL, tenant_release_spi}},
	[MP_LOOKUP_OPEN_RELATIONSHIP] = {"open_relationship", false, {rel_open_direct, rel_open_spi}},
	[MP_LOOKUP_LATEST_RELATIONSHIP] = {"latest_relationship", false, {NULL, rel_latest_spi}},
	[MP_LOOKUP_ANY_RELATIONSHIP] = {"any_relationship", false, {rel_any_direct, rel_any_spi}},
	[MP_LOOKUP_ACTIVE_RELATIONSHIP_LOCK] = {"active_relationship_lock", true, {rel_active_lock_direct, rel_active_lock_spi}},
	[MP_LOOKUP_LIVE_SUBSCRIPTIONS] = {"live_subscriptions", false, {NULL, live_subs_spi}},
	[MP_LOOKUP_EXPIRE_REQUEST] = {"expire_request", false, {NULL, expire_spi}},
	[MP_LOOKUP_AUDIT_INSERT] = {"audit_insert", false, {audit_direct, audit_spi}},
	[MP_LOOKUP_RESTORE_PARTY] = {"restore_party", false, {NULL, party_there_spi}},
	[MP_LOOKUP_RESTORE_HOLD] = {"restore_hold", false, {NULL, hold_spi}},
	[MP_LOOKUP_RESTORE_RELEASE] = {"restore_release", false, {NULL, release_spi}},
	[MP_LOOKUP_ADMIN_ROLES] = {"admin_roles", false, {admin_roles_direct, admin_roles_spi}},
	[MP_LOOKUP_ADMIN_NAME_TAKEN] = {"admin_name_taken", false, {admin_name_direct, admin_name_spi}},
	[MP_LOOKUP_ADMIN_ID_TAKEN] = {"admin_id_taken", false, {admin_id_direct, admin_id_spi}},
	[MP_LOOKUP_ADMIN_RELATIONSHIP_LOCK] = {"admin_relationship_lock", true, {admin_rel_lock_direct, admin_rel_lock_spi}},
	[MP_LOOKUP_END_ASSIGNMENTS] = {"end_assignments", true, {end_assignments_direct, end_assignments_spi}},
	[MP_LOOKUP_RESTORE_ADMIN_RELATIONSHIP] = {"restore_admin_relationship", false, {admin_rel_there_direct, admin_rel_there_spi}},
	[MP_LOOKUP_PARTNER_SEES_CUSTOMER] = {"partner_sees_customer", false, {sees_direct, sees_spi}},
	[MP_LOOKUP_MEMBER_PARTNERS] = {"member_partners", false, {member_partners_direct, member_partners_spi}},
	[MP_LOOKUP_PARTNER_CSP_TAKEN] = {"partner_csp_taken", false, {NULL, csp_taken_spi}},
	[MP_LOOKUP_ADMIN_NAME_CLAIM] = {"admin_name_claim", false, {NULL, admin_claim_spi}},
	[MP_LOOKUP_ADMIN_NAME_IN_USE] = {"admin_name_in_use", false, {NULL, admin_name_in_use_spi}},
};
