/*-------------------------------------------------------------------------
 *
 * identity.c
 *	  Who is acting: operator or not, the acting partner and its Partner
 *	  Center roles, a role's customer roles.
 *
 * The acting identity is current_user (GetUserId()), so an application
 * pool may SET ROLE per request.  A role's partner memberships are the
 * rows of multipartner.partner_member whose member is exactly that role
 * (membership is not inherited through role grants: the mapping is
 * explicit).  multipartner.acting_partner may only narrow among them.
 *
 * Caching (cache.c's idiom): the partner memberships of the current role,
 * the acting partner resolved against the setting, and (read lazily, sales
 * never need them) its customer memberships are kept in the identity
 * cache's own memory context, bounded by the number of rows of that role.
 * The answers of the few roles acted as just before the current one are
 * kept too (parked, see below), so a pool that SETs ROLE per request reads
 * each role's memberships once, not at every switch; the cache, parked
 * answers included, is dropped on abort and subtransaction abort (the answers may have
 * been read from writes that are gone), when this backend writes a
 * membership table (member_changed), and on the relcache invalidation such a
 * write sends at commit to every backend.  Those invalidations are taken at
 * the start of a transaction and whenever a statement takes a lock, so a
 * session sees a membership change at its next transaction, or at its next
 * statement that locks a table (as PostgreSQL's own role cache does), and a
 * writer re-reads its membership under the member lock before it writes
 * (mp_lock_acting_membership).  What is held for one transaction only (the
 * membership locks) is forgotten at its end.  The roles bound to the member
 * types and the operators' role are cached the same way, until pg_type or
 * pg_authid changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "utils/snapmgr.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "multipartner.h"

/* One partner or customer a role is a member of, with its roles as bits. */
typedef struct MpMembership
{
	pg_uuid_t	id;
	uint32		roles;
	bool		locked;			/* customers: rows held FOR KEY SHARE */
} MpMembership;

typedef enum MpActingState
{
	MP_ACTING_NONE,				/* member of no partner */
	MP_ACTING_ONE,				/* acts for exactly one partner */
	MP_ACTING_AMBIGUOUS,		/* several partners, setting empty */
	MP_ACTING_NOT_MEMBER		/* the setting names a foreign partner */
} MpActingState;

typedef struct MpIdentityCache
{
	MpCache		cache;			/* valid, its context, its invalidations */
	Oid			userid;
	char	   *guc;			/* the setting the answer was computed for */
	int			nmembers;		/* partners */
	MpMembership *members;
	bool		customers_loaded;	/* read lazily: sales never need them */
	int			ncustomers;
	MpMembership *customers;
	MpActingState state;
	pg_uuid_t	acting;
	uint32		acting_roles;
	bool		membership_locked;	/* mp_lock_acting_membership() ran */
	bool		customer_locked;	/* some customers[].locked is set */
	Oid			member_relids[2];	/* partner_member, customer_member */
} MpIdentityCache;

static void identity_relcache_inval(MpCache *c, Oid relid);
static void identity_type_inval(MpCache *c, int cacheid, uint32 hashvalue);

/*
 * The identity, in the cache's context: a membership table's relcache
 * invalidation (here or from a transaction that committed) and a change of
 * a binding type's ACL make it stale.
 */
#define IDENTITY_CACHE { \
	.cache = MP_CACHE("multipartner identity", .on_relcache = true, \
					  .rel_inval = identity_relcache_inval, \
					  .nsyscaches = 1, .syscaches = {TYPEOID}, \
					  .sys_inval = identity_type_inval) \
}
static MpIdentityCache idcache = IDENTITY_CACHE;

/*
 * The answers for the roles acted as before the current one, parked: an
 * application pool that SETs ROLE per request switches among a few roles,
 * and each would otherwise read its memberships again at every switch.  A
 * switch back to a parked role swaps its answer, context included, with
 * the current one (mp_identity_ensure); a new role parks the current answer
 * in a free slot, else in each slot in turn.  Only idcache's MpCache is
 * registered: its invalidation hooks and every reset reach the parked
 * answers too (identity_forget_all), and the locks they record are
 * forgotten at the end of the transaction, so a parked answer is exactly
 * what the current one would be had the role never changed.
 */
#define MP_IDENTITY_PARKED 3
static MpIdentityCache parked[MP_IDENTITY_PARKED] = {
	IDENTITY_CACHE, IDENTITY_CACHE, IDENTITY_CACHE
};
static int	parked_turn = 0;

static void
identity_forget_all(void)
{
	mp_cache_invalidate(&idcache.cache);
	for (int i = 0; i < MP_IDENTITY_PARKED; i++)
		mp_cache_invalidate(&parked[i].cache);
}

/* What an answer holds only for the transaction: the membership locks. */
static void
identity_end_xact_one(MpIdentityCache *c)
{
	c->membership_locked = false;
	if (c->customer_locked && c->customers_loaded)
		for (int i = 0; i < c->ncustomers; i++)
			c->customers[i].locked = false;
	c->customer_locked = false;
}

static void mp_identity_load(Oid userid);
static void mp_customers_ensure(void);

