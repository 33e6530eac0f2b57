#!/usr/bin/env bash
# The live explorer against real workloads, driven in tmux: the hot function
# shows up, pause freezes, rewind goes back to an earlier phase, the diff
# finds what grew, snapshots reproduce the split, and a target that goes away
# leaves a working UI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
W=$BUILD/workloads/split

# the first row of the table pane ("  39.1%   41.7%  ...  name"): its name
first_row() { screen | awk '/FUNCTION \(by/ { getline; print $NF; exit }'; }
first_is() { [ "$(first_row)" = "$1" ]; }
eventually_first() { for _ in $(seq 30); do first_is "$1" && return 0; sleep 0.1; done; return 1; }
# the window's end time on the status line, as seconds of the day
window_end() { screen | sed -n 's/.*[0-9]s [0-9:]*-\([0-9]*\):\([0-9]*\):\([0-9]*\) .*/\1 \2 \3/p' |
	awk '{ print $1 * 3600 + $2 * 60 + $3; exit }'; }

# --- the hot function, pause ---------------------------------------------------------
start_workload "$TMP/w1.out" "$W" -s 60
start 120 30 FLAMETOP_MEMLOG="$TMP/memlog" -- -p "$WPID"
check "live: the hot function shows within 3 s" wait_for 'leaf_sixty' 3
live_and_rate() { wait_for 'LIVE | pid [0-9]* | 10s' && wait_for ' 99 Hz'; }
check "live: the status line says LIVE, the target and the rate" live_and_rate
check "live: the timeline is drawn above the status line" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 27p | grep -q '[▁▂▃▄▅▆▇█]'"
keys t
check "live: the top-N pane ranks leaf_sixty first" eventually_first leaf_sixty
keys Escape Home j j j j j Enter
check "live: zoom into a frame" wait_for 'zoom depth 5'
keys / sixty Enter
sleep 2.5
check "live: the zoom survives the refreshes" wait_for 'zoom depth 5'
check "... and so does the search" wait_for 'Matched: '
check "... and the selection" bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 28p | grep -q '^leaf_sixty\( \|$\)'"
keys Escape Home
keys Space
check "pause says PAUSED" wait_for 'PAUSED'
sleep 0.5
end_paused=$(window_end)
a=$(screen); sleep 2.5; b=$(screen)
check "paused: the screen does not change" test "$a" = "$b"
keys Space
check "resume returns to LIVE" wait_for '| LIVE'
sleep 1.2
end_live=$(window_end)
check "sampling went on while paused (the live edge moved on by 3 s or more)" \
	test $((end_live - end_paused)) -ge 3
keys q
check "live: q quits with exit 0" exited_with 0
check "live: the terminal is restored" restored
check "FLAMETOP_MEMLOG: a line of what the history, names and symbolizer hold, with the RSS" \
	grep -q '^t=[0-9]* rss=[0-9.]*MB history=[0-9.]*MB shown=[0-9.]*MB names=[0-9.]*MB processes=[0-9]* files=[1-9]' "$TMP/memlog"

# --- rewind and diff across a phase change -----------------------------------------
# split -p 8: leaf_sixty takes 60% for 8 s, then leaf_ten does
start_workload "$TMP/w2.out" "$W" -s 60 -p 8
start 120 30 -- -p "$WPID" --window 3
keys t
wait_for 'leaf_sixty' 3
sleep 3
keys b
check "b marks the baseline" wait_for 'baseline: '
for _ in $(seq 100); do [ "$(first_row)" = leaf_ten ] && break; sleep 0.2; done
sleep 3
check "the live window follows the new phase: leaf_ten first" eventually_first leaf_ten
keys '[' '[' '[' '[' '[' '['
check "[ rewinds: REWOUND" wait_for 'REWOUND'
check "rewound: an earlier window, where leaf_sixty was first" eventually_first leaf_sixty
keys Space
check "Space goes back to the live edge" wait_for '| LIVE'
keys Escape d
check "d shows the diff against the baseline" wait_for 'CHANGE  BEFORE   AFTER  FUNCTION'
# leaf_ten and its only caller via_gamma grew alike: either may head the table
check "diff: leaf_ten grew most and is at the top of the table" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | grep -A2 'CHANGE  BEFORE' | tail -2 | grep -q '^ *+[1-9][0-9.]* .*leaf_ten' &&
		 tmux -S $SOCK capture-pane -p -t ft | grep -A1 'CHANGE  BEFORE' | tail -1 | grep -q '^ *+[1-9][0-9.]* .*\(leaf_ten\|via_gamma\)'"
