/*-------------------------------------------------------------------------
 *
 * multipartner.h
 *	  Shared declarations of the multipartner extension.
 *
 * The C module is split by concern; each section below lists what one file
 * exports.  Every trigger function is a table of its rules (an MpTrigger)
 * run by the one skeleton in trigger.c: protocol check, restore mode
 * (restore.c), the writes a table refuses outright (R10), then the rule
 * for the event.  The rules live in the files of their tables (party.c,
 * relationship.c, subscription.c, gdap.c, audit.c) and ask every question of the
 * tables through the lookup layer (lookup.c, which picks the direct path
 * of fastpath.c or an SPI plan of spi.c); they say a refusal through the
 * reporter (report.c) when it is one more than one rule makes.  identity.c
 * answers "who is acting", shard.c which of the extension's tables a
 * relation is (a Citus shard's table), util.c holds the helpers on columns and rows,
 * cache.c the one idiom every backend-local cache follows, refusals.c the
 * counters of refusals and lookup paths in shared memory (with the library
 * preloaded), and the SQL API (api.c) only writes rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MULTIPARTNER_H
#define MULTIPARTNER_H

#include "postgres.h"

#include "access/htup.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "storage/lockdefs.h"
#include "utils/inval.h"
#include "utils/snapshot.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/array.h"
#include "utils/uuid.h"

#include "mp_errcodes.h"

/* Name of the extension's schema; every object we touch lives there. */
#define MP_SCHEMA "multipartner"

/* Name of the operators' NOLOGIN role. */
#define MP_OPERATOR_ROLE "multipartner_operator"

/*
 * A pending relationship request expires this many days after it was made
 * (the GDAP request lifetime).  multipartner.effective_status() in the
 * install script says the same.
 */
#define MP_REQUEST_LIFETIME_DAYS 90

/*
 * Partner Center roles as bits, in the order of the enum labels of
 * multipartner.partner_role and multipartner.customer_role.
 */
#define MP_PROLE_GLOBAL_ADMIN			(1 << 0)
#define MP_PROLE_USER_MANAGEMENT_ADMIN	(1 << 1)
#define MP_PROLE_ADMIN_AGENT			(1 << 2)
#define MP_PROLE_SALES_AGENT			(1 << 3)
#define MP_PROLE_HELPDESK_AGENT			(1 << 4)
#define MP_PROLE_BILLING_ADMIN			(1 << 5)

/* R2: the roles that may ask a customer for a relationship. */
#define MP_PROLES_REQUEST (MP_PROLE_GLOBAL_ADMIN | MP_PROLE_USER_MANAGEMENT_ADMIN | \
						   MP_PROLE_ADMIN_AGENT | MP_PROLE_SALES_AGENT)

#define MP_CROLE_GLOBAL_ADMIN			(1 << 0)
#define MP_CROLE_BILLING_ADMIN			(1 << 1)
#define MP_CROLE_READER					(1 << 2)

extern const char *const mp_partner_role_labels[];
extern const char *const mp_customer_role_labels[];

/* Labels of multipartner.relationship_status, in enum order. */
typedef enum MpRelStatus
{
	MP_REL_PENDING,
	MP_REL_ACTIVE,
	MP_REL_DECLINED,
	MP_REL_EXPIRED,
	MP_REL_TERMINATED
} MpRelStatus;
extern const char *const mp_rel_status_labels[];

/* Labels of multipartner.cloud and multipartner.partner_status. */
extern const char *const mp_cloud_labels[];

/* Labels of multipartner.subscription_status, in enum order. */
typedef enum MpSubStatus
{
	MP_SUB_ACTIVE,
	MP_SUB_SUSPENDED,
	MP_SUB_CANCELLED,
	MP_SUB_EXPIRED
} MpSubStatus;
extern const char *const mp_sub_status_labels[];

/*
 * A subscription's term as time makes it (term.c, SPEC §10): the columns
 * the effective state depends on; mp_sub_effective() moves status,
 * term_start and commitment_end to what they are at a given time.
 */
typedef struct MpSubTerm
{
	int			status;			/* MpSubStatus */
	bool		auto_renew;
	const char *term;			/* P1M, P1Y, P3Y */
	TimestampTz created_at;		/* the anchor of every term */
	TimestampTz term_start;
	TimestampTz commitment_end;
} MpSubTerm;

