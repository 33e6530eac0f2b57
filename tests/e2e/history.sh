#!/usr/bin/env bash
# A saved history, end to end: `record --timeline` of a workload that
# changes phase, then `flametop view` of the file in tmux — the timeline,
# rewind, baseline and diff work as in the live view, paused at the end;
# `w` in the live view saves one too; report and flamegraph.pl read it as
# one profile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
W=$BUILD/workloads/split
FLAMEGRAPH=$(realpath "$(dirname "$0")/../..")/../shared/peers/FlameGraph/flamegraph.pl
H=$TMP/phases.history.folded

first_row() { screen | awk '/FUNCTION \(by/ { getline; print $NF; exit }'; }

# split -p 4: leaf_sixty takes 60% for 4 s, then leaf_ten does
start_workload "$TMP/w1.out" "$W" -s 30 -p 4
"$FT" record --timeline -p "$WPID" -d 9 -o "$H" 2> "$TMP/record.err"
check "record --timeline writes a saved history" head -1 "$H" | grep -q '^# flametop history v1 target=pid'
check "... with a marker per second" test "$(grep -c '^# t=' "$H")" -ge 7
check "... whose stack lines are valid folded" \
	bash -c "grep -v '^#' '$H' > '$TMP/stacks' && grep -vqP '^[^;\n]+(;[^;\n]+)* [1-9][0-9]*\$' '$TMP/stacks'; test \$? = 1"
"$FT" report -n 0 "$H" > "$TMP/report" 2> "$TMP/report.err"
check "report reads it as one profile" grep -q 'leaf_sixty' "$TMP/report"
check "... both phases in it" grep -q 'leaf_ten' "$TMP/report"
perl "$FLAMEGRAPH" "$H" > "$TMP/h.svg" 2> "$TMP/fg.err"
check "flamegraph.pl draws it (the comment lines ignored)" grep -q 'leaf_ten' "$TMP/h.svg"
total=$(awk '!/^#/ { s += $NF } END { print s }' "$H")
drawn=$(grep -o '<title>all ([0-9,]* samples' "$TMP/h.svg" | tr -dc '0-9')
check "... with every sample of the file ($drawn of $total)" test "$drawn" = "$total"

# --- view of the saved history: rewind, baseline and diff as live ----------------
start 120 30 -- view "$H" --window 3
check "view of a history opens paused at its end" wait_for '| PAUSED | phases.history.folded'
check "... with the timeline drawn" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 27p | grep -q '[▁▂▃▄▅▆▇█]'"
keys t
settle
first=$(first_row)
check "... (top row: $first)" test "$first" = leaf_ten
keys b
check "b marks the end as the baseline" wait_for 'baseline: '
for _ in 1 2 3 4 5 6; do keys '['; done
check "[ rewinds through the saved seconds" wait_for '| REWOUND'
settle
first=$(first_row)
check "... to the first phase: leaf_sixty leads (top row: $first)" test "$first" = leaf_sixty
keys d
check "d diffs the rewound window against the baseline" wait_for 'DIFF vs'
check "... the diff table opens" wait_for 'FUNCTION (by change of share'
keys d
for _ in 1 2 3 4 5 6; do keys ']'; done
check "] comes back to the end, paused (not LIVE)" wait_for '| PAUSED'
for _ in 1 2 3 4 5 6 7 8 9; do keys '['; done
keys + + + + + +
check "+ at the first second grows the window over the whole history, not before it" \
	wait_for "| PAUSED .*| $(awk '!/^#/ { s += $NF } END { print s }' "$H") samples"
keys '?' NPage NPage NPage NPage NPage NPage NPage NPage
check "help scrolls to its last line above the timeline" wait_for '^ q, F10 *quit'
keys Escape
keys q
check "view of a history: q quits with exit 0" exited_with 0

# --- a FIFO is read once, as a profile (it cannot be peeked at) ---------------------
mkfifo "$TMP/fifo"
(printf 'a;b 5\na;c 3\n' > "$TMP/fifo") &
PIDS+=($!)
start 120 30 -- view "$TMP/fifo"
check "view of a FIFO: its profile is shown (not taken away by the look for a history)" \
	wait_for '| fifo | 8 samples'
keys q
exited_with 0

# --- valgrind on the replay path: no errors, nothing lost ---------------------------
if command -v valgrind > /dev/null && [ -z "${ASAN_OPTIONS:-}" ] && ! nm "$FT" | grep -q __asan_init; then
	WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 --log-file=$TMP/vg.log"
	start 120 30 -- view "$H" --window 3 --snapshot-dir "$TMP"
	WRAP=
	wait_for 'PAUSED' 10 && sleep 1
	for k in t b '[' '[' '[' d Tab Tab j Enter d ']' ']' - + Space w q; do
		keys "$k"
		sleep 0.3
	done
	for _ in $(seq 100); do [ -s "$TMP/exit" ] && break; sleep 0.1; done
	check "valgrind: no errors or leaks through a replay's rewind, baseline, diff and save" \
		bash -c "grep -qx EXIT=0 $TMP/exit && ! grep -q . $TMP/vg.log"
fi

# --- w in the live view --------------------------------------------------------------
start_workload "$TMP/w2.out" "$W" -s 30
mkdir -p "$TMP/snaps"
start 120 30 -- -p "$WPID" --snapshot-dir "$TMP/snaps"
wait_for 'leaf_sixty' 4
sleep 2
keys w
check "w saves the history and names the file" wait_for 'history written to'
saved=$(ls "$TMP"/snaps/*.history.folded 2>/dev/null | head -1)
check "... a new file in the snapshot directory" test -s "$saved"
keys q
exited_with 0
check "... that view opens as a history" bash -c "head -1 '$saved' | grep -q '^# flametop history v1'"
start 120 30 -- view "$saved"
check "... and shows its samples" wait_for 'leaf_sixty'
keys q
exited_with 0
