#!/usr/bin/env bash
# A root tool on a hostile host (issue 11): each attack as a user would
# make it, against the real binary.  Outputs planted with symlinks to a
# block device and FIFOs; a library truncated by its owner while sampled;
# endless, binary and shrinking inputs; signals and odd targets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
W=$BUILD/workloads
LOOP=
cleanup_loop() { [ -n "$LOOP" ] && losetup -d "$LOOP" 2> /dev/null; }
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# a world-writable sticky directory, as /tmp is, and the user's own one (outside $TMP,
# which only root may enter)
ST=$(mktemp -d /tmp/flametop-st.XXXXXX)
chmod 1777 "$ST"
EVIL=$(mktemp -d /tmp/flametop-evil.XXXXXX)
chmod 755 "$EVIL"
chown nobody "$EVIL"
trap 'tm kill-server 2>/dev/null; cleanup_loop; rm -rf "$ST" "$EVIL"; cleanup' EXIT

# --- outputs: never through a planted symlink onto a device or FIFO ----------------
truncate -s 1M "$TMP/disk.img"
LOOP=$(losetup -f --show "$TMP/disk.img")
sum_before=$(md5sum < "$TMP/disk.img")
start_workload "$TMP/w.out" "$W/split" -s 300
SPLIT=$WPID
"${NOBODY[@]}" ln -s "$LOOP" "$ST/profile.folded"
"$FT" record -p "$WPID" -d 1 -o "$ST/profile.folded" 2> "$TMP/rec.err"
check "record -o a symlink to a block device, planted by a user: exit 0" test $? -eq 0
check "... the device is untouched" test "$(md5sum < "$TMP/disk.img")" = "$sum_before"
check "... the symlink was replaced by the profile" \
	bash -c "[ ! -L '$ST/profile.folded' ] && grep -q '^split;' '$ST/profile.folded'"
