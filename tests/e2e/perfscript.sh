#!/usr/bin/env bash
# perf script text (issue 11, items 7 and 9): flametop folds what perf
# records here, in several shapes, and FlameGraph's own corpus exactly as
# stackcollapse-perf.pl --kernel does (period weights included), and tells
# folded text from perf script text.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEER=$ROOT/../shared/peers/FlameGraph
W=$BUILD/workloads

# same NAME FILE: `flametop fold` and the script give the same bytes (both
# write their lines in bytewise order: the script sorts with cmp)
# (same NAME FILE --lines: fold --lines against the script's --srcline)
same() {
	local name=$1 in=$2 lines=${3:-}
	rm -f "$TMP/ft.folded"
	"$FT" fold "$in" $lines -o "$TMP/ft.folded" 2> "$TMP/ft.err"
	local rc=$?
	perl "$PEER/stackcollapse-perf.pl" --kernel ${lines:+--srcline} "$in" > "$TMP/pl.folded" 2> /dev/null
	if [ $rc -eq 0 ] && [ -s "$TMP/pl.folded" ] && cmp -s "$TMP/pl.folded" "$TMP/ft.folded"
	then pass "$name"
	else fail "$name: exit $rc $(head -c 200 "$TMP/ft.err")" \
		"$(diff "$TMP/pl.folded" "$TMP/ft.folded" | head -4 | cut -c1-160)"
	fi
}

# the sum of the counts of a folded file
total() { awk '{ s += $NF } END { print s + 0 }' "$1"; }
# the periods printed in perf script headers ("TIME: PERIOD EVENT:")
periods() { grep -oE '^[^[:space:]].*: +[0-9]+ [^ ]+: *$' "$1" | awk '{ print $(NF-1) }'; }

if ! [ -r "$PEER/stackcollapse-perf.pl" ] || ! command -v perl > /dev/null; then
	fail "the peer $PEER/stackcollapse-perf.pl and perl are needed"
	exit 0
fi

# (a) perf record -F 997 -g, perf script as is: each header prints a period
perf record -F 997 -g -o "$TMP/a.data" -- "$W/split" -s 1 > /dev/null 2>&1
perf script -i "$TMP/a.data" > "$TMP/a.txt" 2> /dev/null
check "(a) perf script prints a period in every header" \
	test "$(periods "$TMP/a.txt" | wc -l)" -eq "$(grep -c '^split' "$TMP/a.txt")"
same "(a) perf record -F 997 -g: fold is the script's, byte for byte" "$TMP/a.txt"
check "(a) the stacks are whole (main;round_of_work;via_alpha;leaf_sixty)" \
	grep -q ';main;round_of_work;via_alpha;leaf_sixty ' "$TMP/ft.folded"
check "(a) counts are periods, not samples" \
	test "$(total "$TMP/ft.folded")" -eq "$(periods "$TMP/a.txt" | awk '{ s += $1 } END { print s }')"

# (srcline) perf script -F+srcline prints a source line after each frame:
# fold --lines reads them as the script's --srcline does
perf record -F 499 -g -o "$TMP/s.data" -- "$W/split-inline" -s 1 > /dev/null 2>&1
perf script -F+srcline -i "$TMP/s.data" > "$TMP/s.txt" 2> /dev/null
check "(srcline) perf script -F+srcline prints source lines" grep -q '^  split.c:[0-9]' "$TMP/s.txt"
same "(srcline) fold --lines is the script's --srcline, byte for byte" "$TMP/s.txt" --lines
check "(srcline) frames as func:file:line" grep -q ';leaf_sixty:split.c:[0-9]* ' "$TMP/ft.folded"

# (a') periods that differ from sample to sample: a software event other than
# a clock, whose period perf -F adapts (cpu-clock's is fixed)
perf record -e page-faults -F 997 -g -o "$TMP/pf.data" -- \
	python3 -c 'x = b"\1" * (1 << 27); y = bytes(x)' > /dev/null 2>&1
perf script -i "$TMP/pf.data" > "$TMP/pf.txt" 2> /dev/null
n=$(periods "$TMP/pf.txt" | sort -u | wc -l)
check "(a') page-faults -F 997: the periods differ ($n distinct)" test "$n" -ge 3
same "(a') periods that differ: fold is the script's, byte for byte" "$TMP/pf.txt"
"$FT" report -n 0 "$TMP/pf.txt" > "$TMP/pf.report" 2> /dev/null
check "(a') report counts the periods too" \
	test "$(awk '!/^#/ { s += $3 } END { print s }' "$TMP/pf.report")" -eq "$(total "$TMP/pl.folded")"

# (b) the same recordings with no period printed: each sample counts 1
perf script -i "$TMP/pf.data" -F comm,tid,time,event,ip,sym,dso > "$TMP/b.txt" 2> /dev/null
check "(b) perf script -F ... prints no period" \
	bash -c "! grep -qE '^[^[:space:]].*: +[0-9]+ [^ ]+: *\$' '$TMP/b.txt' && grep -q 'page-faults:' '$TMP/b.txt'"
same "(b) no period: fold is the script's, byte for byte" "$TMP/b.txt"
check "(b) ... and counts samples" \
	test "$(total "$TMP/ft.folded")" -eq "$(grep -c 'page-faults:' "$TMP/b.txt")"
