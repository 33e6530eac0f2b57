#!/usr/bin/env bash
# Source lines (issue 14): record --lines writes func:file:line frames, each
# the line of its call (the leaf: of the sampled address), as perf's srcline
# and stackcollapse-perf.pl --srcline have them; the live view's status line
# and top-N pane say where functions are declared.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
SRC=$(realpath "$(dirname "$0")/../workloads/split.c")
FLAMEGRAPH=$(realpath "$(dirname "$0")/../..")/../shared/peers/FlameGraph/flamegraph.pl
line_of() { grep -n -- "$1" "$SRC" | head -1 | cut -d: -f1; }

start_workload "$TMP/w.out" "$BUILD/workloads/split-inline" -s 60
"$FT" record -p "$WPID" --lines -d 2 -o "$TMP/lines.folded" 2> /dev/null
want="main:split.c:$(grep -n '^		round_of_work();' "$SRC" | tail -1 | cut -d: -f1);round_of_work:split.c:$(line_of 'case 0: via_alpha(')"
want="$want;via_alpha:split.c:$(line_of 'void via_alpha');leaf_sixty:split.c:$(line_of 'void leaf_sixty')"
check "--lines: each frame with the line of its call: $want;spin_[i]:split.c:..." \
	grep -q ";$want;spin_\\[i\\]:split.c:\\($(line_of 'for (i = 0; i < n')\\|$(line_of 'x = x \* 2862')\\) " "$TMP/lines.folded"
check "... valid folded, and flamegraph.pl draws it" \
	bash -c "valid_folded() { [ -s \"\$1\" ] && ! grep -vqP '^[^;\\n]+(;[^;\\n]+)* [1-9][0-9]*\$' \"\$1\"; };
		 valid_folded '$TMP/lines.folded' &&
		 perl '$FLAMEGRAPH' '$TMP/lines.folded' | grep -q 'leaf_sixty:split.c'"
"$FT" record -p "$WPID" -d 1 -o "$TMP/plain.folded" 2> /dev/null
check "without --lines: plain names" \
	bash -c "grep -q ';via_alpha;leaf_sixty;spin_\\[i\\] ' '$TMP/plain.folded' && ! grep -q 'split.c:' '$TMP/plain.folded'"

start 140 50 -- -p "$WPID"
wait_for 'leaf_sixty' 3
keys / leaf_sixty Enter
check "live: the status line says where the selected function is declared" \
	wait_for "leaf_sixty  at .*split.c:$(line_of 'void leaf_sixty')" 3
# by total (Tab): by self, leaf_sixty has none (spin_[i] is inlined into it) and
# ties go by name, so a few kernel functions could push it out of the pane
keys Escape t Tab
# a row of the table ("  0.0%   61.0%   0   208  leaf_sixty  .../split.c:45"), not the
# status line, which names the selected frame the same way
check "live: the top-N pane says where each function is declared" \
	wait_for "^ *[0-9.]*% *[0-9.]*% *[0-9]* *[0-9]*  leaf_sixty  .*split.c:$(line_of 'void leaf_sixty')" 3
keys q
wait_exit
kill "$WPID"