extern int	mp_term_months(const char *term);
extern TimestampTz mp_term_add(TimestampTz anchor, int months);
extern void mp_sub_effective(MpSubTerm *s, TimestampTz t);

/* R4: the roles that place orders. */
#define MP_PROLES_ORDER (MP_PROLE_GLOBAL_ADMIN | MP_PROLE_ADMIN_AGENT | \
						 MP_PROLE_SALES_AGENT)

/* R7: lowering quantity and cancelling only this long after creation. */
#define MP_CANCEL_WINDOW_HOURS 168
extern const char *const mp_partner_status_labels[];

/* module.c */
extern char *mp_acting_partner_guc;
extern void _PG_init(void);

/* identity.c */
extern void mp_identity_init(void);
extern bool mp_is_operator(void);
extern bool mp_acting_partner(pg_uuid_t *partner_id, uint32 *roles);
extern bool mp_acting_partner_peek(pg_uuid_t *partner_id);
extern bool mp_acting_partner_peek_roles(pg_uuid_t *partner_id, uint32 *roles);
extern bool mp_acting_partner_cached(pg_uuid_t *partner_id);
extern uint32 mp_lock_acting_membership(void);
extern uint32 mp_lock_customer_membership(const pg_uuid_t *customer_id);
extern void mp_require_acting_partner(pg_uuid_t *partner_id, uint32 *roles);
extern uint32 mp_customer_roles(const pg_uuid_t *customer_id);
extern void mp_identity_reset(void);
extern void mp_identity_end_xact(bool commit);
extern const char *mp_current_role_name(void);

/* spi.c: the plan engine every query runs through */
/* A query: its text, who it runs as, its parameters, and its kept plan. */
#define MP_SQL_MAX_ARGS 8
typedef struct MpSql
{
	const char *sql;
	bool		as_owner;		/* as the schema owner, ignoring RLS; else the caller */
	int			nargs;
	Oid			argtypes[MP_SQL_MAX_ARGS];
	SPIPlanPtr	plan;			/* prepared on first use, kept */
} MpSql;

#define MP_SQL(sqltext, owner, n, ...) {sqltext, owner, n, {__VA_ARGS__}, NULL}
#define MP_AS_OWNER true
#define MP_AS_CALLER false

extern int	mp_sql_execute(MpSql *q, Datum *values, const char *nulls,
						   long tcount, Snapshot snapshot);
extern int	mp_sql_execute_read_only(MpSql *q, Datum *values,
									 const char *nulls, long tcount);
extern int	mp_execute(SPIPlanPtr *slot, const char *sql, int nargs,
					   Oid *argtypes, bool as_owner, Datum *values,
					   const char *nulls, long tcount, Snapshot snapshot);
extern Datum mp_result_datum(uint64 row, int col, bool *isnull);
extern Oid	mp_schema_owner(void);

/* fastpath.c: the direct-access engine of the lookup layer */
typedef bool (*MpProbeCallback) (Relation rel, TupleTableSlot *slot, void *arg);

extern bool mp_fast_path_guc;
extern bool mp_allow_drop_with_data_guc;	/* guard.c */
extern bool mp_fast_path(void);
extern bool mp_citus_present(void);
extern bool mp_citus_known_present(void);
extern int	mp_probe(const char *relname, const char *idxname,
					 const char *const keycols[], int nkeys, const Datum *keys,
					 const Oid *eqprocs, int lock, MpProbeCallback filter,
					 MpProbeCallback cb, void *arg);
/* What a probe does otherwise than mp_probe (fastpath.c, mp_probe_opts). */
typedef struct MpProbeOpts
{
	bool		latest;			/* on the latest snapshot */
	LOCKMODE	rellock;		/* the table lock; NoLock: mp_probe's */
	const struct MpPlacement *at;	/* read this relation (placement.c), not
									 * the one the keys resolve to */
	bool		remote_empty;	/* on Citus, a key whose shard is not on this
								 * node has no rows here (else: 55000) */
	bool		active;			/* on the active snapshot, no
								 * CommandCounterIncrement: what a sub-select
								 * of the running query sees */
} MpProbeOpts;