void
mp_identity_reset(void)
{
	identity_forget_all();
}

/*
 * The end of a transaction.  The answers outlive a commit: what they were
 * read from changes only by a write to a membership table, and such a write
 * resets them here (mp_member_changed) and, through the relcache
 * invalidation it sends at commit, in every other backend before its next
 * transaction starts (identity_relcache_inval).  What was held only for the
 * transaction (the membership locks) is forgotten.  An abort forgets
 * everything: the answers may have been read from the transaction's own
 * writes, which are gone.
 */
void
mp_identity_end_xact(bool commit)
{
	if (!commit)
	{
		identity_forget_all();
		return;
	}
	identity_end_xact_one(&idcache);
	for (int i = 0; i < MP_IDENTITY_PARKED; i++)
		identity_end_xact_one(&parked[i]);
}

/* Name of the acting role, for messages and the *_by columns. */
const char *
mp_current_role_name(void)
{
	return GetUserNameFromId(GetUserId(), false);
}

/*
 * The operators' role, found by name and kept until pg_authid changes.
 */
static Oid	operator_roleid = InvalidOid;
static MpCache operator_c = MP_CACHE("multipartner operator role",
									 .nsyscaches = 2,
									 .syscaches = {AUTHOID, AUTHNAME});

/* c is idcache's: the parked answers hear it through the current one */
static void
identity_relcache_inval(MpCache *c, Oid relid)
{
	for (int i = -1; i < MP_IDENTITY_PARKED; i++)
	{
		MpIdentityCache *e = i < 0 ? &idcache : &parked[i];

		if (!OidIsValid(relid) || relid == e->member_relids[0] ||
			relid == e->member_relids[1])
			mp_cache_invalidate(&e->cache);
	}
}

static MpCache *bound_roles_cache(bool partner);

void
mp_identity_init(void)
{
	mp_cache_register(&operator_c);
	mp_cache_register(&idcache.cache);
	mp_cache_register(bound_roles_cache(true));
	mp_cache_register(bound_roles_cache(false));
}

/*
 * mp_is_operator - superuser, or has the privileges of multipartner_operator
 */
bool
mp_is_operator(void)
{
	Oid			userid = GetUserId();

	if (superuser_arg(userid))
		return true;
	if (!mp_cache_valid(&operator_c))
	{
		mp_cache_fill_begin(&operator_c);
		operator_roleid = get_role_oid(MP_OPERATOR_ROLE, true);
		mp_cache_fill_end(&operator_c);
	}
	return OidIsValid(operator_roleid) && has_privs_of_role(userid, operator_roleid);
}

/*
 * The memberships of a role, folded one (id, role) row at a time into an
 * array with one entry per id, allocated in the context the caller names
 * (the cache's, or the statement's for a one-off locking read) and grown as
 * needed.
 */
typedef struct MembershipFold
{
	MpMembership *items;
	int			n;
	int			size;
	uint32		roles;			/* all roles seen, for the locking probes */
} MembershipFold;

static void
fold_membership(const pg_uuid_t *id, int role, void *arg)
{
	MembershipFold *f = (MembershipFold *) arg;

	/* append; fold_finish() merges the rows of one id */
	f->roles |= (1 << role);
	if (f->n == f->size)
	{
		f->size *= 2;
		f->items = repalloc(f->items, sizeof(MpMembership) * f->size);
	}
	memset(&f->items[f->n], 0, sizeof(MpMembership));
	f->items[f->n].id = *id;
	f->items[f->n].roles = (1 << role);
	f->n++;
}

static int
membership_cmp(const void *a, const void *b)
{
	return memcmp(((const MpMembership *) a)->id.data,
				  ((const MpMembership *) b)->id.data, UUID_LEN);
}

/*
 * One entry per id, its roles or'ed together: sorted and merged, so that a
 * role that administers thousands of customers loads in n log n, not n^2.
 */
static void
fold_finish(MembershipFold *f)
{
	int			out = 0;

	if (f->n > 1)
		qsort(f->items, f->n, sizeof(MpMembership), membership_cmp);
	for (int i = 0; i < f->n; i++)
	{
		if (out > 0 && mp_uuid_eq(&f->items[out - 1].id, &f->items[i].id))
			f->items[out - 1].roles |= f->items[i].roles;
		else
			f->items[out++] = f->items[i];
	}
	f->n = out;
}

static void
fold_init(MembershipFold *f, MemoryContext cxt)
{
	f->size = 4;
	f->n = 0;
	f->roles = 0;
	f->items = MemoryContextAllocZero(cxt, sizeof(MpMembership) * f->size);
}

/*
 * A member row acts only for the role it was made for.
 *
 * member is a regrole, an OID, and PostgreSQL records no dependency for it:
 * DROP ROLE would leave the row behind, and a role created later with that
 * OID, or any role of a cluster restored from a dump (where a dropped role
 * is written as a bare number), would act for the partner.  So the member
 * trigger binds the row's role when a row names it: it grants the role
 * USAGE on the type multipartner.partner_role (customer_role for the
 * customer table), a privilege nobody needs (the types are usable by
 * PUBLIC) that PostgreSQL does track.  DROP ROLE is refused while the role
 * holds it ("privileges for type multipartner.partner_role"), removing the
 * role's last member row revokes it, pg_dump writes it by role name and
 * pg_upgrade keeps it.  A row counts only while its role is bound: a role
 * that has the OID of a dropped one (after DROP OWNED and DROP ROLE, or in
 * a restored cluster) holds no such grant and acts for nobody.
 */
