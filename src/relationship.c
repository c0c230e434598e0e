/*-------------------------------------------------------------------------
 *
 * relationship.c
 *	  The relationship lifecycle, enforced on multipartner.relationship for
 *	  every writer (the SQL API and direct DML alike):
 *	    R2  who may request (partner global_admin, user_management_admin,
 *	        admin_agent, sales_agent; or an operator),
 *	    R3  who may accept, decline, revoke delegated admin and terminate,
 *	    R9  partner and customer in the same cloud,
 *	    R10 relationships are never deleted,
 *	    R12 (its twin) the parties and the request never change,
 *	  and the state machine
 *	    pending -> active | declined | expired,   active -> terminated,
 *	  where a pending request older than 90 days can no longer be accepted
 *	  or declined and reads as expired.
 *
 * At most one pending or active relationship per (customer, partner) is
 * the partial unique index relationship_open_key; the check here only
 * gives the friendly message and expires a stale request first, the index
 * decides under concurrency.  Status changes are plain row updates, so two
 * concurrent decisions on one request serialize on the row lock and the
 * second sees the first one's result (the BEFORE UPDATE trigger receives
 * the latest row version).
 *
 * The *_by / *_at columns are the record of who did what: the trigger
 * writes them, an application cannot (428C9, as for generated columns);
 * an operator may load historical values on INSERT.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

#include "multipartner.h"

static const char *const recorded_cols[] = {
	"decided_by", "decided_at", "ended_by", "ended_at", NULL
};

/* The record columns are written by this trigger only. */
static void
check_recorded_untouched(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	for (int i = 0; recorded_cols[i] != NULL; i++)
		if (mp_column_changed(rel, oldtup, newtup, recorded_cols[i]))
		{
			mp_count_refusal(MP_RULE_RECORDED, ERRCODE_GENERATED_ALWAYS);
			ereport(ERROR,
					(errcode(ERRCODE_GENERATED_ALWAYS),
					 errmsg("column \"%s\" can only be set by a status change",
							recorded_cols[i]),
					 errdetail("The decided_* and ended_* columns record who changed the status and when."),
					 mp_errtablecol(rel, mp_attnum(rel, recorded_cols[i]))));
		}
}

/* Is the acting role a global_admin of this partner?  (R3) */
static bool
acts_as_partner_admin(const pg_uuid_t *partner_id)
{
	pg_uuid_t	acting;

	/* the membership that allows the change is held until commit */
	return mp_acting_partner(&acting, NULL) &&
		mp_uuid_eq(&acting, partner_id) &&
		(mp_lock_acting_membership() & MP_PROLE_GLOBAL_ADMIN) != 0;
}

static bool
acts_as_customer_admin(const pg_uuid_t *customer_id)
{
	return (mp_customer_roles(customer_id) & MP_CROLE_GLOBAL_ADMIN) != 0 &&
		(mp_lock_customer_membership(customer_id) & MP_CROLE_GLOBAL_ADMIN) != 0;
}

static void
check_not_expired(const pg_uuid_t *rid, TimestampTz requested_at)
{
	if (requested_at <= mp_request_expiry_cutoff())
	{
		mp_count_refusal(MP_RULE_LIFECYCLE, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relationship request %s has expired", mp_uuid_str(rid)),
				 errdetail("It was requested at %s; requests expire after %d days.",
						   timestamptz_to_str(requested_at),
						   MP_REQUEST_LIFETIME_DAYS),
				 errhint("The partner must request the relationship again.")));
	}
}

/*
 * R13: no termination while the partner has a live subscription with the
 * customer.
 *
 * The count runs on the latest snapshot (lookup.c says why).
 */
static void
check_no_live_subscriptions(const pg_uuid_t *rid, const pg_uuid_t *customer_id,
							const pg_uuid_t *partner_id)
{
	int64		live = mp_lookup_live_subscriptions(customer_id, partner_id);

	if (live > 0)
	{
		mp_count_refusal(MP_RULE_R13, ERRCODE_MP_LIVE_SUBSCRIPTIONS);
		ereport(ERROR,
				(errcode(ERRCODE_MP_LIVE_SUBSCRIPTIONS),
				 errmsg("cannot terminate relationship %s", mp_uuid_str(rid)),
				 errdetail_plural("Partner %s still has %lld active or suspended subscription with customer %s.",
								  "Partner %s still has %lld active or suspended subscriptions with customer %s.",
								  live, mp_uuid_str(partner_id), (long long) live,
								  mp_uuid_str(customer_id)),
				 errhint("Cancel the subscriptions or let them expire first.")));
	}
}

