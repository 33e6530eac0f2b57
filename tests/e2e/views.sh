#!/usr/bin/env bash
# Reading a profile (issue 15): the sandwich of a function, the transforms
# (focus, hide, drop, collapse recursion) in report, fold and the explorer,
# snapshots of what is shown, and a status line that keeps what matters.
# Every figure is worked out by hand from the profile below, with pprof's
# conventions: shares are of all samples, before any transform.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"

# memcmp is called from three places (sort 30, eval 20, deflate 10: 60 in
# all, 50 of them its own) and calls load; fib recurses four deep.
cat > "$TMP/p.folded" <<'PROFILE'
prog;main;sort;memcmp 20
prog;main;sort;memcmp;load 10
prog;main;python;eval;memcmp 20
prog;main;gzip;deflate;memcmp 10
prog;main;fib;fib;fib;fib;leaf 25
prog;main;idle 15
PROFILE
P=$TMP/p.folded
# report NAME WANT ARGS... : the report row of NAME (self% total% self total) is WANT
report_row() {
	local name=$1 want=$2; shift 2
	[ "$("$FT" report -n 0 "$@" "$P" | awk -v f="$name" '$5 == f { print $1, $2, $3, $4 }')" = "$want" ]
}

# --- transforms in report and fold ---------------------------------------------------
check "report --focus memcmp: its callers keep their samples, shares of all 100" \
	report_row sort "0.0 30.0 0 30" --focus memcmp
check "... and what does not go through it is left out" \
	bash -c "! '$FT' report -n 0 --focus memcmp '$P' | grep -qw idle"
check "report --hide '^memcmp\$': its self goes to its callers, its callee moves up" \
	bash -c "'$FT' report -n 0 --hide '^memcmp\$' '$P' | awk '\$5==\"sort\" && \$3==20 && \$4==30 {s=1} \$5==\"load\" && \$4==10 {l=1} END {exit !(s && l)}'"
check "report --drop memcmp: 40 samples left, shares still of 100" \
	report_row fib "0.0 25.0 0 25" --drop memcmp
check "... and no memcmp" bash -c "! '$FT' report -n 0 --drop memcmp '$P' | grep -qw memcmp"
check "fold --collapse-recursion: fib;fib;fib;fib -> fib" \
	bash -c "'$FT' fold --collapse-recursion '$P' | grep -qx 'prog;main;fib;leaf 25'"
check "transforms apply in their order: --hide main then --focus sort" \
	bash -c "[ \"\$('$FT' fold --hide '^main\$' --focus sort '$P')\" = \"\$(printf 'prog;sort;memcmp 20\nprog;sort;memcmp;load 10')\" ]"
# a diff: both sides through the same transforms
sed 's/^prog;main;sort;memcmp 20$/prog;main;sort;memcmp 50/' "$P" > "$TMP/after.folded"
check "report --diff with --hide: both sides without memcmp, its growth on sort" \
	bash -c "out=\$('$FT' report -n 0 --diff '$P' --hide '^memcmp\$' '$TMP/after.folded'); ! echo \"\$out\" | grep -qw memcmp && echo \"\$out\" | awk '\$6==\"sort\" && \$5+0 > 10 {f=1} END {exit !f}'"
start 100 30 -- diff --hide '^memcmp$' "$P" "$TMP/after.folded"
check "the diff explorer starts with the chip, both sides transformed" \
	bash -c "wait_chip() { for _ in \$(seq 30); do tmux -S $SOCK capture-pane -p -t ft | grep -q 'hide:^memcmp\\\$ x' && return 0; sleep 0.1; done; return 1; }; wait_chip && ! tmux -S $SOCK capture-pane -p -t ft | grep -q 'memcmp.*GONE\|^memcmp '"
keys q
wait_exit
"$FT" report --focus '(' "$P" 2> "$TMP/err"
check "a bad regex: exit 2, saying which option" \
	bash -c "[ $? -eq 2 ] && grep -q 'focus: bad regex' '$TMP/err'"

# --- the sandwich --------------------------------------------------------------------
start 100 30 -- view "$P"
keys / '^memcmp$' Enter Escape c
check "sandwich: the status line names it, with the function's self and total" \
	wait_for 'SANDWICH callees self 50.0% total 60.0%'
check "... the function heads both halves" \
	bash -c "[ \$(tmux -S $SOCK capture-pane -p -t ft | grep -cx 'memcmp') -eq 2 ]"
