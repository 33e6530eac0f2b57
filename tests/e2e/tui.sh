#!/usr/bin/env bash
# The explorer driven for real in tmux: send keys, capture the screen, check
# it (golden screens as tig's tests do, and targeted greps).
# UPDATE_GOLDEN=1 rewrites the golden screens.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/tmux.lib"
VIEW=$DATA/view.folded

# --- drawing, quitting -------------------------------------------------------------
start 100 30 -- view "$VIEW"
check "view draws the icicle graph (golden screen)" golden view-initial
check "the status line names the file and its samples" wait_for 'view.folded | 2300 samples'
keys q
check "q quits with exit 0" exited_with 0
check "the terminal is restored after q" restored

# --- zoom and breadcrumbs --------------------------------------------------------
start 100 30 -- view "$VIEW"
keys j j j Enter
check "zoom: ancestors stay as full-width breadcrumbs (golden screen)" golden view-zoom
check "zoom: the status line says the zoom depth" wait_for 'zoom depth 3'
keys BSpace
check "Backspace zooms out one level" wait_for 'zoom depth 2'
keys Home
settle
check "Home resets the zoom" bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -q 'zoom depth'"
keys f
settle
check "f flips to a flame graph: the root on the bottom row of the graph" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 27p | grep -qx 'all'"
keys f k
settle

# --- search ----------------------------------------------------------------------
keys / 'inner|read'
check "search is typed in the status line" wait_for 'Search (regex): inner|read'
keys Enter
# inner_loop 960 + read_line 120 + start_thread 520 of 2300 (each sample once)
check "search: Matched: 69.6%" wait_for 'Matched: 69.6%'
check "search: Enter selects the first match" wait_for '^start_thread *$'
tm capture-pane -e -p -t ft > "$TMP/colours"
check "search: matching frames are highlighted" grep -q '48;5;170m' "$TMP/colours"
keys n
check "n selects the next match" wait_for '^read_line *$'
keys N
check "N goes back" wait_for '^start_thread *$'
keys Escape
settle
check "Esc clears the search" bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -q Matched"
keys / '('
check "a bad regex is reported, not fatal" wait_for 'bad regex'
keys Escape

# --- top-N -----------------------------------------------------------------------
keys t
check "t opens the top-N pane, by self" wait_for 'FUNCTION (by self; 31)'
check "top-N: the heaviest self is inner_loop, 39.1%" \
	wait_for '^ 39.1%   41.7%        900        960  inner_loop'
tm capture-pane -e -p -t ft > "$TMP/colours"
check "top-N: the selected function is highlighted in the graph" \
	grep -q '48;5;170m[^m]*m*inner_loop' "$TMP/colours"
keys Tab
check "Tab sorts by total" wait_for 'FUNCTION (by total; 31)'
keys Tab j Enter
check "Enter on a row zooms to its heaviest frame" wait_for '^deflate_slow *$'
check "... and the graph is zoomed" wait_for 'zoom depth 6'
keys Escape
settle
check "Esc closes the pane" bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -q 'FUNCTION'"

# --- help ------------------------------------------------------------------------
keys '?'
check "help lists actions with their keys (golden screen)" golden help
keys j j
keys x
settle
check "any other key closes the help" wait_for 'samples'
keys F1
check "F1 opens the help too" wait_for 'flametop keys'
keys q
settle
keys q
check "quit from the graph after closing help: exit 0" exited_with 0

# --- keymaps and a user keys file -----------------------------------------------------
mkdir -p "$TMP/home/.config/flametop"
printf '# mine\nx quit\nq none\nZ bogus-action\n' > "$TMP/home/.config/flametop/keys"
start 100 30 -- view "$VIEW"
check "a bad line in the keys file is reported with its line number" \
	wait_for "keys:4: unknown action 'bogus-action'"
keys '?' NPage NPage
check "help scrolls, and shows the rebound key" wait_for ' F10, x  *quit'
keys Escape q
check "an unbound key says so" wait_for 'key q does nothing'
keys x
check "the rebound key quits" exited_with 0
rm "$TMP/home/.config/flametop/keys"
start 100 30 -- view --keymap vim "$VIEW"
keys j j o
check "--keymap vim: o zooms" wait_for 'zoom depth 2'
keys u
check "--keymap vim: u zooms out" wait_for 'zoom depth 1'
keys Z
check "--keymap vim: Z quits" exited_with 0
start 100 30 -- view --keymap htop "$VIEW"
keys F5
settle
check "--keymap htop: F5 flips" bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 27p | grep -qx 'all'"
keys F10
check "--keymap htop: F10 quits" exited_with 0
"$FT" view --keys /nonexistent/keys "$VIEW" > /dev/null 2> "$TMP/err" < /dev/null
check "--keys with a missing file exits 1 with one line" \
	bash -c "[ $? -eq 1 ] && grep -q 'cannot read keys file /nonexistent/keys' $TMP/err && [ \$(wc -l < $TMP/err) -eq 1 ]"