static Oid	binding_typoids[2];	/* the types last looked up, for the callback */

static Oid
binding_type(bool partner)
{
	Oid			typoid = mp_type_oid(partner ? "partner_role" : "customer_role");

	binding_typoids[partner ? 0 : 1] = typoid;
	return typoid;
}

/* Is hashvalue (0: all) that of binding type i's pg_type row? */
static bool
is_binding_type_hash(int i, uint32 hashvalue)
{
	return hashvalue == 0 ||
		(OidIsValid(binding_typoids[i]) &&
		 hashvalue == GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(binding_typoids[i])));
}

/*
 * The roles each binding type binds, sorted, kept until the type's pg_type
 * row changes (a grant, a revoke): the ACL of a type that binds many roles
 * is toasted, and detoasting it for every membership read would cost more
 * than the read itself.
 */
typedef struct MpBoundRoles
{
	MpCache		cache;			/* first: the hook gets it */
	int			type;			/* 0 partner_role, 1 customer_role */
	int			n;
	Oid		   *roles;			/* in the cache's context */
} MpBoundRoles;

static void
bound_roles_inval(MpCache *c, int cacheid, uint32 hashvalue)
{
	if (is_binding_type_hash(((MpBoundRoles *) c)->type, hashvalue))
		mp_cache_invalidate(c);
}

static MpBoundRoles bound_roles[2] = {
	{.cache = MP_CACHE("multipartner bound partner members", .nsyscaches = 1,
					   .syscaches = {TYPEOID}, .sys_inval = bound_roles_inval),
	.type = 0},
	{.cache = MP_CACHE("multipartner bound customer members", .nsyscaches = 1,
					   .syscaches = {TYPEOID}, .sys_inval = bound_roles_inval),
	.type = 1},
};

static MpCache *
bound_roles_cache(bool partner)
{
	return &bound_roles[partner ? 0 : 1].cache;
}

static void
bound_roles_load(bool partner, MpBoundRoles *b)
{
	HeapTuple	tup;
	Datum		datum;
	bool		isnull;

	mp_cache_fill_begin(&b->cache);
	b->roles = NULL;
	b->n = 0;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(binding_type(partner)));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for the type of %s members",
			 partner ? "partner" : "customer");
	datum = SysCacheGetAttr(TYPEOID, tup, Anum_pg_type_typacl, &isnull);
	if (!isnull)
	{
		Acl		   *acl = DatumGetAclP(datum);
		AclItem    *items = ACL_DAT(acl);

		b->roles = MemoryContextAlloc(mp_cache_context(&b->cache),
									  sizeof(Oid) * Max(ACL_NUM(acl), 1));
		for (int i = 0; i < ACL_NUM(acl); i++)
			if ((ACLITEM_GET_PRIVS(items[i]) & ACL_USAGE) != 0)
				b->roles[b->n++] = items[i].ai_grantee;
		if ((Pointer) acl != DatumGetPointer(datum))
			pfree(acl);
		qsort(b->roles, b->n, sizeof(Oid), oid_cmp);
	}
	ReleaseSysCache(tup);
	mp_cache_fill_end(&b->cache);
}

/* Does roleid hold USAGE on the binding type, granted to it directly? */
static bool
role_is_bound(bool partner, Oid roleid)
{
	MpBoundRoles *b = &bound_roles[partner ? 0 : 1];

	if (!mp_cache_valid(&b->cache))
		bound_roles_load(partner, b);
	return b->n > 0 &&
		bsearch(&roleid, b->roles, b->n, sizeof(Oid), oid_cmp) != NULL;
}

/* A change of a binding type's ACL (a grant, a revoke): answers may change. */
static void
identity_type_inval(MpCache *c, int cacheid, uint32 hashvalue)
{
	if (is_binding_type_hash(0, hashvalue) || is_binding_type_hash(1, hashvalue))
		identity_forget_all();
}

/*
 * Bind or unbind the roles of a member row that was inserted, updated or
 * deleted (mp_member_changed).  The grants of both member tables go through
 * one lock per type, held to the end of the transaction, so two changes
 * never race on the type's ACL, and "is this the role's last row" is
 * answered after the change before it committed.
 */
