#!/usr/bin/env bash
# make citus-test: the Citus suite, against the Citus installed for PostgreSQL 15 (SPEC §11).
#
#   run.sh [--installed] [TEST...]
#
# Skips with one line when Citus is not installed ($(pg_config --pkglibdir)/citus.so and the
# control file citus.control): the project never builds Citus, it only uses one that is given.
# Otherwise, as root: install missing packages, build and install the extension and the test
# modules (not with --installed, which test/run-tests.sh passes after its own install), then, as the postgres OS user,
# start three throwaway nodes of its own (a coordinator and two workers: initdb in a private mktemp
# directory, listen_addresses = '127.0.0.1' only, ports MP_CITUS_PORT (default 57630) and the next
# two, which must be free, trust authentication on 127.0.0.1 and the private Unix socket only,
# shared_preload_libraries = 'citus,multipartner' (as the deployment has it, README "Running on Citus"),
# citus.enable_unsafe_triggers = on, citus.enable_binary_protocol = off,
# citus.enable_unsupported_feature_messages = off, wal_level = logical (shard moves), max_worker_processes = 64 (a Citus maintenance daemon per database), core dumps allowed), create database mp_citus and extension citus on every node, register the workers
# (citus_set_coordinator_host, citus_add_node), create extension multipartner on the coordinator
# (Citus propagates it to the workers), and run the suite with pg_regress against the coordinator:
# the files of the suite's own (test/citus/sql/*.sql) and the files of the main suite listed in the
# Makefile's CITUS_SHARED (test/sql/NAME.sql), then, with MP_CITUS_RULES set for psql (the Citus mode of
# test/setup.psql: a database of each file's own on every node, its fixtures committed and distributed,
# test/citus/rules/), the main suite's rule files listed in CITUS_RULES on distributed tables (output
# in build/citus/rules/), then with pg_isolation_regress the suite's own specs
# (test/citus/specs/*.spec, each installing and distributing its own multipartner in mp_citus) and the
# main suite's specs listed in CITUS_ISOLATION (test/specs/NAME.spec, as they are, on the coordinator's
# undistributed tables), then, in a pg_isolation_regress run of their own (output in
# build/citus/dist_isolation/), the main suite's specs listed in CITUS_DIST_ISOLATION on DISTRIBUTED
# tables: each in the form test/citus/dist_spec.sh generates from test/specs/NAME.spec (a fresh
# distributed install per permutation, the spec's own setup, its roles LOGIN, CALL distribute(),
# its sessions and permutations unchanged; the generated specs are kept in
# build/citus/dist_isolation/specs/).  An expected file in test/citus/expected/ is used instead of
# expected/NAME.out.  TEST... runs only those (names without .sql or .spec).  Then it stops the
# nodes whatever happened and checks their logs: a server process that died (signal, PANIC) or a
# core file left in a data directory fails the run ("test node_logs").
#
# Output: build/citus/ (results/, isolation/results/, regression.diffs, the node logs in logs/,
# core files in cores/).
# The last line printed is "N passed, M failed" (test files and the node_logs check); the exit
# status is non-zero when anything failed.
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$tree"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

installed=0
if [[ ${1:-} == --installed ]]; then
	installed=1
	shift
fi
only=("$@")

dbname=mp_citus
port_base=${MP_CITUS_PORT:-57630}
nodes=(coordinator worker1 worker2)
declare -A port=([coordinator]=$port_base [worker1]=$((port_base + 1)) [worker2]=$((port_base + 2)))

passed=0
failed=0
base=""      # private directory: the node data directories, the socket, the copy of the inputs
outdir=$tree/build/citus

say() { printf '%s\n' "$*"; }
as_pg() { (cd / && runuser -u postgres -- "$@"); }

stop_nodes() {
	[[ -n $base && -d $base ]] || return 0
	local n
	for n in "${nodes[@]}"; do
		[[ -f $base/$n/postmaster.pid ]] || continue
		as_pg "$bindir/pg_ctl" -D "$base/$n" stop -m fast -w -t 60 >/dev/null 2>&1 ||
			as_pg "$bindir/pg_ctl" -D "$base/$n" stop -m immediate -w >/dev/null 2>&1 || true
	done
}