# --- resize and tiny terminals ------------------------------------------------------
start 100 30 -- view "$VIEW"
keys j j j
tm resize-window -t ft -x 20 -y 6
settle
# the status line's essentials (the file and its samples) are what stays
check "resize to 20x6: still drawn, with a status line" wait_for 'view.folded |'
check "resize to 20x6: nothing wider than 20" bash -c "[ \$(tmux -S $SOCK capture-pane -p -t ft | LC_ALL=C.UTF-8 wc -L) -le 20 ]"
keys t
settle
check "20x6 with the top-N pane" wait_for 'SELF%'
tm resize-window -t ft -x 250 -y 60
settle
check "resize to 250x60: redrawn full width" wait_for 'compute  .*output'
tm resize-window -t ft -x 3 -y 2
settle
tm resize-window -t ft -x 80 -y 24
keys q
check "survives 3x2 and quits with exit 0" exited_with 0
start 20 6 -- view "$VIEW"
check "starts in a 20x6 terminal" wait_for 'all'
keys j Enter '?' q q
check "20x6: zoom, help and quit" exited_with 0

# --- signals: the terminal is always restored ------------------------------------------
start 100 30 -- view "$VIEW"
keys C-c
check "Ctrl-C quits" wait_exit
check "the terminal is restored after Ctrl-C" restored
start 100 30 -- view "$VIEW"
pkill -TERM -f "^$FT view"
check "SIGTERM quits" wait_exit
check "the terminal is restored after SIGTERM" restored

# --- terminals without UTF-8 or colour ---------------------------------------------
start 100 30 LANG=C -- view "$VIEW"
settle
check "LANG=C: plain ASCII only" bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -qP '[^\x00-\x7f]'"
check "LANG=C: names cut with '..'" wait_for 'matrix_multiply'
keys q
start 100 30 NO_COLOR=1 -- view "$VIEW"
settle
tm capture-pane -e -p -t ft > "$TMP/mono"
check "NO_COLOR: no colours" bash -c "! grep -q '\[3[0-9];5\|\[4[0-9];5\|\[4[0-7]m' $TMP/mono"
check "NO_COLOR: the selection is in reverse video" grep -q $'\e\\[[0-9;]*7m' "$TMP/mono"
check "NO_COLOR: frames are separated" wait_for '▏'
keys q
start 100 30 TERM=xterm -- view "$VIEW"
settle
tm capture-pane -e -p -t ft > "$TMP/c8"
check "TERM=xterm: the 8-colour fallback" bash -c "grep -q '\[4[0-7]m' $TMP/c8 && ! grep -q ';5;' $TMP/c8"
keys q

# --- input from stdin, mouse ------------------------------------------------------
start 100 30 -- view - "< $VIEW"
check "view - reads the profile from stdin" wait_for 'stdin | 2300 samples'
mouse 32 85 4; mouse 35 85 4
check "mouse: a click selects the frame under it" wait_for '^process_job *$'
check "... without zooming" bash -c "! tmux -S $SOCK capture-pane -p -t ft | grep -q 'zoom depth'"
sleep 0.5
mouse 32 85 4; mouse 35 85 4; mouse 32 85 4; mouse 35 85 4
check "mouse: a double click zooms into the frame" wait_for 'zoom depth 4'
mouse 97 10 10
check "mouse: the wheel zooms out" wait_for 'zoom depth 3'
keys m
check "m turns the mouse off" wait_for 'mouse off'
keys q

# --- snapshots ------------------------------------------------------------------------
mkdir -p "$TMP/snaps"
now=$(date +%s)
for i in 0 1 2 3 4 5 6 7 8 9; do
	ts=$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)
	ln -s "$TMP/victim" "$TMP/snaps/flametop-view-$ts.folded"
