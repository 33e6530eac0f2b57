#!/usr/bin/env bash
# Who burns it (issue 13): --group pid tells two python3 processes apart,
# --group thread names threads as perf does, and in the live view the
# process table ranks them, Enter focuses the whole explorer on one (graph
# and snapshot), Esc unfocuses, and g regroups without sampling again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
T=$BUILD/workloads/threads

py() {	# py NAME: a python3 busy in a loop of its own
	python3 -c "
def $1():
    x = 0
    while True:
        x += 1
$1()" &
	PIDS+=($!)
}
py alpha_loop; P1=$!
py beta_loop; P2=$!
sleep 0.3

# --- record: the roots of each grouping -------------------------------------------
"$FT" record -p "$P1,$P2" --group pid -d 2 -o "$TMP/pid.folded" 2> /dev/null
roots() { awk '{ n = $NF; split($0, f, ";"); s[f[1]] += n } END { for (r in s) print r, s[r] }' "$1"; }
roots "$TMP/pid.folded" > "$TMP/pid.roots"
check "--group pid: a root per python3 process (python3-PID)" \
	bash -c "grep -q '^python3-$P1 ' '$TMP/pid.roots' && grep -q '^python3-$P2 ' '$TMP/pid.roots'"
share=$(awk -v p="python3-$P1" '{ t += $2 } $1 == p { s = $2 } END { printf "%d", 100 * s / t }' "$TMP/pid.roots")
check "... each about half the samples ($share%)" test "$share" -ge 35 -a "$share" -le 65
"$FT" record -p "$P1,$P2" -d 1 -o "$TMP/comm.folded" 2> /dev/null
check "--group comm (the default): one python3 root, as before" \
	test "$(roots "$TMP/comm.folded" | awk '{ print $1 }' | sort -u)" = python3

start_workload "$TMP/t.out" "$T" -s 20
"$FT" record -p "$WPID" --group thread -d 2 -o "$TMP/thread.folded" 2> /dev/null
check "--group thread: net-worker-PID/TID with its own function" \
	grep -q "^net-worker-$WPID/[0-9]*;.*net_loop" "$TMP/thread.folded"
check "... and db-worker-PID/TID with its own" \
	grep -q "^db-worker-$WPID/[0-9]*;.*db_loop" "$TMP/thread.folded"
perf record -q -g -p "$WPID" -o "$TMP/perf.data" -- sleep 1 > /dev/null 2>&1
perf script -i "$TMP/perf.data" 2> /dev/null | "$FT" fold - -o "$TMP/perf.folded" 2> /dev/null
names() { cut -d';' -f1 "$1" | sed 's/-[0-9]*\/[0-9]*$//' | sort -u | grep -e -worker; }
check "... the thread names perf script | flametop fold gives" \
	test "$(names "$TMP/thread.folded")" = "$(names "$TMP/perf.folded")"
check "--group with a bad value: exit 2" bash -c "'$FT' record --group nope -d 1 -o - >/dev/null 2>&1; [ \$? = 2 ]"

# --- the live view: the process table, focus, regroup -------------------------------
mkdir -p "$TMP/snaps"
start 130 30 -- -p "$P1,$P2" --group pid --snapshot-dir "$TMP/snaps"
wait_for 'python3' 4
sleep 1.5
keys p
check "p opens the process table, by pid" wait_for 'PID    SAMPLES   SHARE   CPU%  NAME'
check "... listing both python3 processes" \
	bash -c "sleep 0.5; tmux -S $SOCK capture-pane -p -t ft | grep -q 'python3-$P1' && tmux -S $SOCK capture-pane -p -t ft | grep -q 'python3-$P2'"
sum=$(screen | awk '/SHARE   CPU%/ { t = 1; next } t && /^ *[0-9]+ +[0-9]+ +[0-9.]+%/ { gsub("%", "", $3); s += $3 } END { printf "%d", s + 0.5 }')
check "... whose shares add up to 100% ($sum)" test "$sum" -ge 99 -a "$sum" -le 101
keys Tab
check "Tab sorts the table by name" wait_for 'by pid, name'
keys Tab
check "... and back by samples" wait_for 'by pid, samples'
# the selection follows its row across sorts: back to the top row, then read it
keys PPage
settle
first=$(screen | awk '/SHARE   CPU%/ { getline; print $(NF - 1); exit }')
keys Enter
check "Enter focuses the explorer on the row ($first)" wait_for "FOCUS $first"
settle
other=python3-$P1; [ "$first" = "$other" ] && other=python3-$P2
check "... the graph shows that process only" \
	bash -c "! tmux -S $SOCK capture-pane -p -t ft | sed -n 1,4p | grep -q '$other'"
keys s
check "... s saves a snapshot" wait_for 'snapshot written to'
snap=$(ls "$TMP"/snaps/*.folded 2>/dev/null | head -1)
check "... holding only its stacks" bash -c "[ -s '$snap' ] && ! grep -qv '^$first;' '$snap'"
keys Escape
check "Esc closes the table first, the focus stays" \
	bash -c "sleep 1; tmux -S $SOCK capture-pane -p -t ft | grep -q 'FOCUS' && ! tmux -S $SOCK capture-pane -p -t ft | grep -q 'Enter focuses'"
keys Escape
check "Esc again unfocuses" bash -c "sleep 1; ! tmux -S $SOCK capture-pane -p -t ft | grep -q 'FOCUS'"
keys p
keys g
check "g regroups without sampling again: by thread" wait_for 'by thread'
check "... the table's rows are threads (python3-PID/TID)" wait_for "python3-$P1/$P1"
keys w
check "w saves the history as it is grouped now" wait_for 'history written to'
hist=$(ls "$TMP"/snaps/*.history.folded 2>/dev/null | head -1)
check "... by thread, as shown (python3-PID/TID roots)" grep -q "^python3-$P1/$P1;" "$hist"
check "... and no identity frame leaks into it" bash -c "! grep -q \$'\\x1e' '$hist'"
keys g
check "g again: by container, a container frame above the process" wait_for 'by container'
keys q
check "q quits with exit 0" exited_with 0
