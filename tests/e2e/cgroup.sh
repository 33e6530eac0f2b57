#!/usr/bin/env bash
# flametop record -c against a cgroup the test creates and moves a workload into.
. "$(dirname "$0")/lib.sh"
MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$MNT" ]; then echo "SKIP no cgroup2 mount"; exit 0; fi
CG="flametop-test-$$"
mkdir "$MNT/$CG"
trap 'cleanup; rmdir "$MNT/$CG" 2>/dev/null' EXIT
cp "$BUILD/workloads/split" "$TMP/inside"
cp "$BUILD/workloads/split" "$TMP/outside"
start_workload "$TMP/in.out" "$TMP/inside" -s 10
INSIDE=$WPID
echo "$INSIDE" > "$MNT/$CG/cgroup.procs"
start_workload "$TMP/out.out" "$TMP/outside" -s 10

"$FT" record -c "$CG" -d 3 -o "$TMP/cg.folded" 2>/dev/null
check "record -c (relative path) writes valid folded" valid_folded "$TMP/cg.folded"
check "record -c keeps the workload in the cgroup" grep -q '^inside;.*leaf_sixty' "$TMP/cg.folded"
check "record -c drops everything outside it" \
	bash -c "! cut -d';' -f1 '$TMP/cg.folded' | grep -qvx inside"
"$FT" record -c "$MNT/$CG" -d 2 -o "$TMP/cg2.folded" 2>/dev/null
check "record -c takes an absolute path" grep -q '^inside;' "$TMP/cg2.folded"
"$FT" record -a -d 2 -o "$TMP/all.folded" 2>/dev/null
check "record -a sees both workloads" \
	bash -c "grep -q '^inside;' '$TMP/all.folded' && grep -q '^outside;' '$TMP/all.folded'"

# -p takes the processes' existing descendants (issue 13): a shell whose child
# already runs, and that child's own child, built without frame pointers (so
# its stacks need the unwind tables -p builds before sampling).
cp "$BUILD/workloads/split" "$TMP/kid"
NOFP=$BUILD/workloads/split-nofp
[ -x "$NOFP" ] || NOFP=$BUILD/workloads/split
cp "$NOFP" "$TMP/grandkid"
sh -c "'$TMP/kid' -s 6 > '$TMP/kid.out' & sh -c \"'$TMP/grandkid' -s 6 > '$TMP/gk.out'\" & wait" &
SH=$!
PIDS+=($SH)
disown $SH
for _ in $(seq 50); do
	grep -q ready "$TMP/kid.out" 2>/dev/null && grep -q ready "$TMP/gk.out" 2>/dev/null && break
	sleep 0.1
done
PIDS+=($(awk '/ready/ {print $2}' "$TMP/kid.out" "$TMP/gk.out"))
"$FT" record -p "$SH" -d 2 -o "$TMP/sh.folded" 2> "$TMP/sh.err"
check "record -p of a shell samples its running child (leaf_sixty)" \
	grep -q '^kid;.*;main;round_of_work;via_alpha;leaf_sixty ' "$TMP/sh.folded"
check "... and the child of its child, unwound without frame pointers" \
	grep -q '^grandkid;_start;.*;main;round_of_work;via_alpha;leaf_sixty ' "$TMP/sh.folded"
check "... and nothing else" bash -c "! cut -d';' -f1 '$TMP/sh.folded' | grep -qvxE 'kid|grandkid|sh'"