tm capture-pane -e -p -t ft > "$TMP/diffc"
keys NPage NPage NPage NPage
check "diff: leaf_sixty shrank most: the table's last row" \
	bash -c "sleep 0.3; tmux -S $SOCK capture-pane -p -t ft | grep '^ *-[1-9][0-9.]* ' | tail -1 | grep -q 'leaf_sixty\|via_alpha'"
keys PPage PPage PPage PPage
check "diff: frames coloured by change (strong red and blue)" \
	bash -c "grep -q '48;5;196m' $TMP/diffc && grep -q '48;5;\(69\|27\)m' $TMP/diffc"
check "diff: the status line says DIFF vs the baseline window" wait_for 'DIFF vs [0-9:]*-[0-9:]*'
keys Tab
check "Tab shows the before shape" wait_for 'shape: before'
keys d
check "d again leaves the diff" bash -c "sleep 0.3; ! tmux -S $SOCK capture-pane -p -t ft | grep -q 'DIFF vs'"
keys q
check "quit after rewind and diff: exit 0" exited_with 0

# --- snapshots of the live view -------------------------------------------------------
start_workload "$TMP/w3.out" "$W" -s 60
mkdir -p "$TMP/snaps"
echo precious > "$TMP/victim"
now=$(date +%s)
for i in $(seq 0 15); do
	ts=$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)
	ln -s "$TMP/victim" "$TMP/snaps/flametop-pid$WPID-$ts.folded"
done
ts=$(date -d "@$((now + 8))" +%Y%m%d-%H%M%S)
rm "$TMP/snaps/flametop-pid$WPID-$ts.folded"
echo existing > "$TMP/snaps/flametop-pid$WPID-$ts.folded"
start 120 30 -- -p "$WPID" -F 499 --window 5 --snapshot-dir "$TMP/snaps"
wait_for 'leaf_sixty' 3
sleep 5
keys s
check "s names the snapshot in the status line" wait_for 'snapshot written to'
snap=$(ls "$TMP"/snaps/flametop-pid"$WPID"-*-2.folded 2>/dev/null | head -1)
check "snapshot: a new name beside the planted symlink or file" test -n "$snap"
check "snapshot: the symlink was not followed, the file not overwritten" \
	bash -c "[ \"\$(cat $TMP/victim)\" = precious ] && grep -qx existing $TMP/snaps/flametop-pid$WPID-$ts.folded"
check "snapshot: valid folded" valid_folded "$snap"
"$FT" report "$snap" > "$TMP/snap.report"
# shares among the three leaves: time outside them (the loop, the clock,
# interrupts) dilutes all three alike and is not what the split measures
split=$(for f in leaf_sixty leaf_thirty leaf_ten; do self_pct "$TMP/snap.report" $f; done |
	awk '{ v[NR] = $1; t += $1 } END { if (t) printf "%.1f %.1f %.1f", 100 * v[1] / t, 100 * v[2] / t, 100 * v[3] / t }')
# 6 points: the window is 5 s at 499 Hz, whose samples bunch on a shared
# host (CI saw 55.9/33.2/10.9); unwind.sh and cli.sh check the split closer
check "snapshot reproduces the 60/30/10 split within 6 points ($split)" \
	bash -c ". $(dirname "$0")/lib.sh; set -- $split; within \${1:-0} 60 6 && within \${2:-0} 30 6 &&
		within \${3:-0} 10 6"
