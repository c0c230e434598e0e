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
#   callgrind the writes in `postgres --single` under valgrind --tool=callgrind, first, on tables
#             all as loaded: one dump per statement, instructions per row (deterministic), and the
#             extension's statements annotated per function and per call site (test/bench/annotate.pl).
#   pgbench   INSERT, UPDATE and request+accept, -M prepared, CLIENTS clients, DURATION s a run,
#             ROUNDS rounds, schemas interleaved floor/multipartner/ref in every round, first round
#             discarded, median TPS and median of the per-round ratios.
#   bulk      INSERT ... SELECT of BULK_ROWS subscriptions by the partner role, and COPY FROM a file
#             of them by the superuser (COPY FROM is refused under row security), timed on the
#             server (clock_timestamp), rolled back, same rounds and interleaving.
#   read      customer_partners / subscriptions_by_partner for one customer, owner vs partner role
#             (skipped with a message while the views do not exist).
#   memory    MEM_CALLS calls of the extension's trigger functions in one backend, COMMIT every
#             100 rows, pg_backend_memory_contexts summed along the way.
#   maintenance  run_maintenance() (issue 14) as an operator in a database of its own with
#             MAINT_SUBS subscriptions: nothing due, 1% due (rolled back MAINT_ROUNDS times, then
#             committed), the run right after; rows read per table (pg_stat_xact_user_tables),
#             blocks (pg_statio_user_tables), plans (auto_explain of the nested statements), and
#             times against a SELECT 1 round trip (MAINT_CALLS calls a median).
#   citus     where Citus is installed (test/bench/citus.sh): single-customer sale and update TPS of
#             a distributed install (coordinator and two workers of its own on 127.0.0.1 ports
#             CITUS_BENCH_PORT..+2, default 57700) against a single-node database, the same data
#             (CITUS_CUSTOMERS, 2000), interleaved rounds; the router check (EXPLAIN, and
#             citus.multi_task_query_log_level = error for the runs); every sale audited once.
# Results: BENCHMARKS.md (OUT) and build/bench/ (raw pgbench output, callgrind dumps, results.tsv).
#
# Variables: SCALE (1 = 1M customers, 20k partners, 10M subscriptions; default 0.1), ROUNDS (3),
# DURATION (10 s; reads half of it), CLIENTS (2), BULK_ROWS (1M x SCALE), CG_ROWS (1000 rows a bulk
# statement under callgrind), CG_STMTS (100 single-row statements a variant), MEM_CALLS (1000000), LAYERS (all of
# "callgrind pgbench bulk read memory maintenance citus"), MAINT_SUBS (nsubs: 1M at the default SCALE),
# MAINT_ROUNDS (5), MAINT_CALLS (200), OUT (BENCHMARKS.md), KEEP=1 (leave the cluster running).
# QUICK=1: a development run in under 3 minutes (SCALE 0.02, 2 rounds of 3 s, small counts).
# PRELOAD=1: multipartner in shared_preload_libraries, so the refusal and lookup counters of
# multipartner.refusals run (src/refusals.c); compare with a run without it.
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
	: "${SCALE:=0.02}" "${ROUNDS:=2}" "${DURATION:=3}" "${CG_ROWS:=500}" "${CG_STMTS:=40}"
	: "${MEM_CALLS:=150000}" "${MAINT_ROUNDS:=3}" "${MAINT_CALLS:=50}"
else
	: "${SCALE:=0.1}" "${ROUNDS:=3}" "${DURATION:=10}" "${CG_ROWS:=1000}" "${CG_STMTS:=100}"
	: "${MEM_CALLS:=1000000}" "${MAINT_ROUNDS:=5}" "${MAINT_CALLS:=200}"
