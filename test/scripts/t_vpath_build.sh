#!/usr/bin/env bash
# t_vpath_build: an out-of-tree build (mkdir b && cd b && make -f ../Makefile) of a clean source tree
# links a multipartner.so with the extension's functions in it, and "make install DESTDIR=..." from
# there installs the library, the control file and every script the tree has.  No cluster.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)

# a clean copy of the sources: nothing built in it that VPATH could find instead
srcdir=$T_DIR/tree
rm -rf "$srcdir" "$T_DIR/b" "$T_DIR/dest"
mkdir -p "$srcdir" "$T_DIR/b"
cp -r "$tree/Makefile" "$tree/multipartner.control" "$tree/sql" "$srcdir/"
mkdir "$srcdir/src"
cp "$tree"/src/*.c "$tree"/src/*.h "$srcdir/src/"

cd "$T_DIR/b"
make -f ../tree/Makefile >"$T_DIR/build.log" 2>&1 || fail "the out-of-tree build succeeds (see $T_DIR/build.log)"
ok "the out-of-tree build succeeds"
[[ -f multipartner.so ]] || fail "it makes multipartner.so in the build directory"
ok "it makes multipartner.so in the build directory"
syms=$(nm -D --defined-only multipartner.so)
nfun=$(grep -c ' T mp_' <<<"$syms" || true)
((nfun > 50)) || fail "multipartner.so holds the extension's functions (found $nfun)"
ok "multipartner.so holds the extension's functions ($nfun)"
for f in mp_trigger_run pg_finfo_mp_audit Pg_magic_func; do
	grep -q " T $f\$" <<<"$syms" || fail "multipartner.so defines $f"
done
ok "multipartner.so defines the trigger skeleton, the audit trigger and the module magic"
[[ -z $(ls "$srcdir"/src/*.o 2>/dev/null) ]] || fail "nothing is built into the source tree"
ok "nothing is built into the source tree"

make -f ../tree/Makefile install DESTDIR="$T_DIR/dest" >"$T_DIR/install.log" 2>&1 ||
	fail "make install DESTDIR=... from the build directory succeeds (see $T_DIR/install.log)"
extdir=$T_DIR/dest$(pg_config --sharedir)/extension
libdir=$T_DIR/dest$(pg_config --pkglibdir)
[[ -f $libdir/multipartner.so && -f $extdir/multipartner.control ]] ||
	fail "it installs the library and the control file under DESTDIR"
for s in "$srcdir"/sql/*.sql; do
	[[ -f $extdir/${s##*/} ]] || fail "it installs ${s##*/}"
done
ok "it installs the library, the control file and every script under DESTDIR"
