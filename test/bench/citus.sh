# test/bench/citus.sh: the citus layer of make bench (sourced by test/bench/run.sh, which gives
# say, step, die, record, as_pg, $pgroot, $bindir, $work, $res, ROUNDS, DURATION, CLIENTS).
#
# Speed on Citus (SPEC §11, issue 15): single-customer sale and update throughput of a distributed
# install against a single node in the same run, and the router check.  Skipped, with a record
# saying so, where Citus is not installed (the project never builds it).
#
# Three nodes of its own from the benchmark's private server copy ($pgroot: this build's
# multipartner.so, the installed citus.so), on 127.0.0.1 ports CITUS_BENCH_PORT (57700) and the
# next two, trust authentication for the run, the settings of README "Running on Citus".  On the
# coordinator two databases get the same data (test/bench/citus_data.sql: CITUS_CUSTOMERS
# customers of one partner with an active relationship, a subscription each, the LOGIN role
# bench_citus_sales a sales agent of that partner): `single`, without Citus (a single-node
# install), and `dist`, where CALL multipartner.distribute() distributes it (coordinator and two
# workers).  pgbench runs test/bench/citus_{insert,update}.pgbench as bench_citus_sales against
# each, interleaved, ROUNDS rounds of DURATION seconds, -c CLIENTS, the first round discarded.  On
# `dist` every session runs with citus.multi_task_query_log_level = error: a statement that is not
# a router query (one task) fails its transaction, and pgbench with it, so a finished run is the
# router check; the two statements' EXPLAINs (Task Count) are recorded too.

