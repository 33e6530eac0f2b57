#!/usr/bin/env bash
# DWARF unwinding's cost (issue 6), next to frame pointers in the same run:
# the BPF program's run time per sample, the time and memory to build tables,
# and flametop's total CPU for a 60 s whole-host capture (UNWIND_SECONDS).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FT=$BUILD/flametop
SECS=${UNWIND_SECONDS:-60}
T=$(mktemp -d /tmp/flametop-unwind.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

echo "## unwind tables: build time and size"
"$BUILD"/bench/bench_unwind /lib/x86_64-linux-gnu/libc.so.6 "$(readlink -f /usr/bin/python3)" \
	/usr/lib/gcc/x86_64-linux-gnu/12/cc1 "$(readlink -f /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1)"

echo "## whole host at 99 Hz, every CPU busy (split-nofp and a python3 loop), fp vs dwarf"
for c in $(seq "$(nproc)"); do "$BUILD/workloads/split-nofp" -s $((SECS * 2 + 60)) > /dev/null & done
python3 -c 'while True: sum(i * i for i in range(10000))' &
sleep 2
for mode in fp auto; do
	/usr/bin/time -f "%U %S" -o "$T/$mode.time" env FLAMETOP_BPF_STATS=1 \
		"$FT" record -a --unwind "$mode" -F 99 -d "$SECS" -o "$T/$mode.folded" 2> "$T/$mode.err"
	read -r u s < "$T/$mode.time"
	ns=$(sed -n 's/.*bpf [0-9]* runs, \([0-9]*\) ns.*/\1/p' "$T/$mode.err")
	runs=$(sed -n 's/.*bpf \([0-9]*\) runs.*/\1/p' "$T/$mode.err")
	reach=$(awk '{ n += $NF; if ($0 ~ /__libc_start_main/) m += $NF } END { printf "%.1f", n ? 100 * m / n : 0 }' "$T/$mode.folded")
	echo "--unwind $mode: ${SECS} s capture: flametop user $u + sys $s + bpf" \
		"$(awk -v b="${ns:-0}" 'BEGIN { printf "%.3f", b / 1e9 }') s;" \
		"bpf $(awk -v b="${ns:-0}" -v r="${runs:-1}" 'BEGIN { printf "%.0f", b / (r ? r : 1) }') ns per run;" \
		"$reach% of samples reach __libc_start_main"
done

echo "## what a sample costs here, whatever the unwinder (same busy host, 10 s each)"
# At 99 Hz every run starts with cold caches; at 999 Hz they stay warm, which
# shows what the walk itself costs.
for hz in 99 999; do
	for mode in fp auto; do
		FLAMETOP_BPF_STATS=1 "$FT" record -a --unwind "$mode" -F "$hz" -d 10 -o /dev/null 2> "$T/r.err"
		sed -n 's/.*bpf \([0-9]*\) runs, \([0-9]*\) ns.*/\1 \2/p' "$T/r.err" |
			awk -v hz="$hz" -v m="$mode" '{ printf "flametop --unwind %s at %d Hz: %.0f ns per sample\n", m, hz, $2 / $1 }'
	done
done
# The floor: bpftrace's perf_event programs at 99 Hz, one that only counts,
# and one that counts by the kernel's own frame-pointer stacks (bcc's profile),
# at 99 and 999 Hz: the peer of flametop's figures above.
if command -v bpftrace > /dev/null && command -v bpftool > /dev/null; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	for prog in 'profile:hz:99 { @n = count(); }' 'profile:hz:99 { @[kstack, ustack] = count(); }' \
		'profile:hz:999 { @[kstack, ustack] = count(); }'; do
		timeout 12 bpftrace -e "$prog" > /dev/null 2>&1 &
		sleep 10
		bpftool prog show | grep -A1 ' perf_event ' | grep -o 'run_time_ns [0-9]* run_cnt [0-9]*' |
			awk -v p="$prog" '{ printf "bpftrace %s: %.0f ns per sample\n", p, $2 / $4 }'
		wait $!
	done
	sysctl -q kernel.bpf_stats_enabled="$old"
fi
