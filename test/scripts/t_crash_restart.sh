#!/usr/bin/env bash
# t_crash_restart: an immediate shutdown (a crash, as far as the data is
# concerned) in the middle of a write load; after the restart every invariant
# holds, the heap and indexes are sound (pg_amcheck), and the rules still
# refuse.  The triggers run inside the writing transactions and keep no state
# outside them, so recovery has nothing of the extension's own to repair.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

cluster_start
t_psql -d postgres -c "CREATE DATABASE crash"
t_psql -d crash <"$here/scenario.sql" >"$T_DIR/scenario.log"
t_psql -d crash -c "CREATE EXTENSION amcheck"
contoso=$(t_value -d crash -c "SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'")

# the write load: the Office partner sells and raises quantities, the Azure
# sales agent sells, two clients each, until the crash
cat >"$T_DIR/office.sql" <<SQL
SELECT multipartner.create_subscription('$contoso', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
UPDATE multipartner.subscription SET quantity = quantity + 1
 WHERE subscription_id = (SELECT subscription_id FROM multipartner.subscription
                           WHERE status = 'active' ORDER BY created_at DESC LIMIT 1);
SQL
cat >"$T_DIR/azure.sql" <<SQL
SELECT multipartner.create_subscription('$contoso', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly');
SQL
chown postgres: "$T_DIR"/*.sql
pgbench() { as_pg "$T_BIN/pgbench" -n -h "$T_DIR" -p "$T_PORT" "$@"; }
pgbench -U sc_office -c 2 -T 30 -f "$T_DIR/office.sql" crash >"$T_DIR/office.log" 2>&1 &
p1=$!
pgbench -U sc_azure_sales -c 2 -T 30 -f "$T_DIR/azure.sql" crash >"$T_DIR/azure.log" 2>&1 &
p2=$!
sleep 4
before=$(t_value -d crash -c "SELECT count(*) FROM multipartner.subscription")
cluster_stop immediate
wait "$p1" "$p2" || true
ok "immediate shutdown during the load ($before subscriptions seen just before it)"

cluster_start
after=$(t_value -d crash -c "SELECT count(*) FROM multipartner.subscription")
[[ $after -ge $before ]] || fail "subscriptions lost in recovery: $before before, $after after"
ok "recovered with $after subscriptions"

while IFS= read -r line; do
	[[ $line == ok ]] || fail "invariant broken after the crash: $line"
done < <(t_value -d crash <"$here/invariants.sql")
ok "every invariant of test/scripts/invariants.sql holds"

as_pg "$T_BIN/pg_amcheck" -h "$T_DIR" -p "$T_PORT" --heapallindexed --schema=multipartner crash \
	|| fail "pg_amcheck found corruption"
ok "pg_amcheck --heapallindexed finds the heap and every index sound"

s=$(t_value -d crash -c "SELECT subscription_id FROM multipartner.subscription WHERE partner_of_record = '0ff1ce00-0000-4000-8000-000000000001' LIMIT 1")
state=$(t_psql -d crash -v ON_ERROR_STOP=0 -At 2>/dev/null <<SQL | tail -n 1
SET ROLE sc_contoso;
UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s';
\echo :LAST_ERROR_SQLSTATE
SQL
)
expect_eq "the rules still refuse after the restart (R5)" MP002 "$state"
