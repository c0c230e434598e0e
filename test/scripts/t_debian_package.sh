#!/usr/bin/env bash
# t_debian_package: debian/ builds the postgresql-15-multipartner package, and the regress suite
# passes (both runs) against that package installed on this machine.
#
# A copy of the tree (tracked and untracked files, no build products) is built in this test's
# directory with "dpkg-buildpackage -us -uc -b", so nothing is built in the tree itself; the
# copy is a git repository of its own first, so the build is shown to leave "git status" clean
# (.gitignore covers every debian/ build output).  The .deb must be named and versioned as the
# control file says (0.6 is 0.6.0-1), hold the library, the control file and exactly the SQL
# scripts "make install" installs (the Makefile's DATA), the docs, and nothing else (nothing
# of the tests).  It is installed with dpkg -i after the files "make install" had put there
# are moved aside, so every file the suite loads is the package's: dpkg -S and dpkg -V say so
# before and after the suites.  The regress suite (test/sql/*.sql) then runs twice, as make test
# runs it (the direct path, and multipartner.fast_path = off), each time on a pg_regress
# --temp-instance as the postgres OS user; about 10 s each.  The isolation specs are left out:
# they load the same installed files as the regress suite and test concurrency, not the
# package, for several times the time.  At the end, whatever happens, the package
# is purged and the files "make install" had installed are put back as they were (make test
# installed them before the script tests; later tests rely on them).
#
# Runs as root (dpkg -i), under the test lock like every suite; the fill_callbacks test module
# make test installs is used as installed (callbacks.sql).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)

pkg=postgresql-15-multipartner
pgc=/usr/lib/postgresql/15/bin/pg_config
[[ -x $pgc ]] || fail "PostgreSQL 15's pg_config is installed ($pgc)"
T_BIN=$("$pgc" --bindir)
pkglibdir=$("$pgc" --pkglibdir)
extdir=$("$pgc" --sharedir)/extension
arch=$(dpkg --print-architecture)
[[ -d $tree/debian ]] || fail "the tree has a debian/ directory ($tree)"
for tool in dpkg-buildpackage dpkg-deb pg_buildext dh; do
	command -v "$tool" >/dev/null || fail "$tool is installed (test/deps.sh)"
done

# what make install put there: the library, its bitcode, the control file and the scripts
installed_files() {
	find "$pkglibdir" "$extdir" \( -path "$pkglibdir/multipartner.so" -o -path "$pkglibdir/bitcode/multipartner*" \
		-o -path "$extdir/multipartner.control" -o -path "$extdir/multipartner--*.sql" \) \( -type f -o -type l \) |
		sort
}
# the tree's debian/ as it is now (names, sizes, times): the test must leave it so
tree_debian() { find "$tree/debian" -printf '%P %s %T@\n' | sort; }

backup=$T_DIR/make-install.tar
before_debian=$(tree_debian)
installed_files >"$T_DIR/make-install.list"
cleaned=0

# Whatever happens: stop a temp instance left running, purge the package, put make install's
# files back, and fail if they are not back as they were.
cleanup() {
	local rc=$? d
	trap - EXIT
	((cleaned)) && exit "$rc"
	cleaned=1
	d=$T_DIR/tmp_check/data
	if [[ -f $d/postmaster.pid ]]; then
		as_pg "$T_BIN/pg_ctl" -D "$d" stop -m immediate -w >/dev/null 2>&1 || true
	fi
	if dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^.[iUFHWt]'; then
		dpkg --purge "$pkg" >"$T_DIR/purge.log" 2>&1 || { echo "FAILED - dpkg --purge $pkg (cleanup)"; rc=1; }
	fi
	if [[ -f $backup ]]; then
		# remove what the package may have left, then put make install's files back
		installed_files | xargs -r rm -f --
		if tar -C / -xpf "$backup" && [[ $(installed_files) == "$(cat "$T_DIR/make-install.list")" ]] &&
			(cd / && md5sum --quiet -c "$T_DIR/make-install.md5") >/dev/null; then
			echo "ok - the files make install had installed are back ($(wc -l <"$T_DIR/make-install.list"))"
		else
			echo "FAILED - the files make install had installed are back (backup: $backup)"
			rc=1
		fi
	fi
	if [[ $(tree_debian) != "$before_debian" ]]; then
		echo "FAILED - the tree's debian/ is as it was (the test built nothing in $tree)"
		rc=1
	fi
	exit "$rc"
}
trap cleanup EXIT