extern int	mp_probe_opts(const char *relname, const char *idxname,
						  const char *const keycols[], int nkeys,
						  const Datum *keys, const Oid *eqprocs, int lock,
						  MpProbeCallback filter, MpProbeCallback cb, void *arg,
						  const MpProbeOpts *opts);
extern void mp_fastpath_init(void);

/*
 * lookup.c: every question the rules ask of the tables, each one function
 * that picks among its implementations (direct, SPI) itself.
 */
typedef enum MpLookup
{
	MP_LOOKUP_PARTNER_MEMBERSHIPS,
	MP_LOOKUP_CUSTOMER_MEMBERSHIPS,
	MP_LOOKUP_PARTNER_MEMBERSHIP_LOCK,
	MP_LOOKUP_CUSTOMER_MEMBERSHIP_LOCK,
	MP_LOOKUP_MEMBER_ROWS_LEFT,
	MP_LOOKUP_PARTNER,
	MP_LOOKUP_CUSTOMER,
	MP_LOOKUP_CUSTOMER_CREATOR,
	MP_LOOKUP_PARTY_IN_USE,
	MP_LOOKUP_TENANT_CLAIM,
	MP_LOOKUP_TENANT_KIND,
	MP_LOOKUP_TENANT_RELEASE,
	MP_LOOKUP_OPEN_RELATIONSHIP,
	MP_LOOKUP_LATEST_RELATIONSHIP,
	MP_LOOKUP_ANY_RELATIONSHIP,
	MP_LOOKUP_ACTIVE_RELATIONSHIP_LOCK,
	MP_LOOKUP_LIVE_SUBSCRIPTIONS,
	MP_LOOKUP_EXPIRE_REQUEST,
	MP_LOOKUP_AUDIT_INSERT,
	MP_LOOKUP_RESTORE_PARTY,
	MP_LOOKUP_RESTORE_HOLD,
	MP_LOOKUP_RESTORE_RELEASE,
	MP_LOOKUP_ADMIN_ROLES,
	MP_LOOKUP_ADMIN_NAME_TAKEN,
	MP_LOOKUP_ADMIN_ID_TAKEN,
	MP_LOOKUP_ADMIN_RELATIONSHIP_LOCK,
	MP_LOOKUP_END_ASSIGNMENTS,
	MP_LOOKUP_RESTORE_ADMIN_RELATIONSHIP,
	MP_LOOKUP_PARTNER_SEES_CUSTOMER,
	MP_LOOKUP_MEMBER_PARTNERS,
	MP_LOOKUP_PARTNER_CSP_TAKEN,
	MP_LOOKUP_ADMIN_NAME_CLAIM,
	MP_LOOKUP_ADMIN_NAME_IN_USE,
	MP_NUM_LOOKUPS
} MpLookup;

/* The paths a lookup may take, in the order lookup.c tries them. */
typedef enum MpLookupPath
{
	MP_LOOKUP_PATH_DIRECT,
	MP_LOOKUP_PATH_SPI,
	MP_NUM_LOOKUP_PATHS
} MpLookupPath;

extern void mp_lookup_init(void);
extern const char *mp_lookup_name(int l);
extern const char *mp_lookup_path_name(int p);
extern void mp_lookup_fold(void);

/*
 * refusals.c: counters of refusals and lookup paths in shared memory (with
 * the library in shared_preload_libraries).  The rules a refusal counts
 * under: R2..R13 of SPEC §5, the refusals no numbered rule names, and
 * R14..R20 of SPEC §9 (appended, so the older ones keep their numbers).
 */
typedef enum MpRefusalRule
{
	MP_RULE_R2,
	MP_RULE_R3,
	MP_RULE_R4,
	MP_RULE_R5,
	MP_RULE_R6,
	MP_RULE_R7,
	MP_RULE_R8,
	MP_RULE_R9,
	MP_RULE_R10,
	MP_RULE_R11,
	MP_RULE_R12,
	MP_RULE_R13,
	MP_RULE_IDENTITY,			/* the acting identity (SPEC §2) */
	MP_RULE_SUSPENDED,			/* a suspended partner acts */
	MP_RULE_LIFECYCLE,			/* a status change the lifecycle forbids */
	MP_RULE_RECORDED,			/* a column only the trigger writes */
	MP_RULE_AUDIT,				/* a write to the audit log */
	MP_RULE_GUARD,				/* the extension's triggers and policies (SPEC §8) */
	MP_RULE_R14,				/* GDAP (SPEC §9), since 0.7 */
	MP_RULE_R15,
	MP_RULE_R16,
	MP_RULE_R17,
	MP_RULE_R18,
	MP_RULE_R19,
	MP_RULE_R20,
	MP_NUM_RULES
} MpRefusalRule;

