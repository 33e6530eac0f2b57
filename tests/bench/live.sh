#!/usr/bin/env bash
# Live mode's own cost (issue 5): flametop's CPU per second at 99 Hz on the
# whole host, idle and busy, and its RSS over LIVE_MINUTES (default 10) of a
# host that keeps making new stacks (a compile loop), with the default
# 600 s retention.  flametop runs in a tmux pane of 200x50, as a user would
# see it.  Prints the figures.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FT=$(realpath "$BUILD/flametop")
W=$(realpath "$BUILD/workloads/split")
MIN=${LIVE_MINUTES:-10}
T=$(mktemp -d /tmp/flametop-live.XXXXXX)
SOCK=$T/tmux.sock
HZ=$(getconf CLK_TCK)
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

start_live() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	sleep 0.3
	tmux -S "$SOCK" -f /dev/null new-session -d -s b -x 200 -y 50 \
		"env FLAMETOP_MEMLOG=$T/memlog LANG=C.UTF-8 TERM=tmux-256color $FT -a $*; sleep 600"
	for _ in $(seq 50); do
		PID=$(pgrep -f "^$FT -a" | head -1)
		[ -n "$PID" ] && break
		sleep 0.1
	done
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# cpu_pct SECONDS: flametop's CPU over that long, in % of one CPU
cpu_pct() {
	local a b
	a=$(cpu_ticks "$PID")
	sleep "$1"
	b=$(cpu_ticks "$PID")
	awk -v d=$((b - a)) -v hz="$HZ" -v s="$1" 'BEGIN { printf "%.2f", d / hz / s * 100 }'
}

if [ -z "${LIVE_SKIP_CPU:-}" ]; then
echo "## live mode: flametop's own CPU, 99 Hz, whole host (steady state, 30 s after 10 s)"
start_live
sleep 10
echo "idle host: $(cpu_pct 30)% of one CPU (goal < 1%), RSS $(rss_mb "$PID") MB"
for c in $(seq "$(nproc)"); do "$W" -s 50 -t 2 > /dev/null & done
sleep 10
echo "busy host ($(nproc) split workloads, every CPU busy): $(cpu_pct 30)% of one CPU (goal < 1%)," \
	"RSS $(rss_mb "$PID") MB"
# from start to the first graph drawn (a busy process's frame on screen)
t0=$(date +%s%N)
start_live
for _ in $(seq 200); do
	tmux -S "$SOCK" capture-pane -p -t b 2>/dev/null | grep -q 'split' && break
	sleep 0.02
done
echo "busy host: first graph on screen $(( ($(date +%s%N) - t0) / 1000000 )) ms after start (goal <= 1000 ms)"
wait 2>/dev/null
fi

[ "$MIN" -gt 0 ] || exit 0
echo "## live mode: RSS over $MIN min of a compile loop (new stacks all the time), --retain 600"
start_live
( while :; do make -s -B -j"$(nproc)" BUILD="$T/compile" all > /dev/null 2>&1; done ) &
loop=$!
t0=$(date +%s)
for m in $(seq "$MIN"); do
	sleep $((t0 + m * 60 - $(date +%s)))
	case $m in 1|2|5|10|15|20|25|30|35|40|45|50|55|60|$MIN)
		echo "after $m min: RSS $(rss_mb "$PID") MB; $(tail -1 "$T/memlog" | cut -d' ' -f3-)" ;;
	esac
done
kill "$loop" 2>/dev/null
pkill -P "$loop" 2>/dev/null
echo "CPU over the whole run: $(awk -v t="$(cpu_ticks "$PID")" -v hz="$HZ" -v s="$((MIN * 60))" \
	'BEGIN { printf "%.2f", t / hz / s * 100 }')% of one CPU"
