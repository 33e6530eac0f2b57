#!/usr/bin/env bash
# flametop record -c against a real container (issue 13): podman with runc,
# its image imported offline from a rootfs tarball that holds a workload
# found nowhere else (renamed, its libraries beside it), and -c given the
# short id the runtime prints.
. "$(dirname "$0")/lib.sh"
IMG=localhost/flametop-test-$$:latest
CID=
remove() {
	[ -n "$CID" ] && podman rm -f -t 0 "$CID" > /dev/null 2>&1
	podman rmi -f "$IMG" > /dev/null 2>&1
}
trap 'remove; cleanup' EXIT
skip() { echo "SKIP container: $*"; exit 0; }
command -v podman > /dev/null || skip "podman is not installed (make deps installs it)"
command -v runc > /dev/null || skip "runc is not installed (make deps installs it)"

# --- the image: /app/ctr-split, the libraries ldd names, /etc/hostname ---------------
R=$TMP/rootfs
mkdir -p "$R/app" "$R/etc"
cp "$BUILD/workloads/split" "$R/app/ctr-split"
for lib in $(ldd "$R/app/ctr-split" | grep -o '/[^ ]*'); do
	mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
done
echo flametop-ctr > "$R/etc/hostname"
tar -C "$R" -cf "$TMP/rootfs.tar" .
podman import -q "$TMP/rootfs.tar" "$IMG" > /dev/null 2> "$TMP/import.err" ||
	skip "podman import failed: $(tr '\n' ' ' < "$TMP/import.err")"
rm -rf "$R" "$TMP/rootfs.tar"	# the workload is in the image only now

# crun refuses hybrid cgroups; without CAP_SYS_RESOURCE the limits must not be raised
CID=$(podman --runtime runc run -d --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
	--hostname flametop-ctr \
	"$IMG" /app/ctr-split -s 30 2> "$TMP/run.err") ||
	skip "podman --runtime runc run failed: $(tr '\n' ' ' < "$TMP/run.err")"
CID=$(podman inspect -f '{{.Id}}' "$CID")
for _ in $(seq 50); do
	[ "$(podman inspect -f '{{.State.Running}}' "$CID" 2> /dev/null)" = true ] && break
	sleep 0.1
done
[ "$(podman inspect -f '{{.State.Running}}' "$CID")" = true ] ||
	skip "the container does not run: $(podman logs "$CID" 2>&1 | head -3 | tr '\n' ' ')"
SHORT=${CID:0:12}
check "the workload's binary is not on the host" test ! -e /app/ctr-split

# the same code outside the container, under another name
cp "$BUILD/workloads/split" "$TMP/outside"
start_workload "$TMP/out.out" "$TMP/outside" -s 15

# --- -c <short id> ---------------------------------------------------------------
"$FT" record -c "$SHORT" -d 3 -o "$TMP/c.folded" 2> "$TMP/c.err"
check "record -c $SHORT (the short id) writes valid folded" valid_folded "$TMP/c.folded"
check "... the container's workload, symbolized from inside it" \
	grep -q '^ctr-split;_start;.*;main;round_of_work;via_alpha;leaf_sixty ' "$TMP/c.folded"
check "... and nothing from outside the container" \
	bash -c "! cut -d';' -f1 '$TMP/c.folded' | grep -qvx ctr-split"

"$FT" record -a --group container -d 2 -o "$TMP/host.folded" 2> /dev/null
check "the host view groups it under its container name (podman:$SHORT)" \
	grep -q "^podman:$SHORT;ctr-split;.*;leaf_sixty " "$TMP/host.folded"
check "... and the host's own workload outside it" \
	bash -c "grep -q '^[^;]*;outside;.*leaf_sixty ' '$TMP/host.folded' &&
		 ! grep -q '^podman:$SHORT;outside;' '$TMP/host.folded'"

# --- the live view: the container in the process table, with its host name ------------
. "$(dirname "$0")/tmux.lib"
trap 'tm kill-server 2>/dev/null; remove; cleanup' EXIT
start 140 30 -- -c "$SHORT" --group container
wait_for 'ctr-split' 5
keys p
check "live -c $SHORT --group container: the table's row is the container" \
	wait_for "podman:$SHORT"
check "... with the container's own host name (its /etc/hostname)" wait_for '(flametop-ctr)'
keys q
exited_with 0

# --- an id no container has ---------------------------------------------------------
"$FT" record -c 0123456789ab -d 1 -o "$TMP/none.folded" 2> "$TMP/none.err"
rc=$?
check "-c with an unknown id: exit 1" test "$rc" -eq 1
check "... one line saying nothing matches" \
	bash -c "[ \$(wc -l < '$TMP/none.err') -eq 1 ] && grep -q 'no cgroup matches' '$TMP/none.err'"
check "... and no output file" test ! -e "$TMP/none.folded"