if [[ -s $T_DIR/make-install.list ]]; then
	sed 's|^/||' "$T_DIR/make-install.list" | tar -C / -cpf "$backup" -T -
	sed 's|^/||' "$T_DIR/make-install.list" | (cd / && xargs md5sum) >"$T_DIR/make-install.md5"
fi
ok "make install's files are saved aside ($(wc -l <"$T_DIR/make-install.list"))"
# a package a broken earlier run left installed goes first (its files are in the backup only
# if make install overwrote them since, which is what make test does)
if dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^.[iUFHWt]'; then
	dpkg --purge "$pkg" >"$T_DIR/purge-old.log" 2>&1 || fail "an earlier $pkg is purged first"
fi

# 1. a copy of the sources, a git repository of its own, built with dpkg-buildpackage
src=$T_DIR/src
rm -rf "$src" "$T_DIR"/*.deb "$T_DIR"/*.changes "$T_DIR"/*.buildinfo
mkdir "$src"
if git -C "$tree" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$tree" && git ls-files -z -co --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -cf - -T -) | tar -C "$src" -xf -
else
	(cd "$tree" && tar --exclude=./build --exclude=./results --exclude=./tmp_check\* --exclude='*.o' --exclude='*.so' \
		--exclude='*.bc' --exclude=./debian/.debhelper -cf - .) | tar -C "$src" -xf -
fi
[[ -f $src/debian/rules && -f $src/Makefile ]] || fail "the sources are copied to $src"
git_copy=0
if command -v git >/dev/null; then
	git -C "$src" init -q && git -C "$src" add -A &&
		git -C "$src" -c user.name=t -c user.email=t@t.invalid commit -q -m sources && git_copy=1
fi
ok "the sources are copied to $src"

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$T_DIR/build.log" 2>&1 ||
	fail "dpkg-buildpackage -us -uc -b builds (see $T_DIR/build.log)"
ok "dpkg-buildpackage -us -uc -b builds"
if ((git_copy)); then
	expect_eq "the build leaves git status clean (.gitignore covers debian/ build outputs)" "" \
		"$(git -C "$src" status --porcelain --untracked-files=all)"
fi

# 2. the package's name, version and contents
extversion=$(cd "$src" && make -s --no-print-directory print-EXTVERSION PG_CONFIG="$pgc") ||
	fail "the Makefile tells the control file's version"
semver=$extversion
[[ $semver =~ ^[0-9]+\.[0-9]+$ ]] && semver=$semver.0
version=$semver-1
expect_eq "debian/changelog's version is the control file's default_version, Debian revision 1" \
	"$version" "$(cd "$src" && dpkg-parsechangelog -S Version)"
deb=$T_DIR/${pkg}_${version}_$arch.deb
[[ -f $deb ]] || fail "the build makes ${deb##*/} (made: $(cd "$T_DIR" && echo *.deb))"
ok "the build makes ${deb##*/}"
expect_eq "its Package" "$pkg" "$(dpkg-deb -f "$deb" Package)"
expect_eq "its Version" "$version" "$(dpkg-deb -f "$deb" Version)"
expect_eq "its Architecture" "$arch" "$(dpkg-deb -f "$deb" Architecture)"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | grep -qE '^ *postgresql-15( |$)' ||
	fail "it depends on postgresql-15 (Depends: $(dpkg-deb -f "$deb" Depends))"
ok "it depends on postgresql-15"

data=$(cd "$src" && make -s --no-print-directory print-DATA PG_CONFIG="$pgc" || true)
[[ -n $data ]] || fail "the Makefile names the SQL scripts make install installs (DATA)"
want=("$pkglibdir/multipartner.so" "$extdir/multipartner.control")
for s in $data; do want+=("$extdir/${s##*/}"); done
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)
for f in "${want[@]}"; do
	grep -qxF "$f" <<<"$files" || fail "the package holds $f"
done
ok "the package holds the library, the control file and the $(wc -w <<<"$data") scripts of DATA"
doc=/usr/share/doc/$pkg
others=$(grep -vxF -f <(printf '%s\n' "${want[@]}") <<<"$files" |
	grep -vE "^($pkglibdir/bitcode/multipartner(\.index\.bc|/src/[a-z_]+\.bc)|$doc/(README\.md(\.gz)?|changelog\.gz|changelog\.Debian\.gz|copyright))\$" || true)