fi
: "${CLIENTS:=2}" "${OUT:=BENCHMARKS.md}" "${KEEP:=0}" "${PRELOAD:=0}"
: "${LAYERS:=callgrind pgbench bulk read memory maintenance citus}"
ncust=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 1000000 + 0.5 }')
npart=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 20000 + 0.5 }')
nsubs=$((ncust * 10))
: "${BULK_ROWS:=$ncust}" "${MAINT_SUBS:=$nsubs}"
((ncust >= 800 && npart >= 8)) || die "SCALE=$SCALE is too small (needs 800 customers and 8 partners)"
nbig=$(((ncust - 3) / 8 + 1))   # customers 8i+3: partner 1's
pool=$((ncust / 8 * 7))         # customers with c % 8 <> 3: the request pool
nadmins=$((pool / 8))           # its administrators: bench_ca_0 .. bench_ca_<nadmins-1>, 8 customers each
((nadmins <= 5000)) || nadmins=5000
npool=$((nadmins * 8))
cg_warm=10
read_duration=$(((DURATION + 1) / 2))
((read_duration >= 3)) || read_duration=3
# request+accept scripts per client and run: what the pool serves, at most 2500 a second of DURATION
req_tx=$((npool / CLIENTS - 1))
((req_tx <= 2500 * DURATION)) || req_tx=$((2500 * DURATION))
mem_rows=100
mem_batches=$(((MEM_CALLS + 3 * mem_rows - 1) / (3 * mem_rows)))
variants_bench="floor multipartner ref"
variants_bulk="floor mp_noaudit multipartner ref"
variants_cg="bare floor mp_noaudit multipartner ref"
command_line="make bench"
for v in QUICK PRELOAD SCALE ROUNDS DURATION CLIENTS BULK_ROWS CG_ROWS CG_STMTS MEM_CALLS MAINT_SUBS MAINT_ROUNDS MAINT_CALLS CITUS_CUSTOMERS CITUS_BENCH_PORT LAYERS; do
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
# what was built, taken now: the tree may change under a long run (see "snapshot" below)
ext_files=("$tree/multipartner.so" "$tree/multipartner.control")
for f in $(make -C "$tree" --no-print-directory -s print-DATA print-DATA_built); do ext_files+=("$tree/$f"); done
git_head=$(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown)
git_dirty=$(git -C "$tree" status --porcelain -- src sql multipartner.control Makefile 2>/dev/null | wc -l)
src_md5=$(cat "$tree"/src/*.c "$tree"/src/*.h "$tree"/sql/*.sql | md5sum | cut -d' ' -f1)

# --- where things go
res=$tree/build/bench          # results, kept (root)
for pidfile in "$res"/cluster/data/postmaster.pid /tmp/multipartner-bench.*/data/postmaster.pid; do
	[[ -f $pidfile ]] && kill -0 "$(head -n1 "$pidfile")" 2>/dev/null &&
		die "another make bench is running (server $(head -n1 "$pidfile") in ${pidfile%/postmaster.pid}); stop it first"
done
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

# A private copy of the server with a snapshot of this build of the extension.  Other sessions
# may `make install` other code into $libdir while the benchmark runs, and every new backend
# loads multipartner.so afresh: so the server runs from $pgroot instead, a copy of the postgres
# binary beside symbolic links to the rest of the installation and copies of the files just
# built.  PostgreSQL finds $libdir and its share directory relative to its binary.
step "snapshot of the build for the benchmark server ($base/pg)"
pgroot=$base/pg
libdir=$(pg_config --pkglibdir)
sharedir=$(pg_config --sharedir)
mkdir -p "$pgroot$bindir" "$pgroot$libdir" "$pgroot$sharedir/extension"
cp -p "$bindir/postgres" "$pgroot$bindir/"
for f in "$libdir"/*; do
	[[ ${f##*/} == multipartner.so ]] || ln -s "$f" "$pgroot$libdir/"
done
for f in "$sharedir"/*; do
	[[ ${f##*/} == extension ]] || ln -s "$f" "$pgroot$sharedir/"
done
for f in "$sharedir"/extension/*; do
	case ${f##*/} in multipartner.control | multipartner--*) ;; *) ln -s "$f" "$pgroot$sharedir/extension/" ;; esac
done
cp -p "${ext_files[0]}" "$pgroot$libdir/"
cp -p "${ext_files[@]:1}" "$pgroot$sharedir/extension/"
so_md5=$(md5sum "$pgroot$libdir/multipartner.so" | cut -d' ' -f1)
postgres_bin=$pgroot$bindir/postgres
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
	as_pg "$bindir/pg_ctl" -D "$data" -p "$postgres_bin" -l "$log" -w start >/dev/null
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
if [[ $PRELOAD == 1 ]]; then
	settings+=$'\n'"shared_preload_libraries = 'multipartner'"
fi
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
# the server must load the snapshot, not the installed file
loaded=$(sq -c "CREATE EXTENSION multipartner" -c "SELECT multipartner.is_operator()" \
	-c "SELECT pg_read_file('/proc/self/maps')" | grep -m1 -o '/[^ ]*multipartner\.so' || true)
[[ $loaded == "$pgroot$libdir/multipartner.so" ]] || die "the server loaded '$loaded', not the snapshot in $pgroot"
sq <<'EOF'
CREATE ROLE bench_sales LOGIN;       -- partner 1's sales_agent
CREATE ROLE bench_app LOGIN;         -- the request+accept client: SET ROLE to the others
CREATE ROLE bench_admin LOGIN;       -- partner 1's admin_agent (GDAP: creates and assigns)
GRANT multipartner_partner_app TO bench_sales, bench_admin;
GRANT bench_sales TO bench_app;
-- COPY FROM a server file and pg_backend_memory_contexts, as the partner role
GRANT pg_read_server_files, pg_read_all_stats TO bench_sales;
EOF
# the request pool's customer administrators (data.sql), each global_admin of 8 customers
sq -v nadmins="$nadmins" <<'EOF'
SELECT format('CREATE ROLE bench_ca_%s IN ROLE multipartner_customer_app ROLE bench_app', k)
  FROM generate_series(0, :nadmins - 1) k \gexec
EOF
sq -f - <"$tree/test/bench/floor.sql"
sq -f - <"$tree/test/bench/plpgsql_reference.sql"
sq -f - <"$tree/test/bench/setup.sql"
p1=$(sq -c "SELECT md5('p1')::uuid")

# Is ref still the extension's tables?  Columns, indexes and constraints compared with the
# schema names taken out; any difference is printed and written into BENCHMARKS.md.
sq -F ' | ' >"$res/shape-diff.txt" <<'EOF'
WITH cols AS (
    SELECT n.nspname AS s, c.relname || '.' || a.attname || ' ' ||
           regexp_replace(format_type(a.atttypid, a.atttypmod), '^(multipartner|ref)\.', '') ||
           CASE WHEN a.attnotnull THEN ' not null' ELSE '' END AS what
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('multipartner', 'ref') AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT n.nspname, c.relname || ': ' ||
           regexp_replace(regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX \S+ ON \S+', 'CREATE \1INDEX ON'),
                          '(multipartner|ref)\.', '', 'g')
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('multipartner', 'ref') AND c.relkind = 'r'
    UNION ALL
    SELECT n.nspname, c.relname || ': ' || regexp_replace(pg_get_constraintdef(k.oid), '(multipartner|ref)\.', '', 'g')
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('multipartner', 'ref') AND c.relkind = 'r' AND k.contype IN ('c', 'f')
)
SELECT 'only in ' || min(s), what FROM cols GROUP BY what HAVING count(DISTINCT s) = 1 ORDER BY 2;
EOF
if [[ -s $res/shape-diff.txt ]]; then
	say "WARNING: ref's tables differ from the extension's (test/bench/plpgsql_reference.sql needs an update):"
	sed 's/^/  /' "$res/shape-diff.txt"
