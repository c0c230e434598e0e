/*-------------------------------------------------------------------------
 *
 * mp_errcodes.h
 *	  The SQLSTATEs of the rules of SPEC §5, each named after its rule.
 *
 * Role checks (R2, R3, the ordering roles of R4) use the standard
 * ERRCODE_INSUFFICIENT_PRIVILEGE (42501); bad input uses the standard codes
 * of class 22 and 23.  Everything a rule refuses has its own code here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MP_ERRCODES_H
#define MP_ERRCODES_H

/* R4, R11: no active relationship between the customer and the partner */
#define ERRCODE_MP_NO_ACTIVE_RELATIONSHIP	MAKE_SQLSTATE('M','P','0','0','1')
/* R5: only the partner of record (or an operator) updates a subscription */
#define ERRCODE_MP_NOT_PARTNER_OF_RECORD	MAKE_SQLSTATE('M','P','0','0','2')
/* R6: partner of record and customer of a subscription never change */
#define ERRCODE_MP_NO_TRANSITION			MAKE_SQLSTATE('M','P','0','0','3')
/* R7: terms and obligations of a subscription never change */
#define ERRCODE_MP_TERMS_IMMUTABLE			MAKE_SQLSTATE('M','P','0','0','4')
/* R8: a partner's CSP transaction tenant is never a customer */
#define ERRCODE_MP_CSP_TENANT				MAKE_SQLSTATE('M','P','0','0','5')
/* R9: partner and customer live in the same cloud */
#define ERRCODE_MP_CLOUD_MISMATCH			MAKE_SQLSTATE('M','P','0','0','6')
/* R10: nothing is deleted */
#define ERRCODE_MP_NO_DELETE				MAKE_SQLSTATE('M','P','0','0','7')
/* R12: identities (ids, tenant ids, cloud) are immutable */
#define ERRCODE_MP_IDENTITY_IMMUTABLE		MAKE_SQLSTATE('M','P','0','0','8')
/* R13: no termination while the partner has live subscriptions there */
#define ERRCODE_MP_LIVE_SUBSCRIPTIONS		MAKE_SQLSTATE('M','P','0','0','9')

/* R16: an admin relationship's terms change only as R16 says */
#define ERRCODE_MP_ADMIN_TERMS_IMMUTABLE	MAKE_SQLSTATE('M','P','0','1','0')
/* R17: no auto_extend while roles hold a global_admin role */
#define ERRCODE_MP_AUTO_EXTEND_GLOBAL_ADMIN	MAKE_SQLSTATE('M','P','0','1','1')
/* R19: an assignment only to a member of the partner, within the roles */
#define ERRCODE_MP_ASSIGNMENT_OUTSIDE		MAKE_SQLSTATE('M','P','0','1','2')

#endif							/* MP_ERRCODES_H */
