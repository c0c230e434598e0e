#!/usr/bin/env bash
# t_citus_skip: where Citus is not installed (CI, a fresh clone), the Citus suite
# (make citus-test, test/citus/run.sh) says so in one line and succeeds, starting
# nothing, so that make test stays green without it.  A pg_config of its own in
# front of PATH answers every question as the real one but --pkglibdir and
# --sharedir, which name empty directories: no citus.so, no citus.control.  No
# cluster.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)

real=$(command -v pg_config)
mkdir -p "$T_DIR/bin" "$T_DIR/lib" "$T_DIR/share/extension"
cat >"$T_DIR/bin/pg_config" <<EOF
#!/bin/sh
case "\$1" in
--pkglibdir) echo '$T_DIR/lib' ;;
--sharedir) echo '$T_DIR/share' ;;
*) exec '$real' "\$@" ;;
esac
EOF
chmod +x "$T_DIR/bin/pg_config"
expect_eq "the stand-in pg_config names an empty library directory" "$T_DIR/lib" \
	"$(PATH=$T_DIR/bin:$PATH pg_config --pkglibdir)"

before=$(compgen -G '/tmp/multipartner-citus.*' | sort || true)
set +e
PATH=$T_DIR/bin:$PATH bash "$tree/test/citus/run.sh" --installed >"$T_DIR/out" 2>&1
rc=$?
set -e
after=$(compgen -G '/tmp/multipartner-citus.*' | sort || true)
cat "$T_DIR/out"
expect_eq "without Citus the suite succeeds" 0 "$rc"
expect_eq "it prints one line" 1 "$(wc -l <"$T_DIR/out")"
grep -qx "citus suite: skipped, Citus is not installed (no $T_DIR/lib/citus.so or $T_DIR/share/extension/citus.control)" \
	"$T_DIR/out" || fail "the line says the suite is skipped and why"
ok "the line says the suite is skipped and why"
expect_eq "it made no node directory" "$before" "$after"

# a citus.so without its control file is not an installed Citus either
: >"$T_DIR/lib/citus.so"
set +e
PATH=$T_DIR/bin:$PATH bash "$tree/test/citus/run.sh" --installed >"$T_DIR/out2" 2>&1
rc=$?
set -e
expect_eq "a library without the control file: skipped too" "0 $(head -n1 "$T_DIR/out")" "$rc $(cat "$T_DIR/out2")"
