#!/usr/bin/env bash
# The field's formats, checked by their real readers: pprof out and in
# (go tool pprof; a Go program's own CPU and heap profiles), speedscope
# (its npm package's schema), SVG (xmllint, a headless Chromium that
# renders it and clicks a frame), hostile pprof files, snapshots in pprof.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.lib"
E2E=$(realpath "$(dirname "$0")")
W=$BUILD/workloads

# go tool pprof and the Go compiler, their caches in the build tree
export GOCACHE=$BUILD/gocache GOPATH=$BUILD/gopath PPROF_TMPDIR=$TMP GOFLAGS= GO111MODULE=auto
pp() { go tool pprof "$@" 2> "$TMP/pprof.err"; }
# the npm packages the checks use, pinned, once per build tree
NPM=$BUILD/npm
if [ ! -f "$NPM/ok" ]; then
	mkdir -p "$NPM"
	npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error \
		speedscope@1.25.0 ajv@8.17.1 puppeteer-core@24.10.0 > "$TMP/npm.log" 2>&1 &&
		touch "$NPM/ok"
fi
check "npm packages for the checks (speedscope, ajv, puppeteer-core)" test -f "$NPM/ok"
export NODE_PATH=$NPM/node_modules

# --- pprof out, from folded text --------------------------------------------
cat > "$TMP/hand.folded" <<'EOF'
app;main;parse;lex 300
app;main;parse;lex;next_char_[i] 120
app;main;eval;[libc.so.6+0x9a2b0] 90
app;main;eval;apply;apply;apply 60
app;main;write;sys_write_[k];vfs_write_[k] 45
app;[unknown] 5
EOF
"$FT" fold "$TMP/hand.folded" --to pprof -o "$TMP/hand.pb.gz"
pp -top "$TMP/hand.pb.gz" > "$TMP/hand.top"
"$FT" report -n 0 "$TMP/hand.pb.gz" > "$TMP/hand.report"
check "fold --to pprof: go tool pprof -top agrees with flametop report" \
	python3 "$E2E/compare_top.py" "$TMP/hand.top" "$TMP/hand.report"
"$FT" report -n 0 "$TMP/hand.folded" > "$TMP/hand.report.folded"
check "... and with the report of the folded file itself" \
	python3 "$E2E/compare_top.py" "$TMP/hand.top" "$TMP/hand.report.folded"
pp -traces "$TMP/hand.pb.gz" > "$TMP/hand.traces"
check "-traces: the inlined frame then its caller (caller last)" \
	grep -A1 -q 'next_char (inline)$' "$TMP/hand.traces"
check "... the caller being lex" \
	sh -c "grep -A1 'next_char (inline)\$' '$TMP/hand.traces' | tail -1 | grep -q '^ *lex\$'"
check "-raw: kernel frames in a [kernel.kallsyms] mapping" \
	sh -c "go tool pprof -raw '$TMP/hand.pb.gz' 2>/dev/null | grep -q '\[kernel.kallsyms\]'"
"$FT" fold "$TMP/hand.pb.gz" --sample-type samples -o "$TMP/hand.back"
"$FT" fold "$TMP/hand.folded" -o "$TMP/hand.norm"
check "pprof back to folded by its samples: the same stacks" cmp "$TMP/hand.back" "$TMP/hand.norm"
"$FT" report "$TMP/hand.pb.gz" > "$TMP/hand.units"
check "read by pprof's default (the last type): values as time, the type in the header" \
	grep -q '^# self%.*name  (cpu, nanoseconds)$' "$TMP/hand.units"

# a large folded file: 40k distinct stacks over 400 functions
awk 'BEGIN { srand(7); for (i = 0; i < 40000; i++) { d = 3 + int(rand() * 18); s = "prog";
	for (k = 0; k < d; k++) s = s ";fn_" int(rand() * rand() * 400);
	print s, 1 + int(rand() * 50) } }' > "$TMP/large.folded"
