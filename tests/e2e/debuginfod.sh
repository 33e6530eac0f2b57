#!/usr/bin/env bash
# debuginfod (issue 14): a stripped binary's frames get their names from a
# real debuginfod server on 127.0.0.1 (Debian's, started here with -F over a
# directory holding the separate debug file), in record and in the live view
# (tmux); a server that is down, or that never answers, costs at most its
# timeout; --no-debuginfod turns it off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
W=$BUILD/workloads

if ! command -v debuginfod > /dev/null; then
	fail "debuginfod is installed (make deps)"
	exit 0
fi
PORT=$((20000 + $$ % 10000))
mkdir -p "$TMP/src" "$TMP/db"
cp "$W/split-nosym.debug" "$TMP/src/"
debuginfod -F -p "$PORT" -d "$TMP/db/db.sqlite" -t 0 -g 0 "$TMP/src" > "$TMP/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
ID=$(readelf -n "$W/split-nosym" | sed -n 's/.*Build ID: //p')
for _ in $(seq 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/buildid/$ID/debuginfo")" = 200 ] && break
	sleep 0.2
done
export DEBUGINFOD_CACHE_PATH=$TMP/cache
URLS=DEBUGINFOD_URLS=http://127.0.0.1:$PORT

start_workload "$TMP/w.out" "$W/split-nosym" -s 120
"$FT" record -p "$WPID" --no-debuginfod -d 1 -o "$TMP/off.folded" 2> "$TMP/off.err"
check "the stripped binary alone: its functions are [split-nosym+0x...] frames" \
	grep -q '^split-nosym;\[split-nosym+0x[0-9a-f]*\];' "$TMP/off.folded"
env "$URLS" "$FT" record -p "$WPID" --no-debuginfod -d 1 -o "$TMP/off2.folded" 2> "$TMP/off2.err"
check "--no-debuginfod: no server is asked" \
	bash -c "grep -q '\\[split-nosym+0x' '$TMP/off2.folded' && ! grep -q debuginfod '$TMP/off2.err'"
env "$URLS" "$FT" record -p "$WPID" -d 2 -o "$TMP/on.folded" 2> "$TMP/on.err"
check "record: the frames get their names from the server: main;round_of_work;via_alpha;leaf_sixty" \
	grep -q '^split-nosym;_start;.*;main;round_of_work;via_alpha;leaf_sixty' "$TMP/on.folded"
check "... every one of them, those sampled before the names came included (renamed)" \
	bash -c "! grep -q '\\[split-nosym+0x' '$TMP/on.folded'"
# the server holds split-nosym's debug file only: libc is asked for too where
# no local debug file names it (a machine without libc6-dbg)
check "... and the summary says so (split-nosym's file found; frames renamed)" \
	grep -Eq 'debuginfod: [1-9][0-9]* of [1-9][0-9]* files? found, [1-9][0-9]* frames? renamed' \
	"$TMP/on.err"

# the live view: names arrive late (a proxy that waits 2 s before asking the server)
cat > "$TMP/slow.py" <<'PY'
import http.server, sys, time, urllib.request, urllib.error
up = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2)
        try:
            with urllib.request.urlopen(up + self.path) as r:
                body, code = r.read(), r.status
        except urllib.error.HTTPError as e:
            body, code = b"", e.code
        except OSError:
            body, code = b"", 502      # the server is gone (the test stops it)
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$TMP/slow.py" $((PORT + 1)) "http://127.0.0.1:$PORT" &
PIDS+=($!)
sleep 0.5
rm -rf "$TMP/cache"
start 120 30 DEBUGINFOD_URLS=http://127.0.0.1:$((PORT + 1)) DEBUGINFOD_CACHE_PATH=$TMP/cache -- -p "$WPID"
check "live: before the names come, the frames are [split-nosym+0x...]" wait_for 'split-nosym+0x' 3
keys Home j j j j j Enter / leaf_sixty Enter
check "... zoomed into one of them (main, not named yet)" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | sed -n 28p | grep -q 'split-nosym+0x'"
check "live: the names come within 5 s, the zoom on the same frame, now main" \
	bash -c "for i in \$(seq 50); do tmux -S $SOCK capture-pane -p -t ft | sed -n 28p | grep -q '^main\( \|\$\)' && exit 0; sleep 0.1; done; exit 1"
check "... still zoomed, and the search typed before finds the renamed leaf" \
	bash -c "tmux -S $SOCK capture-pane -p -t ft | grep -q 'zoom depth 5' && tmux -S $SOCK capture-pane -p -t ft | grep -q 'Matched: [1-9]'"
keys q
wait_exit

# a server that is down, one that never answers: at most the timeout
kill "$SERVER"
wait "$SERVER" 2> /dev/null
rm -rf "$TMP/cache"
t0=$(date +%s.%N)
env "$URLS" "$FT" record -p "$WPID" -d 1 -o "$TMP/down.folded" 2> "$TMP/down.err"
t1=$(date +%s.%N)
check "server down: record ends in its time plus 1 s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s), frames by start" \
	bash -c "awk -v a=$t0 -v b=$t1 'BEGIN { exit !(b - a < 2) }' && grep -q '\\[split-nosym+0x' '$TMP/down.folded'"
check "... with one line in the summary" grep -q 'debuginfod unreachable (Connection refused)' "$TMP/down.err"
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(8); held = []
while True: held.append(s.accept())" &
PIDS+=($!)
sleep 0.3
t0=$(date +%s.%N)
env "$URLS" DEBUGINFOD_TIMEOUT=2 "$FT" record -p "$WPID" -d 1 -o "$TMP/mute.folded" 2> "$TMP/mute.err"
t1=$(date +%s.%N)
check "server that never answers (DEBUGINFOD_TIMEOUT=2): record -d 1 ends within its time, the timeout and 1 s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)" \
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 4) }'
check "... and says so" grep -q 'debuginfod unreachable (no answer in 2 s)' "$TMP/mute.err"
kill "$WPID"
