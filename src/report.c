/*-------------------------------------------------------------------------
 *
 * report.c
 *	  The refusals that more than one rule makes, one function per kind,
 *	  each with one wording, in the spirit of ri_ReportViolation in
 *	  PostgreSQL's ri_triggers.c: the rule decides, the reporter says it.
 *
 * Every function raises ERROR with its SQLSTATE (mp_errcodes.h, or a
 * standard one), an errmsg in PostgreSQL's style, errdetail and errhint as
 * full sentences, and, where a table is involved, the table (mp_errtable,
 * mp_errtablecol or mp_errtableconstraint below: the fields of errtable()
 * and its kin, with the extension's table for a Citus shard), so a client
 * can tell which table and column or constraint refused the row without
 * parsing the message.
 *
 * A message names only what the caller gave or may see: the ids of the row
 * it writes, the partner it acts for, the partner it named.  Nothing here
 * reads a table.
 *
 * A refusal that only one rule makes keeps its ereport() next to its rule.
 *
 * Each refusal is counted (refusals.c) before it is raised, under its rule
 * and SQLSTATE, for the partner the role acts for; the functions whose
 * refusal several rules make take the rule from their caller.  Not counted
 * as refusals: mp_report_party_missing (a reference to nothing, bad input
 * rather than a rule).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"

#include "multipartner.h"

/*
 * errtable(), errtablecol() and errtableconstraint() of the extension's
 * table rel is, never of a Citus shard's name (shard.c): the same fields,
 * with the table's name.  Every report of the module uses these.
 */
int
mp_errtable(Relation rel)
{
	err_generic_string(PG_DIAG_SCHEMA_NAME,
					   get_namespace_name(RelationGetNamespace(rel)));
	err_generic_string(PG_DIAG_TABLE_NAME, mp_relation_name(rel));
	return 0;					/* return value does not matter */
}

int
mp_errtablecol(Relation rel, int attnum)
{
	TupleDesc	reldesc = RelationGetDescr(rel);
	const char *colname;

	/* as errtablecol(): a dropped column keeps its "........pg.dropped" name */
	if (attnum > 0 && attnum <= reldesc->natts)
		colname = NameStr(TupleDescAttr(reldesc, attnum - 1)->attname);
	else
		colname = get_attname(RelationGetRelid(rel), attnum, false);
	mp_errtable(rel);
	err_generic_string(PG_DIAG_COLUMN_NAME, colname);
	return 0;
}

int
mp_errtableconstraint(Relation rel, const char *conname)
{
	mp_errtable(rel);
	err_generic_string(PG_DIAG_CONSTRAINT_NAME, conname);
	return 0;
}

/*
 * R10 for a whole table: a DELETE, TRUNCATE or UPDATE that the table never
 * allows (MP007).
 */
void
mp_report_no_delete(Relation rel, MpWrite write, const char *detail,
					const char *hint)
{
	static const char *const verbs[] = {"delete from", "truncate", "update"};
	const char *relname = mp_relation_name(rel);

	/* R20 says R10 for the GDAP tables (SPEC §9) */
	mp_count_refusal(strncmp(relname, "admin_", 6) == 0 ||
					 strcmp(relname, "access_assignment") == 0 ?
					 MP_RULE_R20 : MP_RULE_R10, ERRCODE_MP_NO_DELETE);
	ereport(ERROR,
			(errcode(ERRCODE_MP_NO_DELETE),
			 errmsg("cannot %s table \"%s\"", verbs[write], relname),
			 errdetail_internal("%s", detail),
			 hint ? errhint("%s", hint) : 0,
			 mp_errtable(rel)));
}

/*
 * R10 for one row that others still refer to (MP007); only an operator
 * gets this far, and the row is one it deletes.
 */
void
mp_report_kept_on_record(Relation rel, const char *kind, const pg_uuid_t *id,
						 const char *hint)
{
	mp_count_refusal(MP_RULE_R10, ERRCODE_MP_NO_DELETE);
	ereport(ERROR,
			(errcode(ERRCODE_MP_NO_DELETE),
			 errmsg("cannot delete %s %s", kind, mp_uuid_str(id)),
			 errdetail("The %s still has relationships or members, which keep it on record.",
					   kind),
			 errhint("%s", hint),
			 mp_errtable(rel)));
}

/*
 * A role refused an action on one row by rule: "permission denied to
 * <action> <kind> <id>".  sqlstate is 42501, or MP002 for R5.
 */
