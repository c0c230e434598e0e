# t/002_dump_restore.pl: pg_dump / pg_restore of a database with multipartner brings every row of
# every table back, writes no second audit row, and leaves the rules, triggers and policies as
# active as before (SPEC §8, README "Restore"), in every way a DBA restores: pg_restore serial,
# -j N (custom and directory formats), --single-transaction, --schema-only then --data-only,
# --section by section, the tables' data in an order of its own, and psql of a plain dump.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MultipartnerTest;

my $node = new_cluster('dump');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
load_scenario($node, 'src');
my $before = snapshot($node, 'src');
my $protections = value($node, 'src', protections_query());
like($before, qr/^subscription 7 /m, 'the scenario is loaded (seven subscriptions among its rows)');
like($before, qr/^expiry_notice 2 /m, '... and the memory of its notices (the 7-day one sent, the 30-day one passed with it)');
like($before, qr/^admin_relationship 2 .*^access_assignment 2 /ms,
	'... and its GDAP rows (two admin relationships, two assignments)');
note("scenario: $before");

my $dir = PostgreSQL::Test::Utils::tempdir;
$node->command_ok([ 'pg_dump', '-Fc', '-f', "$dir/src.dump", 'src' ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-Fd', '-f', "$dir/src.dir",  'src' ], 'pg_dump -Fd');
$node->command_ok([ 'pg_dump', '-Fp', '-f', "$dir/src.sql",  'src' ], 'pg_dump -Fp');

# restore DB ARCHIVE OPTION...: one pg_restore run into DB, which must succeed
sub restore
{
	my ($db, $archive, @opts) = @_;
	$node->command_ok([ 'pg_restore', '--exit-on-error', @opts, '-d', $db, "$dir/$archive" ],
		"$db: pg_restore @opts $archive");
	return;
}

# held DB: the tables whose rows wait in restore_held
sub held
{
	my ($db) = @_;
	return join ' ', split /\n/,
	  value($node, $db, 'SELECT table_name FROM multipartner.restore_held GROUP BY 1 ORDER BY 1');
}

# every way a DBA restores: serial, parallel (custom and directory formats), in one transaction,
# schema then data, section by section, and plain psql
my @dbs = qw(dst_custom dst_parallel dst_parallel_dir dst_single dst_schema_data dst_sections
  dst_children_first dst_plain);
$node->safe_psql('postgres', "CREATE DATABASE $_") for @dbs;
restore('dst_custom',       'src.dump');
restore('dst_parallel',     'src.dump', '-j', '2');
restore('dst_parallel_dir', 'src.dir',  '-j', '4');
restore('dst_single',       'src.dump', '--single-transaction');
restore('dst_schema_data',  'src.dump', '--schema-only');
restore('dst_schema_data',  'src.dump', '--data-only');
restore('dst_sections', 'src.dir', "--section=$_") for qw(pre-data data post-data);
# the rows that refer to partners and customers before them, in runs of their own (what
# pg_restore -j may do, made certain): they wait in restore_held until their party is loaded;
# the access assignments wait for their admin relationships, loaded last
restore('dst_children_first', 'src.dump', '--schema-only');
restore('dst_children_first', 'src.dump', '--data-only',
	map { ('-t', $_) } qw(relationship subscription partner_member customer_member access_assignment));
is(held('dst_children_first'), 'access_assignment customer_member partner_member relationship subscription',
	'dst_children_first: the rows loaded before their partner, customer or admin relationship are held');
restore('dst_children_first', 'src.dump', '--data-only', '-t', 'customer');
is(held('dst_children_first'), 'access_assignment partner_member relationship subscription',
	"dst_children_first: the customers' load puts back the member rows (the others wait for their partner)");
restore('dst_children_first', 'src.dump', '--data-only',
	map { ('-t', $_) } qw(partner tenant audit_log audit_log_event_id_seq));
is(held('dst_children_first'), 'access_assignment',
	"dst_children_first: the partners' load puts back the rest; the assignments wait for their admin relationships");
restore('dst_children_first', 'src.dump', '--data-only',
	map { ('-t', $_) } qw(admin_role admin_relationship expiry_notice));
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'dst_plain', '-f', "$dir/src.sql" ],
	'dst_plain: psql -f of the plain dump');

