#!/usr/bin/env bash
# Names from the right image (issue 14): processes that live 20 ms, and
# images replaced by exec mid-capture, PIE and not.
. "$(dirname "$0")/lib.sh"
W=$BUILD/workloads

# --- 1,000 children of 20 ms each, two at a time ---------------------------------
start_workload "$TMP/burst.out" "$W/burst" 1000 20
"$FT" record -p "$WPID" -d 14 -o "$TMP/burst.folded" 2> "$TMP/burst.err"
n=$(awk '/^burst;/ { n += $NF } END { print n + 0 }' "$TMP/burst.folded")
named=$(share '^[^[]*(;[^[;][^;]*)* [0-9]+$' "$TMP/burst.folded" '^burst;')
whole=$(share '^burst;_start;.*;main;burst_child;burst_leaf' "$TMP/burst.folded" '^burst;')
check "1,000 children of 20 ms: $named% of their $n samples have every frame named (>= 90%); $whole% whole from _start" \
	awk -v s="$named" -v n="$n" 'BEGIN { exit !(s >= 90 && n >= 1000) }'
check "... and their stacks are walked (tables found through the kernel's mappings until the process has its own)" \
	awk -v s="$whole" 'BEGIN { exit !(s >= 80) }'
kill "$WPID" 2> /dev/null

# --- exec mid-capture: samples named from the image that ran ----------------------
for pair in "burst-nopie split-nopie" "burst split-nofp"; do
	set -- $pair
	for mode in auto fp; do
		start_workload "$TMP/ex.out" "$W/$1" --then 1.5 "$W/$2" -s 2
		"$FT" record -p "$WPID" --unwind $mode -d 3 -o "$TMP/ex.folded" 2> /dev/null
		wait "$WPID" 2> /dev/null
		check "exec $1 -> $2 (--unwind $mode): no sample of either named from the other" \
			bash -c "grep -q '^$1;' '$TMP/ex.folded' && grep -q '^$2;' '$TMP/ex.folded' &&
				 ! grep -q '^$1;.*\\(leaf_\\|round_of_work\\|via_\\)' '$TMP/ex.folded' &&
				 ! grep -q '^$2;.*burst_' '$TMP/ex.folded'"
		if [ $mode = auto ]; then
			check "... and both are named (auto): burst_leaf and leaf_sixty" \
				bash -c "grep -q '^$1;.*;main;burst_child;burst_leaf ' '$TMP/ex.folded' &&
					 grep -q '^$2;.*;main;round_of_work;via_alpha;leaf_sixty ' '$TMP/ex.folded'"
		fi
	done
done
