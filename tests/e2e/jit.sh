#!/usr/bin/env bash
# JIT code (issue 14): node with --perf-basic-prof writes /tmp/perf-PID.map;
# its JIT frames are named from it, and walked through with frame pointers
# down to node's main, next to perf record -g on the same process.
. "$(dirname "$0")/lib.sh"
JS=$(realpath "$(dirname "$0")/../workloads/js/jit.js")

if ! command -v node > /dev/null; then
	fail "node is installed (make deps)"
	exit 0
fi
cd "$TMP" || exit 1
start_workload "$TMP/node.out" node --perf-basic-prof "$JS" 20
sleep 1	# past start-up: the hot function is compiled
perf record -q -g -p "$WPID" -o "$TMP/perf.data" -- sleep 4 > /dev/null 2>&1 &
PERF=$!
"$FT" record -p "$WPID" -F 199 -d 4 -o "$TMP/node.folded" 2> "$TMP/err"
wait "$PERF"
perf script -i "$TMP/perf.data" 2> /dev/null > "$TMP/perf.txt"
"$FT" fold "$TMP/perf.txt" -o "$TMP/perf.folded" 2> /dev/null
ours=$(share 'outerJsFunction' "$TMP/node.folded")
theirs=$(share 'outerJsFunction' "$TMP/perf.folded")
check "the hot JS function is named from the perf map: outerJsFunction in $ours% of samples (perf -g: $theirs%)" \
	awk -v s="$ours" 'BEGIN { exit !(s >= 90) }'
check "... with the name as the map has it" \
	grep -q ';JS:\*outerJsFunction [^;]*jit.js:[0-9]*' "$TMP/node.folded"
ours=$(share ';node::Start[^;]*;.*outerJsFunction' "$TMP/node.folded")
theirs=$(share ';node::Start[^;]*;.*outerJsFunction' "$TMP/perf.folded")
check "JIT frames are walked through (frame pointers) down to node's main (node::Start, which main tail-calls): $ours% of samples (perf -g: $theirs%)" \
	awk -v s="$ours" 'BEGIN { exit !(s >= 95) }'
check "every stack ends at its root or says [incomplete]" \
	awk '{ split($0, f, ";"); if (f[2] !~ /^(_start|(__)?clone3?|\[incomplete\]|.*_\[k\])$/) {
		print "bad root: " f[2]; bad = 1 } } END { exit bad }' "$TMP/node.folded"
kill "$WPID"

# a map planted by another user for this process is not read
start_workload "$TMP/plain.out" node "$JS" 20
sleep 1
printf '0 ffffffffffffffff PLANTED\n' > "/tmp/perf-$WPID.map"
chown nobody "/tmp/perf-$WPID.map"
"$FT" record -p "$WPID" -d 2 -o "$TMP/planted.folded" 2> /dev/null
check "a perf map the process's user does not own is ignored" \
	bash -c "[ -s '$TMP/planted.folded' ] && ! grep -q PLANTED '$TMP/planted.folded'"
rm -f "/tmp/perf-$WPID.map"
printf '0 ffffffffffffffff SECRET\n' > "$TMP/root-only.map"
ln -s "$TMP/root-only.map" "/tmp/perf-$WPID.map"
"$FT" record -p "$WPID" -d 1 -o "$TMP/link.folded" 2> /dev/null
check "... nor a symlink at its place, even to a file the user owns" \
	bash -c "[ -s '$TMP/link.folded' ] && ! grep -q SECRET '$TMP/link.folded'"
rm -f "/tmp/perf-$WPID.map"
kill "$WPID"
