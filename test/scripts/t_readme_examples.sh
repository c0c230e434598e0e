#!/usr/bin/env bash
# t_readme_examples: every example in README.md runs as written from a fresh `make demo`.
#
# Starts a cluster of its own (socket in its work dir, port 5441, no TCP), makes it what
# test/demo/demo.sh makes (database "demo", test/demo/demo.sql run in it by psql as the superuser),
# then runs README.md's ```sql examples in order in one psql session connected to "demo", as a
# reader pasting them into the psql line `make demo` prints, and compares each with the ```text
# block README shows after it (test/scripts/readme_examples.pl says how examples are marked).
# Fails when an example raises an error README does not show, or prints anything else than shown.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)
T_PORT=${README_TEST_PORT:-5441}
readme=$tree/README.md
demo_sql=$tree/test/demo/demo.sql
[[ -f $readme ]] || fail "README.md is at $readme"

perl "$here/readme_examples.pl" extract "$readme" >"$T_DIR/examples.sql" ||
	fail "README.md's examples are marked as readme_examples.pl expects"
ok "README.md's examples extracted ($T_DIR/examples.sql)"

cluster_start
# what demo.sh does once its cluster is up
t_psql -d postgres -c "CREATE DATABASE demo"
as_pg "$T_BIN/psql" -v ON_ERROR_STOP=1 -X -h "$T_DIR" -p "$T_PORT" -d demo -f - \
	<"$demo_sql" >"$T_DIR/demo.out" 2>&1 || {
	cat "$T_DIR/demo.out"
	fail "test/demo/demo.sql runs"
}
ok "the demo scenario ran (output in $T_DIR/demo.out)"

# One session, errors do not stop it (README shows the refusals). Line-buffered stdout, so that
# results and the errors psql writes to stderr reach the file in the order they were printed.
as_pg stdbuf -oL "$T_BIN/psql" -X -h "$T_DIR" -p "$T_PORT" -d demo -f - \
	<"$T_DIR/examples.sql" >"$T_DIR/examples.out" 2>&1 || true
perl "$here/readme_examples.pl" compare "$readme" "$T_DIR/examples.out" "$demo_sql" ||
	fail "every README.md example runs as shown (psql's output: $T_DIR/examples.out)"
ok "every README.md example runs as shown"