done
echo "precious" > "$TMP/victim"
start 100 30 -- view --snapshot-dir "$TMP/snaps" "$VIEW"
keys j j j Enter s
check "s names the snapshot file in the status line" wait_for 'snapshot written to'
snap=$(ls "$TMP"/snaps/flametop-view-*-2.folded 2>/dev/null | head -1)
check "snapshot: never follows a symlink or overwrites (took the -2 name)" \
	bash -c "[ -n '$snap' ] && [ \"\$(cat $TMP/victim)\" = precious ] && [ -L '$TMP/snaps/flametop-view-$(date -d "@$now" +%Y%m%d-%H%M%S).folded' ]"
grep ';compute' "$VIEW" | sort > "$TMP/want"
check "snapshot: exactly the zoomed subtree, with full root paths" \
	bash -c "[ -n '$snap' ] && sort '$snap' | diff - $TMP/want"
keys q
check "no temporary files are left" bash -c "! ls -A $TMP/snaps | grep -q '^\\.'"

# --- valgrind on the view path: no errors, nothing lost ------------------------------
if command -v valgrind > /dev/null && [ -z "${ASAN_OPTIONS:-}" ] && ! nm "$FT" | grep -q __asan_init; then
	WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 --log-file=$TMP/vg.log"
	start 100 30 -- view --snapshot-dir "$TMP/snaps" "$VIEW"
	WRAP=
	wait_for 'samples' && sleep 1
	for k in j j j Enter t Tab j Enter / inn Enter n Escape Escape '?' x f s q; do
		keys "$k"
		sleep 0.2
	done
	for _ in $(seq 100); do [ -s "$TMP/exit" ] && break; sleep 0.1; done
	check "valgrind: no errors or leaks through zoom, top-N, search, help, snapshot" \
		bash -c "grep -qx EXIT=0 $TMP/exit && ! grep -q . $TMP/vg.log"
fi

# --- bad input never touches the terminal ------------------------------------------
printf 'a;b 1\na;c 2\na;;d 3\n' > "$TMP/bad.folded"
"$FT" view "$TMP/bad.folded" > "$TMP/out" 2> "$TMP/err" < /dev/null
rc=$?
check "view of a malformed file: exit 1 with the line number" \
	bash -c "[ $rc -eq 1 ] && grep -q 'bad.folded:3:' $TMP/err && [ \$(wc -l < $TMP/err) -eq 1 ]"
start 100 30 -- view "$TMP/bad.folded"
wait_exit
check "... and in a terminal it exits before drawing" \
	bash -c "grep -qx EXIT=1 $TMP/exit && tmux -S $SOCK capture-pane -p -t ft | grep -q 'bad.folded:3:'"
"$FT" view /nonexistent.folded 2> "$TMP/err" < /dev/null
check "view of a missing file: exit 1 with one line naming it" \
	bash -c "[ $? -eq 1 ] && grep -q nonexistent $TMP/err && [ \$(wc -l < $TMP/err) -eq 1 ]"
"$FT" view "$VIEW" < /dev/null > /dev/null 2> "$TMP/err" &
pid=$!
sleep 1
kill "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "view without a terminal: exit 1 with one line" \
	bash -c "[ $rc -eq 1 ] && grep -q 'terminal' $TMP/err"

# --- a costly search pattern never stalls the screen -----------------------------------------
quits_within() {	# quits_within SECONDS: the program has exited by then
	for _ in $(seq $(($1 * 10))); do [ -s "$TMP/exit" ] && return 0; sleep 0.1; done
	return 1
}
printf 'prog;main;%s 5\nprog;main;other 3\n' "$(head -c 400 /dev/zero | tr '\0' a)" \
	> "$TMP/long.folded"
start 100 30 -- view "$TMP/long.folded"
keys /
keys -l '(.*)(.*)(.*)(.*)\1x'
keys Enter
check "search: the backtracking pattern of issue 11 is answered at once" wait_for 'Matched: 0.0%' 1
keys q
check "... and q then quits within a second" quits_within 1
start 160 30 -- view "$TMP/long.folded"
keys /
keys -l '(.*)(.*)(.*)(.*)\1[xy]'
keys Enter
check "search: a pattern too costly for a name says the search was cut off" \
	wait_for 'search cut off: pattern too costly for 1 name' 1
check "... and counts that name as no match" wait_for 'Matched: 0.0%' 1
keys q
check "... and q then quits within a second" quits_within 1

# xenl: on a terminal where the last column waits for the next character
# (tmux, xterm, the Linux console), the bottom-right cell is painted too
start 40 12 -- view "$DATA/view.folded"
check "the bottom-right cell is painted (xenl): the key bar reaches the last column" \
	wait_for 'EscBack fFl$'
keys q
check "... and q quits with exit 0" exited_with 0
check "... and the terminal is restored" restored
