/* SPDX-License-Identifier: MIT */
/*
 * Running the symtarget fixtures for the tests: each prints "ADDR NAME"
 * lines for its functions, then "done", then waits to be killed.
 */
#ifndef FLAMETOP_TEST_SPAWN_H
#define FLAMETOP_TEST_SPAWN_H

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

struct target {
	pid_t pid;
	size_t n;
	unsigned long long addr[8];
	char name[8][64];
};

static inline void spawn(const char *path, struct target *t)
{
	int fds[2];
	FILE *f;
	char line[256];

	memset(t, 0, sizeof(*t));
	assert_int_equal(pipe(fds), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		/* a failed assertion skips reap(): die with the test, never outlive it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (fgets(line, sizeof(line), f) && strncmp(line, "done", 4)) {
		line[strcspn(line, "\n")] = '\0';
		if (t->n < 8 && sscanf(line, "%llx %63[^\n]", &t->addr[t->n], t->name[t->n]) == 2)
			t->n++;
	}
	fclose(f);
	assert_true(t->n > 0);
}

static inline void reap(struct target *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
}

/* A child chrooted into dir, waiting to be killed (dies with us). */
static inline pid_t chrooted_child(const char *dir)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (chroot(dir) || chdir("/"))
			_exit(1);
		pause();
		_exit(0);
	}
	/* until it is in there: its root is no longer ours */
	for (int i = 0; i < 200; i++) {
		char link[64], root[4096];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
		n = readlink(link, root, sizeof(root) - 1);
		if (n > 0 && !(n == 1 && root[0] == '/'))
			break;
		usleep(10000);
	}
	return pid;
}

#endif
