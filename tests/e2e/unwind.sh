#!/usr/bin/env bash
# Stacks without frame pointers (issue 6): .eh_frame unwinding in the kernel,
# against workloads built -O2 -fomit-frame-pointer, Debian's own xz and
# python3, a dlopen()ed library, and binaries whose tables are missing or
# broken.
. "$(dirname "$0")/lib.sh"
W=$BUILD/workloads

# --- a known split, built without frame pointers ----------------------------------
# the host is shared and noisy: a split far off is measured once more
split_ok() { within "${s60:-0}" 60 4 && within "${s30:-0}" 30 4 && within "${s10:-0}" 10 4; }
start_workload "$TMP/w1.out" "$W/split-nofp" -s 12
# the second try at another rate (rounds of the workload may keep step with one)
for try in 499 397; do
	"$FT" record -p "$WPID" -F "$try" -d 4 -o "$TMP/auto.folded" 2> /dev/null
	"$FT" report -n 0 "$TMP/auto.folded" > "$TMP/auto.report"
	s60=$(self_pct "$TMP/auto.report" leaf_sixty); s30=$(self_pct "$TMP/auto.report" leaf_thirty)
	s10=$(self_pct "$TMP/auto.report" leaf_ten)
	echo "split-nofp measured: $s60 / $s30 / $s10 (try $try)"
	split_ok && break
done
check "-O2 -fomit-frame-pointer: leaf_sixty within 4 points of 60% ($s60)" within "${s60:-0}" 60 4
check "... leaf_thirty within 4 points of 30% ($s30)" within "${s30:-0}" 30 4
check "... leaf_ten within 4 points of 10% ($s10)" within "${s10:-0}" 10 4
for leaf in "via_alpha;leaf_sixty" "via_beta;leaf_thirty" "via_gamma;leaf_ten"; do
	check "... every caller present: _start ... main;round_of_work;$leaf" \
		grep -q "^split-nofp;_start;.*;main;round_of_work;$leaf " "$TMP/auto.folded"
done
check "... in at least 95% of the samples" \
	awk -v s="$(share ';main;round_of_work;via_' "$TMP/auto.folded")" 'BEGIN { exit !(s >= 95) }'
"$FT" record -p "$WPID" --unwind fp -d 1 -o "$TMP/fp.folded" 2> /dev/null
check "--unwind fp on the same binary loses the callers (what this fixes)" \
	bash -c "! grep -q ';via_alpha;leaf_sixty ' '$TMP/fp.folded'"
"$FT" record -p "$WPID" --unwind dwarf -d 1 -o "$TMP/dwarf.folded" 2> /dev/null
check "--unwind dwarf finds them too" grep -q ';main;round_of_work;via_alpha;leaf_sixty ' "$TMP/dwarf.folded"

# --- functions without a symbol: named by their module and start (.eh_frame) ---------
start_workload "$TMP/ws.out" "$W/split-stripped" -s 12
# stripping moves no code: the addresses are those split-nofp's symbols give
stripped_share() {
	local addr
	addr=$(nm "$W/split-nofp" | awk -v f="$1" '$3 == f { sub(/^0+/, "", $1); print $1 }')
	awk -v p=";\\[split-stripped\\+0x$addr\\] " '{ n += $NF; if ($0 ~ p) m += $NF }
		END { printf "%.1f", n ? 100 * m / n : 0 }' "$TMP/stripped.folded"
}
# the second try at another rate: a share far off at one rate may be the
# workload's rounds keeping step with the samples (CI saw 77/19/4 twice at 499)
for hz in 499 397; do
	try=$hz
	"$FT" record -p "$WPID" -F "$hz" -d 4 -o "$TMP/stripped.folded" 2> /dev/null
	s60=$(stripped_share leaf_sixty); s30=$(stripped_share leaf_thirty); s10=$(stripped_share leaf_ten)
	echo "split-stripped measured: $s60 / $s30 / $s10 (try $try)"
	split_ok && break
done
for f in leaf_sixty:60:$s60 leaf_thirty:30:$s30 leaf_ten:10:$s10; do
	IFS=: read -r name want got <<< "$f"
	addr=$(nm "$W/split-nofp" | awk -v f="$name" '$3 == f { sub(/^0+/, "", $1); print $1 }')
	check "stripped binary: $name is its own frame [split-stripped+0x$addr], $want% within 4 points ($got)" \
		within "$got" "$want" 4
done
a() { nm "$W/split-nofp" | awk -v f="$1" '$3 == f { sub(/^0+/, "", $1); print "\\[split-stripped+0x" $1 "\\]" }'; }
check "... and its callers too, each by its own start (return addresses inside them): main;round_of_work;via_alpha" \
	grep -q "^split-stripped;\\[split-stripped+0x[0-9a-f]*\\];__libc_start_main[^;]*;__libc_start_call_main;$(a main);$(a round_of_work);$(a via_alpha);$(a leaf_sixty) " "$TMP/stripped.folded"
