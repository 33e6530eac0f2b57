# flametop — one Makefile.  `make` builds build/flametop; see README.md.

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(BUILD) $(EXTRA_CFLAGS)
LDFLAGS  += $(EXTRA_LDFLAGS)
LDLIBS   := -lbpf -ldw -lelf -lz -lncursesw -liberty -lm -lpcre2-8 -lprotobuf-c -lcrypto

# Debian packages the build and the tests need (make deps installs them).
BUILD_DEPS := gcc make clang llvm bpftool libbpf-dev libelf-dev libdw-dev zlib1g-dev \
              libncurses-dev libcmocka-dev libclang-rt-14-dev pkg-config g++ libiberty-dev libpcre2-dev \
              libdebuginfod-dev protobuf-c-compiler libprotobuf-c-dev libcurl4-openssl-dev libssl-dev
# podman with runc runs the container test (crun refuses hybrid cgroups)
TEST_DEPS  := tmux linux-perf valgrind procps util-linux mount coreutils binutils python3 time perl \
              podman runc tar libc-bin nodejs debuginfod curl golang-go chromium libxml2-utils \
              bpfcc-tools bpftrace strace

# util/ (growable arrays, reading to the end, atomic outputs) goes wherever the model goes
PROFILE_SRCS := $(wildcard util/*.c profile/*.c)
# pprof's messages, from our description of them (protoc-c)
PROTO_C      := $(BUILD)/profile/pprof.pb-c.c
SAMPLER_SRCS := $(wildcard sampler/*.c)
TUI_SRCS     := $(wildcard tui/*.c)
RENDER_SRCS  := $(wildcard render/*.c)
KEYMAP_SRCS  := $(wildcard keymaps/*.c)
KEYMAP_FILES := $(wildcard keymaps/*.keys)
BPF_SRCS     := $(wildcard bpf/*.bpf.c)
SKELETONS    := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

PROFILE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(PROFILE_SRCS)) $(BUILD)/profile/pprof.pb-c.o
SAMPLER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(SAMPLER_SRCS))
TUI_OBJS     := $(patsubst %.c,$(BUILD)/%.o,$(TUI_SRCS))
RENDER_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(RENDER_SRCS))
KEYMAP_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(KEYMAP_SRCS)) $(BUILD)/keymaps/builtin_keys.o
# the explorer without main(): linked by the flametop binary and the TUI bench
APP_OBJS     := $(filter-out $(BUILD)/tui/main.o,$(TUI_OBJS)) $(RENDER_OBJS) $(KEYMAP_OBJS)

# libFuzzer targets (tests/fuzz/fuzz_*.c) and their corpus replays, run by make test
FUZZ_TARGETS := readers stream keymap timeline jitmap pprof unwind_cache ehframe dwindex kbtf
REGRESS      := $(patsubst %,$(BUILD)/fuzz/regress_%,$(FUZZ_TARGETS))
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)
UNIT_BINS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
WORKLOAD_SRCS:= $(wildcard tests/workloads/*.c)
WORKLOADS    := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(WORKLOAD_SRCS))

.PHONY: all run test test-run unit asan bench fuzz fuzz-run deps clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/flametop

# --- eBPF: vmlinux.h from the running kernel's BTF, object, skeleton -------
$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/profile.h bpf/unwind.bpf.h bpf/ksyms.bpf.h $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf \
		-Wall -Werror -c $< -o $@
	llvm-strip -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# --- user space ---------------------------------------------------------------
$(PROTO_C): profile/pprof.proto
	@mkdir -p $(@D)
	protoc-c --c_out=$(@D) --proto_path=profile $<
$(PROTO_C:.c=.h): $(PROTO_C)
$(BUILD)/profile/pprof.pb-c.o: $(PROTO_C)
	$(CC) $(filter-out -Werror -Wextra,$(CFLAGS)) -c $< -o $@
$(BUILD)/profile/pprof_read.o $(BUILD)/profile/pprof_write.o: $(PROTO_C:.c=.h)

# the sampler includes the generated skeleton
$(SAMPLER_OBJS): $(SKELETONS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# keymaps/*.keys become C strings: the built-in keymaps go through the same
# parser as a user's file.
$(BUILD)/keymaps/builtin_keys.c: $(KEYMAP_FILES) Makefile
	@mkdir -p $(@D)
	{ echo '#include "../../keymaps/builtin.h"'; \
	  echo 'const struct builtin_keymap builtin_keymaps[] = {'; \
	  for f in $(KEYMAP_FILES); do \
	    n=$$(basename $$f .keys); echo "{ \"$$n\","; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
	    echo '},'; \
	  done; \
	  echo '{ 0, 0 } };'; } > $@

$(BUILD)/keymaps/builtin_keys.o: $(BUILD)/keymaps/builtin_keys.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/flametop: $(PROFILE_OBJS) $(SAMPLER_OBJS) $(APP_OBJS) $(BUILD)/tui/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# --- tests --------------------------------------------------------------------
$(BUILD)/tests/test_%: tests/unit/test_%.c $(PROFILE_OBJS) $(SAMPLER_OBJS) $(RENDER_OBJS) \
		$(KEYMAP_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS)

# clang: GCC 12 drops the frame of leaf functions even when told not to
$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CLANG) -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline \
		-fno-optimize-sibling-calls \
		-pthread -o $@ $< $(LDLIBS_WORKLOAD)

# Without frame pointers, as distributions build: only .eh_frame describes the
# stacks.  Sibling calls stay calls so every caller is a frame to find.
NOFP := -O2 -fomit-frame-pointer -fno-optimize-sibling-calls
UNWIND_WORKLOADS := $(BUILD)/workloads/split-nofp $(BUILD)/workloads/split-noeh \
                    $(BUILD)/workloads/split-inline $(BUILD)/workloads/split-debugframe \
                    $(BUILD)/workloads/split-badeh $(BUILD)/workloads/libplugin.so \
                    $(BUILD)/workloads/libplugin-g.so $(BUILD)/workloads/split-stripped \
                    $(BUILD)/workloads/burst-nopie $(BUILD)/workloads/split-nopie \
                    $(BUILD)/workloads/split-nosym
$(BUILD)/workloads/split-nofp: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -pthread -o $@ $<
# short-lived children without frame pointers, PIE (as Debian builds) and not
$(BUILD)/workloads/burst: tests/workloads/burst.c
	@mkdir -p $(@D)
	gcc $(NOFP) -pie -fPIE -o $@ $<
$(BUILD)/workloads/burst-nopie: tests/workloads/burst.c
	@mkdir -p $(@D)
	gcc $(NOFP) -no-pie -fno-PIE -o $@ $<
# another image at the same addresses as burst-nopie's, for exec tests
$(BUILD)/workloads/split-nopie: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -no-pie -fno-PIE -pthread -o $@ $<
# stripped, its debug info apart (as a -dbgsym package or a debuginfod server has it)
$(BUILD)/workloads/split-nosym: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -g -pthread -o $@.tmp $<
	objcopy --only-keep-debug $@.tmp $@.debug
	strip --strip-all -o $@ $@.tmp
	rm -f $@.tmp
# no symbols at all, as distributions ship binaries: functions only by .eh_frame
$(BUILD)/workloads/split-stripped: $(BUILD)/workloads/split-nofp
	strip --strip-all -o $@ $<
# with debug info: spin() is inlined into each leaf
$(BUILD)/workloads/split-inline: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -g -DSPLIT_INLINE -pthread -o $@ $<
# no .eh_frame, but debug info's .debug_frame (what -g alone gives)
$(BUILD)/workloads/split-debugframe: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -g -fno-asynchronous-unwind-tables -pthread -o $@.tmp $<
	objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr $@.tmp $@
	rm -f $@.tmp
# no unwind tables at all
$(BUILD)/workloads/split-noeh: tests/workloads/split.c
	@mkdir -p $(@D)
	gcc $(NOFP) -fno-asynchronous-unwind-tables -fno-unwind-tables -pthread -o $@.tmp $<
	objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr $@.tmp $@
	rm -f $@.tmp
# .eh_frame overwritten with garbage
$(BUILD)/workloads/split-badeh: $(BUILD)/workloads/split-nofp
	cp $< $@.tmp
	set -- $$(readelf -SW $@.tmp | awk '$$2 == ".eh_frame" { print $$5, $$6 }'); \
	head -c $$((0x$$2)) /dev/urandom | dd of=$@.tmp bs=1 seek=$$((0x$$1)) conv=notrunc status=none
	mv $@.tmp $@
$(BUILD)/workloads/libplugin.so: tests/fixtures/plugin.c
	@mkdir -p $(@D)
	gcc $(NOFP) -shared -fPIC -o $@ $<
# with debug info: its symbol table lies pages past the loaded segments
$(BUILD)/workloads/libplugin-g.so: tests/fixtures/plugin.c
	@mkdir -p $(@D)
	gcc $(NOFP) -g -shared -fPIC -o $@ $<
$(BUILD)/workloads/plugin_host: private LDLIBS_WORKLOAD := -ldl

# ELF files the symbolizer tests resolve, built the ways binaries ship.
FIX := $(BUILD)/fixtures
FIXTURES := $(FIX)/sym_plain $(FIX)/sym_dynsym $(FIX)/sym_buildid $(FIX)/sym_debuglink \
            $(FIX)/sym_cpp $(FIX)/sym_inline $(FIX)/sym_forged
$(FIX)/sym_plain: tests/fixtures/symtarget.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -o $@ $<
# sym_plain's code under other names, claiming sym_plain's build-id: a forgery
$(FIX)/sym_forged: tests/fixtures/symtarget.c $(FIX)/sym_plain
	id=$$(readelf -n $(FIX)/sym_plain | sed -n 's/.*Build ID: //p'); \
	$(CC) -O1 -g -Dexported_alpha=forged_alpha -Dexported_beta=forged_beta \
		-Dlocal_gamma=forged_gamma -Wl,--build-id=0x$$id -o $@ $<
$(FIX)/sym_dynsym: tests/fixtures/symtarget.c
	@mkdir -p $(@D)
	$(CC) -O1 -rdynamic -o $@ $<
	strip --strip-all $@
$(FIX)/sym_buildid: tests/fixtures/symtarget.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wl,--build-id=sha1 -o $@.full $<
	id=$$(readelf -n $@.full | sed -n 's/.*Build ID: //p'); \
	mkdir -p $(FIX)/debug/.build-id/$${id%"$${id#??}"} && \
	objcopy --only-keep-debug $@.full $(FIX)/debug/.build-id/$${id%"$${id#??}"}/$${id#??}.debug
	strip --strip-all -o $@ $@.full
	rm -f $@.full
$(FIX)/sym_debuglink: tests/fixtures/symtarget.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -o $@.full $<
	objcopy --only-keep-debug $@.full $@.debug
	strip --strip-all -o $@ $@.full
	objcopy --add-gnu-debuglink=$@.debug $@
	rm -f $@.full
# gcc: clang does not inline a function whose label address is taken
$(FIX)/sym_inline: tests/fixtures/symtarget_inline.c
	@mkdir -p $(@D)
	gcc -O2 -g -o $@ $<
$(FIX)/sym_cpp: tests/fixtures/symtarget_cpp.cc
	@mkdir -p $(@D)
	g++ -O1 -g -o $@ $<

$(BUILD)/tests/test_live: $(BUILD)/tui/live.o $(BUILD)/tui/live_window.o $(BUILD)/tui/push.o $(BUILD)/tui/curl_api.o $(BUILD)/tui/memlog.o
$(UNIT_BINS): $(PROTO_C:.c=.h)
# the explorer, driven through the replay source without a terminal
$(BUILD)/tests/test_explorer: $(APP_OBJS)
$(BUILD)/tests/test_unwind $(BUILD)/tests/test_unwind_cache: $(UNWIND_WORKLOADS)
$(BUILD)/tests/test_unwind $(BUILD)/tests/test_unwind_cache: private CFLAGS += -DWORKLOADS='"$(BUILD)/workloads"'

$(BUILD)/tests/test_symbolize $(BUILD)/tests/test_hostile: $(FIXTURES)
$(BUILD)/tests/test_symbolize $(BUILD)/tests/test_hostile: private CFLAGS += -DFIXTURES='"$(FIX)"'

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

# like run: the packages first (on a fresh machine), then build and test
test: deps
	$(MAKE) test-run

test-run: all $(UNIT_BINS) $(WORKLOADS) $(UNWIND_WORKLOADS) $(FIXTURES) $(REGRESS)
	BUILD=$(BUILD) tests/run.sh

# ASan+UBSan: everything rebuilt in its own tree, then the same tests.
asan:
	$(MAKE) BUILD=build-asan CC=clang \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# --- fuzzing: libFuzzer targets for every parser, and their corpus replay -----
# fuzz_readers: the folded and perf-script readers and the format detection;
# fuzz_stream: the streaming reader, chunked anywhere, against a whole read;
# fuzz_keymap: the keys-file parser; fuzz_timeline: the saved-history reader;
# fuzz_jitmap: the JIT perf-map reader, its file growing as a JIT writes it;
# fuzz_pprof: the pprof reader (gzipped or raw), its writer on what it read;
# fuzz_unwind_cache: the unwind-table cache's entry reader, its writer;
# fuzz_ehframe: the symbolizer's .eh_frame reader;
# fuzz_dwindex: the DWARF index's entry reader, and lookups in what it read;
# fuzz_kbtf: the small kernel BTF's entry reader, and libbpf's BTF parse behind it.
# A target's corpus is tests/fuzz/TARGET-corpus, or tests/fuzz/corpus.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE
KEYMAP_FUZZ_SRCS := $(KEYMAP_SRCS) $(BUILD)/keymaps/builtin_keys.c
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PROFILE_SRCS) $(PROTO_C)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(PROFILE_SRCS) $(PROTO_C) -lz -lprotobuf-c -lpcre2-8
$(BUILD)/fuzz/fuzz_keymap: tests/fuzz/fuzz_keymap.c $(KEYMAP_FUZZ_SRCS) $(PROFILE_SRCS) $(PROTO_C)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(KEYMAP_FUZZ_SRCS) $(PROFILE_SRCS) $(PROTO_C) \
		-lz -lprotobuf-c -lpcre2-8

# the JIT perf-map reader, and what it uses of sampler/
JITMAP_FUZZ_SRCS := sampler/jitmap.c sampler/procmaps.c sampler/ehframe.c
$(BUILD)/fuzz/fuzz_jitmap: tests/fuzz/fuzz_jitmap.c $(JITMAP_FUZZ_SRCS) $(PROFILE_SRCS) $(PROTO_C)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(JITMAP_FUZZ_SRCS) $(PROFILE_SRCS) $(PROTO_C) \
		-lelf -lz -lprotobuf-c -lpcre2-8

# the unwind-table cache's entries
UCACHE_FUZZ_SRCS := sampler/unwind_cache.c sampler/filecache.c sampler/unwind_rows.c sampler/procmaps.c sampler/ehframe.c util/vec.c \
                    util/readall.c
$(BUILD)/fuzz/fuzz_unwind_cache: tests/fuzz/fuzz_unwind_cache.c $(UCACHE_FUZZ_SRCS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(UCACHE_FUZZ_SRCS) -ldw -lelf -lcrypto

# the symbolizer's .eh_frame reader
$(BUILD)/fuzz/fuzz_ehframe: tests/fuzz/fuzz_ehframe.c sampler/ehframe.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< sampler/ehframe.c -lelf

# the DWARF index's entries
DWINDEX_FUZZ_SRCS := sampler/dwindex.c sampler/dwarfinfo.c sampler/filecache.c util/vec.c util/readall.c
$(BUILD)/fuzz/fuzz_dwindex: tests/fuzz/fuzz_dwindex.c $(DWINDEX_FUZZ_SRCS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(DWINDEX_FUZZ_SRCS) -ldw -lelf -lcrypto

# the small kernel BTF's entries
KBTF_FUZZ_SRCS := sampler/kbtf.c sampler/filecache.c util/vec.c util/readall.c
$(BUILD)/fuzz/fuzz_kbtf: tests/fuzz/fuzz_kbtf.c $(KBTF_FUZZ_SRCS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -I$(BUILD) -o $@ $< $(KBTF_FUZZ_SRCS) -lbpf -lelf -lz -lcrypto

REGRESS_SAMPLER := $(BUILD)/sampler/kbtf.o $(BUILD)/sampler/dwindex.o $(BUILD)/sampler/dwarfinfo.o $(BUILD)/sampler/filecache.o $(BUILD)/sampler/jitmap.o $(BUILD)/sampler/procmaps.o $(BUILD)/sampler/unwind_cache.o \
                   $(BUILD)/sampler/unwind_rows.o $(BUILD)/sampler/ehframe.o
$(BUILD)/fuzz/regress_%: tests/fuzz/regress.c tests/fuzz/fuzz_%.c $(PROFILE_OBJS) $(KEYMAP_OBJS) \
		$(REGRESS_SAMPLER)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DFUZZ_TARGET='"fuzz_$*.c"' $(LDFLAGS) -o $@ tests/fuzz/regress.c \
		$(PROFILE_OBJS) $(KEYMAP_OBJS) $(REGRESS_SAMPLER) $(LDLIBS)
$(BUILD)/fuzz/regress: $(BUILD)/fuzz/regress_readers
	cp $< $@

# make fuzz: each target for FUZZ_SECONDS (180), its corpus in tests/fuzz/
fuzz: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do \
		c=tests/fuzz/$$t-corpus; [ -d $$c ] || c=tests/fuzz/corpus; \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$${FUZZ_SECONDS:-180} -max_len=4096 \
			$(BUILD)/fuzz/corpus-$$t $$c || exit 1; \
	done

# --- benchmarks -----------------------------------------------------------------
bench: all $(WORKLOADS) $(UNWIND_WORKLOADS) $(BUILD)/bench/bench_model $(BUILD)/bench/bench_tui \
		$(BUILD)/bench/bench_unwind $(BUILD)/bench/bench_symbolize
	BUILD=$(BUILD) tests/bench/run.sh

$(BUILD)/bench/bench_model: tests/bench/bench_model.c $(PROFILE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/bench_unwind: tests/bench/bench_unwind.c $(BUILD)/sampler/unwind_rows.o \
		$(BUILD)/sampler/procmaps.o $(BUILD)/util/vec.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the symbolizer alone (tests/bench/run.sh also builds it against older sources)
SYMBOLIZE_SRCS := sampler/symbolize.c sampler/symfuncs.c sampler/symkernel.c sampler/dwarfinfo.c \
                  sampler/ehframe.c sampler/dwindex.c sampler/elfdwarf.c sampler/filecache.c \
                  sampler/elffile.c sampler/procmaps.c sampler/debugfile.c \
                  sampler/ksyms.c sampler/jitmap.c sampler/fetcher.c profile/strtab.c \
                  sampler/symmodules.c profile/textsafe.c util/vec.c util/readall.c
$(BUILD)/bench/bench_symbolize: tests/bench/bench_symbolize.c $(SYMBOLIZE_SRCS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

$(BUILD)/bench/bench_tui: tests/bench/bench_tui.c $(PROFILE_OBJS) $(SAMPLER_OBJS) $(APP_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

# --- set-up and running -----------------------------------------------------------
deps:
	@missing=$$(for p in $(BUILD_DEPS) $(TEST_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing packages: $$missing (run 'make deps' as root)"; exit 1; \
		fi; \
	fi

run: deps
	$(MAKE) all
	@if [ -t 0 ] && [ -t 1 ]; then $(BUILD)/flametop; \
	else $(BUILD)/flametop record -a -d $${SECS:-5} -o $(BUILD)/run.folded && \
	     $(BUILD)/flametop report $(BUILD)/run.folded; fi

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
