# t/020_refusals.pl: the shared counters of multipartner.refusals on a cluster
# with multipartner in shared_preload_libraries (src/refusals.c).
#
# Two databases with the scenario of t/sql/scenario.sql; refusals of
# several rules by roles acting for several partners (and for none), in both
# databases; then: the counts per database, rule, SQLSTATE and acting
# partner, a dry run of check() not counted, the lookup rows equal to the
# backend-local lookup_counts() of the one session that worked, the direct
# and the SPI path, operators only, the reset, a restart starting at zero,
# and the overflow row once multipartner.refusals_max counters are taken.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MultipartnerTest;

my $node = new_cluster('refusals');
$node->append_conf('postgresql.conf', <<'CONF');
shared_preload_libraries = 'multipartner'
multipartner.refusals_max = 100
CONF
$node->start;

is($node->safe_psql('postgres', 'SHOW multipartner.refusals_max'), '100',
	'multipartner.refusals_max is read at server start');
{
	my ($out, $err);
	$node->psql('postgres', 'SET multipartner.refusals_max = 10', stdout => \$out, stderr => \$err);
	like($err, qr/cannot be changed without restarting the server/,
		'and only there');
}

for my $db (qw(one two))
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	load_scenario($node, $db);
}

my $office = '0ff1ce00-0000-4000-8000-000000000001';
my $azure  = 'a2a2a2a2-0000-4000-8000-000000000002';
my %sub;
for my $db (qw(one two))
{
	$sub{$db}{office} = $node->safe_psql($db,
		"SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'O365_E3'");
	$sub{$db}{azure} = $node->safe_psql($db,
		"SELECT subscription_id FROM multipartner.subscription WHERE offer_id = 'AZURE_PLAN'");
}

# refuse(db, role, sql, sqlstate, what): the statement, as role, is refused
# with sqlstate
sub refuse
{
	my ($db, $role, $sql, $sqlstate, $what) = @_;
	my ($out, $err);
	$node->psql($db, "SET ROLE $role;\n$sql;\n\\echo :LAST_ERROR_SQLSTATE",
		stdout => \$out, stderr => \$err, on_error_stop => 0);
	is($out, $sqlstate, "$what ($db: $sqlstate)");
}

# the refusal rows of the view, as "database|name|sqlstate|partner|count"
sub refusal_rows
{
	my ($db) = @_;
	return $node->safe_psql($db || 'one', <<'SQL');
SET ROLE sc_operator;
SELECT concat_ws('|', database, name, sqlstate, coalesce(partner_id::text, '-'), count)
  FROM multipartner.refusals WHERE kind = 'refusal'
 ORDER BY database, name, sqlstate, partner_id NULLS FIRST;
SQL
}

$node->safe_psql('one', 'SELECT multipartner.refusals_reset()');
is(refusal_rows(), '', 'after a reset there are no refusal rows');

# R5: a customer role changes a subscription (acts for no partner), twice
for (1 .. 2)
{
	refuse('one', 'sc_contoso',
		"UPDATE multipartner.subscription SET quantity = 1 WHERE subscription_id = '$sub{one}{office}'",
		'MP002', 'R5: a customer may not change a subscription');
}
# R7: each partner changes the terms of its own subscription
refuse('one', 'sc_office',
	"UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = '$sub{one}{office}'",
	'MP004', 'R7: Office may not change the terms');
refuse('one', 'sc_azure_sales',
	"UPDATE multipartner.subscription SET term = 'P1Y' WHERE subscription_id = '$sub{one}{azure}'",
	'MP004', 'R7: Azure may not change the terms');
# R10: nobody deletes the audit log
refuse('one', 'sc_operator', 'DELETE FROM multipartner.audit_log', 'MP007',
	'R10: not even an operator deletes audit rows');
# R3: a sales agent may not terminate
my $rel = $node->safe_psql('one',
	"SELECT relationship_id FROM multipartner.relationship WHERE partner_id = '$azure' AND status = 'active'");
refuse('one', 'sc_azure_sales', "SELECT multipartner.terminate_relationship('$rel')",
	'42501', 'R3: a sales agent may not terminate');