citus_bench() {
	local cport=${CITUS_BENCH_PORT:-57700} ncust=${CITUS_CUSTOMERS:-2000}
	local cbase=$work/citus csock n p r w db out tps
	local -a names=(coordinator worker1 worker2) ports=("$cport" $((cport + 1)) $((cport + 2)))
	if [[ ! -f $pgroot$libdir/citus.so || ! -f $sharedir/extension/citus.control ]]; then
		say "citus: skipped, Citus is not installed"
		record citus skipped none 0 1 flag
		return 0
	fi
	for p in "${ports[@]}"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			die "citus: port $p on 127.0.0.1 is in use (set CITUS_BENCH_PORT to the first of three free ports)"
		fi
	done
	step "citus: three nodes on 127.0.0.1:${ports[0]}-${ports[2]}, $ncust customers, databases single and dist"
	mkdir -p "$cbase"
	csock=$cbase/sock
	mkdir -p "$csock"
	chown -R postgres: "$cbase"
	chmod 0700 "$cbase" "$csock"
	citus_psql() { # port db args...: psql as postgres on node port, database db
		local port=$1 db=$2
		shift 2
		as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$csock" -p "$port" -d "$db" "$@"
	}
	citus_stop() {
		local i
		for i in 0 1 2; do
			[[ -f $cbase/${names[$i]}/postmaster.pid ]] &&
				as_pg "$bindir/pg_ctl" -D "$cbase/${names[$i]}" stop -m fast -w >/dev/null 2>&1 || true
		done
	}
	trap 'citus_stop; cleanup' EXIT
	for i in 0 1 2; do
		n=${names[$i]}
		as_pg "$bindir/initdb" -D "$cbase/$n" -U postgres --no-locale -E UTF8 \
			--auth-local=trust --auth-host=trust --no-sync >/dev/null
		printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$cbase/$n/pg_hba.conf"
		cat >>"$cbase/$n/postgresql.conf" <<-EOF
			# make bench, citus layer ($n)
			listen_addresses = '127.0.0.1'
			port = ${ports[$i]}
			unix_socket_directories = '$csock'
			shared_preload_libraries = 'citus'
			citus.enable_unsafe_triggers = on
			citus.enable_binary_protocol = off
			max_prepared_transactions = 100
			max_connections = 200
			shared_buffers = 256MB
			fsync = off
			synchronous_commit = off
		EOF
		chown postgres: "$cbase/$n/pg_hba.conf"
		(
			for fd in /proc/$BASHPID/fd/*; do
				fd=${fd##*/}
				if ((fd > 2)); then eval "exec $fd>&-"; fi
			done
			as_pg "$bindir/pg_ctl" -D "$cbase/$n" -p "$pgroot$bindir/postgres" -l "$cbase/$n.log" -w start >/dev/null
		) || die "citus: starting the $n failed (log: $cbase/$n.log)"
		citus_psql "${ports[$i]}" postgres -c "CREATE DATABASE dist"
		citus_psql "${ports[$i]}" dist -c "SET client_min_messages = warning" -c "CREATE EXTENSION citus"
	done
	citus_psql "${ports[0]}" dist -c "SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]})" \
		-c "SELECT citus_add_node('127.0.0.1', ${ports[1]})" -c "SELECT citus_add_node('127.0.0.1', ${ports[2]})" >/dev/null
	citus_psql "${ports[0]}" postgres -c "CREATE DATABASE single"
	# dist first: the role created there reaches the workers
	for db in dist single; do
		citus_psql "${ports[0]}" "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION multipartner"
		citus_psql "${ports[0]}" "$db" -v ncust="$ncust" -f - <"$tree/test/bench/citus_data.sql" >/dev/null ||
			die "citus: loading $db failed"
	done
	citus_psql "${ports[0]}" dist -c "SET client_min_messages = warning" -c "CALL multipartner.distribute()" ||
		die "citus: distribute() failed"
	citus_psql "${ports[0]}" dist -c "ALTER ROLE bench_citus_sales IN DATABASE dist SET citus.multi_task_query_log_level = 'error'"
	# the router check of the two statements, as EXPLAIN says it
	for w in insert update; do
		r=$(citus_psql "${ports[0]}" dist -At -c "SET ROLE bench_citus_sales" \
			-f "$tree/test/bench/citus_explain_$w.sql" | sed -n 's/^ *Task Count: \([0-9]*\)$/\1/p' | head -n1)
		[[ -n $r ]] || die "citus: no Task Count in the EXPLAIN of $w"
		record citus "$w" explain 0 "$r" tasks
		say "$(stamp)citus: EXPLAIN $w: Task Count $r"
	done
	# dist_tz: dist again, the client with a time zone of its own (PGTZ, as a driver sends one):
	# the extension carries it to the workers in the DO block that carries the acting partner
	# (README "The session's time zone on Citus"); what that costs
	for ((r = 1; r <= ROUNDS; r++)); do
		for w in insert update; do
			for v in single dist dist_tz; do
				db=${v%_tz}
				tz=()
				[[ $v == dist_tz ]] && tz=(PGTZ=Europe/Rome)
				out=$res/citus-$w-$v-r$r.txt
				cp "$tree/test/bench/citus_$w.pgbench" "$work/citus_$w.pgbench"
				chown postgres: "$work/citus_$w.pgbench"
				if ! as_pg env "${tz[@]}" "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" \
					--random-seed=1 -h 127.0.0.1 -p "${ports[0]}" -U bench_citus_sales \
					-D ncust="$ncust" -f "$work/citus_$w.pgbench" "$db" >"$out" 2>&1; then
					tail -n 5 "$out" >&2
					die "citus: pgbench $w as $v failed (round $r): see $out"
				fi
				tps=$(sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' "$out")
				[[ -n $tps ]] || die "citus: no tps in $out"
				record citus "$w" "$v" "$r" "$tps" tps
				say "$(stamp)citus round $r $w $v: $tps tps"
			done
		done
	done
	# what the runs left: every sale audited once, on the node of its customer
	r=$(citus_psql "${ports[0]}" dist -At -c "SELECT (SELECT count(*) FROM multipartner.subscription) - (SELECT count(*) FROM multipartner.audit_log WHERE table_name = 'subscription' AND operation = 'INSERT')")
	record citus audit_gap dist 0 "$r" rows
	citus_stop
	trap cleanup EXIT
}
citus_bench
