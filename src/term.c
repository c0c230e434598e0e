/*-------------------------------------------------------------------------
 *
 * term.c
 *	  What time makes of a subscription (SPEC §10): its terms renew or it
 *	  expires, read lazily at the statement's clock, whether or not
 *	  run_maintenance() has recorded it yet.
 *
 * Terms are anchored on created_at, which never changes (R7): term k
 * (k >= 0) runs from created_at + k * term to created_at + (k + 1) * term,
 * in calendar arithmetic in UTC (as commitment_end is computed at the
 * sale), so a monthly subscription bought on the 31st renews on the 31st
 * of every month that has one, and the end of a month otherwise, without
 * drifting to the 28th.  A recorded row holds one of those terms
 * (term_start, commitment_end); what the statement's clock t makes of it:
 *
 *	  cancelled, expired         as recorded (final)
 *	  suspended                  expired once commitment_end <= t
 *	  active, no auto_renew      expired once commitment_end <= t
 *	  active, auto_renew         once commitment_end <= t, renewed into the
 *	                             term that contains t (as often as due)
 *
 * That is enough because every write to a subscription first folds in
 * what is due (subscription.c): auto_renew and suspended can only change
 * within a recorded current term, so the recorded flags held through every
 * term the lazy reading skips.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "multipartner.h"

/* the months of a term (P1M, P1Y, P3Y), 0 for anything else */
int
mp_term_months(const char *term)
{
	if (strcmp(term, "P1M") == 0)
		return 1;
	if (strcmp(term, "P1Y") == 0)
		return 12;
	if (strcmp(term, "P3Y") == 0)
		return 36;
	return 0;
}

/*
 * anchor + months, in calendar arithmetic in UTC (timestamp_pl_interval on
 * the same microseconds), so the terms do not depend on the TimeZone of the
 * session that reads them.
 */
TimestampTz
mp_term_add(TimestampTz anchor, int months)
{
	Interval	span = {0};

	span.month = months;
	return DatumGetTimestamp(DirectFunctionCall2(timestamp_pl_interval,
												 TimestampGetDatum(anchor),
												 IntervalPGetDatum(&span)));
}

/*
 * The effective state of a subscription at t: status, term_start and
 * commitment_end as the rules read them (see the header).
 */
void
mp_sub_effective(MpSubTerm *s, TimestampTz t)
{
	int64		k;
	int			m = mp_term_months(s->term);

	if (s->status != MP_SUB_ACTIVE && s->status != MP_SUB_SUSPENDED)
		return;
	if (s->commitment_end > t)
		return;
	if (s->status == MP_SUB_SUSPENDED || !s->auto_renew || m == 0)
	{
		s->status = MP_SUB_EXPIRED;
		return;
	}

	/*
	 * Renewed: the term that contains t, the largest k with created_at +
	 * k * m months <= t.  A first guess from the average month (30.436875
	 * days), then corrected by the calendar (a guess is off by one at most,
	 * the loops are there for safety).
	 */
	k = (int64) ((double) (t - s->created_at) /
				 ((double) m * 30.436875 * USECS_PER_DAY));
	if (k < 1)
		k = 1;
	while (k > 1 && mp_term_add(s->created_at, (int) (k * m)) > t)
		k--;
	while (mp_term_add(s->created_at, (int) ((k + 1) * m)) <= t)
		k++;
	s->term_start = mp_term_add(s->created_at, (int) (k * m));
	s->commitment_end = mp_term_add(s->created_at, (int) ((k + 1) * m));
}

/* a subscription row (a composite argument) read into an MpSubTerm */
static void
term_from_row(HeapTupleHeader row, MpSubTerm *s)
{
	bool		isnull;
	Datum		d;

	d = GetAttributeByName(row, "status", &isnull);
	s->status = isnull ? -1 : mp_enum_index(d, mp_sub_status_labels);
	d = GetAttributeByName(row, "auto_renew", &isnull);
	s->auto_renew = !isnull && DatumGetBool(d);
	d = GetAttributeByName(row, "term", &isnull);
	s->term = isnull ? "" : TextDatumGetCString(d);
	d = GetAttributeByName(row, "created_at", &isnull);
	s->created_at = isnull ? DT_NOBEGIN : DatumGetTimestampTz(d);
	d = GetAttributeByName(row, "term_start", &isnull);
	s->term_start = isnull ? s->created_at : DatumGetTimestampTz(d);
	d = GetAttributeByName(row, "commitment_end", &isnull);
	s->commitment_end = isnull ? DT_NOEND : DatumGetTimestampTz(d);
}

/*
 * the same from the columns, as effective_subscription_*() pass them:
 * (status, auto_renew, term, created_at, term_start, commitment_end), NULLs
 * read as term_from_row reads them
 */
static void
term_from_args(FunctionCallInfo fcinfo, MpSubTerm *s)
{
	s->status = PG_ARGISNULL(0) ? -1 : mp_enum_index(PG_GETARG_DATUM(0), mp_sub_status_labels);
	s->auto_renew = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	s->term = PG_ARGISNULL(2) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	s->created_at = PG_ARGISNULL(3) ? DT_NOBEGIN : PG_GETARG_TIMESTAMPTZ(3);
	s->term_start = PG_ARGISNULL(4) ? s->created_at : PG_GETARG_TIMESTAMPTZ(4);
	s->commitment_end = PG_ARGISNULL(5) ? DT_NOEND : PG_GETARG_TIMESTAMPTZ(5);
}

/*
 * multipartner.effective_status(subscription), effective_term_start(...),
 * effective_commitment_end(...), and their column forms
 * effective_subscription_status(...), _term_start(...), _commitment_end(...)
 * (the same C functions, told apart by their number of arguments): the row
 * as time has made it at the statement's clock (mp_statement_time).  NULL
 * for a row without status, and for a NULL row.
 */
static bool
effective_of_arg(FunctionCallInfo fcinfo, MpSubTerm *s)
{
	if (PG_NARGS() == 6)
		term_from_args(fcinfo, s);
	else if (PG_ARGISNULL(0))
		return false;
	else
		term_from_row(PG_GETARG_HEAPTUPLEHEADER(0), s);
	if (s->status < 0)
		return false;
	mp_sub_effective(s, mp_statement_time());
	return true;
}

PG_FUNCTION_INFO_V1(mp_subscription_effective_status);
Datum
mp_subscription_effective_status(PG_FUNCTION_ARGS)
{
	MpSubTerm	s;

	if (!effective_of_arg(fcinfo, &s))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(mp_enum_label_datum(get_fn_expr_rettype(fcinfo->flinfo),
										mp_sub_status_labels[s.status]));
}

PG_FUNCTION_INFO_V1(mp_subscription_effective_term_start);
Datum
mp_subscription_effective_term_start(PG_FUNCTION_ARGS)
{
	MpSubTerm	s;

	if (!effective_of_arg(fcinfo, &s))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(s.term_start);
}

PG_FUNCTION_INFO_V1(mp_subscription_effective_commitment_end);
Datum
mp_subscription_effective_commitment_end(PG_FUNCTION_ARGS)
{
	MpSubTerm	s;

	if (!effective_of_arg(fcinfo, &s))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(s.commitment_end);
}
