#!/usr/bin/env bash
# Runs every test: the cmocka unit tests, the end-to-end scripts (real BPF,
# real processes, real cgroups) and the fuzz corpus replay; ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
# Debian sets DEBUGINFOD_URLS for login shells: tests that want a server
# start their own (e2e/debuginfod.sh); no other test asks the network
unset DEBUGINFOD_URLS
pass=0 fail=0
failed=()

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$(timeout 600 "$t" 2>&1)
	echo "$out" | grep -E '^\[  (FAILED|ERROR|PASSED)|^ERROR|^\[  ERROR' || true
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0}))
	if [ -n "$f" ] && [ "$f" -gt 0 ]; then
		fail=$((fail + f)); failed+=("$(basename "$t")")
	elif [ -z "$p" ]; then
		fail=$((fail + 1)); failed+=("$(basename "$t") (crashed)")
		echo "$out" | tail -20
	fi
done

for s in tests/e2e/*.sh; do
	out=$(timeout 900 bash "$s" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(PASS|FAIL|SKIP) ' || true
	p=$(echo "$out" | grep -c '^PASS ')
	f=$(echo "$out" | grep -c '^FAIL ')
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then failed+=("$(basename "$s")"); fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail=$((fail + 1)); failed+=("$(basename "$s") (exit $rc)")
		echo "$out" | tail -20
	fi
done

for t in readers stream keymap timeline jitmap pprof unwind_cache ehframe dwindex kbtf; do
	corpus=tests/fuzz/$t-corpus
	[ -d "$corpus" ] || corpus=tests/fuzz/corpus
	if "$BUILD/fuzz/regress_$t" "$corpus"/*; then
		pass=$((pass + 1)); echo "PASS fuzz corpus replay: $t"
	else
		fail=$((fail + 1)); failed+=("fuzz corpus replay: $t")
	fi
done

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