"$FT" fold "$TMP/large.folded" -o "$TMP/large.pb.gz"
check "a large folded file: -o x.pb.gz writes (gzipped) pprof by its name" \
	sh -c "head -c2 '$TMP/large.pb.gz' | od -An -tx1 | grep -q '1f 8b'"
pp -top -nodecount=40 "$TMP/large.pb.gz" > "$TMP/large.top"
"$FT" report -n 0 "$TMP/large.folded" > "$TMP/large.report"
check "... go tool pprof -top agrees with flametop report (shares of 40k stacks)" \
	python3 "$E2E/compare_top.py" "$TMP/large.top" "$TMP/large.report" 0.3

# --- pprof out, recorded: labels, mappings, inlined frames ----------------
start_workload "$TMP/a.out" "$W/split-inline" -s 30
A=$WPID
start_workload "$TMP/b.out" "$W/split-inline" -s 30
B=$WPID
"$FT" record -p "$A,$B" -d 3 -o "$TMP/rec.pb.gz" 2> "$TMP/rec.err"
pp -top "$TMP/rec.pb.gz" > "$TMP/rec.top"
check "record -o rec.pb.gz: a pprof file go tool pprof reads" grep -q 'leaf_sixty' "$TMP/rec.top"
"$FT" report -n 0 "$TMP/rec.pb.gz" > "$TMP/rec.report"
check "... -top agrees with flametop report" python3 "$E2E/compare_top.py" "$TMP/rec.top" "$TMP/rec.report"
# "Showing nodes accounting for N, X% of ALL total": what the filter kept
all=$(pp -top -sample_index=samples "$TMP/rec.pb.gz" | sed -n 's/.* of \([0-9]*\) total.*/\1/p')
one=$(pp -top -sample_index=samples -tagfocus "pid=$A" "$TMP/rec.pb.gz" |
	sed -n 's/.*accounting for \([0-9]*\),.*/\1/p')
"$FT" fold --group pid --sample-type samples "$TMP/rec.pb.gz" -o "$TMP/rec.bypid"
mine=$(awk -v p="split-inline-$A;" 'index($0, p) == 1 { n += $NF } END { print n + 0 }' "$TMP/rec.bypid")
check "-tagfocus pid=A selects A's samples: $one of $all, flametop --group pid says $mine" \
	test -n "$one" -a "${one:-0}" -gt 0 -a "${one:-0}" = "$mine" -a "${one:-0}" -lt "${all:-0}"
check "labels comm, tid, thread_name, pid on each sample" \
	sh -c "go tool pprof -traces '$TMP/rec.pb.gz' 2>/dev/null | grep -q 'comm:  split-inline' &&
	       go tool pprof -traces '$TMP/rec.pb.gz' 2>/dev/null | grep -q 'thread_name:'"
pp -traces "$TMP/rec.pb.gz" > "$TMP/rec.traces"
check "-traces: spin inlined into leaf_sixty, the caller last" \
	sh -c "grep -A1 'spin (inline)\$' '$TMP/rec.traces' | grep -q '^ *leaf_sixty\$'"
id=$(readelf -n "$W/split-inline" | sed -n 's/.*Build ID: //p')
check "-raw: the binary's mapping with its path and build-id" \
	sh -c "go tool pprof -raw '$TMP/rec.pb.gz' 2>/dev/null | grep -q '$W/split-inline $id'"
"$FT" record -p "$A" --lines -d 1 -o "$TMP/lines.pb.gz" 2> /dev/null
check "record --lines: each location's line numbers (-raw: leaf_sixty split.c:N)" \
	sh -c "go tool pprof -raw '$TMP/lines.pb.gz' 2>/dev/null | grep -q ' leaf_sixty split.c:[1-9][0-9]* '"
kill "$A" "$B" 2>/dev/null

