# t/003_pg_upgrade.pl: pg_upgrade of a cluster with multipartner and data (issue 10, item 6).
# pg_dump's binary-upgrade mode recreates the extension's tables one by one and their foreign keys
# with ALTER TABLE ... ADD CONSTRAINT, which creates the foreign keys' internal triggers ENABLE
# ORIGIN: after the upgrade a role granted SET on session_replication_role could switch them off
# by choosing replica.  This test really runs pg_upgrade --link (same major version, two clusters
# initdb'd here), then checks every catalog fact of the extension (test/catalog.psql: triggers and
# their enabled state, the foreign keys' triggers, policies, row security, event triggers, ACLs,
# config-dump marks, members) and its version against the old cluster, that every row came back,
# that the replica-mode attack is refused before the DBA's repair, and that
# multipartner.enable_always_triggers() puts the catalog back as it was.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MultipartnerTest;

# the old cluster, with the scenario of the other TAP tests
my $old = new_cluster('old');
$old->start;
$old->safe_psql('postgres', 'CREATE DATABASE up');
load_scenario($old, 'up');
# the attacker: a partner application role trusted with session_replication_role
$old->safe_psql('up', 'CREATE ROLE sc_replicator LOGIN IN ROLE multipartner_partner_app;
	GRANT SET ON PARAMETER session_replication_role TO sc_replicator');

# facts NODE: every catalog fact of the extension (test/catalog.psql) and its version
my $catalog = sql_file('test/catalog.psql');
sub facts
{
	my ($node) = @_;
	return value($node, 'up', "\\i '$catalog'\n\\echo :catalog\n"
		  . "SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'multipartner'");
}
my $facts_before = facts($old);
my $rows_before = snapshot($old, 'up');
like($rows_before, qr/^subscription 7 /m, 'the old cluster is loaded (seven subscriptions among its rows)');
like($facts_before, qr/^fk trigger /m, 'test/catalog.psql lists the catalog facts of the old cluster');
$old->stop;

# the new cluster, and the upgrade, run from a directory postgres may write
my $new = new_cluster('new');
my $bindir = $old->config_data('--bindir');
chdir ${PostgreSQL::Test::Utils::tmp_check};
command_ok(
	[
		'pg_upgrade', '--no-sync', '-b', $bindir, '-B', $bindir,
		'-d', $old->data_dir, '-D', $new->data_dir,
		'-p', $old->port, '-P', $new->port, '-s', $new->host, '--link'
	],
	'pg_upgrade --link from the old cluster to the new one');
$new->start;

is(snapshot($new, 'up'), $rows_before, 'every row of every table came back, the audit log once');

# replica_attack: as the attacker, under session_replication_role = replica, a member row for a
# customer that does not exist; the SQLSTATE
sub replica_attack
{
	return sqlstate_of($new, 'up', 'sc_replicator', "SET session_replication_role = replica;
		INSERT INTO multipartner.customer_member (member, customer_id, role)
		     VALUES ('sc_replicator', '00000000-0000-4000-8000-00000000dead', 'global_admin')");
}
# the same as an operator deleting a partner that members and relationships refer to
sub replica_delete
{
	return sqlstate_of($new, 'up', 'sc_replicator', "SET session_replication_role = replica;
		SET ROLE sc_operator;
		DELETE FROM multipartner.partner WHERE partner_id = '0ff1ce00-0000-4000-8000-000000000001'");
}
$new->safe_psql('up', 'GRANT sc_operator TO sc_replicator');

my $fk_origin = value($new, 'up',
	"SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	  WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgisinternal AND t.tgenabled = 'O'");
note("after pg_upgrade $fk_origin foreign-key triggers are ENABLE ORIGIN "
	  . "(pg_dump --binary-upgrade recreated the keys)");
is(replica_attack(), '55000', 'under replica, a member row for a customer that does not exist is refused');
is(replica_delete(), '55000', 'under replica, deleting a partner that rows refer to is refused');
is(snapshot($new, 'up'), $rows_before, '... and neither wrote anything');

# the DBA's step after pg_upgrade (README, Restore and upgrade)
is(value($new, 'up', 'SELECT multipartner.enable_always_triggers()'), $fk_origin,
	'multipartner.enable_always_triggers() switches every ENABLE ORIGIN trigger back');
is(facts($new), $facts_before, 'the catalog facts and the version are those of the old cluster');
is(value($new, 'up',
		"SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		  WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgenabled <> 'A'"),
	0, "every trigger of the extension's tables is ENABLE ALWAYS");
is(value($new, 'up',
		"SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		  WHERE c.relnamespace = 'multipartner'::regnamespace AND t.tgisinternal"),
	36, 'the 36 foreign-key triggers are there (24, and 12 of the three GDAP keys since 0.7)');
is(replica_attack(), '23503', 'under replica, the foreign key itself now refuses the member row');
is(replica_delete(), 'MP007', "under replica, the partner's deletion meets R10 again");
is(value($new, 'up', 'SELECT multipartner.enable_always_triggers()'), 0, 'a second call finds nothing to do');

# the rules still hold on the new cluster
my $s1 = value($new, 'up', "SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'O365_E3'");
is(sqlstate_of($new, 'up', 'sc_contoso',
		"UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s1'"),
	'MP002', 'the rules still refuse after the upgrade (R5)');
is(value($new, 'up', "SET ROLE sc_azure; SELECT count(*) FROM multipartner.subscription WHERE subscription_id = '$s1'"),
	0, "row security still hides the other partner's subscription");

$new->stop;
done_testing();
