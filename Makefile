# multipartner: PostgreSQL 15 extension, built with PGXS.
#
#   make                 build multipartner.so
#   make install         install it (as root)
#   make test            deps + build + install + every suite on throwaway clusters (test/run-tests.sh)
#   make demo            deps + build + install + private demo cluster (test/demo/demo.sh start)
#   make demo-stop       stop and remove the demo cluster
#   make citus-test      the Citus suite (test/citus/run.sh) on a coordinator and two workers of its own,
#                        against the Citus installed; skipped with one line when there is none
#   make installcheck    plain PGXS: run the suites against the server PG* variables point at,
#                        then the TAP tests t/*.pl (on clusters of their own)
#   make installcheck-tap  the TAP tests t/*.pl alone (as a non-root user, after make install)
#
# Test output goes to $(TESTOUT) (default ".", the PGXS behaviour). Expected files live in the
# top-level expected/ directory: PG 15's pg_regress looks in OUTPUTDIR/expected, then in
# INPUTDIR/expected, so when TESTOUT is not "." a symlink TESTOUT/expected -> expected/ is made.

EXTENSION   = multipartner
# The source tree is where this Makefile is. Out of it (mkdir b && cd b && make -f ../Makefile) the
# build finds the sources through VPATH, which PGXS then takes as its srcdir.
mp_top      := $(patsubst %/,%,$(dir $(firstword $(MAKEFILE_LIST))))
ifneq ($(abspath $(mp_top)),$(abspath .))
VPATH       := $(abspath $(mp_top))
$(shell mkdir -p src)
endif
EXTVERSION  := $(shell sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(mp_top)/$(EXTENSION).control)
MODULE_big  = multipartner
OBJS        = $(patsubst $(mp_top)/%.c,%.o,$(wildcard $(mp_top)/src/*.c))
PGFILEDESC  = "multipartner - multi-partner CSP rules enforced in the database"
# The install script of the current version, sql/multipartner--$(EXTVERSION).sql, is written
# by hand as a fresh install reads (each object once, in its final form).  The scripts of
# released versions that an upgrade starts from stay (0.1, the first), with one upgrade step
# per release (sql/multipartner--X.Y--X.Z.sql).  test/sql/upgrade.sql proves that 0.1 plus every
# step, and 0.4 plus the last step, leave the catalog the current install script makes.
BASE_VERSION = 0.1
# The upgrade steps in version order (sort -V: 0.9--0.10 before 0.10--0.11, which a plain
# wildcard, sorted as text, would put first).
UPGRADE_STEPS := $(shell printf '%s\n' $(patsubst $(mp_top)/%,%,$(wildcard $(mp_top)/sql/$(EXTENSION)--*--*.sql)) | sort -V)
DATA        = sql/$(EXTENSION)--$(BASE_VERSION).sql $(UPGRADE_STEPS) sql/$(EXTENSION)--$(EXTVERSION).sql

PG_CFLAGS   = -Wall -Wmissing-prototypes -Wpointer-arith -Werror=vla -Wimplicit-fallthrough $(if $(CI),-Werror)
PG_CPPFLAGS = -I$(srcdir)/src -DMP_VERSION='"$(EXTVERSION)"'

TESTOUT     ?= .

# The one list of tests: every test/sql/*.sql and every test/specs/*.spec, sorted by name.
# (":=" on purpose: PGXS tests them with ifdef, which does not expand "=" variables.)
REGRESS        := $(sort $(patsubst test/sql/%.sql,%,$(wildcard test/sql/*.sql)))
REGRESS_OPTS    = --inputdir=test --outputdir=$(TESTOUT) --no-locale --encoding=UTF8
ISOLATION      := $(sort $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec)))
# Script tests: checks of the tree and the package that need no cluster (test/scripts/t_*.sh);
# run by test/run-tests.sh as root, one line "test NAME ... ok|FAILED" each.
SCRIPT_TESTS   := $(sort $(patsubst test/scripts/%.sh,%,$(wildcard test/scripts/t_*.sh)))
# TAP tests: t/*.pl on PostgreSQL's own framework (PostgreSQL::Test::Cluster, from
# postgresql-server-dev-15), each with the throwaway clusters it needs (crash and restart, dump and
# restore, pg_upgrade).  PGXS's installcheck runs them after the suites (prove_installcheck);
# "make installcheck-tap" runs them alone.  Run as a non-root OS user.
TAP_TESTS       = 1
TAP_LIST       := $(sort $(patsubst $(mp_top)/t/%.pl,%,$(wildcard $(mp_top)/t/*.pl)))
# The Citus suite (make citus-test, test/citus/run.sh; skipped when Citus is not installed): its own
# files test/citus/sql/*.sql (expected files in test/citus/expected/), then the files of the main
# suite that run as they are on a Citus coordinator (test/sql/NAME.sql, expected/NAME.out unless
# test/citus/expected/NAME.out replaces it).
CITUS_REGRESS  := $(sort $(patsubst test/citus/sql/%.sql,%,$(wildcard test/citus/sql/*.sql)))
CITUS_SHARED    = version install
# and, on distributed tables, the rule suites of the main suite (test/sql/NAME.sql, in the Citus mode of
# test/setup.psql: a database of each file's own on every node, the fixtures committed and distributed
# by CALL multipartner.distribute(); README "Running on Citus"), expected/NAME.out unless
# test/citus/expected/NAME.out replaces it
CITUS_RULES     = bad_input gdap_bad_input gdap_rename party_rules relationship_api relationship_dml subscription_rules time_subscription gdap_access_assignment time_maintenance gdap_admin_relationship check check_gdap gdap_effective_roles views rls identity gdap_orphaned messages_subscription messages_gdap messages audit_log
# and with pg_isolation_regress its own specs test/citus/specs/*.spec (on distributed tables), then
# the specs of the main suite it runs as they are (test/specs/NAME.spec)
CITUS_SPECS    := $(sort $(patsubst test/citus/specs/%.spec,%,$(wildcard test/citus/specs/*.spec)))
CITUS_ISOLATION = member_removed_vs_sale
# and, on DISTRIBUTED tables, the specs of the main suite named here, each in the form
# test/citus/dist_spec.sh generates from test/specs/NAME.spec (a fresh distributed install per
# permutation, the spec's setup, its roles LOGIN, CALL multipartner.distribute(), its sessions and
# permutations unchanged), expected/NAME.out unless test/citus/expected/NAME.out replaces it
CITUS_DIST_ISOLATION = create_customer_race csp_tenant_race gdap_approve_twice gdap_approve_vs_terminate member_removed_vs_sale sell_vs_terminate tenant_unique_race request_race accept_twice customer_creator_relationship accept_vs_decline accept_vs_expire accept_vs_terminate gdap_approve_vs_expire member_removed_vs_update gdap_assign_twice gdap_assign_vs_terminate gdap_assign_vs_remove_ga gdap_member_removed_vs_assign maintenance_vs_autoextend subscription_update_race subscription_update_vs_terminate row_lock_stall gdap_role_added
# Specs start from a database where the extension already exists (setup blocks run per permutation).
ISOLATION_OPTS  = --inputdir=test --outputdir=$(TESTOUT) --no-locale --encoding=UTF8 \
                  --load-extension=$(EXTENSION)

EXTRA_CLEAN = build/ results/ output_iso/ tmp_check/ tmp_check_iso/ log/ regression.diffs regression.out

ifneq ($(TESTOUT),.)
REGRESS_PREP = $(TESTOUT)/expected
endif

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

ifneq ($(TESTOUT),.)
$(TESTOUT)/expected:
	mkdir -p $(TESTOUT)
	ln -sfn $(CURDIR)/expected $@
endif

# One suite at a time (plain "installcheck" runs both in one recipe and stops at the first failure).
# test/run-tests.sh runs each of them as postgres with its own --temp-instance.
.PHONY: installcheck-regress installcheck-isolation
installcheck-regress: submake $(REGRESS_PREP)
ifdef REGRESS
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
else
	@echo "no test/sql/*.sql: nothing to run"
endif

installcheck-isolation: submake $(REGRESS_PREP)
ifdef ISOLATION
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
else
	@echo "no test/specs/*.spec: nothing to run"
endif

# PGXS's prove_installcheck, with TESTDIR (where tmp_check/ keeps the clusters and the logs,
# tmp_check/log/regress_log_NAME) under $(TESTOUT) instead of the current directory.
# PROVE_TESTS=t/NAME.pl runs one file; PROVE_FLAGS=--verbose shows every assertion.
.PHONY: installcheck-tap
installcheck-tap:
	rm -rf '$(abspath $(TESTOUT))'/tmp_check
	$(MKDIR_P) '$(abspath $(TESTOUT))'/tmp_check
	cd $(srcdir) && \
	   TESTDIR='$(abspath $(TESTOUT))' PATH="$(bindir):$(CURDIR):$$PATH" \
	   PGPORT='6$(DEF_PGPORT)' \
	   PG_REGRESS='$(top_builddir)/src/test/regress/pg_regress' \
	   $(PROVE) $(PG_PROVE_FLAGS) $(PROVE_FLAGS) $(if $(PROVE_TESTS),$(PROVE_TESTS),t/*.pl)

.PHONY: test demo demo-stop citus-test
test:
	bash test/run-tests.sh

citus-test:
	bash test/citus/run.sh

demo:
	bash test/demo/demo.sh start

demo-stop:
	bash test/demo/demo.sh stop

.PHONY: bench
bench:
	bash test/bench/run.sh

# make -s print-REGRESS, print-ISOLATION, print-EXTVERSION ...: echo one variable (used by scripts).
print-%:
	@echo '$($*)'

# Every object depends on the shared headers (PGXS tracks no header dependencies by default).
$(OBJS): $(wildcard $(mp_top)/src/*.h)
# the library's version (MP_VERSION) comes from the control file
src/version.o: $(EXTENSION).control

# A script an earlier "make install" left that this tree no longer has (the generated
# multipartner--0.4.sql of 0.4, for one) would make CREATE EXTENSION ... VERSION 'X.Y' run it
# instead of the upgrade path from 0.1 that a clean installation takes: remove it.
install: install-remove-stale-scripts
.PHONY: install-remove-stale-scripts
install-remove-stale-scripts: installdirs
	@for f in '$(DESTDIR)$(datadir)/$(datamoduledir)/$(EXTENSION)'--*.sql; do \
	  [ -e "$$f" ] || continue; \
	  case " $(notdir $(DATA)) " in *" $${f##*/} "*) ;; *) echo "rm -f $$f"; rm -f "$$f";; esac; \
	done