/* R2: who asks a customer for a relationship */
static const MpPartnerAct request_relationship = {
	"request a relationship", "Requesting a relationship", MP_PROLES_REQUEST,
	MP_RULE_R2
};

/* What the steps of a new relationship's INSERT know about it. */
typedef struct NewRelationship
{
	const MpTriggerEvent *ev;
	bool		op;				/* an operator inserts it */
	MpRowPatch	patch;			/* what the steps write into the row */
	pg_uuid_t	partner_id;
	pg_uuid_t	customer_id;
	int			status;
	MpPartnerInfo partner;
	MpCustomerInfo customer;
} NewRelationship;

/*
 * R2: the requesting partner and its roles.  A non-operator requests for
 * the partner it acts for, with a role that may request; a row that names
 * no partner gets that one.  False: the row names no partner and an
 * operator writes it, which the NOT NULL constraint answers.
 */
static bool
requesting_partner(NewRelationship *r)
{
	bool		isnull;
	Datum		d = mp_getattr(r->ev->newtup, r->ev->rel, "partner_id", &isnull);
	pg_uuid_t	acting;

	if (!isnull)
		r->partner_id = *DatumGetUUIDP(d);
	if (r->op)
		return !isnull;
	mp_require_partner_act(&request_relationship, isnull ? NULL : &r->partner_id,
						   &acting);
	if (isnull)
	{
		r->partner_id = acting;
		mp_patch_set(&r->patch, r->ev->rel, "partner_id",
					 UUIDPGetDatum(&r->partner_id));
	}
	return true;
}

/*
 * The customer and the status asked for.  False: one is NULL, which is
 * left to the NOT NULL constraints (the acting partner is filled in first,
 * so that row security's check of the new row does not answer for them).
 */
static bool
customer_and_status(NewRelationship *r)
{
	bool		isnull;
	Datum		d = mp_getattr(r->ev->newtup, r->ev->rel, "customer_id", &isnull);

	if (isnull)
		return false;
	r->customer_id = *DatumGetUUIDP(d);
	d = mp_getattr(r->ev->newtup, r->ev->rel, "status", &isnull);
	if (isnull)
		return false;
	r->status = mp_enum_index(d, mp_rel_status_labels);
	return true;
}

/*
 * The parties exist, and the partner is not suspended.  The foreign keys
 * say the first too, but they are not the only guard: the rules below need
 * both rows.
 */
static void
parties_exist(NewRelationship *r)
{
	Relation	rel = r->ev->rel;

	if (!mp_lookup_partner(&r->partner_id, &r->partner))
		mp_report_party_missing(rel, "partner", &r->partner_id,
								"relationship_partner_id_fkey");
	if (r->partner.status != 0)
		mp_report_partner_suspended(&r->partner_id,
									"A suspended partner cannot start new relationships.");
	if (!mp_lookup_customer(&r->customer_id, r->status == MP_REL_ACTIVE && !r->op,
							&r->customer))
		mp_report_party_missing(rel, "customer", &r->customer_id,
								"relationship_customer_id_fkey");
}

/* R9: partner and customer in the same cloud. */
static void
same_cloud(const NewRelationship *r)
{
	Datum		pcloud = ObjectIdGetDatum(r->partner.cloud);
	Datum		ccloud = ObjectIdGetDatum(r->customer.cloud);

	if (r->partner.cloud != r->customer.cloud)
	{
		mp_count_refusal(MP_RULE_R9, ERRCODE_MP_CLOUD_MISMATCH);
		ereport(ERROR,
				(errcode(ERRCODE_MP_CLOUD_MISMATCH),
				 errmsg("partner %s and customer %s are in different clouds",
						mp_uuid_str(&r->partner_id), mp_uuid_str(&r->customer_id)),
				 errdetail("The partner works in cloud \"%s\", the customer in cloud \"%s\".",
						   mp_cloud_labels[mp_enum_index(pcloud, mp_cloud_labels)],
						   mp_cloud_labels[mp_enum_index(ccloud, mp_cloud_labels)]),
				 errhint("Partner Center and Partner Center for Microsoft Cloud for US Government are separate.")));
	}
}

