#!/usr/bin/env bash
# A saved history (SPEC.md, "A saved history"; issue 12) is one profile to
# every folded reader: flamegraph.pl draws it with flametop's total, and
# `flametop fold`/`report` merge its seconds as if the markers were not
# there.  The file is tests/data/history.folded, which the unit test
# test_timeline checks is exactly what the writer writes.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEER=$ROOT/../shared/peers/FlameGraph
H=$ROOT/tests/data/history.folded

if ! [ -r "$PEER/flamegraph.pl" ] || ! command -v perl > /dev/null; then
	fail "the peer $PEER/flamegraph.pl and perl are needed"
	exit 0
fi

# the sum of the counts of the stack lines
total() { awk '!/^#/ && NF { s += $NF } END { print s + 0 }' "$1"; }
# the stacks merged and sorted bytewise, as folded__write writes them (perl's sort is cmp)
merged() {
	perl -ne 'next if /^#/ || /^\s*$/; s/\r?\n$//; /^(.*) (\d+)$/ or die; $c{$1} += $2;
		END { print "$_ $c{$_}\n" for sort keys %c }' "$1"
}

check "the file is a saved history (header, then markers)" \
	bash -c "head -1 '$H' | grep -q '^# flametop history v1 ' && [ \$(grep -c '^# t=' '$H') -ge 2 ]"
check "no line but a stack ends in a space and digits" \
	bash -c "! grep '^#' '$H' | grep -qE '[[:space:]][0-9]+\$'"

perl "$PEER/flamegraph.pl" "$H" > "$TMP/h.svg" 2> "$TMP/fg.err"
rc=$?
n=$(grep -oE '<title>all \([0-9,]+ samples' "$TMP/h.svg" | grep -oE '[0-9,]+' | tr -d ,)
"$FT" report -n 0 "$H" > "$TMP/report" 2> "$TMP/report.err"
rrc=$?
rtotal=$(awk '!/^#/ { s += $3 } END { print s + 0 }' "$TMP/report")
check "flamegraph.pl renders it (exit $rc)" test $rc -eq 0 -a -s "$TMP/h.svg"
check "flamegraph.pl skips exactly the comment lines ($(cat "$TMP/fg.err"))" \
	grep -q "Ignored $(grep -c '^#' "$H") lines" "$TMP/fg.err"
check "flametop report reads it (exit $rrc)" test $rrc -eq 0 -a ! -s "$TMP/report.err"
check "flamegraph.pl's total ($n) is flametop report's ($rtotal) and the file's" \
	test "${n:-x}" = "$rtotal" -a "$rtotal" = "$(total "$H")"

"$FT" fold "$H" -o "$TMP/fold.folded"
merged "$H" > "$TMP/merged.folded"
check "flametop fold is the merged profile, byte for byte" \
	cmp -s "$TMP/merged.folded" "$TMP/fold.folded"
"$FT" fold - < "$H" > "$TMP/stdin.folded"
check "flametop fold reads it from a pipe too" cmp -s "$TMP/merged.folded" "$TMP/stdin.folded"
sed 's/$/\r/' "$H" > "$TMP/crlf.folded"
"$FT" fold "$TMP/crlf.folded" -o "$TMP/crlf-out.folded"
check "with CRLF line breaks, the same profile" cmp -s "$TMP/merged.folded" "$TMP/crlf-out.folded"
"$FT" report -n 0 --diff "$TMP/fold.folded" --sort delta "$H" > "$TMP/diff" 2>&1
check "report --diff against its fold: no change anywhere" \
	bash -c "[ \$(grep -vc '^#' '$TMP/diff') -gt 0 ] && ! awk '!/^#/ { print \$5 }' '$TMP/diff' | grep -qv '^+0.0\$'"
# the same frames with the same counts (its colours and element order are random)
perl "$PEER/flamegraph.pl" "$TMP/fold.folded" > "$TMP/fold.svg" 2> /dev/null
check "flamegraph.pl draws the same frames from the file and from its fold" \
	bash -c "[ \$(grep -c '<title>' '$TMP/h.svg') -gt 10 ] &&
		diff <(grep -o '<title>[^<]*</title>' '$TMP/h.svg' | sort) \
		     <(grep -o '<title>[^<]*</title>' '$TMP/fold.svg' | sort) > /dev/null"