sleep 1
keys / via_alpha Enter Escape Enter s
check "a second snapshot, zoomed into via_alpha" wait_for 'snapshot written to'
snap2=$(find "$TMP/snaps" -type f -newer "$snap" -name 'flametop-*.folded' | head -1)
check "the zoomed snapshot holds that subtree only, with full root paths" \
	bash -c "[ -s '$snap2' ] && ! grep -v '^split;\\(.*;\\)\\?main;round_of_work;via_alpha[; ]' '$snap2' | grep -q ."
keys q
exited_with 0

# --- targets that go away -----------------------------------------------------------
start_workload "$TMP/w4.out" "$W" -s 4
start 120 30 -- -p "$WPID"
check "a process that exits is shown in the status line" wait_for 'TARGET EXITED' 8
check "... and the view pauses on its last window" wait_for 'PAUSED TARGET EXITED'
check "... which still holds its samples" wait_for 'leaf_sixty'
keys t j Enter
check "... and the history stays explorable" wait_for 'zoom depth'
keys q
check "exit 0 after the target exited" exited_with 0

MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$MNT" ]; then
	CG="flametop-live-$$"
	mkdir "$MNT/$CG"
	start_workload "$TMP/w5.out" "$W" -s 60
	echo "$WPID" > "$MNT/$CG/cgroup.procs"
	start 120 30 -- -c "$CG"
	check "live -c: the cgroup's workload shows" wait_for 'leaf_sixty' 4
	kill -9 "$WPID"; wait "$WPID" 2>/dev/null
	sleep 0.5
	rmdir "$MNT/$CG"
	check "a removed cgroup is shown in the status line" wait_for 'CGROUP REMOVED' 4
	keys j j Enter / leaf Enter '[' t
	check "... and the UI still works (zoom, search, rewind, top-N)" wait_for 'Matched: '
	keys q
	check "exit 0 after the cgroup was removed" exited_with 0
fi

# --- flametop diff on two files ---------------------------------------------------------
printf 'p;main;a 60\np;main;b 30\np;main;gone 10\n' > "$TMP/before.folded"
printf 'p;main;a 20\np;main;b 30\np;main;new 50\n' > "$TMP/after.folded"
start 100 30 -- diff "$TMP/before.folded" "$TMP/after.folded"
check "flametop diff opens on the table, largest growth first" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | grep -A1 'CHANGE' | tail -1 | grep -q '+50.0 .* 0.0% .*50.0%  NEW new'"
check "flametop diff: the shrunk function at the bottom" wait_for '\-40.0 *60.0% *20.0%  a'
check "flametop diff: the after shape has no frame for what vanished" \
	bash -c "! tmux -S $SOCK capture-pane -p -t ft | head -5 | grep -q gone"
keys Tab
check "the before shape shows the vanished frame" \
	bash -c "sleep 0.3; tmux -S $SOCK capture-pane -p -t ft | head -5 | grep -q gone"
keys S
check "S writes both sides" wait_for 'snapshots written to'
check "... before and after files, with the right samples" \
	bash -c "cat $TMP/flametop-after-before-*.folded | sort | diff - <(sort $TMP/before.folded) &&
		 cat $TMP/flametop-after-after-*.folded | sort | diff - <(sort $TMP/after.folded)"
keys q
check "flametop diff: exit 0" exited_with 0

# --- failures before the terminal --------------------------------------------------
"$FT" -p 999999 < /dev/null > /dev/null 2> "$TMP/err"
check "live with a pid that does not exist: exit 1, one line" \
	bash -c "[ $? -eq 1 ] && grep -q 'no process with pid 999999' $TMP/err && [ \$(wc -l < $TMP/err) -eq 1 ]"
"$FT" diff "$TMP/before.folded" /nonexistent < /dev/null > /dev/null 2> "$TMP/err"
check "flametop diff with a missing file: exit 1" bash -c "[ $? -eq 1 ] && grep -q nonexistent $TMP/err"