check "... its callee below" wait_for '^load '
# from the callees' root, up is the callers' root, then its heaviest caller
keys Up Up
check "sandwich: caller sort has 30 of the 60" wait_for 'self 0 (0.0%)  total 30 (30.0%)'
keys Left
check "... eval 20" wait_for 'total 20 (20.0%)'
keys Left
check "... deflate 10" wait_for 'total 10 (10.0%)'
check "... three callers on one row, above the function" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | grep -q 'deflate.*eval.*sort'"
keys Up
check "... and their callers above them" wait_for '^gzip\|[▏▎▍▌▋▊▉ ]gzip'
keys Escape Escape
check "Esc leaves the sandwich: the graph is back" wait_for '^prog'
keys q
wait_exit

# --- transforms in the explorer, snapshots of what is shown -----------------------------
# 31 rows: the chips' row is not 26, whose X10 byte (';') tmux takes for a command separator
start 100 31 -- view --snapshot-dir "$TMP" "$P"
keys / '^memcmp$' Enter Escape x
check "x asks for a regex, holding the selected function's" wait_for 'Hide frames (regex): \^memcmp\$'
keys Enter
check "the transform is a chip, with what is kept" wait_for 'hide:^memcmp\$ x  kept 100 of 100'
keys / load Enter
check "Matched% follows: load is 10% of the samples" wait_for 'Matched: 10.0%'
keys Escape r
check "r folds the recursion: one fib row" \
	bash -c "wait_chip() { for _ in \$(seq 30); do tmux -S $SOCK capture-pane -p -t ft | grep -q 'recursion x' && return 0; sleep 0.1; done; return 1; }; wait_chip && [ \$(tmux -S $SOCK capture-pane -p -t ft | grep -c '^fib\|[▏▎▍▌▋▊▉ ]fib') -eq 1 ]"
keys s
check "s writes the snapshot" wait_for 'snapshot written to'
snap=$(ls "$TMP"/flametop-p-*.folded 2>/dev/null | head -1)
check "the snapshot holds exactly what is shown: fold with the same transforms" \
	bash -c "[ -n '$snap' ] && diff <('$FT' fold --hide '^memcmp\$' --collapse-recursion '$P') '$snap'"
keys u
check "u removes the last transform" bash -c "sleep 0.3; ! tmux -S $SOCK capture-pane -p -t ft | grep -q 'recursion x'"
# a click on the chip (its first column) removes it
chips=$(tmux -S $SOCK capture-pane -p -t ft | grep -n 'hide:' | cut -d: -f1)
mouse 32 1 $((chips - 1))
mouse 35 1 $((chips - 1))
check "a click on a chip removes it" wait_for 'removed hide:^memcmp\$'
check "... and the chips line goes with the last one" \
	bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -q ' kept '"
keys / '^memcmp$' Enter Escape F Enter
check "F focuses on the selected function (memcmp): 60 of 100 kept" wait_for 'kept 60 of 100'
keys q
wait_exit

# a name longer than a regex may be: F focuses on its prefix, cut between code points
printf 'prog;main;%s\303\251 6\nprog;main;other 4\n' "$(head -c 300 /dev/zero | tr '\0' a)" \
	> "$TMP/long.folded"
start 100 31 -- view "$TMP/long.folded"
keys / aaaa Enter Escape F Enter
check "F on a name too long for a whole match: its prefix, 6 of 10 kept" wait_for 'kept 6 of 10'
keys c s
check "s in the sandwich says what it would not save" wait_for 'sandwich is not saved'
keys q
wait_exit

# --- deep zooms, narrow matches --------------------------------------------------------
python3 -c "print('prog;main;' + ';'.join('f%d' % i for i in range(40)) + ';leaf 10'); print('prog;main;other 5')" \
	> "$TMP/deep.folded"
start 100 30 -- view "$TMP/deep.folded"
keys / '^f30$' Enter Enter
check "a deep zoom folds its ancestors into one breadcrumb row, the parent last" \
	wait_for '^… > f[0-9]* > .* > f28 > f29$'
check "... so the graph keeps its rows (f30 on the second row, leaf drawn)" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 2p | grep -q '^f30' && tmux -S $SOCK capture-pane -p -t ft | grep -q '^leaf'"
tm set -g set-clipboard on
keys y
check "y copies the selected frame's name to the clipboard (OSC 52, tmux's buffer)" \
	bash -c "sleep 0.3; [ \"\$(tmux -S $SOCK show-buffer 2>/dev/null)\" = f30 ]"
