# t/001_crash_restart.pl: an immediate shutdown (a crash, as far as the data is concerned) in the
# middle of a write load; after the restart every invariant holds, the heap and indexes are sound
# (pg_amcheck), and the rules still refuse.  The triggers run inside the writing transactions and
# keep no state outside them, so recovery has nothing of the extension's own to repair.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MultipartnerTest;

my $node = new_cluster('crash');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE crash');
load_scenario($node, 'crash');
$node->safe_psql('crash', 'CREATE EXTENSION amcheck');
my $loaded = value($node, 'crash', 'SELECT count(*) FROM multipartner.subscription');
my $contoso = value($node, 'crash', "SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'");

# the write load: the Office partner sells and raises quantities, the Azure sales agent sells,
# two clients each, until the crash
my $dir = PostgreSQL::Test::Utils::tempdir;
append_to_file("$dir/office.sql", <<"SQL");
SELECT multipartner.create_subscription('$contoso', 'O365_E3', 'Microsoft 365', 1, 'P1M', 'monthly');
UPDATE multipartner.subscription SET quantity = quantity + 1
 WHERE subscription_id = (SELECT subscription_id FROM multipartner.subscription
                           WHERE status = 'active' ORDER BY created_at DESC LIMIT 1);
SQL
append_to_file("$dir/azure.sql", <<"SQL");
SELECT multipartner.create_subscription('$contoso', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly');
SQL
my @load;
for my $client ([ 'sc_office', 'office' ], [ 'sc_azure_sales', 'azure' ])
{
	my ($role, $script) = @$client;
	my $log = "$PostgreSQL::Test::Utils::log_path/pgbench_$script.log";
	push @load,
	  IPC::Run::start(
		[
			'pgbench', '-n', '-h', $node->host, '-p', $node->port, '-U', $role,
			'-c', '2', '-T', '30', '-f', "$dir/$script.sql", 'crash'
		],
		'<', \undef, '>', $log, '2>&1');
}
sleep 4;
my $before = value($node, 'crash', 'SELECT count(*) FROM multipartner.subscription');
$node->stop('immediate');
$_->finish for @load;	# pgbench fails once its server is gone: its exit status says nothing here
cmp_ok($before, '>', $loaded,
	"the load wrote before the immediate shutdown ($before subscriptions seen just before it, $loaded loaded)");

$node->start;
my $after = value($node, 'crash', 'SELECT count(*) FROM multipartner.subscription');
cmp_ok($after, '>=', $before, "recovery lost no subscription ($after after the restart)");

my @invariants = split /\n/, $node->safe_psql('crash', slurp_file(sql_file('invariants.sql')));
cmp_ok(scalar @invariants, '>=', 10, 't/sql/invariants.sql has its (at least ten) queries');
is_deeply([ grep { $_ ne 'ok' } @invariants ], [], 'every invariant of t/sql/invariants.sql holds after the crash');

$node->command_ok(
	[ 'pg_amcheck', '--heapallindexed', '--schema=multipartner', 'crash' ],
	'pg_amcheck --heapallindexed finds the heap and every index sound');

my $s = value($node, 'crash',
	"SELECT subscription_id FROM multipartner.subscription
	  WHERE partner_of_record = '0ff1ce00-0000-4000-8000-000000000001' LIMIT 1");
is(sqlstate_of($node, 'crash', 'sc_contoso', "UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s'"),
	'MP002', 'the rules still refuse after the restart (R5: the customer may not change a subscription)');

$node->stop;
done_testing();
