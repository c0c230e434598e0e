# t/030_notices.pl: NOTIFY multipartner_expiring (SPEC §10) as a real second connection hears it.
#
# The scenario of t/sql/scenario.sql plus four things that end soon without renewing: an admin
# relationship in 10 days, subscriptions in 20 days, 5 days and 12 hours.  A listening psql
# (LISTEN multipartner_expiring, as a partner's login role) and an operator's psql run side by
# side (IPC::Run); psql prints 'Asynchronous notification "multipartner_expiring" with payload
# "..." received from server process with PID n.' after each command it runs, so the listener is
# polled with a cheap command and a marker.  Checks:
#   - a run that is rolled back sends nothing and remembers nothing (expiry_notice gains nothing beyond the scenario's own notices);
#   - an operator's run sends nothing before its COMMIT, and exactly one notice per object at its
#     nearest passed threshold (30, 7, 1 days) after it, from the operator's backend: the JSON
#     payloads (kind, id, customer, partner, ends_at, days_left) parsed and compared;
#   - a second run sends nothing and remembers nothing new;
#   - after pg_ctl restart, a third run sends nothing either (the memory is the table), nor a
#     fourth after an immediate shutdown and recovery (the table is WAL-logged).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MultipartnerTest;

my $node = new_cluster('notices');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE notices');
load_scenario($node, 'notices');
# the scenario's own notices (its run_maintenance() sent them at load): what this test counts
# comes on top of them
my ($base, $base_sent) = split /\|/,
  value($node, 'notices', 'SELECT count(*) || \'|\' || count(sent_at) FROM multipartner.expiry_notice');

my $office   = '0ff1ce00-0000-4000-8000-000000000001';
my $azure    = 'a2a2a2a2-0000-4000-8000-000000000002';
my $contoso  = value($node, 'notices', "SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'");
my $fabrikam = value($node, 'notices', "SELECT customer_id FROM multipartner.customer WHERE name = 'Fabrikam'");
my $ar   = 'aaaaaaaa-aaaa-4aaa-8aaa-000000003001';
my $s20  = '66666666-6666-4666-8666-000000003001';
my $s5   = '66666666-6666-4666-8666-000000003002';
my $s12h = '66666666-6666-4666-8666-000000003003';

# Loaded the way an import does: the subscriptions by the superuser with a past created_at (P1M,
# or P1Y where the month before the end has no such day, so created_at + term is the end exactly),
# the admin relationship in restore mode (pg_restore's settings).
$node->safe_psql('notices', <<"SQL");
SET TimeZone = 'UTC';
CREATE FUNCTION pg_temp.sell_ending(id uuid, customer uuid, partner uuid, e timestamptz) RETURNS void
LANGUAGE sql AS \$\$
    INSERT INTO multipartner.subscription
        (subscription_id, customer_id, partner_of_record, offer_id, product_family,
         quantity, term, billing_cycle, auto_renew, created_at)
    SELECT id, customer, partner, 'O365_E3', 'Microsoft 365', 5, t.term, 'monthly', false, e - t.span
      FROM (SELECT CASE WHEN (e - interval '1 month') + interval '1 month' = e THEN 'P1M' ELSE 'P1Y' END AS term,
                   CASE WHEN (e - interval '1 month') + interval '1 month' = e THEN interval '1 month'
                        ELSE interval '1 year' END AS span) t
\$\$;
SELECT pg_temp.sell_ending('$s20', '$contoso', '$office', now() + interval '20 days');
SELECT pg_temp.sell_ending('$s5', '$contoso', '$azure', now() + interval '5 days');
SELECT pg_temp.sell_ending('$s12h', '$fabrikam', '$office', now() + interval '12 hours');
SET row_security = off;
SET check_function_bodies = off;
SELECT pg_catalog.set_config('search_path', '', false);
INSERT INTO multipartner.admin_relationship
    (admin_relationship_id, customer_id, partner_id, display_name, roles, duration, auto_extend, status,
     created_by, created_at, requested_at, decided_by, decided_at, activated_at, end_at)
VALUES ('$ar', '$contoso', '$office', 'Ends soon', ARRAY['729827e3-9c14-49f7-bb1b-9608f156bbb8']::pg_catalog.uuid[],
        '30 days', false, 'active', 'sc_office', pg_catalog.now() - interval '30 days', pg_catalog.now() - interval '30 days',
        'sc_contoso', pg_catalog.now() - interval '20 days', pg_catalog.now() - interval '20 days',
        pg_catalog.now() + interval '10 days');
