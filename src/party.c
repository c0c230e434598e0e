/*-------------------------------------------------------------------------
 *
 * party.c
 *	  Rules on the partner and customer rows themselves:
 *	    R8  a partner's CSP transaction tenant is never a customer,
 *	    R9  a partner creates customers only in its own cloud,
 *	    R10 only an operator deletes a partner or customer, and only while
 *	        nothing refers to it; TRUNCATE is refused,
 *	    R12 ids, tenant ids and clouds never change,
 *	  and that a customer a partner inserts ends its transaction with that
 *	  partner's relationship (mp_creator_relationship_check).
 *
 * R8 goes through the tenant registry (multipartner.tenant, keyed by tenant
 * id): inserting a partner claims its CSP tenant, inserting a customer
 * claims its tenant, with INSERT ... ON CONFLICT DO NOTHING.  Whichever row
 * comes second finds the claim; if the two are written concurrently, the
 * second waits on the unique key until the first commits or aborts, so the
 * rule holds in every interleaving without SERIALIZABLE.  Under REPEATABLE
 * READ a claim committed after our snapshot makes ON CONFLICT fail with a
 * serialization error, which is what the application should retry.
 *
 * On Citus the registry is distributed by tenant id, co-located with
 * customer: a customer's id must be its tenant id there (refused 22023
 * otherwise, after the rules and constraints of one node), so its claim is
 * in its own node; a partner's is made by the
 * placement of the partner row on the node that holds the registry's shard
 * of its CSP tenant.  Both meet in that shard's unique key, as on one node.
 * The other keys of one node are gone there (customer_tenant_id_key) or are
 * a shard's (customer_pkey_NNNNNN, partner_csp_tenant_id_key_NNNNNN), whose
 * names a refusal must not show: the guards refuse a taken tenant first,
 * under the tenant's lock (lock_tenant), so that of two concurrent writers
 * the second waits for the first and then refuses as on one node.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/rls.h"

#include "multipartner.h"

#define TENANT_CUSTOMER "customer"
#define TENANT_PARTNER_CSP "partner_csp"

/*
 * On Citus, the lock of tenant_id on this node until the transaction ends:
 * the object lock of the tenant registry table (pg_locks: locktype object,
 * classid the tenant table, objid a hash of the tenant id), in EXCLUSIVE
 * mode.  Taken by the guards of a customer and of each placement of a
 * partner before they read who holds the tenant, and read then on the
 * latest snapshot: a second writer of one tenant waits there for the first
 * to commit or abort, then sees its row.  (A hash shared by two tenants
 * only makes their writers wait for each other.)  Never taken on one node,
 * where the tables' unique keys make the second writer wait.
 */
static void
lock_tenant(const pg_uuid_t *tenant_id)
{
	Oid			relid = mp_relation_oid("tenant");
	LOCKTAG		tag;

	if (!OidIsValid(relid))
		elog(ERROR, "table %s.tenant does not exist", MP_SCHEMA);
	SET_LOCKTAG_OBJECT(tag, MyDatabaseId, relid,
					   hash_bytes(tenant_id->data, UUID_LEN), 0);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * Refuse a new owner of kind new_is_customer ? customer : partner's CSP
 * tenant for tenant_id, which an owner of kind existing holds, without
 * naming that owner.  A second customer is refused as on one node, where
 * customer_tenant_id_key refuses it first (on Citus that key is the
 * registry's: distribute() drops it, since it lacks the distribution
 * column): the same message, and the key's value as its detail where
 * PostgreSQL shows it (to a role row security does not apply to); rel, the
 * customer table or NULL, names the table and the key.
 */
static void
report_tenant_taken(const pg_uuid_t *tenant_id, const char *existing,
					bool new_is_customer, Relation rel)
{
	if (strcmp(existing, TENANT_PARTNER_CSP) == 0 && new_is_customer)
	{
		mp_count_refusal(MP_RULE_R8, ERRCODE_MP_CSP_TENANT);
		ereport(ERROR,
				(errcode(ERRCODE_MP_CSP_TENANT),
				 errmsg("tenant %s is the CSP transaction tenant of a partner",
						mp_uuid_str(tenant_id)),
				 errdetail("A partner's CSP transaction tenant can never be a customer."),
				 errhint("A partner may buy as a customer only from one of its other tenants.")));
	}
	if (strcmp(existing, TENANT_CUSTOMER) == 0 && !new_is_customer)
	{
		mp_count_refusal(MP_RULE_R8, ERRCODE_MP_CSP_TENANT);
		ereport(ERROR,
				(errcode(ERRCODE_MP_CSP_TENANT),
				 errmsg("tenant %s is already a customer",
						mp_uuid_str(tenant_id)),
				 errdetail("A partner's CSP transaction tenant can never be a customer."),
				 errhint("Use a tenant that is not a customer for CSP transactions.")));
	}
	if (new_is_customer)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("duplicate key value violates unique constraint \"%s\"",
						"customer_tenant_id_key"),
				 rel != NULL &&
				 check_enable_rls(mp_logical_relid(rel), InvalidOid, true) != RLS_ENABLED ?
				 errdetail("Key (tenant_id)=(%s) already exists.",
						   mp_uuid_str(tenant_id)) : 0,
				 rel != NULL ? mp_errtableconstraint(rel, "customer_tenant_id_key") : 0));
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("tenant %s is already the CSP transaction tenant of another partner",
					mp_uuid_str(tenant_id)),
			 errdetail("Each partner has its own CSP transaction tenant.")));
}