/*
 * The start state.  A partner's request is pending until the customer
 * decides.  The one exception is create_customer(): the partner that
 * created the customer, in this very transaction and before anybody else
 * has a relationship with it, starts out active.
 */
static void
start_state(const NewRelationship *r)
{
	const MpCustomerInfo *c = &r->customer;

	if (r->status == MP_REL_ACTIVE && !r->op)
	{
		bool		created_here = TransactionIdIsValid(c->claim_xmin) &&
			c->has_creator &&
			TransactionIdIsCurrentTransactionId(c->claim_xmin) &&
			mp_uuid_eq(&c->creator, &r->partner_id);

		if (!created_here || mp_lookup_customer_has_relationship(&r->customer_id))
			mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE,
							 "create an active relationship with", "customer",
							 &r->customer_id,
							 "A relationship starts as pending until the customer's global administrator accepts it.",
							 "Use multipartner.request_relationship().");
	}
	else if (r->status != MP_REL_PENDING && r->status != MP_REL_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("a new relationship must be pending or active, not \"%s\"",
						mp_rel_status_labels[r->status])));
}

/*
 * One open relationship per pair; a stale request makes way (it is
 * recorded as expired).  The unique index relationship_open_key decides
 * under concurrency; this gives the friendly message.
 */
static void
one_open_per_pair(const NewRelationship *r)
{
	MpRelInfo	open;

	if (!mp_lookup_open_relationship(&r->customer_id, &r->partner_id, &open))
		return;
	if (open.status == MP_REL_PENDING &&
		open.requested_at <= mp_request_expiry_cutoff())
	{
		mp_lookup_expire_request(&r->customer_id, &open.relationship_id);
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 open.status == MP_REL_PENDING ?
			 errmsg("customer %s already has a pending relationship request from partner %s",
					mp_uuid_str(&r->customer_id), mp_uuid_str(&r->partner_id)) :
			 errmsg("customer %s already has an active relationship with partner %s",
					mp_uuid_str(&r->customer_id), mp_uuid_str(&r->partner_id)),
			 errdetail("Relationship %s is %s.", mp_uuid_str(&open.relationship_id),
					   mp_rel_status_labels[open.status]),
			 open.status == MP_REL_PENDING ?
			 errhint("Wait for the customer to accept or decline the pending request.") :
			 errhint("The partner can already sell to this customer.")));
}

/*
 * The record columns: who asked and when, and for a relationship that
 * starts active, who decided and when.  For everyone but an operator the
 * first are the acting role and the time of the statement
 * (mp_statement_time); left out, they are (requested_at by the guard
 * trigger, trigger.c, requested_by by its default), and a different
 * value is refused rather than silently replaced.
 */
static void
record_columns(NewRelationship *r)
{
	Relation	rel = r->ev->rel;
	HeapTuple	tuple = r->ev->newtup;
	bool		isnull;

	if (!r->op)
	{
		check_recorded_untouched(rel, NULL, tuple);
		mp_stamp_role(&r->patch, rel, tuple, "requested_by", "the requesting role");
		mp_stamp_time(&r->patch, rel, tuple, "requested_at", "the time of the request");
	}
	if (r->status == MP_REL_ACTIVE)
	{
		mp_getattr(tuple, rel, "decided_at", &isnull);
		if (isnull)
		{
			mp_patch_set_role(&r->patch, rel, "decided_by");
			mp_patch_set(&r->patch, rel, "decided_at",
						 TimestampTzGetDatum(mp_statement_time()));
		}
	}
}

/*
 * BEFORE INSERT: a new relationship, in named steps.
 */
static HeapTuple
relationship_insert(const MpTriggerEvent *ev)
{
	NewRelationship r = {0};

	r.ev = ev;
	r.op = mp_is_operator();
	if (requesting_partner(&r) && customer_and_status(&r))
	{
		parties_exist(&r);
		same_cloud(&r);
		start_state(&r);
		one_open_per_pair(&r);
		record_columns(&r);
	}
	return mp_patch_apply(&r.patch, ev->rel, ev->newtup, ev->cxt);
}

