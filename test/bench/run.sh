#!/usr/bin/env bash
# make bench: the benchmark of multipartner against the foreign-key floor and the PL/pgSQL reference.
#
# One run, one private cluster (initdb in a private directory, Unix socket only, no TCP), one
# database holding four schemas with the same tables, indexes and data:
#   floor         the tables with their foreign keys and CHECKs, no trigger   (test/bench/floor.sql)
#   multipartner  the extension itself (CREATE EXTENSION multipartner)
#   ref           PL/pgSQL triggers enforcing the same rules and audit log    (test/bench/plpgsql_reference.sql)
#   bare          subscription and relationship without foreign keys or triggers (callgrind base)
# "mp_noaudit" is the extension with its audit trigger switched off on the written table, for
# the checks-only targets (ALTER TABLE ... DISABLE TRIGGER audit as superuser, then ENABLE ALWAYS).
#
# Layers, in this order:
#   pgbench   INSERT, UPDATE and request+accept, -M prepared, CLIENTS clients, DURATION s a run,
#             ROUNDS rounds, schemas interleaved floor/multipartner/ref in every round, first round
#             discarded, median TPS and median of the per-round ratios.
#   bulk      INSERT ... SELECT and COPY FROM a file of BULK_ROWS subscriptions by the partner role,
#             timed on the server (clock_timestamp), rolled back, same rounds and interleaving.
#   read      customer_partners / subscriptions_by_partner for one customer, owner vs partner role
#             (skipped with a message while the views do not exist).
#   memory    MEM_CALLS calls of the extension's trigger functions in one backend, COMMIT every
#             100 rows, pg_backend_memory_contexts summed along the way.
#   callgrind the same writes once more in `postgres --single` under valgrind --tool=callgrind,
#             one dump per statement: instructions per row (deterministic), and callgrind_annotate
#             of the extension's bulk INSERT.
# Results: BENCHMARKS.md (OUT) and build/bench/ (raw pgbench output, callgrind dumps, results.tsv).
#
# Variables: SCALE (1 = 1M customers, 20k partners, 10M subscriptions; default 0.1), ROUNDS (3),
# DURATION (10 s), CLIENTS (2), BULK_ROWS (1M x SCALE), CG_ROWS (2000 rows a bulk statement under
# callgrind), CG_STMTS (200 single-row statements a variant), MEM_CALLS (1000000), LAYERS (all of
# "pgbench bulk read memory callgrind"), OUT (BENCHMARKS.md), KEEP=1 (leave the cluster running).
# QUICK=1: a development run in under 3 minutes (SCALE 0.02, 2 rounds of 4 s, small counts).
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$tree"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

say() { printf '%s\n' "$*"; }
die() {
	say "run.sh: $*" >&2
	exit 1
}
((EUID == 0)) || die "run as root (it installs packages and the extension, then runs the cluster as postgres)"

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	: "${SCALE:=0.02}" "${ROUNDS:=2}" "${DURATION:=4}" "${CG_ROWS:=500}" "${CG_STMTS:=40}"
	: "${MEM_CALLS:=150000}"
else
	: "${SCALE:=0.1}" "${ROUNDS:=3}" "${DURATION:=10}" "${CG_ROWS:=2000}" "${CG_STMTS:=200}"
	: "${MEM_CALLS:=1000000}"
fi
: "${CLIENTS:=2}" "${OUT:=BENCHMARKS.md}" "${KEEP:=0}"
: "${LAYERS:=pgbench bulk read memory callgrind}"
ncust=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 1000000 + 0.5 }')
npart=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 20000 + 0.5 }')
nsubs=$((ncust * 10))
: "${BULK_ROWS:=$ncust}"
((ncust >= 800 && npart >= 8)) || die "SCALE=$SCALE is too small (needs 800 customers and 8 partners)"
nbig=$(((ncust - 3) / 8 + 1))   # customers 8i+3: partner 1's
pool=$((ncust / 8 * 7))         # customers with c % 8 <> 3: the request pool
cg_warm=10
# request+accept scripts per client and run: what the pool serves, at most 2500 a second of DURATION
req_tx=$((pool / CLIENTS - 1))
((req_tx <= 2500 * DURATION)) || req_tx=$((2500 * DURATION))
mem_rows=100
mem_batches=$(((MEM_CALLS + 3 * mem_rows - 1) / (3 * mem_rows)))
variants_bench="floor multipartner ref"
variants_bulk="floor mp_noaudit multipartner ref"
variants_cg="bare floor mp_noaudit multipartner ref"
command_line="make bench"
for v in QUICK SCALE ROUNDS DURATION CLIENTS BULK_ROWS CG_ROWS CG_STMTS MEM_CALLS LAYERS; do
	[[ -n ${!v+x} && -n $(printenv "$v" || true) ]] && command_line="$v=$(printf '%q' "${!v}") $command_line"
