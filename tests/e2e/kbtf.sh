#!/usr/bin/env bash
# The small kernel BTF kept across runs (issue 18, sampler/kbtf.h): made by
# bpftool once, then libbpf reads it instead of the kernel's whole BTF.
# strace tells whether /sys/kernel/btf/vmlinux was read and bpftool run.
. "$(dirname "$0")/lib.sh"
W=$BUILD/workloads
C=$TMP/cache

# run NAME: record split-nofp (no frame pointers: the walk uses CO-RE'd
# fields of the task, its mappings and files) under strace
run() {
	env FLAMETOP_CACHE_DIR="$C" strace -f -qq -e trace=openat,execve -o "$TMP/$1.trace" \
		"$FT" record -p "$WPID" -F 499 -d 2 -o "$TMP/$1.folded" 2> "$TMP/$1.err"
}
read_btf() { grep -c '"/sys/kernel/btf/vmlinux"' "$TMP/$1.trace"; }
ran_bpftool() { grep -c 'execve("[^"]*bpftool"' "$TMP/$1.trace"; }
whole() { awk -v s="$(share ';main;round_of_work;via_' "$TMP/$1.folded")" 'BEGIN { exit !(s >= 95) }'; }

start_workload "$TMP/w.out" "$W/split-nofp" -s 30
run first
run second
echo "kernel BTF read: first $(read_btf first), second $(read_btf second); bpftool run: first $(ran_bpftool first), second $(ran_bpftool second)"
check "first run: the kernel's BTF read, bpftool made the small one, kept (0600)" \
	bash -c "[ $(read_btf first) -ge 1 ] && [ $(ran_bpftool first) = 1 ] && [ \$(stat -c %a:%U '$C'/btf/* | sort -u) = 600:root ]"
check "second run: neither the kernel's BTF read nor bpftool run" \
	bash -c "[ $(read_btf second) = 0 ] && [ $(ran_bpftool second) = 0 ]"
check "... stacks whole in both (>= 95% through main;round_of_work)" \
	bash -c "$(declare -f share whole); TMP='$TMP'; whole first && whole second"

# a damaged entry: refused whole (its sum), the kernel's BTF read, the entry made again
for e in "$C"/btf/*; do printf '\x7f' | dd of="$e" bs=1 seek=60 conv=notrunc 2> /dev/null; done
run damaged
run mended
check "a damaged entry: refused, the kernel's BTF read, stacks whole" \
	bash -c "[ $(read_btf damaged) -ge 1 ] && $(declare -f share whole); TMP='$TMP'; whole damaged"
check "... and replaced: the next run reads no kernel BTF" bash -c "[ $(read_btf mended) = 0 ]"

# an entry whose sum adds up but whose types are not the kernel's (one int):
# the load fails with it, is done again with the kernel's, and the entry is
# never used or made again
python3 - "$C"/btf/* <<'EOF'
import hashlib, struct, sys
types = struct.pack('<IIII', 1, 1 << 24, 4, (1 << 24) | 32)	# INT "int", 4 bytes, signed
strs = b'\0int\0'
btf = struct.pack('<HBBIIIII', 0xeB9F, 1, 0, 24, 0, len(types), len(types), len(strs)) + types + strs
for path in sys.argv[1:]:
    with open(path, 'wb') as f:
        f.write(b'FTKBTF1\0' + struct.pack('<Q', len(btf)) + hashlib.sha256(btf).digest() + btf)
EOF
run foreign
run after_foreign
check "a kept BTF that fails the load: loaded again with the kernel's, stacks whole" \
	bash -c "[ $(read_btf foreign) -ge 1 ] && ! grep -q refused '$TMP/foreign.err' && $(declare -f share whole); TMP='$TMP'; whole foreign"
check "... and from then on the kernel's is read, bpftool not run again" \
	bash -c "[ $(read_btf after_foreign) -ge 1 ] && [ $(ran_bpftool after_foreign) = 0 ] && [ $(ran_bpftool foreign) = 0 ]"

# a symlink planted for an entry is not followed
rm -rf "$C"/btf/*
run fresh
for e in "$C"/btf/*; do rm -f "$e"; ln -s /etc/passwd "$e"; done
run planted
check "a symlink planted for the entry: not followed, the kernel's BTF used, stacks whole" \
	bash -c "[ $(read_btf planted) -ge 1 ] && ! grep -q passwd '$TMP/planted.trace' && $(declare -f share whole); TMP='$TMP'; whole planted"
check "... and replaced by an entry of ours (the symlink gone)" \
	bash -c "[ -z \"\$(find '$C/btf' -type l)\" ] && [ \$(ls '$C/btf' | wc -l) = 1 ]"
kill "$WPID"