/* Does the UPDATE's SET list name column col? */
static bool
column_assigned(Relation rel, const Bitmapset *updatedcols, const char *col)
{
	return bms_is_member(mp_attnum(rel, col) - FirstLowInvalidHeapAttributeNumber,
						 updatedcols);
}

/*
 * R3: may the acting role put the relationship into status target?
 * Accepting and declining belong to the customer's global_admin,
 * terminating to the partner's, recording an expiry to either party; an
 * operator may do all of it.
 */
static void
check_status_role(int target, bool op, const pg_uuid_t *rid,
				  const pg_uuid_t *customer_id, const pg_uuid_t *partner_id)
{
	pg_uuid_t	acting;

	if (op)
		return;
	switch (target)
	{
		case MP_REL_ACTIVE:
		case MP_REL_DECLINED:
			if (!acts_as_customer_admin(customer_id))
				mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE,
								 target == MP_REL_ACTIVE ? "accept" : "decline",
								 "relationship", rid,
								 "Only a global administrator of the customer or an operator may accept or decline a relationship request.",
								 NULL);
			break;
		case MP_REL_TERMINATED:
			if (!acts_as_partner_admin(partner_id))
				mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE, "terminate",
								 "relationship", rid,
								 "Only a global administrator of the partner or an operator may terminate a relationship.",
								 NULL);
			break;
		case MP_REL_EXPIRED:
			if (mp_customer_roles(customer_id) == 0 &&
				!(mp_acting_partner(&acting, NULL) && mp_uuid_eq(&acting, partner_id)))
				mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE, "expire",
								 "relationship", rid,
								 "Only the customer, the partner or an operator may record that a request expired.",
								 NULL);
			break;
		default:
			/* pending: no transition leads there; the state machine refuses it */
			break;
	}
}

static const char *const relationship_immutable[] = {
	"relationship_id", "customer_id", "partner_id", "requested_by",
	"requested_at", NULL
};

/*
 * BEFORE UPDATE: the state machine and R3.
 */
