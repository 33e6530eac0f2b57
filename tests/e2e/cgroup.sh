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
