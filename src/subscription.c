/*-------------------------------------------------------------------------
 *
 * subscription.c
 *	  The rules of multipartner.subscription, for every writer:
 *	    R4  a sale needs an active relationship between the customer and the
 *	        acting partner, which becomes the partner of record; only
 *	        global_admin, admin_agent and sales_agent place orders,
 *	    R5  only the partner of record (or an operator) updates,
 *	    R6  partner of record and customer never change, not even by an
 *	        operator,
 *	    R7  offer, product family, term, billing cycle and created_at never
 *	        change, and only a renewal moves term_start and commitment_end;
 *	        quantity may rise at any time, lowering it and cancelling only
 *	        within 168 hours of the start of the current term; cancelled and
 *	        expired are final,
 *	    R10 subscriptions are never deleted,
 *	    R11 a terminated, declined or expired relationship allows no sale.
 *
 * Time (SPEC §10, term.c): every UPDATE is judged against the row as time
 * has made it at the statement's clock, and writes what is due with it: a
 * term that renewed moves term_start and commitment_end in the new row, a
 * subscription that expired is written expired (and refuses any other
 * change).  So a write never undoes a renewal or an expiry nobody recorded
 * yet, and run_maintenance() records them by the same trigger.
 *
 * Concurrency: the relationship row that allows a sale is locked FOR SHARE
 * (lookup.c, mp_lookup_lock_active_relationship) and the termination of R13 counts live
 * subscriptions on the latest snapshot (relationship.c), so a sale and a
 * termination of the same relationship never both succeed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"

#include "utils/snapmgr.h"

#include "multipartner.h"

/*
 * Is the statement (mp_statement_time, not the start of its transaction)
 * still within the 168-hour window that follows the start of the current
 * term?
 */
static bool
within_cancel_window(TimestampTz term_start)
{
	return mp_statement_time() <
		term_start + (int64) MP_CANCEL_WINDOW_HOURS * USECS_PER_HOUR;
}

/*
 * R4 and R11: lock the active relationship that allows this sale, or say
 * why there is none.
 */
static void
lock_selling_relationship(const pg_uuid_t *customer_id,
						  const pg_uuid_t *partner_id)
{
	MpRelInfo	latest;
	const char *why = "There is no relationship between them.";
	MpRefusalRule rule = MP_RULE_R4;	/* R11 once the relationship ended */

	if (mp_lookup_lock_active_relationship(customer_id, partner_id))
		return;

	if (mp_lookup_latest_relationship(customer_id, partner_id, &latest))
	{
		int			status = latest.status;

		/* a pending request past its lifetime reads as expired */
		if (status == MP_REL_PENDING && latest.requested_at <= mp_request_expiry_cutoff())
			status = MP_REL_EXPIRED;
		if (status == MP_REL_DECLINED || status == MP_REL_EXPIRED ||
			status == MP_REL_TERMINATED)
			rule = MP_RULE_R11;
		why = psprintf(status == MP_REL_PENDING ?
					   "Their latest relationship is pending: the customer has not accepted it yet." :
					   "Their latest relationship is %s.",
					   mp_rel_status_labels[status]);
	}
	mp_count_refusal(rule, ERRCODE_MP_NO_ACTIVE_RELATIONSHIP);
	ereport(ERROR,
			(errcode(ERRCODE_MP_NO_ACTIVE_RELATIONSHIP),
			 errmsg("partner %s has no active relationship with customer %s",
					mp_uuid_str(partner_id), mp_uuid_str(customer_id)),
			 errdetail_internal("%s", why),
			 errhint("The partner must request a relationship and the customer must accept it first.")));
}

static const char *const subscription_identity[] = {
	"subscription_id", "created_by", NULL
};
static const char *const subscription_parties[] = {
	"partner_of_record", "customer_id", NULL
};
static const char *const subscription_terms[] = {
	"offer_id", "product_family", "term", "billing_cycle", "created_at", NULL
};