fi
# Does ref refuse what the extension refuses?  The GDAP writes of test/bench/ref_refusals.sql
# (rolled back) must raise the same SQLSTATEs in both, or the ratio would flatter the extension.
for s in multipartner ref; do
	sq -v s="$s" -f - <"$tree/test/bench/ref_refusals.sql" >"$res/ref-refusals-$s.txt" 2>&1 ||
		die "$s does not refuse what GDAP refuses: $(grep -m1 'not ok' "$res/ref-refusals-$s.txt" || tail -n 3 "$res/ref-refusals-$s.txt")"
	say "$(tail -n 1 "$res/ref-refusals-$s.txt")"
done

step "data: $npart partners, $ncust customers, $nsubs subscriptions (SCALE=$SCALE), x4 schemas"
t0=$SECONDS
orph=$(sq -v npart="$npart" -v ncust="$ncust" -v nsubs="$nsubs" -v nadmins="$nadmins" -v npool="$npool" \
	-f - <"$tree/test/bench/data.sql" | grep '^orphans')
say "$orph"
[[ $orph == "orphans|0|0" ]] || die "the generated data is inconsistent: $orph"
sq -c "VACUUM ANALYZE"
sq -c "CHECKPOINT"
load_secs=$((SECONDS - t0))
counts=$(sq -F ' ' -c "SELECT (SELECT count(*) FROM multipartner.relationship), (SELECT count(*) FROM multipartner.subscription WHERE partner_of_record = '$p1'), pg_size_pretty(pg_database_size('bench'))")
read -r nrel np1subs dbsize <<<"$counts"
say "$(stamp)loaded in ${load_secs}s: $nrel relationships, partner 1 holds $np1subs subscriptions, database $dbsize"

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }   # layer workload variant round value unit

# Busy CPU (% of all cores) over 0.3 s while this benchmark is idle: what other
# processes on the machine take.  Sampled before every timed run and reported.
cpu_busy() {
	local a b
	read -r -a a < <(head -n1 /proc/stat)
	sleep 0.3
	read -r -a b < <(head -n1 /proc/stat)
	awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
		n = split(a, x, " "); split(b, y, " "); t = 0
		for (i = 2; i <= 9 && i <= n; i++) t += y[i] - x[i]
		idle = (y[5] - x[5]) + (y[6] - x[6])
		printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}

schema_of() { case $1 in mp_noaudit) echo multipartner ;; *) echo "$1" ;; esac; }

# --- bulk layer: INSERT ... SELECT of BULK_ROWS subscriptions by the partner role, COPY by the superuser
bulk_select() { # rows tag [copy]: the SELECT of the bulk rows, one line
	# A file for COPY is written by another statement than the one that loads it, and every time
	# rule judges by the statement's start (0.4): the file carries its created_at (COPY is the
	# superuser's, who may give it), so commitment_end is derived from the same time.
	local at="GREATEST(statement_timestamp(), now())"
	printf '%s' "SELECT md5('$2' || g)::uuid, md5('c' || (8 * (g % $nbig) + 3))::uuid, '$p1'::uuid," \
		" 'CFQ7TTC0LF8Q', 'Office 365', 1 + g % 10, 'P1Y', 'annual', $at + interval '1 year', $at" \
		"${3:+, $at}" " FROM generate_series(1, $1) g"
}
# (term_start since 0.8: the baselines have no trigger to set it; the extension and the reference
# accept it as given when it is created_at, the statement's time)
cols="subscription_id, customer_id, partner_of_record, offer_id, product_family, quantity, term, billing_cycle, commitment_end, term_start"
copy_cols="$cols, created_at"

