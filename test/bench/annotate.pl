#!/usr/bin/perl
# test/bench/annotate.pl CALLGRIND_FILE DIVISOR: where one measured statement's instructions go, per row
# (DIVISOR = rows of the statement), for BENCHMARKS.md.  Two parts, from callgrind_annotate:
#   functions   inclusive instructions of the extension's functions (multipartner.so) and of the
#               PostgreSQL functions that frame them (postgres is stripped: only exported names);
#   call sites  every line of the extension's rule and audit files (subscription.c, relationship.c,
#               audit.c, identity.c, party.c) that calls something, with the callee's inclusive cost:
#               which look-up or write costs what.  Nested sites overlap (a line of identity.c is also
#               inside a line of subscription.c).
use strict;
use warnings;

my ($file, $div) = @ARGV;
die "usage: annotate.pl CALLGRIND_FILE DIVISOR\n" unless $file && $div;

sub num { my ($s) = @_; $s =~ s/,//g; return $s; }
sub per { my ($x) = @_; my $s = sprintf('%.0f', $x / $div); 1 while $s =~ s/^(\d+)(\d{3})/$1,$2/; return $s; }

my @frame = qw(RI_FKey_check_ins RI_FKey_check_upd SPI_execute_plan SPI_execute_snapshot SPI_connect SPI_finish
  SPI_prepare SPI_keepplan to_jsonb heap_copy_tuple_as_datum ExecInsertIndexTuples heap_insert heap_update
  ExecBRInsertTriggers ExecBRUpdateTriggers AfterTriggerEndQuery standard_ExecutorStart standard_ExecutorEnd
  ExecInitNode CommitTransactionCommand table_tuple_lock heap_lock_tuple SearchCatCache1 GetUserNameFromId
  has_privs_of_role superuser_arg nextval_internal txid_current ExecWithCheckOptions);
my %frame = map { $_ => 1 } @frame;

open my $fh, '-|', 'callgrind_annotate', '--inclusive=yes', '--show-percs=no', '--threshold=100', $file
  or die "callgrind_annotate: $!";
my (%fn, $total);
while (<$fh>) {
	chomp;
	if (/^\s*([\d,]+)\s+PROGRAM TOTALS/) { $total = num($1); next; }
	next unless /^\s*([\d,]+)\s+(\S+?):(\S+)(?:\s+\[(.*)\])?\s*$/;
	my ($c, $path, $fname, $obj) = ($1, $2, $3, $4 // '');
	my $cost = num($c);
	$fname =~ s/'\d+$//;
	my $ours = $obj =~ /multipartner\.so/ || $path =~ m{(?:^|/)src/\w+\.c$};
	next unless $ours || $frame{$fname};
	$fn{$fname} = { cost => $cost, ours => $ours } if !$fn{$fname} || $fn{$fname}{cost} < $cost;
}
close $fh;

open $fh, '-|', 'callgrind_annotate', '--auto=yes', '--inclusive=yes', '--show-percs=no', '--threshold=100', $file
  or die "callgrind_annotate: $!";
my ($src, $line, %site);
while (<$fh>) {
	chomp;
	if (/^-- Auto-annotated source: (.*)$/) { $src = $1 =~ m{(?:^|/)src/((?:subscription|relationship|audit|identity|party)\.c)$} ? $1 : undef; next; }
	next unless $src;
	if (/^\s*([\d,]+)\s+=> (\S+?):(\S+) \(([\d,]+)x\)/) {
		next unless defined $line;
		my ($c, $callee, $nx) = ($1, $3, $4);
		my ($cost, $n) = (num($c), num($nx));
		$callee =~ s/'\d+$//;
		my $k = "$src\t$line";
		$site{$k}{cost} += $cost;
		push @{ $site{$k}{callees} }, sprintf('%s %s', $callee, $n == $div ? '' : "${n}x");
		next;
	}
	if (/^\s*(?:[\d,]+|\.)\s\s(.*\S)\s*$/) {
		$line = $1;
		$line =~ s/^\s+//;
		$line =~ s/\s+/ /g;
	}
}
close $fh;

printf "statement total: %s instructions per row\n\n", per($total);
print "inclusive instructions per row, by function (ours marked *):\n";
for my $f (sort { $fn{$b}{cost} <=> $fn{$a}{cost} } keys %fn) {
	next if $fn{$f}{cost} < 0.005 * $total;
	printf "  %12s  %s%s\n", per($fn{$f}{cost}), $fn{$f}{ours} ? '* ' : '  ', $f;
}
print "\ncall sites in the extension's rule and audit code, inclusive instructions per row:\n";
my @sites = sort { $site{$b}{cost} <=> $site{$a}{cost} } keys %site;
for my $k (@sites[0 .. ($#sites < 17 ? $#sites : 17)]) {
	my ($f, $l) = split /\t/, $k;
	next if $site{$k}{cost} < 0.005 * $total;
	$l = substr($l, 0, 70) . '...' if length($l) > 73;
	my %seen;
	my $callees = join(', ', grep { !$seen{$_}++ } @{ $site{$k}{callees} });
	$callees =~ s/\s+,/,/g;
	$callees =~ s/\s+$//;
	printf "  %12s  %-14s %s  [%s]\n", per($site{$k}{cost}), $f, $l, $callees;
}
