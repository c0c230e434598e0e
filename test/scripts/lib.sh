# test/scripts/lib.sh: helpers for the script tests (test/scripts/t_*.sh) and test/random.sh.
#
# A script test runs as root (like make test), gets its own directory as $1, prints what it
# checks and exits non-zero on the first failed check (ok, fail, expect_eq).  The tests that need
# a cluster are TAP tests, t/*.pl (PostgreSQL::Test::Cluster); the cluster helpers here
# (cluster_start, cluster_stop, t_psql: a throwaway cluster in $1 as the postgres OS user, Unix
# socket in that directory, no TCP port, stopped on exit whatever happens) are test/random.sh's.
set -euo pipefail

T_DIR=${1:?usage: $0 WORKDIR}
T_BIN=$(pg_config --bindir)
T_PORT=5440
mkdir -p "$T_DIR"
chown postgres: "$T_DIR"
chmod 0700 "$T_DIR"

as_pg() { (cd / && runuser -u postgres -- "$@"); }

# psql as postgres (or as -U role) on the test cluster; SQL from args or stdin
t_psql() { as_pg "$T_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$T_DIR" -p "$T_PORT" "$@"; }

cluster_start() {
	if [[ ! -d $T_DIR/data ]]; then
		as_pg "$T_BIN/initdb" -D "$T_DIR/data" --no-locale -E UTF8 -A trust >"$T_DIR/initdb.log"
	fi
	as_pg "$T_BIN/pg_ctl" -D "$T_DIR/data" -l "$T_DIR/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$T_DIR' -p $T_PORT $*" start >/dev/null
}

cluster_stop() {
	local mode=${1:-fast}
	if [[ -f $T_DIR/data/postmaster.pid ]]; then
		as_pg "$T_BIN/pg_ctl" -D "$T_DIR/data" -m "$mode" -w stop >/dev/null 2>&1 || true
	fi
}
trap 'cluster_stop immediate' EXIT

ok() { printf 'ok - %s\n' "$*"; }
fail() {
	printf 'FAILED - %s\n' "$*"
	exit 1
}
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [[ $2 == "$3" ]]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