# --- callgrind layer: postgres --single on the same data directory
cg_script() {
	local vi=0 v s t c n j
	say "SET jit = off"
	for s in bare floor multipartner ref; do
		say "PREPARE ins_$s (text, int) AS INSERT INTO $s.subscription ($cols) VALUES (md5(\$1)::uuid, md5('c' || \$2)::uuid, '$p1', 'CFQ7TTC0LF8Q', 'Office 365', 5, 'P1Y', 'annual', GREATEST(statement_timestamp(), now()) + interval '1 year', GREATEST(statement_timestamp(), now()))"
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
			j=$(((vi * (cg_warm + CG_STMTS) + t) % npool))
			say "SET ROLE bench_sales"
			say "EXECUTE req_$s($j, 'cg-$v-$t')"
			say "SET ROLE bench_ca_$((j % nadmins))"
			say "EXECUTE acc_$s('cg-$v-$t')"
		done
		say "RESET ROLE"
		say "BEGIN"
		say "SET LOCAL ROLE bench_sales"
		say "INSERT INTO $s.subscription ($cols) $(bulk_select "$CG_ROWS" "cg-$v-bulk")"
		say "ROLLBACK"
		say "BEGIN"
		say "COPY ($(bulk_select "$CG_ROWS" "cg-$v-copy" copy)) TO '$work/cg_copy.csv'"
		say "RESET ROLE"
		say "COPY $s.subscription ($copy_cols) FROM '$work/cg_copy.csv'"
		say "ROLLBACK"
		if [[ $v == mp_noaudit ]]; then
			say "ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit"
			say "ALTER TABLE multipartner.relationship ENABLE ALWAYS TRIGGER audit"
		fi
	done
	cg_gdap_script
}
# GDAP (issue 13), in floor, multipartner and ref: on the customers each variant's rel statements
# above made partner 1's (an active reseller relationship, R14), bench_admin (partner 1's
# admin_agent) creates an admin relationship (gcreate: INSERT), submits it and the customer's
# global_admin approves it (gapprove: the two UPDATEs, summed), then bench_admin assigns one of
# its roles to bench_sales (gassign: INSERT).  Direct DML through the same triggers as the API
# (create_admin_relationship() etc. only write these rows), so ids are known beforehand.  floor
# has no triggers: its rows keep their stamps empty, as its relationship rows do.
variants_gdap="floor multipartner ref"
cg_gdap_j() { # variant t: the pool index of that variant's t-th rel statement
	local vi=0 v
	for v in $variants_cg; do
		vi=$((vi + 1))
		[[ $v == "$1" ]] && break
	done
	echo $(((vi * (cg_warm + CG_STMTS) + $2) % npool))
}
cg_gdap_script() {
	local t j c v
	say "RESET ROLE"
	for v in $variants_gdap; do
		say "PREPARE gcr_$v (text, int) AS INSERT INTO $v.admin_relationship (admin_relationship_id, customer_id, partner_id, display_name, roles, duration) VALUES (md5(\$1)::uuid, md5('c' || \$2)::uuid, '$p1', \$1, '{29232cdf-9323-42fd-ade2-1d097af3e4de,729827e3-9c14-49f7-bb1b-9608f156bbb8}', '180 days')"
		say "PREPARE gsub_$v (text) AS UPDATE $v.admin_relationship SET status = 'approval_pending' WHERE admin_relationship_id = md5(\$1)::uuid"
		say "PREPARE gapp_$v (text) AS UPDATE $v.admin_relationship SET status = 'active' WHERE admin_relationship_id = md5(\$1)::uuid"
		say "PREPARE gasg_$v (text, int) AS INSERT INTO $v.access_assignment (access_assignment_id, admin_relationship_id, customer_id, partner_id, grantee, roles) VALUES (md5('aa' || \$1)::uuid, md5(\$1)::uuid, md5('c' || \$2)::uuid, '$p1', 'bench_sales', '{729827e3-9c14-49f7-bb1b-9608f156bbb8}')"
	done
	for v in $variants_gdap; do
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			j=$(cg_gdap_j "$v" "$t")
			c=$((8 * (j / 7) + j % 7 + 1 + (j % 7 >= 2)))
			say "SET ROLE bench_admin"
			say "EXECUTE gcr_$v('cg-gdap-$t', $c)"
			say "EXECUTE gsub_$v('cg-gdap-$t')"
			say "SET ROLE bench_ca_$((j % nadmins))"
			say "EXECUTE gapp_$v('cg-gdap-$t')"
			say "SET ROLE bench_admin"
			say "EXECUTE gasg_$v('cg-gdap-$t', $c)"
		done
	done
	say "RESET ROLE"
}
cg_gdap_labels() {
	local t v
	say "-"
	for v in $variants_gdap; do for ((t = 0; t < 4; t++)); do say "-"; done; done
	for v in $variants_gdap; do
		for ((t = 0; t < cg_warm + CG_STMTS; t++)); do
			say "-"
			((t < cg_warm)) && say "-" || say "gcreate $v"
			((t < cg_warm)) && say "-" || say "gapprove $v"
			say "-"
			((t < cg_warm)) && say "-" || say "gapprove $v"
			say "-"
			((t < cg_warm)) && say "-" || say "gassign $v"
		done
	done
	say "-"
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
	cg_gdap_labels
	return 0
}

if has_layer callgrind; then
	stop_server
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
		"$postgres_bin" --single -D "$data" -c jit=off bench <"$cg/script.sql" \
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
	# where the extension spends it: one statement of each kind, annotated per row
	# (rel: the last request and the last accept; ins1/upd1: the last statement)
	for w in bulk copy ins1 upd1 rel gcreate gapprove gassign; do
		mapfile -t fs < <(awk -F'\t' -v l="$w multipartner" '$1 == l { print $3 }' "$res/callgrind-statements.tsv" | tail -n 2)
		div=1
		[[ $w == bulk || $w == copy ]] && div=$CG_ROWS
		if [[ $w == rel ]]; then
			perl "$tree/test/bench/annotate.pl" "$cg/${fs[0]}" 1 >"$res/callgrind-breakdown-rel_request.txt" 2>&1 || true
			perl "$tree/test/bench/annotate.pl" "$cg/${fs[1]}" 1 >"$res/callgrind-breakdown-rel_accept.txt" 2>&1 || true
			cp "$cg/${fs[0]}" "$res/callgrind.out.rel_request-multipartner"
			cp "$cg/${fs[1]}" "$res/callgrind.out.rel_accept-multipartner"
		else
			perl "$tree/test/bench/annotate.pl" "$cg/${fs[-1]}" "$div" >"$res/callgrind-breakdown-$w.txt" 2>&1 || true
			cp "$cg/${fs[-1]}" "$res/callgrind.out.$w-multipartner"
		fi
	done
	for v in floor ref; do
		f=$(awk -F'\t' -v l="bulk $v" '$1 == l { f = $3 } END { print f }' "$res/callgrind-statements.tsv")
		perl "$tree/test/bench/annotate.pl" "$cg/$f" "$CG_ROWS" >"$res/callgrind-breakdown-bulk-$v.txt" 2>&1 || true
	done
	rm -rf -- "$cg"
	start_server
	# the callgrind requests would collide with the request workload's pool
	for s in $variants_bench; do
		sq -c "SELECT bench.reset_requests('$s')" >/dev/null
	done
	sq -c "VACUUM ANALYZE"
	sq -c "CHECKPOINT"
	bad=$(sq -c "SELECT string_agg(c.relname || '.' || t.tgname, ', ') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN ('multipartner'::regnamespace, 'ref'::regnamespace) AND NOT t.tgisinternal AND t.tgenabled <> 'A'")
	[[ -z $bad ]] || die "triggers not ENABLE ALWAYS after the callgrind layer: $bad"