done
has_layer() { [[ " $LAYERS " == *" $1 "* ]]; }

start_time=$SECONDS
stamp() { printf '[%4ds] ' $((SECONDS - start_time)); }
step() { say "$(stamp)== $*"; }

# --- packages, build, install
step "packages"
bash "$tree/test/deps.sh"
need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v callgrind_annotate >/dev/null || need+=(valgrind)
[[ -x /usr/lib/postgresql/15/bin/pgbench ]] || need+=(postgresql-client-15)
if ((${#need[@]})); then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
id postgres >/dev/null 2>&1 || die "no postgres OS user (is postgresql-15 installed?)"
bindir=$(pg_config --bindir)

step "build and install"
make -C "$tree" --no-print-directory -j"$(nproc)" >/dev/null || die "make failed"
make -C "$tree" --no-print-directory install >/dev/null || die "make install failed"
so_path="$(pg_config --pkglibdir)/multipartner.so"
so_md5=$(md5sum "$so_path" | cut -d' ' -f1)

# --- where things go
res=$tree/build/bench          # results, kept (root)
rm -rf -- "$res"
mkdir -p "$res"
chmod 0755 "$tree/build" "$res"
base=$res/cluster
port=5498
if ! (cd / && runuser -u postgres -- test -x "$res") 2>/dev/null || ((${#base} + 30 > 100)); then
	base=$(mktemp -d /tmp/multipartner-bench.XXXXXX)
	say "the cluster lives in $base (postgres cannot reach $res, or its path is too long)"
fi
data=$base/data
sock=$base/sock
work=$base/work                # files the server and pgbench read or write (postgres)
log=$base/postgres.log
mkdir -p "$base" "$sock" "$work"
chmod 0700 "$base" "$sock"
chown postgres: "$base" "$sock" "$work"
tsv=$res/results.tsv
: >"$tsv"

as_pg() { (cd / && runuser -u postgres -- "$@"); }
pgq() { as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" "$@"; }
sq() { pgq -d bench -At "$@"; }   # as the superuser postgres
server_up=0
stop_server() {
	if ((server_up)); then
		as_pg "$bindir/pg_ctl" -D "$data" stop -m fast -w >/dev/null 2>&1 ||
			as_pg "$bindir/pg_ctl" -D "$data" stop -m immediate -w >/dev/null 2>&1 || true
		server_up=0
	fi
}
start_server() {
	as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w start >/dev/null
	server_up=1
}
cleanup() {
	local rc=$?
	if [[ $KEEP == 1 && $server_up == 1 ]]; then
		say "KEEP=1: the cluster is left running: runuser -u postgres -- psql -h $sock -p $port bench"
		say "         stop it with: runuser -u postgres -- $bindir/pg_ctl -D $data stop"
		return
	fi
	stop_server
	if [[ $KEEP != 1 ]]; then
		case $base in
		"$res/cluster" | /tmp/multipartner-bench.*) rm -rf -- "$base" ;;
		esac
	fi
	((rc == 0)) || say "run.sh: failed (exit $rc); logs in $res" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- the cluster (DESIGN_NOTES 1.3: settings for CPU numbers)
step "initdb ($data)"
as_pg "$bindir/initdb" -D "$data" -U postgres --no-locale -E UTF8 \
	--auth-local=trust --auth-host=reject --no-sync >/dev/null
settings="fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
shared_buffers = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off
max_connections = 20"
cat >>"$data/postgresql.conf" <<EOF

# make bench: private cluster, Unix socket only; settings for CPU numbers (DESIGN_NOTES 1.3)
listen_addresses = ''
port = $port
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
$settings
EOF
start_server
pgq -d postgres -c "CREATE DATABASE bench"

step "schemas: multipartner, floor, bare, ref; roles"
sq <<'EOF'
CREATE EXTENSION multipartner;
CREATE ROLE bench_sales LOGIN;       -- partner 1's sales_agent
CREATE ROLE bench_cust;              -- global_admin of the request pool's customers
CREATE ROLE bench_app LOGIN;         -- the request+accept client: SET ROLE to either
GRANT multipartner_partner_app TO bench_sales;
GRANT multipartner_customer_app TO bench_cust;
GRANT bench_sales, bench_cust TO bench_app;
-- COPY FROM a server file and pg_backend_memory_contexts, as the partner role
GRANT pg_read_server_files, pg_read_all_stats TO bench_sales;
EOF
sq -f - <"$tree/test/bench/floor.sql"
sq -f - <"$tree/test/bench/plpgsql_reference.sql"
sq -f - <"$tree/test/bench/setup.sql"
p1=$(sq -c "SELECT md5('p1')::uuid")

step "data: $npart partners, $ncust customers, $nsubs subscriptions (SCALE=$SCALE), x4 schemas"
t0=$SECONDS
orph=$(sq -v npart="$npart" -v ncust="$ncust" -v nsubs="$nsubs" -f - <"$tree/test/bench/data.sql" | grep '^orphans')
say "$orph"
[[ $orph == "orphans|0|0" ]] || die "the generated data is inconsistent: $orph"
sq -c "VACUUM ANALYZE"
sq -c "CHECKPOINT"
load_secs=$((SECONDS - t0))
counts=$(sq -F ' ' -c "SELECT (SELECT count(*) FROM multipartner.relationship), (SELECT count(*) FROM multipartner.subscription WHERE partner_of_record = '$p1'), pg_size_pretty(pg_database_size('bench'))")
read -r nrel np1subs dbsize <<<"$counts"
say "$(stamp)loaded in ${load_secs}s: $nrel relationships, partner 1 holds $np1subs subscriptions, database $dbsize"

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }   # layer workload variant round value unit

schema_of() { case $1 in mp_noaudit) echo multipartner ;; *) echo "$1" ;; esac; }

# --- pgbench layer
run_pgbench() { # workload variant round
	local w=$1 v=$2 r=$3 s user script out tps
	s=$(schema_of "$v")
	script=$work/$w-$s.pgbench
	sed -e "s/@S@/$s/g" -e "s/@P1@/$p1/g" "$tree/test/bench/$w.pgbench" >"$script"
	chown postgres: "$script"
	user=bench_sales
	case $w in
	request_accept)
		user=bench_app
		sq -c "SELECT bench.reset_requests('$s')" >/dev/null
		sq -c "VACUUM $s.relationship"
		;;
	*) sq -c "VACUUM $s.subscription" ;;
	esac
	sq -c "CHECKPOINT"
	out=$res/pgbench-$w-$v-r$r.txt
	# request+accept: every script uses up one customer of the pool, so a fixed number of scripts
	length=(-T "$DURATION")
	[[ $w == request_accept ]] && length=(-t "$req_tx")
	if ! as_pg "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" "${length[@]}" \
		--random-seed=1 -r -h "$sock" -p "$port" -U "$user" \
		-D nbig="$nbig" -D ncust="$ncust" -f "$script" bench >"$out" 2>&1; then
		say "run.sh: pgbench $w on $v failed (round $r): see $out" >&2
		tail -n 5 "$out" >&2
		exit 1
	fi
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' "$out")
	[[ -n $tps ]] || die "no tps in $out"
	record pgbench "$w" "$v" "$r" "$tps" tps
	say "$(stamp)pgbench round $r $w $v: $tps tps"
}

if has_layer pgbench; then
	step "pgbench: $ROUNDS rounds x (insert, update, request_accept) x ($variants_bench), ${DURATION}s each, -c $CLIENTS"
	for ((r = 1; r <= ROUNDS; r++)); do
		for w in insert update request_accept; do
			for v in $variants_bench; do
				run_pgbench "$w" "$v" "$r"
			done
		done
	done
	for s in $variants_bench; do
		sq -c "SELECT bench.reset_requests('$s')" >/dev/null
		sq -c "VACUUM $s.relationship, $s.subscription"
	done
fi

# --- bulk layer: INSERT ... SELECT and COPY of BULK_ROWS subscriptions by the partner role
bulk_select() { # rows tag: the SELECT of the bulk rows, one line
	printf '%s' "SELECT md5('$2' || g)::uuid, md5('c' || (8 * (g % $nbig) + 3))::uuid, '$p1'::uuid," \
		" 'CFQ7TTC0LF8Q', 'Office 365', 1 + g % 10, 'P1Y', 'annual', now() + interval '1 year'" \
		" FROM generate_series(1, $1) g"
}
cols="subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, commitment_end"

run_bulk() { # workload variant round
	local w=$1 v=$2 r=$3 s secs
	s=$(schema_of "$v")
	{
		say "BEGIN;"
		[[ $v == mp_noaudit ]] && say "ALTER TABLE multipartner.subscription DISABLE TRIGGER audit;"
		# the file is written in the same transaction, so now() + 1 year is the commitment end
		# the extension and the reference derive
		[[ $w == copy ]] && say "COPY ($(bulk_select "$BULK_ROWS" bulk)) TO '$work/bulk.csv';"
		say "SET LOCAL ROLE bench_sales;"
		say "SELECT clock_timestamp() AS t0 \\gset"
		if [[ $w == copy ]]; then
			say "COPY $s.subscription ($cols) FROM '$work/bulk.csv';"
		else
			say "INSERT INTO $s.subscription ($cols) $(bulk_select "$BULK_ROWS" bulk);"
		fi
		say "SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);"
		say "ROLLBACK;"
	} >"$res/bulk-$w-$v.sql"
	secs=$(sq -f - <"$res/bulk-$w-$v.sql")
	# the rollback brings the audit trigger back (ENABLE ALWAYS): check it
	[[ $(sq -c "SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'multipartner.subscription'::regclass AND tgname = 'audit'") == A ]] ||
		die "the audit trigger of multipartner.subscription is not ENABLE ALWAYS after $w $v"
	sq -c "VACUUM $s.subscription, $s.audit_log"
	sq -c "CHECKPOINT"
	record bulk "$w" "$v" "$r" "$secs" s
	say "$(stamp)bulk round $r $w $v: ${secs}s for $BULK_ROWS rows"
}

if has_layer bulk; then
	step "bulk: $ROUNDS rounds x (insert_select, copy) x ($variants_bulk), $BULK_ROWS rows each"
	for ((r = 1; r <= ROUNDS; r++)); do
		for w in insert_select copy; do
			for v in $variants_bulk; do
				run_bulk "$w" "$v" "$r"
			done
		done
	done
	rm -f "$work/bulk.csv"
fi

# --- read layer: the DBA views for one customer, owner (row security bypassed) vs partner role
if has_layer read; then
	step "read: customer_partners, subscriptions_by_partner"
	for view in customer_partners subscriptions_by_partner; do
		exists=$(sq -c "SELECT to_regclass('multipartner.$view') IS NOT NULL")
		if [[ $exists != t ]]; then
			say "read workload skipped: view multipartner.$view does not exist (another issue adds it)"
			record read "$view" multipartner 0 skipped missing
			continue
		fi
		hascol=$(sq -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'multipartner.$view'::regclass AND attname = 'customer_id' AND NOT attisdropped")
		if [[ $hascol != 1 ]]; then
			say "read workload skipped: view multipartner.$view has no customer_id column"
			record read "$view" multipartner 0 skipped no_customer_id
			continue
		fi
		c1=$(sq -c "SELECT md5('c3')::uuid")
		for who in postgres bench_sales; do
			pgq -d bench -U "$who" -At -c "SET plan_cache_mode = force_generic_plan" \
				-c "PREPARE q(uuid) AS SELECT * FROM multipartner.$view WHERE customer_id = \$1" \
				-c "EXPLAIN (COSTS OFF) EXECUTE q('$c1')" >"$res/read-$view-$who.plan" 2>&1 || true
			if grep -q 'Seq Scan' "$res/read-$view-$who.plan"; then
				record read "$view" "plan_$who" 0 seqscan plan
			else
				record read "$view" "plan_$who" 0 index plan
			fi
		done
		script=$work/read-$view.pgbench
		sed -e "s/@S@/multipartner/g" -e "s/@V@/$view/g" "$tree/test/bench/read.pgbench" >"$script"
		chown postgres: "$script"
		for ((r = 1; r <= ROUNDS; r++)); do
			for who in postgres bench_sales; do
				rm -f "$work"/readlog*
				out=$res/pgbench-read-$view-$who-r$r.txt
				as_pg "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" \
					--random-seed=1 -h "$sock" -p "$port" -U "$who" -l --log-prefix="$work/readlog" \
					-D nbig="$nbig" -f "$script" bench >"$out" 2>&1 || die "pgbench read $view as $who failed: $out"
				tps=$(sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' "$out")
				med=$(cat "$work"/readlog* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
				record read "$view" "$who" "$r" "$tps" tps
				record read "$view" "$who" "$r" "$med" median_us
				say "$(stamp)read round $r $view as $who: $tps tps, median ${med} us"
			done
		done
	done
fi

# --- memory layer
if has_layer memory; then
	step "memory: $((mem_batches * mem_rows * 3)) trigger calls in one backend ($mem_batches transactions of $mem_rows rows)"
	pgq -d bench -U bench_sales -c "CALL bench.mem_probe($mem_batches, $mem_rows, $nbig, $ncust, '$p1')"
	sq -F $'\t' -c "SELECT batch, calls, total_bytes, used_bytes, ncontexts, cache_bytes FROM bench.mem_log ORDER BY batch" |
		while IFS=$'\t' read -r b calls tot used nctx cache; do
			record memory total_bytes multipartner "$calls" "$tot" bytes
			record memory used_bytes multipartner "$calls" "$used" bytes
			record memory contexts multipartner "$calls" "$nctx" count
			record memory cache_bytes multipartner "$calls" "$cache" bytes
		done
	sq -F $'\t' -c "
		SELECT coalesce(e.name, w.name) || coalesce(' (' || coalesce(e.ident, w.ident) || ')', ''),
		       coalesce(w.t, 0), coalesce(e.t, 0)
		  FROM (SELECT name, ident, sum(total_bytes) t FROM bench.mem_ctx WHERE phase = 'warm' GROUP BY 1, 2) w
		  FULL JOIN (SELECT name, ident, sum(total_bytes) t FROM bench.mem_ctx WHERE phase = 'end' GROUP BY 1, 2) e
		    ON e.name = w.name AND e.ident IS NOT DISTINCT FROM w.ident
		 WHERE coalesce(e.t, 0) <> coalesce(w.t, 0)
		 ORDER BY abs(coalesce(e.t, 0) - coalesce(w.t, 0)) DESC LIMIT 10" >"$res/memory-context-changes.tsv"
	say "$(stamp)memory: $(sq -c "SELECT format('%s calls: %s bytes; %s calls: %s bytes', min(calls), (array_agg(total_bytes ORDER BY batch))[1], max(calls), (array_agg(total_bytes ORDER BY batch DESC))[1]) FROM bench.mem_log")"
fi

pgversion=$(sq -c "SELECT version()")
stop_server

# --- callgrind layer: postgres --single on the same data directory
cg_script() {
	local vi=0 v s t c n j
	say "SET jit = off"
	for s in bare floor multipartner ref; do
		say "PREPARE ins_$s (text, int) AS INSERT INTO $s.subscription ($cols) VALUES (md5(\$1)::uuid, md5('c' || \$2)::uuid, '$p1', 'CFQ7TTC0LF8Q', 'Office 365', 5, 'P1Y', 'annual', now() + interval '1 year')"
		say "PREPARE upd_$s (bigint) AS UPDATE $s.subscription SET quantity = quantity + 1 WHERE subscription_id = md5('s' || \$1)::uuid"
		say "PREPARE req_$s (int, text) AS INSERT INTO $s.relationship (relationship_id, customer_id, partner_id, status, delegated_admin) VALUES (md5(\$2)::uuid, md5('c' || (8 * (\$1 / 7) + \$1 % 7 + 1 + (\$1 % 7 >= 2)::int))::uuid, '$p1', 'pending', true)"
		say "PREPARE acc_$s (text) AS UPDATE $s.relationship SET status = 'active' WHERE relationship_id = md5(\$1)::uuid"
	done
	for v in $variants_cg; do
		s=$(schema_of "$v")
		vi=$((vi + 1))
		if [[ $v == mp_noaudit ]]; then
			say "ALTER TABLE multipartner.subscription DISABLE TRIGGER audit"
			say "ALTER TABLE multipartner.relationship DISABLE TRIGGER audit"
		fi
		say "SET ROLE bench_sales"
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			c=$((8 * ((vi * 7919 + t * 104729) % nbig) + 3))
			say "EXECUTE ins_$s('cg-$v-$t', $c)"
		done
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			c=$((8 * ((vi * 7919 + t * 104729) % nbig) + 3))
			n=$((2 * (t % 5) * ncust + c))
			say "EXECUTE upd_$s($n)"
		done
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			j=$(((vi * (cg_warm + CG_STMTS) + t) % pool))
			say "SET ROLE bench_sales"
			say "EXECUTE req_$s($j, 'cg-$v-$t')"
			say "SET ROLE bench_cust"
			say "EXECUTE acc_$s('cg-$v-$t')"
		done
		say "RESET ROLE"
		say "BEGIN"
		say "SET LOCAL ROLE bench_sales"
		say "INSERT INTO $s.subscription ($cols) $(bulk_select "$CG_ROWS" "cg-$v-bulk")"
		say "ROLLBACK"
		say "BEGIN"
		say "COPY ($(bulk_select "$CG_ROWS" "cg-$v-copy")) TO '$work/cg_copy.csv'"
		say "SET LOCAL ROLE bench_sales"
		say "COPY $s.subscription ($cols) FROM '$work/cg_copy.csv'"
		say "ROLLBACK"
		if [[ $v == mp_noaudit ]]; then
			say "ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit"
			say "ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER audit"
		fi
	done
}
# the label of each line of cg_script: "workload variant" for a measured statement, "-" otherwise
cg_labels() {
	local v t
	say "-"
	for ((t = 0; t < 16; t++)); do say "-"; done
	for v in $variants_cg; do
		[[ $v == mp_noaudit ]] && say "-" && say "-"
		say "-"
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do ((t < cg_warm)) && say "-" || say "ins1 $v"; done
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do ((t < cg_warm)) && say "-" || say "upd1 $v"; done
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			say "-"
			((t < cg_warm)) && say "-" || say "rel $v"
			say "-"
			((t < cg_warm)) && say "-" || say "rel $v"
		done
		say "-"
		say "-"
		say "-"
		say "bulk $v"
		say "-"
		say "-"
		say "-"
		say "-"
		say "copy $v"
		say "-"
		[[ $v == mp_noaudit ]] && say "-" && say "-"
	done
	return 0
}

if has_layer callgrind; then
	step "callgrind: postgres --single, ($variants_cg), $CG_STMTS single-row statements and $CG_ROWS-row bulk statements each"
	cg=$work/cg
	rm -rf -- "$cg"
	mkdir -p "$cg"
	chown postgres: "$cg"
	cg_script >"$cg/script.sql"
	cg_labels >"$res/callgrind-labels.txt"
	nlines=$(wc -l <"$cg/script.sql")
	[[ $nlines == $(wc -l <"$res/callgrind-labels.txt") ]] || die "callgrind script and labels disagree"
	chown postgres: "$cg/script.sql"
	t0=$SECONDS
	as_pg valgrind --tool=callgrind --dump-after=CommitTransactionCommand \
		--callgrind-out-file="$cg/cg.out.%p" \
		"$bindir/postgres" --single -D "$data" -c jit=off bench <"$cg/script.sql" \
		>"$res/callgrind-single.out" 2>"$res/callgrind-valgrind.log" || die "valgrind failed: $res/callgrind-valgrind.log"
	if grep -q 'ERROR' "$res/callgrind-single.out" "$res/callgrind-valgrind.log"; then
		grep -m5 'ERROR' "$res/callgrind-single.out" "$res/callgrind-valgrind.log" >&2
		die "a statement failed under callgrind: see $res/callgrind-single.out"
	fi
	say "$(stamp)callgrind ran in $((SECONDS - t0))s"
	# the last nlines numbered dumps are the statements, in order (earlier ones are start-up)
	mapfile -t dumps < <(ls "$cg" | grep -E '^cg\.out\.[0-9]+\.[0-9]+$' | sort -t. -k4 -n)
	ndumps=${#dumps[@]}
	((ndumps >= nlines)) || die "callgrind wrote $ndumps dumps for $nlines statements"
	: >"$res/callgrind-statements.tsv"
	i=0
	while IFS= read -r label; do
		f=${dumps[ndumps - nlines + i]}
		i=$((i + 1))
		[[ $label == - ]] && continue
		ir=$(sed -n 's/^summary: //p' "$cg/$f")
		printf '%s\t%s\t%s\n' "$label" "$ir" "$f" >>"$res/callgrind-statements.tsv"
	done <"$res/callgrind-labels.txt"
	# instructions per row: single-row statements averaged; a request+accept pair is one "row"
	awk -F'\t' -v rows="$CG_ROWS" -v stmts="$CG_STMTS" '
		{ split($1, a, " "); w = a[1]; v = a[2]; sum[w " " v] += $2 }
		END {
			for (k in sum) {
				split(k, a, " "); w = a[1]; v = a[2]
				per = (w == "bulk" || w == "copy") ? sum[k] / rows : sum[k] / stmts
				printf "callgrind\t%s\t%s\t1\t%.0f\tinstr\n", w, v, per
			}
		}' "$res/callgrind-statements.tsv" | sort >>"$tsv"
	# where the extension spends it: its bulk INSERT and one single-row INSERT
	for w in bulk ins1; do
		f=$(awk -F'\t' -v l="$w multipartner" '$1 == l { f = $3 } END { print f }' "$res/callgrind-statements.tsv")
		callgrind_annotate --inclusive=yes --threshold=99.5 "$cg/$f" 2>/dev/null | head -n 80 >"$res/callgrind-annotate-$w-multipartner.txt" || true
		callgrind_annotate --inclusive=no --threshold=95 "$cg/$f" 2>/dev/null | head -n 60 >"$res/callgrind-self-$w-multipartner.txt" || true
		callgrind_annotate --tree=calling --inclusive=yes --threshold=99 "$cg/$f" 2>/dev/null >"$res/callgrind-tree-$w-multipartner.txt" || true
		cp "$cg/$f" "$res/callgrind.out.$w-multipartner"
	done
	for w in bulk; do
		for v in floor ref; do
			f=$(awk -F'\t' -v l="$w $v" '$1 == l { f = $3 } END { print f }' "$res/callgrind-statements.tsv")
			callgrind_annotate --inclusive=yes --threshold=99 "$cg/$f" 2>/dev/null | head -n 50 >"$res/callgrind-annotate-$w-$v.txt" || true
		done
	done
	rm -rf -- "$cg"
fi

# --- the report
step "report"
{
	say "command=$command_line"
	say "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	say "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
	say "nproc=$(nproc)"
	say "mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	say "kernel=$(uname -r)"
	say "pgversion=$pgversion"
	say "valgrind=$(valgrind --version)"
	say "commit=$(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	say "dirty=$(git -C "$tree" status --porcelain -- src sql multipartner.control 2>/dev/null | wc -l)"
	say "src_md5=$(cat "$tree"/src/*.c "$tree"/src/*.h "$tree"/sql/*.sql | md5sum | cut -d' ' -f1)"
	say "so_md5=$so_md5"
	say "so_md5_end=$(md5sum "$so_path" | cut -d' ' -f1)"
	say "scale=$SCALE"
	say "npart=$npart"
	say "ncust=$ncust"
	say "nsubs=$nsubs"
	say "nrel=$nrel"
	say "np1subs=$np1subs"
	say "dbsize=$dbsize"
	say "load_secs=$load_secs"
	say "rounds=$ROUNDS"
	say "duration=$DURATION"
	say "clients=$CLIENTS"
	say "req_tx=$req_tx"
	say "bulk_rows=$BULK_ROWS"
	say "cg_rows=$CG_ROWS"
	say "cg_stmts=$CG_STMTS"
	say "mem_calls=$((mem_batches * mem_rows * 3))"
	say "mem_batches=$mem_batches"
	say "layers=$LAYERS"
	say "settings=$(tr '\n' ';' <<<"$settings")"
	say "total_secs=$((SECONDS - start_time))"
} >"$res/info.env"
perl "$tree/test/bench/report.pl" "$res" "$tree/$OUT"
say "$(stamp)done: $OUT (raw numbers in build/bench/)"