kill "$WPID"

# --- inlined functions, from debug info ---------------------------------------------
start_workload "$TMP/wi.out" "$W/split-inline" -s 4
"$FT" record -p "$WPID" -d 2 -o "$TMP/inline.folded" 2> /dev/null
check "a function inlined into its callers is a frame of its own: leaf_sixty;spin_[i]" \
	grep -q ';main;round_of_work;via_alpha;leaf_sixty;spin_\[i\] ' "$TMP/inline.folded"
"$FT" record -p "$WPID" --no-inline -d 1 -o "$TMP/noinline.folded" 2> /dev/null
check "--no-inline leaves them out" \
	bash -c "grep -q ';leaf_sixty ' '$TMP/noinline.folded' && ! grep -q '_\[i\]' '$TMP/noinline.folded'"

# --- .debug_frame when there is no .eh_frame -----------------------------------------
start_workload "$TMP/wd.out" "$W/split-debugframe" -s 4
"$FT" record -p "$WPID" --unwind dwarf -d 2 -o "$TMP/debugframe.folded" 2> /dev/null
check "a binary with .debug_frame and no .eh_frame is unwound" \
	grep -q '^split-debugfra[a-z]*;_start;.*;main;round_of_work;via_alpha;leaf_sixty' "$TMP/debugframe.folded"

# --- Debian's xz and python3 ------------------------------------------------------
head -c 60M /dev/urandom > "$TMP/rand"
xz -6 -T1 -c "$TMP/rand" > /dev/null &
XZ=$!
PIDS+=("$XZ")
/usr/bin/python3 -c '
def inner(n):
    s = 0
    for i in range(n):
        s += i * i
    return s
def outer():
    while True:
        inner(100000)
