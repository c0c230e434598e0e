#!/usr/bin/perl
# readme_examples.pl: the README's examples, as test/scripts/t_readme_examples.sh runs them.
#
#   readme_examples.pl extract README.md            the psql script of every runnable example
#   readme_examples.pl compare README.md OUT [FILE...]
#                                                   compare psql's output OUT with what README shows
#
# What README.md marks, and how:
#   - A fenced ```sql block is an example. They run in order, in one psql session (psql -X, default
#     settings, connected to database "demo" of a cluster in the state a fresh `make demo` leaves, as
#     its superuser), the way a reader pastes them one after the other into the psql that `make demo`
#     prints.
#   - A fenced ```text block right after an example (blank lines between allowed) is what psql prints
#     for it, errors, notices and command tags included, exactly (trailing blanks aside, and without
#     the "psql:<stdin>:N: " prefix psql puts before errors when it reads a script). An example with
#     no output shown must raise no error; its output is not compared.
#   - <!-- readme-test: skip (why) --> on the line before a fence: that block is not run (shell lines,
#     a server's own config). Every other fenced block must be sql or text: an unmarked block of
#     another kind fails the test, so no example escapes it by accident.
#     A value psql's wrapped format broke over two lines is compared as one line.
#   - <!-- readme-test: unchecked (why) --> before an example: it runs, but neither its errors nor
#     its output are checked (for behaviour another branch brings; remove the marker when it lands).
# uuids: a uuid that appears in an example's SQL or in a FILE (the demo's SQL) is compared as
# written; any other (one gen_random_uuid() made in this run) compares equal to any uuid.
use strict;
use warnings;

my $UUID = qr/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/;

sub parse_readme {
	my ($file) = @_;
	open my $fh, '<', $file or die "readme_examples.pl: cannot read $file: $!\n";
	my @lines = <$fh>;
	close $fh;
	my (@blocks, @errors);
	my $marker = '';
	my $i = 0;
	while ($i < @lines) {
		my $l = $lines[$i];
		if ($l =~ /^<!--\s*readme-test:\s*(skip|unchecked)\b/) {
			$marker = $1;
			$i++;
			next;
		}
		if ($l =~ /^(\s*)```\s*(\S*)\s*$/) {
			my ($indent, $lang) = ($1, $2);
			my $start = $i + 1;
			my @body;
			$i++;
			while ($i < @lines && $lines[$i] !~ /^\s*```\s*$/) {
				push @body, $lines[$i];
				$i++;
			}
			push @errors, "README.md:$start: fence not closed" if $i >= @lines;
			$i++;
			push @errors, "README.md:$start: indented fence (examples start at the first column)"
				if length $indent;
			my $block = { line => $start, lang => $lang, body => join('', @body), marker => $marker };
			$marker = '';
			if ($block->{marker} eq 'skip') {
				next;
			}
			if ($lang eq 'sql') {
				push @blocks, $block;
			} elsif ($lang eq 'text' && @blocks && !exists $blocks[-1]{expected}
					 && $blocks[-1]{end} == $start - 1) {
				$blocks[-1]{expected} = $block->{body};
			} elsif ($lang eq 'text') {
				push @errors, "README.md:$start: a text block that follows no example";
			} else {
				push @errors, "README.md:$start: a ```$lang block that is neither an example (sql), "
					. "its output (text) nor marked <!-- readme-test: skip (why) -->";
			}
			$blocks[-1]{end} = $i if $lang eq 'sql';
			next;
		}
		# blank lines may stand between an example and its output; anything else ends the pair
		if (@blocks && defined $blocks[-1]{end} && $blocks[-1]{end} == $i && $l =~ /^\s*$/) {
			$blocks[-1]{end} = $i + 1;
		}
		$marker = '' if $l !~ /^\s*$/;
		$i++;
	}
	return (\@blocks, \@errors);
}

sub normalize {
	my ($text, $fixed) = @_;
	my @out;
	for my $l (split /\n/, $text, -1) {
		$l =~ s/^psql:[^:\n]*:\d+: //;
		$l =~ s/\s+$//;
		# a value psql's wrapped format broke ("...abc." then "   |.def"): one line again, so that
		# a uuid it broke is masked whole (where it broke follows from the rest, which is compared)
		if (@out && $out[-1] =~ /\.$/ && $l =~ /^\s*\|\.(.*)$/) {
			my $rest = $1;
			$out[-1] =~ s/\.$//;
			$out[-1] .= $rest;
			next;
		}
		push @out, $l;
	}
	s/($UUID)/$fixed->{$1} ? $1 : '<uuid>'/ge for @out;
	pop @out while @out && $out[-1] eq '';
	shift @out while @out && $out[0] eq '';
	return join("\n", @out);
}

my ($mode, $readme, @rest) = @ARGV;
die "usage: $0 extract README | compare README OUT [FILE...]\n"
	unless defined $readme && ($mode // '') =~ /^(extract|compare)$/;
my ($blocks, $errors) = parse_readme($readme);
if (@$errors) {
	print "FAILED - $_\n" for @$errors;
	exit 1;
}

if ($mode eq 'extract') {
	for my $n (0 .. $#$blocks) {
		print "\\echo '\@\@readme-block $n'\n", $blocks->[$n]{body};
	}
	print "\\echo '\@\@readme-end'\n";
	exit 0;
}

my ($outfile, @files) = @rest;
open my $fh, '<', $outfile or die "readme_examples.pl: cannot read $outfile: $!\n";
my $all = do { local $/; <$fh> };
close $fh;
my %fixed;
for my $text ((map { $_->{body} } @$blocks), map { local $/; open my $f, '<', $_ or die "$_: $!\n"; scalar <$f> } @files) {
	$fixed{$1} = 1 while $text =~ /($UUID)/g;
}

my %actual;
my @parts = split /^\@\@readme-(block \d+|end)\n/m, $all;
my $before = shift @parts;
while (@parts) {
	my ($tag, $text) = splice @parts, 0, 2;
	$actual{$1} = $text if $tag =~ /^block (\d+)$/;
}
my $failed = 0;
printf "ok - README.md has %d examples, %d of them with their output\n", scalar @$blocks,
	scalar grep { defined $_->{expected} } @$blocks;
for my $n (0 .. $#$blocks) {
	my $b = $blocks->[$n];
	my $where = "README.md:$b->{line}";
	my $first = (grep { /\S/ && !/^\s*--/ } split /\n/, $b->{body})[0] // '';
	$first = substr($first, 0, 60);
	if (!exists $actual{$n}) {
		print "FAILED - $where ($first): did not run (psql stopped before it)\n";
		$failed++;
		next;
	}
	my $got = normalize($actual{$n}, \%fixed);
	if ($b->{marker} eq 'unchecked') {
		print "ok - $where ($first) ran, not checked (marked unchecked)\n";
		next;
	}
	if (defined $b->{expected}) {
		my $want = normalize($b->{expected}, \%fixed);
		if ($got eq $want) {
			print "ok - $where ($first): output as shown\n";
		} else {
			print "FAILED - $where ($first): psql printed something else\n";
			print "--- README shows:\n$want\n--- psql printed:\n$got\n---\n";
			$failed++;
		}
	} elsif ($got =~ /^(ERROR|FATAL|PANIC):/m) {
		print "FAILED - $where ($first): an error README does not show\n$got\n";
		$failed++;
	} else {
		print "ok - $where ($first): no error\n";
	}
}
exit($failed ? 1 : 0);