static void
member_binding_change(bool partner, Oid oldrole, Oid newrole)
{
	Oid			typoid = binding_type(partner);
	Oid			save_userid;
	int			save_sec_context;

	if (oldrole == newrole)
		return;
	LockDatabaseObject(TypeRelationId, typoid, 0, ShareRowExclusiveLock);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(mp_schema_owner(),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);

	if (OidIsValid(newrole) && !role_is_bound(partner, newrole))
	{
		GrantStmt  *stmt = makeNode(GrantStmt);
		AccessPriv *priv = makeNode(AccessPriv);
		RoleSpec   *grantee = makeNode(RoleSpec);
		char	   *rolname = GetUserNameFromId(newrole, true);

		if (rolname == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("role with OID %u does not exist", newrole),
					 errdetail("A row of multipartner.%s must name an existing role.",
							   partner ? "partner_member" : "customer_member")));
		priv->priv_name = pstrdup("usage");
		grantee->roletype = ROLESPEC_CSTRING;
		grantee->rolename = rolname;
		grantee->location = -1;
		stmt->is_grant = true;
		stmt->targtype = ACL_TARGET_OBJECT;
		stmt->objtype = OBJECT_TYPE;
		/* objectNamesToOids() takes a list of qualified names */
		stmt->objects = list_make1(list_make2(makeString(MP_SCHEMA),
											  makeString(partner ? "partner_role" : "customer_role")));
		stmt->privileges = list_make1(priv);
		stmt->grantees = list_make1(grantee);
		stmt->behavior = DROP_RESTRICT;
		ExecuteGrantStmt(stmt);
	}
	if (OidIsValid(oldrole))
	{
		CommandCounterIncrement();
		if (!mp_lookup_role_has_members(partner, oldrole) &&
			role_is_bound(partner, oldrole))
			RemoveRoleFromObjectACL(oldrole, TypeRelationId, typoid);
	}
	SetUserIdAndSecContext(save_userid, save_sec_context);
	CommandCounterIncrement();
}

/*
 * Read the (id, role) rows of the partner or customer member table for
 * userid (and only for id, when given), locked FOR KEY SHARE when lock is
 * set (lookup.c), and fold them into f, allocated in cxt.  Rows of a role
 * that is not the one they were made for count for nothing.
 */
static void
read_memberships(bool partner, Oid userid, const pg_uuid_t *id, bool lock,
				 MembershipFold *f, MemoryContext cxt)
{
	MpMemberRows rows = {CurrentMemoryContext, 0, 0, NULL};

	fold_init(f, cxt);
	mp_lookup_memberships(partner, userid, id, lock, &rows);
	for (int i = 0; i < rows.n; i++)
		fold_membership(&rows.items[i].id, rows.items[i].role, f);
	if (rows.items)
		pfree(rows.items);
	fold_finish(f);
	if (f->n > 0 && !role_is_bound(partner, userid))
		f->n = 0, f->roles = 0;
}

static MpMembership *
load_memberships(bool partner, Oid userid, int *count)
{
	MembershipFold f;

	read_memberships(partner, userid, NULL, false, &f,
					 mp_cache_context(&idcache.cache));
	*count = f.n;
	return f.items;
}

/*
 * Read the partner and customer memberships of userid and resolve the
 * acting partner against the current setting.  The outcome, refusals
 * included, is cached; mp_acting_partner() raises the refusals each time
 * it is asked.
 */
static void
mp_identity_load(Oid userid)
{
	const char *guc = mp_acting_partner_guc ? mp_acting_partner_guc : "";

	mp_cache_fill_begin(&idcache.cache);
	idcache.members = NULL;
	idcache.nmembers = 0;
	idcache.customers = NULL;
	idcache.ncustomers = 0;
	idcache.guc = MemoryContextStrdup(mp_cache_context(&idcache.cache), guc);
	idcache.userid = userid;
	idcache.state = MP_ACTING_NONE;
	idcache.acting_roles = 0;
	idcache.membership_locked = false;
	idcache.customer_locked = false;

	/* the tables whose invalidation drops what is read now */
	idcache.member_relids[0] = mp_relation_oid("partner_member");
	idcache.member_relids[1] = mp_relation_oid("customer_member");
	idcache.members = load_memberships(true, userid, &idcache.nmembers);
	idcache.customers_loaded = false;

	if (guc[0] != '\0')
	{
		pg_uuid_t	wanted = *DatumGetUUIDP(DirectFunctionCall1(uuid_in,
																CStringGetDatum(guc)));

		idcache.state = MP_ACTING_NOT_MEMBER;
		for (int j = 0; j < idcache.nmembers; j++)
		{
			if (mp_uuid_eq(&idcache.members[j].id, &wanted))
			{
				idcache.state = MP_ACTING_ONE;
				idcache.acting = wanted;
				idcache.acting_roles = idcache.members[j].roles;
			}
		}
	}
	else if (idcache.nmembers == 1)
	{
		idcache.state = MP_ACTING_ONE;
		idcache.acting = idcache.members[0].id;
		idcache.acting_roles = idcache.members[0].roles;
	}
	else if (idcache.nmembers > 1)
		idcache.state = MP_ACTING_AMBIGUOUS;

	/* answered for the caller; kept only if no invalidation came meanwhile */
	mp_cache_fill_end(&idcache.cache);
}

/* Is answer e the one for the current role and setting? */
static bool
identity_matches(const MpIdentityCache *e)
{
	const char *guc = mp_acting_partner_guc ? mp_acting_partner_guc : "";

	return mp_cache_valid(&e->cache) && e->userid == GetUserId() &&
		e->guc != NULL && strcmp(e->guc, guc) == 0;
}

