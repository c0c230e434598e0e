#!/usr/bin/perl
# test/bench/report.pl RESULTS_DIR OUT.md: turn build/bench/results.tsv and info.env (written by
# test/bench/run.sh) into BENCHMARKS.md, and print the summary tables to stdout.
use strict;
use warnings;
use FindBin;

my ($res, $outfile) = @ARGV;
die "usage: report.pl RESULTS_DIR OUT.md\n" unless $res && $outfile;

my %info;
open my $ih, '<', "$res/info.env" or die "$res/info.env: $!";
while (<$ih>) { chomp; my ($k, $v) = split /=/, $_, 2; $info{$k} = $v; }
close $ih;

# layer -> workload -> variant -> round -> unit -> value
my %r;
open my $th, '<', "$res/results.tsv" or die "$res/results.tsv: $!";
while (<$th>) {
	chomp;
	my ($layer, $w, $v, $round, $val, $unit) = split /\t/;
	$r{$layer}{$w}{$v}{$round}{$unit} = $val;
}
close $th;

sub median {
	my @a = sort { $a <=> $b } grep { defined } @_;
	return undef unless @a;
	return @a % 2 ? $a[$#a / 2] : ($a[@a / 2 - 1] + $a[@a / 2]) / 2;
}
sub fmt {
	my ($x, $d) = @_;
	return 'n/a' unless defined $x;
	$d //= 2;
	return sprintf("%.${d}f", $x);
}
sub thousands {
	my ($x) = @_;
	return 'n/a' unless defined $x;
	my $s = sprintf('%.0f', $x);
	1 while $s =~ s/^(-?\d+)(\d{3})/$1,$2/;
	return $s;
}
sub ok { my ($cond) = @_; return defined $cond ? ($cond ? 'met' : '**missed**') : 'n/a'; }

my $rounds = $info{rounds};
my @measured = $rounds > 1 ? (2 .. $rounds) : (1);
my @out;
sub p { push @out, @_ ? @_ : ''; }

my %verdicts;   # collected for the summary
sub verdict { my ($what, $target, $value, $cond) = @_; push @{ $verdicts{list} }, [$what, $target, $value, ok($cond)]; }

# per-round values and ratios of a (layer, workload)
sub series {
	my ($layer, $w, $v, $unit) = @_;
	return map { $r{$layer}{$w}{$v}{$_}{$unit} } @measured;
}
sub ratios {
	my ($layer, $w, $num, $den, $unit) = @_;
	my @x;
	for my $round (@measured) {
		my $a = $r{$layer}{$w}{$num}{$round}{$unit};
		my $b = $r{$layer}{$w}{$den}{$round}{$unit};
		push @x, $a / $b if defined $a && defined $b && $b != 0;
	}
	return median(@x);
}

p "# Benchmarks";
p;
p "Written by `make bench` (test/bench/run.sh); do not edit by hand, run it again.";
p;
p "- Command: `$info{command}`";
p "- Date: $info{date}; total run time " . sprintf('%.1f', $info{total_secs} / 60) . " min";
p "- Machine: $info{cpu}, $info{nproc} cores, $info{mem}, Linux $info{kernel}";
p "- PostgreSQL: $info{pgversion}";
p "- Code: the extension as built at the start from commit $info{commit}" .
  ($info{dirty} ? " plus $info{dirty} uncommitted change(s) in src/, sql/, Makefile" : '') .
  " (md5 of src/*.c, src/*.h, sql/*.sql: $info{src_md5}; multipartner.so $info{so_md5}), run from a private copy of";
p "  the server with that build (other sessions' `make install` cannot change it mid-run)" .
  ($info{commit_end} ne $info{commit} ? "; the tree was at $info{commit_end} when the run ended" : '') . ".";
p "- Cluster: private (initdb in a temporary directory, Unix socket only, no TCP), settings for CPU numbers:";
p "  `" . join('`, `', grep { length } split /;/, $info{settings}) . "` (not durable: measures CPU, not I/O).";
p "- Data (SCALE=$info{scale}; SCALE=1 is the issue's 1M customers, 20k partners, 10M subscriptions): " .
  thousands($info{npart}) . " partners, " . thousands($info{ncust}) . " customers, " . thousands($info{nsubs}) .
  " subscriptions, " . thousands($info{nrel}) . " relationships, in each of floor, multipartner, ref (and bare); " .
  "database $info{dbsize}, loaded in $info{load_secs} s.";
p "  The workloads act as `bench_sales`, sales_agent of partner 1, which holds " . thousands($info{np1subs}) .
  " subscriptions with 1/8 of the customers.";
p "  Loading: generated with generate_series into floor, then copied to multipartner and ref **with all their triggers";
p "  switched off** (superuser `ALTER TABLE ... DISABLE TRIGGER ALL`, foreign-key triggers included; the data is";
p "  consistent by construction and checked for orphans), the tenant registries filled as the triggers would, then every";
p "  trigger restored to its exact state (ENABLE ALWAYS for the extension's and the reference's). So the loaded rows";
p "  have no audit rows; the audit logs hold only what the workloads write. `VACUUM ANALYZE` after the load.";
p "- Schemas: floor = the extension's tables made with `LIKE ... INCLUDING ALL` plus the same foreign keys (no";
p "  triggers, no row security); bare = subscription and relationship without foreign keys either; ref =";
p "  test/bench/plpgsql_reference.sql (hand-written copy of the tables, PL/pgSQL triggers, no row security);";
p "  multipartner = the extension as installed (its row security included: the writes run as application roles).";
if (-s "$res/shape-diff.txt") {
	p "- **Warning: ref's tables differ from the extension's** (plpgsql_reference.sql is behind):";
	open my $sh, '<', "$res/shape-diff.txt" or die;
	while (<$sh>) { chomp; p "  - `$_`"; }
	close $sh;
} else {
	p "  Checked: ref has the extension's columns, indexes and constraints (schema names aside).";
}
p;

# ---------------------------------------------------------------- callgrind
if ($r{callgrind}) {
	p "## Callgrind: CPU instructions per row (deterministic)";
	p;
	p "The same writes once more in one backend, `postgres --single` on the benchmark's data directory under";
	p "`valgrind --tool=callgrind --dump-after=CommitTransactionCommand` (one dump per statement: read, parse, plan,";
	p "execute, after-row triggers, commit). ins1/upd1: mean over $info{cg_stmts} single-row prepared statements, each its";
	p "own transaction, after 10 warm-up ones; rel: one request (INSERT) plus its accept (UPDATE), summed; bulk and";
	p "copy: one $info{cg_rows}-row statement, divided by $info{cg_rows} (rolled back; bulk as the partner role, copy as superuser,";
	p "see above). bare: the same table without foreign keys";
	p "or triggers. *Overhead* = variant − bare; *rules* = variant − floor (what the triggers add on top of the";
	p "foreign keys).";
	p;
	p "| workload | bare | floor | mp_noaudit | multipartner | ref | floor − bare (FK) | mp_noaudit − floor | multipartner − floor | ref − floor |";
	p "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
	my @cgw = grep { $r{callgrind}{$_} } qw(ins1 upd1 rel bulk copy);
	my %cg;
	for my $w (@cgw) {
		$cg{$w}{$_} = $r{callgrind}{$w}{$_}{1}{instr} for qw(bare floor mp_noaudit multipartner ref);
		my $c = $cg{$w};
		p "| $w | " . join(' | ', map { thousands($c->{$_}) } qw(bare floor mp_noaudit multipartner ref)) .
		  " | " . thousands($c->{floor} - $c->{bare}) . " | " . thousands($c->{mp_noaudit} - $c->{floor}) .
		  " | " . thousands($c->{multipartner} - $c->{floor}) . " | " . thousands($c->{ref} - $c->{floor}) . " |";
	}
	p;
	p "Ratios (targets of issue 6 read as: the rules' own cost, above the floor, against the foreign keys' cost, floor − bare).";
	p "The targets are about INSERT (ins1, bulk, copy). An UPDATE that leaves the keys alone runs no foreign-key check";
	p "(PostgreSQL skips it), so floor − bare is noise for upd1 and its first two ratios mean nothing; rel's FK cost is";
	p "the request's INSERT only.";
	p;
	p "| workload | (mp_noaudit − floor) / (floor − bare) ≤ 1.0 | (multipartner − floor) / (floor − bare) ≤ 1.5 | (ref − floor) / (multipartner − floor) ≥ 3 | multipartner/floor total | ref/multipartner total | (mp − bare)/(floor − bare) |";
	p "|---|---:|---:|---:|---:|---:|---:|";
	for my $w (@cgw) {
		my $c = $cg{$w};
		my $fk = $c->{floor} - $c->{bare};
		my $chk = $fk ? ($c->{mp_noaudit} - $c->{floor}) / $fk : undef;
		my $aud = $fk ? ($c->{multipartner} - $c->{floor}) / $fk : undef;
		my $mpo = $c->{multipartner} - $c->{floor};
		my $ref = $mpo ? ($c->{ref} - $c->{floor}) / $mpo : undef;
		my $ovr = $fk ? ($c->{multipartner} - $c->{bare}) / $fk : undef;
		p "| $w | " . fmt($chk) . " | " . fmt($aud) . " | " . fmt($ref) . " | " .
		  fmt($c->{multipartner} / $c->{floor}) . " | " . fmt($c->{ref} / $c->{multipartner}) . " | " . fmt($ovr) . " |";
		# issue 11: a request plus its accept at most 1.5x the foreign keys' cost
		verdict("callgrind rel: checks overhead / FK overhead (issue 11)", '<= 1.5', fmt($chk), defined $chk ? $chk <= 1.5 : undef)
		  if $w eq 'rel';
		if ($w eq 'ins1' || $w eq 'bulk' || $w eq 'copy') {
			verdict("callgrind $w: checks overhead / FK overhead", '<= 1.0', fmt($chk), defined $chk ? $chk <= 1.0 : undef);
			verdict("callgrind $w: checks+audit overhead / FK overhead", '<= 1.5', fmt($aud), defined $aud ? $aud <= 1.5 : undef);
			verdict("callgrind $w: ref rules / multipartner rules", '>= 3', fmt($ref), defined $ref ? $ref >= 3 : undef);
		}
	}
	p;
	# Before and after: the callgrind counts of an earlier release (deterministic, same machine), kept in
	# test/bench/baseline-callgrind.tsv, against this run's; only meaningful at the same SCALE.
	my $bl = "$FindBin::Bin/baseline-callgrind.tsv";
	if (-r $bl) {
		my (%base, @about);
		open my $bh, '<', $bl or die "$bl: $!";
		while (<$bh>) {
			chomp;
			if (/^#\s*(.*)/) { push @about, $1 unless @about; next; }
			my ($w, $v, $n) = split /\t/;
			$base{$w}{$v} = $n if defined $n;
		}
		close $bh;
		p "### Before and after issue 11 (the reshaped core)";
		p;
		p "Before: " . join(' ', @about);
		p "After: this run" . ($info{scale} ne '0.1' ? " (**SCALE=$info{scale}, not the baseline's 0.1: compare with care**)" : '') . ".";
		p;
		p "| workload | variant | before | after | change |";
		p "|---|---|---:|---:|---:|";
		for my $w (@cgw) {
			next unless $base{$w};
			for my $v (qw(floor mp_noaudit multipartner)) {
				my ($b, $a) = ($base{$w}{$v}, $cg{$w}{$v});
				next unless defined $b && defined $a;
				p "| $w | $v | " . thousands($b) . " | " . thousands($a) . " | " . sprintf('%+.1f%%', 100 * ($a - $b) / $b) . " |";
			}
			my ($b, $a) = ($base{$w}, $cg{$w});
			if ($w eq 'rel' && $b->{floor} - $b->{bare}) {
				p "| rel | (mp_noaudit − floor) / FK | " . fmt(($b->{mp_noaudit} - $b->{floor}) / ($b->{floor} - $b->{bare})) .
				  " | " . fmt(($a->{mp_noaudit} - $a->{floor}) / ($a->{floor} - $a->{bare})) . " | |";
			}
		}
		p;
	}
	my %bd = (bulk => "bulk INSERT ... SELECT as the partner role, per row", copy => "COPY as superuser, per row",
	          ins1 => "one single-row INSERT as the partner role (its own transaction)",
	          upd1 => "one single-row UPDATE of quantity as the partner of record",
	          rel_request => "one relationship request (INSERT) as the partner's sales_agent",
	          rel_accept => "one accept (UPDATE) as the customer's global_admin");
	my $any = 0;
	for my $w (qw(bulk ins1 upd1 rel_request rel_accept copy)) {
		my $f = "$res/callgrind-breakdown-$w.txt";
		next unless -s $f;
		unless ($any++) {
			p "### Where the extension's instructions go";
			p;
			p "test/bench/annotate.pl over the callgrind dump of one multipartner statement of each kind: inclusive";
			p "instructions per row of the extension's functions (*) and of the PostgreSQL functions around them (postgres";
			p "is stripped: only its exported functions have names), then each call site in the rule and audit code with";
			p "what its callee costs (sites nest: an identity.c line is also inside a subscription.c line).";
			p;
		}
		p "$bd{$w}:";
		p;
		p '```';
		open my $ah, '<', $f or die;
		while (<$ah>) { chomp; push @out, $_; }
		close $ah;
		p '```';
		p;
	}
	if (grep { $r{callgrind}{$_} } qw(gcreate gapprove gassign)) {
		p "### GDAP writes (issue 13)";
		p;
		p "Instructions per operation: gcreate one INSERT of an admin relationship by partner 1's admin_agent";
		p "(R14 reseller relationship, R15, R17), gapprove its submit (UPDATE by the admin_agent) plus the customer";
		p "global_admin's approval (UPDATE), summed, gassign one INSERT of an access assignment (R19); each a";
		p "single-row prepared statement, mean over $info{cg_stmts} after 10 warm-up ones. floor: the same tables and";
		p "foreign keys, no triggers (its rows keep their stamps empty); ref: the PL/pgSQL reference of R14-R20";
		p "(test/bench/plpgsql_reference.sql, checked before the run to refuse what the extension refuses:";
		p "test/bench/ref_refusals.sql). No bare variant, so no foreign-key ratio.";
		p;
		p "| workload | floor | multipartner | ref | multipartner − floor | ref − floor | (ref − floor) / (multipartner − floor) | multipartner/floor total | ref/multipartner total |";
		p "|---|---:|---:|---:|---:|---:|---:|---:|---:|";
		for my $w (qw(gcreate gapprove gassign)) {
			next unless $r{callgrind}{$w};
			my %c = map { $_ => $r{callgrind}{$w}{$_}{1}{instr} } qw(floor multipartner ref);
			my $d = sub { my ($a, $b) = @_; return defined $a && defined $b ? $a - $b : undef; };
			my $mpo = $d->($c{multipartner}, $c{floor});
			my $rfo = $d->($c{ref}, $c{floor});
			my $q = sub { my ($a, $b) = @_; return defined $a && $b ? $a / $b : undef; };
			p "| $w | " . join(' | ', map { thousands($c{$_}) } qw(floor multipartner ref)) .
			  " | " . thousands($mpo) . " | " . thousands($rfo) . " | " . fmt($q->($rfo, $mpo)) .
			  " | " . fmt($q->($c{multipartner}, $c{floor})) . " | " . fmt($q->($c{ref}, $c{multipartner})) . " |";
		}
		p;
	}
}

# ---------------------------------------------------------------- pgbench
if ($r{pgbench}) {
	p "## pgbench: single-row writes, $info{clients} clients";
	p;
	p "`pgbench -n -M prepared -c $info{clients} -j $info{clients} -T $info{duration} --random-seed=1`, connected over the socket as the";
	p "partner role. request_accept: as a role that `SET ROLE`s to the partner's sales_agent (INSERT a pending";
	p "relationship), then (`set_config('role', ...)`) to the customer's global_admin, one of $info{nadmins} roles that";
	p "administer 8 customers each (UPDATE it to active): two transactions, six statements a script, each script a new";
	p "customer of the pool, so `-t $info{req_tx}` per client instead of `-T`.";
	p "The same statements in every schema. Rounds: $rounds;";
	p "in each round floor, multipartner (then mp_noaudit: the same with the audit trigger of subscription off, for";
	p "insert and update), ref run back to back for each workload; round 1 is discarded; medians of the";
	p "other rounds, ratios are medians of the per-round ratios. Before each run: `VACUUM` of the written table,";
	p "`CHECKPOINT`; the request pool is emptied.";
	p;
	p "| workload | floor TPS | mp_noaudit TPS | multipartner TPS | ref TPS | mp_noaudit/floor | multipartner/floor | ref/multipartner |";
	p "|---|---:|---:|---:|---:|---:|---:|---:|";
	for my $w (qw(insert update request_accept)) {
		next unless $r{pgbench}{$w};
		my %m = map { $_ => median(series('pgbench', $w, $_, 'tps')) } qw(floor mp_noaudit multipartner ref);
		my $nf = ratios('pgbench', $w, 'mp_noaudit', 'floor', 'tps');
		my $mf = ratios('pgbench', $w, 'multipartner', 'floor', 'tps');
		my $rm = ratios('pgbench', $w, 'ref', 'multipartner', 'tps');
		p "| $w | " . fmt($m{floor}, 0) . " | " . fmt($m{mp_noaudit}, 0) . " | " . fmt($m{multipartner}, 0) .
		  " | " . fmt($m{ref}, 0) . " | " . fmt($nf) . " | " . fmt($mf) . " | " . fmt($rm) . " |";
		if ($w eq 'insert' || $w eq 'update') {
			verdict("pgbench $w TPS multipartner/floor", '>= 0.9', fmt($mf), defined $mf ? $mf >= 0.9 : undef);
			verdict("pgbench $w TPS multipartner >= ref", 'ref/multipartner <= 1.0', fmt($rm), defined $rm ? $rm <= 1.0 : undef);
		}
	}
	p;
	my @busy = map { my $w = $_; map { my $v = $_; map { $r{pgbench}{$w}{$v}{$_}{busy_before} } 1 .. $rounds } qw(floor mp_noaudit multipartner ref) } qw(insert update request_accept);
	@busy = grep { defined } @busy;
	if (@busy) {
		my $max = (sort { $b <=> $a } @busy)[0];
		my $mean = 0; $mean += $_ for @busy; $mean /= @busy;
		p "Other processes on the machine took " . fmt($mean, 0) . "% of the CPU on average (max " . fmt($max, 0) .
		  "%) in the half second before each run" . ($max > 10 ? ": **the machine was not idle; TPS numbers are disturbed by other work (the callgrind layer is not).**" : '.');
		p;
	}
	p "Raw TPS per round (round 1 discarded):";
	p;
	p "| workload | schema | " . join(' | ', map { "round $_" } 1 .. $rounds) . " |";
	p "|---|---|" . ('---:|' x $rounds);
	for my $w (qw(insert update request_accept)) {
		for my $v (qw(floor mp_noaudit multipartner ref)) {
			next unless grep { defined $r{pgbench}{$w}{$v}{$_}{tps} } 1 .. $rounds;
			p "| $w | $v | " . join(' | ', map { fmt($r{pgbench}{$w}{$v}{$_}{tps}, 0) } 1 .. $rounds) . " |";
		}
	}
	p;
}

# ---------------------------------------------------------------- bulk
if ($r{bulk}) {
	p "## Bulk: " . thousands($info{bulk_rows}) . " subscriptions in one statement";
	p;
	p "In a transaction that is rolled back (then `VACUUM`): `INSERT ... SELECT generate_series` as the partner role,";
	p "and `COPY ... FROM` a server-side file written earlier in the same transaction (so `now() + 1 year` is the";
	p "commitment end the triggers derive) **as superuser**: PostgreSQL refuses `COPY FROM` into a table with row";
	p "security for every role the policies apply to (\"COPY FROM not supported with row-level security\"), and the";
	p "extension's tables have row security forced, so a partner (or a non-superuser operator) cannot bulk-load with COPY";
	p "at all; the superuser runs the extension's operator path (no acting-partner checks, the relationship check and";
	p "the audit row still run). Timed on the server with `clock_timestamp()` around the one statement,";
	p "after-row triggers (foreign keys, audit) included. mp_noaudit is the extension with its `audit` trigger on";
	p "subscription disabled for that run. Rounds interleaved floor, mp_noaudit, multipartner, ref; round 1 discarded.";
	p;
	p "| workload | floor s | mp_noaudit s | multipartner s | ref s | mp_noaudit/floor | multipartner/floor | ref/multipartner | µs/row floor, mp, ref |";
	p "|---|---:|---:|---:|---:|---:|---:|---:|---|";
	for my $w (qw(insert_select copy)) {
		next unless $r{bulk}{$w};
		my %m = map { $_ => median(series('bulk', $w, $_, 's')) } qw(floor mp_noaudit multipartner ref);
		my $nf = ratios('bulk', $w, 'mp_noaudit', 'floor', 's');
		my $mf = ratios('bulk', $w, 'multipartner', 'floor', 's');
		my $rm = ratios('bulk', $w, 'ref', 'multipartner', 's');
		my $us = join(', ', map { defined $m{$_} ? fmt($m{$_} * 1e6 / $info{bulk_rows}, 1) : 'n/a' } qw(floor multipartner ref));
		p "| $w | " . join(' | ', map { fmt($m{$_}, 2) } qw(floor mp_noaudit multipartner ref)) .
		  " | " . fmt($nf) . " | " . fmt($mf) . " | " . fmt($rm) . " | $us |";
		verdict("bulk $w time, checks only (mp_noaudit/floor)", '<= 1.3', fmt($nf), defined $nf ? $nf <= 1.3 : undef);
		verdict("bulk $w time, with audit (multipartner/floor)", '<= 1.6', fmt($mf), defined $mf ? $mf <= 1.6 : undef);
	}
	p;
	my @busy = map { my $w = $_; map { my $v = $_; map { $r{bulk}{$w}{$v}{$_}{busy_before} } 1 .. $rounds } qw(floor mp_noaudit multipartner ref) } qw(insert_select copy);
	@busy = grep { defined } @busy;
	if (@busy) {
		my $max = (sort { $b <=> $a } @busy)[0];
		my $mean = 0; $mean += $_ for @busy; $mean /= @busy;
		p "Other processes took " . fmt($mean, 0) . "% of the CPU on average (max " . fmt($max, 0) . "%) just before each run" .
		  ($max > 10 ? ": **the machine was not idle; times are disturbed by other work.**" : '.');
		p;
	}
	p "Raw seconds per round:";
	p;
	p "| workload | schema | " . join(' | ', map { "round $_" } 1 .. $rounds) . " |";
	p "|---|---|" . ('---:|' x $rounds);
	for my $w (qw(insert_select copy)) {
		for my $v (qw(floor mp_noaudit multipartner ref)) {
			next unless $r{bulk}{$w}{$v};
			p "| $w | $v | " . join(' | ', map { fmt($r{bulk}{$w}{$v}{$_}{s}, 3) } 1 .. $rounds) . " |";
		}
	}
	p;
}

# ---------------------------------------------------------------- read
if ($r{read}) {
	p "## Reads: one customer through the DBA views";
	p;
	p "`SELECT * FROM multipartner.<view> WHERE customer_id = \$1` for a random one of partner 1's customers,";
	p "`pgbench -n -M prepared -c $info{clients} -j $info{clients} -T $info{read_duration}`, as postgres (superuser: row security";
	p "bypassed, the \"RLS off\" baseline) and as bench_sales (the policies apply), interleaved, $rounds rounds, round 1";
	p "discarded; median latency from pgbench's per-transaction log. The views exist only in the extension (floor and";
	p "ref have none), so this layer compares the extension with and without row security. It runs right after the";
	p "load (and the callgrind layer's few rows), on the data set as generated: the pgbench and bulk layers add some 50";
	p "subscriptions to each of partner 1's customers.";
	p;
	if (my $x = $r{read}{effective_admin_roles}) {
		my $med = median(series('read', 'effective_admin_roles', 'bench_sales', 'median_us'));
		my $tps = median(series('read', 'effective_admin_roles', 'bench_sales', 'tps'));
		my $plan = $x->{plan_bench_sales}{0}{plan} // 'n/a';
		p "- `effective_admin_roles(customer_id)` (GDAP, issue 13) as bench_sales for a random one of partner 1's customers,";
		p "  each with 3 active admin relationships and an assignment to bench_sales on each (" .
		  fmt($x->{rows}{0}{count}, 0) . " rows for customer 3): plan (auto_explain of the function's query, in";
		p "  build/bench/read-effective_admin_roles.plan) $plan (a Seq Scan of admin_role, the 17-row reference table of";
		p "  Entra roles, one page at every scale, is not counted); median latency " . fmt($med, 0) . " µs; TPS " . fmt($tps, 0) . ".";
		verdict("read effective_admin_roles: index plans only", 'no Seq Scan', $plan, $plan eq 'index');
		verdict("read effective_admin_roles: median latency (partner role)", '< 1000 µs', fmt($med, 0), defined $med ? $med < 1000 : undef);
	}
	for my $view (qw(customer_partners subscriptions_by_partner)) {
		my $x = $r{read}{$view};
		next unless $x;
		if ($x->{multipartner} && defined $x->{multipartner}{0}{missing}) {
			p "- `$view`: **skipped**, the view multipartner.$view does not exist yet (another issue adds it).";
			verdict("read $view", 'index plans, < 1 ms median, RLS <= 1.2x', 'view missing', undef);
			next;
		}
		if ($x->{multipartner} && defined $x->{multipartner}{0}{no_customer_id}) {
			p "- `$view`: **skipped**, the view has no customer_id column to select one customer by.";
			next;
		}
		my $own = median(series('read', $view, 'postgres', 'median_us'));
		my $rls = median(series('read', $view, 'bench_sales', 'median_us'));
		my $tps_own = median(series('read', $view, 'postgres', 'tps'));
		my $tps_rls = median(series('read', $view, 'bench_sales', 'tps'));
		my $ratio = ratios('read', $view, 'postgres', 'bench_sales', 'tps');
		my $plans = join(', ', map { "as $_: " . ($x->{"plan_$_"}{0}{plan} // 'n/a') } qw(postgres bench_sales));
		p "- `$view`: plans (generic, `EXPLAIN` in build/bench/read-$view-*.plan) $plans; median latency " . fmt($own, 0) . " µs as owner (row security bypassed), " .
		  fmt($rls, 0) . " µs as the partner role; TPS " . fmt($tps_own, 0) . " vs " . fmt($tps_rls, 0) .
		  " (RLS costs " . fmt($ratio) . "x).";
		if ($x->{hashed_bench_sales}) {
			p "  As the partner role the plan filters customer through a *hashed SubPlan*: the policy";
			p "  `customer_id IN (SELECT r.customer_id FROM relationship r WHERE r.partner_id = (SELECT acting_partner()))`";
			p "  is uncorrelated, so every one-customer read first reads and hashes **all** of the partner's relationships";
			p "  (partner 1 has 1/8 of the customers here): the cost grows with the partner's size, not the result's.";
		}
		my $idx = ($x->{plan_postgres}{0}{plan} // '') eq 'index' && ($x->{plan_bench_sales}{0}{plan} // '') eq 'index';
		verdict("read $view: index plans only", 'no Seq Scan',
		        join('; ', map { "$_: " . ($x->{"plan_$_"}{0}{plan} // 'n/a') } qw(postgres bench_sales)), $idx);
		verdict("read $view: median latency (partner role)", '< 1000 µs', fmt($rls, 0), defined $rls ? $rls < 1000 : undef);
		verdict("read $view: RLS cost", '<= 1.2x', fmt($ratio), defined $ratio ? $ratio <= 1.2 : undef);
	}
	p;
}

# ---------------------------------------------------------------- memory
if ($r{memory}) {
	my $m = $r{memory};
	my @batches = sort { $a <=> $b } keys %{ $m->{total_bytes}{multipartner} || {} };
	my $ntx = $batches[-1];
	p "## Memory: one backend, " . thousands($info{mem_calls}) . " calls of the extension's trigger functions";
	p;
	p "`CALL bench.mem_probe(...)` as the partner role, in a backend of its own: $ntx transactions (COMMIT each) of 50";
	p "single-row INSERTs and 50 single-row UPDATEs of subscriptions, 3 calls of the extension's trigger functions a";
	p "row (subscription_guard, audit, audit_log_guard); `pg_backend_memory_contexts` summed after every 10th";
	p "transaction. The same procedure on floor (no trigger of ours) is the control: what PL/pgSQL, the procedure";
	p "and PostgreSQL keep themselves.";
	p;
	p "| transactions | trigger calls | multipartner total bytes | used bytes | floor total bytes | used bytes |";
	p "|---:|---:|---:|---:|---:|---:|";
	my @show = @batches;
	if (@show > 12) {
		my $step = int(@show / 10);
		@show = map { $show[$_ * $step] } 0 .. 9;
		push @show, $batches[-1];
	}
	for my $b (@show) {
		p "| " . thousands($b) . " | " . thousands($m->{calls}{multipartner}{$b}{count}) . " | " .
		  join(' | ', map { thousands($m->{$_->[0]}{$_->[1]}{$b}{bytes}) }
		       (['total_bytes', 'multipartner'], ['used_bytes', 'multipartner'], ['total_bytes', 'floor'], ['used_bytes', 'floor'])) . " |";
	}
	# growth from the 10% mark (after warm-up) to the end
	my $warm = $batches[int($#batches / 10)];
	my %g;
	for my $t (qw(multipartner floor)) {
		for my $k (qw(total_bytes used_bytes)) {
			my ($x, $y) = ($m->{$k}{$t}{$warm}{bytes}, $m->{$k}{$t}{$ntx}{bytes});
			$g{$t}{$k} = defined $x && defined $y ? $y - $x : undef;
		}
	}
	my $xt = defined $g{floor}{total_bytes} ? $g{multipartner}{total_bytes} - $g{floor}{total_bytes} : $g{multipartner}{total_bytes};
	my $xu = defined $g{floor}{used_bytes} ? $g{multipartner}{used_bytes} - $g{floor}{used_bytes} : $g{multipartner}{used_bytes};
	my $flat = defined $xt && defined $xu && $xt <= 65536 && $xu <= 16384;
	p;
	p "From transaction " . thousands($warm) . " to " . thousands($ntx) . ": multipartner grew " . thousands($g{multipartner}{total_bytes}) .
	  " bytes (used: " . thousands($g{multipartner}{used_bytes}) . "), floor " . thousands($g{floor}{total_bytes}) .
	  " (used: " . thousands($g{floor}{used_bytes}) . "); the extension's own: " . thousands($xt) . " (used: " . thousands($xu) .
	  ", " . fmt($xu / ($ntx - $warm), 1) . " bytes a transaction). Flat = at most 64 kB allocated and 16 kB used beyond the control.";
	for my $t (qw(multipartner floor)) {
		my $f = "$res/memory-context-changes-$t.tsv";
		next unless -s $f;
		p;
		p "$t: contexts that changed between the 10% mark and the end (total bytes then → at the end; used bytes then → at the end):";
		p;
		open my $mh, '<', $f or die;
		while (<$mh>) { chomp; my @f = split /\t/; p "- $f[0]: " . thousands($f[1]) . " → " . thousands($f[2]) . "; used " . thousands($f[3]) . " → " . thousands($f[4]); }
		close $mh;
	}
	p;
	verdict("memory after " . thousands($m->{calls}{multipartner}{$ntx}{count}) . " trigger calls", 'flat (vs the control)',
	        thousands($xt) . ' bytes (' . thousands($xu) . ' used) beyond the control', $flat);
}

# ---------------------------------------------------------------- maintenance
if ($r{maintenance}) {
	my $m = $r{maintenance};
	my @kinds = qw(access_assignment_ended admin_relationship_expired admin_relationship_extended notice_sent
	               relationship_expired subscription_expired subscription_renewed);
	my @big = qw(subscription relationship admin_relationship access_assignment audit_log);
	my $tab = sub { my ($rel, $unit) = @_; return $m->{table}{$rel}{0}{$unit}; };
	# what a run read and wrote, summed over the extension's tables
	my $sum = sub {
		my ($c, $unit, @rels) = @_;
		@rels = grep { $_ !~ /^(all|plan|warm|cold|rollback)$/ && !grep { $_ eq $_[0] } @kinds } keys %{ $m->{$c} || {} } unless @rels;
		my $s = 0;
		for my $rel (@rels) {
			next if grep { $_ eq $rel } @kinds, qw(all plan warm cold rollback);
			$s += $m->{$c}{$rel}{0}{$unit} // 0;
		}
		return $s;
	};
	my $due = sub { my ($c) = @_; my $s = 0; $s += $m->{$c}{$_}{0}{count} // 0 for @kinds; return $s; };
	my $read = sub { my ($c) = @_; return $sum->($c, 'seq_tup_read') + $sum->($c, 'idx_tup_fetch'); };
	my $bigseq = sub { my ($c) = @_; return $sum->($c, 'seq_scan', @big); };
	my $q = sub { my ($a, $b) = @_; return defined $a && defined $b && $b ? $a / $b : undef; };
	my $nsubs = $tab->('subscription', 'rows');
	my $due_rows = $due->('due');
	my $due_ms = median(map { $m->{due}{rollback}{$_}{ms} } 1 .. ($info{maint_rounds} // 5));
	# medians of pgbench's per-transaction log; where the baseline's is 0 (a SELECT 1 can log 0 µs on
	# a coarse clock) every time falls back to pgbench's mean, which includes its own loop
	my $stat = ($m->{select1}{warm}{0}{median_us} && $m->{select1}{cold}{0}{median_us}) ? 'median_us' : 'mean_us';
	my ($s1w, $s1c) = map { $m->{select1}{$_}{0}{$stat} } qw(warm cold);
	my ($nw, $nc) = map { $m->{nothing}{$_}{0}{$stat} } qw(warm cold);
	my $sw = $m->{second}{warm}{0}{$stat};
	my $statname = $stat eq 'median_us' ? 'median' : 'mean';
	my $ending = ($m->{due}{notice_sent}{0}{count} // 0);

	p "## Maintenance: run_maintenance() on " . thousands($nsubs) . " subscriptions (issue 14)";
	p;
	p "A database of its own (`maint`, test/bench/maint_data.sql): " . thousands($nsubs) . " subscriptions (" .
	  thousands($tab->('subscription', 'pages')) . " pages), " . thousands($tab->('customer', 'rows')) . " customers, " .
	  thousands($tab->('relationship', 'rows')) . " relationships (" . thousands($tab->('relationship', 'rows') - $tab->('customer', 'rows')) .
	  " of them pending requests), " . thousands($tab->('admin_relationship', 'rows')) . " admin relationships with " .
	  thousands($tab->('access_assignment', 'rows')) . " assignments, loaded as superuser with the triggers off.";
	p "*Nothing due*: every term ends in the future and every end without renewal more than 30 days ahead.";
	p "*1% due*: test/bench/maint_due.sql moves the times of marked rows into the past (the same rows, the same table): 1% of";
	p "the subscriptions past `commitment_end` (half with `auto_renew`: renewals, P1M ones three terms late; a quarter";
	p "without it and a quarter suspended: expiries), 0.2% ending in 1 to 29 days without renewal (notices), 1% of the";
	p "admin relationships past `end_at` (with and without `auto_extend`), 90 days `approval_pending` or ending within 30";
	p "days, and half of the pending requests 91 days old. *Right after*: the next run once the 1%-due run is committed";
	p "(no VACUUM between). Each run as `bench_op`, a login role in `multipartner_operator`.";
	p;
	p "Rows read are `seq_tup_read + idx_tup_fetch` of `pg_stat_xact_user_tables` read inside the run's transaction,";
	p "index entries the entries its index scans returned (`pg_stat_get_xact_tuples_returned` of the indexes, dead ones";
	p "included), blocks the heap, index and toast blocks of the extension's tables (`pg_statio_user_tables`, hit or";
	p "read, planning included) before and after; the plans are auto_explain's (`log_nested_statements`, `log_analyze`,";
	p "`log_buffers`) of the 7th run in one session (after 5 a PL/pgSQL statement may take a generic plan), in";
	p "build/bench/maintenance-*.plan. Times: the 1%-due run can be measured once per state, so it runs in";
	p "`BEGIN ... ROLLBACK` $info{maint_rounds} times with a `VACUUM` before each (pgbench -t 1 -r, a new connection";
	p "each: client latency of the statement); the others are pgbench ${statname}s of $info{maint_calls} calls, in one session";
	p "(warm) or a new connection each (`-C`, cold: what a pg_cron job pays, as each run is a new backend), against the";
	p "same for `SELECT 1`.";
	p;
	p "| run | recorded | rows read | index entries read | rows written | blocks | seq scans of " . join('/', @big) . " | plan | time |";
	p "|---|---:|---:|---:|---:|---:|---:|---|---|";
	for my $c (qw(nothing due second)) {
		next unless $m->{$c};
		my $time = $c eq 'due' ? fmt($due_ms, 1) . " ms (median, rolled back); committed " . fmt(($m->{commit}{all}{0}{s_server} // 0) * 1000, 1) . " ms"
		         : $c eq 'nothing' ? fmt($nw, 0) . " µs warm, " . fmt($nc, 0) . " µs cold"
		         : fmt(($m->{second}{all}{0}{s_server} // 0) * 1e6, 0) . " µs (first), " . fmt($sw, 0) . " µs warm";
		my $label = { nothing => 'nothing due', due => '1% due', second => 'right after' }->{$c};
		p "| $label | " . thousands($due->($c)) . " | " . thousands($read->($c)) . " | " . thousands($sum->($c, 'index_entries')) .
		  " | " . thousands($sum->($c, 'n_tup_ins') + $sum->($c, 'n_tup_upd')) . " | " . thousands($sum->($c, 'blocks')) .
		  " | " . thousands($bigseq->($c)) . " | " . ($m->{$c}{plan}{0}{plan} // 'n/a') . " | $time |";
	}
	p;
	p "What the 1%-due run recorded: " . join(', ', map { "$_ " . thousands($m->{due}{$_}{0}{count}) } @kinds) .
	  " (the committed run recorded " . (join(' ', map { $m->{commit}{$_}{0}{count} // 'n/a' } @kinds) eq join(' ', map { $m->{due}{$_}{0}{count} // 'n/a' } @kinds) ? 'the same' : '**other counts**') . ").";
	p;
	p "Per table (seq scans, rows read by seq scans, index scans, rows fetched by them, index entries, rows inserted, updated, blocks):";
	p;
	p "| run | table | seq_scan | seq_tup_read | idx_scan | idx_tup_fetch | index entries | n_tup_ins | n_tup_upd | blocks |";
	p "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|";
	for my $c (qw(nothing due second)) {
		for my $rel (sort keys %{ $m->{$c} || {} }) {
			next if grep { $_ eq $rel } @kinds, qw(all plan warm cold rollback);
			my $x = $m->{$c}{$rel}{0};
			p "| $c | $rel | " . join(' | ', map { thousands($x->{$_} // 0) } qw(seq_scan seq_tup_read idx_scan idx_tup_fetch index_entries n_tup_ins n_tup_upd blocks)) . " |";
		}
	}
	p;
	my $rpd = $q->($read->('due'), $due_rows);
	my $epd = $q->($sum->('due', 'index_entries'), $due_rows);
	my $bpd = $q->($sum->('due', 'blocks'), $due_rows);
	my $blocks_due_sub = $m->{due}{subscription}{0}{blocks};
	my $second_read = $read->('second');
	my $rps = $q->($second_read, $ending + ($m->{due}{expiry_notice}{0}{n_tup_ins} // 0));
	p "Ratios, against baselines of the same run:";
	p;
	p "- 1% due: " . fmt($rpd) . " rows read, " . fmt($epd) . " index entries and " . fmt($bpd) . " blocks per due row (" .
	  thousands($due_rows) . " recorded; the blocks are mostly the writes: every UPDATE of a subscription adds an entry";
	p "  to each of its indexes and an audit row with its own, " . thousands($sum->('due', 'n_tup_ins')) . " rows inserted in all); " .
	  fmt($due_ms * 1000 / ($due_rows || 1), 1) . " µs per due row; the rows read are " . fmt(100 * $q->($read->('due'), $nsubs) // 0, 2) .
	  "% of the subscriptions.";
	p "- Nothing due: " . thousands($read->('nothing')) . " rows read, " . thousands($sum->('nothing', 'blocks')) . " blocks of tables of " .
	  thousands($tab->('subscription', 'pages')) . " pages (the partial indexes' paths to the first leaf, some read by the planner";
	p "  at its estimates); " . fmt($nw, 0) . " µs in a warm session = " . fmt($q->($nw, $s1w), 0) . "x a `SELECT 1` round trip (" .
	  fmt($s1w, 0) . " µs); on a new connection " . fmt($nc, 0) . " µs = " . fmt($q->($nc, $s1c), 1) . "x a `SELECT 1` on a new connection (" .
	  fmt($s1c, 0) . " µs): compiling the function and planning its statements.";
	p "- Right after: nothing recorded, but every run reads again what ends within 30 days without renewing (" .
	  thousands($ending) . " objects notified here) and probes `expiry_notice` for each of their " .
	  thousands($m->{due}{expiry_notice}{0}{n_tup_ins} // 0) . " remembered thresholds:";
	p "  " . thousands($second_read) . " rows read = " . fmt($rps) . " per object ending or notice remembered; and, until VACUUM, the index entries";
	p "  of the row versions the renewals and expiries left (a bitmap scan does not mark them dead): " .
	  thousands($m->{second}{subscription}{0}{index_entries} // 0) . " entries of subscription. Warm " . fmt($sw, 0) .
	  " µs = " . fmt($q->($sw, $s1w), 0) . "x `SELECT 1`.";
	p;
	verdict("maintenance, 1% due: rows read per due row", '<= 3', fmt($rpd), defined $rpd ? $rpd <= 3 : undef);
	verdict("maintenance, 1% due: index entries read per due row", '<= 3', fmt($epd), defined $epd ? $epd <= 3 : undef);
	for my $c (qw(nothing due second)) {
		next unless $m->{$c};
		my $label = { nothing => 'nothing due', due => '1% due', second => 'right after' }->{$c};
		my $plan = $m->{$c}{plan}{0}{plan} // 'n/a';
		verdict("maintenance, $label: seq scans of the big tables (statistics; plans)", '0; index',
		        thousands($bigseq->($c)) . "; $plan", $bigseq->($c) == 0 && $plan eq 'index');
	}
	verdict("maintenance, nothing due: rows read", '0', thousands($read->('nothing')), $read->('nothing') == 0);
	verdict("maintenance, nothing due: blocks of the extension's tables", '<= 64 (any table size)',
	        thousands($sum->('nothing', 'blocks')), $sum->('nothing', 'blocks') <= 64);
	verdict("maintenance, right after: transitions and notices recorded", '0', thousands($due->('second')), $due->('second') == 0);
	verdict("maintenance, right after: rows read per object ending or notice remembered", '<= 3', fmt($rps), defined $rps ? $rps <= 3 : undef);
}

# ---------------------------------------------------------------- citus
if ($r{citus} && !$r{citus}{skipped}) {
	my $c = $r{citus};
	p "## Citus: single-customer sale and update, distributed against a single node (issue 15)";
	p;
	p "test/bench/citus.sh: three nodes of the layer's own on this machine (a coordinator and two workers, the";
	p "settings of README \"Running on Citus\"), and on the coordinator two databases with the same data";
	p "(test/bench/citus_data.sql: " . thousands($info{citus_customers} // 0) . " customers of one partner, a subscription each):";
	p "`single` (no Citus) and `dist` (`CALL multipartner.distribute()`). pgbench as the LOGIN sales agent,";
	p "-M prepared, -c $info{clients}, $info{duration} s a run, $info{rounds} rounds interleaved single/dist, first round";
	p "discarded, median TPS. On `dist` the role runs with `citus.multi_task_query_log_level = error`, so any";
	p "statement that is not a router query fails and stops the run: the runs finished, so every sale and";
	p "update was one task. All three nodes share these " . ($info{nproc} // '?') . " cores with pgbench, so the ratio says";
	p "what distribution costs a single customer's write here, not what more machines would give.";
	p;
	p "| workload | EXPLAIN Task Count on dist | single TPS | dist TPS | dist / single |";
	p "|---|---:|---:|---:|---:|";
	for my $w (qw(insert update)) {
		my $tasks = $c->{$w}{explain}{0}{tasks};
		my $st = median(series('citus', $w, 'single', 'tps'));
		my $dt = median(series('citus', $w, 'dist', 'tps'));
		my $ratio = ratios('citus', $w, 'dist', 'single', 'tps');
		p "| " . ($w eq 'insert' ? 'sale (INSERT)' : 'update (quantity)') . " | " . ($tasks // 'n/a') .
		  " | " . fmt($st) . " | " . fmt($dt) . " | " . (defined $ratio ? sprintf('%.2fx', $ratio) : 'n/a') . " |";
		verdict("citus: $w is a router query (EXPLAIN, and no multi-task error in the run)", '1 task',
				$tasks // 'n/a', defined $tasks ? $tasks == 1 : undef);
	}
	p;
	p "A client with a time zone of its own (`PGTZ=Europe/Rome`, as a driver sends one) on `dist`: the";
	p "extension carries it to the workers, in the DO block of `SET LOCAL`s that carries the acting partner";
	p "(README \"The session's time zone on Citus\"). Same runs, interleaved with the two above:";
	p;
	p "| workload | dist TPS | dist, client zone TPS | client zone / dist |";
	p "|---|---:|---:|---:|";
	for my $w (qw(insert update)) {
		my $dt = median(series('citus', $w, 'dist', 'tps'));
		my $zt = median(series('citus', $w, 'dist_tz', 'tps'));
		my $ratio = ratios('citus', $w, 'dist_tz', 'dist', 'tps');
		p "| " . ($w eq 'insert' ? 'sale (INSERT)' : 'update (quantity)') . " | " . fmt($dt) . " | " . fmt($zt) .
		  " | " . (defined $ratio ? sprintf('%.2fx', $ratio) : 'n/a') . " |";
	}
	my $gap = $c->{audit_gap}{dist}{0}{rows};
	p;
	p "Every subscription of `dist` (loaded and sold) has exactly one INSERT audit row: " .
	  (defined $gap && $gap == 0 ? 'yes' : 'no (' . ($gap // 'not measured') . ' missing)') . ".";
	p;
	verdict("citus: every sale audited once", '0 missing', $gap // 'n/a', defined $gap ? $gap == 0 : undef);
}

# ---------------------------------------------------------------- summary
my @summary;
push @summary, "## Targets of issue 6", '', "| target | wanted | measured | verdict |", "|---|---|---:|---|";
push @summary, map { "| $_->[0] | $_->[1] | $_->[2] | $_->[3] |" } @{ $verdicts{list} || [] };
push @summary, '';
splice @out, (grep { $out[$_] =~ /^## / } 0 .. $#out)[0] // scalar(@out), 0, @summary;

# The reading of the numbers (which target is missed, by how much, why, what was done), kept by hand
# in test/bench/ANALYSIS.md because it is judgement, not measurement.
{
	(my $dir = __FILE__) =~ s{[^/]*$}{};
	my $analysis = ($dir eq '' ? './' : $dir) . 'ANALYSIS.md';
	if (open my $ah, '<', $analysis)
	{
		local $/;
		my $text = <$ah>;
		close $ah;
		chomp $text;
		p $text;
		p;
	}
}

p "## Reproduce";
p;
p "`$info{command}` as root on Debian bookworm (installs what is missing, builds, installs, runs everything on a";
p "private cluster and removes it; QUICK=1 for a short development run). Raw numbers: build/bench/ (results.tsv,";
p "pgbench outputs, callgrind dumps of the extension's statements and their annotations).";

open my $oh, '>', $outfile or die "$outfile: $!";
print $oh join("\n", @out), "\n";
close $oh;

# stdout: the summary and the main tables
my $show = 0;
for (@out) {
	$show = 1 if /^## (Targets|pgbench|Bulk|Callgrind|Memory|Reads|Maintenance|Citus)/;
	$show = 0 if /^(Raw |Where the extension|Per table|## Reproduce)/;
	print "$_\n" if $show;
}