ln -s "$LOOP" "$TMP/own.folded"
"$FT" record -p "$WPID" -d 1 -o "$TMP/own.folded" 2> "$TMP/own-link.err"
check "our own symlink (as /dev/stdout is): refused before sampling, never followed" \
	bash -c "[ $? -eq 1 ] && [ -L '$TMP/own.folded' ] && grep -q 'is a symlink' '$TMP/own-link.err' &&
		[ \"\$(md5sum < '$TMP/disk.img')\" = '$sum_before' ]"

mkfifo "$TMP/fifo"
chmod 755 "$TMP"	# let the user reach the FIFO to plant a link to it
printf 'a;b 3\na;c 2\n' > "$TMP/in.folded"
"${NOBODY[@]}" ln -s "$TMP/fifo" "$ST/fold.folded"
timeout 5 "$FT" fold "$TMP/in.folded" -o "$ST/fold.folded"
check "fold -o a user's symlink to a FIFO: does not block, exit 0" test $? -eq 0
check "... the symlink was replaced, the FIFO is still a FIFO" \
	bash -c "[ -f '$ST/fold.folded' ] && [ ! -L '$ST/fold.folded' ] && [ -p '$TMP/fifo' ]"
chmod 700 "$TMP"
timeout 5 "$FT" fold "$TMP/in.folded" -o "$TMP/fifo" &
pid=$!
cat "$TMP/fifo" > "$TMP/from-fifo"
wait $pid
check "a FIFO named directly is still written to" grep -qx 'a;b 3' "$TMP/from-fifo"
ls -A "$TMP" > "$TMP/ls.after"
check "no temporary file is left behind" bash -c "! grep -q '^\.' '$TMP/ls.after'"

# the output's directory swapped for a symlink to a root-only one while sampling
mkdir -m 700 "$ST/victim"
echo secret > "$ST/victim/important.conf"
chmod 600 "$ST/victim/important.conf"
"${NOBODY[@]}" mkdir "$ST/outdir"
"$FT" record -p "$SPLIT" -d 3 -o "$ST/outdir/important.conf" 2> /dev/null &
pid=$!
sleep 1.5
"${NOBODY[@]}" sh -c "mv '$ST/outdir' '$ST/outdir.old' && ln -s '$ST/victim' '$ST/outdir'"
wait $pid
check "a directory swapped for a symlink while sampling: the file it led to is untouched" \
	bash -c "[ \"\$(cat '$ST/victim/important.conf')\" = secret ] &&
		[ \$(stat -c %a '$ST/victim/important.conf') = 600 ]"
check "... the profile went where the directory was when record opened it" \
	grep -q '^split;' "$ST/outdir.old/important.conf"
# a user's symlink as a directory of the path, in a sticky directory: to root's directory
# it is not followed; to the user's own directory it is; root's own links are
mkdir -m 755 "$TMP/rootdir"
echo 'root:precious' > "$TMP/rootdir/passwd.folded"
chmod 755 "$TMP"
"${NOBODY[@]}" ln -s "$TMP/rootdir" "$ST/reports"
"$FT" fold "$TMP/in.folded" -o "$ST/reports/passwd.folded" 2> "$TMP/mid.err"
check "fold -o through a user's link to root's directory: exit 1, one line" \
	bash -c "[ $? -eq 1 ] && [ \$(wc -l < '$TMP/mid.err') -eq 1 ]"
"$FT" record -p "$SPLIT" -d 1 -o "$ST/reports/rec.folded" 2> /dev/null
check "... record too; root's files there untouched, none added" \
	bash -c "[ $? -eq 1 ] && [ \"\$(cat '$TMP/rootdir/passwd.folded')\" = root:precious ] &&
		[ ! -e '$TMP/rootdir/rec.folded' ]"
"${NOBODY[@]}" mkdir "$ST/own"
"${NOBODY[@]}" ln -s "$ST/own" "$ST/mine"
"$FT" fold "$TMP/in.folded" -o "$ST/mine/p.folded"
check "a user's link to the user's own directory is followed" grep -qx 'a;b 3' "$ST/own/p.folded"
ln -s "$TMP/rootdir" "$ST/rootlink"
"$FT" fold "$TMP/in.folded" -o "$ST/rootlink/new.folded"
check "root's link is followed" grep -qx 'a;b 3' "$TMP/rootdir/new.folded"
chmod 700 "$TMP"
# another user's FIFO at the output path: replaced, never waited on
"${NOBODY[@]}" mkfifo "$ST/planted.folded"
timeout 20 "$FT" record -p "$SPLIT" -d 1 -o "$ST/planted.folded" 2> /dev/null
check "another user's FIFO at -o: no hang, exit 0, replaced by the profile" \
	bash -c "[ $? -eq 0 ] && [ -f '$ST/planted.folded' ] && grep -q '^split;' '$ST/planted.folded'"
mkfifo "$TMP/own.fifo"
"$FT" record -p "$SPLIT" -d 1 -o "$TMP/own.fifo" 2> "$TMP/own.err" &
pid=$!
sleep 0.5
kill -INT $pid
timeout 5 bash -c "while kill -0 $pid 2> /dev/null; do sleep 0.1; done"
check "our own FIFO with no reader: Ctrl-C still ends record (exit 1, says so)" \
	bash -c "! kill -0 $pid 2> /dev/null && grep -q interrupted '$TMP/own.err'"
kill -9 $pid 2> /dev/null
long=$(printf 'n%.0s' $(seq 250))
"$FT" record -p "$SPLIT" -d 1 -o "$TMP/$long" 2> /dev/null
check "an output name of 250 bytes (valid) is written" test -f "$TMP/$long"
SECONDS=0
"$FT" record -p "$SPLIT" -d 10 -o "$TMP/${long}xxxxxxxx" 2> "$TMP/long.err"
check "a name over 255 bytes fails before sampling, saying why" \
	bash -c "[ $? -eq 1 ] && [ $SECONDS -le 2 ] && grep -q 'File name too long' '$TMP/long.err'"

# snapshots: a FIFO and a symlink to the device planted under the next names
mkdir -p "$TMP/snaps"
now=$(date +%s)
for i in $(seq 0 9); do
	ts=$(date -d "@$((now + i))" +%Y%m%d-%H%M%S)
	mkfifo "$TMP/snaps/flametop-in-$ts.folded"
	ln -s "$LOOP" "$TMP/snaps/flametop-in-$ts-2.folded"
done
start 100 30 -- view --snapshot-dir "$TMP/snaps" "$TMP/in.folded"
keys s
check "snapshot beside a planted FIFO and device link: written, under the -3 name" \
	wait_for 'snapshot written to .*-3\.folded'
keys q
check "... the view did not freeze: q quits" wait_exit
check "... the device is untouched" test "$(md5sum < "$TMP/disk.img")" = "$sum_before"

# --- a library truncated by its owner while it is sampled (SIGBUS before) -------------
for i in 1 2 3; do
	cp "$W/libplugin-g.so" "$EVIL/lib$i.so"
	chown nobody "$EVIL/lib$i.so"
	start_workload "$TMP/t$i.out" "${NOBODY[@]}" \
		"$W/plugin_host" "$EVIL/lib$i.so" -s 6 -l 0.3 -t 2.5
	"$FT" record -p "$WPID" -d 4 -o "$TMP/trunc$i.folded" 2> "$TMP/trunc$i.err"
	check "run $i: record survives a library truncated under it (exit 0)" test $? -eq 0
	check "... it was truncated while sampled, and the profile is valid" \
		bash -c "grep -q truncated '$TMP/t$i.out' && grep -q 'plugin_work' '$TMP/trunc$i.folded'"
	check "... the code run after the cut is still named, or by its module" \
		grep -Eq 'plugin_after|\[lib'"$i"'\.so\]' "$TMP/trunc$i.folded"
done
cp "$W/libplugin-g.so" "$EVIL/live.so"
chown nobody "$EVIL/live.so"
start_workload "$TMP/tl.out" "${NOBODY[@]}" \
	"$W/plugin_host" "$EVIL/live.so" -s 8 -l 0.3 -t 2.5
start 120 30 -- -p "$WPID" --window 5
sleep 4.5
check "the live view survives it too: still drawing" wait_for 'plugin_'
keys q
check "... and quits cleanly" exited_with 0

# a sparse library whose section headers claim a 1.5 GB symbol table and a 1.5 GB
# .eh_frame (28 KB on disk)
cp "$W/libplugin-g.so" "$EVIL/sparse.so"
python3 - "$EVIL/sparse.so" <<'PY'
import os, struct, sys
with open(sys.argv[1], 'r+b') as f:
    d = bytearray(f.read())
    shoff = struct.unpack_from('<Q', d, 0x28)[0]
    shent, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
    strtab = struct.unpack_from('<Q', d, shoff + shstrndx * shent + 0x18)[0]
    for i in range(shnum):
        o = shoff + i * shent
        name = d[strtab + struct.unpack_from('<I', d, o)[0]:].split(b'\0')[0]
        if struct.unpack_from('<I', d, o + 4)[0] == 2:	# SHT_SYMTAB
            struct.pack_into('<QQ', d, o + 0x18, 28672, 1500000000)
        if name == b'.eh_frame':
            struct.pack_into('<Q', d, o + 0x20, 1500000000)
    f.seek(0)
    f.write(d)
os.truncate(sys.argv[1], 28672 + 1500000000)
PY
chown nobody "$EVIL/sparse.so"
start_workload "$TMP/sp.out" "${NOBODY[@]}" "$W/plugin_host" "$EVIL/sparse.so" -s 5 -l 0.2
/usr/bin/time -f '%M' -o "$TMP/sp.rss" "$FT" record -p "$WPID" -d 2 -o "$TMP/sp.folded" 2> "$TMP/sp.err"
check "a library claiming a 1.5 GB symbol table and .eh_frame: memory stays bounded ($(cat "$TMP/sp.rss") KB)" \
	test "$(cat "$TMP/sp.rss")" -lt 200000
check "... its frames are by module, and the summary says why" \
	bash -c "grep -q '\[sparse.so\]' '$TMP/sp.folded' && grep -q 'over the bounds' '$TMP/sp.err'"

# --- inputs: endless, binary, over-long, shrinking ------------------------------------
timeout 10 "$FT" report /dev/zero > /dev/null 2> "$TMP/zero.err"
check "report /dev/zero: exit 1 at once, naming FILE:LINE" \
	bash -c "[ $? -eq 1 ] && grep -q '^flametop: /dev/zero:1: NUL' '$TMP/zero.err'"
timeout 10 bash -c "yes | '$FT' report - > /dev/null 2> '$TMP/yes.err'"
check "an endless stream of bad lines: exit 1 at its first line" \
	bash -c "[ $? -eq 1 ] && grep -q '<stdin>:1:' '$TMP/yes.err'"
timeout 20 bash -c "{ echo 'a;b 1'; head -c 70000000 /dev/zero | tr '\\0' x; echo ' 1'; } |
	'$FT' fold - -o '$TMP/long.folded' 2> '$TMP/long.err'"
check "a line over the 64 MiB limit: exit 1 with its number" \
	bash -c "[ $? -eq 1 ] && grep -q '<stdin>:2: line longer than 64 MiB' '$TMP/long.err'"
check "... and no output file" test ! -e "$TMP/long.folded"
python3 -c "
import sys
with open('$TMP/big.folded', 'w') as f:
    for i in range(1500000):
        f.write('proc;main;fn%d;leaf%d %d\n' % (i % 977, i % 13, i % 5 + 1))"
for cmd in report fold; do
	cp "$TMP/big.folded" "$TMP/shrink.folded"
	"$FT" $cmd "$TMP/shrink.folded" > /dev/null 2>&1 &
	pid=$!
	sleep 0.05
	truncate -s 1000 "$TMP/shrink.folded"
	wait $pid
	rc=$?
	check "$cmd of a file truncated while read: no crash (exit $rc)" test $rc -lt 128
done

# --- signals and odd targets ---------------------------------------------------------
"$FT" record -p "$SPLIT" -d 30 -o "$TMP/hup.folded" 2> "$TMP/hup.err" &
pid=$!
sleep 1.5
kill -HUP $pid
wait $pid
check "SIGHUP ends record like Ctrl-C: exit 0, the profile written" \
	bash -c "[ $? -eq 0 ] && grep -q '^split;' '$TMP/hup.folded'"
for delay in 0.005 0.02 0.05; do
	"$FT" record -p "$SPLIT" -d 30 -o "$TMP/int.folded" 2> "$TMP/int.err" &
	pid=$!
	sleep $delay
	kill -INT $pid
	wait $pid
	rc=$?
	check "Ctrl-C after ${delay}s: a clean exit ($rc), not killed by the signal" test $rc -le 1
done
ls -A "$TMP" > "$TMP/ls.after"
check "... and no temporary file left behind" bash -c "! grep -q '^\.' '$TMP/ls.after'"
mkdir "$TMP/outdir"
SECONDS=0
"$FT" record -p "$SPLIT" -d 10 -o "$TMP/outdir" 2> "$TMP/dir.err"
check "record -o DIR fails before sampling (exit 1 in $SECONDS s)" \
	bash -c "[ $? -eq 1 ] && [ $SECONDS -le 2 ] && grep -q 'Is a directory' '$TMP/dir.err'"
(umask 077 && "$FT" fold "$TMP/in.folded" -o "$TMP/umask.folded")
check "a new output honours the umask (077: 0600)" test "$(stat -c %a "$TMP/umask.folded")" = 600
chmod 640 "$TMP/umask.folded"
"$FT" fold "$TMP/in.folded" -o "$TMP/umask.folded"
check "a replaced output keeps its mode (0640)" test "$(stat -c %a "$TMP/umask.folded")" = 640
unshare -m bash -c "mount -t tmpfs -o size=64k none '$TMP/outdir' &&
	'$FT' fold '$TMP/big.folded' -o '$TMP/outdir/full.folded' 2> '$TMP/nospc.err';
	echo \$? > '$TMP/nospc.rc'; ls -A '$TMP/outdir' > '$TMP/nospc.ls'"
check "a full disk says so: 'No space left on device', exit 1" \
	bash -c "[ \"\$(cat '$TMP/nospc.rc')\" = 1 ] && grep -q 'No space left on device' '$TMP/nospc.err'"
check "... and leaves nothing behind on it" test ! -s "$TMP/nospc.ls"
bash -c 'sleep 0 & exec sleep 30' &
zparent=$!
PIDS+=($zparent)
# (until its child has exited, unreaped: a loaded host may take more than a moment)
for _ in $(seq 50); do
	zpid=$(ps -o pid= --ppid $zparent | tr -d ' ')
	[ -n "$zpid" ] && ps -o stat= -p "$zpid" | grep -q '^Z' && break
	sleep 0.1
done
SECONDS=0
"$FT" record -p "$zpid" -d 5 -o "$TMP/zombie.folded" 2> "$TMP/zombie.err"
zrc=$? zsecs=$SECONDS
zok=0
[ $zrc -eq 1 ] && [ $zsecs -le 2 ] && grep -q 'zombie' "$TMP/zombie.err" && zok=1
check "-p of a zombie: exit 1 at once, saying it is a zombie" test $zok = 1
[ $zok = 1 ] || echo "  (pid '$zpid', exit $zrc after $zsecs s: $(head -c 300 "$TMP/zombie.err"))"
mkfifo "$TMP/keys.fifo"
timeout 5 "$FT" view "$TMP/in.folded" --keys "$TMP/keys.fifo" > /dev/null 2>&1
check "--keys naming a FIFO with no writer does not hang" test $? -ne 124