/* Is the identity cached for the current role and setting? */
static bool
mp_identity_cached(void)
{
	return identity_matches(&idcache);
}

static void
mp_identity_ensure(void)
{
	int			slot = -1;

	if (mp_identity_cached())
		return;
	/* a parked answer for this role, or a slot to park the current one in */
	for (int i = 0; i < MP_IDENTITY_PARKED && slot < 0; i++)
		if (identity_matches(&parked[i]))
			slot = i;
	for (int i = 0; i < MP_IDENTITY_PARKED && slot < 0 && mp_cache_valid(&idcache.cache); i++)
		if (!mp_cache_valid(&parked[i].cache))
			slot = i;
	if (slot < 0 && mp_cache_valid(&idcache.cache))
	{
		slot = parked_turn;
		parked_turn = (parked_turn + 1) % MP_IDENTITY_PARKED;
	}
	if (slot >= 0)
	{
		MpIdentityCache swap = idcache;

		idcache = parked[slot];
		parked[slot] = swap;
	}
	if (!mp_identity_cached())
		mp_identity_load(GetUserId());
}

/*
 * mp_acting_partner - the partner the current role acts for
 *
 * Returns false when the role is a member of no partner.  Raises an error
 * when the role is a member of several and the setting does not pick one,
 * or when the setting names a partner the role is not a member of.
 */
bool
mp_acting_partner(pg_uuid_t *partner_id, uint32 *roles)
{
	mp_identity_ensure();

	switch (idcache.state)
	{
		case MP_ACTING_NONE:
			return false;
		case MP_ACTING_AMBIGUOUS:
			mp_count_refusal_for(MP_RULE_IDENTITY, ERRCODE_INSUFFICIENT_PRIVILEGE, NULL);
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("role \"%s\" is a member of %d partners",
							GetUserNameFromId(idcache.userid, false),
							idcache.nmembers),
					 errdetail("The partner the role acts for is ambiguous."),
					 errhint("Set multipartner.acting_partner to the partner to act for.")));
			break;
		case MP_ACTING_NOT_MEMBER:
			mp_count_refusal_for(MP_RULE_IDENTITY, ERRCODE_INSUFFICIENT_PRIVILEGE, NULL);
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("role \"%s\" is not a member of partner %s",
							GetUserNameFromId(idcache.userid, false), idcache.guc),
					 errdetail("multipartner.acting_partner names a partner the role does not act for."),
					 errhint("Reset multipartner.acting_partner, or set it to a partner listed for the role in multipartner.partner_member.")));
			break;
		case MP_ACTING_ONE:
			break;
	}
	if (partner_id)
		*partner_id = idcache.acting;
	if (roles)
		*roles = idcache.acting_roles;
	return true;
}

/*
 * mp_acting_partner_peek - the acting partner if there is exactly one,
 * without refusing anything: for the audit record, which describes what
 * happened and must not fail a write the rules allowed.
 */
bool
mp_acting_partner_peek(pg_uuid_t *partner_id)
{
	return mp_acting_partner_peek_roles(partner_id, NULL);
}

/* ... and the role's Partner Center roles in it (roles may be NULL). */
bool
mp_acting_partner_peek_roles(pg_uuid_t *partner_id, uint32 *roles)
{
	mp_identity_ensure();
	if (idcache.state != MP_ACTING_ONE)
		return false;
	*partner_id = idcache.acting;
	if (roles)
		*roles = idcache.acting_roles;
	return true;
}

/*
 * mp_acting_partner_cached - the acting partner if the answer for the
 * current role is cached and names exactly one; reads nothing (for the
 * count of a refusal raised where no table should be read, refusals.c).
 */
bool
mp_acting_partner_cached(pg_uuid_t *partner_id)
{
	if (!mp_identity_cached() || idcache.state != MP_ACTING_ONE)
		return false;
	*partner_id = idcache.acting;
	return true;
}

/*
 * The lock that stands for a partner member's membership while a write made
 * under it is in flight: member role roleid as an object of class
 * partner_member (pg_locks: locktype object, classid the partner_member
 * table, objid the role).  Writers take it in ACCESS SHARE mode and never
 * conflict with each other; a change of one of the role's membership rows
 * takes it in ACCESS EXCLUSIVE mode (mp_member_changed).
 */
static void
lock_member_object(Oid roleid, LOCKMODE mode)
{
	Oid			relid = mp_relation_oid("partner_member");
	LOCKTAG		tag;

	if (!OidIsValid(relid))
		elog(ERROR, "table %s.partner_member does not exist", MP_SCHEMA);
	SET_LOCKTAG_OBJECT(tag, MyDatabaseId, relid, roleid, 0);
	(void) LockAcquire(&tag, mode, false, false);
}

