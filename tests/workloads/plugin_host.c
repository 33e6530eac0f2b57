// SPDX-License-Identifier: MIT
/*
 * A process that loads its work with dlopen() after it started, so the
 * library's mapping is new to a profiler that already knows the process:
 *
 *   plugin_host LIBRARY [-s SECONDS] [-l LOAD_AFTER_SECS] [-c CLOSE_AFTER_SECS] [-d DEPTH]
 *               [-t TRUNCATE_AFTER_SECS]
 *
 * Until the library is loaded (and after -c closes it) it spins in
 * host_idle; with it, main -> run_plugin -> plugin_work -> plugin_leaf.
 * -d recurses DEPTH times in host_recurse first (deep stacks).
 * -t truncates the library's file to the end of its loaded segments (its
 * code keeps running; its symbol table and debug info are cut off) and
 * runs plugin_after from then on: what a hostile user does to a profiler
 * that has the file mapped.
 * Prints "ready <pid>" once running.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void host_idle(void)
{
	for (unsigned long i = 0; i < 2000000; i++)
		sink = sink * 31 + i;
}

__attribute__((noinline)) void run_plugin(void (*work)(unsigned))
{
	work(3);
	sink++;
}

__attribute__((noinline)) void host_recurse(int depth, void (*work)(unsigned))
{
	if (depth > 0)
		host_recurse(depth - 1, work);
	else if (work)
		run_plugin(work);
	else
		host_idle();
	sink++;
}

/* Cuts path down to the end of its PT_LOAD segments' file bytes. */
static int truncate_to_loaded(const char *path)
{
	int fd = open(path, O_RDWR);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	off_t end = 0;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return -1;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize)) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type == PT_LOAD && (off_t)(ph.p_offset + ph.p_filesz) > end)
			end = (off_t)(ph.p_offset + ph.p_filesz);
	}
	if (!end || ftruncate(fd, end))
		return -1;
	return close(fd);
}

int main(int argc, char **argv)
{
	double seconds = 10, load_after = 0.5, close_after = -1, trunc_after = -1, start = now();
	int c, depth = 0;
	void *lib = NULL;
	void (*work)(unsigned) = NULL;

	if (argc < 2)
		return 2;
	while ((c = getopt(argc - 1, argv + 1, "s:l:c:d:t:")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'l': load_after = atof(optarg); break;
		case 'c': close_after = atof(optarg); break;
		case 'd': depth = atoi(optarg); break;
		case 't': trunc_after = atof(optarg); break;
		default: return 2;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (now() - start < seconds) {
		if (!lib && (close_after < 0 || now() - start < close_after) &&
		    now() - start >= load_after) {
			lib = dlopen(argv[1], RTLD_NOW);
			work = lib ? (void (*)(unsigned))dlsym(lib, "plugin_work") : NULL;
			if (!work) {
				fprintf(stderr, "plugin_host: %s\n", dlerror());
				return 1;
			}
		}
		if (lib && close_after >= 0 && now() - start >= close_after) {
			dlclose(lib);
			lib = NULL;
			work = NULL;
		}
		if (lib && trunc_after >= 0 && now() - start >= trunc_after) {
			if (truncate_to_loaded(argv[1])) {
				perror("plugin_host: truncate");
				return 1;
			}
			work = (void (*)(unsigned))dlsym(lib, "plugin_after");
			trunc_after = -1;
			printf("truncated\n");
			fflush(stdout);
		}
		host_recurse(depth, work);
	}
	return 0;
}
