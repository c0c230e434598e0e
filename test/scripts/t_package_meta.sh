#!/usr/bin/env bash
# t_package_meta: the package's metadata says what the tree is.  META.json
# (PGXN meta-spec 1.0.0) is valid JSON with the fields the spec requires, its
# version is the control file's default_version (as semver: 0.5 is 0.5.0),
# it provides the extension from the install script of that version, which
# make installs; the license is the PostgreSQL License of LICENSE; and
# CHANGELOG.md has a section for every version there is an install or
# upgrade script for, the current one first (after an "## Unreleased" section
# of what the next version gathers, if there is one).  No cluster: the files only.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
tree=$(cd "$here/../.." && pwd)
cd "$tree"

control=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" multipartner.control)
[[ -n $control ]] || fail "multipartner.control has a default_version"

# meta KEY.PATH: a value of META.json (JSON::PP is in perl's core, like the TAP tools)
meta() { perl -MJSON::PP -e 'local $/; open my $f, "<", "META.json" or die; my $m = JSON::PP->new->decode(<$f>);
for my $k (split /\./, $ARGV[0]) { die "no $ARGV[0]\n" unless ref $m eq "HASH" && exists $m->{$k}; $m = $m->{$k}; }
print ref $m ? JSON::PP->new->canonical->encode($m) : $m, "\n";' "$1"; }

perl -MJSON::PP -e 'local $/; open my $f, "<", "META.json" or die; JSON::PP->new->decode(<$f>)' ||
	fail "META.json is valid JSON"
ok "META.json is valid JSON"
for k in name abstract version maintainer license provides meta-spec.version; do
	meta "$k" >/dev/null 2>&1 || fail "META.json has $k"
done
ok "META.json has every field meta-spec 1.0.0 requires"
expect_eq "META.json meta-spec" "1.0.0" "$(meta meta-spec.version)"
expect_eq "META.json name" "multipartner" "$(meta name)"
semver=$control
[[ $semver =~ ^[0-9]+\.[0-9]+$ ]] && semver=$semver.0
expect_eq "META.json version is the control file's default_version" "$semver" "$(meta version)"
expect_eq "META.json provides that version" "$semver" "$(meta provides.multipartner.version)"
expect_eq "META.json provides the install script of that version" \
	"sql/multipartner--$control.sql" "$(meta provides.multipartner.file)"
[[ -f sql/multipartner--$control.sql ]] || fail "the install script META.json names exists"
make -s print-DATA | tr ' ' '\n' | grep -qx "sql/multipartner--$control.sql" ||
	fail "make installs the install script META.json names"
ok "make installs the install script META.json names"
expect_eq "META.json license" "postgresql" "$(meta license)"
grep -q 'Permission to use, copy, modify, and distribute this software' LICENSE ||
	fail "LICENSE is the PostgreSQL License"
ok "LICENSE is the PostgreSQL License"
expect_eq "META.json needs PostgreSQL 15" "15.0.0" "$(meta prereqs.runtime.requires.PostgreSQL)"
meta prereqs.test.requires.pgTAP >/dev/null || fail "META.json names pgTAP for the tests"
ok "META.json names pgTAP for the tests"

# every version with a script has its CHANGELOG section, the current one first
versions=$(ls sql/ | sed -n 's/^multipartner--\([0-9.]*\)--\([0-9.]*\)\.sql$/\1\n\2/p; s/^multipartner--\([0-9.]*\)\.sql$/\1/p' | sort -uV)
for v in $versions; do
	grep -q "^## $v\( \|$\)" CHANGELOG.md || fail "CHANGELOG.md has a section for $v"
done
ok "CHANGELOG.md has a section for every version ($(echo $versions))"
if [[ $(grep -m1 '^## ' CHANGELOG.md) == "## Unreleased"* ]]; then
	ok "CHANGELOG.md starts with an Unreleased section"
fi
expect_eq "CHANGELOG.md starts with the current version (after Unreleased)" "$control" \
	"$(grep '^## ' CHANGELOG.md | grep -v '^## Unreleased' | sed -n 's/^## \([0-9.]*\).*/\1/p' | head -1)"