# --- pprof in: a Go program's own profiles -----------------------------------
go build -o "$TMP/profiled" "$(dirname "$0")/../workloads/go/profiled.go" 2> "$TMP/go.err"
check "a Go program built with runtime/pprof" test -x "$TMP/profiled"
"$TMP/profiled" "$TMP/cpu.pprof" "$TMP/heap.pprof" 3
pp -top "$TMP/cpu.pprof" > "$TMP/cpu.top"
"$FT" report -n 0 "$TMP/cpu.pprof" > "$TMP/cpu.report"
check "Go CPU profile: flametop report matches go tool pprof -top" \
	python3 "$E2E/compare_top.py" "$TMP/cpu.top" "$TMP/cpu.report"
"$FT" report -n 0 --tagroot phase "$TMP/cpu.pprof" > "$TMP/tagroot.report"
want=$(pp -top -tagfocus phase=sixty "$TMP/cpu.pprof" |
	sed -n 's/.*accounting for [^,]*, \([0-9.]*\)% of.*/\1/p')
got=$(awk '/ phase:sixty$/ { print $2 }' "$TMP/tagroot.report")
check "--tagroot phase: the pprof label as a root frame, phase:sixty ${got:-?}% (pprof -tagfocus: ${want:-?}%)" \
	within "${got:-0}" "${want:-100}" 0.15
pp -top "$TMP/heap.pprof" > "$TMP/heap.top"
"$FT" report -n 0 "$TMP/heap.pprof" > "$TMP/heap.report"
check "Go heap profile (inuse_space, pprof's default): report matches -top" \
	python3 "$E2E/compare_top.py" "$TMP/heap.top" "$TMP/heap.report"
check "... in bytes: allocBig holds 48 MB" grep -q '48.00MB .*main.allocBig$' "$TMP/heap.report"
pp -top -sample_index=alloc_objects "$TMP/heap.pprof" > "$TMP/heapo.top"
"$FT" report -n 0 --sample-type alloc_objects "$TMP/heap.pprof" > "$TMP/heapo.report"
check "--sample-type alloc_objects matches -sample_index=alloc_objects" \
	python3 "$E2E/compare_top.py" "$TMP/heapo.top" "$TMP/heapo.report"
"$FT" report --sample-type nope "$TMP/heap.pprof" > /dev/null 2> "$TMP/nope.err"
rc=$?
check "--sample-type of no such type: exit 1, the types named" \
	sh -c "[ $rc = 1 ] && grep -q 'no sample type nope (there are: alloc_objects, alloc_space, inuse_objects, inuse_space)' '$TMP/nope.err'"
start 160 40 -- view "$TMP/cpu.pprof"
check "view of the CPU profile: its functions" wait_for 'main.spin'
check "... the status line in time and the sample type" wait_for '| cpu.pprof | [0-9.]*s cpu'
keys t
check "... the top table in time" wait_for '[0-9.]*s  *[0-9.]*s  main.spin'
keys q
start 160 40 -- view "$TMP/heap.pprof"
check "view of the heap profile: bytes and inuse_space" wait_for '| heap.pprof | [0-9.]*MB inuse_space'
keys q

# --- hostile pprof files ---------------------------------------------------------
head -c 300 "$TMP/cpu.pprof" > "$TMP/cut.pb.gz"
"$FT" report "$TMP/cut.pb.gz" > /dev/null 2> "$TMP/cut.err"
rc=$?
check "a truncated pprof file: exit 1, one line naming the file" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l < '$TMP/cut.err') = 1 ] &&
	       grep -q '^flametop: $TMP/cut.pb.gz: not a valid pprof profile: truncated gzip data' '$TMP/cut.err'"
head -c 1100M /dev/zero | gzip -1 > "$TMP/bomb.pb.gz"
"$FT" report "$TMP/bomb.pb.gz" > /dev/null 2> "$TMP/bomb.err"
rc=$?
check "a gzip bomb ($(stat -c %s "$TMP/bomb.pb.gz") bytes): refused at 1 GiB, exit 1" \
	sh -c "[ $rc = 1 ] && grep -q 'inflates to more than 1024 MiB' '$TMP/bomb.err'"