cleanup() {
	stop_nodes
	if [[ -n $base && -d $base ]]; then rm -rf -- "$base"; fi
}

finish() {
	say "$passed passed, $failed failed"
	((failed == 0))
	exit
}

on_signal() {
	trap - INT TERM HUP
	say "citus suite: interrupted, stopping the nodes"
	cleanup
	failed=$((failed + 1))
	finish
}

abort() {
	say "citus suite: $*" >&2
	collect || true
	cleanup
	failed=$((failed + 1))
	finish
}

((EUID == 0)) || { say "citus suite: run as root (it starts the nodes as postgres)" >&2; say "0 passed, 1 failed"; exit 1; }
if ((!installed)); then
	bash "$tree/test/deps.sh" || { say "citus suite: installing the Debian packages failed" >&2; say "0 passed, 1 failed"; exit 1; }
fi
command -v pg_config >/dev/null || { say "citus suite: no pg_config (is postgresql-server-dev-15 installed?)" >&2; say "0 passed, 1 failed"; exit 1; }
bindir=$(pg_config --bindir)
pkglibdir=$(pg_config --pkglibdir)
sharedir=$(pg_config --sharedir)

if [[ ! -f $pkglibdir/citus.so || ! -f $sharedir/extension/citus.control ]]; then
	say "citus suite: skipped, Citus is not installed (no $pkglibdir/citus.so or $sharedir/extension/citus.control)"
	exit 0
fi

trap cleanup EXIT
trap on_signal INT TERM HUP

if ((!installed)); then
	say "== build and install"
	make -C "$tree" --no-print-directory -j"$(nproc)" CI="${CI:-}" >/dev/null || abort "make failed"
	make -C "$tree" --no-print-directory CI="${CI:-}" install >/dev/null || abort "make install failed"
	# test-only C modules (test/modules/*), as test/run-tests.sh installs them
	for m in "$tree"/test/modules/*/; do
		make -C "$m" --no-print-directory CI="${CI:-}" >/dev/null || abort "make $m failed"
		make -C "$m" --no-print-directory install >/dev/null || abort "make install $m failed"
	done
fi

own=$(make -C "$tree" --no-print-directory -s print-CITUS_REGRESS)
shared=$(make -C "$tree" --no-print-directory -s print-CITUS_SHARED)
rules=$(make -C "$tree" --no-print-directory -s print-CITUS_RULES)
ownspecs=$(make -C "$tree" --no-print-directory -s print-CITUS_SPECS)
specs=$(make -C "$tree" --no-print-directory -s print-CITUS_ISOLATION)
distspecs=$(make -C "$tree" --no-print-directory -s print-CITUS_DIST_ISOLATION)
tests=()
ruletests=()
isotests=()
disttests=()
for t in $own $shared; do
	if ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $t "* ]]; then tests+=("$t"); fi
done
for t in $rules; do
	if ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $t "* ]]; then ruletests+=("$t"); fi
done
for t in $ownspecs $specs; do
	if ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $t "* ]]; then isotests+=("$t"); fi
done
for t in $distspecs; do
	if ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $t "* ]]; then disttests+=("$t"); fi
done
((${#tests[@]} + ${#ruletests[@]} + ${#isotests[@]} + ${#disttests[@]} > 0)) ||
	abort "no test to run (asked for: ${only[*]:-all})"

# The ports must be free: something listening on one would take our coordinator's place.
for n in "${nodes[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/${port[$n]}") 2>/dev/null; then
		abort "port ${port[$n]} on 127.0.0.1 is in use (set MP_CITUS_PORT to the first of three free ports)"
	fi
done

# --- the private directory: the inputs (postgres may not read the tree), the socket, the nodes
base=$(mktemp -d /tmp/multipartner-citus.XXXXXX)
chmod 0700 "$base"
sock=$base/sock
work=$base/work
mkdir -p "$sock" "$work/in/sql" "$work/in/expected" "$work/results" "$work/iso/specs" \
	"$work/iso/expected" "$work/iso_out" "$work/rules/sql" "$work/rules/expected" "$work/rules_out" \
	"$work/dist/specs" "$work/dist/expected" "$work/dist_out"
cp -r "$tree/test" "$work/test"
cp -r "$tree/expected" "$work/expected"
for t in $own; do
	ln -s "$work/test/citus/sql/$t.sql" "$work/in/sql/$t.sql"
done
for t in $shared; do
	ln -s "$work/test/sql/$t.sql" "$work/in/sql/$t.sql"
	[[ -f $work/expected/$t.out ]] && ln -s "$work/expected/$t.out" "$work/in/expected/$t.out"
done
for t in $rules; do
	ln -s "$work/test/sql/$t.sql" "$work/rules/sql/$t.sql"
	[[ -f $work/expected/$t.out ]] && ln -s "$work/expected/$t.out" "$work/rules/expected/$t.out"
done
for t in $ownspecs; do
	ln -s "$work/test/citus/specs/$t.spec" "$work/iso/specs/$t.spec"
done
for t in $specs; do
	ln -s "$work/test/specs/$t.spec" "$work/iso/specs/$t.spec"
	[[ -f $work/expected/$t.out ]] && ln -s "$work/expected/$t.out" "$work/iso/expected/$t.out"
done
# the main suite's specs on distributed tables: generated (test/citus/dist_spec.sh says how)
for t in $distspecs; do
	bash "$work/test/citus/dist_spec.sh" "$work/test/specs/$t.spec" >"$work/dist/specs/$t.spec" ||
		abort "generating the Citus form of test/specs/$t.spec failed"
	[[ -f $work/expected/$t.out ]] && ln -s "$work/expected/$t.out" "$work/dist/expected/$t.out"
done
# the suite's own expected files (and those that replace the main suite's on Citus); NAME_N.out
# alternatives too
for f in "$work"/test/citus/expected/*.out; do
	[[ -e $f ]] || continue
	ln -sfn "$f" "$work/in/expected/${f##*/}"
	ln -sfn "$f" "$work/rules/expected/${f##*/}"
	ln -sfn "$f" "$work/iso/expected/${f##*/}"
	ln -sfn "$f" "$work/dist/expected/${f##*/}"
