#!/usr/bin/env bash
# --push: each finished window to Grafana Pyroscope's ingest API.  A loopback
# receiver (pyroscope_receiver.py) checks every request against the
# documented API and keeps each profile, which go tool pprof then reads.
# A failing, stopped or absent server: retries, drops counted and shown,
# no sampling lost, no wait past the bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
E2E=$(realpath "$(dirname "$0")")
W=$BUILD/workloads
export GOCACHE=$BUILD/gocache GOPATH=$BUILD/gopath PPROF_TMPDIR=$TMP

# receiver NAME ARGS...: starts one in $TMP/NAME; sets PORT and RPID
receiver() {
	local d=$TMP/$1; shift
	mkdir -p "$d"
	python3 "$E2E/pyroscope_receiver.py" "$d" "$d/port" "$@" &
	RPID=$!
	PIDS+=($RPID)
	for _ in $(seq 50); do [ -s "$d/port" ] && break; sleep 0.1; done
	PORT=$(cat "$d/port")
}
log_ok() { grep -c '^ok ' "$TMP/$1/requests.log" 2>/dev/null || echo 0; }

start_workload "$TMP/w.out" "$W/split" -s 200
echo s3cret-token > "$TMP/token"
echo 'ops:pa ss' > "$TMP/basic"
chmod 600 "$TMP/token" "$TMP/basic"

# --- two windows, a tenant and a bearer token; the first request fails ----------
receiver r1 --tenant team-a --token s3cret-token --fail 1
# start so that the 12 s span two 10-second windows whatever the clock says
"$FT" record -p "$WPID" -d 12 -o "$TMP/r1.folded" --push "http://127.0.0.1:$PORT" \
	--tenant team-a --push-token-file "$TMP/token" --app checkout 2> "$TMP/r1.err"
check "record --push: every window accepted, the failed one retried ($(grep -o 'push: [^>]*' "$TMP/r1.err"))" \
	grep -q 'push: \([23]\) of \1 windows sent, 1 retried' "$TMP/r1.err"
check "... each request as Pyroscope's API has it (no request refused)" \
	sh -c "! grep -q '^bad' '$TMP/r1/requests.log' && [ $(log_ok r1) -ge 2 ]"
check "... named APP{labels}, at the rate" \
	grep -q "^ok [0-9]* name=checkout{host=[^,]*,target=pid$WPID} from=[0-9]* until=[0-9]* sampleRate=99$" \
	"$TMP/r1/requests.log"
# each window within one 10-second span of the wall clock, one starting on one
check "... each from/until within a wall-clock 10 s window, a window starting on one" \
	awk '/^ok/ { split($4, f, "="); split($5, u, "="); if (int(f[2] / 10) != int((u[2] - 1) / 10)) bad = 1;
		if (f[2] % 10 == 0) whole = 1 } END { exit bad || !whole }' "$TMP/r1/requests.log"
pp_ok=0
for f in "$TMP"/r1/*.pb.gz; do
	go tool pprof -top "$f" 2> /dev/null | grep -q 'leaf_sixty$' && pp_ok=$((pp_ok + 1))
done
check "... each body a pprof profile go tool pprof reads (leaf_sixty in -top): $pp_ok" \
	test "$pp_ok" -ge 2
sent=0
for f in "$TMP"/r1/*.pb.gz; do
	n=$(go tool pprof -top -sample_index=samples "$f" 2>/dev/null |
		sed -n 's/.*Total samples = \([0-9]*\).*/\1/p')
	sent=$((sent + ${n:-0}))
done
local_n=$(awk '{ n += $NF } END { print n + 0 }' "$TMP/r1.folded")
check "... the windows hold the samples the file holds: $sent pushed, $local_n written" \
	test "$sent" = "$local_n"
kill "$RPID"

# --- basic auth from a file ----------------------------------------------------------
receiver r2 --basic 'ops:pa ss'
"$FT" record -p "$WPID" -d 2 -o "$TMP/r2.folded" --push "http://127.0.0.1:$PORT/" \
	--push-auth-file "$TMP/basic" 2> "$TMP/r2.err"
check "basic auth from --push-auth-file" \
	sh -c "grep -q 'push: \([12]\) of \1 windows* sent' '$TMP/r2.err' && ! grep -q '^bad' '$TMP/r2/requests.log'"
kill "$RPID"
"$FT" record -p "$WPID" -d 1 -o "$TMP/r3.folded" --push "http://127.0.0.1:$PORT" \
	--push-token-file "$TMP/missing" 2> "$TMP/r3.err"
rc=$?
check "a credential file that cannot be read: exit 1 before sampling, one line" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l < '$TMP/r3.err') = 1 ] && grep -q 'cannot read the token file' '$TMP/r3.err' && [ ! -e '$TMP/r3.folded' ]"
"$FT" record -p "$WPID" -d 1 -o "$TMP/r3.folded" --push "ftp://127.0.0.1/" 2> /dev/null
check "--push takes http(s) URLs only: a usage error" test $? = 2

# --- the server goes away mid-run: sampling goes on, drops counted -----------------
receiver r4
( sleep 11; kill "$RPID" ) &
t0=$(date +%s)
"$FT" record -p "$WPID" -d 24 -o "$TMP/r4.folded" --push "http://127.0.0.1:$PORT" 2> "$TMP/r4.err"
t1=$(date +%s)
check "server stopped mid-run: some windows sent, the rest dropped and said ($(grep -o 'push: [^>]*' "$TMP/r4.err"))" \
	grep -q 'push: [1-9] of [3-9] windows sent, [1-9] dropped.*(Couldn.t connect to server)' "$TMP/r4.err"
n=$(awk '{ n += $NF } END { print n + 0 }' "$TMP/r4.folded")
check "... no sampling lost: $n samples in 24 s at 99 Hz of a busy thread" test "$n" -ge $((24 * 99 * 85 / 100))
check "... and the record ended within the push's wait: $((t1 - t0)) s" test $((t1 - t0)) -le 38

# --- no server at all: a short record does not hang ------------------------------------
t0=$(date +%s)
"$FT" record -p "$WPID" -d 2 -o "$TMP/r5.folded" --push "http://127.0.0.1:$PORT" 2> "$TMP/r5.err"
t1=$(date +%s)
check "no server: the record ends ($((t1 - t0)) s), its window dropped and said" \
	sh -c "[ $((t1 - t0)) -le 16 ] && grep -q 'push: 0 of [12] windows* sent, [12] dropped' '$TMP/r5.err' && [ -s '$TMP/r5.folded' ]"

# --- the live view: windows sent, then the server stops: the status line shows drops --
receiver r6
start 220 30 -- -p "$WPID" --push "http://127.0.0.1:$PORT"
check "live --push: a window sent, on the status line" wait_for 'push [1-9][0-9]* sent' 25
kill "$RPID"
check "server stopped: the status line says what was dropped" wait_for '| push [1-9][0-9]* dropped' 45
s1=$(screen | grep -o '| [0-9]* samples' | grep -o '[0-9]*' | head -1)
sleep 3
s2=$(screen | grep -o '| [0-9]* samples' | grep -o '[0-9]*' | head -1)
# a busy thread at 99 Hz fills a 10 s window with ~990: a window that had
# stopped filling when the server went would be down to ~700 three seconds on
check "... and sampling goes on: the window holds ${s1:-?}, then ${s2:-?} samples" \
	test -n "$s1" -a -n "$s2" -a "${s2:-0}" -ge 900
check "the requests it made were all Pyroscope's API" sh -c "! grep -q '^bad' '$TMP/r6/requests.log'"
keys q
check "q quits promptly with windows undelivered" exited_with 0
