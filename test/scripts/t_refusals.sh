#!/usr/bin/env bash
# t_refusals: the shared counters of multipartner.refusals on a cluster with
# multipartner in shared_preload_libraries.  The test itself is
# t/020_refusals.pl, on PostgreSQL's own TAP framework
# (PostgreSQL::Test::Cluster, from postgresql-server-dev-15); this script runs
# it with prove as the postgres OS user, in the environment PGXS's
# prove_installcheck gives (PG_REGRESS, the server's bindir first on PATH,
# TESTDIR for tmp_check/), until the TAP runner (TAP_TESTS) runs t/*.pl.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

tree=$(cd "$here/../.." && pwd)
pgxs=$(cd "$(dirname "$(pg_config --pgxs)")/../.." && pwd)   # .../lib/pgxs
# what the test reads, where postgres can read it
mkdir -p "$T_DIR/t" "$T_DIR/test/scripts"
cp "$tree/t/020_refusals.pl" "$T_DIR/t/"
cp "$here/scenario.sql" "$T_DIR/test/scripts/"
chown -R postgres: "$T_DIR"

(cd "$T_DIR" && runuser -u postgres -- env \
	PATH="$T_BIN:$PATH" \
	PERL5LIB="$pgxs/src/test/perl" \
	PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
	TESTDIR="$T_DIR" \
	prove -v t/020_refusals.pl) || fail "t/020_refusals.pl (its log: $T_DIR/tmp_check/log)"
ok "t/020_refusals.pl"