extern void mp_refusals_init(void);
extern bool mp_refusals_enabled(void);
extern bool mp_refusals_quiet(bool on);
extern bool mp_refusals_in_dry_run(void);
extern bool mp_dry_run_guc;
extern void mp_count_refusal(MpRefusalRule rule, int sqlstate);
extern void mp_count_refusal_for(MpRefusalRule rule, int sqlstate,
								 const pg_uuid_t *partner);
extern void mp_refusals_fold_lookups(const uint64 counts[MP_NUM_LOOKUPS][MP_NUM_LOOKUP_PATHS],
									 uint64 folded[MP_NUM_LOOKUPS][MP_NUM_LOOKUP_PATHS]);

/* One (id, role) member row; role is the index of its enum label. */
typedef struct MpMemberRow
{
	pg_uuid_t	id;
	int			role;
} MpMemberRow;

/* Member rows, appended in cxt. */
typedef struct MpMemberRows
{
	MemoryContext cxt;
	int			n;
	int			size;
	MpMemberRow *items;
} MpMemberRows;

typedef struct MpPartnerInfo
{
	Oid			cloud;			/* enum value */
	int			status;			/* index in mp_partner_status_labels */
} MpPartnerInfo;

typedef struct MpCustomerInfo
{
	Oid			cloud;			/* enum value */
	TransactionId claim_xmin;	/* of its tenant claim; Invalid: none (or
								 * not asked) */
	bool		has_creator;
	pg_uuid_t	creator;		/* the partner its claim names */
} MpCustomerInfo;

typedef struct MpCreatorInfo
{
	bool		claimed;		/* its tenant claim is written */
	bool		has_creator;	/* false: an operator's customer */
	pg_uuid_t	creator;
	bool		has_relationship;	/* the creator has one with it */
} MpCreatorInfo;

typedef struct MpRelInfo
{
	pg_uuid_t	relationship_id;
	int			status;			/* index in mp_rel_status_labels */
	TimestampTz requested_at;
} MpRelInfo;

/* An audit row: the columns, and what the images are made from. */
typedef struct MpAuditRow
{
	Datum		actor;			/* name */
	Datum		session_actor;	/* name */
	const pg_uuid_t *acting_partner;	/* or NULL */
	const char *operation;
	Datum		table_name;		/* name */
	const char *row_id;
	const pg_uuid_t *partner_id;	/* or NULL */
	const pg_uuid_t *customer_id;	/* or NULL */
	const pg_uuid_t *audit_key;	/* customer, else partner, else the row's id */
	Relation	rel;			/* the audited table */
	HeapTuple	oldtup;			/* or NULL */
	HeapTuple	newtup;			/* or NULL */
	Datum		(*image) (void *arg, Relation rel, HeapTuple tuple); /* jsonb */
	void	   *image_arg;
	Datum		old_row;		/* jsonb, or 0: filled by the direct path */
	Datum		new_row;
	const struct MpPlacement *at;	/* on Citus: the audit shard to write,
									 * NULL for the table itself */
	int64		event_id;		/* with at: computed by the writer */
} MpAuditRow;

extern void mp_lookup_memberships(bool partner, Oid userid, const pg_uuid_t *id,
								  bool lock, MpMemberRows *rows);
extern bool mp_lookup_role_has_members(bool partner, Oid roleid);
extern bool mp_lookup_partner(const pg_uuid_t *partner_id, MpPartnerInfo *info);
extern bool mp_lookup_customer(const pg_uuid_t *customer_id, bool with_claim,
							   MpCustomerInfo *info);
extern bool mp_lookup_customer_creator(const pg_uuid_t *customer_id,
									   MpCreatorInfo *info);
extern bool mp_lookup_party_in_use(bool partner, const pg_uuid_t *id);
extern bool mp_lookup_tenant_claim(const pg_uuid_t *tenant_id, const char *kind,
								   const pg_uuid_t *owner_id,
								   const pg_uuid_t *creator);