outer()' &
PY=$!
PIDS+=("$PY")
sleep 0.5
for t in "xz:$XZ" "python3:$PY"; do
	name=${t%%:*} pid=${t#*:}
	"$FT" record -p "$pid" --unwind dwarf -d 3 -o "$TMP/$name.folded" 2> /dev/null
	ours=$(share '__libc_start_main' "$TMP/$name.folded")
	theirs="n/a"
	if command -v perf > /dev/null; then
		perf record -q -F 99 --call-graph dwarf -p "$pid" -o "$TMP/$name.data" -- sleep 3 \
			> /dev/null 2>&1
		perf script -i "$TMP/$name.data" 2> /dev/null > "$TMP/$name.perf.txt"
		"$FT" fold "$TMP/$name.perf.txt" -o "$TMP/$name.perf.folded" 2> /dev/null &&
			theirs=$(share '__libc_start_main' "$TMP/$name.perf.folded")
	fi
	check "$name --unwind dwarf: $ours% of samples reach _start/main (perf --call-graph dwarf: $theirs%)" \
		awk -v s="$ours" 'BEGIN { exit !(s >= 98) }'
done
check "python3: the interpreter's frames are whole (main -> Py_RunMain -> eval loop)" \
	grep -q ';Py_BytesMain;\(.*;\)\?Py_RunMain;.*_PyEval_EvalFrameDefault' "$TMP/python3.folded"
kill "$XZ" "$PY" 2>/dev/null
# a loop that does a python program's usual work: most of Debian's python3
# functions are static (no symbol), told apart by their starts
/usr/bin/python3 -c '
import time
d = {}
while True:
    for i in range(1000):
        d[str(i)] = [i * 2, i / 3, (i,)]
    sorted(d.items(), key=lambda kv: kv[1][0])' &
PY=$!
PIDS+=("$PY")
sleep 0.5
"$FT" record -p "$PY" -F 499 -d 3 -o "$TMP/pyloop.folded" 2> /dev/null
kill "$PY"
n=$(grep -o '\[python3[.0-9]*+0x[0-9a-f]*\]' "$TMP/pyloop.folded" | sort -u | wc -l)
check "python3: its functions without a symbol stay apart: $n distinct [python3.11+0x...] frames (>= 20)" \
	test "$n" -ge 20

# --- a library loaded after the start -------------------------------------------
start_workload "$TMP/w2.out" "$W/plugin_host" "$W/libplugin.so" -s 6 -l 1
"$FT" record -p "$WPID" -d 4 -o "$TMP/plugin.folded" 2> /dev/null
check "a dlopen()ed library (no frame pointers) is unwound: main -> host_recurse -> run_plugin -> plugin_work -> plugin_leaf" \
	grep -q ';main;host_recurse;run_plugin;plugin_work;plugin_leaf ' "$TMP/plugin.folded"
check "... in nearly every sample after it was loaded" \
	awk -v s="$(share 'plugin_work;plugin_leaf' "$TMP/plugin.folded")" \
	    -v t="$(share 'plugin_leaf' "$TMP/plugin.folded")" 'BEGIN { exit !(t - s < 3) }'

# --- bad cases break nothing ----------------------------------------------------------
for b in split-noeh split-badeh; do
	start_workload "$TMP/$b.out" "$W/$b" -s 4
	"$FT" record -p "$WPID" -d 2 -o "$TMP/$b.folded" 2> "$TMP/$b.err"
	check "$b: recorded, valid folded, the leaves still there" \
		bash -c "valid_folded() { [ -s \"\$1\" ] && ! grep -vqP '^[^;\\n]+(;[^;\\n]+)* [1-9][0-9]*\$' \"\$1\"; };
			 valid_folded '$TMP/$b.folded' && grep -q 'leaf_sixty ' '$TMP/$b.folded'"
done
start_workload "$TMP/ne.out" "$W/split-noeh" -s 3
"$FT" record -p "$WPID" --unwind dwarf -d 1 -o "$TMP/ne.folded" 2> /dev/null
check "--unwind dwarf on a binary without tables: the frame it could not unwind is marked [incomplete]" \
	grep -q '^split-noeh;\[incomplete\];leaf_sixty ' "$TMP/ne.folded"
start_workload "$TMP/w3.out" "$W/plugin_host" "$W/libplugin.so" -s 5 -l 0.2 -c 2
"$FT" record -p "$WPID" -d 4 -o "$TMP/closed.folded" 2> /dev/null
check "a mapping that disappears (dlclose) mid-run: valid output, the host's frames after" \
	bash -c "grep -q ';main;host_recurse;host_idle ' '$TMP/closed.folded' && grep -q 'plugin_leaf ' '$TMP/closed.folded'"
start_workload "$TMP/w4.out" "$W/plugin_host" "$W/libplugin.so" -s 4 -d 300
"$FT" record -p "$WPID" -d 2 -o "$TMP/deep.folded" 2> "$TMP/deep.err"
check "a stack deeper than the limit is counted as truncated and shown as such" \
	bash -c "grep -q '^plugin_host;\\[truncated\\];host_recurse;' '$TMP/deep.folded' && grep -q '[1-9][0-9]* truncated' '$TMP/deep.err'"
# the whole host: processes already running are only found by their samples;
# record takes a first look and builds their tables before its clock starts
start_workload "$TMP/wa.out" "$W/split-nofp" -s 8
"$FT" record -a -F 499 -d 2 -o "$TMP/host.folded" 2> /dev/null
check "record -a: a process running before the start is whole from the first sample counted" \
	awk '/^split-nofp;/ { n += $NF; if (/;main;round_of_work;/) m += $NF }
		END { exit !(n > 500 && m >= 0.995 * n) }' "$TMP/host.folded"
kill "$WPID"

# a frame bigger than the part of the stack the walker copies at once
start_workload "$TMP/wb.out" "$W/split-nofp" -s 5 -b
"$FT" record -p "$WPID" -F 499 -d 2 -o "$TMP/big.folded" 2> /dev/null
kill "$WPID"
check "a frame of 3,000 bytes (the walker copies 512 at once): the stacks still reach main" \
	awk '/^split-nofp;/ { n += $NF; if (/;main;big_frame;child_work;round_of_work;via_/ &&
		!/\[incomplete\]/) m += $NF } END { exit !(n > 500 && m >= 0.99 * n) }' "$TMP/big.folded"
# a stack whose top is right under a page no read may cross: the last copies are cut short
start_workload "$TMP/wg.out" "$W/split-nofp" -s 5 -g
"$FT" record -p "$WPID" -F 499 -d 2 -o "$TMP/guarded.folded" 2> /dev/null
kill "$WPID"
# (past makecontext's __start_context no unwinder goes: its return address is the
# function's own start, and the CFI before it is another's)
check "a stack under a PROT_NONE page: read to its last frame, makecontext's in libc" \
	awk '/^split-nofp;/ { n += $NF
		if (/(\[libc\.so\.6[^;]*\]|__start_context);on_guarded_stack;child_work;round_of_work;via_/)
			m += $NF } END { exit !(n > 500 && m >= 0.99 * n) }' "$TMP/guarded.folded"
# the rounds in a signal handler: the walk crosses the kernel's signal frame
start_workload "$TMP/wsig.out" "$W/split-nofp" -s 5 -a
"$FT" record -p "$WPID" -F 499 -d 2 -o "$TMP/signal.folded" 2> /dev/null
kill "$WPID"
check "a signal handler's stacks go on through the signal frame to main" \
	awk '/^split-nofp;/ { n += $NF; if (/;main;raise;.*;on_signal;child_work;round_of_work;via_/ &&
		!/\[incomplete\]/) m += $NF } END { exit !(n > 500 && m >= 0.99 * n) }' "$TMP/signal.folded"

