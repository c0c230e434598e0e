#!/usr/bin/env bash
# t_dump_restore: pg_dump / pg_restore of a database with multipartner brings
# every row of every table back, writes no second audit row, and leaves the
# rules, triggers and policies as active as before (SPEC §8, README "Restore"),
# in every way a DBA restores: pg_restore serial, -j N (custom and directory
# formats), --single-transaction, --schema-only then --data-only, --section
# by section, the tables' data in an order of its own, and psql of a plain dump.
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
as_pg "$T_BIN/pg_dump" -h "$T_DIR" -p "$T_PORT" -Fd -f "$T_DIR/src.dir" src
as_pg "$T_BIN/pg_dump" -h "$T_DIR" -p "$T_PORT" -Fp -f "$T_DIR/src.sql" src

# restore DB ARCHIVE [PG_RESTORE OPTION...]: one pg_restore run into DB, which must succeed
restore() {
	local db=$1 archive=$2
	shift 2
	if ! as_pg "$T_BIN/pg_restore" -h "$T_DIR" -p "$T_PORT" --exit-on-error "$@" -d "$db" "$archive" \
		>>"$T_DIR/restore_$db.log" 2>&1; then
		cat "$T_DIR/restore_$db.log"
		fail "$db: pg_restore $* failed"
	fi
}

# every way a DBA restores: serial, parallel (custom and directory formats),
# in one transaction, schema then data, section by section, and plain psql
dbs="dst_custom dst_parallel dst_parallel_dir dst_single dst_schema_data dst_sections dst_children_first dst_plain"
for db in $dbs; do t_psql -d postgres -c "CREATE DATABASE $db"; done
restore dst_custom "$T_DIR/src.dump"
restore dst_parallel "$T_DIR/src.dump" -j 2
restore dst_parallel_dir "$T_DIR/src.dir" -j 4
restore dst_single "$T_DIR/src.dump" --single-transaction
restore dst_schema_data "$T_DIR/src.dump" --schema-only
restore dst_schema_data "$T_DIR/src.dump" --data-only
for section in pre-data data post-data; do
	restore dst_sections "$T_DIR/src.dir" --section=$section
done
# the rows that refer to partners and customers before them, in runs of their own (what
# pg_restore -j may do, made certain): they wait in restore_held until their party is loaded
restore dst_children_first "$T_DIR/src.dump" --schema-only
restore dst_children_first "$T_DIR/src.dump" --data-only \
	-t relationship -t subscription -t partner_member -t customer_member
expect_eq "dst_children_first: the rows loaded before their partner or customer are held" \
	"customer_member partner_member relationship subscription" \
	"$(t_value -d dst_children_first -c "SELECT table_name FROM multipartner.restore_held
	                                      GROUP BY 1 ORDER BY 1" | xargs)"
restore dst_children_first "$T_DIR/src.dump" --data-only -t customer
expect_eq "dst_children_first: the customers' load puts back the member rows (the others wait for their partner)" \
	"partner_member relationship subscription" \
	"$(t_value -d dst_children_first -c "SELECT table_name FROM multipartner.restore_held
	                                      GROUP BY 1 ORDER BY 1" | xargs)"
restore dst_children_first "$T_DIR/src.dump" --data-only -t partner -t tenant -t audit_log -t audit_log_event_id_seq
t_psql -d dst_plain -f "$T_DIR/src.sql" >"$T_DIR/restore_plain.log"
ok "restored in every mode: $dbs"

for db in $dbs; do
	after=$(t_value -d "$db" <"$here/snapshot.sql")
	expect_eq "$db: every row of every table is back, the audit log has no second copy" "$before" "$after"
	expect_eq "$db: no row is left held" 0 "$(t_value -d "$db" -c "SELECT count(*) FROM multipartner.restore_held")"

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