extern const char *mp_lookup_tenant_kind(const pg_uuid_t *tenant_id);
extern const char *mp_lookup_tenant_kind_latest(const pg_uuid_t *tenant_id);
extern bool mp_lookup_tenant_here(const pg_uuid_t *tenant_id);
extern bool mp_lookup_partner_csp_taken(const pg_uuid_t *csp_tenant_id);
extern void mp_lookup_tenant_release(const pg_uuid_t *tenant_id,
									 const pg_uuid_t *owner_id);
extern bool mp_lookup_open_relationship(const pg_uuid_t *customer_id,
										const pg_uuid_t *partner_id,
										MpRelInfo *info);
extern bool mp_lookup_latest_relationship(const pg_uuid_t *customer_id,
										  const pg_uuid_t *partner_id,
										  MpRelInfo *info);
extern bool mp_lookup_customer_has_relationship(const pg_uuid_t *customer_id);
extern bool mp_lookup_lock_active_relationship(const pg_uuid_t *customer_id,
											   const pg_uuid_t *partner_id);
extern int64 mp_lookup_live_subscriptions(const pg_uuid_t *customer_id,
										  const pg_uuid_t *partner_id);
extern void mp_lookup_expire_request(const pg_uuid_t *customer_id,
									  const pg_uuid_t *relationship_id);
extern void mp_lookup_audit_insert(MpAuditRow *row);
extern bool mp_lookup_audit_writing(void);
extern bool mp_lookup_party_exists(bool partner, const pg_uuid_t *id);
extern bool mp_lookup_admin_relationship_exists(const pg_uuid_t *customer_id,
											   const pg_uuid_t *id);
extern bool mp_lookup_partner_sees_customer(const pg_uuid_t *customer_id,
											const pg_uuid_t *partner_id);
extern pg_uuid_t *mp_lookup_member_partners_everywhere(Oid userid, int *npartners);
extern pg_uuid_t *mp_lookup_member_partners(const pg_uuid_t *customers,
											int ncustomers, int *npartners);
extern void mp_lookup_restore_hold(const char *table_name, const char *row_image);
extern void mp_lookup_restore_release(void);

/* GDAP (gdap.c): admin relationship and assignment statuses, in enum order */
typedef enum MpAdminStatus
{
	MP_AR_CREATED,
	MP_AR_APPROVAL_PENDING,
	MP_AR_ACTIVE,
	MP_AR_DECLINED,
	MP_AR_EXPIRED,
	MP_AR_TERMINATED
} MpAdminStatus;
extern const char *const mp_admin_status_labels[];
extern const char *const mp_assignment_status_labels[];

/* An admin relationship as an assignment sees it (locked FOR SHARE). */
typedef struct MpAdminRelInfo
{
	pg_uuid_t	partner_id;
	int			status;			/* index in mp_admin_status_labels */
	ArrayType  *roles;			/* uuid[], in the caller's memory */
	bool		has_requested_at;
	TimestampTz requested_at;
	bool		has_end_at;
	TimestampTz end_at;
	bool		auto_extend;
} MpAdminRelInfo;

extern void mp_lookup_admin_roles(Datum ids, int n, const pg_uuid_t *items,
								  bool *known, bool *global_admin);
extern bool mp_lookup_admin_name_taken(const pg_uuid_t *partner_id,
									   Datum display_name,
									   const pg_uuid_t *except_id);
extern bool mp_lookup_admin_id_taken(const pg_uuid_t *id,
									 const pg_uuid_t *customer_id);
extern bool mp_may_create_admin_relationship(pg_uuid_t *partner);
extern bool mp_lookup_admin_name_claim(const pg_uuid_t *partner_id,
									   Datum display_name,
									   pg_uuid_t *customer_id,
									   pg_uuid_t *admin_relationship_id);
extern int	mp_lookup_admin_name_in_use(const pg_uuid_t *customer_id,
										const pg_uuid_t *id, Datum display_name);
extern bool mp_lookup_lock_admin_relationship(const pg_uuid_t *customer_id,
											  const pg_uuid_t *id,
											  MpAdminRelInfo *info);
extern int64 mp_lookup_end_assignments(const pg_uuid_t *customer_id,
									   const pg_uuid_t *id, TimestampTz at);
