#!/usr/bin/env bash
# test/random.sh [SEED [OPS]]: the randomized driver test/sql/random_ops.sql with another seed
# and/or more operations than make test uses (0.42 and 3000), on a throwaway cluster of its own.
#
#   bash test/random.sh                 # a random seed, 20000 operations
#   bash test/random.sh 0.7 100000      # seed 0.7 (-1 .. 1), 100000 operations
#
# Run as root from anywhere (like make test: it installs the extension first and runs the
# cluster as the postgres OS user; Debian's postgresql-15-pgtap must be installed, make test
# installs it). Prints the TAP stream (with the seed, to replay a failure) and exits non-zero
# when an assertion other than a known TODO failed. Without this script, any database where a
# superuser may create the extensions pgtap and multipartner will do, from the top of the tree:
#   psql -X -v seed=0.7 -v ops=100000 -f test/sql/random_ops.sql
# The run is one transaction, so its cost grows faster than the number of operations
# (about 40 s for 30000 on a 2-core machine).
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
seed=${1:-$(awk 'BEGIN { srand(); printf "%.6f", 2 * rand() - 1 }')}
ops=${2:-20000}
[[ $seed =~ ^-?[01](\.[0-9]+)?$|^-?\.[0-9]+$ ]] || { echo "random.sh: SEED must be a number from -1 to 1" >&2; exit 2; }
[[ $ops =~ ^[0-9]+$ ]] || { echo "random.sh: OPS must be a whole number" >&2; exit 2; }
((EUID == 0)) || { echo "random.sh: run as root" >&2; exit 2; }

make -C "$tree" --no-print-directory -s install >/dev/null

dir=$(mktemp -d /tmp/multipartner-random.XXXXXX)
# shellcheck source=scripts/lib.sh
source "$tree/test/scripts/lib.sh" "$dir"
T_PORT=5447
cluster_start
t_psql -d postgres -c "CREATE DATABASE random_ops"

out=$dir/random_ops.out
echo "random_ops: seed $seed, $ops operations (cluster in $dir)"
set +e
(cd "$tree" && runuser -u postgres -- "$T_BIN/psql" -X -h "$dir" -p "$T_PORT" -d random_ops \
	-v seed="$seed" -v ops="$ops" -f test/sql/random_ops.sql) 2>&1 | tee "$out"
set -e
cluster_stop
if grep -q '^not ok' <(grep -v '# TODO' "$out") || grep -q '^# Looks like' "$out" ||
	! grep -q '^1\.\.' "$out" || grep -q 'ERROR' "$out"; then
	echo "random.sh: FAILED (seed $seed, $ops operations); output kept in $out"
	exit 1
fi
rm -rf -- "$dir"
echo "random.sh: ok (seed $seed, $ops operations)"
