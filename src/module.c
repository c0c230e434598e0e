/*-------------------------------------------------------------------------
 *
 * module.c
 *	  Module entry point: PG_MODULE_MAGIC, the multipartner.* settings and
 *	  the transaction callbacks that keep the per-transaction caches honest.
 *
 * multipartner.allow_drop_with_data lets a superuser drop the extension
 * while its tables hold rows (guard.c, the data guard).
 *
 * multipartner.acting_partner only narrows: a role that is a member of
 * several partners says here which one it acts for.  The check hook only
 * validates the syntax (it may run outside a transaction, where no catalog
 * can be read); whether the role really is a member of that partner is
 * decided in identity.c each time the acting partner is resolved.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "multipartner.h"

PG_MODULE_MAGIC;

/* GUC variable: "" or a partner uuid */
char	   *mp_acting_partner_guc = NULL;

static bool check_acting_partner(char **newval, void **extra, GucSource source);
static void mp_xact_callback(XactEvent event, void *arg);
static void mp_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								SubTransactionId parentSubid, void *arg);

/*
 * A uuid in the forms uuid_in accepts most often: 32 hex digits, optionally
 * with a hyphen after any group of four, optionally in braces.  Anything
 * else is refused at SET time with a message that says what was expected.
 */
static bool
check_acting_partner(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;
	int			digits = 0;
	bool		braces = false;

	if (p == NULL || *p == '\0')
		return true;

	if (*p == '{')
	{
		braces = true;
		p++;
	}
	while (*p && *p != '}')
	{
		if (isxdigit((unsigned char) *p))
			digits++;
		else if (!(*p == '-' && digits > 0 && digits % 4 == 0 &&
				   isxdigit((unsigned char) p[1])))
			break;
		p++;
	}
	if (braces)
	{
		if (*p != '}')
			digits = -1;
		else
			p++;
	}
	if (digits != 32 || *p != '\0' || p[-1] == '-')
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("multipartner.acting_partner must be empty or the uuid of a partner.");
		return false;
	}
	return true;
}

/*
 * Identity answers outlive a commit but not an abort, nor a subtransaction
 * abort (which may have undone membership rows they were read from); what
 * was held for the transaction only is forgotten at its end (identity.c,
 * mp_identity_end_xact).  The partner status kept for a statement goes too,
 * and so do the statements' audit identities (audit_identity.c) and the
 * mark that the transaction read the extension's tables (executor.c).
 * The transaction's lookups, committed or not, go to the shared counters
 * (lookup.c, refusals.c).
 */
static void
mp_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			mp_lookup_fold();
			mp_identity_end_xact(true);
			mp_partner_status_forget();
			mp_audit_identity_end_xact();
			mp_executor_end_xact();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			mp_lookup_fold();
			mp_identity_end_xact(false);
			mp_partner_status_forget();
			mp_audit_identity_end_xact();
			mp_executor_end_xact();
			break;
		default:
			break;
	}
}

static void
mp_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		mp_identity_reset();
		mp_partner_status_forget();
	}
	if (event == SUBXACT_EVENT_ABORT_SUB || event == SUBXACT_EVENT_COMMIT_SUB)
		mp_executor_end_subxact(mySubid);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("multipartner.acting_partner",
							   "Partner the current role acts for, when it is a member of several.",
							   "Empty, or the partner_id of a partner the role is a member of.",
							   &mp_acting_partner_guc,
							   "",
							   PGC_USERSET,
							   0,
							   check_acting_partner,
							   NULL,
							   NULL);

	DefineCustomBoolVariable("multipartner.fast_path",
							 "Use direct index probes and the direct audit insert where possible.",
							 "Off runs every rule look-up and audit insert through SPI (as on a Citus shard); for testing and comparison. Superusers only: both paths behave the same, and the choice is the DBA's.",
							 &mp_fast_path_guc,
							 true,
							 PGC_SUSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

	DefineCustomBoolVariable("multipartner.dry_run",
							 "Internal: the statement is part of multipartner.check()'s dry run.",
							 "Carried to the Citus workers by the extension with the statements of a dry run, whose refusals multipartner.refusals then counts under kind dry_run, not as refusals. Set by hand, it moves a session's refusals to that kind, in the same view.",
							 &mp_dry_run_guc,
							 false,
							 PGC_USERSET,
							 GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL,
							 NULL,
							 NULL);

	mp_refusals_init();
	DefineCustomBoolVariable("multipartner.allow_drop_with_data",
							 "Lets DROP EXTENSION multipartner drop the extension while its tables hold rows.",
							 "Off refuses DROP EXTENSION multipartner, DROP SCHEMA multipartner CASCADE and DROP OWNED BY the extension's or the schema's owner while any table of the extension holds a row, the audit log included (guard.c). Superusers only.",
							 &mp_allow_drop_with_data_guc,
							 false,
							 PGC_SUSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

	MarkGUCPrefixReserved("multipartner");

	mp_fastpath_init();
	mp_lookup_init();
	mp_audit_init();
	mp_util_init();
	mp_shard_init();
	mp_placement_init();
	mp_identity_init();
	mp_version_init();
	mp_executor_init();
	RegisterXactCallback(mp_xact_callback, NULL);
	RegisterSubXactCallback(mp_subxact_callback, NULL);
}