done
chown -R postgres: "$base"

# The nodes start holding no descriptor of ours but stdin/out/err (an inherited one would keep
# the caller's lock, /tmp/multipartner-test.lock, if a node outlived this script).
start_node() {
	local n=$1 data=$base/$1
	as_pg "$bindir/initdb" -D "$data" -U postgres --no-locale -E UTF8 \
		--auth-local=trust --auth-host=trust --no-sync >/dev/null
	cat >"$data/pg_hba.conf" <<-EOF
		# make citus-test: throwaway node, trust on its private socket and on 127.0.0.1 only
		local all all trust
		host  all all 127.0.0.1/32 trust
	EOF
	cat >>"$data/postgresql.conf" <<-EOF

		# make citus-test ($n)
		listen_addresses = '127.0.0.1'
		port = ${port[$n]}
		unix_socket_directories = '$sock'
		unix_socket_permissions = 0700
		# as the deployment (README "Running on Citus"): every session has the hooks that carry the
		# acting partner and commit a partner's customer in two phases from its first statement,
		# and every node counts the refusals it raises (test citus_refusals)
		shared_preload_libraries = 'citus,multipartner'
		citus.enable_unsafe_triggers = on
		# rows and shard copies carry regrole by name, not by OID (README "Running on Citus")
		citus.enable_binary_protocol = off
		# the main suite's files run as they are: no warning that their pg_temp helpers are created
		# on this node only (Citus: "intended to be used before vanilla tests")
		citus.enable_unsupported_feature_messages = off
		max_prepared_transactions = 100
		# Citus starts a maintenance daemon per database with Citus: the suite's files leave theirs
		# (mp_dist, mp_dist_acting, ...), and with the default 8 the rule files' mp_rules got none
		# ("could not start maintenance background worker")
		max_worker_processes = 64
		# shard moves by logical replication (citus_move_shard_placement, test citus_move); a
		# move whose apply worker keeps failing errors out after 20 s, not two hours
		wal_level = logical
		citus.logical_replication_timeout = '20s'
		fsync = off
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			if ((fd > 2)); then eval "exec $fd>&-"; fi
		done
		# -c: core files allowed (ulimit -c unlimited for the postmaster and its children)
		as_pg "$bindir/pg_ctl" -D "$data" -l "$base/$n.log" -c -w -t 60 start >/dev/null
	)
}