extern bool mp_admin_role_seeded(const pg_uuid_t *role_id);
extern int	mp_admin_effective_status(int status, bool has_requested_at,
									  TimestampTz requested_at, bool auto_extend,
									  bool has_end_at, TimestampTz end_at);

/* fastpath.c, for lookup.c's audit question */
extern bool mp_fast_audit_insert(const MpAuditRow *row);

/* party.c */
extern void mp_creating_customer(const pg_uuid_t *customer_id);

/* subscription.c */
extern void mp_partner_status_forget(void);

/* audit.c */
extern void mp_audit_init(void);

/* audit_identity.c: one identity per statement, for its audit rows */
typedef struct MpIdentity
{
	Oid			userid;			/* the actor */
	Oid			session_userid;
	bool		has_partner;
	pg_uuid_t	partner;		/* the acting partner, if has_partner */
} MpIdentity;

extern void mp_statement_identity(Relation rel, HeapTuple oldtup,
								  HeapTuple newtup, MpIdentity *id);
extern void mp_audit_identity_end_xact(void);
extern bool mp_audit_identity_lend(void);
extern void mp_audit_identity_return(bool lent_before);

/* executor.c: EXPLAIN ANALYZE counts nothing a role cannot see */
extern void mp_executor_init(void);
extern void mp_executor_end_xact(void);
extern void mp_executor_end_subxact(SubTransactionId subid);

/* restore.c: restore mode, which the trigger skeleton asks on every call */
extern bool mp_restoring(void);
extern Datum mp_restore_row(TriggerData *trigdata);

/*
 * cache.c: one idiom for a backend-local cache and its invalidation.
 * Declare one with MP_CACHE("name", .on_relcache = true, ...), register it
 * at _PG_init (mp_cache_register), and fill it between mp_cache_fill_begin
 * and mp_cache_fill_end.
 */
#define MP_CACHE_MAX_SYSCACHES 3

typedef struct MpCache MpCache;

struct MpCache
{
	const char *name;			/* also its memory context's */
	bool		valid;
	uint64		generation;		/* bumped by each invalidation */
	uint64		fill_generation;
	MemoryContext cxt;			/* its own, or NULL until first needed */
	/* what makes it stale: relcache invalidations, ... */
	bool		on_relcache;
	void		(*rel_inval) (MpCache *c, Oid relid);	/* NULL: all of it */
	/* ... and those of these catalog caches */
	int			nsyscaches;
	int			syscaches[MP_CACHE_MAX_SYSCACHES];
	void		(*sys_inval) (MpCache *c, int cacheid, uint32 hashvalue);	/* NULL: all */
};

#define MP_CACHE(cname, ...) { .name = (cname), __VA_ARGS__ }
#define mp_cache_valid(c) ((c)->valid)

extern void mp_cache_register(MpCache *c);
extern void mp_cache_invalidate(MpCache *c);
extern MemoryContext mp_cache_context(MpCache *c);
extern void mp_cache_fill_begin(MpCache *c);
extern bool mp_cache_fill_end(MpCache *c);

/*
 * report.c: the refusals more than one rule makes, one function per kind,
 * one wording each.
 */

/* An action a partner role may be refused (R2, R4, R5's roles). */
typedef struct MpPartnerAct
{
	const char *verb;			/* "permission denied to <verb> for partner X" */
	const char *gerund;			/* "<Gerund> needs the partner role ..." */
	uint32		roles;			/* the MP_PROLE_* bits that may */
	MpRefusalRule rule;			/* the rule a refusal counts under */
} MpPartnerAct;

/* The writes R10 refuses for a whole table. */
typedef enum MpWrite
{
	MP_WRITE_DELETE,
	MP_WRITE_TRUNCATE,
	MP_WRITE_UPDATE
} MpWrite;

extern int	mp_errtable(Relation rel);
extern int	mp_errtablecol(Relation rel, int attnum);
extern int	mp_errtableconstraint(Relation rel, const char *conname);
extern void mp_report_no_delete(Relation rel, MpWrite write, const char *detail,
								const char *hint) pg_attribute_noreturn();
extern void mp_report_kept_on_record(Relation rel, const char *kind,
									 const pg_uuid_t *id,
									 const char *hint) pg_attribute_noreturn();
