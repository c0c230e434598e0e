#!/usr/bin/env bash
# t_pg_cron: run_maintenance() scheduled with pg_cron (SPEC §10, issue 14) records a due transition
# by itself, as the operator role that scheduled it.
#
# Starts a cluster of its own (socket in its work dir, no TCP) with README's postgresql.conf lines:
# shared_preload_libraries = 'pg_cron', cron.database_name = 'marketplace' and
# cron.use_background_workers = on (each job runs in a background worker that connects as the job's
# role: no libpq connection, so no TCP listener, cron.host or password is needed).  In database
# marketplace: CREATE EXTENSION multipartner and pg_cron, a login role granted multipartner_operator
# (cron_ops) and one granted multipartner_partner_app only (cron_app), both given USAGE on schema cron
# (pg_cron's own rule for a non-superuser scheduling a job).
#
# The past is reached only the way an operator's import reaches it: the superuser loads, in restore
# mode (pg_dump's settings, src/restore.c: the rules and the audit step aside), a reseller relationship
# request pending since 91 days ago and an admin relationship approval_pending since 91 days ago.  Both
# read as expired at once (effective_status()) and are recorded as pending; nothing moves a clock.
#
# Then, right after checking that both are still recorded as pending, it schedules
# SELECT * FROM multipartner.run_maintenance() every minute as cron_ops (and the same as cron_app),
# and waits, polling, at most 150 s (pg_cron runs a '* * * * *' job at the next whole minute) for
# both jobs to have run.  The test never calls run_maintenance() itself, and every session it opens
# is the superuser's (it schedules under SET ROLE), so an audit row whose session_actor is cron_ops
# comes from pg_cron's worker.  It checks: the operator's job has a succeeded run in
# cron.job_run_details; both rows are recorded expired, each with one UPDATE audit row whose actor
# and session_actor are cron_ops, written in the minute after that run's start_time (before the
# job's next run; pg_cron's end_time is no bound: the launcher takes it when it starts reading the
# worker's answer, which can be before the worker's commit); the admin relationship's ended_by is
# cron_ops; the job of cron_app, not an operator, failed with "permission denied for function
# run_maintenance", SQLSTATE 42501 in the server log (%e in log_line_prefix, on the line of that
# run's worker pid: a background worker's lines have no %u), and changed nothing.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
T_PORT=${PG_CRON_TEST_PORT:-5442}
WAIT_SECONDS=${PG_CRON_TEST_WAIT:-150}
# no statement of the test may hang it
export PGCONNECT_TIMEOUT=10 PGOPTIONS='-c statement_timeout=30s'

[[ -f $("$T_BIN/pg_config" --pkglibdir)/pg_cron.so ]] ||
	fail "pg_cron is installed (postgresql-15-cron, test/deps.sh)"

# what pg_cron recorded, and the end of the server log: printed before a failure
diagnose() {
	echo "# cron.job:"
	t_psql -d marketplace -c "SELECT jobid, jobname, username, schedule, command FROM cron.job" 2>&1 | sed 's/^/#   /' || true
	echo "# cron.job_run_details:"
	t_psql -d marketplace -c "SELECT jobid, job_pid, status, return_message, start_time, end_time
	                            FROM cron.job_run_details ORDER BY runid" 2>&1 | sed 's/^/#   /' || true
	echo "# server log ($T_DIR/server.log), last lines:"
	tail -n 30 "$T_DIR/server.log" 2>/dev/null | sed 's/^/#   /' || true
}
fail_diag() {
	diagnose
	fail "$@"
}

# the database first, on a plain start; then the configuration README shows, and a restart
as_pg "$T_BIN/initdb" -D "$T_DIR/data" --no-locale -E UTF8 -A trust >"$T_DIR/initdb.log"
cluster_start
t_psql -d postgres -c "CREATE DATABASE marketplace"
cluster_stop
cat >>"$T_DIR/data/postgresql.conf" <<'EOF'
# t_pg_cron: README's "Scheduling run_maintenance() with pg_cron"
shared_preload_libraries = 'pg_cron'
cron.database_name = 'marketplace'
cron.use_background_workers = on
# the SQLSTATE (%e) and the pid of each line, for the refused job
log_line_prefix = '%m [%p] %e '
EOF
cluster_start
expect_eq "the server runs with pg_cron preloaded" "pg_cron" \
	"$(t_psql -d marketplace -At -c "SHOW shared_preload_libraries")"

