#!/usr/bin/env bash
# make demo / make demo-stop: a private throwaway cluster with the extension and the demo scenario.
#
#   demo.sh start   install missing packages, build and install (as root), stop an earlier demo
#                   cluster, initdb a new one in build/demo/data (as postgres), start it on a Unix
#                   socket only (build/demo/sock, port number 5499 used only as the socket's name,
#                   no TCP), create database "demo", run test/demo/demo.sql in it, leave it running.
#   demo.sh stop    stop the demo cluster (pg_ctl stop -m fast) and remove build/demo.
#
# If postgres cannot traverse the tree (say it is under /root), or the socket path would be too long,
# the cluster lives in a mktemp directory instead and build/demo.path records where.
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$tree"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

port=5499
dbname=demo
scenario=test/demo/demo.sql
pathfile=$tree/build/demo.path

say() { printf '%s\n' "$*"; }
die() {
	say "demo.sh: $*" >&2
	exit 1
}

usage() { die "usage: $0 start|stop"; }

# Where the current (or last) demo cluster lives.
demo_base() {
	if [[ -s $pathfile ]]; then
		cat "$pathfile"
	else
		printf '%s\n' "$tree/build/demo"
	fi
}

# as postgres, from a directory it can enter (the tree may be unreadable to it)
as_pg() { (cd / && runuser -u postgres -- "$@"); }

stop_demo() {
	local base
	base=$(demo_base)
	if [[ -f $base/data/postmaster.pid ]]; then
		say "stopping the demo cluster in $base/data"
		as_pg "$bindir/pg_ctl" -D "$base/data" stop -m fast -w >/dev/null ||
			as_pg "$bindir/pg_ctl" -D "$base/data" stop -m immediate -w >/dev/null || true
	fi
	# only remove what this script creates
	case $base in
	"$tree/build/demo" | /tmp/multipartner-demo.*) rm -rf -- "$base" ;;
	*) say "demo.sh: not removing unexpected demo dir $base (from $pathfile)" >&2 ;;
	esac
	rm -f -- "$pathfile"
	rm -rf -- "$tree/build/demo"
}

((EUID == 0)) || die "run as root (it installs packages and the extension, then runs the cluster as postgres)"
cmd=${1:-}
[[ $cmd == start || $cmd == stop ]] || usage

if [[ $cmd == stop ]]; then
	command -v pg_config >/dev/null || { rm -rf -- "$tree/build/demo" "$pathfile"; exit 0; }
	bindir=$(pg_config --bindir)
	stop_demo
	say "demo cluster removed"
	exit 0
fi

# --- start
bash "$tree/test/deps.sh"
id postgres >/dev/null 2>&1 || die "no postgres OS user (is postgresql-15 installed?)"
bindir=$(pg_config --bindir)
[[ -f $scenario ]] || die "missing $scenario"

say "== build and install"
make -C "$tree" --no-print-directory -j"$(nproc)" CI="${CI:-}" >/dev/null || die "make failed"
make -C "$tree" --no-print-directory CI="${CI:-}" install >/dev/null || die "make install failed"

stop_demo

mkdir -p "$tree/build"
chmod 0755 "$tree/build"
base=$tree/build/demo
# postgres must reach build/demo, and a Unix socket path is limited to 107 bytes
if ! as_pg test -x "$tree/build" 2>/dev/null || ((${#base} + ${#port} + 16 > 100)); then
	base=$(mktemp -d /tmp/multipartner-demo.XXXXXX)
	printf '%s\n' "$base" >"$pathfile"
	say "the demo cluster lives in $base (postgres cannot reach $tree/build, or its path is too long)"
fi
data=$base/data
sock=$base/sock
log=$base/postgres.log
mkdir -p "$base" "$sock"
chmod 0700 "$base" "$sock"
chown postgres: "$base" "$sock"

# From here on, a failure before the scenario runs leaves no cluster behind.
trap 'say "demo.sh: start failed, cleaning up" >&2; tail -n 20 "$log" 2>/dev/null >&2 || true; stop_demo' ERR

say "== initdb $data"
as_pg "$bindir/initdb" -D "$data" -U postgres --no-locale -E UTF8 \
	--auth-local=trust --auth-host=reject --no-sync >/dev/null
cat >>"$data/postgresql.conf" <<EOF

# make demo: private cluster, Unix socket only
listen_addresses = ''
port = $port
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
EOF
# The server outlives this script: start it holding no descriptor of ours but stdin/out/err. An
# inherited one would stay open as long as the cluster runs, and the lock of
# `flock /tmp/multipartner-test.lock make demo` with it, so nobody could take that lock until
# `make demo-stop`.
(
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		if ((fd > 2)); then eval "exec $fd>&-"; fi
	done
	as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w start >/dev/null
)
as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -d postgres \
	-c "CREATE DATABASE $dbname"
trap - ERR

# The scenario runs with the tree (or a copy of test/demo when postgres cannot read it) as cwd.
rundir=$tree
if ! as_pg test -r "$tree/$scenario" 2>/dev/null; then
	rundir=$base/scenario
	mkdir -p "$rundir/test"
	cp -r "$tree/test/demo" "$rundir/test/"
	chown -R postgres: "$rundir"
fi

say "== $scenario"
set +e
(cd "$rundir" && runuser -u postgres -- "$bindir/psql" -v ON_ERROR_STOP=1 -X -h "$sock" -p "$port" -d "$dbname" -f "$scenario")
rc=$?
set -e

say ""
if ((rc != 0)); then
	say "demo.sh: $scenario failed (psql exit $rc); the cluster is left running to look at it"
fi
say "The demo cluster is running (socket $sock, no TCP). Connect with:"
say "  runuser -u postgres -- psql -h $sock -p $port $dbname"
say "README.md's examples run as written there (test/scripts/t_readme_examples.sh runs them)."
say "make demo-stop to end it"
exit "$rc"