# a sample that lands in the kernel: the walk starts from the user registers
# saved at entry (Debian's dd has no frame pointers)
dd if=/dev/zero of=/dev/null bs=64k count=100000000 2> /dev/null &
DD=$!; PIDS+=("$DD")
"$FT" record -p "$DD" --unwind dwarf -d 2 -o "$TMP/dd.folded" 2> /dev/null
kill "$DD"
check "samples in a system call: the user stack under the kernel's reaches __libc_start_main" \
	awk '/_\[k\]/ { k += $NF; if (/__libc_start_call_main/) m += $NF }
		END { exit !(k > 20 && m >= 0.98 * k) }' "$TMP/dd.folded"
"$FT" record --unwind frames -d 1 -o "$TMP/x.folded" > /dev/null 2> "$TMP/err"
check "--unwind with a bad mode: exit 2 with the usage" \
	bash -c "[ $? -eq 2 ] && grep -q 'unwind takes fp, dwarf or auto' '$TMP/err'"

# --- tables kept across runs (issue 18): a cache of our own, its entries checked ----
C=$TMP/cache
ft_cached() {	# ft_cached NAME [ENV...]: record split-nofp for 2 s, the summary in $TMP/NAME.err
	local name=$1; shift
	env FLAMETOP_CACHE_DIR="$C" "$@" "$FT" record -p "$WPID" -F 499 -d 2 \
		-o "$TMP/$name.folded" 2> "$TMP/$name.err"
}
# built N / from the cache N, from record's summary
built() { sed -n 's/.*; \([0-9]*\) from the cache, \([0-9]*\) built;.*/\2/p' "$TMP/$1.err"; }
loaded() { sed -n 's/.*; \([0-9]*\) from the cache, \([0-9]*\) built;.*/\1/p' "$TMP/$1.err"; }
whole() { awk -v s="$(share ';main;round_of_work;via_' "$TMP/$1.folded")" 'BEGIN { print (s >= 95) }'; }
start_workload "$TMP/wc.out" "$W/split-nofp" -s 20
ft_cached cold
ft_cached warm
echo "cache: cold built $(built cold), loaded $(loaded cold); warm built $(built warm), loaded $(loaded warm)"
check "first run: every table built ($(built cold): split-nofp, libc, ld.so, vDSO) and kept" \
	bash -c "[ '$(built cold)' -ge 4 ] && [ '$(loaded cold)' = 0 ] && [ \$(ls '$C/unwind' | wc -l) -ge 4 ]"
check "second run: every table from the cache, none built, stacks as whole" \
	bash -c "[ '$(built warm)' = 0 ] && [ '$(loaded warm)' = '$(built cold)' ] && [ $(whole warm) = 1 ]"
check "the cache is root's alone: directory 0700, entries 0600" \
	bash -c "[ \$(stat -c %a '$C' '$C/unwind' | sort -u) = 700 ] && [ \$(stat -c %a:%U '$C'/unwind/* | sort -u) = 600:root ]"
# every entry damaged (a byte of its rows): refused whole, rebuilt, replaced
for e in "$C"/unwind/*; do printf '\x7f' | dd of="$e" bs=1 seek=100 conv=notrunc 2> /dev/null; done
ft_cached damaged
ft_cached mended
check "damaged entries: all refused and rebuilt, stacks still whole" \
	bash -c "grep -q '(cache: $(built cold) entries refused' '$TMP/damaged.err' && [ '$(built damaged)' = '$(built cold)' ] && [ $(whole damaged) = 1 ]"
check "... and replaced: the next run loads them" \
	bash -c "[ '$(built mended)' = 0 ] && [ '$(loaded mended)' = '$(built cold)' ]"
# a planted symlink for the cache directory: not followed, the run goes on without it
rm -rf "$C"; ln -s /tmp "$C"
ft_cached planted
check "a symlink at the cache directory: not used, said in one line, tables built" \
	bash -c "grep -q '(no cache: .*symlink' '$TMP/planted.err' && [ '$(built planted)' -ge 4 ] && [ $(whole planted) = 1 ]"
rm -f "$C"; mkdir -m 0777 "$C"
ft_cached open
check "a cache directory others may write: not used" grep -q '(no cache: .*not ours alone' "$TMP/open.err"
ft_cached off FLAMETOP_CACHE_DIR=off
check "FLAMETOP_CACHE_DIR=off: no cache, no complaint" \
	bash -c "! grep -q 'no cache' '$TMP/off.err' && [ '$(built off)' -ge 4 ]"
kill "$WPID"