fi

# Reads first, on the data set as generated: the write layers after it add their rows to
# partner 1's customers (pgbench alone some 50 subscriptions to each), which changes what a
# one-customer read returns.
# --- read layer: the DBA views for one customer, owner (row security bypassed) vs partner role
if has_layer read; then
	step "read: customer_partners, subscriptions_by_partner, effective_admin_roles"
	# GDAP (issue 13): effective_admin_roles(customer_id) as bench_sales for one of partner 1's
	# customers (3 admin relationships each, an assignment to bench_sales on each: data.sql).
	# A PL/pgSQL function: its query's plan comes from auto_explain (nested statements, at
	# NOTICE level to the client), after 6 calls so that a generic plan would show.
	c1=$(sq -c "SELECT md5('c3')::uuid")
	pgq -d bench -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
		-c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
		-c "SET client_min_messages = notice" -c "SET ROLE bench_sales" \
		-c "SELECT count(*) FROM generate_series(1, 6) g, multipartner.effective_admin_roles('$c1')" \
		-c "SELECT * FROM multipartner.effective_admin_roles('$c1')" >"$res/read-effective_admin_roles.plan" 2>&1 || true
	nroles=$(pgq -d bench -U bench_sales -At -c "SELECT count(*) FROM multipartner.effective_admin_roles('$c1')")
	say "$(stamp)effective_admin_roles('$c1') as bench_sales: $nroles rows"
	record read effective_admin_roles rows 0 "$nroles" count
	if ! grep -q 'Index' "$res/read-effective_admin_roles.plan"; then
		record read effective_admin_roles plan_bench_sales 0 "no plan captured" plan
	# admin_role is the reference table of Entra roles (17 rows, one page, the same at every
	# scale): a Seq Scan of it is the right plan and does not count
	elif grep 'Seq Scan' "$res/read-effective_admin_roles.plan" | grep -qv 'Seq Scan on admin_role '; then
		record read effective_admin_roles plan_bench_sales 0 "seq scan on $(sed -n 's/.*Seq Scan on \([a-z_]*\).*/\1/p' "$res/read-effective_admin_roles.plan" | grep -vx admin_role | sort -u | paste -sd, -)" plan
	else
		record read effective_admin_roles plan_bench_sales 0 index plan
	fi
	script=$work/read-effective_admin_roles.pgbench
	printf '%s\n' '\set c 8 * random(0, :nbig - 1) + 3' \
		"SELECT * FROM multipartner.effective_admin_roles(md5('c' || :c)::uuid);" >"$script"
	chown postgres: "$script"
	for ((r = 1; r <= ROUNDS; r++)); do
		rm -f "$work"/readlog*
		out=$res/pgbench-read-effective_admin_roles-bench_sales-r$r.txt
		as_pg "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$read_duration" \
			--random-seed=1 -h "$sock" -p "$port" -U bench_sales -l --log-prefix="$work/readlog" \
			-D nbig="$nbig" -f "$script" bench >"$out" 2>&1 || die "pgbench read effective_admin_roles failed: $out"
		tps=$(sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' "$out")
		med=$(cat "$work"/readlog* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
		record read effective_admin_roles bench_sales "$r" "$tps" tps
		record read effective_admin_roles bench_sales "$r" "$med" median_us
		say "$(stamp)read round $r effective_admin_roles as bench_sales: $tps tps, median ${med} us"
	done
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
				record read "$view" "plan_$who" 0 "seq scan on $(sed -n 's/.*Seq Scan on \([a-z_]*\).*/\1/p' "$res/read-$view-$who.plan" | sort -u | paste -sd, -)" plan
			else
				record read "$view" "plan_$who" 0 index plan
			fi
			grep -q 'hashed SubPlan' "$res/read-$view-$who.plan" && record read "$view" "hashed_$who" 0 yes flag
		done
		script=$work/read-$view.pgbench
		sed -e "s/@S@/multipartner/g" -e "s/@V@/$view/g" "$tree/test/bench/read.pgbench" >"$script"
		chown postgres: "$script"
		for ((r = 1; r <= ROUNDS; r++)); do
			for who in postgres bench_sales; do
				rm -f "$work"/readlog*
				out=$res/pgbench-read-$view-$who-r$r.txt
				as_pg "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$read_duration" \
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

# --- pgbench layer
run_pgbench() { # workload variant round
	local w=$1 v=$2 r=$3 s user script out tps
	s=$(schema_of "$v")
	script=$work/$w-$s.pgbench
	sed -e "s/@S@/$s/g" -e "s/@P1@/$p1/g" -e "s/@R@/$nadmins/g" "$tree/test/bench/$w.pgbench" >"$script"
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
	record pgbench "$w" "$v" "$r" "$(cpu_busy)" busy_before
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
	step "pgbench: $ROUNDS rounds x (insert, update, request_accept) x ($variants_bench; mp_noaudit for insert and update), ${DURATION}s each, -c $CLIENTS"
	for ((r = 1; r <= ROUNDS; r++)); do
		for w in insert update request_accept; do
			for v in $variants_bench; do
				run_pgbench "$w" "$v" "$r"
				# the same with the audit trigger off: what the audit row costs
				if [[ $v == multipartner && $w != request_accept ]]; then
					sq -c "ALTER TABLE multipartner.subscription DISABLE TRIGGER audit"
					run_pgbench "$w" mp_noaudit "$r"
					sq -c "ALTER TABLE multipartner.subscription ENABLE ALWAYS TRIGGER audit"
				fi
			done
		done
	done
	for s in $variants_bench; do
		sq -c "SELECT bench.reset_requests('$s')" >/dev/null
		sq -c "VACUUM $s.relationship, $s.subscription"
	done
fi

run_bulk() { # workload variant round
	local w=$1 v=$2 r=$3 s secs
	s=$(schema_of "$v")
	{
		say "BEGIN;"
		[[ $v == mp_noaudit ]] && say "ALTER TABLE multipartner.subscription DISABLE TRIGGER audit;"
		# the file is written in the same transaction, so now() + 1 year is the commitment end
		# the extension and the reference derive
		[[ $w == copy ]] && say "COPY ($(bulk_select "$BULK_ROWS" bulk copy)) TO '$work/bulk.csv';"
		# COPY FROM is refused under row security ("COPY FROM not supported with row-level
		# security"), which the extension's tables have: it runs as superuser (operator path)
		[[ $w == copy ]] || say "SET LOCAL ROLE bench_sales;"
		say "SELECT clock_timestamp() AS t0 \\gset"
		if [[ $w == copy ]]; then
			say "COPY $s.subscription ($copy_cols) FROM '$work/bulk.csv';"
		else
			say "INSERT INTO $s.subscription ($cols) $(bulk_select "$BULK_ROWS" bulk);"
		fi
		say "SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);"
		say "ROLLBACK;"
	} >"$res/bulk-$w-$v.sql"
	record bulk "$w" "$v" "$r" "$(cpu_busy)" busy_before
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


# --- memory layer
if has_layer memory; then
	for target in floor multipartner; do
		step "memory ($target): $((mem_batches * mem_rows)) single-row writes in one backend ($mem_batches transactions of $mem_rows)"
		pgq -d bench -U bench_sales -c "CALL bench.mem_probe('$target', $mem_batches, $mem_rows, $nbig, $ncust, '$p1')"
		sq -F $'\t' -c "SELECT batch, calls, total_bytes, used_bytes, ncontexts, cache_bytes FROM bench.mem_log WHERE target = '$target' ORDER BY batch" |
			while IFS=$'\t' read -r b calls tot used nctx cache; do
				record memory total_bytes "$target" "$b" "$tot" bytes
				record memory used_bytes "$target" "$b" "$used" bytes
				record memory contexts "$target" "$b" "$nctx" count
				record memory cache_bytes "$target" "$b" "$cache" bytes
				record memory calls "$target" "$b" "$calls" count
			done
		# the contexts whose size changed from the 10% mark to the end
		sq -F $'\t' -c "
			SELECT coalesce(e.name, w.name) || coalesce(' (' || left(regexp_replace(coalesce(e.ident, w.ident), '\s+', ' ', 'g'), 50) || ')', ''),
			       coalesce(w.t, 0), coalesce(e.t, 0), coalesce(w.u, 0), coalesce(e.u, 0)
			  FROM (SELECT name, ident, sum(total_bytes) t, sum(used_bytes) u FROM bench.mem_ctx
			         WHERE target = '$target' AND phase = 'warm' GROUP BY 1, 2) w
			  FULL JOIN (SELECT name, ident, sum(total_bytes) t, sum(used_bytes) u FROM bench.mem_ctx
			              WHERE target = '$target' AND phase = 'end' GROUP BY 1, 2) e
			    ON e.name = w.name AND e.ident IS NOT DISTINCT FROM w.ident
			 WHERE coalesce(e.t, 0) <> coalesce(w.t, 0) OR coalesce(e.u, 0) <> coalesce(w.u, 0)
			 ORDER BY abs(coalesce(e.u, 0) - coalesce(w.u, 0)) + abs(coalesce(e.t, 0) - coalesce(w.t, 0)) DESC
			 LIMIT 8" >"$res/memory-context-changes-$target.tsv"
		say "$(stamp)memory ($target): $(sq -c "SELECT format('transaction %s: %s bytes (%s used); transaction %s: %s bytes (%s used)', min(batch), (array_agg(total_bytes ORDER BY batch))[1], (array_agg(used_bytes ORDER BY batch))[1], max(batch), (array_agg(total_bytes ORDER BY batch DESC))[1], (array_agg(used_bytes ORDER BY batch DESC))[1]) FROM bench.mem_log WHERE target = '$target'")"
	done
fi

# --- maintenance layer: run_maintenance() on MAINT_SUBS subscriptions, nothing due, 1% due, right after
# (issue 14, SPEC §10), in a database of its own (test/bench/maint_data.sql says why), as an operator.
maint_median() { # files...: the median of pgbench's per-transaction latencies (µs, 3rd column)
	cat "$@" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
maint_pgbench() { # name script calls [pgbench options]: median latency (µs) of calls transactions as bench_op
	local name=$1 script=$2 calls=$3 out
	shift 3
	rm -f "$work"/maintlog*
	out=$res/pgbench-maintenance-$name.txt
	as_pg "$bindir/pgbench" -n -c 1 -j 1 -t "$calls" "$@" -h "$sock" -p "$port" -U bench_op \
		-l --log-prefix="$work/maintlog" -f "$script" maint >"$out" 2>&1 || die "pgbench maintenance $name failed: $out"
	# the mean too (pgbench's "latency average", its own loop included): a SELECT 1 can log 0 µs
	record maintenance "${name%-*}" "${name##*-}" 0 "$(awk '/^latency average/ { print $4 * 1000 }' "$out")" mean_us
	maint_median "$work"/maintlog*
}
maint_measure() { # case finish: one run as bench_op (test/bench/maint_run.sql), recorded
	local c=$1 finish=$2 out kind n rel
	local -A b0=()
	out=$(pgq -d maint -U bench_op -At -F $'\t' -v finish="$finish" -f - <"$tree/test/bench/maint_run.sql") ||
		die "run_maintenance() ($c) failed"
	printf '%s\n' "$out" >"$res/maintenance-$c.txt"
	while IFS=$'\t' read -r tag a b rest; do
		case $tag in
		blk0) b0[$a]=$b ;;
		blk1)
			if ((b - ${b0[$a]:-0} > 0)); then
				record maintenance "$c" "$a" 0 $((b - ${b0[$a]:-0})) blocks
			fi ;;
		secs) record maintenance "$c" all 0 "$a" s_server ;;
		counts)
			for kv in $a; do record maintenance "$c" "${kv%%=*}" 0 "${kv#*=}" count; done ;;
		stat)
			read -r -a v <<<"$b $rest"
			n=0
			for unit in seq_scan seq_tup_read idx_scan idx_tup_fetch index_entries n_tup_ins n_tup_upd; do
				record maintenance "$c" "$a" 0 "${v[$n]}" "$unit"
				n=$((n + 1))
			done ;;
		esac
	done <<<"$out"
	say "$(stamp)maintenance $c: $(sed -n 's/^counts\t//p' <<<"$out") in $(sed -n 's/^secs\t//p' <<<"$out") s"
}
maint_plan() { # case: the 7th run of a session (rolled back) under auto_explain (nested statements,
	# analyze, buffers), recorded: PL/pgSQL may switch to a generic plan after 5 runs, and a generic
	# plan of "commitment_end <= t" reads a third of the table by its estimate
	local c=$1 f seqs warm=()
	f=$res/maintenance-$c.plan
	for _ in 1 2 3 4 5 6; do
		warm+=(-c "BEGIN" -c "SELECT count(*) FROM multipartner.run_maintenance()" -c "ROLLBACK")
	done
	pgq -d maint -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = -1" \
		-c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_analyze = on" \
		-c "SET auto_explain.log_timing = off" -c "SET auto_explain.log_buffers = on" \
		-c "SET auto_explain.log_level = notice" -c "SET client_min_messages = notice" -c "SET ROLE bench_op" \
		"${warm[@]}" -c "RESET ROLE" -c "SET auto_explain.log_min_duration = 0" -c "SET ROLE bench_op" \
		-c "BEGIN" -c "SELECT * FROM multipartner.run_maintenance()" -c "ROLLBACK" >"$f" 2>&1 ||
		die "run_maintenance() under auto_explain ($c) failed: $f"
	grep -q 'Index' "$f" || { record maintenance "$c" plan 0 "no plan captured" plan; return; }
	# the big tables: read by index or not at all
	seqs=$(sed -n 's/.*Seq Scan on \(subscription\|relationship\|admin_relationship\|access_assignment\|audit_log\)\b.*/\1/p' "$f" | sort -u | paste -sd, -)
	record maintenance "$c" plan 0 "${seqs:+seq scan on $seqs}${seqs:-index}" plan
	record maintenance "$c" plan 0 "$(grep -c 'Seq Scan' "$f" || true)" seq_scans_all
}
maint_vacuum() {
	pgq -d maint -c "VACUUM multipartner.subscription, multipartner.relationship, multipartner.admin_relationship, multipartner.access_assignment, multipartner.audit_log, multipartner.expiry_notice"
	pgq -d maint -c "CHECKPOINT"
}