printf '\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x03cpu\x32\x02ns\x12\x04\x08\x63\x10\x01' > "$TMP/raw.pb"
"$FT" report "$TMP/raw.pb" > /dev/null 2> "$TMP/raw.err"
check "a raw (not gzipped) profile with a missing location: exit 1, why" \
	grep -q 'refers to a missing location 99' "$TMP/raw.err"
# (an ASan build checks the same itself)
if ! nm "$FT" | grep -q __asan_init; then
	check "valgrind: reading and writing pprof, speedscope and SVG is clean" sh -c "
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			'$FT' fold '$TMP/heap.pprof' --to pprof -o '$TMP/vg.pb.gz' &&
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			'$FT' fold '$TMP/cpu.pprof' --to speedscope -o '$TMP/vg.json' &&
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			'$FT' fold '$TMP/cpu.pprof' --to svg -o '$TMP/vg.svg'"
fi

# --- speedscope ----------------------------------------------------------------------
SCHEMA=$NPM/node_modules/speedscope/dist/release/file-format-schema.json
"$FT" fold "$TMP/rec.pb.gz" --sample-type samples -o "$TMP/rec.json"
check "speedscope (-o x.json) validates against speedscope's file-format schema" \
	node "$E2E/js/speedscope_check.js" "$SCHEMA" "$TMP/rec.json" "$(awk '{ n += $NF } END { print n }' "$TMP/rec.bypid")"
"$FT" fold "$TMP/heap.pprof" --to speedscope -o "$TMP/heap.json"
check "... a heap profile's too, in bytes" \
	sh -c "node '$E2E/js/speedscope_check.js' '$SCHEMA' '$TMP/heap.json' && grep -q '\"unit\":\"bytes\"' '$TMP/heap.json'"
sed 's/"weights"/"weight"/' "$TMP/rec.json" > "$TMP/broken.json"
check "... and the validation can fail: a file without weights does not pass" \
	sh -c "! node '$E2E/js/speedscope_check.js' '$SCHEMA' '$TMP/broken.json' > /dev/null"

# --- SVG ------------------------------------------------------------------------------
start_workload "$TMP/s.out" "$W/split" -s 20
"$FT" record -p "$WPID" -d 2 -o "$TMP/split.svg" 2> /dev/null
check "record -o x.svg: well-formed XML (xmllint)" xmllint --noout "$TMP/split.svg"
check "... every frame titled with its samples and share" \
	grep -q '<title>leaf_sixty ([0-9]* samples, [0-9.]*%)</title>' "$TMP/split.svg"
timeout 120 node "$E2E/js/svg_check.js" /usr/bin/chromium "$TMP/split.svg" via_alpha 'leaf_(sixty|ten)' \
	> "$TMP/svg.check" 2>&1
for what in render click reset search; do
	check "Chromium: $what ($(grep -m1 "^[a-z]* $what\|^bad" "$TMP/svg.check"))" grep -q "^ok $what" "$TMP/svg.check"
done

# --- snapshots in pprof ------------------------------------------------------------
mkdir -p "$TMP/snaps"
start 120 30 -- view "$TMP/hand.folded" --snapshot-format pprof --snapshot-dir "$TMP/snaps"
keys s
check "s with --snapshot-format pprof writes a .pb.gz" wait_for 'snapshot written to .*\.pb\.gz'
keys q
snap=$(ls "$TMP"/snaps/*.pb.gz 2>/dev/null | head -1)
pp -top "${snap:-/nonexistent}" > "$TMP/snap.top"
check "... that go tool pprof reads, as the folded file's report says" \
	python3 "$E2E/compare_top.py" "$TMP/snap.top" "$TMP/hand.report.folded"