/*
 * mp_claim_tenant - register tenant_id as used by owner_id
 *
 */
static void
mp_claim_tenant(Relation rel, const pg_uuid_t *tenant_id, const char *kind,
				const pg_uuid_t *owner_id)
{
	const char *existing;
	bool		new_is_customer = (strcmp(kind, TENANT_CUSTOMER) == 0);
	pg_uuid_t	creator;
	bool		has_creator;

	/* who created a customer: relationship.c lets that partner start active */
	has_creator = new_is_customer && !mp_is_operator() && mp_acting_partner_peek(&creator);
	if (mp_lookup_tenant_claim(tenant_id, kind, owner_id, has_creator ? &creator : NULL))
		return;

	/* Someone holds it: find out who, without naming them. */
	existing = mp_lookup_tenant_kind(tenant_id);
	if (existing == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not register tenant %s due to a concurrent change",
						mp_uuid_str(tenant_id)),
				 errhint("The transaction might succeed if retried.")));
	report_tenant_taken(tenant_id, existing, new_is_customer, rel);
}

/*
 * R10 for partner and customer rows: an operator may delete one that
 * nothing refers to.  Relationships, members (and, through them,
 * subscriptions) keep it alive.
 */
static HeapTuple
check_delete(const MpTriggerEvent *ev, const char *kind, const char *idcol,
			 const char *hint)
{
	bool		isnull;
	pg_uuid_t  *id = DatumGetUUIDP(mp_getattr(ev->oldtup, ev->rel, idcol, &isnull));

	if (!mp_is_operator())
		mp_report_denied(MP_RULE_R10, ERRCODE_INSUFFICIENT_PRIVILEGE, "delete", kind, id,
						 psprintf("Only an operator may delete a %s.", kind),
						 NULL);
	if (mp_lookup_party_in_use(strcmp(kind, "partner") == 0, id))
		mp_report_kept_on_record(ev->rel, kind, id, hint);
	return ev->oldtup;
}

/* R12 */
static const char *const partner_immutable[] = {
	"partner_id", "csp_tenant_id", "cloud", NULL
};
static const char *const customer_immutable[] = {
	"customer_id", "tenant_id", "cloud", NULL
};

/*
 * On Citus partner is a reference table, and a second partner with a CSP
 * tenant taken would be refused by partner_csp_tenant_id_key of a
 * placement, in a message naming the placement's index (a shard).  Each
 * placement holds every partner, so each refuses it here first, as on one
 * node, naming the table's key (with the key's value where PostgreSQL
 * shows it: to a role row security does not apply to).  Under the tenant's
 * lock and on the latest snapshot, as the index would see it: Citus writes
 * the placements one after the other in one order, so of two concurrent
 * inserts the second waits at the first placement until the first commits
 * or aborts, and is then refused here (or goes through), never by a
 * placement's index; under REPEATABLE READ too, as the index refuses a row
 * committed after the snapshot.  Nothing to do on one node.
 *
 * A row whose partner_id is a partner's already is left to the primary key,
 * which comes first on one node too: INSERT ... ON CONFLICT (partner_id) DO
 * NOTHING skips it there, before any other key is asked, and so does it
 * here (a plain INSERT is refused 23505 by the placement's partner_pkey).
 * Should that partner be deleted before this row is written, the CSP
 * tenant is still judged, by the placement's key and by the claim in
 * tenant_registry.
 */
