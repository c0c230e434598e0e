# t/MultipartnerTest.pm: what the TAP tests t/*.pl share, on top of PostgreSQL::Test::Cluster.
#
# Each test makes its own throwaway clusters (PostgreSQL::Test::Cluster: initdb in tmp_check/
# under $TESTDIR, a postmaster on a Unix socket in a private directory, no TCP listener, stopped
# at the end whatever happens) and reads the SQL it shares with the others from t/sql/.
# Run them with "make installcheck-tap" (or make test), as a non-root OS user: PostgreSQL
# refuses root.
package MultipartnerTest;

use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(new_cluster sql_file load_scenario snapshot sqlstate_of value
  protections_query);

# the tree's top directory (t/..), whatever the current directory is
my $top = abs_path(dirname(__FILE__) . '/..');

# sql_file NAME: the path of t/sql/NAME, or of NAME relative to the top of the tree
sub sql_file
{
	my ($name) = @_;
	my $path = $name =~ m{/} ? "$top/$name" : "$top/t/sql/$name";
	die "no such file: $path\n" unless -f $path;
	return $path;
}

# new_cluster NAME: an initdb'd cluster as the other suites have it (no locale, UTF8), not started
sub new_cluster
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(extra => [ '--no-locale', '-E', 'UTF8' ]);
	return $node;
}

# load_scenario NODE DB: t/sql/scenario.sql (the extension, its roles, a small marketplace) into DB
sub load_scenario
{
	my ($node, $db) = @_;
	$node->safe_psql($db, slurp_file(sql_file('scenario.sql')));
	return;
}

# snapshot NODE DB: t/sql/snapshot.sql, one line per table (row count and md5 of its rows)
sub snapshot
{
	my ($node, $db) = @_;
	return scalar $node->safe_psql($db, slurp_file(sql_file('snapshot.sql')));
}

# value NODE DB SQL: the (tuples-only, unaligned) output of SQL as the superuser
sub value
{
	my ($node, $db, $sql) = @_;
	return scalar $node->safe_psql($db, $sql);
}

# sqlstate_of NODE DB ROLE SQL: the SQLSTATE the statement fails with under SET ROLE ROLE, or
# "none" when it succeeds
sub sqlstate_of
{
	my ($node, $db, $role, $sql) = @_;
	my ($ret, $out, $err) = $node->psql(
		$db, "SET ROLE $role;\n\\set LAST_ERROR_SQLSTATE none\n$sql;\n\\echo :LAST_ERROR_SQLSTATE\n",
		on_error_stop => 0);
	my @lines = split /\n/, $out;
	return @lines ? $lines[-1] : "(no output; psql said: $err)";
}

# the protections a restore must bring back, as one line: enabled (ALWAYS) triggers, policies,
# tables with forced row security, enabled event triggers of the extension
sub protections_query
{
	return q{
SELECT (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'multipartner'::regnamespace AND NOT t.tgisinternal
           AND t.tgenabled = 'A')
    || ' ' || (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                WHERE c.relnamespace = 'multipartner'::regnamespace)
    || ' ' || (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'multipartner'::regnamespace
                AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity)
    || ' ' || (SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'multipartner%' AND evtenabled = 'A')};
}

1;