psql_node() {
	local n=$1
	shift
	as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "${port[$n]}" "$@"
}

# Copy what the run left into build/citus (owned by root): results, diffs, node logs, core files.
collect() {
	[[ -n $base && -d $base ]] || return 0
	rm -rf -- "$outdir"
	mkdir -p "$outdir/logs"
	[[ -d $work/results ]] && cp -r "$work/results" "$outdir/" 2>/dev/null || true
	[[ -f $work/regression.diffs ]] && cp "$work/regression.diffs" "$outdir/" || true
	[[ -f $work/regression.out ]] && cp "$work/regression.out" "$outdir/" || true
	if [[ -d $work/rules_out/results ]]; then
		mkdir -p "$outdir/rules"
		cp -r "$work/rules_out/results" "$outdir/rules/" 2>/dev/null || true
		if [[ -s $work/rules_out/regression.diffs ]]; then
			cp "$work/rules_out/regression.diffs" "$outdir/rules/"
			cat "$work/rules_out/regression.diffs" >>"$outdir/regression.diffs"
		fi
	fi
	if [[ -d $work/iso_out/results ]]; then
		mkdir -p "$outdir/isolation"
		cp -r "$work/iso_out/results" "$outdir/isolation/" 2>/dev/null || true
		if [[ -s $work/iso_out/regression.diffs ]]; then
			cp "$work/iso_out/regression.diffs" "$outdir/isolation/"
			cat "$work/iso_out/regression.diffs" >>"$outdir/regression.diffs"
		fi
	fi
	if [[ -d $work/dist/specs ]] && compgen -G "$work/dist/specs/*.spec" >/dev/null; then
		mkdir -p "$outdir/dist_isolation"
		cp -r "$work/dist/specs" "$outdir/dist_isolation/"
		[[ -d $work/dist_out/results ]] && cp -r "$work/dist_out/results" "$outdir/dist_isolation/" 2>/dev/null || true
		if [[ -s $work/dist_out/regression.diffs ]]; then
			cp "$work/dist_out/regression.diffs" "$outdir/dist_isolation/"
			cat "$work/dist_out/regression.diffs" >>"$outdir/regression.diffs"
		fi
	fi
	local n c
	for n in "${nodes[@]}"; do
		[[ -f $base/$n.log ]] && cp "$base/$n.log" "$outdir/logs/" || true
		[[ -d $base/$n/log ]] && cp -r "$base/$n/log" "$outdir/logs/$n" || true
		for c in "$base/$n"/core*; do
			[[ -f $c ]] || continue
			mkdir -p "$outdir/cores/$n"
			cp "$c" "$outdir/cores/$n/"
		done
	done
}

say "== Citus $(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$sharedir/extension/citus.control"): nodes on 127.0.0.1:${port[coordinator]}-${port[worker2]} ($base)"
for n in "${nodes[@]}"; do
	start_node "$n" || abort "starting the $n failed (log: $base/$n.log)"
done
for n in "${nodes[@]}"; do
	psql_node "$n" -d postgres -c "CREATE DATABASE $dbname" >/dev/null ||
		abort "CREATE DATABASE on the $n failed"
	psql_node "$n" -d "$dbname" -c "SET client_min_messages = warning; CREATE EXTENSION citus" >/dev/null ||
		abort "CREATE EXTENSION citus on the $n failed"
done
psql_node coordinator -d "$dbname" >/dev/null <<-EOF || abort "registering the nodes failed"
	SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]});
	SELECT citus_add_node('127.0.0.1', ${port[worker1]});
	SELECT citus_add_node('127.0.0.1', ${port[worker2]});
EOF
psql_node coordinator -d "$dbname" -c "SET client_min_messages = warning; CREATE EXTENSION multipartner" >/dev/null ||
	abort "CREATE EXTENSION multipartner on the coordinator failed"