static HeapTuple
relationship_update(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	oldtup = ev->oldtup;
	HeapTuple	newtup = ev->newtup;
	const Bitmapset *updatedcols = ev->td->tg_updatedcols;
	MemoryContext cxt = ev->cxt;
	bool		isnull;
	Datum		d;
	bool		op;
	MpRowPatch	patch = {0};
	pg_uuid_t	rid;
	pg_uuid_t	customer_id;
	pg_uuid_t	partner_id;
	int			old_status;
	int			new_status;
	bool		old_admin;
	bool		new_admin;
	TimestampTz requested_at;
	Datum		now = TimestampTzGetDatum(mp_statement_time());

	mp_check_immutable(MP_RULE_R12, rel, oldtup, newtup, ERRCODE_MP_IDENTITY_IMMUTABLE,
					   "relationship", "relationship_id", relationship_immutable,
					   "The parties of a relationship and its request never change.",
					   "Request a new relationship instead.");
	check_recorded_untouched(rel, oldtup, newtup);

	rid = *DatumGetUUIDP(mp_getattr(oldtup, rel, "relationship_id", &isnull));
	customer_id = *DatumGetUUIDP(mp_getattr(oldtup, rel, "customer_id", &isnull));
	partner_id = *DatumGetUUIDP(mp_getattr(oldtup, rel, "partner_id", &isnull));
	requested_at = DatumGetTimestampTz(mp_getattr(oldtup, rel, "requested_at", &isnull));
	old_status = mp_enum_index(mp_getattr(oldtup, rel, "status", &isnull),
							   mp_rel_status_labels);
	old_admin = DatumGetBool(mp_getattr(oldtup, rel, "delegated_admin", &isnull));
	d = mp_getattr(newtup, rel, "status", &isnull);
	if (isnull)
		return newtup;			/* the NOT NULL constraint says so */
	new_status = mp_enum_index(d, mp_rel_status_labels);
	d = mp_getattr(newtup, rel, "delegated_admin", &isnull);
	if (isnull)
		return newtup;
	new_admin = DatumGetBool(d);

	op = mp_is_operator();

	/*
	 * Who may set the status: checked whenever the UPDATE assigns it, even
	 * to the value it already has, so that "accepting" an active
	 * relationship is refused to a role that could not accept it.
	 */
	if (old_status != new_status || column_assigned(rel, updatedcols, "status"))
		check_status_role(new_status, op, &rid, &customer_id, &partner_id);

	if (old_status != new_status)
	{
		if (old_status == MP_REL_PENDING &&
			(new_status == MP_REL_ACTIVE || new_status == MP_REL_DECLINED))
		{
			check_not_expired(&rid, requested_at);
			mp_patch_set_role(&patch, rel, "decided_by");
			mp_patch_set(&patch, rel, "decided_at", now);
		}
		else if (old_status == MP_REL_PENDING && new_status == MP_REL_EXPIRED)
		{
			if (requested_at > mp_request_expiry_cutoff())
			{
				mp_count_refusal(MP_RULE_LIFECYCLE, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("relationship request %s has not expired",
								mp_uuid_str(&rid)),
						 errdetail("It was requested at %s; requests expire after %d days.",
								   timestamptz_to_str(requested_at),
								   MP_REQUEST_LIFETIME_DAYS),
						 errhint("The customer's global administrator may decline it.")));
			}
			mp_patch_set_role(&patch, rel, "ended_by");
			mp_patch_set(&patch, rel, "ended_at", now);
		}
		else if (old_status == MP_REL_ACTIVE && new_status == MP_REL_TERMINATED)
		{
			check_no_live_subscriptions(&rid, &customer_id, &partner_id);
			mp_patch_set_role(&patch, rel, "ended_by");
			mp_patch_set(&patch, rel, "ended_at", now);
		}
		else
		{
			mp_count_refusal(MP_RULE_LIFECYCLE, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot change relationship %s from %s to %s",
							mp_uuid_str(&rid), mp_rel_status_labels[old_status],
							mp_rel_status_labels[new_status]),
					 errdetail("A relationship goes only from pending to active, declined or expired, and from active to terminated.")));
		}
	}

	if (old_admin != new_admin || column_assigned(rel, updatedcols, "delegated_admin"))
	{
		if (new_admin && !old_admin)
		{
			if (!op)
				mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE,
								 "grant delegated admin rights on", "relationship",
								 &rid,
								 "Delegated admin rights are granted by accepting a request; once revoked, only an operator can restore them.",
								 NULL);
			if (new_status != MP_REL_ACTIVE)
			{
				mp_count_refusal(MP_RULE_LIFECYCLE, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot grant delegated admin rights on relationship %s",
								mp_uuid_str(&rid)),
						 errdetail("The relationship is %s; delegated admin rights exist only on active relationships.",
								   mp_rel_status_labels[new_status])));
			}
		}
		else if (!new_admin)
		{
			/*
			 * Revoking: on an active relationship, or together with its
			 * termination (whose own role check has run above).  Revoking
			 * what is already revoked changes nothing, in any state, but
			 * is still asked of a role that may revoke.
			 */
			if (old_admin && new_status != MP_REL_ACTIVE &&
				!(new_status == MP_REL_TERMINATED && old_status == MP_REL_ACTIVE))
			{
				mp_count_refusal(MP_RULE_LIFECYCLE, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot revoke delegated admin rights of relationship %s",
								mp_uuid_str(&rid)),
						 errdetail("The relationship is %s; delegated admin rights are revoked from active relationships.",
								   mp_rel_status_labels[new_status])));
			}
			if (!op && !acts_as_customer_admin(&customer_id) &&
				!acts_as_partner_admin(&partner_id))
				mp_report_denied(MP_RULE_R3, ERRCODE_INSUFFICIENT_PRIVILEGE,
								 "revoke delegated admin rights of", "relationship",
								 &rid,
								 "Only a global administrator of the customer or of the partner, or an operator, may revoke delegated admin rights.",
								 NULL);
		}
	}

	return mp_patch_apply(&patch, rel, newtup, cxt);
}

/* BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on relationship */
static const MpTrigger relationship_guard = {
	.name = "relationship_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,
	.stamp = "requested_at",
	.no_delete = {"Relationships are never deleted.",	/* R10 */
	"Terminate or decline the relationship instead."},
	.on_insert = relationship_insert,
	.on_update = relationship_update,
};

MP_TRIGGER_FUNCTION(mp_relationship_guard, relationship_guard)