/*
 * The status of the selling partner, as an index in mp_partner_status_labels
 * (-2: no such partner), read without a lock like any plain read.
 *
 * A multi-row INSERT asks for the same partner on every row, so the answer
 * is kept for as long as the statement's snapshot is the same one (same
 * xmin, xmax, command id, and no transaction ended since it was taken): a
 * statement is judged against the partner's status as it reads it at its
 * first row, as if the statement had run at that instant.  A write to
 * partner in this backend (mp_partner_status_forget, from the partner
 * trigger) and the end of a transaction or subtransaction forget it.
 */
typedef struct PartnerStatusCache
{
	bool		valid;
	pg_uuid_t	partner_id;
	int			status;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	uint64		completions;
} PartnerStatusCache;

static PartnerStatusCache pstatus_cache;

void
mp_partner_status_forget(void)
{
	pstatus_cache.valid = false;
}

static int
partner_status(const pg_uuid_t *partner_id)
{
	Snapshot	snap = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;
	int			status;

	if (snap && pstatus_cache.valid &&
		mp_uuid_eq(&pstatus_cache.partner_id, partner_id) &&
		pstatus_cache.xmin == snap->xmin && pstatus_cache.xmax == snap->xmax &&
		pstatus_cache.curcid == snap->curcid &&
		pstatus_cache.completions == snap->snapXactCompletionCount)
		return pstatus_cache.status;

	{
		MpPartnerInfo info;

		status = mp_lookup_partner(partner_id, &info) ? info.status : -2;
	}
	if (snap)
	{
		pstatus_cache.partner_id = *partner_id;
		pstatus_cache.status = status;
		pstatus_cache.xmin = snap->xmin;
		pstatus_cache.xmax = snap->xmax;
		pstatus_cache.curcid = snap->curcid;
		pstatus_cache.completions = snap->snapXactCompletionCount;
		pstatus_cache.valid = true;
	}
	return status;
}

/* R4: who places orders; R5's roles: who changes them */
static const MpPartnerAct place_orders = {
	"place orders", "Placing an order", MP_PROLES_ORDER, MP_RULE_R4
};
static const MpPartnerAct change_orders = {
	"change orders", "Changing an order", MP_PROLES_ORDER, MP_RULE_R4
};

/*
 * BEFORE INSERT: R4, R11, and the derived columns.
 */
