// SPDX-License-Identifier: MIT
/*
 * Symbolization cost (issue 14): per new binary (the first process of a
 * file: open it, index its symbols, read its unwind entries for functions
 * without a symbol) and per new process (another process of a file already
 * open: its maps, then the same addresses).  The addresses are those of
 * Debian's python3.11 at N points spread over its code, as a profile of it
 * meets them.  Built against today's sampler/, and by `make bench` against
 * the sources before issue 14 too, so the two compare on the same host.
 *
 *   bench_symbolize [BINARY [N]]    (default /usr/bin/python3, 20000)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "../../sampler/symbolize.h"

static pid_t spawn_sleeper(const char *bin)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* python3 sleeps; any other binary: stopped before it runs */
		if (strstr(bin, "python"))
			execl(bin, bin, "-c", "import time; time.sleep(60)", (char *)NULL);
		raise(SIGSTOP);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	return pid;
}

/* The executable mapping of bin in pid's maps: its start and end. */
static int text_of(pid_t pid, const char *bin, unsigned long long *lo, unsigned long long *hi)
{
	char path[64], line[4096], real[4096];
	FILE *f;
	int found = 0;

	if (!realpath(bin, real))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " r-xp ") && strstr(line, real) &&
		    sscanf(line, "%llx-%llx", lo, hi) == 2) {
			found = 1;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

/* ms to add pid and resolve n addresses over its text; *named: how many had a name. */
static double resolve(struct symbolizer *s, pid_t pid, const char *bin, size_t n, size_t *named,
		      struct strtab *st)
{
	unsigned long long lo, hi;
	struct procmaps maps;
	double t0 = now();
	uint32_t ids[8];

	*named = 0;
	if (procmaps__read(pid, &maps))
		return -1;
	symbolizer__add_process(s, pid, 1, &maps);
	procmaps__free(&maps);
	if (!text_of(pid, bin, &lo, &hi))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = lo + (hi - lo) * i / n;

		symbolizer__user_frames(s, pid, 1, a, ids, 8);
		*named += strtab__str(st, ids[0])[0] != '[' || strchr(strtab__str(st, ids[0]), '+');
	}
	return (now() - t0) * 1000;
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "/usr/bin/python3";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000, named1, named2;
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, &(struct symbolizer_opts){ .no_inline = true });
	pid_t a = spawn_sleeper(bin), b = spawn_sleeper(bin);
	double first = resolve(s, a, bin, n, &named1, st), second = resolve(s, b, bin, n, &named2, st);

	printf("symbolize %s, %zu addresses over its code: new binary %.1f ms (%zu told apart), "
	       "new process of it %.1f ms (%.2f us an address); %u distinct names\n", bin, n,
	       first, named1, second, second * 1000 / (double)n, strtab__count(st));
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	symbolizer__free(s);
	strtab__free(st);
	return first < 0 || second < 0;
}