perf script -i "$TMP/a.data" -F comm,pid,tid,time,event,ip,sym,symoff,dso > "$TMP/b2.txt" 2> /dev/null
same "(b) pid/tid, symbol offsets, no period: fold is the script's" "$TMP/b2.txt"

# (c) a module whose path holds a space
mkdir -p "$TMP/my libs"
cp "$W/libplugin.so" "$TMP/my libs/libplugin.so"
perf record -F 997 -g -o "$TMP/c.data" -- "$W/plugin_host" "$TMP/my libs/libplugin.so" \
	-s 1.5 -l 0.2 > /dev/null 2>&1
perf script -i "$TMP/c.data" > "$TMP/c.txt" 2> /dev/null
check "(c) perf script names the module by its path with a space" \
	grep -qF "($TMP/my libs/libplugin.so)" "$TMP/c.txt"
same "(c) a module path with a space: fold is the script's, byte for byte" "$TMP/c.txt"
check "(c) the plugin's frames are there" grep -q 'plugin_leaf' "$TMP/ft.folded"

# (d) two events: only the first one's samples
perf record -e cpu-clock -e task-clock -F 997 -g -o "$TMP/d.data" -- "$W/split" -s 1 \
	> /dev/null 2>&1
perf script -i "$TMP/d.data" > "$TMP/d.txt" 2> /dev/null
check "(d) perf script holds samples of both events" \
	bash -c "grep -q ' cpu-clock:' '$TMP/d.txt' && grep -q ' task-clock:' '$TMP/d.txt'"
same "(d) two events: fold is the script's, byte for byte" "$TMP/d.txt"
first=$(grep -m1 -oE '(cpu|task)-clock:' "$TMP/d.txt")
check "(d) ... the total is the first event's ($first) periods" \
	test "$(total "$TMP/ft.folded")" -eq \
	"$(grep -E "^[^[:space:]].* $first" "$TMP/d.txt" | awk '{ s += $(NF-1) } END { print s }')"

# FlameGraph's corpus of perf script captures, every file of it
for f in "$PEER"/test/*.txt; do
	same "FlameGraph test/$(basename "$f"): fold is the script's, byte for byte" "$f"
done

# Line order: the script sorts whole stacks with cmp, so "main;foo.isra.0"
# ('.' < ';') comes before "main;foo;x" though "foo" < "foo.isra.0"
printf 'ab 1 1.0: 1 cpu-clock: \n\t1 x (/x)\n\t2 foo (/x)\n\t3 main (/x)\n\n%b' \
	'ab 1 1.1: 2 cpu-clock: \n\t2 foo.isra.0 (/x)\n\t3 main (/x)\n\n' > "$TMP/order.txt"
same "fold orders lines as the script does (a frame that prefixes its sibling)" "$TMP/order.txt"

# perf script without -g: no stack, no blank line, so no sample at all
perf record -F 997 -o "$TMP/nog.data" -- "$W/split" -s 0.5 > /dev/null 2>&1
perf script -i "$TMP/nog.data" > "$TMP/nog.txt" 2> /dev/null
"$FT" report "$TMP/nog.txt" > /dev/null 2> "$TMP/nog.err"
rc=$?
check "perf script of a recording without -g: exit 1 ($rc), FILE:LINE: no sample" \
	bash -c "[ $rc -eq 1 ] && grep -q 'nog.txt:[0-9]*: no perf script sample' '$TMP/nog.err'"

# Item 7: folded text that the old detection took for perf script
report_b5() {	# report_b5 NAME TEXT: `report -` exits 0 and b has 5 samples
	local name=$1
	printf "$2" | "$FT" report - > "$TMP/r7" 2> "$TMP/r7.err"
	local rc=$?
	if [ $rc -eq 0 ] && awk '$NF == "b" && $3 == 5 { ok = 1 } END { exit !ok }' "$TMP/r7"
	then pass "$name"
	else fail "$name: exit $rc $(head -c 200 "$TMP/r7.err")"; fi
}
report_b5 "folded, first line of spaces: read as folded" ' \na;b 5\n'
report_b5 "folded, lines led by a tab: read as folded" '\ta;b 5\n\tc 2\n'
report_b5 "folded with '# ===' comment lines: read as folded" '# ========\n# x\na;b 5\n'

printf 'hello world\nthis is not a profile\n' > "$TMP/prose.txt"
"$FT" report "$TMP/prose.txt" > /dev/null 2> "$TMP/prose.err"
rc=$?
check "text of neither format: exit 1 ($rc) with FILE:LINE:" \
	bash -c "[ $rc -eq 1 ] && grep -q 'prose.txt:1: ' '$TMP/prose.err'"
printf 'ab 1 1.0: 1 cpu-clock: \n\t1 f (/x)\n\nab 1 1.0: 1 cpu-clock: \n\t1 f\0 (/x)\n\n' \
	> "$TMP/nul.txt"
"$FT" report "$TMP/nul.txt" > /dev/null 2> "$TMP/nul.err"
rc=$?
check "a NUL byte in perf script text: exit 1 ($rc) with FILE:5:" \
	bash -c "[ $rc -eq 1 ] && grep -q 'nul.txt:5: ' '$TMP/nul.err'"