static HeapTuple
subscription_insert(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	tuple = ev->newtup;
	MemoryContext cxt = ev->cxt;
	bool		op = mp_is_operator();
	bool		isnull;
	bool		pnull;
	pg_uuid_t	customer_id;
	pg_uuid_t	partner_id;
	Datum		d;
	TimestampTz created_at;
	TimestampTz end;
	char	   *term;
	MpRowPatch	patch = {0};

	d = mp_getattr(tuple, rel, "partner_of_record", &pnull);
	if (!pnull)
		partner_id = *DatumGetUUIDP(d);

	if (!op)
	{
		pg_uuid_t	acting;

		mp_require_partner_act(&place_orders, pnull ? NULL : &partner_id,
							   &acting);
		if (pnull)
		{
			partner_id = acting;
			mp_patch_set(&patch, rel, "partner_of_record",
						 UUIDPGetDatum(&partner_id));
		}
	}
	else if (pnull)
		return tuple;

	/*
	 * A NULL customer is left to the NOT NULL constraint, with the partner
	 * of record filled in first, so that row security's check of the new
	 * row does not answer for it.
	 */
	d = mp_getattr(tuple, rel, "customer_id", &isnull);
	if (isnull)
		return mp_patch_apply(&patch, rel, tuple, cxt);
	customer_id = *DatumGetUUIDP(d);

	d = mp_getattr(tuple, rel, "status", &isnull);
	if (!isnull && mp_enum_index(d, mp_sub_status_labels) != MP_SUB_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("a new subscription must be active"),
				 errdetail("A subscription starts active; suspend it afterwards if needed.")));

	if (partner_status(&partner_id) > 0)
		mp_report_partner_suspended(&partner_id, "A suspended partner cannot sell.");

	lock_selling_relationship(&customer_id, &partner_id);

	/*
	 * The record: who sold, when, and until when it commits the customer.
	 * For everyone but an operator (who may load history) created_by and
	 * created_at are the acting role and the time of the statement
	 * (mp_statement_time): left out, they are (created_at by the guard
	 * trigger, trigger.c, created_by by its default), and a different value
	 * is refused rather than silently replaced.
	 */
	if (!op)
	{
		mp_stamp_time(&patch, rel, tuple, "created_at", "the time of the sale");
		mp_stamp_role(&patch, rel, tuple, "created_by", "the selling role");
		created_at = mp_statement_time();
	}
	else
	{
		/* never NULL: the guard trigger stamped a NULL first (trigger.c) */
		created_at = DatumGetTimestampTz(mp_getattr(tuple, rel, "created_at", &isnull));
		Assert(!isnull);
	}
	d = mp_getattr(tuple, rel, "term", &isnull);
	term = isnull ? "" : TextDatumGetCString(d);
	if (mp_term_months(term) == 0)
		end = created_at;		/* the term's CHECK constraint refuses the row */
	else
		end = mp_term_add(created_at, mp_term_months(term));
	d = mp_getattr(tuple, rel, "commitment_end", &isnull);
	if (!isnull && DatumGetTimestampTz(d) != end)
		mp_report_stamp(rel, "commitment_end", "created_at plus its term",
						"it is set to created_at plus the term");
	mp_patch_set(&patch, rel, "commitment_end", TimestampTzGetDatum(end));
	/* the first term starts with the sale (SPEC §10) */
	d = mp_getattr(tuple, rel, "term_start", &isnull);
	if (!isnull && DatumGetTimestampTz(d) != created_at)
		mp_report_stamp(rel, "term_start", "created_at",
						"the first term starts at created_at, and only a renewal moves it");
	mp_patch_set(&patch, rel, "term_start", TimestampTzGetDatum(created_at));
	return mp_patch_apply(&patch, rel, tuple, cxt);
}

/* the columns of a subscription row its term depends on */
static MpSubTerm
sub_term_of(Relation rel, HeapTuple tup)
{
	MpSubTerm	t;
	bool		isnull;
	Datum		d;

	t.status = mp_enum_index(mp_getattr(tup, rel, "status", &isnull),
							 mp_sub_status_labels);
	t.auto_renew = DatumGetBool(mp_getattr(tup, rel, "auto_renew", &isnull));
	d = mp_getattr(tup, rel, "term", &isnull);
	t.term = isnull ? "" : TextDatumGetCString(d);
	t.created_at = DatumGetTimestampTz(mp_getattr(tup, rel, "created_at", &isnull));
	t.term_start = DatumGetTimestampTz(mp_getattr(tup, rel, "term_start", &isnull));
	t.commitment_end = DatumGetTimestampTz(mp_getattr(tup, rel, "commitment_end", &isnull));
	return t;
}

/*
 * R7 for term_start or commitment_end (col): the new row leaves it as
 * recorded (it gets the effective value: a renewal nobody recorded yet is
 * written with this write) or sets it to the effective value (recording the
 * renewal); anything else is refused.  False for a NULL (left to NOT NULL).
 */
static bool
term_column(Relation rel, HeapTuple newtup, const char *col,
			const pg_uuid_t *sid, TimestampTz recorded, TimestampTz effective,
			const MpSubTerm *eff, MpRowPatch *patch)
{
	bool		isnull;
	TimestampTz v;

	v = DatumGetTimestampTz(mp_getattr(newtup, rel, col, &isnull));
	if (isnull)
		return false;
	if (v == recorded && v != effective)
		mp_patch_set(patch, rel, col, TimestampTzGetDatum(effective));
	else if (v != effective)
		mp_report_immutable(MP_RULE_R7, rel, col, ERRCODE_MP_TERMS_IMMUTABLE,
							"subscription", sid,
							psprintf("Only a renewal moves term_start and commitment_end; the current term runs from %s to %s.",
									 pstrdup(timestamptz_to_str(eff->term_start)),
									 pstrdup(timestamptz_to_str(eff->commitment_end))),
							NULL);
	return true;
}