SQL
is( value($node, 'notices',
		"SELECT string_agg(subscription_id || ' ' || (commitment_end - now() > interval '0') || ' ' || auto_renew, ',' ORDER BY subscription_id)
		   FROM multipartner.subscription WHERE subscription_id IN ('$s20', '$s5', '$s12h')"),
	"$s20 true false,$s5 true false,$s12h true false",
	'three subscriptions end soon without auto_renew');

# A psql child on its own connection: stdin, stdout, stderr, and a marker count.
sub session
{
	my ($role) = @_;
	my %s = (in => '', out => '', err => '', marks => 0);
	$s{h} = IPC::Run::start(
		[ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-h', $node->host, '-p', $node->port,
		  '-U', $role, '-d', 'notices' ],
		'<', \$s{in}, '>', \$s{out}, '2>', \$s{err},
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return \%s;
}

# run SESSION SQL: send sql, then a marker; wait for the marker; return what was printed before it
sub run
{
	my ($s, $sql) = @_;
	my $mark = 'MARK' . ++$s->{marks};
	$s->{in} .= "$sql\n\\echo $mark\n";
	$s->{h}->pump until $s->{out} =~ /^\Q$mark\E$/m;
	$s->{out} =~ s/\A(.*?)^\Q$mark\E\n//ms or die "no marker";
	return $1;
}

sub close_session
{
	my ($s) = @_;
	$s->{in} .= "\\q\n";
	$s->{h}->finish;
	return;
}

# the notifications a listener has printed, as [payload, pid] pairs
sub notifications
{
	my ($text) = @_;
	my @n;
	push @n, [ $1, $2 ]
	  while $text =~ /^Asynchronous notification "multipartner_expiring" with payload "(.*)" received from server process with PID (\d+)\.$/mg;
	return @n;
}

# poll LISTENER: wait a second for anything under way, then return every notification it prints
sub heard
{
	my ($listener) = @_;
	sleep 1;
	return notifications(run($listener, 'SELECT 1;'));
}

my $listener = session('sc_office');
run($listener, 'LISTEN multipartner_expiring;');
my $op = session('sc_operator');
my $op_pid = run($op, 'SELECT pg_backend_pid();');
chomp $op_pid;

# a rolled-back run: nothing sent, nothing remembered
my $rolled = run($op,
	"BEGIN;\nSELECT count FROM multipartner.run_maintenance() WHERE kind = 'notice_sent';\nROLLBACK;");
like($rolled, qr/^4$/m, 'a run that will roll back counts four notices');
is(scalar(heard($listener)), 0, '... the listener hears nothing of it');
is(value($node, 'notices', "SELECT count(*) - $base FROM multipartner.expiry_notice"), '0',
	'... and expiry_notice remembers nothing');

# the operator's run: nothing before the commit, the four notices after it
like(run($op, "BEGIN;\nSELECT count FROM multipartner.run_maintenance() WHERE kind = 'notice_sent';"),
	qr/^4$/m, "the operator's run counts four notices");
is(scalar(heard($listener)), 0, 'before its COMMIT the listener hears nothing');
run($op, 'COMMIT;');
my @got;
for (my $try = 0; $try < 10 && @got < 4; $try++)
{
	push @got, heard($listener);
}
is(scalar(@got), 4, 'after the COMMIT the listener hears four notifications');
is_deeply([ sort map { $_->[1] } @got ], [ ($op_pid) x 4 ], "... all from the operator's backend");

my @payloads = map { decode_json($_->[0]) } @got;
is_deeply(
	[ sort map { join ' ', sort keys %$_ } @payloads ],
	[ ('customer days_left ends_at id kind partner') x 4 ],
	'each payload is a JSON object with kind, id, customer, partner, ends_at and days_left');
is_deeply(
	[ sort map { join ' ', $_->{kind}, $_->{id}, $_->{customer}, $_->{partner}, $_->{days_left} } @payloads ],
	[ sort
		  "admin_relationship $ar $contoso $office 30",
		  "subscription $s20 $contoso $office 30",
		  "subscription $s5 $contoso $azure 7",
		  "subscription $s12h $fabrikam $office 1" ],
	'one per object at its nearest passed threshold: the admin relationship (10 days) and s20 at 30, s5 at 7, s12h at 1');
for my $p (@payloads)
{
	my $end = $p->{kind} eq 'subscription'
	  ? "SELECT commitment_end FROM multipartner.subscription WHERE subscription_id = '$p->{id}'"
	  : "SELECT end_at FROM multipartner.admin_relationship WHERE admin_relationship_id = '$p->{id}'";
	is(value($node, 'notices', "SELECT '$p->{ends_at}'::timestamptz = ($end)"), 't',
		"ends_at of $p->{kind} $p->{id} is its end");
}
is(value($node, 'notices',
		"SELECT count(*) - $base || ' ' || count(sent_at) - $base_sent FROM multipartner.expiry_notice"),
	'7 4', 'expiry_notice: seven rows (30 for two, 30/7 for s5, 30/7/1 for s12h), four of them sent');

# a second run: nothing
like(run($op, "SELECT string_agg(kind || '=' || count, ',') FROM multipartner.run_maintenance();"),
	qr/notice_sent=0/, 'a second run counts no notice');
is(scalar(heard($listener)), 0, '... and the listener hears none');
is(value($node, 'notices', "SELECT count(*) - $base FROM multipartner.expiry_notice"), '7',
	'... nor is anything new remembered');

close_session($op);
close_session($listener);

# across a restart
$node->restart;
$listener = session('sc_contoso');
run($listener, 'LISTEN multipartner_expiring;');
$op = session('sc_operator');
is(value($node, 'notices', "SELECT count(*) - $base FROM multipartner.expiry_notice"), '7',
	'after pg_ctl restart expiry_notice still holds the seven rows');
like(run($op, "SELECT string_agg(kind || '=' || count, ',') FROM multipartner.run_maintenance();"),
	qr/notice_sent=0/, 'a third run after the restart counts no notice');
is(scalar(heard($listener)), 0, '... and a new listener hears none');
close_session($op);
close_session($listener);

# and across a crash (an immediate shutdown: what is not WAL-logged is gone)
$node->stop('immediate');
$node->start;
$listener = session('sc_contoso');
run($listener, 'LISTEN multipartner_expiring;');
is(value($node, 'notices', "SELECT count(*) - $base FROM multipartner.expiry_notice"), '7',
	'after an immediate shutdown and recovery expiry_notice still holds the seven rows');
like(value($node, 'notices',
		"SET ROLE sc_operator; SELECT string_agg(kind || '=' || count, ',') FROM multipartner.run_maintenance()"),
	qr/notice_sent=0/, 'a fourth run counts no notice');
is(scalar(heard($listener)), 0, '... and the listener hears none');
close_session($listener);

$node->stop;
done_testing();