t_psql -d marketplace <<'EOF'
CREATE EXTENSION multipartner;
CREATE EXTENSION pg_cron;
CREATE ROLE cron_ops LOGIN;
GRANT multipartner_operator TO cron_ops;
CREATE ROLE cron_app LOGIN;
GRANT multipartner_partner_app TO cron_app;
GRANT USAGE ON SCHEMA cron TO cron_ops, cron_app;
-- a partner and two customers, through the rules (as the superuser, an operator)
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id)
VALUES ('11111111-1111-4111-8111-000000000001', 'Litware', 'commercial', '22222222-2222-4222-8222-000000000001');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
    ('33333333-3333-4333-8333-000000000001', '44444444-4444-4444-8444-000000000001', 'Contoso', 'commercial'),
    ('33333333-3333-4333-8333-000000000002', '44444444-4444-4444-8444-000000000002', 'Tailspin', 'commercial');
-- an import of the past: restore mode (pg_dump's settings), rows with their own times
SET row_security = off;
SET check_function_bodies = off;
SELECT set_config('search_path', '', false) AS restore_mode \gset
-- Contoso: a reseller relationship request pending since 91 days ago
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_by, requested_at)
VALUES ('55555555-5555-4555-8555-000000000001', '33333333-3333-4333-8333-000000000001',
        '11111111-1111-4111-8111-000000000001', 'pending', 'cron_app', pg_catalog.now() - interval '91 days');
-- Tailspin: an active reseller relationship, and an admin relationship requested 91 days ago
INSERT INTO multipartner.relationship (relationship_id, customer_id, partner_id, status, requested_by, requested_at,
                                       decided_by, decided_at)
VALUES ('55555555-5555-4555-8555-000000000002', '33333333-3333-4333-8333-000000000002',
        '11111111-1111-4111-8111-000000000001', 'active', 'cron_app', pg_catalog.now() - interval '200 days',
        'postgres', pg_catalog.now() - interval '199 days');
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, status,
     created_by, created_at, requested_at)
VALUES ('66666666-6666-4666-8666-000000000001', '33333333-3333-4333-8333-000000000002',
        '11111111-1111-4111-8111-000000000001', 'helpdesk', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::pg_catalog.uuid[],
        '180 days', 'approval_pending', 'cron_app', pg_catalog.now() - interval '92 days',
        pg_catalog.now() - interval '91 days');
EOF
ok "multipartner and pg_cron created in marketplace; the past imported in restore mode"

rel=55555555-5555-4555-8555-000000000001
adm=66666666-6666-4666-8666-000000000001
# recorded status, effective status, audit rows of each
audit_of="(a.table_name = 'relationship' AND a.new_row->>'relationship_id' = '$rel')
       OR (a.table_name = 'admin_relationship' AND a.new_row->>'admin_relationship_id' = '$adm')"
state_sql="SELECT (SELECT status || '/' || multipartner.effective_status(r) FROM multipartner.relationship r
                    WHERE relationship_id = '$rel')
               || ' ' ||
                  (SELECT status || '/' || multipartner.effective_status(a) FROM multipartner.admin_relationship a
                    WHERE admin_relationship_id = '$adm')
               || ' audit=' ||
                  (SELECT count(*) FROM multipartner.audit_log a WHERE $audit_of)"
expect_eq "imported as pending, read as expired at once, no audit rows" \
	"pending/expired approval_pending/expired audit=0" "$(t_psql -d marketplace -At -c "$state_sql")"
expect_eq "cron.job_run_details is empty before anything is scheduled" "0" \
	"$(t_psql -d marketplace -At -c "SELECT count(*) FROM cron.job_run_details")"