for my $db (@dbs)
{
	is(snapshot($node, $db), $before,
		"$db: every row of every table is back, the audit log has no second copy");
	is(value($node, $db, 'SELECT count(*) FROM multipartner.restore_held'), 0, "$db: no row is left held");
	is(value($node, $db, protections_query()), $protections,
		"$db: triggers (ENABLE ALWAYS), policies, forced row security and the DDL guard are all there");
	is(value($node, $db,
			"SET ROLE sc_operator; SELECT string_agg(kind || '=' || count, ' ' ORDER BY kind)
			   FROM multipartner.run_maintenance() WHERE count > 0"),
		'', "$db: the notices sent before the dump are remembered: a run sends none again");

	my $s1 = value($node, $db, "SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'O365_E3'");
	my $r_az = value($node, $db,
		"SELECT relationship_id FROM multipartner.relationship
		  WHERE partner_id = 'a2a2a2a2-0000-4000-8000-000000000002' AND status = 'active'");
	my $contoso = value($node, $db, "SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'");
	my $fabrikam = value($node, $db, "SELECT customer_id FROM multipartner.customer WHERE name = 'Fabrikam'");

	is(sqlstate_of($node, $db, 'sc_contoso',
			"UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$s1'"),
		'MP002', "$db: R5 still refuses the customer changing a subscription");
	is(sqlstate_of($node, $db, 'sc_office',
			"UPDATE multipartner.subscription SET partner_of_record = 'a2a2a2a2-0000-4000-8000-000000000002'
			  WHERE subscription_id = '$s1'"),
		'MP003', "$db: R6 still refuses moving a subscription");
	is(sqlstate_of($node, $db, 'sc_office',
			"UPDATE multipartner.subscription SET term = 'P3Y' WHERE subscription_id = '$s1'"),
		'MP004', "$db: R7 still refuses changing the term");
	is(sqlstate_of($node, $db, 'sc_office',
			"SELECT multipartner.create_customer('a2a2a2a2-0000-4000-8000-0000000000c5', 'x', 'commercial')"),
		'MP005', "$db: R8 still refuses a CSP tenant as customer");
	is(sqlstate_of($node, $db, 'postgres',
			"DELETE FROM multipartner.subscription WHERE subscription_id = '$s1'"),
		'MP007', "$db: R10 still refuses deleting a subscription (the superuser: MP007 from the trigger)");
	is(sqlstate_of($node, $db, 'sc_office',
			"DELETE FROM multipartner.subscription WHERE subscription_id = '$s1'"),
		'42501', "$db: R10 still refuses deleting a subscription (a partner: no DELETE privilege)");
	is(sqlstate_of($node, $db, 'sc_azure_sales',
			"SELECT multipartner.create_subscription('$fabrikam', 'AZURE_PLAN', 'Azure', 1, 'P1M', 'monthly')"),
		'MP001', "$db: R11 still refuses selling under a declined relationship");
	is(sqlstate_of($node, $db, 'sc_azure', "SELECT multipartner.terminate_relationship('$r_az')"),
		'MP009', "$db: R13 still refuses terminating with live subscriptions");
	is(value($node, $db,
			"SET ROLE sc_azure; SELECT count(*) FROM multipartner.subscription WHERE subscription_id = '$s1'"),
		0, "$db: row security still hides the other partner's subscription");

	# GDAP
	my $ar1 = value($node, $db,
		"SELECT admin_relationship_id FROM multipartner.admin_relationship WHERE display_name = 'Contoso helpdesk'");
	is(value($node, $db,
			"SELECT string_agg(r.status || '/' || a.status, ' ' ORDER BY r.display_name)
			   FROM multipartner.admin_relationship r JOIN multipartner.access_assignment a
			     USING (customer_id, admin_relationship_id)"),
		'terminated/ended active/active', "$db: the admin relationships and their assignments are back as they were");
	is(value($node, $db,
			"SET ROLE sc_office; SELECT string_agg(role_name || ':' || source, ',' ORDER BY role_name)
			   FROM multipartner.effective_admin_roles('$contoso')"),
		'Dynamics 365 Administrator:gdap,Helpdesk Administrator:gdap',
		"$db: effective_admin_roles() answers from the restored assignment (the operator's role came back too)");
	is(sqlstate_of($node, $db, 'sc_office',
			"SELECT multipartner.assign_admin_access('$ar1', 'sc_office', ARRAY['User Administrator'])"),
		'23505', "$db: R19 still refuses a second active assignment for the same grantee");
	is(sqlstate_of($node, $db, 'postgres',
			"DELETE FROM multipartner.admin_relationship WHERE admin_relationship_id = '$ar1'"),
		'MP007', "$db: R20 still refuses deleting an admin relationship");
	is(value($node, $db, "SET ROLE sc_azure; SELECT count(*) FROM multipartner.access_assignment"),
		0, "$db: row security still hides the other partner's assignments");

	my ($n0, $max0) = split / /,
	  value($node, $db, "SELECT count(*) || ' ' || max(event_id) FROM multipartner.audit_log");
	is(sqlstate_of($node, $db, 'sc_office',
			"SELECT multipartner.create_subscription('$contoso', 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly')"),
		'none', "$db: a sale after the restore is allowed");
	is(value($node, $db,
			"SELECT count(*) || ' ' || count(*) FILTER (WHERE event_id > $max0) FROM multipartner.audit_log"),
		($n0 + 1) . ' 1',
		"$db: ... and is audited once, numbered after the restored history (the sequence came back too)");
}

$node->stop;
done_testing();