extern void mp_report_denied(MpRefusalRule rule, int sqlstate,
							 const char *action, const char *kind,
							 const pg_uuid_t *id, const char *detail,
							 const char *hint) pg_attribute_noreturn();
extern void mp_report_denied_table(MpRefusalRule rule, Relation rel,
								   const char *action,
								   const char *detail) pg_attribute_noreturn();
extern void mp_report_acts_for_other(const MpPartnerAct *act,
									 const pg_uuid_t *named,
									 const pg_uuid_t *acting) pg_attribute_noreturn();
extern void mp_report_partner_role(const MpPartnerAct *act,
								   const pg_uuid_t *partner_id) pg_attribute_noreturn();
extern void mp_report_immutable(MpRefusalRule rule, Relation rel,
								const char *col, int sqlstate,
								const char *kind, const pg_uuid_t *id,
								const char *detail,
								const char *hint) pg_attribute_noreturn();
extern void mp_report_stamp(Relation rel, const char *col, const char *must_be,
							const char *leave) pg_attribute_noreturn();
extern void mp_report_party_missing(Relation rel, const char *kind,
									const pg_uuid_t *id,
									const char *constraint) pg_attribute_noreturn();
extern void mp_report_partner_suspended(const pg_uuid_t *partner_id,
										const char *detail) pg_attribute_noreturn();

/* version.c: the library writes only against objects of its own version */
extern void mp_require_schema_version(void);
extern void mp_version_init(void);

/*
 * shard.c: the extension's table a relation is (itself, or the table a Citus
 * shard belongs to); decisions and messages go by it, never by the
 * relation's own name.
 */
extern const char *const mp_tables[];
extern void mp_shard_init(void);
extern void mp_shard_note(Relation rel);
extern const char *mp_relation_name(Relation rel);
extern const char *mp_object_name(Relation rel, const char *name);
extern const char *mp_constraint_name(Oid conoid);
extern bool mp_relation_is(Relation rel, const char *relname);
extern Oid	mp_logical_relid(Relation rel);

/*
 * placement.c: the relation of this node that holds a table's rows for a
 * key: the table itself, or on Citus its local shard (CITUS_DESIGN §2.2).
 */
typedef struct MpPlacement
{
	const char *relname;		/* the table (a constant of the caller's) */
	Oid			logicalrelid;	/* the table */
	Oid			relid;			/* the relation to read: table or shard */
	uint64		shardid;		/* 0: the table itself */
	char		partmethod;		/* 0 (not a Citus table), 'n', 'h' */
	bool		remote;			/* the key's shard is not on this node */
	NameData	distcol;		/* 'h': the distribution column, if a uuid */
	NameData	shardname;		/* with shardid: the shard's name */
} MpPlacement;

extern void mp_placement_init(void);
extern bool mp_placement(const char *relname, const pg_uuid_t *key,
						 bool missing_ok, MpPlacement *p);
extern bool mp_placement_keys(const char *relname, const char *const keycols[],
							  const Datum *keys, int nkeys, bool missing_ok,
							  MpPlacement *p);
extern int	mp_placement_local(const char *relname, MpPlacement **ps);
extern bool mp_placement_no_shard_here(const char *relname);
extern bool mp_placement_refresh(const MpPlacement *p);
extern char mp_placement_method(Oid relid);
extern bool mp_customer_distributed(void);
extern bool mp_table_distributed(const char *relname);
extern int64 mp_placement_event_id(const MpPlacement *p);
extern Oid	mp_placement_index(const MpPlacement *p, const char *idxname);
extern char *mp_placement_qualified(const MpPlacement *p);

/* util.c */
extern void mp_util_init(void);
extern int	mp_attnum(Relation rel, const char *colname);
extern Datum mp_getattr(HeapTuple tuple, Relation rel, const char *colname,
						bool *isnull);
extern int	mp_enum_index(Datum value, const char *const labels[]);
extern Datum mp_enum_label_datum(Oid enumtype, const char *label);
extern Oid	mp_type_oid(const char *typname);
extern Oid	mp_relation_oid(const char *relname);
extern char *mp_uuid_str(const pg_uuid_t *uuid);
extern bool mp_uuid_eq(const pg_uuid_t *a, const pg_uuid_t *b);
extern TimestampTz mp_statement_time(void);
extern TimestampTz mp_request_expiry_cutoff(void);
extern bool mp_column_changed(Relation rel, HeapTuple oldtup, HeapTuple newtup,
							  const char *col);
