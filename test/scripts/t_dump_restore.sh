#!/usr/bin/env bash
# t_dump_restore: pg_dump / pg_restore of a database with multipartner brings
# every row of every table back, writes no second audit row, and leaves the
# rules, triggers and policies as active as before (SPEC §8, README "Restore").
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

# sqlstate_of DB ROLE SQL: the SQLSTATE the statement fails with, or "none"
sqlstate_of() {
	t_psql -d "$1" -v ON_ERROR_STOP=0 -At 2>/dev/null <<-SQL | tail -n 1
		SET ROLE $2;
		\set LAST_ERROR_SQLSTATE none
		$3;
		\echo :LAST_ERROR_SQLSTATE
	SQL
}

cluster_start
t_psql -d postgres -c "CREATE DATABASE src"
t_psql -d src <"$here/scenario.sql" >"$T_DIR/scenario.log"
before=$(t_value -d src <"$here/snapshot.sql")
ok "scenario loaded: $(echo "$before" | awk '{printf "%s=%s ", $1, $2}')"

as_pg "$T_BIN/pg_dump" -h "$T_DIR" -p "$T_PORT" -Fc -f "$T_DIR/src.dump" src
as_pg "$T_BIN/pg_dump" -h "$T_DIR" -p "$T_PORT" -Fp -f "$T_DIR/src.sql" src

t_psql -d postgres -c "CREATE DATABASE dst_custom" -c "CREATE DATABASE dst_plain"
as_pg "$T_BIN/pg_restore" -h "$T_DIR" -p "$T_PORT" --exit-on-error -d dst_custom "$T_DIR/src.dump"
t_psql -d dst_plain -f "$T_DIR/src.sql" >"$T_DIR/restore_plain.log"

for db in dst_custom dst_plain; do
	after=$(t_value -d "$db" <"$here/snapshot.sql")
	expect_eq "$db: every row of every table is back, the audit log has no second copy" "$before" "$after"

	protections="SELECT (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	                     WHERE c.relnamespace = 'multipartner'::regnamespace AND NOT t.tgisinternal
	                       AND t.tgenabled = 'A')
	            || ' ' || (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
	                        WHERE c.relnamespace = 'multipartner'::regnamespace)
	            || ' ' || (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'multipartner'::regnamespace
	                        AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity)
	            || ' ' || (SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'multipartner%' AND evtenabled = 'A')"
	expect_eq "$db: triggers (ENABLE ALWAYS), policies, forced row security and the DDL guard are all there" \
		"$(t_value -d src -c "$protections")" "$(t_value -d "$db" -c "$protections")"

	s1=$(t_value -d "$db" -c "SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'O365_E3'")
	r_az=$(t_value -d "$db" -c "SELECT relationship_id FROM multipartner.relationship
	                             WHERE partner_id = 'a2a2a2a2-0000-4000-8000-000000000002' AND status = 'active'")
	contoso=$(t_value -d "$db" -c "SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'")
	fabrikam=$(t_value -d "$db" -c "SELECT customer_id FROM multipartner.customer WHERE name = 'Fabrikam'")

	expect_eq "$db: R5 still refuses the customer changing a subscription" MP002 \
		"$(sqlstate_of "$db" sc_contoso "UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s1'")"
	expect_eq "$db: R6 still refuses moving a subscription" MP003 \
		"$(sqlstate_of "$db" sc_office "UPDATE multipartner.subscription SET partner_of_record = 'a2a2a2a2-0000-4000-8000-000000000002' WHERE subscription_id = '$s1'")"
	expect_eq "$db: R7 still refuses changing the term" MP004 \
		"$(sqlstate_of "$db" sc_office "UPDATE multipartner.subscription SET term = 'P3Y' WHERE subscription_id = '$s1'")"
	expect_eq "$db: R8 still refuses a CSP tenant as customer" MP005 \
		"$(sqlstate_of "$db" sc_office "SELECT multipartner.create_customer('a2a2a2a2-0000-4000-8000-0000000000c5', 'x', 'commercial')")"
	expect_eq "$db: R10 still refuses deleting a subscription (the superuser: MP007 from the trigger)" MP007 \
		"$(sqlstate_of "$db" postgres "DELETE FROM multipartner.subscription WHERE subscription_id = '$s1'")"
	expect_eq "$db: R10 still refuses deleting a subscription (a partner: no DELETE privilege)" 42501 \
		"$(sqlstate_of "$db" sc_office "DELETE FROM multipartner.subscription WHERE subscription_id = '$s1'")"
	expect_eq "$db: R11 still refuses selling under a declined relationship" MP001 \
		"$(sqlstate_of "$db" sc_azure_sales "SELECT multipartner.create_subscription('$fabrikam', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')")"
	expect_eq "$db: R13 still refuses terminating with live subscriptions" MP009 \
		"$(sqlstate_of "$db" sc_azure "SELECT multipartner.terminate_relationship('$r_az')")"
	expect_eq "$db: row security still hides the other partner's subscription" 0 \
		"$(t_value -d "$db" -c "SET ROLE sc_azure" -c "SELECT count(*) FROM multipartner.subscription WHERE subscription_id = '$s1'")"

	n0=$(t_value -d "$db" -c "SELECT count(*) || ' ' || max(event_id) FROM multipartner.audit_log")
	expect_eq "$db: a sale after the restore is allowed" none \
		"$(sqlstate_of "$db" sc_office "SELECT multipartner.create_subscription('$contoso', 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly')")"
	n1=$(t_value -d "$db" -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE event_id > ${n0#* }) FROM multipartner.audit_log")
	expect_eq "$db: ... and is audited once, numbered after the restored history (the sequence came back too)" \
		"$((${n0% *} + 1)) 1" "$n1"
done