void
mp_report_denied(MpRefusalRule rule, int sqlstate, const char *action,
				 const char *kind, const pg_uuid_t *id, const char *detail,
				 const char *hint)
{
	mp_count_refusal(rule, sqlstate);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("permission denied to %s %s %s", action, kind,
					mp_uuid_str(id)),
			 errdetail_internal("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/* A role refused a write to a whole table by rule (42501). */
void
mp_report_denied_table(MpRefusalRule rule, Relation rel, const char *action,
					   const char *detail)
{
	mp_count_refusal(rule, ERRCODE_INSUFFICIENT_PRIVILEGE);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s table \"%s\"", action,
					mp_relation_name(rel)),
			 errdetail_internal("%s", detail),
			 mp_errtable(rel)));
}

/*
 * The partner roles in mask, as "a, b or c", in the order of
 * mp_partner_role_labels.
 */
static char *
partner_roles_text(uint32 mask)
{
	StringInfoData buf;
	int			n = 0;
	int			total = 0;

	for (int i = 0; mp_partner_role_labels[i] != NULL; i++)
		if (mask & (1 << i))
			total++;
	initStringInfo(&buf);
	for (int i = 0; mp_partner_role_labels[i] != NULL; i++)
	{
		if ((mask & (1 << i)) == 0)
			continue;
		if (n > 0)
			appendStringInfoString(&buf, n == total - 1 ? " or " : ", ");
		appendStringInfoString(&buf, mp_partner_role_labels[i]);
		n++;
	}
	return buf.data;
}

/*
 * The role acts for another partner than the one the row names (42501).
 * Both are partners the caller knows: the one it named, the one it is.
 */
void
mp_report_acts_for_other(const MpPartnerAct *act, const pg_uuid_t *named,
						 const pg_uuid_t *acting)
{
	mp_count_refusal_for(act->rule, ERRCODE_INSUFFICIENT_PRIVILEGE, acting);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s for partner %s", act->verb,
					mp_uuid_str(named)),
			 errdetail("Role \"%s\" acts for partner %s.",
					   mp_current_role_name(), mp_uuid_str(acting))));
}

/* The role acts for the partner but lacks the partner role act needs (42501). */
void
mp_report_partner_role(const MpPartnerAct *act, const pg_uuid_t *partner_id)
{
	mp_count_refusal_for(act->rule, ERRCODE_INSUFFICIENT_PRIVILEGE, partner_id);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s for partner %s", act->verb,
					mp_uuid_str(partner_id)),
			 errdetail("%s needs the partner role %s.", act->gerund,
					   partner_roles_text(act->roles))));
}

/*
 * An UPDATE changed column col of a row whose col never changes, counted
 * under rule: R12 and its relationship twin (MP008), R6 (MP003), R7's
 * terms (MP004), R16 (MP010), R20 (MP008).
 */
void
mp_report_immutable(MpRefusalRule rule, Relation rel, const char *col,
					int sqlstate, const char *kind, const pg_uuid_t *id,
					const char *detail, const char *hint)
{
	mp_count_refusal(rule, sqlstate);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("cannot change column \"%s\" of %s %s", col, kind,
					mp_uuid_str(id)),
			 errdetail_internal("%s", detail),
			 hint ? errhint("%s", hint) : 0,
			 mp_errtablecol(rel, mp_attnum(rel, col))));
}

/*
 * A column the trigger writes (the record of who did what, and when; a
 * derived column) was given another value (428C9, as for a generated
 * column).  leave says what the trigger sets it to.
 */
void
mp_report_stamp(Relation rel, const char *col, const char *must_be,
				const char *leave)
{
	mp_count_refusal(MP_RULE_RECORDED, ERRCODE_GENERATED_ALWAYS);
	ereport(ERROR,
			(errcode(ERRCODE_GENERATED_ALWAYS),
			 errmsg("column \"%s\" must be %s", col, must_be),
			 errdetail("Leave it out: %s.", leave),
			 mp_errtablecol(rel, mp_attnum(rel, col))));
}

/*
 * A row names a partner or customer that does not exist (23503), reported
 * as its foreign key constraint would.
 */
void
mp_report_party_missing(Relation rel, const char *kind, const pg_uuid_t *id,
						const char *constraint)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("%s %s does not exist", kind, mp_uuid_str(id)),
			 mp_errtableconstraint(rel, constraint)));
}

/* A suspended partner cannot do what detail says (55000). */
void
mp_report_partner_suspended(const pg_uuid_t *partner_id, const char *detail)
{
	mp_count_refusal(MP_RULE_SUSPENDED, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("partner %s is suspended", mp_uuid_str(partner_id)),
			 errdetail_internal("%s", detail)));
}
