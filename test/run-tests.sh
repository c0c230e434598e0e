#!/usr/bin/env bash
# make test: install missing packages, build and install the extension as root, then run, as the
# postgres OS user, every pg_regress test (test/sql/*.sql, pgTAP included) and every isolation spec
# (test/specs/*.spec), each suite on its own throwaway cluster (pg_regress --temp-instance: initdb plus
# a postmaster on a Unix socket in a private temp dir, no TCP port, stopped at the end), then every
# TAP test t/*.pl (PostgreSQL::Test::Cluster, clusters of its own on Unix sockets) and, as root, every
# script test test/scripts/t_*.sh (no cluster), and last the Citus suite (test/citus/run.sh, on
# nodes of its own; skipped in one line where Citus is not installed).
# The lists of tests live in the Makefile only. The last line printed is "N passed, M failed"
# (test files: regress files + isolation specs + TAP files + script tests + the Citus suite's). Exit status is non-zero
# when anything failed.
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$tree"

# Do not let an outer "make test FOO=..." leak into the makes below; CI stays in the environment.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

passed=0
failed=0
out=""       # output directory of this run (owned by postgres)
tmpwork=""   # copy of test/ + expected/ when postgres cannot read the tree

say() { printf '%s\n' "$*"; }

# Stop any temp-instance postmaster of this run that is still up (pg_regress killed, Ctrl-C ...).
stop_leftovers() {
	[[ -n $out && -d $out ]] || return 0
	local d
	for d in "$out"/tmp_check*/data "$out"/tap/*/tmp_check/t_*_data/pgdata; do
		[[ -f $d/postmaster.pid ]] || continue
		(cd / && runuser -u postgres -- "$bindir/pg_ctl" -D "$d" stop -m immediate -w >/dev/null 2>&1) || true
	done
}

cleanup() {
	stop_leftovers
	if [[ -n $tmpwork ]]; then rm -rf -- "$tmpwork"; fi
}

on_signal() {
	trap - INT TERM HUP
	say "run-tests.sh: interrupted, stopping test clusters"
	cleanup
	say "$passed passed, $((failed + 1)) failed"
	exit 130
}
trap cleanup EXIT
trap on_signal INT TERM HUP

# A step before any suite could run failed: say so, and close with the summary line.
abort() {
	say "run-tests.sh: $*" >&2
	cleanup
	say "0 passed, 1 failed"
	exit 1
}

if ((EUID != 0)); then
	abort "run as root (it installs packages and the extension, then runs the tests as postgres)"
fi

bash "$tree/test/deps.sh" || abort "installing the Debian packages failed"
id postgres >/dev/null 2>&1 || abort "no postgres OS user (is postgresql-15 installed?)"
bindir=$(pg_config --bindir)

rm -f -- "$tree/regression.diffs"

say "== build (CI=${CI:-})"
make -C "$tree" --no-print-directory -j"$(nproc)" CI="${CI:-}" || abort "make failed"
make -C "$tree" --no-print-directory CI="${CI:-}" install >/dev/null || abort "make install failed"
# test-only C modules (test/modules/*), installed next to the extension for the suites that load them
for m in "$tree"/test/modules/*/; do
	make -C "$m" --no-print-directory CI="${CI:-}" >/dev/null || abort "make $m failed"
	make -C "$m" --no-print-directory install >/dev/null || abort "make install $m failed"
done

regress=$(make -C "$tree" --no-print-directory -s print-REGRESS)
isolation=$(make -C "$tree" --no-print-directory -s print-ISOLATION)
scripts=$(make -C "$tree" --no-print-directory -s print-SCRIPT_TESTS)
taps=$(make -C "$tree" --no-print-directory -s print-TAP_LIST)
[[ -n $regress || -n $isolation ]] || abort "no tests found (test/sql/*.sql, test/specs/*.spec)"

# Where postgres runs the suites: build/test in the tree if postgres can read test/ and expected/,
# otherwise a private copy (the tree itself is never chowned).
inputs=("$tree/Makefile" "$tree"/*.control "$tree/test" "$tree/README.md")
[[ -d $tree/expected ]] && inputs+=("$tree/expected")
[[ -d $tree/t ]] && inputs+=("$tree/t")
if (cd / && runuser -u postgres -- test -r "$tree/test/sql" -a -x "$tree/test/sql") 2>/dev/null &&
	[[ -z $(cd / && runuser -u postgres -- find "${inputs[@]}" ! -readable -print -quit 2>&1) ]]; then
	work=$tree
	mkdir -p "$tree/build"
	chmod 0755 "$tree/build"
	out=$tree/build/test
	rm -rf -- "$out"
	mkdir "$out"
else
	tmpwork=$(mktemp -d /tmp/multipartner-test.XXXXXX)
	say "postgres cannot read $tree: running the tests from a copy in $tmpwork"
	cp -a "${inputs[@]}" "$tmpwork/"
	work=$tmpwork
	out=$tmpwork/build/test
	mkdir -p "$out"
fi
chmod 0755 "$out"
chown -R postgres: "$out"
[[ $work == "$tree" ]] || chown -R postgres: "$work"

# run_suite NAME MAKE-TARGET TEMP-INSTANCE-DIR: run one suite as postgres, tee its log, count its
# per-test result lines ("test foo ... ok 12 ms", "test foo ... FAILED 12 ms",
# "test foo ... failed (ignored)"; "     foo ... ok" inside a parallel group).
run_suite() {
	local name=$1 target=$2 inst=$3 pgoptions=${4:-} rc ok bad
	local dir=$out/$name log=$out/$name.log
	say ""
	say "== $name suite${pgoptions:+ (PGOPTIONS=$pgoptions)}"
	set +e
	(cd "$work" && runuser -u postgres -- env PGOPTIONS="$pgoptions" make --no-print-directory "$target" \
		TESTOUT="$dir" EXTRA_REGRESS_OPTS="--temp-instance=$inst") 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	stop_leftovers
	ok=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +ok( |$)' "$log" || true)
	bad=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)' "$log" || true)
	if ((rc != 0 && bad == 0)); then
		say "run-tests.sh: the $name suite did not run to the end (exit $rc): see $log"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [[ -s $dir/regression.diffs ]]; then
		{
			say "### $name suite: $dir/regression.diffs"
			cat "$dir/regression.diffs"
		} >>"$tree/regression.diffs"
	fi
}

# Each suite runs twice: with the direct index probes and audit insert of src/fastpath.c (the
# default), and with multipartner.fast_path = off, the plain SPI path (as on a Citus shard).
if [[ -n $regress ]]; then
	run_suite regress installcheck-regress "$out/tmp_check"
	run_suite regress_spi installcheck-regress "$out/tmp_check_spi" "-c multipartner.fast_path=off"
fi
if [[ -n $isolation ]]; then
	run_suite isolation installcheck-isolation "$out/tmp_check_iso"
	run_suite isolation_spi installcheck-isolation "$out/tmp_check_iso_spi" "-c multipartner.fast_path=off"
fi

# The TAP tests t/*.pl run as postgres, one prove run each ("make installcheck-tap", PGXS's
# prove_installcheck): its clusters and logs under $out/tap/NAME/tmp_check (the logs stay; a
# passing test removes its clusters), the raw TAP stream in $out/tap/NAME/tap (TAP::Harness's
# PERL_TEST_HARNESS_DUMP_TAP) for the assertion count below.  prove's exit status judges the
# file: an assertion not ok, a plan not kept, a TAP stream it cannot parse or a script that died.
if [[ -n $taps ]]; then
	say ""
	say "== TAP suite (t/*.pl)"
	mkdir -p "$out/tap"
	chown postgres: "$out/tap"
	for t in $taps; do
		log=$out/tap/$t.log
		set +e
		(cd "$work" && runuser -u postgres -- env PERL_TEST_HARNESS_DUMP_TAP="$out/tap/$t/tap" \
			make --no-print-directory installcheck-tap TESTOUT="$out/tap/$t" PROVE_TESTS="t/$t.pl" \
			PROVE_FLAGS=--verbose) >"$log" 2>&1
		rc=$?
		set -e
		stop_leftovers
		if ((rc == 0)); then
			printf 'test %-28s ... ok\n' "$t"
			passed=$((passed + 1))
		else
			printf 'test %-28s ... FAILED (see %s and %s)\n' "$t" "$log" "$out/tap/$t/tmp_check/log"
			failed=$((failed + 1))
			{
				say "### TAP test $t: $log"
				cat "$log"
			} >>"$tree/regression.diffs"
		fi
	done
fi

# The script tests run as root (each in a directory of its own under $out/scripts) and print
# "ok - ..." / "FAILED - ..." lines.  They check the tree itself (META.json, sql/, src/ ...), so they
# run from it, not from the copy postgres may need (which holds the test inputs only).
if [[ -n $scripts ]]; then
	say ""
	say "== script suite"
	mkdir -p "$out/scripts"
	for t in $scripts; do
		log=$out/scripts/$t.log
		set +e
		bash "$tree/test/scripts/$t.sh" "$out/scripts/$t" >"$log" 2>&1
		rc=$?
		set -e
		if ((rc == 0)); then
			printf 'test %-28s ... ok\n' "$t"
			passed=$((passed + 1))
		else
			printf 'test %-28s ... FAILED (see %s)\n' "$t" "$log"
			failed=$((failed + 1))
			{
				say "### script test $t: $log"
				cat "$log"
			} >>"$tree/regression.diffs"
		fi
	done
fi

# The Citus suite (make citus-test, test/citus/run.sh) against the Citus installed, on nodes of its
# own; where there is none (CI) it says so in one line and counts nothing.  Its test lines and its
# own "N passed, M failed" are added to ours.
say ""
say "== Citus suite (test/citus)"
set +e
bash "$tree/test/citus/run.sh" --installed 2>&1 | tee "$out/citus.log"
rc=${PIPESTATUS[0]}
set -e
if grep -q '^citus suite: skipped' "$out/citus.log"; then
	:
elif summary=$(tail -n 1 "$out/citus.log") && [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=$((passed + BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[2]))
	if ((rc != 0 && BASH_REMATCH[2] == 0)); then
		say "run-tests.sh: the Citus suite exited $rc: see $out/citus.log"
		failed=$((failed + 1))
	fi
else
	say "run-tests.sh: the Citus suite did not run to the end (exit $rc): see $out/citus.log"
	failed=$((failed + 1))
fi
if ! grep -q '^citus suite: skipped' "$out/citus.log" && [[ -s $tree/build/citus/regression.diffs ]]; then
	{
		say "### Citus suite: $tree/build/citus/regression.diffs"
		cat "$tree/build/citus/regression.diffs"
	} >>"$tree/regression.diffs"
fi

say ""
say "== summary"
if [[ -d $out/regress/results ]]; then
	# counted by a TAP consumer (test/tap_count.pl, TAP::Parser), which also checks every stream's plan
	if ! perl "$tree/test/tap_count.pl" "$out"/regress*/results/*.out; then
		say "test tap_streams                 ... FAILED (a result file is not a valid TAP stream, above)"
		failed=$((failed + 1))
	fi
fi
if [[ -n $taps ]] && compgen -G "$out/tap/*/tap/t/*.pl" >/dev/null; then
	# the assertions of the TAP tests, counted the same way (each file already passed or failed above)
	perl "$tree/test/tap_count.pl" --label="TAP test (t/*.pl) assertions" "$out"/tap/*/tap/t/*.pl || true
fi
if [[ -n $tmpwork ]]; then
	# keep the output in the tree (owned by root) before the private copy is removed
	stop_leftovers
	mkdir -p "$tree/build"
	rm -rf -- "$tree/build/test"
	cp -r --no-preserve=ownership "$out" "$tree/build/test"
	rm -rf -- "$tree/build/test"/tmp_check* "$tree/build/test"/*/expected "$tree/build/test"/tap/*/tmp_check/t_*_data
	out=$tree/build/test
fi
say "test output: $out"
if [[ -s $tree/regression.diffs ]]; then
	say "differences: $tree/regression.diffs (first 80 lines below)"
	head -n 80 "$tree/regression.diffs"
fi
cleanup
trap - EXIT INT TERM HUP
say "$passed passed, $failed failed"
((failed == 0))