/*
 * mp_lock_acting_membership - hold the acting role's membership of its
 * partner until the transaction ends, and return the roles it grants
 *
 * A write made as a member (a sale, a request) must not commit after the
 * membership that allowed it was removed or changed.
 *
 * READ COMMITTED: take the member's object lock (lock_member_object) in
 * ACCESS SHARE mode, then make sure the membership is the committed one:
 * the cached answer unless an invalidation says a membership table changed,
 * else read afresh.  A change of the membership holds that lock in ACCESS
 * EXCLUSIVE mode from the change to its commit: a change in flight makes
 * the writer wait, then read what it committed (removed: refused); a change
 * that comes second waits for the writer.  No row is locked, so the writers
 * of one role write no lock record and never build a MultiXact on a shared
 * membership row, and a role whose membership did not change reads nothing.
 *
 * REPEATABLE READ and SERIALIZABLE: lock the membership rows FOR KEY SHARE
 * (through SPI, see fastpath.c): a change committed after the snapshot
 * makes that a serialization failure, and a change in flight waits for it.
 *
 * Once per transaction (and again after a subtransaction that took it
 * aborted, since that resets the cache); the answer replaces the cached
 * roles.  Callers lock first and ask mp_require_acting_partner() after.
 */
/* Is the role (as cached) a member of partner id? */
static bool
has_membership(const pg_uuid_t *id)
{
	for (int i = 0; i < idcache.nmembers; i++)
		if (mp_uuid_eq(&idcache.members[i].id, id))
			return true;
	return false;
}

uint32
mp_lock_acting_membership(void)
{
	MembershipFold f;

	if (!IsolationUsesXactSnapshot())
	{
		if (!mp_identity_cached() || !idcache.membership_locked)
		{
			bool		had = mp_identity_cached() && idcache.state == MP_ACTING_ONE;
			pg_uuid_t	was = idcache.acting;

			lock_member_object(GetUserId(), AccessShareLock);

			/*
			 * A change of the membership that committed before the lock was
			 * granted sent its invalidation before it let the lock go (as
			 * every commit does): taking the invalidations now drops the
			 * cached answer if there was such a change, and a cached answer
			 * that survives is the committed membership, which nobody can
			 * change now until this transaction ends.
			 */
			AcceptInvalidationMessages();
			mp_identity_ensure();
			if (had && !has_membership(&was))
			{
				mp_count_refusal_for(MP_RULE_IDENTITY,
									 ERRCODE_INSUFFICIENT_PRIVILEGE, &was);
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("role \"%s\" is no longer a member of partner %s",
								GetUserNameFromId(idcache.userid, false),
								mp_uuid_str(&was)),
						 errdetail("Its membership was removed while this transaction ran.")));
			}
			mp_require_acting_partner(NULL, NULL);
			idcache.membership_locked = true;
		}
		else
			mp_require_acting_partner(NULL, NULL);
		return idcache.acting_roles;
	}

	/* REPEATABLE READ, SERIALIZABLE: the rows FOR KEY SHARE */
	mp_identity_ensure();
	mp_require_acting_partner(NULL, NULL);
	if (idcache.membership_locked)
		return idcache.acting_roles;
	read_memberships(true, idcache.userid, &idcache.acting, true, &f,
					 CurrentMemoryContext);
	pfree(f.items);
	if (f.n == 0)
	{
		mp_count_refusal_for(MP_RULE_IDENTITY, ERRCODE_INSUFFICIENT_PRIVILEGE,
							 &idcache.acting);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" is no longer a member of partner %s",
						GetUserNameFromId(idcache.userid, false),
						mp_uuid_str(&idcache.acting)),
				 errdetail("Its membership was removed while this transaction ran.")));
	}
	idcache.acting_roles = f.roles;
	idcache.membership_locked = true;
	return f.roles;
}

/*
 * mp_lock_customer_membership - the same for a customer role: hold its
 * membership rows of customer_id FOR KEY SHARE until the transaction ends
 * and return the roles they grant (0 when there are none any more).  Once
 * per customer and transaction.
 */
uint32
mp_lock_customer_membership(const pg_uuid_t *customer_id)
{
	MembershipFold f;
	MpMembership *m = NULL;

	mp_customers_ensure();
	for (int i = 0; i < idcache.ncustomers; i++)
		if (mp_uuid_eq(&idcache.customers[i].id, customer_id))
			m = &idcache.customers[i];
	if (m && m->locked)
		return m->roles;

	read_memberships(false, idcache.userid, customer_id, true, &f,
					 CurrentMemoryContext);
	pfree(f.items);
	if (m)
	{
		m->roles = f.roles;
		m->locked = true;
		idcache.customer_locked = true;
	}
	return f.roles;
}

/* mp_acting_partner, refusing a role that acts for no partner at all. */
void
mp_require_acting_partner(pg_uuid_t *partner_id, uint32 *roles)
{
	if (!mp_acting_partner(partner_id, roles))
	{
		mp_count_refusal_for(MP_RULE_IDENTITY, ERRCODE_INSUFFICIENT_PRIVILEGE, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" does not act for any partner",
						mp_current_role_name()),
				 errhint("An operator must add the role to multipartner.partner_member.")));
	}
}

/*
 * mp_customer_roles - bit set of the current role's customer roles for one
 * customer
 */
static void
mp_customers_ensure(void)
{
	mp_identity_ensure();
	if (!idcache.customers_loaded)
	{
		idcache.customers = load_memberships(false, idcache.userid,
											 &idcache.ncustomers);
		idcache.customers_loaded = true;
	}
}