expect_eq "the package holds nothing else (no other script, nothing of the tests)" "" "$others"
grep -qxF "$doc/copyright" <<<"$files" || fail "the package holds $doc/copyright"
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ".$doc/copyright" >"$T_DIR/copyright"
grep -q '^License: PostgreSQL$' "$T_DIR/copyright" || fail "its copyright file names the PostgreSQL License"
# the text of its stand-alone "License: PostgreSQL" paragraph (DEP-5: one space in, "." for a blank line)
license=$(awk '/^License: PostgreSQL$/ { buf = ""; on = 1; next }
	on && /^ / { sub(/^ /, ""); if ($0 == ".") $0 = ""; buf = buf $0 "\n"; next }
	{ on = 0 } END { printf "%s", buf }' "$T_DIR/copyright")
[[ $license == "$(sed -n '/^Permission/,$p' "$tree/LICENSE")" ]] ||
	fail "its copyright file has the license text of LICENSE"
ok "its copyright file has the PostgreSQL License text of LICENSE"

# 3. installed with dpkg -i, with make install's files out of the way
installed_files | xargs -r rm -f --
dpkg -i "$deb" >"$T_DIR/install.log" 2>&1 || fail "dpkg -i ${deb##*/} installs (see $T_DIR/install.log)"
expect_eq "dpkg -i installs it" "ii $version" "$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$pkg" | tr -s ' ')"

# every file the server may load is the package's, unchanged
owned_by_package() {
	local f owner
	for f in "${want[@]}" $(installed_files); do
		owner=$(dpkg -S "$f" 2>/dev/null | sed 's/: .*//' || true)
		[[ $owner == "$pkg" ]] || fail "$1: $f belongs to $pkg (dpkg -S: ${owner:-no package})"
	done
	[[ -z $(dpkg -V "$pkg") ]] || fail "$1: dpkg -V $pkg finds no changed file ($(dpkg -V "$pkg" | head -3))"
	ok "$1: every multipartner file in $pkglibdir and $extdir belongs to $pkg, unchanged (dpkg -S, dpkg -V)"
}
owned_by_package "before the suites"

# 4. the regress suite against the installed package, in both runs make test makes of it (the
# direct path, and multipartner.fast_path = off), each on its own temp instance
nall=$(cd "$src" && make -s --no-print-directory print-REGRESS PG_CONFIG="$pgc" | wc -w || true)
((nall > 0)) || fail "the Makefile names the regress tests (REGRESS)"
# run_regress NAME [PGOPTIONS]
run_regress() {
	local name=$1 pgoptions=${2:-} out=$T_DIR/$1 log=$T_DIR/$1.log rc nok nbad
	rm -rf "$out" "$T_DIR/tmp_check"
	mkdir -p "$out"
	chown postgres: "$out"
	set +e
	(cd "$src" && runuser -u postgres -- env PGOPTIONS="$pgoptions" make --no-print-directory installcheck-regress \
		PG_CONFIG="$pgc" TESTOUT="$out" EXTRA_REGRESS_OPTS="--temp-instance=$T_DIR/tmp_check") >"$log" 2>&1
	rc=$?
	set -e
	cat "$log"
	nok=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +ok( |$)' "$log" || true)
	nbad=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)' "$log" || true)
	if ((rc != 0 || nbad != 0 || nok != nall)); then
		[[ -s $out/regression.diffs ]] && head -n 60 "$out/regression.diffs"
		fail "the regress suite${pgoptions:+ ($pgoptions)} passes against the package ($nok of $nall ok, $nbad failed, exit $rc)"
	fi
	ok "the regress suite${pgoptions:+ ($pgoptions)} passes against the package ($nok of $nall tests)"
}
run_regress regress
run_regress regress_spi "-c multipartner.fast_path=off"
owned_by_package "after the suites"

# 5. removed again: dpkg --purge leaves none of its files
dpkg --purge "$pkg" >"$T_DIR/purge.log" 2>&1 || fail "dpkg --purge $pkg removes it (see $T_DIR/purge.log)"
expect_eq "dpkg --purge removes every file of the package" "" "$(installed_files)"
[[ ! -e /usr/share/doc/$pkg ]] || fail "dpkg --purge removes /usr/share/doc/$pkg"
ok "dpkg --purge removes the docs too"
# the EXIT trap puts make install's files back and checks the tree