static HeapTuple
partner_insert(const MpTriggerEvent *ev)
{
	bool		isnull;
	bool		idnull;
	Datum		csp = mp_getattr(ev->newtup, ev->rel, "csp_tenant_id", &isnull);
	Datum		id = mp_getattr(ev->newtup, ev->rel, "partner_id", &idnull);
	Oid			relid = mp_logical_relid(ev->rel);
	MpPartnerInfo existing;

	if (isnull || mp_placement_method(relid) != 'n')
		return ev->newtup;
	if (!idnull && mp_lookup_partner(DatumGetUUIDP(id), &existing))
		return ev->newtup;
	lock_tenant(DatumGetUUIDP(csp));
	if (!mp_lookup_partner_csp_taken(DatumGetUUIDP(csp)))
		return ev->newtup;
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("duplicate key value violates unique constraint \"%s\"",
					"partner_csp_tenant_id_key"),
			 check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED ?
			 errdetail("Key (csp_tenant_id)=(%s) already exists.",
					   mp_uuid_str(DatumGetUUIDP(csp))) : 0,
			 mp_errtableconstraint(ev->rel, "partner_csp_tenant_id_key")));
	return ev->newtup;
}

static HeapTuple
partner_update(const MpTriggerEvent *ev)
{
	mp_check_immutable(MP_RULE_R12, ev->rel, ev->oldtup, ev->newtup,
					   ERRCODE_MP_IDENTITY_IMMUTABLE, "partner", "partner_id",
					   partner_immutable,
					   "The id, CSP transaction tenant and cloud of a partner never change.",
					   "Create a new partner instead.");
	return ev->newtup;
}

static HeapTuple
partner_delete(const MpTriggerEvent *ev)
{
	return check_delete(ev, "partner", "partner_id",
						"Suspend the partner instead.");
}

/* BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on partner */
static const MpTrigger partner_guard = {
	.name = "partner_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_PASS,
	/* a status this backend remembers may be about to change */
	.always = mp_partner_status_forget,
	.on_insert = partner_insert,
	.on_update = partner_update,
	.on_delete = partner_delete,
};

MP_TRIGGER_FUNCTION(mp_partner_guard, partner_guard)

/* R2 for customers: a customer is created in order to work with it */
static const MpPartnerAct create_customers = {
	"create customers", "Creating a customer", MP_PROLES_REQUEST, MP_RULE_R2
};

/*
 * A partner creates customers only in its own cloud (R9) and only with a
 * role that may ask for a relationship (R2).  The record of when it did is
 * the statement's time, as for subscription.created_at and
 * relationship.requested_at; an operator (who may load history) is not
 * asked.
 */
/*
 * On Citus a new customer's id is its tenant id, for everyone (CITUS_DESIGN
 * §1.6; Partner Center's own rule): Citus places the customer by its id and
 * its tenant claim by its tenant id, and only the same uuid keeps the claim
 * in the customer's node, where the claim's unique key decides R8.
 *
 * customer_id_is_tenant, in customer_guard after the rules: a customer
 * whose id is its tenant id has its tenant's claim read here, first.  A
 * customer whose id is another uuid is refused by customer_not_placed, in
 * tenant_registry (AFTER ROW, where the claim would be written): after
 * everything one node refuses such a row with (the rules, the NOT NULL and
 * CHECK constraints, the primary key, row security), so that a row refused
 * anyway gets the single-node answer, and only for a row really written
 * (INSERT ... ON CONFLICT DO NOTHING skips a row before AFTER triggers).  A
 * NULL is left to the NOT NULL constraints.
 */
