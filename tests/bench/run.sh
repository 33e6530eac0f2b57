#!/usr/bin/env bash
# make bench: prints the figures docs/PERFORMANCE.md records.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FT=$BUILD/flametop
W=$BUILD/workloads/split
T=$(mktemp -d /tmp/flametop-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
echo "# flametop bench on $(uname -r), $(nproc) CPUs, $(date -u +%F)"

echo "## model"
"$BUILD"/bench/bench_model

echo "## the count map (issue 13: tid, thread name and cgroup id in the key)"
"$FT" record -a -d 3 -o /dev/null 2> /dev/null &
sleep 2
bpftool map show name counts0 2> /dev/null | grep -o 'key [0-9]*B  value [0-9]*B  max_entries [0-9]*  memlock [0-9]*B' |
	awk '{ k = $2 + 0; m = $8 + 0; e = $6
	       printf "count map: %s, memlock %d B each (x2); with the 48-byte key of before: %d B\n",
		      $0, m, m - (k - 48) * e }'
wait

echo "## symbolization per new binary and per new process (issue 14), before and after"
# before: the symbolizer of the commit before issue 14, built here from git
# (a clean clone has the history); the same bench source, the same host
PRE=cf592d0
if git rev-parse -q --verify "$PRE^{commit}" > /dev/null 2>&1; then
	mkdir -p "$T/before/tests/bench"
	git archive "$PRE" sampler profile util | tar -x -C "$T/before"
	cp tests/bench/bench_symbolize.c tests/bench/bench.h "$T/before/tests/bench/"
	(cd "$T/before" && cc -O2 -std=gnu11 -D_GNU_SOURCE -o bench_symbolize \
		tests/bench/bench_symbolize.c sampler/symbolize.c sampler/elffile.c \
		sampler/procmaps.c sampler/debugfile.c sampler/ksyms.c profile/strtab.c \
		profile/textsafe.c util/vec.c util/readall.c -ldw -lelf -lz -liberty -lpthread)
fi
for run in 1 2 3 4 5; do
	[ -x "$T/before/bench_symbolize" ] && "$T/before/bench_symbolize" >> "$T/sym.before"
	"$BUILD"/bench/bench_symbolize >> "$T/sym.after"
done
for side in before after; do
	[ -s "$T/sym.$side" ] || continue
	sed -n '1p' "$T/sym.$side" | sed "s/^/$side: /"
	# medians of five: new binary ms, new process ms
	b=$(sed 's/.*new binary \([0-9.]*\) ms.*/\1/' "$T/sym.$side" | sort -n | sed -n 3p)
	p=$(sed 's/.*new process of it \([0-9.]*\) ms.*/\1/' "$T/sym.$side" | sort -n | sed -n 3p)
	echo "$side median of 5: new binary $b ms, new process $p ms"
done

echo "## explorer: layout and paint at 250x60, key-to-screen latency"
"$BUILD"/bench/bench_tui "$FT"
echo "the same paint through curses (FLAMETOP_PAINT=curses: how it was painted before):"
FLAMETOP_PAINT=curses "$BUILD"/bench/bench_tui "$FT" | grep 'curses paint'

echo "## report throughput"
# real perf stacks of this machine: the whole host while it compiles this
# project (cc1, clang, ld, make: thousands of distinct stacks), replicated
# with distinct roots to >= 40 MB
perf record -q -a -g -F 999 -o "$T/perf.data" -- \
	make -s -B -j"$(nproc)" BUILD="$T/compile" all > /dev/null 2>&1
perf script -i "$T/perf.data" 2> /dev/null > "$T/perf.txt"
"$FT" fold "$T/perf.txt" -o "$T/base.folded" 2> /dev/null
echo "base: $(wc -l < "$T/base.folded") distinct stacks from $(grep -c '^$' "$T/perf.txt") perf samples"
i=0
while [ "$(stat -c %s "$T/big.folded" 2>/dev/null || echo 0)" -lt 41943040 ]; do
	sed "s/^/r$i-/" "$T/base.folded" >> "$T/big.folded"; i=$((i + 1))
done
mb=$(awk -v s="$(stat -c %s "$T/big.folded")" 'BEGIN { printf "%.1f", s / 1048576 }')
lines=$(wc -l < "$T/big.folded")
# this host is shared and noisy: five runs, best and median
for run in 1 2 3 4 5; do
	/usr/bin/time -f "%e %M" -o "$T/time.$run" "$FT" report "$T/big.folded" > /dev/null