keys q
wait_exit
printf 'prog;main;wide 1000\nprog;other;tiny;needle 1\n' > "$TMP/narrow.folded"
start 100 30 -- view "$TMP/narrow.folded"
keys / needle Enter
check "a match too narrow to draw: its nearest drawn ancestor is underlined" \
	bash -c "sleep 0.3; tmux -S $SOCK capture-pane -p -e -t ft | grep 'prog' | grep -q '\[[0-9;]*;4m'"
check "... and the note says so" wait_for 'an underlined frame holds narrow ones'
keys q
wait_exit

# --- valgrind through the sandwich and the transforms ------------------------------------
if command -v valgrind > /dev/null && [ -z "${ASAN_OPTIONS:-}" ] && ! nm "$FT" | grep -q __asan_init; then
	WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 --log-file=$TMP/vg.log"
	start 100 31 -- view --snapshot-dir "$TMP" "$P"
	WRAP=
	wait_for 'samples' && sleep 1
	for k in / memcmp Enter Escape c Up Up Left Enter Escape Escape x Enter r R K v v u u u \
		 c y Escape F Enter s Escape q; do
		keys "$k"
		sleep 0.2
	done
	for _ in $(seq 100); do [ -s "$TMP/exit" ] && break; sleep 0.1; done
	check "valgrind: no errors or leaks through the sandwich, transforms, values, copy" \
		bash -c "grep -qx EXIT=0 $TMP/exit && ! grep -q . $TMP/vg.log"
fi

# --- the status line on an 80x24 terminal -------------------------------------------------
start_workload "$TMP/w.out" "$BUILD/workloads/split" -s 60
# the sandwich of a recorded profile: round_of_work's callees in the workload's 60/30/10
# (on a noisy host a rate may keep step with the workload's rounds: a second
# try at another rate, as unwind.sh does; the check is of what the view shows)
for hz in 499 397; do
	"$FT" record -p "$WPID" -F "$hz" -d 3 -o "$TMP/rec.folded" 2> /dev/null
	s=$(awk '/;round_of_work;/ { t += $NF; if (/;round_of_work;via_alpha;/) a += $NF }
		END { print t ? int(100 * a / t) : 0 }' "$TMP/rec.folded")
	echo "recorded: via_alpha $s% of round_of_work at $hz Hz"
	[ "$s" -ge 56 ] && [ "$s" -le 64 ] && break
done
start 120 40 -- view "$TMP/rec.folded"
keys / '^round_of_work$' Enter Escape c
share_of() {	# share_of NAME: the status line's total share once NAME is selected
	tmux -S "$SOCK" capture-pane -p -t ft | grep -o 'total [0-9]* ([0-9.]*%)' | tail -1 |
		sed 's/.*(\([0-9.]*\)%)/\1/'
}
# from the callees' root (round_of_work), down is its heaviest callee: via_alpha
keys Down
wait_for '^via_alpha' 3
total=$(tmux -S "$SOCK" capture-pane -p -t ft | grep -o 'SANDWICH callees self [0-9.]*% total [0-9.]*%' | sed 's/.*total \([0-9.]*\)%/\1/')
alpha=$(share_of)
check "recorded: the sandwich of round_of_work puts via_alpha at 60% of it ($alpha of $total)" \
	awk -v a="$alpha" -v t="$total" 'BEGIN { exit !(t > 0 && a / t * 100 >= 55 && a / t * 100 <= 65) }'
keys q
wait_exit
start 80 24 -- -p "$WPID"
check "80x24 live: mode, target, window and samples are all shown" \
	wait_for '| LIVE | pid [0-9]* | 10s [0-9:-]* | [0-9]* samples$' 5
keys Z
check "... and a note does not push them off" \
	bash -c "sleep 0.3; tmux -S $SOCK capture-pane -p -t ft | grep -q 'key Z does nothing' && tmux -S $SOCK capture-pane -p -t ft | grep -q '| LIVE | pid [0-9]* | 10s [0-9:-]* | [0-9]* samples'"
check "the timeline has a scale: its peak in samples/s and as CPU%" \
	wait_for '^peak [0-9]*/s [0-9]*% CPU'
keys Space
check "... PAUSED too" wait_for '| PAUSED | pid [0-9]* | 10s'
keys v
check "v: values as percent" wait_for '^self [0-9.]*%  total'
keys v
check "... as samples" wait_for '^self [0-9]*  total [0-9]'
keys v
check "... as time (1/Hz a sample)" wait_for '^self [0-9.]* m\?s  total [0-9]'
keys t
check "... and the table's SELF and TOTAL in seconds" wait_for 'SELF s *TOTAL s'
keys q
wait_exit
kill "$WPID"