static void
customer_id_is_tenant(Relation rel, HeapTuple tuple)
{
	bool		idnull;
	bool		tenantnull;
	Datum		id = mp_getattr(tuple, rel, "customer_id", &idnull);
	Datum		tenant = mp_getattr(tuple, rel, "tenant_id", &tenantnull);
	const pg_uuid_t *tenant_id;
	const char *existing;

	if (idnull || tenantnull || !mp_customer_distributed() ||
		!mp_uuid_eq(DatumGetUUIDP(id), DatumGetUUIDP(tenant)))
		return;

	/*
	 * A tenant claimed already is refused here, as on one node: the
	 * registry's shard of it is this node's (the customer's id is the
	 * tenant id).  Else a second customer with this id would be refused by
	 * customer_pkey of this shard, a message naming the shard.
	 *
	 * Under the tenant's lock: a concurrent customer of the tenant (the
	 * same id: the same shard, this node) or partner claiming it as its CSP
	 * tenant (its placement on this node takes the lock too) makes this one
	 * wait until it commits or aborts.  Then the claim is read as the
	 * registry's claim would find it: in READ COMMITTED on a fresh
	 * snapshot; in REPEATABLE READ on the transaction's snapshot (a claim
	 * found there is refused as on one node), and else on the latest one
	 * for another customer only, which one node's customer_tenant_id_key
	 * refuses whenever it committed.  A partner's claim committed after the
	 * snapshot is left to the claim itself: its INSERT ... ON CONFLICT
	 * fails with a serialization error, as on one node.
	 */
	tenant_id = DatumGetUUIDP(tenant);
	lock_tenant(tenant_id);
	existing = mp_lookup_tenant_kind(tenant_id);
	if (existing == NULL && IsolationUsesXactSnapshot())
	{
		existing = mp_lookup_tenant_kind_latest(tenant_id);
		if (existing != NULL && strcmp(existing, TENANT_CUSTOMER) != 0)
			existing = NULL;
	}
	if (existing != NULL)
		report_tenant_taken(tenant_id, existing, true, rel);
}

/*
 * The refusal of a new customer whose id is not its tenant id, on Citus
 * (above), from tenant_registry.  R8 first: every node holds every partner
 * (a reference table), so a CSP transaction tenant is refused MP005 as on
 * one node, whichever node the row is on (under the tenant's lock and on
 * the latest snapshot, as partner_insert asks).  Whether the tenant is
 * another customer's is known only to the node of the registry's shard of
 * it, so that is this refusal's (one node: 23505).
 */
static void
customer_not_placed(Relation rel, const pg_uuid_t *id, const pg_uuid_t *tenant_id)
{
	lock_tenant(tenant_id);
	if (mp_lookup_partner_csp_taken(tenant_id))
		report_tenant_taken(tenant_id, TENANT_PARTNER_CSP, true, rel);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("customer id %s is not the customer's tenant id %s",
					mp_uuid_str(id), mp_uuid_str(tenant_id)),
			 errdetail("The tables of multipartner are distributed by Citus, which places a customer by its id and its tenant claim by its tenant id."),
			 errhint("On Citus a customer's id is its tenant id."),
			 mp_errtable(rel)));
}

static HeapTuple
customer_insert(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	bool		cloudnull;
	Datum		cloud = mp_getattr(ev->newtup, rel, "cloud", &cloudnull);
	pg_uuid_t	partner_id;
	MpPartnerInfo partner;
	MpRowPatch	patch = {0};

	if (mp_is_operator())
	{
		customer_id_is_tenant(rel, ev->newtup);
		return ev->newtup;
	}
	mp_require_partner_act(&create_customers, NULL, &partner_id);
	if (!cloudnull && mp_lookup_partner(&partner_id, &partner))
	{
		Datum		pcloud = ObjectIdGetDatum(partner.cloud);

		if (DatumGetObjectId(pcloud) != DatumGetObjectId(cloud))
		{
			mp_count_refusal_for(MP_RULE_R9, ERRCODE_MP_CLOUD_MISMATCH, &partner_id);
			ereport(ERROR,
					(errcode(ERRCODE_MP_CLOUD_MISMATCH),
					 errmsg("partner %s cannot create a customer in cloud \"%s\"",
							mp_uuid_str(&partner_id),
							mp_cloud_labels[mp_enum_index(cloud, mp_cloud_labels)]),
					 errdetail("The partner works in cloud \"%s\"; partners and customers never cross clouds.",
							   mp_cloud_labels[mp_enum_index(pcloud, mp_cloud_labels)])));
		}
	}
	mp_stamp_time(&patch, rel, ev->newtup, "created_at",
				  "the time the customer is created");
	customer_id_is_tenant(rel, ev->newtup);
	return mp_patch_apply(&patch, rel, ev->newtup, ev->cxt);
}