# in the other database: R7 by Office
refuse('two', 'sc_office',
	"UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = '$sub{two}{office}'",
	'MP004', 'R7 in the second database');

# a dry run is an answer, not a refusal
is( $node->safe_psql(
		'one',
		"SET ROLE sc_contoso; SELECT allowed, rule FROM multipartner.check('update_subscription', '$sub{one}{office}', quantity => 1)"
	),
	'f|R5',
	'check() says R5 refuses it');

is(refusal_rows(), join("\n",
		"one|R10|MP007|-|1",
		"one|R3|42501|$azure|1",
		"one|R5|MP002|-|2",
		"one|R7|MP004|$office|1",
		"one|R7|MP004|$azure|1",
		"two|R7|MP004|$office|1"),
	'counted per database, rule, SQLSTATE and acting partner; the dry run not at all');
is(refusal_rows('two'), refusal_rows('one'),
	'every database sees the counters of the cluster');
my $stamps = $node->safe_psql('one',
	"SELECT bool_and(first_at <= last_at AND last_at <= now()) FROM multipartner.refusals");
is($stamps, 't', 'first_at and last_at are set and in order');

# multipartner.dry_run (what check() carries to Citus workers with its dry
# run's statements) set by a client itself: its refusals are counted all the
# same, under kind dry_run, in the same view; the refusal rows are unchanged
my $refusals_before = refusal_rows();
refuse('two', 'sc_office',
	"SET multipartner.dry_run = on; UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = '$sub{two}{office}'",
	'MP004', 'R7 under multipartner.dry_run = on is refused as ever');
is( $node->safe_psql(
		'one', <<'SQL'),
SET ROLE sc_operator;
SELECT concat_ws('|', database, name, sqlstate, partner_id, count)
  FROM multipartner.refusals WHERE kind = 'dry_run';
SQL
	"two|R7|MP004|$office|1",
	'and counted under kind dry_run, with its rule, SQLSTATE and acting partner: nothing hidden');
is(refusal_rows(), $refusals_before, 'the refusal rows are the same as before');

# non-operators may not read or reset
for my $role (qw(sc_office sc_contoso))
{
	my ($ret, $out, $err) = (0, '', '');
	$ret = $node->psql('one', "SET ROLE $role; SELECT * FROM multipartner.refusals",
		stdout => \$out, stderr => \$err);
	like($err, qr/permission denied for view refusals/, "$role may not read the view");
	$ret = $node->psql('one', "SET ROLE $role; SELECT multipartner.refusals_reset()",
		stdout => \$out, stderr => \$err);
	like($err, qr/permission denied for function refusals_reset/, "$role may not reset");
}

