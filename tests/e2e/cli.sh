#!/usr/bin/env bash
# Exit codes and messages of bad input, and the offline commands.
. "$(dirname "$0")/lib.sh"

expect_exit() {	# expect_exit CODE NAME ARGS...: exit code and one stderr line
	local code=$1 name=$2; shift 2
	"$FT" "$@" > "$TMP/out" 2> "$TMP/err"
	local rc=$?
	if [ "$rc" -eq "$code" ] && [ -s "$TMP/err" ]; then pass "$name (exit $rc)"
	else fail "$name: exit $rc, stderr: $(head -c 300 "$TMP/err")"; fi
}

expect_exit 2 "unknown option" record --bogus -d 1 -o x
expect_exit 2 "-F 0" record -F 0 -d 1 -o x
expect_exit 2 "-F 10001" record -F 10001 -d 1 -o x
expect_exit 2 "-d -1" record -d -1 -o x
expect_exit 2 "-d abc" record -d abc -o x
expect_exit 2 "--push URL with a line break" record -d 1 -o x --push $'http://127.0.0.1:1/\r\nX-Evil: 1'
check "... said before sampling, the URL escaped" grep -q 'no spaces or control characters.*\\x0d\\x0a' "$TMP/err"
expect_exit 2 "--window 0" --window 0
check "... the message names the option" grep -q "^flametop: --window takes 1 to 604800 seconds, not '0'" "$TMP/err"
expect_exit 2 "--retain abc" --retain abc
check "... the message names the option" grep -q "^flametop: --retain takes" "$TMP/err"
expect_exit 2 "record without -o" record -d 1
expect_exit 2 "-p with no pid" record -p , -d 1 -o x
expect_exit 2 "--sort delta without --diff" report --sort delta x
expect_exit 2 "report without a file" report
check "usage errors print the usage" grep -q '^usage: flametop' "$TMP/err"

cd "$TMP" || exit 1
expect_exit 1 "a pid that does not exist" record -p 999999 -d 1 -o out.folded
check "the message names the pid" grep -q 'no process with pid 999999' err
check "no output file is left behind" bash -c '! ls -A | grep -q "out.folded"'
expect_exit 1 "a path that is not a cgroup" record -c /tmp -d 1 -o out2.folded
check "the message says what a cgroup path must be" grep -q 'not a cgroup v2 directory' err
check "no partial output after a cgroup error" bash -c '! ls -A | grep -q "out2.folded"'
expect_exit 1 "output in a missing directory" record -d 1 -o /nonexistent/dir/x.folded
"$FT" record -a -d 1 -o /dev/null 2> /dev/null
check "record -o /dev/null leaves /dev/null a device" test -c /dev/null
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$FT" record -d 1 -o - \
		> out 2> err
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'needs root' err; then pass "not root (exit 1)"
	else fail "not root: exit $rc $(cat err)"; fi
fi
# A kernel without BTF, for real: in a mount namespace of its own, flametop
# sees an empty /sys/kernel/btf (nothing changes for the rest of the host).
if command -v unshare > /dev/null && [ -e /sys/kernel/btf/vmlinux ]; then
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh \
		"$FT" record -a -d 1 -o nobtf.folded > out 2> err
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'no BTF.*CONFIG_DEBUG_INFO_BTF' err
	then pass "a kernel without BTF (exit 1, one line)"
	else fail "no BTF: exit $rc $(cat err)"; fi
	check "no output file after the BTF error" bash -c '! ls -A | grep -q "nobtf.folded"'
fi
cd "$OLDPWD" || exit 1

printf 'a;b 3\na;c 2\nbadline\n' > "$TMP/bad.folded"
expect_exit 1 "report of a malformed file" report "$TMP/bad.folded"
check "the error gives the line number" grep -q 'bad.folded:3: no count' "$TMP/err"
expect_exit 1 "fold of a missing file" fold "$TMP/missing"
printf 'x;y 1\n' > "$TMP/ok.folded"
"$FT" fold "$TMP/bad.folded" -o "$TMP/ok.folded" 2>/dev/null
check "a failed fold leaves the existing output untouched" grep -qx 'x;y 1' "$TMP/ok.folded"