if has_layer maintenance; then
	mcust=$((MAINT_SUBS / 10))
	((mcust >= 1000)) || die "MAINT_SUBS=$MAINT_SUBS is too small (needs 10000)"
	step "maintenance: $MAINT_SUBS subscriptions, $mcust customers, $npart partners in database maint; nothing due, then 1% due"
	pgq -d postgres -c "CREATE DATABASE maint"
	pgq -d maint -c "CREATE ROLE bench_op LOGIN IN ROLE multipartner_operator" -c "CREATE EXTENSION multipartner"
	pgq -d maint -q -f - <"$tree/test/bench/setup.sql" >/dev/null
	# the run's statistics are read in its own session (test/bench/maint_run.sql)
	pgq -d maint -c "GRANT EXECUTE ON FUNCTION pg_stat_force_next_flush() TO bench_op"
	t0=$SECONDS
	loaded=$(pgq -d maint -At -v nsubs="$MAINT_SUBS" -v ncust="$mcust" -v npart="$npart" \
		-f - <"$tree/test/bench/maint_data.sql" | grep '^maint_loaded')
	[[ $loaded == "maint_loaded|$MAINT_SUBS|0|0" ]] || die "the maintenance data is not as planned: $loaded"
	pgq -d maint -c "VACUUM ANALYZE"
	pgq -d maint -c "CHECKPOINT"
	record maintenance load all 0 $((SECONDS - t0)) s
	pgq -d maint -At -F $'\t' -c "SELECT c.relname, c.reltuples::bigint, c.relpages FROM pg_class c WHERE c.relnamespace = 'multipartner'::regnamespace AND c.relkind = 'r' AND c.reltuples > 0" |
		while IFS=$'\t' read -r rel rows pages; do
			record maintenance table "$rel" 0 "$rows" rows
			record maintenance table "$rel" 0 "$pages" pages
		done
	say "$(stamp)maintenance data loaded in $((SECONDS - t0)) s: $(pgq -d maint -At -c "SELECT pg_size_pretty(pg_database_size('maint'))")"

	# the baseline: the trivial round trip, in one session and on a new connection each time
	printf '%s\n' 'SELECT 1;' >"$work/maint-select1.pgbench"
	printf '%s\n' 'SELECT * FROM multipartner.run_maintenance();' >"$work/maint-run.pgbench"
	printf '%s\n' 'BEGIN;' 'SELECT * FROM multipartner.run_maintenance();' 'ROLLBACK;' >"$work/maint-due.pgbench"
	chown postgres: "$work"/maint-*.pgbench
	record maintenance select1 warm 0 "$(maint_pgbench select1-warm "$work/maint-select1.pgbench" "$MAINT_CALLS")" median_us
	record maintenance select1 cold 0 "$(maint_pgbench select1-cold "$work/maint-select1.pgbench" "$MAINT_CALLS" -C)" median_us

	# (c) nothing due at all: the same table, every time in the future
	maint_measure nothing ROLLBACK
	maint_plan nothing
	record maintenance nothing warm 0 "$(maint_pgbench nothing-warm "$work/maint-run.pgbench" "$MAINT_CALLS")" median_us
	record maintenance nothing cold 0 "$(maint_pgbench nothing-cold "$work/maint-run.pgbench" "$MAINT_CALLS" -C)" median_us

	# (a) 1% due: moved into the past (test/bench/maint_due.sql), then run in transactions rolled back
	pgq -d maint -q -v nsubs="$MAINT_SUBS" -v ncust="$mcust" -f - <"$tree/test/bench/maint_due.sql" >/dev/null
	pgq -d maint -c "VACUUM ANALYZE"
	pgq -d maint -c "CHECKPOINT"
	maint_measure due ROLLBACK
	maint_vacuum
	maint_plan due
	for ((r = 1; r <= MAINT_ROUNDS; r++)); do
		maint_vacuum
		out=$res/pgbench-maintenance-due-r$r.txt
		as_pg "$bindir/pgbench" -n -c 1 -j 1 -t 1 -r -h "$sock" -p "$port" -U bench_op \
			-f "$work/maint-due.pgbench" maint >"$out" 2>&1 || die "pgbench maintenance due failed: $out"
		ms=$(awk '/run_maintenance/ { print $1; exit }' "$out")
		[[ -n $ms ]] || die "no latency of run_maintenance() in $out"
		record maintenance due rollback "$r" "$ms" ms
		say "$(stamp)maintenance round $r: the 1%-due run took $ms ms (rolled back)"
	done
	# the run that records it, then (b) the next run right after (its index scans meet the old row
	# versions the first left: no VACUUM between), then the same repeated
	maint_vacuum
	maint_measure commit COMMIT
	maint_measure second ROLLBACK
	maint_plan second
	record maintenance second warm 0 "$(maint_pgbench second-warm "$work/maint-run.pgbench" "$MAINT_CALLS")" median_us