static HeapTuple
customer_update(const MpTriggerEvent *ev)
{
	mp_check_immutable(MP_RULE_R12, ev->rel, ev->oldtup, ev->newtup,
					   ERRCODE_MP_IDENTITY_IMMUTABLE, "customer", "customer_id",
					   customer_immutable,
					   "The id, tenant and cloud of a customer never change.",
					   "Create a new customer instead.");
	return ev->newtup;
}

/*
 * On Citus, a customer made before distribution (its id is not its tenant
 * id) is not deleted: its tenant claim is in the registry's shard of its
 * tenant id, which may be on another node, and a trigger on a shard never
 * writes another node's shard.  Refused for it alone, whatever the node
 * holds, so that the answer does not depend on where the shards are.
 */
static HeapTuple
customer_delete(const MpTriggerEvent *ev)
{
	HeapTuple	tuple = check_delete(ev, "customer", "customer_id",
									 "A customer that ever had a relationship is kept; remove its members to close it.");
	bool		idnull;
	bool		tenantnull;
	Datum		id = mp_getattr(tuple, ev->rel, "customer_id", &idnull);
	Datum		tenant = mp_getattr(tuple, ev->rel, "tenant_id", &tenantnull);

	if (!idnull && !tenantnull && mp_customer_distributed() &&
		!mp_uuid_eq(DatumGetUUIDP(id), DatumGetUUIDP(tenant)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot delete customer %s on Citus", mp_uuid_str(DatumGetUUIDP(id))),
				 errdetail("The customer was created before the tables were distributed: its id is not its tenant id, and its tenant claim is kept in another shard."),
				 errhint("Such a customer stays on record; deleting it is not supported on Citus."),
				 mp_errtable(ev->rel)));
	return tuple;
}

/* BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on customer */
static const MpTrigger customer_guard = {
	.name = "customer_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_PASS,
	.stamp = "created_at",
	.on_insert = customer_insert,
	.on_update = customer_update,
	.on_delete = customer_delete,
};

MP_TRIGGER_FUNCTION(mp_customer_guard, customer_guard)

/*
 * AFTER INSERT OR DELETE ... FOR EACH ROW on partner and customer: keep the
 * tenant registry (R8).  AFTER, not BEFORE: a row that INSERT ... ON
 * CONFLICT DO NOTHING skips must not leave a claim behind, and AFTER row
 * triggers fire only for rows really written.  They still run inside the
 * writing statement, so the claim is in place before it returns.  A
 * restore loads the registry's own rows.
 */
static HeapTuple
tenant_registry_row(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	tuple = ev->newtup ? ev->newtup : ev->oldtup;
	bool		is_partner = mp_relation_is(rel, "partner");
	bool		idnull,
				tenantnull;
	Datum		id;
	Datum		tenant;

	id = mp_getattr(tuple, rel, is_partner ? "partner_id" : "customer_id", &idnull);
	tenant = mp_getattr(tuple, rel, is_partner ? "csp_tenant_id" : "tenant_id",
						&tenantnull);
	if (idnull || tenantnull)
		return NULL;

	/*
	 * On Citus partner is a reference table and this trigger fires on each
	 * of its placements, one per node: only the placement on the node that
	 * holds the registry's shard of the CSP tenant claims or releases it.
	 * A refusal there aborts the partner's write on every node (two-phase
	 * commit).  A customer's claim is in its own node (its id is its tenant
	 * id, customer_id_is_tenant); one whose id is another uuid is refused
	 * here (customer_not_placed), and so claims nothing.
	 */
	if (is_partner && !mp_lookup_tenant_here(DatumGetUUIDP(tenant)))
		return NULL;
	if (!is_partner && ev->newtup && mp_customer_distributed() &&
		!mp_uuid_eq(DatumGetUUIDP(id), DatumGetUUIDP(tenant)))
		customer_not_placed(rel, DatumGetUUIDP(id), DatumGetUUIDP(tenant));

	if (ev->newtup)
		mp_claim_tenant(rel, DatumGetUUIDP(tenant),
						is_partner ? TENANT_PARTNER_CSP : TENANT_CUSTOMER,
						DatumGetUUIDP(id));
	else
		mp_lookup_tenant_release(DatumGetUUIDP(tenant), DatumGetUUIDP(id));
	return NULL;
}

