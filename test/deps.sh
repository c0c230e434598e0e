#!/usr/bin/env bash
# Install the Debian packages that building and testing multipartner needs, if any is missing.
# Idempotent and silent when everything is there; runs "apt-get update" only when it has to install.
set -euo pipefail

packages=(
	make gcc libc6-dev                         # PGXS build (a bare bookworm may lack them)
	postgresql-15                              # initdb, postgres, pg_ctl for the private clusters
	postgresql-server-dev-15                   # pg_config, PGXS, pg_regress, pg_isolation_regress
	postgresql-15-pgtap                        # CREATE EXTENSION pgtap
	postgresql-15-cron                         # pg_cron, the scheduler of run_maintenance() (t_pg_cron)
	libtap-parser-sourcehandler-pgtap-perl     # pg_prove
	dpkg-dev debhelper                         # dpkg-buildpackage of debian/ (t_debian_package)
	postgresql-server-dev-all                  # pg_buildext, pgxs_debian_control.mk
	libipc-run-perl                            # IPC::Run, for PostgreSQL::Test::Cluster (t/*.pl)
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
	echo "test/deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "test/deps.sh: run as root, or install them first: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "test/deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test/deps.sh: done"
