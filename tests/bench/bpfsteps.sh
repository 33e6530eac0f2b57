#!/usr/bin/env bash
# Where the sample program's time goes (issue 18): the program run again and
# again with FLAMETOP_BPF_CUT=N, which stops it after its step N, on the same
# busy host; each step's cost is the difference to the step before.  Next to
# it, bpftrace's programs built up the same way.  Medians of BPF_STEP_RUNS.
# BPF_H2H_BEFORE=PATH adds another flametop binary (an earlier build) to the
# head-to-head, so that a change is measured in the same rounds.
# BPF_SECTIONS picks the parts (default "steps turns once").
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FT=$BUILD/flametop
SECS=${BPF_STEP_SECONDS:-5}
RUNS=${BPF_STEP_RUNS:-3}
ROUNDS=${BPF_H2H_ROUNDS:-6}
# which parts run: the steps, the head-to-head in turns, the head-to-head at once
SECTIONS=" ${BPF_SECTIONS:-steps turns once} "
T=$(mktemp -d /tmp/flametop-steps.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

# the busy host: Debian's code (no frame pointers: python3) and ours without
# them, or (fp) our workload built with frame pointers, where a frame-pointer
# walk reaches main as the tables' walk does
LOAD=()
load() {
	[ ${#LOAD[@]} -gt 0 ] && { kill "${LOAD[@]}" 2>/dev/null; wait "${LOAD[@]}" 2>/dev/null; }
	LOAD=()
	local w=split-nofp
	[ "$1" = fp ] && w=split
	for c in $(seq "$(nproc)"); do "$BUILD/workloads/$w" -s 100000 > /dev/null & LOAD+=($!); done
	[ "$1" = fp ] || { python3 -c 'while True: sum(i * i for i in range(10000))' & LOAD+=($!); }
	sleep 2
}
load nofp

median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

# ns per run of flametop's sample program cut after step $3, mode $1, $2 Hz: one run
# (of the binary $4, flametop's by default)
ft_once() {
	FLAMETOP_BPF_STATS=1 FLAMETOP_BPF_CUT=$3 "${4:-$FT}" record -a --unwind "$1" -F "$2" \
		-d "$SECS" -o /dev/null 2> "$T/r.err"
	sed -n 's/.*bpf \([0-9]*\) runs, \([0-9]*\) ns.*/\1 \2/p' "$T/r.err" |
		awk '{ printf "%.0f\n", $1 ? $2 / $1 : 0 }'
}

ft_ns() { for _ in $(seq "$RUNS"); do ft_once "$@"; done | median; }

# the same for a bpftrace program (bpf_stats on while it runs)
# ns per run of the perf_event program loaded now that is not flametop's
bt_prog_ns() {
	bpftool prog show | grep ' perf_event ' | grep -v 'name on_sample' |
		grep -o 'run_time_ns [0-9]* run_cnt [0-9]*' | awk '{ printf "%.0f\n", $4 ? $2 / $4 : 0 }' | head -1
}
bt_once() {
	timeout $((SECS + 2)) bpftrace -e "$1" > /dev/null 2>&1 &
	sleep "$SECS"
	bt_prog_ns
	wait $!
}

bt_ns() { for _ in $(seq "$RUNS"); do bt_once "$1"; done | median; }

steps=(1 "entry: filters, scratch, sample count"
	2 "who: task, tgid/tid, comms, cgroup, image tag"
	3 "kernel stack: bpf_get_stack"
	4 "kernel stack: hash"
	5 "user stack: walk and hash"
	6 "count looked up; if new, both stacks stored"
	7 "if new, count added"
	0 "if new, process check (the whole program)")
for hz in 99 999; do
	[[ $SECTIONS == *" steps "* ]] || break
	echo "## the sample program step by step at $hz Hz (ns per sample, median of $RUNS x $SECS s)"
	printf '%-48s %14s %14s\n' "cut after" "--unwind fp" "--unwind auto"
	prev_fp=0 prev_auto=0
	for ((i = 0; i < ${#steps[@]}; i += 2)); do
		fp=$(ft_ns fp "$hz" "${steps[i]}")
		auto=$(ft_ns auto "$hz" "${steps[i]}")
		printf '%-48s %6d (+%5d) %6d (+%5d)\n' "${steps[i + 1]}" "$fp" $((fp - prev_fp)) \
			"$auto" $((auto - prev_auto))
		prev_fp=$fp prev_auto=$auto
	done
	if command -v bpftrace > /dev/null && command -v bpftool > /dev/null; then
		old=$(sysctl -n kernel.bpf_stats_enabled)
		sysctl -q kernel.bpf_stats_enabled=1
		for p in '@n = count();' '@[kstack] = count();' '@[kstack, ustack] = count();'; do
			printf '%-48s %6d\n' "bpftrace $p" "$(bt_ns "profile:hz:$hz { $p }")"
		done
		sysctl -q kernel.bpf_stats_enabled="$old"
	fi
done

# The goal's figures: the whole programs one after the other, round after
# round, so that a noisy host's slow minutes fall on each alike.
if [[ $SECTIONS == *" turns "* ]] && command -v bpftrace > /dev/null &&
	command -v bpftool > /dev/null; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	for hz in 99 999; do
		echo "## head to head at $hz Hz, alternating (ns per sample; median of $ROUNDS rounds of $SECS s)"
		for _ in $(seq "$ROUNDS"); do
			auto=$(ft_once auto "$hz" 0)
			sysctl -q kernel.bpf_stats_enabled=1
			bt=$(bt_once "profile:hz:$hz { @[kstack, ustack] = count(); }")
			sysctl -q kernel.bpf_stats_enabled="$old"
			before=0
			[ -n "${BPF_H2H_BEFORE:-}" ] && before=$(ft_once auto "$hz" 0 "$BPF_H2H_BEFORE")
			echo "$auto $bt $(ft_once fp "$hz" 0) $before"
		done > "$T/h2h"
		awk '{ print $1 }' "$T/h2h" | median > "$T/a"
		awk '{ print $2 }' "$T/h2h" | median > "$T/b"
		awk '{ print $3 }' "$T/h2h" | median > "$T/f"
		printf '%-48s %6d\n' "flametop --unwind auto" "$(cat "$T/a")" \
			"bpftrace @[kstack, ustack] = count();" "$(cat "$T/b")" \
			"flametop --unwind fp" "$(cat "$T/f")"
		[ -n "${BPF_H2H_BEFORE:-}" ] &&
			printf '%-48s %6d\n' "$BPF_H2H_BEFORE --unwind auto" \
				"$(awk '{ print $4 }' "$T/h2h" | median)"
		awk -v a="$(cat "$T/a")" -v b="$(cat "$T/b")" \
			'BEGIN { printf "%-48s %6.2f (goal <= 1)\n", "auto / bpftrace", b ? a / b : 0 }'
		echo "rounds (auto, bpftrace, fp, before): $(tr '\n' ';' < "$T/h2h")"
	done
fi

# The same at once: bpftrace and flametop sample the same seconds, so that
# the host's noise falls on both (rounds of one ratio each, median), on
# Debian's code and on code with frame pointers, where bpftrace's stacks are
# as deep as ours (on Debian's, its walk stops after a frame or two).
if [[ $SECTIONS == *" once "* ]] && command -v bpftrace > /dev/null &&
	command -v bpftool > /dev/null; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	for code in nofp fp; do
		load "$code"
		for hz in 99 999; do
			for _ in $(seq "$ROUNDS"); do
				sysctl -q kernel.bpf_stats_enabled=1
				timeout $((SECS + 4)) bpftrace -e \
					"profile:hz:$hz { @[kstack, ustack] = count(); }" > /dev/null 2>&1 &
				bp=$!
				sleep 1
				auto=$(ft_once auto "$hz" 0)
				bt=$(bt_prog_ns)
				kill "$bp" 2> /dev/null
				wait "$bp" 2> /dev/null
				sysctl -q kernel.bpf_stats_enabled="$old"
				echo "$auto ${bt:-0}"
			done > "$T/once"
			awk '$2 > 0 { printf "%.3f\n", $1 / $2 }' "$T/once" | median > "$T/r"
			printf '%-48s %6.2f (goal <= 1)\n' "at once, $code code, $hz Hz: auto / bpftrace" \
				"$(cat "$T/r")"
			echo "rounds (auto, bpftrace): $(tr '\n' ';' < "$T/once")"
		done
	done
fi