# In one session: the recorded state just before scheduling, then the two jobs.
mapfile -t sched < <(t_psql -d marketplace -At <<EOF
$state_sql;
SET ROLE cron_ops;
SELECT cron.schedule('multipartner-maintenance', '* * * * *', 'SELECT * FROM multipartner.run_maintenance()');
SET ROLE cron_app;
SELECT cron.schedule('not-an-operator', '* * * * *', 'SELECT * FROM multipartner.run_maintenance()');
RESET ROLE;
SELECT to_char(now(), 'HH24:MI:SS');
EOF
)
((${#sched[@]} == 4)) || fail_diag "scheduling printed the state, two job ids and the time: got [${sched[*]}]"
expect_eq "just before scheduling both are still recorded as pending" \
	"pending/expired approval_pending/expired audit=0" "${sched[0]}"
job_ops=${sched[1]}
job_app=${sched[2]}
expect_eq "the maintenance job belongs to cron_ops (its jobs run as cron_ops)" \
	"cron_ops|* * * * *|SELECT * FROM multipartner.run_maintenance()" \
	"$(t_psql -d marketplace -At -c "SELECT username, schedule, command FROM cron.job WHERE jobid = $job_ops")"
expect_eq "the other job belongs to cron_app" "cron_app" \
	"$(t_psql -d marketplace -At -c "SELECT username FROM cron.job WHERE jobid = $job_app")"
ok "scheduled at ${sched[3]}: job $job_ops as cron_ops, job $job_app as cron_app; waiting for pg_cron (at most ${WAIT_SECONDS} s)"

# Wait until both jobs have a finished run (pg_cron writes 'succeeded' or 'failed' at the end).
done_sql="SELECT count(DISTINCT jobid) FROM cron.job_run_details
           WHERE jobid IN ($job_ops, $job_app) AND status IN ('succeeded', 'failed')"
deadline=$((SECONDS + WAIT_SECONDS))
while :; do
	n=$(t_psql -d marketplace -At -c "$done_sql") || fail_diag "polling cron.job_run_details"
	[[ $n == 2 ]] && break
	((SECONDS < deadline)) || fail_diag "pg_cron ran both jobs within ${WAIT_SECONDS} s (finished: $n of 2)"
	sleep 2
done
ok "pg_cron ran both jobs (after $((SECONDS + WAIT_SECONDS - deadline)) s)"

# The operator's job: its first finished run succeeded.
run_sql="SELECT status || '|' || return_message FROM cron.job_run_details
          WHERE jobid = %s AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1"
ops_run=$(t_psql -d marketplace -At -c "$(printf "$run_sql" "$job_ops")")
[[ $ops_run =~ ^succeeded\|SELECT\ [0-9]+$ ]] ||
	fail_diag "the operator's job succeeded in cron.job_run_details: got [$ops_run]"
ok "cron.job_run_details: the operator's job succeeded ($ops_run)"

# What it recorded, and who: each row expired, with one UPDATE audit row by cron_ops written
# in that run (after its start, before the job's next run a minute later).
rec_sql="WITH run AS (SELECT start_time FROM cron.job_run_details
                       WHERE jobid = $job_ops AND status = 'succeeded' ORDER BY runid LIMIT 1)
         SELECT string_agg(format('%s:%s:%s:%s:%s', a.table_name, a.operation, a.new_row->>'status',
                                  a.actor, a.session_actor)
                           || CASE WHEN a.at >= run.start_time AND a.at < run.start_time + interval '1 minute'
                                   THEN ':in-run' ELSE ':outside-run' END,
                           ' ' ORDER BY a.table_name)
           FROM multipartner.audit_log a, run
          WHERE $audit_of"
expect_eq "the scheduled run recorded both expiries, as cron_ops, each with its audit row" \
	"admin_relationship:UPDATE:expired:cron_ops:cron_ops:in-run relationship:UPDATE:expired:cron_ops:cron_ops:in-run" \
	"$(t_psql -d marketplace -At -c "$rec_sql")"
expect_eq "both are recorded expired now; the admin relationship was ended by cron_ops" \
	"expired expired cron_ops" \
	"$(t_psql -d marketplace -At -c "SELECT (SELECT status FROM multipartner.relationship WHERE relationship_id = '$rel')
	                                      || ' ' || status || ' ' || ended_by
	                                   FROM multipartner.admin_relationship WHERE admin_relationship_id = '$adm'")"

# The job of a role that is not an operator: refused, 42501.
app_run=$(t_psql -d marketplace -At -c "$(printf "$run_sql" "$job_app")")
[[ $app_run == "failed|ERROR: permission denied for function run_maintenance"* ]] ||
	fail_diag "the job of cron_app (not an operator) failed in cron.job_run_details: got [$app_run]"
ok "cron.job_run_details: the job of cron_app failed (${app_run%%$'\n'*})"
app_pid=$(t_psql -d marketplace -At -c "SELECT job_pid FROM cron.job_run_details
                                         WHERE jobid = $job_app AND status = 'failed' ORDER BY runid LIMIT 1")
[[ $app_pid =~ ^[0-9]+$ ]] || fail_diag "the failed run of cron_app's job has its worker's pid: got [$app_pid]"
grep -qE "\[$app_pid\] 42501 ERROR:  permission denied for function run_maintenance" \
	"$T_DIR/server.log" ||
	fail_diag "the server log has the refusal of worker $app_pid with SQLSTATE 42501"
ok "the server log: worker $app_pid (cron_app's job): 42501 permission denied for function run_maintenance"
expect_eq "no audit row of cron_app (its job changed nothing)" "0" \
	"$(t_psql -d marketplace -At -c "SELECT count(*) FROM multipartner.audit_log WHERE session_actor = 'cron_app'")"

cluster_stop
ok "the cluster stopped"
