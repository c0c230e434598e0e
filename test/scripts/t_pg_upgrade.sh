#!/usr/bin/env bash
# t_pg_upgrade: pg_upgrade of a cluster with multipartner and data (issue 10,
# item 6).  pg_dump's binary-upgrade mode recreates the extension's tables one
# by one and their foreign keys with ALTER TABLE ... ADD CONSTRAINT, which
# creates the foreign keys' internal triggers ENABLE ORIGIN: after the upgrade
# a role granted SET on session_replication_role could switch them off by
# choosing replica.  This test really runs pg_upgrade (same major version, two
# clusters initdb'd here), then checks every catalog fact of the extension
# (test/catalog.psql: triggers and their enabled state, the foreign keys'
# triggers, policies, row security, event triggers, ACLs, config-dump marks,
# members) and its version against the old cluster, that every row came back,
# that the replica-mode attack is refused before the DBA's repair, and that
# multipartner.enable_always_triggers() puts the catalog back as it was.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

OLD=$T_DIR/old
OLD_PORT=5441
trap 'as_pg "$T_BIN/pg_ctl" -D "$OLD" -m immediate -w stop >/dev/null 2>&1 || true; cluster_stop immediate' EXIT

# the old cluster, with the scenario of the other script tests
as_pg "$T_BIN/initdb" -D "$OLD" --no-locale -E UTF8 -A trust >"$T_DIR/initdb_old.log"
as_pg "$T_BIN/pg_ctl" -D "$OLD" -l "$T_DIR/server_old.log" -w \
	-o "-c listen_addresses='' -c unix_socket_directories='$T_DIR' -p $OLD_PORT" start >/dev/null
old_psql() { as_pg "$T_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$T_DIR" -p "$OLD_PORT" "$@"; }
old_psql -d postgres -c "CREATE DATABASE up"
old_psql -d up <"$here/scenario.sql" >"$T_DIR/scenario.log"
# the attacker: a partner application role trusted with session_replication_role
old_psql -d up -c "CREATE ROLE sc_replicator LOGIN IN ROLE multipartner_partner_app" \
	-c "GRANT SET ON PARAMETER session_replication_role TO sc_replicator"
cp "$here/../catalog.psql" "$T_DIR/catalog.psql"
chown postgres: "$T_DIR/catalog.psql"
facts() { # facts PSQL-FUNCTION: the catalog facts, the version and the rows
	"$@" -d up -At -c "\\i $T_DIR/catalog.psql" -c '\echo :catalog' \
		-c "SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'multipartner'"
}
rows() { "$@" -d up -At <"$here/snapshot.sql"; }
facts_before=$(facts old_psql)
rows_before=$(rows old_psql)
ok "old cluster loaded: $(echo "$rows_before" | awk '{printf "%s=%s ", $1, $2}')"
as_pg "$T_BIN/pg_ctl" -D "$OLD" -m fast -w stop >/dev/null

# the new cluster, and the upgrade (run from a directory postgres may write)
as_pg "$T_BIN/initdb" -D "$T_DIR/data" --no-locale -E UTF8 -A trust >"$T_DIR/initdb_new.log"
if ! (cd "$T_DIR" && runuser -u postgres -- "$T_BIN/pg_upgrade" -b "$T_BIN" -B "$T_BIN" \
	-d "$OLD" -D "$T_DIR/data" -p "$OLD_PORT" -P "$T_PORT" -s "$T_DIR" --link) >"$T_DIR/pg_upgrade.log" 2>&1; then
	cat "$T_DIR/pg_upgrade.log"
	fail "pg_upgrade failed"
fi
ok "pg_upgrade --link ran"
cluster_start

expect_eq "every row of every table came back, the audit log once" "$rows_before" "$(rows t_psql)"

# replica_attack: as the attacker, under session_replication_role = replica,
# a member row for a customer that does not exist; prints the SQLSTATE
replica_attack() {
	t_psql -d up -v ON_ERROR_STOP=0 -At 2>/dev/null <<-SQL | tail -n 1
		SET ROLE sc_replicator;
		SET session_replication_role = replica;
		\set LAST_ERROR_SQLSTATE none
		INSERT INTO multipartner.customer_member (member, customer_id, role)
		     VALUES ('sc_replicator', '00000000-0000-4000-8000-00000000dead', 'global_admin');
		\echo :LAST_ERROR_SQLSTATE
	SQL
}
# the same as an operator deleting a partner that members and relationships refer to
replica_delete() {
	t_psql -d up -v ON_ERROR_STOP=0 -At 2>/dev/null <<-SQL | tail -n 1
		SET ROLE sc_replicator;
		SET session_replication_role = replica;
		SET ROLE sc_operator;
		\set LAST_ERROR_SQLSTATE none
		DELETE FROM multipartner.partner WHERE partner_id = '0ff1ce00-0000-4000-8000-000000000001';
		\echo :LAST_ERROR_SQLSTATE
	SQL
}
t_psql -d up -c "GRANT sc_operator TO sc_replicator"

fk_origin=$(t_value -d up -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                               WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgisinternal
                                 AND t.tgenabled = 'O'")
ok "after pg_upgrade $fk_origin foreign-key triggers are ENABLE ORIGIN (pg_dump --binary-upgrade recreated the keys)"
expect_eq "under replica, a member row for a customer that does not exist is refused" 55000 "$(replica_attack)"
expect_eq "under replica, deleting a partner that rows refer to is refused" 55000 "$(replica_delete)"
expect_eq "... and neither wrote anything" "$rows_before" "$(rows t_psql)"

# the DBA's step after pg_upgrade (README, Restore and upgrade)
n=$(t_value -d up -c "SELECT multipartner.enable_always_triggers()")
expect_eq "multipartner.enable_always_triggers() switches every ENABLE ORIGIN trigger back" "$fk_origin" "$n"
expect_eq "the catalog facts and the version are those of the old cluster" "$facts_before" "$(facts t_psql)"
expect_eq "every trigger of the extension's tables is ENABLE ALWAYS" 0 \
	"$(t_value -d up -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	                      WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgenabled <> 'A'")"
expect_eq "the 24 foreign-key triggers are there" 24 \
	"$(t_value -d up -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	                      WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgisinternal")"
expect_eq "under replica, the foreign key itself now refuses the member row" 23503 "$(replica_attack)"
expect_eq "under replica, the partner's deletion meets R10 again" MP007 "$(replica_delete)"
expect_eq "a second call finds nothing to do" 0 "$(t_value -d up -c "SELECT multipartner.enable_always_triggers()")"

# the rules still hold on the new cluster
s1=$(t_value -d up -c "SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'O365_E3'")
state=$(t_psql -d up -v ON_ERROR_STOP=0 -At 2>/dev/null <<SQL | tail -n 1
SET ROLE sc_contoso;
UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s1';
\echo :LAST_ERROR_SQLSTATE
SQL
)
expect_eq "the rules still refuse after the upgrade (R5)" MP002 "$state"
expect_eq "row security still hides the other partner's subscription" 0 \
	"$(t_value -d up -c "SET ROLE sc_azure" -c "SELECT count(*) FROM multipartner.subscription WHERE subscription_id = '$s1'")"