/*
 * BEFORE UPDATE: R6, R5, R7, in that order: what no one may do first, so
 * an operator gets the same answer as a partner.
 */
static HeapTuple
subscription_update(const MpTriggerEvent *ev)
{
	Relation	rel = ev->rel;
	HeapTuple	oldtup = ev->oldtup;
	HeapTuple	newtup = ev->newtup;
	bool		isnull;
	Datum		d;
	pg_uuid_t	sid;
	pg_uuid_t	partner_id;
	int			old_status;
	int			new_status;
	int32		old_qty;
	int32		new_qty;
	MpSubTerm	rec;
	MpSubTerm	eff;
	MpRowPatch	patch = {0};

	sid = *DatumGetUUIDP(mp_getattr(oldtup, rel, "subscription_id", &isnull));

	/* R6 */
	mp_check_immutable(MP_RULE_R6, rel, oldtup, newtup, ERRCODE_MP_NO_TRANSITION,
					   "subscription", "subscription_id", subscription_parties,
					   "A subscription never moves to another partner of record or another customer.",
					   "Cancel it within its cancellation window and let the other partner sell a new one.");
	mp_check_immutable(MP_RULE_R12, rel, oldtup, newtup, ERRCODE_MP_IDENTITY_IMMUTABLE,
					   "subscription", "subscription_id", subscription_identity,
					   "The id of a subscription and the role that created it never change.",
					   NULL);

	/* R5 */
	partner_id = *DatumGetUUIDP(mp_getattr(oldtup, rel, "partner_of_record", &isnull));
	if (!mp_is_operator())
	{
		pg_uuid_t	acting;
		uint32		roles;

		if (!mp_acting_partner(&acting, NULL) ||
			!mp_uuid_eq(&acting, &partner_id))
			mp_report_denied(MP_RULE_R5, ERRCODE_MP_NOT_PARTNER_OF_RECORD, "change",
							 "subscription", &sid,
							 "Only the partner of record of a subscription may change it.",
							 NULL);
		roles = mp_lock_acting_membership();
		if ((roles & change_orders.roles) == 0)
			mp_report_partner_role(&change_orders, &partner_id);
	}

	/* R7: the terms */
	mp_check_immutable(MP_RULE_R7, rel, oldtup, newtup, ERRCODE_MP_TERMS_IMMUTABLE,
					   "subscription", "subscription_id", subscription_terms,
					   "The terms and obligations of a subscription never change once it is created.",
					   NULL);

	/* time: the row as the statement's clock reads it (term.c) */
	rec = sub_term_of(rel, oldtup);
	eff = rec;
	mp_sub_effective(&eff, mp_statement_time());

	/* R7: only a renewal moves term_start and commitment_end */
	if (!term_column(rel, newtup, "term_start", &sid, rec.term_start,
					 eff.term_start, &eff, &patch) ||
		!term_column(rel, newtup, "commitment_end", &sid, rec.commitment_end,
					 eff.commitment_end, &eff, &patch))
		return newtup;			/* the NOT NULL constraint says so */

	/* R7: the obligations, judged by the effective status */
	old_status = eff.status;
	d = mp_getattr(newtup, rel, "status", &isnull);
	if (isnull)
		return newtup;			/* the NOT NULL constraint says so */
	new_status = mp_enum_index(d, mp_sub_status_labels);
	if (new_status == rec.status && eff.status != rec.status)
	{
		/* expired by time: the write records it (or is refused below) */
		new_status = eff.status;
		mp_patch_set(&patch, rel, "status",
					 mp_enum_label_datum(TupleDescAttr(RelationGetDescr(rel),
													   mp_attnum(rel, "status") - 1)->atttypid,
										 mp_sub_status_labels[new_status]));
	}
	old_qty = DatumGetInt32(mp_getattr(oldtup, rel, "quantity", &isnull));
	d = mp_getattr(newtup, rel, "quantity", &isnull);
	if (isnull)
		return newtup;
	new_qty = DatumGetInt32(d);

	if ((old_status == MP_SUB_CANCELLED || old_status == MP_SUB_EXPIRED) &&
		(new_status != old_status || new_qty != old_qty ||
		 mp_column_changed(rel, oldtup, newtup, "auto_renew")))
	{
		mp_count_refusal(MP_RULE_R7, ERRCODE_MP_TERMS_IMMUTABLE);
		ereport(ERROR,
				(errcode(ERRCODE_MP_TERMS_IMMUTABLE),
				 errmsg("subscription %s is %s", mp_uuid_str(&sid),
						mp_sub_status_labels[old_status]),
				 rec.status == old_status ?
				 errdetail("Cancelled and expired subscriptions are final.") :
				 errdetail("Its commitment ended at %s without a renewal; cancelled and expired subscriptions are final.",
						   timestamptz_to_str(rec.commitment_end))));
	}

	if (new_qty < old_qty && !within_cancel_window(eff.term_start))
	{
		mp_count_refusal(MP_RULE_R7, ERRCODE_MP_TERMS_IMMUTABLE);
		ereport(ERROR,
				(errcode(ERRCODE_MP_TERMS_IMMUTABLE),
				 errmsg("cannot lower the quantity of subscription %s", mp_uuid_str(&sid)),
				 errdetail("The quantity may be lowered only within %d hours of the start of the current term, at %s.",
						   MP_CANCEL_WINDOW_HOURS, timestamptz_to_str(eff.term_start)),
				 errhint("Quantity can still be raised.")));
	}

	if (new_status != old_status)
	{
		if (new_status == MP_SUB_CANCELLED && !within_cancel_window(eff.term_start))
		{
			mp_count_refusal(MP_RULE_R7, ERRCODE_MP_TERMS_IMMUTABLE);
			ereport(ERROR,
					(errcode(ERRCODE_MP_TERMS_IMMUTABLE),
					 errmsg("cannot cancel subscription %s", mp_uuid_str(&sid)),
					 errdetail("A subscription may be cancelled only within %d hours of the start of the current term, at %s.",
							   MP_CANCEL_WINDOW_HOURS, timestamptz_to_str(eff.term_start)),
					 errhint("Turn auto_renew off to end it at the end of its commitment.")));
		}
		if (new_status == MP_SUB_EXPIRED &&
			mp_statement_time() < eff.commitment_end)
		{
			mp_count_refusal(MP_RULE_R7, ERRCODE_MP_TERMS_IMMUTABLE);
			ereport(ERROR,
					(errcode(ERRCODE_MP_TERMS_IMMUTABLE),
					 errmsg("cannot expire subscription %s before the end of its commitment",
							mp_uuid_str(&sid)),
					 errdetail("Its commitment ends at %s.",
							   timestamptz_to_str(eff.commitment_end))));
		}
	}
	return mp_patch_apply(&patch, rel, newtup, ev->cxt);
}

/* BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on subscription */
static const MpTrigger subscription_guard = {
	.name = "subscription_guard",
	.kind = MP_TRIGGER_BEFORE_ROW,
	.restore = MP_RESTORE_HOLD,
	.stamp = "created_at",
	.no_delete = {"Subscriptions are never deleted.",	/* R10 */
	"Cancel the subscription within its cancellation window, or turn auto_renew off."},
	.on_insert = subscription_insert,
	.on_update = subscription_update,
};

MP_TRIGGER_FUNCTION(mp_subscription_guard, subscription_guard)