done
cat "$T"/time.? | sort -n | awk -v mb="$mb" -v lines="$lines" '
	{ t[NR] = $1; kb = $2 }
	END { printf "report: %s MB, %d lines: best %.2f s (%.0f MB/s), median %.2f s (%.0f MB/s), max RSS %d MB\n",
		mb, lines, t[1], mb / t[1], t[3], mb / t[3], kb / 1024 }'

echo "## pprof: write and read the same file, next to go tool pprof -proto of it"
# flametop: folded -> pprof (read folded, write pprof) and pprof -> report
# (read pprof); go tool pprof -proto: read that pprof file and write it again
export GOCACHE="$T/gocache" PPROF_TMPDIR="$T"
for run in 1 2 3 4 5; do
	/usr/bin/time -f "%e %M" -o "$T/pw.$run" "$FT" fold "$T/big.folded" -o "$T/big.pb.gz"
	/usr/bin/time -f "%e %M" -o "$T/pr.$run" "$FT" report -n 1 "$T/big.pb.gz" > /dev/null
	/usr/bin/time -f "%e %M" -o "$T/pp.$run" "$FT" fold "$T/big.pb.gz" -o "$T/again.pb.gz"
	/usr/bin/time -f "%e %M" -o "$T/go.$run" go tool pprof -proto "$T/big.pb.gz" \
		> "$T/go.pb.gz" 2> /dev/null
done
med() { cat "$T/$1".? | sort -n | sed -n 3p; }
awk -v w="$(med pw)" -v r="$(med pr)" -v p="$(med pp)" -v g="$(med go)" -v mb="$mb" -v lines="$lines" \
	-v sz="$(stat -c %s "$T/big.pb.gz")" 'BEGIN {
	split(w, W, " "); split(r, R, " "); split(p, P, " "); split(g, G, " ")
	printf "pprof of %s MB folded (%d lines) -> %.1f MB .pb.gz: medians of 5\n", mb, lines, sz / 1048576
	printf "  flametop write (fold -> pprof) %.2f s, %d MB RSS; read (report) %.2f s, %d MB RSS\n",
		W[1], W[2] / 1024, R[1], R[2] / 1024
	printf "  the same work, pprof -> pprof: flametop fold %.2f s, %d MB RSS; go tool pprof -proto %.2f s, %d MB RSS (%.2fx)\n",
		P[1], P[2] / 1024, G[1], G[2] / 1024, P[1] / G[1] }'

echo "## off-CPU: a context-switch-heavy workload alone, under flametop --event offcpu, under bcc's offcputime"
PP=$BUILD/workloads/pingpong
pp_rate() { "$PP" -s 5 | awk '/round trips/ { print $3, $5 }'; }
# bcc compiles its program against the running kernel's headers: it may not run at all
timeout 60 offcputime-bpfcc -f 1 > /dev/null 2> "$T/bcc.err" && bcc=1 || bcc=0
# Where bcc cannot run, its mechanism (libbpf-tools' offcputime: stacks taken
# when a thread leaves the CPU, kept by thread, its time added when it comes
# back) in bpftrace, with the kernel's own stack walks
cat > "$T/offcpu.bt" <<'BT'
tracepoint:sched:sched_switch
{
	if (args->prev_pid != 0) {
		@start[args->prev_pid] = nsecs;
		@kst[args->prev_pid] = kstack;
		@ust[args->prev_pid] = ustack;
	}
	$s = @start[args->next_pid];
	if ($s) {
		@off[@kst[args->next_pid], @ust[args->next_pid]] = sum((nsecs - $s) / 1000);
		delete(@start[args->next_pid]);
	}
}
END { clear(@start); clear(@kst); clear(@ust); }
BT
bt=0
if [ "$bcc" = 0 ] && command -v bpftrace > /dev/null && command -v bpftool > /dev/null; then
	bt=1
	old_stats=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