extern void mp_check_immutable(MpRefusalRule rule, Relation rel,
							   HeapTuple oldtup, HeapTuple newtup,
							   int sqlstate, const char *kind, const char *idcol,
							   const char *const cols[], const char *detail,
							   const char *hint);

/*
 * What a rule writes into the new row: columns and their values, applied
 * at once by mp_patch_apply in the trigger's memory context.  A role column
 * gets the current role's name.
 */
#define MP_PATCH_MAX 8
typedef struct MpRowPatch
{
	int			n;
	int			cols[MP_PATCH_MAX];
	Datum		values[MP_PATCH_MAX];
	bool		nulls[MP_PATCH_MAX];
	bool		role[MP_PATCH_MAX];
} MpRowPatch;

extern void mp_patch_set(MpRowPatch *p, Relation rel, const char *col,
						 Datum value);
extern void mp_patch_set_role(MpRowPatch *p, Relation rel, const char *col);
extern HeapTuple mp_patch_apply(MpRowPatch *p, Relation rel, HeapTuple tuple,
								MemoryContext cxt);
extern void mp_stamp_role(MpRowPatch *p, Relation rel, HeapTuple tuple,
						  const char *col, const char *must_be);
extern void mp_stamp_time(MpRowPatch *p, Relation rel, HeapTuple tuple,
						  const char *col, const char *must_be);
extern void mp_require_partner_act(const MpPartnerAct *act,
								   const pg_uuid_t *named, pg_uuid_t *acting);

/*
 * trigger.c: the one skeleton of every trigger.  A trigger function is
 * mp_trigger_run over a table of its rules.
 */
typedef enum MpTriggerKind
{
	MP_TRIGGER_BEFORE_ROW,
	MP_TRIGGER_AFTER_ROW,
	MP_TRIGGER_ANY				/* statement triggers, or either */
} MpTriggerKind;

/* What a trigger does in restore mode (restore.c). */
typedef enum MpRestore
{
	MP_RESTORE_RUN,				/* the rules run as always */
	MP_RESTORE_PASS,			/* the row goes through unchecked */
	MP_RESTORE_HOLD,			/* ... or waits for its partner or customer */
	MP_RESTORE_SKIP,			/* nothing is done */
	MP_RESTORE_ONLY				/* the rules run in restore mode only */
} MpRestore;

/* A write the table refuses outright (R10); detail NULL: none. */
typedef struct MpRefusal
{
	const char *detail;
	const char *hint;
} MpRefusal;

/* The event a rule judges. */
typedef struct MpTriggerEvent
{
	TriggerData *td;
	Relation	rel;
	HeapTuple	oldtup;			/* UPDATE, DELETE; else NULL */
	HeapTuple	newtup;			/* INSERT, UPDATE; else NULL */
	MemoryContext cxt;			/* the trigger's: for the tuple returned */
} MpTriggerEvent;

/* A rule: the row to write (BEFORE ROW; NULL skips it), else ignored. */
typedef HeapTuple (*MpRule) (const MpTriggerEvent *ev);

typedef struct MpTrigger
{
	const char *name;			/* the SQL function's name */
	MpTriggerKind kind;
	MpRestore	restore;
	void		(*always) (void);	/* first on every call, or NULL */
	const char *stamp;			/* BEFORE INSERT: a NULL here gets the
								 * statement's time, or NULL for none */
	MpRefusal	no_update;
	MpRefusal	no_delete;
	MpRefusal	no_truncate;
	MpRule		on_insert;		/* NULL: the row goes through */
	MpRule		on_update;
	MpRule		on_delete;
} MpTrigger;

extern Datum mp_trigger_run(FunctionCallInfo fcinfo, const MpTrigger *t);

/* The SQL-callable trigger function funcname: trigger table t run. */
#define MP_TRIGGER_FUNCTION(funcname, t) \
	PG_FUNCTION_INFO_V1(funcname); \
	Datum \
	funcname(PG_FUNCTION_ARGS) \
	{ \
		return mp_trigger_run(fcinfo, &(t)); \
	}
extern Datum mp_trigger_passthrough(TriggerData *trigdata);

#endif							/* MULTIPARTNER_H */
