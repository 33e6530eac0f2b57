// SPDX-License-Identifier: MIT
/*
 * flametop record: sample for -d SECS (or until Ctrl-C, or until every
 * target process has exited), draining once a second, then write folded.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/atomic.h"
#include "../profile/folded.h"
#include "../profile/textsafe.h"
#include "../sampler/sampler.h"
#include "commands.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(const struct sigaction *sa)
{
	sigaction(SIGINT, sa, NULL);
	sigaction(SIGTERM, sa, NULL);
	sigaction(SIGHUP, sa, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_stack(void *ctx, const uint32_t *frames, size_t n, uint64_t count)
{
	return calltree__add_stack(ctx, frames, n, count);
}

void sampler_opts_from(const struct options *o, struct sampler_opts *so)
{
	*so = (struct sampler_opts){
		.target = o->target == TARGET_PIDS ? SAMPLE_PIDS :
			  o->target == TARGET_CGROUP ? SAMPLE_CGROUP : SAMPLE_ALL,
		.pids = o->pids,
		.npids = o->npids,
		.cgroup = o->cgroup,
		.freq = o->freq,
		.user = o->stacks != STACKS_KERNEL,
		.kernel = o->stacks != STACKS_USER,
		.unwind = (enum sampler_unwind)o->unwind,
		.no_inline = o->no_inline,
	};
}

static int sample(const struct options *o, struct sampler *s, struct calltree *t)
{
	double end = now() + o->duration, next_drain = now() + 1.0;
	int err;

	while (!stop) {
		double t_now = now(), wake = next_drain < end ? next_drain : end;
		struct pollfd pfd = { .fd = sampler__fd(s), .events = POLLIN };
		int timeout = (int)((wake - t_now) * 1000) + 1;

		if (t_now >= end)
			break;
		if (poll(&pfd, 1, timeout > 0 ? timeout : 0) < 0 && errno != EINTR)
			return -errno;
		sampler__poll(s);
		if (now() >= next_drain) {
			err = sampler__drain(s, add_stack, t);
			if (err)
				return err;
			next_drain += 1.0;
			if (!sampler__target_alive(s)) {
				fprintf(stderr, "flametop: the target processes have exited\n");
				break;
			}
		}
	}
	return sampler__drain(s, add_stack, t);
}

int cmd_record(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	struct atomic_file af = ATOMIC_FILE_INIT;
	bool to_stdout = strcmp(o->output, "-") == 0;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sampler_opts so;
	struct sampler_stats st;
	struct sampler *s = NULL;
	char err[512] = "";
	int ret = 1, e;

	/*
	 * From the start: a signal during set-up must not kill us with a
	 * temporary open.  Not restarted while the output opens (a FIFO
	 * waiting for its reader must give way to Ctrl-C); restarted after,
	 * so that no system call of the set-up fails with EINTR.
	 */
	sa.sa_flags = 0;
	catch_signals(&sa);
	if (!names || !t) {
		die("out of memory");
		goto cleanup;
	}
	/* fail before sampling if the output cannot be created */
	if (!to_stdout && (e = atomic__open(&af, o->output, ATOMIC_DIRECT_OK))) {
		if (stop)
			die("interrupted before sampling started; nothing written");
		else if (e == -ELOOP)
			die("%s is a symlink: name its target, or '-' for standard output", o->output);
		else
			die("cannot create %s: %s", o->output, strerror(-e));
		goto cleanup;
	}
	sa.sa_flags = SA_RESTART;
	catch_signals(&sa);
	sampler_opts_from(o, &so);
	s = sampler__new(&so, names, err, sizeof(err));
	if (!s) {
		die("%s", err);
		goto cleanup;
	}
	if (stop) {
		die("interrupted before sampling started; nothing written");
		goto cleanup;
	}
	/* the running processes' unwind tables before the clock starts */
	e = sampler__settle(s, 200);
	if (!e)
		e = sample(o, s, t);
	if (e) {
		die("sampling failed: %s", strerror(-e));
		goto cleanup;
	}
	sampler__stats(s, &st);
	e = folded__write(to_stdout ? stdout : af.f, t, CT_ROOT);
	if (!e)
		e = to_stdout ? (fflush(stdout) ? -errno : 0) : atomic__commit(&af);
	if (e) {
		die("cannot write %s: %s", o->output, strerror(-e));
		goto cleanup;
	}
	fprintf(stderr, "flametop: %llu samples", (unsigned long long)calltree__samples(t));
	if (st.lost || st.stacks_lost || st.truncated || st.stack_errors)
		fprintf(stderr, " (%llu lost: count map full; %llu stacks lost: stack map full; "
			"%llu truncated; %llu stack errors)", (unsigned long long)st.lost,
			(unsigned long long)st.stacks_lost, (unsigned long long)st.truncated,
			(unsigned long long)st.stack_errors);
	if (st.bpf_run_cnt)
		fprintf(stderr, "; bpf %llu runs, %llu ns", (unsigned long long)st.bpf_run_cnt,
			(unsigned long long)st.bpf_run_ns);
	if (st.unwind_rows_cap)
		fprintf(stderr, "; unwind tables %zu (%zu of %zu rows, built in %.2f s)",
			st.unwind_tables, st.unwind_rows, st.unwind_rows_cap,
			st.unwind_build_seconds);
	if (st.files_changed)
		fprintf(stderr, "; %lu file%s changed while read (frames named by module)",
			st.files_changed, st.files_changed == 1 ? "" : "s");
	if (st.files_refused)
		fprintf(stderr, "; %lu file%s with symbol tables over the bounds (frames named by "
			"module)", st.files_refused, st.files_refused == 1 ? "" : "s");
	fputs(" -> ", stderr);
	textsafe__fputs(stderr, to_stdout ? "<stdout>" : o->output);
	fputc('\n', stderr);
	ret = 0;
cleanup:
	if (!to_stdout)
		atomic__abort(&af);
	sampler__free(s);
	calltree__free(t);
	strtab__free(names);
	return ret;
}