fi

pgversion=$(sq -c "SELECT version()")
stop_server

# --- citus layer (test/bench/citus.sh): nodes of its own, where Citus is installed
if has_layer citus; then
	# shellcheck source=test/bench/citus.sh
	source "$tree/test/bench/citus.sh"
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
	say "commit=$git_head"
	say "dirty=$git_dirty"
	say "src_md5=$src_md5"
	say "so_md5=$so_md5"
	say "so_md5_end=$(md5sum "$pgroot$libdir/multipartner.so" | cut -d' ' -f1)"
	say "commit_end=$(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown)"
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
	say "read_duration=$read_duration"
	say "clients=$CLIENTS"
	say "req_tx=$req_tx"
	say "nadmins=$nadmins"
	say "npool=$npool"
	say "bulk_rows=$BULK_ROWS"
	say "cg_rows=$CG_ROWS"
	say "cg_stmts=$CG_STMTS"
	say "mem_calls=$((mem_batches * mem_rows * 3))"
	say "mem_batches=$mem_batches"
	say "layers=$LAYERS"
	say "maint_subs=$MAINT_SUBS"
	say "maint_rounds=$MAINT_ROUNDS"
	say "maint_calls=$MAINT_CALLS"
	say "citus_customers=${CITUS_CUSTOMERS:-2000}"
	say "settings=$(tr '\n' ';' <<<"$settings")"
	say "total_secs=$((SECONDS - start_time))"
} >"$res/info.env"
[[ $OUT == /* ]] || OUT=$tree/$OUT
perl "$tree/test/bench/report.pl" "$res" "$OUT"
say "$(stamp)done: $OUT (raw numbers in build/bench/)"