fi
for run in 1 2 3 4 5; do
	pp_rate >> "$T/pp.alone"
	FLAMETOP_BPF_STATS=1 "$FT" record -a --event offcpu -d 9 -o /dev/null 2> "$T/pp.err" &
	sleep 2
	pp_rate >> "$T/pp.ft"
	wait
	sed -n 's/.*bpf switch \([0-9]*\) runs, \([0-9]*\) ns.*/\1 \2/p' "$T/pp.err" >> "$T/pp.bpf"
	if [ "$bcc" = 1 ]; then
		offcputime-bpfcc -f 9 > /dev/null 2>&1 &
		sleep 3
		pp_rate >> "$T/pp.bcc"
		wait
	elif [ "$bt" = 1 ]; then
		timeout -s INT 9 bpftrace "$T/offcpu.bt" > /dev/null 2>&1 &
		sleep 3
		pp_rate >> "$T/pp.bt"
		bpftool prog show | grep -A1 'tracepoint' | grep -o 'run_time_ns [0-9]* run_cnt [0-9]*' |
			awk '{ print $4, $2 }' | tail -1 >> "$T/pp.btbpf"
		wait
	fi
done
[ "$bt" = 1 ] && sysctl -q kernel.bpf_stats_enabled="$old_stats"
med3() { sort -n "$1" | sed -n 3p; }
a=$(med3 "$T/pp.alone"); f=$(med3 "$T/pp.ft")
awk -v a="$a" -v f="$f" 'BEGIN { split(a, A, " "); split(f, F, " ")
	printf "alone: %d round trips/s (%d switches/s); flametop --event offcpu: %d (%d switches/s): slowdown %.1f%%\n",
		A[1], A[2], F[1], F[2], 100 * (1 - F[1] / A[1]) }'
awk '{ r += $1; n += $2 } END { if (r) printf "flametop BPF per switch: %.2f us (%d runs)\n", n / r / 1000, r }' "$T/pp.bpf"
if [ "$bcc" = 1 ]; then
	b=$(med3 "$T/pp.bcc")
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, A, " "); split(b, B, " ")
		printf "bcc offcputime: %d round trips/s: slowdown %.1f%%\n", B[1], 100 * (1 - B[1] / A[1]) }'
else
	echo "bcc offcputime cannot run here: $(grep -m1 -o 'chdir([^)]*).*\|Failed to compile[^"]*' "$T/bcc.err" || tail -1 "$T/bcc.err")"
fi
if [ "$bt" = 1 ]; then
	b=$(med3 "$T/pp.bt")
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, A, " "); split(b, B, " ")
		printf "its mechanism in bpftrace (kernel stack walks, frame-pointer user stacks): %d round trips/s: slowdown %.1f%%\n", B[1], 100 * (1 - B[1] / A[1]) }'
	awk '{ r += $1; n += $2 } END { if (r) printf "bpftrace BPF per switch: %.2f us (%d runs)\n", n / r / 1000, r }' "$T/pp.btbpf"
fi

