#!/usr/bin/env bash
# t_citus_dist_spec: the generator of the Citus forms of the main suite's specs
# (test/citus/dist_spec.sh, README "The isolation specs on distributed tables") works without
# Citus: every main-suite spec generates; isolationtester parses each form of the Makefile's
# CITUS_DIST_ISOLATION (it parses before it connects); a form holds the prelude, the spec's
# setup without its reinstall lines, its roles LOGIN, distribute() and the spec from its first
# session on, verbatim; a spec not of the form it knows is refused.  No cluster.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)
gen=$tree/test/citus/dist_spec.sh
tester=$(pg_config --pkglibdir)/pgxs/src/test/isolation/isolationtester

for f in "$tree"/test/specs/*.spec; do
	n=$(basename "$f" .spec)
	bash "$gen" "$f" >"$T_DIR/$n.spec" 2>"$T_DIR/$n.err" || fail "dist_spec.sh refused $n: $(cat "$T_DIR/$n.err")"
done
ok "every test/specs/*.spec generates"

list=$(make -C "$tree" --no-print-directory -s print-CITUS_DIST_ISOLATION)
[[ -n $list ]] || fail "CITUS_DIST_ISOLATION is empty"
for n in $list; do
	[[ -f $tree/test/specs/$n.spec ]] || fail "CITUS_DIST_ISOLATION names $n, which is not in test/specs/"
	out=$("$tester" "host=$T_DIR/none port=1" <"$T_DIR/$n.spec" 2>&1 || true)
	[[ $out == "Parsed test spec with "* ]] || fail "isolationtester does not parse the Citus form of $n: $out"
	g=$T_DIR/$n.spec
	grep -q 'CALL pg_temp.mp_reinstall();' "$g" || fail "$n: no reinstall"
	grep -qx 'setup		{ CALL multipartner.distribute(); }' "$g" || fail "$n: no distribute()"
	# the spec's setup block in its form: after the prelude, up to its "}"
	awk '/^# test\/specs\/.*: its setup/ {p = 1} p && /^}/ {exit} p' "$g" >"$T_DIR/$n.setup"
	[[ -s $T_DIR/$n.setup ]] || fail "$n: no setup block of the spec in its form"
	if grep -E -q '^[[:space:]]*((DROP|CREATE) EXTENSION|SET multipartner.allow_drop_with_data)' "$T_DIR/$n.setup"; then
		fail "$n: its reinstall lines are still in its setup"
	fi
	for r in $(sed '/^session/,$d' "$tree/test/specs/$n.spec" | grep -oE 'CREATE ROLE [A-Za-z_][A-Za-z0-9_]*' | cut -d' ' -f3 | sort -u); do
		grep -qx "  ALTER ROLE $r LOGIN;" "$g" || fail "$n: role $r not made LOGIN"
	done
	cmp -s <(sed -n '/^session/,$p' "$tree/test/specs/$n.spec") <(sed -n '/^session/,$p' "$g") ||
		fail "$n: its sessions and permutations are not copied verbatim"
done
ok "the Citus forms of CITUS_DIST_ISOLATION ($(wc -w <<<"$list") specs) parse and hold what they must"

# refused: no reinstall lines, two setup blocks, a teardown without the extension drop
sed '/CREATE EXTENSION multipartner;/d' "$tree/test/specs/sell_vs_terminate.spec" >"$T_DIR/bad1.spec"
if bash "$gen" "$T_DIR/bad1.spec" >/dev/null 2>"$T_DIR/bad1.err"; then fail "a setup without CREATE EXTENSION was accepted"; fi
grep -q 'CREATE EXTENSION multipartner;" 0 times' "$T_DIR/bad1.err" || fail "unexpected refusal: $(cat "$T_DIR/bad1.err")"
{ printf 'setup { SELECT 1; }\n'; cat "$tree/test/specs/sell_vs_terminate.spec"; } >"$T_DIR/bad2.spec"
if bash "$gen" "$T_DIR/bad2.spec" >/dev/null 2>&1; then fail "two setup blocks were accepted"; fi
sed 's/DROP EXTENSION multipartner CASCADE;/SELECT 1;/' "$tree/test/specs/sell_vs_terminate.spec" >"$T_DIR/bad3.spec"
if bash "$gen" "$T_DIR/bad3.spec" >/dev/null 2>&1; then fail "a teardown without DROP EXTENSION was accepted"; fi
ok "a spec not of the form dist_spec.sh knows is refused"
