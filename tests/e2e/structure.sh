#!/usr/bin/env bash
# The shape of the code (issue 12): no include cycle among tui/'s modules,
# panes never include the loop's header, data flows one way between the
# folders, and no grow-by-doubling copies are left outside util/vec.h.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

# module -> modules it includes (x.c and x.h are module x), inside one folder
graph() {
	for f in "$1"/*.[ch]; do
		m=$(basename "$f"); m=${m%.*}
		sed -n 's/^#include "\([a-z_]*\)\.h"$/\1/p' "$f" | while read -r d; do
			[ "$d" != "$m" ] && echo "$m $d"
		done
	done | sort -u
}
graph tui > "$TMP/tui.edges"
check "tui/: the include graph is read (some edges)" test -s "$TMP/tui.edges"
check "tui/: no include cycle among its modules" bash -c "tsort '$TMP/tui.edges' > /dev/null 2> '$TMP/tsort.err'"
[ -s "$TMP/tsort.err" ] && cat "$TMP/tsort.err"
panes=$(grep -l '#include "app.h"' tui/*.[ch] | grep -v -e tui/app.c -e tui/app_paint.c -e tui/actions.c -e tui/explore.c)
check "tui/: no pane includes the loop's header (app.h)${panes:+: $panes}" test -z "$panes"
# folders: bpf -> sampler -> profile -> render -> tui; util below all
up() {	# up FOLDER FORBIDDEN...: FOLDER includes none of them
	local d=$1; shift
	for f in "$@"; do grep -l "#include \"\.\./$f/" "$d"/*.[ch] 2>/dev/null; done
}
check "profile/ includes no sampler/, render/, tui/ header" test -z "$(up profile sampler render tui)"
check "render/ includes no sampler/ or tui/ header" test -z "$(up render sampler tui)"
check "sampler/ includes no render/ or tui/ header" test -z "$(up sampler render tui)"
check "util/ includes nothing of the project's folders" test -z "$(up util profile sampler render tui keymaps)"
check "only the terminal's files (tui/screen.c, tui/screen_out.c) include curses" \
	test "$(grep -l '#include <n\?curses\|#include <term.h>' */*.[ch] | tr '\n' ' ')" = "tui/screen.c tui/screen_out.c "
# grow-by-doubling by hand: "cap * 2", "2 * cap" and the like, outside util/vec.c
copies=$(grep -nE '(cap|capacity)[a-z_]* \* 2|2 \* [a-z_>.-]*cap' */*.c | grep -v '^util/vec.c' || true)
check "no hand-written grow-by-doubling left${copies:+: $copies}" test -z "$copies"