echo "## record CPU: 10 s whole host at 99 Hz, every CPU busy"
for c in $(seq "$(nproc)"); do "$W" -s 400 > /dev/null & done
sleep 1
# task-clock: user + sys of a process and its children, to the microsecond
cpu_ms() {	# cpu_ms FILE COMMAND...: runs COMMAND, appends its CPU ms to FILE
	local f=$1; shift
	perf stat -x, -e task-clock -o "$T/stat" "$@"
	awk -F, '/task-clock/ { printf "%.1f\n", $1 }' "$T/stat" >> "$f"
}
ft_run() {	# ft_run NAME [OPTIONS]: one capture; its user+sys+BPF ms in $T/NAME
	local name=$1; shift
	[ $# -gt 0 ] || set -- --unwind fp --no-inline
	cpu_ms "$T/$name.cpu" env FLAMETOP_BPF_STATS=1 FLAMETOP_CACHE_DIR="$T/cache" "$FT" record -a "$@" \
		-F 99 -d 10 -o "$T/ft.folded" 2> "$T/ft.err"
	sed -n 's/.*bpf [0-9]* runs, \([0-9]*\) ns.*/\1/p' "$T/ft.err" |
		awk '{ printf "%.1f\n", $1 / 1e6 }' >> "$T/$name.bpf"
}
for run in 1 2 3; do
	# the work perf record -g + perf script do: frame pointers, no inline expansion
	# (tests/bench/unwind.sh prices DWARF unwinding).  Cold: the first run after
	# boot (or a module change) reads the kernel's symbols; warm: the cached ones.
	rm -f /run/flametop/ksyms
	ft_run cold
	ft_run warm
	# the defaults (tables and inline frames): first run of a boot (no kernel
	# symbols, no unwind tables kept), then a run with both kept
	rm -rf /run/flametop/ksyms "$T/cache"
	ft_run dcold --unwind auto
	sed -n 's/.*\(unwind tables [^)]*)\).*/defaults, first run: \1/p' "$T/ft.err"
	# the second run walks what the first left of the DWARF indexes (dwindex.h);
	# from the third on, the cache holds what the host's code needs
	ft_run dsecond --unwind auto
	sed -n 's/.*\(DWARF indexes [^;>]*\).*/defaults, second run: \1/p' "$T/ft.err"
	ft_run dwarm --unwind auto
	sed -n 's/.*\(unwind tables [^)]*)\).*/defaults, cache warm: \1/p' "$T/ft.err"
	sed -n 's/.*\(DWARF indexes [^;>]*\).*/defaults, cache warm: \1/p' "$T/ft.err"
	: > "$T/perf.run"
	cpu_ms "$T/perf.run" perf record -q -F 99 -g -a -o "$T/p.data" -- sleep 10 > /dev/null 2>&1
	cpu_ms "$T/perf.run" sh -c "perf script -i '$T/p.data' > '$T/p.txt' 2>/dev/null"
	cpu_ms "$T/perf.run" "$FT" fold "$T/p.txt" -o "$T/p.folded"
	awk '{ t += $1 } END { printf "%.1f\n", t }' "$T/perf.run" >> "$T/perf.cpu"
	c=$(tail -1 "$T/cold.cpu"); cb=$(tail -1 "$T/cold.bpf")
	w=$(tail -1 "$T/warm.cpu"); wb=$(tail -1 "$T/warm.bpf"); p=$(tail -1 "$T/perf.cpu")
	awk -v c="$c" -v cb="$cb" -v w="$w" -v wb="$wb" -v p="$p" -v r="$run" -v pp="$(tr '\n' ' ' < "$T/perf.run")" 'BEGIN {
		printf "run %d: flametop cold %.1f + bpf %.1f = %.1f ms (%.3f), warm %.1f + bpf %.1f = %.1f ms (%.3f); perf record+script+fold %.1f ms (%s)\n",
			r, c, cb, c + cb, (c + cb) / p, w, wb, w + wb, (w + wb) / p, p, pp }'
done
# medians of the three runs' totals (CPU + BPF)
paste -d' ' "$T/cold.cpu" "$T/cold.bpf" | awk '{ print $1 + $2 }' | sort -n > "$T/cold.tot"
paste -d' ' "$T/warm.cpu" "$T/warm.bpf" | awk '{ print $1 + $2 }' | sort -n > "$T/warm.tot"
sort -n "$T/perf.cpu" > "$T/perf.tot"
for d in dcold dsecond dwarm; do paste -d' ' "$T/$d.cpu" "$T/$d.bpf" | awk '{ print $1 + $2 }' | sort -n > "$T/$d.tot"; done
awk -v c="$(sed -n 2p "$T/dcold.tot")" -v s="$(sed -n 2p "$T/dsecond.tot")" -v w="$(sed -n 2p "$T/dwarm.tot")" -v p="$(sed -n 2p "$T/perf.tot")" 'BEGIN {
	printf "median, defaults (tables + inline): first run %.1f ms (%.3f of perf; goal <= 1), second %.1f ms (%.3f), cache warm %.1f ms (%.3f; goal <= 0.25)\n",
		c, c / p, s, s / p, w, w / p }'

awk -v c="$(sed -n 2p "$T/cold.tot")" -v w="$(sed -n 2p "$T/warm.tot")" -v p="$(sed -n 2p "$T/perf.tot")" 'BEGIN {
	printf "median: flametop cold %.1f ms, warm %.1f ms; perf %.1f ms -> flametop uses %.3f (cold) and %.3f (warm) of perf'"'"'s CPU (goal <= 0.2)\n",
		c, w, p, c / p, w / p }'
kill $(jobs -p) 2> /dev/null
wait 2> /dev/null
tests/bench/unwind.sh
tests/bench/bpfsteps.sh
echo "## live mode (LIVE_MINUTES=${LIVE_MINUTES:-10}): RSS goal <= 64 MB with --retain 600"
tests/bench/live.sh