uint32
mp_customer_roles(const pg_uuid_t *customer_id)
{
	mp_customers_ensure();
	for (int i = 0; i < idcache.ncustomers; i++)
		if (mp_uuid_eq(&idcache.customers[i].id, customer_id))
			return idcache.customers[i].roles;
	return 0;
}

/*
 * SQL-callable: multipartner.acting_partner() and multipartner.is_operator()
 */
PG_FUNCTION_INFO_V1(mp_acting_partner_sql);
Datum
mp_acting_partner_sql(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *result = palloc(sizeof(pg_uuid_t));

	if (!mp_acting_partner(result, NULL))
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(result);
}

/*
 * multipartner.member_customers(): the customers the current role is a
 * member of, as uuid[], for the row security policies of customer roles
 * (customer_id = ANY (...) can use an index).
 */
PG_FUNCTION_INFO_V1(mp_member_customers_sql);
Datum
mp_member_customers_sql(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	ArrayType  *result;

	mp_customers_ensure();
	elems = palloc(sizeof(Datum) * Max(idcache.ncustomers, 1));
	for (int i = 0; i < idcache.ncustomers; i++)
	{
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

		*u = idcache.customers[i].id;
		elems[i] = UUIDPGetDatum(u);
	}
	result = construct_array(elems, idcache.ncustomers, UUIDOID, UUID_LEN,
							 false, TYPALIGN_CHAR);
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * multipartner.partner_sees_customer(customer_id): has the acting partner a
 * relationship, of any status, with the customer?  The policy partner_own
 * of customer (0.9; until then an EXISTS sub-select, which Citus refuses in
 * a policy).  One probe of relationship_customer_partner_idx per row, as
 * the EXISTS was; false for a role that acts for no partner, and the same
 * refusal as acting_partner() for one whose acting partner is ambiguous.
 */
PG_FUNCTION_INFO_V1(mp_partner_sees_customer_sql);
Datum
mp_partner_sees_customer_sql(PG_FUNCTION_ARGS)
{
	pg_uuid_t	partner_id;

	if (!mp_acting_partner(&partner_id, NULL))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(mp_lookup_partner_sees_customer(PG_GETARG_UUID_P(0),
												   &partner_id));
}

/*
 * multipartner.member_partners(): the partners having a relationship, of
 * any status, with a customer the current role is a member of, as uuid[]
 * (a partner may come more than once).  The policy customer_partners of
 * partner (0.9; until then ARRAY(SELECT ...), an InitPlan).
 *
 * That sub-select ran once per statement; a function in a filter runs once
 * per row.  So the answer is kept with the calling expression (fn_extra,
 * which lives as long as the query's executor state) and used again while
 * the role, its customers and the snapshot are the ones it was read for:
 * the same snapshot sees the same relationships.  An expression that
 * outlives its statement (PL/pgSQL keeps simple expressions for the
 * transaction) has another snapshot at its next statement, and reads again.
 */
typedef struct MemberPartnersCache
{
	Oid			userid;
	int			ncustomers;
	pg_uuid_t  *customers;
	TransactionId xmin;			/* the snapshot read on */
	TransactionId xmax;
	CommandId	curcid;
	bool		suboverflowed;
	uint32		xcnt;
	int32		subxcnt;
	TransactionId *xip;
	TransactionId *subxip;
	ArrayType  *result;
} MemberPartnersCache;

static bool
member_partners_cache_hit(MemberPartnersCache *c, Oid userid, Snapshot snap)
{
	if (c == NULL || c->userid != userid || c->ncustomers != idcache.ncustomers)
		return false;
	for (int i = 0; i < c->ncustomers; i++)
		if (!mp_uuid_eq(&c->customers[i], &idcache.customers[i].id))
			return false;
	return c->xmin == snap->xmin && c->xmax == snap->xmax &&
		c->curcid == snap->curcid && c->suboverflowed == snap->suboverflowed &&
		c->xcnt == snap->xcnt && c->subxcnt == snap->subxcnt &&
		(snap->xcnt == 0 ||
		 memcmp(c->xip, snap->xip, sizeof(TransactionId) * snap->xcnt) == 0) &&
		(snap->subxcnt <= 0 ||
		 memcmp(c->subxip, snap->subxip, sizeof(TransactionId) * snap->subxcnt) == 0);
}

PG_FUNCTION_INFO_V1(mp_member_partners_sql);
Datum
mp_member_partners_sql(PG_FUNCTION_ARGS)
{
	MemberPartnersCache *c = (MemberPartnersCache *) fcinfo->flinfo->fn_extra;
	Oid			userid = GetUserId();
	Snapshot	snap = GetActiveSnapshot();
	MemoryContext oldcxt;
	pg_uuid_t  *customers;
	pg_uuid_t  *partners;
	int			n;
	Datum	   *elems;

	mp_customers_ensure();
	if (!member_partners_cache_hit(c, userid, snap))
	{
		customers = palloc(sizeof(pg_uuid_t) * Max(idcache.ncustomers, 1));
		for (int i = 0; i < idcache.ncustomers; i++)
			customers[i] = idcache.customers[i].id;
		/* a coordinator holds no shard of the memberships: ask the tables */
		if (mp_placement_no_shard_here("customer_member"))
			partners = mp_lookup_member_partners_everywhere(userid, &n);
		else
			partners = mp_lookup_member_partners(customers, idcache.ncustomers, &n);
		elems = palloc(sizeof(Datum) * Max(n, 1));
		for (int i = 0; i < n; i++)
			elems[i] = UUIDPGetDatum(&partners[i]);

		/* the new answer replaces the old, in the expression's memory */
		oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (c == NULL)
			c = palloc0(sizeof(MemberPartnersCache));
		else
		{
			if (c->customers)
				pfree(c->customers);
			if (c->xip)
				pfree(c->xip);
			if (c->subxip)
				pfree(c->subxip);
			if (c->result)
				pfree(c->result);
		}
		c->userid = userid;
		c->ncustomers = idcache.ncustomers;
		c->customers = palloc(sizeof(pg_uuid_t) * Max(c->ncustomers, 1));
		memcpy(c->customers, customers, sizeof(pg_uuid_t) * c->ncustomers);
		c->xmin = snap->xmin;
		c->xmax = snap->xmax;
		c->curcid = snap->curcid;
		c->suboverflowed = snap->suboverflowed;
		c->xcnt = snap->xcnt;
		c->subxcnt = snap->subxcnt;
		c->xip = palloc(sizeof(TransactionId) * Max(snap->xcnt, 1));
		if (snap->xcnt > 0)
			memcpy(c->xip, snap->xip, sizeof(TransactionId) * snap->xcnt);
		c->subxip = palloc(sizeof(TransactionId) * Max(snap->subxcnt, 1));
		if (snap->subxcnt > 0)
			memcpy(c->subxip, snap->subxip, sizeof(TransactionId) * snap->subxcnt);
		c->result = construct_array(elems, n, UUIDOID, UUID_LEN, false,
									TYPALIGN_CHAR);
		MemoryContextSwitchTo(oldcxt);
		fcinfo->flinfo->fn_extra = c;
	}
	/* a copy: the caller may free what it gets */
	PG_RETURN_ARRAYTYPE_P(DatumGetArrayTypePCopy(PointerGetDatum(c->result)));
}

PG_FUNCTION_INFO_V1(mp_is_operator_sql);
Datum
mp_is_operator_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mp_is_operator());
}

