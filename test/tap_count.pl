#!/usr/bin/perl
# test/tap_count.pl [--label=TEXT] FILE...: count the pgTAP assertions of pg_regress result files with
# a TAP consumer (TAP::Parser, in perl's core) instead of grep: every file must be a valid TAP stream
# (its plan given once and kept, no assertion numbers out of order); lines that are not TAP (psql's
# echo of the test's header, comments) are ignored, as TAP says.  Prints one line:
#   "pgTAP assertions: N ok, N not ok, N todo (known limits, listed in README)"
# and, for each file whose stream is not valid, a line "bad TAP stream in FILE: ..."; exits 1 then
# (a failed assertion is already a failed suite: pg_regress compares it with the expected stream).
# With --label=TEXT (the raw streams of the TAP tests t/*.pl) the line is "TEXT: N ok, N not ok, N todo".
use strict;
use warnings;
use TAP::Parser;

my $label;
$label = substr(shift @ARGV, length '--label=') if @ARGV && $ARGV[0] =~ /^--label=/;
my ($ok, $bad, $todo, $broken) = (0, 0, 0, 0);
for my $file (@ARGV) {
	open my $fh, '<', $file or die "$file: $!";
	my $tap = do { local $/; <$fh> };
	close $fh;
	next unless $tap =~ /^1\.\.\d+|^(?:not )?ok \d/m;	# a suite with no pgTAP (isolation output)
	my $p = TAP::Parser->new({ tap => $tap });
	while (my $r = $p->next) {
		next unless $r->is_test;
		if ($r->has_todo) { $todo++ unless $r->is_actual_ok; $ok++ if $r->is_actual_ok; }
		elsif ($r->is_ok) { $ok++; }
		else { $bad++; }
	}
	my @errors = $p->parse_errors;
	if (@errors) {
		$broken++;
		print "bad TAP stream in $file: $_\n" for @errors;
	}
}
if (defined $label) { print "$label: $ok ok, $bad not ok, $todo todo\n"; }
else { print "pgTAP assertions: $ok ok, $bad not ok, $todo todo (known limits, listed in README)\n"; }
exit($broken ? 1 : 0);