# lookups: one session's work, after a reset, is what the view shows, path by
# path, and what its own lookup_counts() says
my $lookups = $node->safe_psql('one', <<SQL);
SELECT multipartner.refusals_reset();
SET ROLE sc_office;
SELECT multipartner.create_subscription(customer_id, 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly')
  FROM multipartner.customer WHERE name = 'Contoso';
UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE offer_id = 'O365_E1';
RESET ROLE;
SELECT (SELECT string_agg(lookup || '=' || direct || '/' || spi, ' ' ORDER BY lookup)
          FROM multipartner.lookup_counts() WHERE direct + spi > 0)
       = (SELECT string_agg(name || '=' || coalesce(d, 0) || '/' || coalesce(s, 0), ' ' ORDER BY name)
            FROM (SELECT name, sum(count) FILTER (WHERE path = 'direct') AS d,
                         sum(count) FILTER (WHERE path = 'spi') AS s
                    FROM multipartner.refusals
                   WHERE kind = 'lookup' AND database = current_database()
                     AND name IN (SELECT lookup FROM multipartner.lookup_counts())
                   GROUP BY name) v);
SQL
is((split /\n/, $lookups)[-1], 't',
	'the lookup rows of a session equal its lookup_counts()');
is( $node->safe_psql('one',
		"SELECT count FROM multipartner.refusals WHERE kind = 'lookup' AND name = 'active_relationship_lock' AND path = 'direct'"),
	'1', 'the sale locked its relationship on the direct path, counted once');
$node->safe_psql('one', <<SQL);
SET multipartner.fast_path = off;
SET ROLE sc_office;
SELECT multipartner.create_subscription(customer_id, 'O365_E1', 'Microsoft 365', 1, 'P1M', 'monthly')
  FROM multipartner.customer WHERE name = 'Contoso';
SQL
is( $node->safe_psql('one',
		"SELECT string_agg(path || '=' || count, ' ' ORDER BY path) FROM multipartner.refusals WHERE kind = 'lookup' AND name = 'active_relationship_lock'"),
	'direct=1 spi=1', 'with multipartner.fast_path off, the SPI path is counted');
is( $node->safe_psql('one',
		"SELECT count(*) FROM multipartner.refusals WHERE kind = 'lookup' AND database = 'two'"),
	'0', 'lookups are counted in the database that asked them');
# a refusal whose transaction asked lookups: both counted
refuse('one', 'sc_azure_sales',
	"UPDATE multipartner.subscription SET term = 'P1Y' WHERE subscription_id = '$sub{one}{azure}'",
	'MP004', 'R7 again');
is( $node->safe_psql('one',
		"SELECT count FROM multipartner.refusals WHERE kind = 'refusal' AND name = 'R7' AND partner_id = '$azure'"),
	'1', 'the refusal is counted after the reset');

# the operator resets
$node->safe_psql('one', 'SET ROLE sc_operator; SELECT multipartner.refusals_reset()');
is($node->safe_psql('two', "SELECT count(*) FROM multipartner.refusals WHERE kind = 'refusal'"),
	'0', 'an operator resets the counters of every database');

# a restart starts at zero (the counters live in memory only)
refuse('two', 'sc_office',
	"UPDATE multipartner.subscription SET offer_id = 'O365_E5' WHERE subscription_id = '$sub{two}{office}'",
	'MP004', 'R7 before the restart');
$node->restart;
is($node->safe_psql('two', "SELECT count(*) FROM multipartner.refusals"),
	'0', 'after a restart the counters start at zero');

# the bound: a role member of 120 partners refused once for each; 100
# counters at most, the rest in the overflow row, the total true
$node->safe_psql('one', <<'SQL');
CREATE ROLE sc_flood LOGIN;
GRANT multipartner_partner_app TO sc_flood;
WITH p AS (
    INSERT INTO multipartner.partner (name, cloud, csp_tenant_id)
    SELECT 'flood ' || i, 'commercial', gen_random_uuid() FROM generate_series(1, 120) i
    RETURNING partner_id)
INSERT INTO multipartner.partner_member (member, partner_id, role)
SELECT 'sc_flood', partner_id, 'helpdesk_agent' FROM p;
SELECT multipartner.refusals_reset();
SQL
my $contoso = $node->safe_psql('one',
	"SELECT customer_id FROM multipartner.customer WHERE name = 'Contoso'");
my $partners = $node->safe_psql('one',
	"SELECT array_agg(partner_id) FROM multipartner.partner WHERE name LIKE 'flood %'");
my $flood = $node->safe_psql('one', <<SQL);
SET ROLE sc_flood;
DO \$\$
DECLARE
    p uuid;
    n int := 0;
BEGIN
    FOREACH p IN ARRAY '$partners'::uuid[] LOOP
        PERFORM pg_catalog.set_config('multipartner.acting_partner', p::text, true);
        BEGIN
            PERFORM multipartner.request_relationship('$contoso');
        EXCEPTION WHEN insufficient_privilege THEN
            n := n + 1;
        END;
    END LOOP;
    IF n <> 120 THEN
        RAISE EXCEPTION 'refused % times, not 120', n;
    END IF;
END \$\$;
SQL
my $bound = $node->safe_psql('one', <<'SQL');
SELECT count(*) FILTER (WHERE name <> 'overflow') <= 100,
       sum(count) FILTER (WHERE kind = 'refusal'),
       sum(count) FILTER (WHERE kind = 'refusal' AND name = 'overflow') > 0
  FROM multipartner.refusals;
SQL
is($bound, 't|120|t',
	'never more than multipartner.refusals_max counters; the overflow row keeps the total');

$node->stop;
done_testing();