/*
 * Trigger on the membership tables: this backend's cached answers may be
 * stale now.
 */
static HeapTuple
member_changed(const MpTriggerEvent *ev)
{
	TriggerData *trigdata = ev->td;

	mp_identity_reset();
	/*
	 * and, once this commits, every other backend's (identity_relcache_inval,
	 * which listens for the membership tables: on a Citus shard the table's
	 * OID, not the shard's, is the one it knows)
	 */
	CacheInvalidateRelcache(trigdata->tg_relation);
	if (mp_logical_relid(trigdata->tg_relation) != RelationGetRelid(trigdata->tg_relation))
		CacheInvalidateRelcacheByRelid(mp_logical_relid(trigdata->tg_relation));

	/*
	 * A partner membership changed or removed: wait for the writes in flight
	 * under it, and make the later ones wait for this transaction (see
	 * mp_lock_acting_membership).  A new membership takes nothing away.
	 */
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		mp_relation_is(trigdata->tg_relation, "partner_member"))
	{
		bool		isnull;
		Datum		member = mp_getattr(trigdata->tg_trigtuple, trigdata->tg_relation,
										"member", &isnull);

		if (!isnull)
			lock_member_object(DatumGetObjectId(member), AccessExclusiveLock);
	}

	/*
	 * Bind a row's role to it when a row names a role, unbind a role whose
	 * last row went (role_is_bound).  A restore loads the grants with the
	 * rows.
	 */
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) && !mp_restoring())
	{
		Relation	rel = trigdata->tg_relation;
		bool		partner = mp_relation_is(rel, "partner_member");
		Oid			oldrole = InvalidOid;
		Oid			newrole = InvalidOid;
		bool		isnull;

		if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
			oldrole = DatumGetObjectId(mp_getattr(trigdata->tg_trigtuple, rel,
												  "member", &isnull));
		if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
			newrole = DatumGetObjectId(mp_getattr(trigdata->tg_trigtuple, rel,
												  "member", &isnull));
		else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
			newrole = DatumGetObjectId(mp_getattr(trigdata->tg_newtuple, rel,
												  "member", &isnull));
		member_binding_change(partner, oldrole, newrole);
	}
	return NULL;
}

/* AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW (0.3: STATEMENT) */
static const MpTrigger member_changed_trigger = {
	.name = "member_changed",
	.kind = MP_TRIGGER_ANY,
	.restore = MP_RESTORE_RUN,
	.on_insert = member_changed,
	.on_update = member_changed,
	.on_delete = member_changed,
};

MP_TRIGGER_FUNCTION(mp_member_changed, member_changed_trigger)
