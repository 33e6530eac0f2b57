# Shared helpers for the end-to-end tests: each check prints PASS or FAIL.
set -u
BUILD=$(realpath "${BUILD:-build}")
FT=$BUILD/flametop
TMP=$(mktemp -d /tmp/flametop-e2e.XXXXXX)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
check() {	# check NAME COMMAND...
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# share PATTERN FILE [ONLY]: % of the samples (of lines matching ONLY) whose stack matches PATTERN
share() { awk -v p="$1" -v o="${3:-.}" '$0 ~ o { n += $NF; if ($0 ~ p) m += $NF }
	END { printf "%.1f", n ? 100 * m / n : 0 }' "$2"; }

# start_workload OUTFILE ARGS...: runs the split workload, sets WPID
start_workload() {
	local out=$1; shift
	"$@" > "$out" &
	PIDS+=($!)
	for _ in $(seq 50); do
		grep -q ready "$out" 2>/dev/null && break
		sleep 0.1
	done
	WPID=$(awk '/ready/ {print $2}' "$out")
}

# Every line strictly valid folded (SPEC.md): frames non-empty, positive count.
valid_folded() {
	[ -s "$1" ] && ! grep -vqP '^[^;\n]+(;[^;\n]+)* [1-9][0-9]*$' "$1"
}

# self% of a function in `flametop report` output
self_pct() {
	awk -v f="$2" '!/^#/ { name = $0; sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+  /, "", name);
		if (name == f) { print $1; exit } }' "$1"
}

# within A B TOL: |A - B| <= TOL
within() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}