static const MpTrigger tenant_registry = {
	.name = "tenant_registry",
	.kind = MP_TRIGGER_AFTER_ROW,
	.restore = MP_RESTORE_SKIP,
	.on_insert = tenant_registry_row,
	.on_delete = tenant_registry_row,
};

MP_TRIGGER_FUNCTION(mp_tenant_registry, tenant_registry)

/*
 * The customer create_customer() is inserting in this backend, between its
 * two INSERTs (api.c), or none.
 */
static bool creating_valid = false;
static pg_uuid_t creating_id;

void
mp_creating_customer(const pg_uuid_t *customer_id)
{
	creating_valid = customer_id != NULL;
	if (customer_id)
		creating_id = *customer_id;
}

/*
 * AFTER INSERT ON customer, a constraint trigger DEFERRABLE INITIALLY
 * DEFERRED, queued only for a row a non-operator inserted (its WHEN
 * clause): at the end of the transaction (or at SET CONSTRAINTS ...
 * IMMEDIATE) a customer a partner created must have a relationship with
 * that partner, of any status; otherwise its tenant would be claimed for
 * good by a customer only operators can see (issue 10, item 5).  Which
 * partner created it is read from the tenant registry, written when the
 * row was inserted, not from the role at commit, which may have changed
 * since.  A customer deleted since (by an operator) claims nothing.  The
 * trigger is named tenant_registry_relationship so that, fired IMMEDIATE at
 * the end of the INSERT, it runs after tenant_registry has written the
 * claim (AFTER triggers fire in name order); should it ever run first, it
 * fails rather than let the row through.
 *
 * 23503, as a deferred foreign key reports a missing row at commit: the
 * customer lacks the row that must refer to it.
 */
static HeapTuple
creator_relationship_row(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	bool		isnull;
	Datum		arg;
	pg_uuid_t	customer_id;
	MpCreatorInfo info;

	arg = mp_getattr(ev->newtup, rel, "customer_id", &isnull);
	if (isnull)
		return NULL;
	customer_id = *DatumGetUUIDP(arg);
	if (creating_valid && mp_uuid_eq(&creating_id, &customer_id))
		return NULL;

	if (!mp_lookup_customer_creator(&customer_id, &info))
		return NULL;			/* deleted since: it claims nothing */
	if (!info.claimed)
		elog(ERROR, "the tenant claim of customer %s is not written yet",
			 mp_uuid_str(&customer_id));
	if (!info.has_creator)
		return NULL;			/* an operator's */

	if (!info.has_relationship)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("customer %s has no relationship with partner %s, which created it",
						mp_uuid_str(&customer_id), mp_uuid_str(&info.creator)),
				 errdetail("A customer a partner creates must have a relationship with that partner when the transaction ends; otherwise nobody but an operator could see it, and it would hold its tenant for good."),
				 errhint("Create customers with multipartner.create_customer(), or insert the partner's relationship with the customer in the same transaction."),
				 mp_errtableconstraint(rel, "tenant_registry_relationship")));
	return NULL;
}

static const MpTrigger creator_relationship_check = {
	.name = "creator_relationship_check",
	.kind = MP_TRIGGER_AFTER_ROW,
	.restore = MP_RESTORE_SKIP,
	.on_insert = creator_relationship_row,
};

MP_TRIGGER_FUNCTION(mp_creator_relationship_check, creator_relationship_check)

/*
 * BEFORE TRUNCATE ... FOR EACH STATEMENT: R10.  TRUNCATE skips row
 * triggers, so it would skip every rule and the audit log; it is refused
 * for everyone on every table of the extension, in restore mode too.
 * (Member rows are removed with DELETE, which is audited.)
 */
static const MpTrigger forbid_truncate = {
	.name = "forbid_truncate",
	.kind = MP_TRIGGER_ANY,
	.restore = MP_RESTORE_RUN,
	.no_truncate = {"Rows of this table are never deleted.", NULL},
};

MP_TRIGGER_FUNCTION(mp_forbid_truncate, forbid_truncate)