# run_pg_regress NAME PROGRAM INPUTDIR OUTPUTDIR TEST...: one pg_regress run against the
# coordinator, its result lines counted as test/run-tests.sh counts them; MP_CITUS_RULES is passed
# to psql as the caller sets it (the Citus mode of test/setup.psql)
run_pg_regress() {
	local name=$1 prog=$2 indir=$3 outdir=$4 rc ok bad
	shift 4
	say "== $name against the coordinator: $*"
	set +e
	(cd "$work" && runuser -u postgres -- env PGOPTIONS="${PGOPTIONS:-}" ${MP_CITUS_RULES:+MP_CITUS_RULES=$MP_CITUS_RULES} \
		"$pkglibdir/pgxs/src/test/$prog" --use-existing --dbname="$dbname" \
		--host="$sock" --port="${port[coordinator]}" --inputdir="$indir" --outputdir="$outdir" \
		--bindir="$bindir" "$@") 2>&1 | tee "$base/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	ok=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +ok( |$)' "$base/$name.log" || true)
	bad=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)' "$base/$name.log" || true)
	if ((rc != 0 && bad == 0)); then
		say "citus suite: $name did not run to the end (exit $rc)"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}
if ((${#tests[@]} > 0)); then
	run_pg_regress pg_regress regress/pg_regress "$work/in" "$work" "${tests[@]}"
fi
if ((${#ruletests[@]} > 0)); then
	# the main suite's rule files on distributed tables: each makes a database of its own on every
	# node, commits its fixtures, distributes them and drops it all at its end (test/citus/rules/)
	MP_CITUS_RULES=1 run_pg_regress pg_regress_rules regress/pg_regress "$work/rules" "$work/rules_out" \
		"${ruletests[@]}"
fi
if ((${#isotests[@]} + ${#disttests[@]} > 0)); then
	# isolationtester asks pg_isolation_test_session_is_blocked() whether a step waits, which sees
	# the coordinator's locks only: a step whose shard waits on a worker (a row lock of another
	# session's distributed transaction) would never be seen waiting, and the run would hang. Citus's
	# own isolation suite swaps in citus_isolation_test_session_is_blocked(), which asks the nodes'
	# wait graph too (the coordinator's own answer first, so nothing changes for a spec on
	# undistributed tables); done once, before isolationtester prepares its query.
	psql_node coordinator -d "$dbname" -c "SELECT citus_internal.replace_isolation_tester_func()" >/dev/null ||
		abort "replacing the isolation tester's wait check failed"
fi
if ((${#isotests[@]} > 0)); then
	run_pg_regress pg_isolation_regress isolation/pg_isolation_regress "$work/iso" "$work/iso_out" \
		"${isotests[@]}"
fi
if ((${#disttests[@]} > 0)); then
	# the main suite's specs on distributed tables (generated above; each reinstalls and
	# distributes multipartner in mp_citus per permutation, and leaves it undistributed)
	run_pg_regress pg_isolation_regress_dist isolation/pg_isolation_regress "$work/dist" "$work/dist_out" \
		"${disttests[@]}"
fi

stop_nodes
collect

# A node whose server process died (a signal, an abort, a PANIC), or a core file, fails the run.
crashes=$(grep -HE 'terminated by signal|was terminated by exception|PANIC:' "$outdir"/logs/*.log 2>/dev/null || true)
if [[ -n $crashes || -d $outdir/cores ]]; then
	printf 'test %-28s ... FAILED\n' node_logs
	[[ -n $crashes ]] && say "$crashes"
	[[ -d $outdir/cores ]] && say "core files: $(find "$outdir/cores" -type f | tr '\n' ' ')"
	failed=$((failed + 1))
else
	printf 'test %-28s ... ok\n' node_logs
	passed=$((passed + 1))
fi

say "citus suite output: $outdir"
if [[ -s $outdir/regression.diffs ]]; then
	say "differences: $outdir/regression.diffs (first 80 lines below)"
	head -n 80 "$outdir/regression.diffs"
fi
cleanup
trap - EXIT INT TERM HUP
finish