# offline commands on good input
printf 'p;main;a 6\r\np;main;b 3\n\np;main;a 1\np;main 1\n' > "$TMP/in.folded"
"$FT" fold "$TMP/in.folded" -o "$TMP/norm.folded"
check "fold normalizes (merged, sorted, LF)" \
	diff <(printf 'p;main 1\np;main;a 7\np;main;b 3\n') "$TMP/norm.folded"
"$FT" fold "$TMP/in.folded" -o /dev/null
check "fold -o /dev/null writes to the device, never replaces it" test -c /dev/null
mkfifo "$TMP/fifo"
cat "$TMP/fifo" > "$TMP/from-fifo" &
"$FT" fold "$TMP/in.folded" -o "$TMP/fifo"
wait $!
check "fold -o FIFO writes into the pipe" diff "$TMP/norm.folded" "$TMP/from-fifo"
"$FT" fold - < "$TMP/in.folded" > "$TMP/stdin.folded"
check "fold reads stdin and writes stdout" diff "$TMP/norm.folded" "$TMP/stdin.folded"
"$FT" report "$TMP/in.folded" > "$TMP/rep"
check "report header and first row" \
	bash -c "head -1 '$TMP/rep' | grep -q '^#' && sed -n 2p '$TMP/rep' | grep -qE '^ +63\.6 +63\.6 +7 +7  a$'"
printf 'p;main;a 1\np;main;b 3\n' > "$TMP/before.folded"
"$FT" report --diff "$TMP/before.folded" --sort delta "$TMP/in.folded" > "$TMP/drep"
check "report --diff --sort delta puts the grown function first" \
	bash -c "sed -n 2p '$TMP/drep' | grep -qE '\+38\.6  a$'"

# perf script text from real perf, folded
if command -v perf > /dev/null; then
	start_workload "$TMP/w.out" "$BUILD/workloads/split" -s 6
	perf record -q -F 499 -g -p "$WPID" -o "$TMP/perf.data" -- sleep 2 > /dev/null 2>&1
	perf script -i "$TMP/perf.data" > "$TMP/perf.txt" 2>/dev/null
	"$FT" fold "$TMP/perf.txt" -o "$TMP/perf.folded" 2>/dev/null
	check "perf script text folds to valid folded" valid_folded "$TMP/perf.folded"
	check "perf script stacks keep the callers" \
		grep -q '^split;.*main;round_of_work;via_alpha;leaf_sixty' "$TMP/perf.folded"
	"$FT" report "$TMP/perf.txt" > "$TMP/perf.rep" 2>/dev/null
	s60=$(self_pct "$TMP/perf.rep" leaf_sixty)
	# the reader is checked against the peer on the same text (what perf
	# sampled varies with the host's load: CI saw 68% twice in a row)
	PEER=$(realpath "$(dirname "$0")/../..")/../shared/peers/FlameGraph
	if [ -r "$PEER/stackcollapse-perf.pl" ]; then
		peer=$(perl "$PEER/stackcollapse-perf.pl" --kernel "$TMP/perf.txt" 2> /dev/null |
			awk '{ n = $NF; t += n; if ($0 ~ /;leaf_sixty /) s += n } END { if (t) printf "%.1f", 100 * s / t }')
		check "report reads perf script directly: leaf_sixty $s60%, as stackcollapse-perf.pl's ${peer}%" \
			within "${s60:-0}" "${peer:-100}" 0.1
	fi
	check "... and near the workload's 60% ($s60%)" within "${s60:-0}" 60 15
fi

# --- names from files reach a terminal or stderr escaped (\xNN), never raw --------------------
no_esc() { [ "$(grep -c $'\x1b' "$1")" = 0 ]; }	# no_esc FILE
has() { grep -qF -- "$2" "$1"; }			# has FILE TEXT
printf 'main;\033[2J\033[Hclear 5\n\033kPWNED\033\\ 3\nok;\302\233x;\342\200\256evil 1\n' \
	> "$TMP/esc.folded"
"$FT" report "$TMP/esc.folded" > "$TMP/esc.rep"
check "report: no raw ESC byte from frame names" no_esc "$TMP/esc.rep"
check "report: the names shown escaped, the columns kept" \
	grep -qE '^ +55\.6 +55\.6 +5 +5  \\x1b\[2J\\x1b\[Hclear$' "$TMP/esc.rep"
check "report: ESC k ... ESC \\ (a tmux title) escaped" has "$TMP/esc.rep" '\x1bkPWNED\x1b\'
check "report: a C1 control (CSI) escaped" has "$TMP/esc.rep" '\xc2\x9bx'
check "report: a bidi override escaped" has "$TMP/esc.rep" '\xe2\x80\xaeevil'
"$FT" fold "$TMP/esc.folded" > "$TMP/esc.out"
check "fold keeps the names as they are (data, not text for people)" \
	grep -qF $'\033kPWNED\033\\ 3' "$TMP/esc.out"
"$FT" report "$TMP/"$'\033]0;PWNED\007.folded' > /dev/null 2> "$TMP/esc.err"
check "an error naming a file: no raw ESC on stderr" no_esc "$TMP/esc.err"
check "an error naming a file: the name escaped" has "$TMP/esc.err" '\x1b]0;PWNED\x07.folded'
printf 'x quit\nq bogus\033[2Jaction\n\033]0;PWNED\007 quit\n' > "$TMP/esc.keys"
"$FT" view --keys "$TMP/esc.keys" "$TMP/esc.folded" < /dev/null > /dev/null 2> "$TMP/esc.err"
check "keys-file errors: no raw ESC on stderr" no_esc "$TMP/esc.err"
check "keys-file errors: the words quoted escaped, with their line numbers" \
	has "$TMP/esc.err" "esc.keys:2: unknown action 'bogus\\x1b[2Jaction'"
check "keys-file errors: ... a key too" has "$TMP/esc.err" "esc.keys:3: unknown key '\\x1b]0;PWNED\\x07'"

# --- the keys file: a directory, and the size limit, said plainly -----------------------------
mkdir -p "$TMP/keysdir"
"$FT" view --keys "$TMP/keysdir" "$TMP/esc.folded" < /dev/null > /dev/null 2> "$TMP/kd.err"
rc=$?
check "--keys DIRECTORY: exit 1, one line saying it is a directory" \
	bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$TMP/kd.err') -eq 1 ] &&
		grep -q 'keys file .*keysdir is a directory' '$TMP/kd.err'"
head -c 1100000 /dev/zero | tr '\0' '#' > "$TMP/big.keys"
"$FT" view --keys "$TMP/big.keys" "$TMP/esc.folded" < /dev/null > /dev/null 2> "$TMP/kb.err"
rc=$?
check "--keys past the size limit: exit 1, one line saying the limit" \
	bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$TMP/kb.err') -eq 1 ] &&
		grep -q 'big.keys is larger than the 1024 KiB limit' '$TMP/kb.err'"

# --- a FIFO read before its writer comes: waited for, as cat does ------------------------
mkfifo "$TMP/late.fifo"
printf 'keep;me 1\n' > "$TMP/keep.folded"
"$FT" fold "$TMP/late.fifo" -o "$TMP/keep.folded" 2> "$TMP/late.err" &
fpid=$!
sleep 0.5
timeout 5 sh -c "printf 'a;b 3\na;c 2\n' > '$TMP/late.fifo'"	# no reader left: not for ever
wait $fpid
rc=$?
check "fold of a FIFO whose writer comes later: its profile, not an empty one (exit $rc)" \
	bash -c "[ $rc -eq 0 ] && grep -qx 'a;b 3' '$TMP/keep.folded'"
"$FT" report "$TMP/late.fifo" > "$TMP/late.rep" &
fpid=$!
sleep 0.5
timeout 5 sh -c "printf 'x;y 4\n' > '$TMP/late.fifo'"
wait $fpid
check "... report too" grep -q ' y$' "$TMP/late.rep"
