// SPDX-License-Identifier: MIT
/*
 * flametop record: sample for -d SECS (or until Ctrl-C, or until every
 * target process has exited), draining once a second, then write folded —
 * or, with --timeline, the history second by second (timeline.h).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../profile/folded.h"
#include "../profile/history.h"
#include "../profile/snapshot.h"
#include "../profile/textsafe.h"
#include "../profile/timeline.h"
#include "../util/atomic.h"
#include "../util/vec.h"
#include "commands.h"
#include "export.h"
#include "push.h"
#include "source.h"

/* At the end, how long the windows --push has not sent yet are waited for */
#define PUSH_WAIT_MS 10000
/* At the end, how long names still being fetched (debuginfod) are waited for */
#define RECORD_NAMES_WAIT_MS 3000

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

/* Where the samples go: one tree, or a history of seconds (--timeline). */
struct sink {
	struct calltree *tree;
	struct history *history;
	struct strtab *names;
	enum group_by group;
	uint32_t *stack;	/* the root frames of the grouping, then the stack's */
	size_t cap;
	int64_t first, last;	/* the seconds drained; last INT64_MIN before the first */
	struct push *push;	/* --push: each window to Pyroscope; NULL: none */
	bool offcpu, cpu;	/* --event: the tree counts microseconds (off-CPU, or wall) */
	uint32_t hz;
};

/*
 * What a count adds to the tree: samples as they are; with off-CPU time,
 * microseconds (as offcputime -f counts them), a sample being 1/Hz of
 * CPU time, so that a thread's times add up to wall time.
 */
static uint64_t sink_value(const struct sink *k, enum sample_event event, uint64_t v)
{
	if (event == EVENT_OFFCPU)
		return (v + 500) / 1000;
	if (!k->offcpu)
		return v;
	return v * 1000000 / (k->hz ? k->hz : 99);
}

static int add_stack(void *ctx, int64_t sec, enum sample_event event, const struct who *who,
		     const uint32_t *frames, size_t n, uint64_t count)
{
	struct sink *k = ctx;
	int root = 0, err;

	count = sink_value(k, event, count);
	if (!count)
		return 0;
	if (vec_reserve(k->stack, k->cap, n + 2, 256))
		return -ENOMEM;
	/* a tree (and --push) keeps who ran it whole (pprof's labels), grouped when written */
	if (who && (k->push || !k->history)) {
		if (who__intern(k->names, who, k->stack))
			return -ENOMEM;
		if (n)
			memcpy(k->stack + 1, frames, n * sizeof(*frames));
		err = push__add(k->push, sec, k->stack, n + 1, count);
		if (err || !k->history)
			return err ? err : calltree__add_stack(k->tree, k->stack, n + 1, count);
	}
	if (who)
		root = who__frames(k->names, who, k->group, k->stack);
	if (root < 0)
		return root;
	if (n)
		memcpy(k->stack + root, frames, n * sizeof(*frames));
	if (!k->history)
		return calltree__add_stack(k->tree, k->stack, n + (size_t)root, count);
	return history__add(k->history, sec, k->stack, n + (size_t)root, count);
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Drains what was sampled up to now as second sec (monotonic, whatever the clock does). */
static int drain(struct source *src, struct sink *k, int64_t sec)
{
	int err;

	if (k->last != INT64_MIN && sec < k->last)
		sec = k->last;
	err = source__drain(src, sec, add_stack, k);
	/* an empty second is a second of the history too: it ends at sec */
	if (err >= 0 && k->history)
		err = history__add(k->history, sec, NULL, 0, 0);
	if (err < 0)
		return err;
	push__tick(k->push, sec);
	if (k->last == INT64_MIN)
		k->first = sec;
	k->last = sec;
	return 0;
}

/*
 * Until -d is over: drains on each whole wall-clock second (as the live
 * view does), what was sampled since being the second that just ended.
 */
static int sample(const struct options *o, struct source *src, struct sink *k)
{
	double end = now() + o->duration;
	int64_t next = (int64_t)wall() + 1;
	int err;

	while (!stop) {
		double t_now = now(), to_drain = (double)next - wall();
		double wait = to_drain < end - t_now ? to_drain : end - t_now;
		struct pollfd pfd = { .fd = source__fd(src), .events = POLLIN };
		int timeout = (int)(wait * 1000) + 1;

		if (t_now >= end)
			break;
		if (poll(&pfd, 1, timeout > 0 ? timeout : 0) < 0 && errno != EINTR)
			return -errno;
		source__poll(src);
		if (wall() >= (double)next) {
			err = drain(src, k, next - 1);
			if (err)
				return err;
			next = (int64_t)wall() + 1;
			if (!source__alive(src)) {
				fprintf(stderr, "flametop: the target processes have exited\n");
				break;
			}
		}
	}
	/*
	 * names debuginfod is still fetching: a few seconds (none after Ctrl-C),
	 * then what there is.  What was sampled since the last drain is drained
	 * first, so its frames ask for their names before the wait, not after
	 * it (a 1 s record whose only drain came before any sample asked nothing)
	 */
	if (!stop) {
		err = drain(src, k, (int64_t)wall());
		if (err)
			return err;
		source__finish(src, RECORD_NAMES_WAIT_MS);
	}
	return drain(src, k, (int64_t)wall());
}

/* Frames whose names arrived late (debuginfod) go by them: renamed ones merge. */
static int rename_frames(struct sink *k)
{
	struct calltree *t;

	if (k->history)
		return history__rename(k->history);
	if (!strtab__renames(calltree__names(k->tree)))
		return 0;
	t = calltree__renamed(k->tree);
	if (!t)
		return -ENOMEM;
	calltree__free(k->tree);
	k->tree = t;
	return 0;
}

/* The file's contents: the profile in the format asked for, or the saved history. */
static int write_out(FILE *f, const struct options *o, struct source *src, const struct sink *k,
		     double started)
{
	struct timeline_info ti = { .hz = src->info.hz, .from = k->first, .to = k->last };

	if (o->ev_offcpu)
		snprintf(ti.event, sizeof(ti.event), "%s", o->ev_cpu ? "wall" : "offcpu");
	struct export_meta m = {
		.vt = { .unit = o->ev_offcpu ? UNIT_MICROSECONDS : UNIT_SAMPLES },
		.hz = src->info.hz, .time_nanos = (int64_t)(started * 1e9),
		.duration_nanos = (int64_t)(o->duration * 1e9), .title = src->info.label,
		.labels = true, .group = o->group, .lines = o->lines, .origin = export__origin,
		.origin_ctx = src,
	};
	int64_t first, last;

	if (o->ev_offcpu)
		snprintf(m.vt.name, sizeof(m.vt.name), "%s", o->ev_cpu ? "wall" : "offcpu");
	if (!k->history)
		return export__write(f, o->format, k->tree, CT_ROOT, &m);
	/* a clock that jumped ahead (or -d over a week): what the history retains */
	if (history__span(k->history, &first, &last) && first > ti.from)
		ti.from = first;
	snapshot__sanitize(src->info.target, ti.target, sizeof(ti.target));
	return timeline__write(f, k->history, &ti);
}

/* What kept frames from their names: files that changed or were too big, debuginfod. */
static void print_names_summary(const struct symbolizer_stats *y)
{
	const struct fetcher_stats *f = &y->fetch;

	if (y->files_changed)
		fprintf(stderr, "; %lu file%s changed while read (frames named by module)",
			y->files_changed, y->files_changed == 1 ? "" : "s");
	if (y->files_refused)
		fprintf(stderr, "; %lu file%s with symbol tables over the bounds (frames named by "
			"module)", y->files_refused, y->files_refused == 1 ? "" : "s");
	if (f->unreachable)
		fprintf(stderr, "; debuginfod unreachable (%s): frames stay [module+0x...]", f->error);
	else if (f->asked)
		fprintf(stderr, "; debuginfod: %lu of %lu file%s found, %lu frame%s renamed",
			f->found, f->asked, f->asked == 1 ? "" : "s", y->renamed,
			y->renamed == 1 ? "" : "s");
	if (!f->unreachable && f->pending)
		fprintf(stderr, " (%zu still fetching after %d s: frames stay [module+0x...])",
			f->pending, RECORD_NAMES_WAIT_MS / 1000);
	if (y->dwarf_cached || y->dwarf_opened)
		fprintf(stderr, "; DWARF indexes %lu from the cache, %lu read%s", y->dwarf_cached,
			y->dwarf_opened, y->dwarf_refused ? " (cache: entries refused)" : "");
}

/* What --push delivered. */
/* The tables: how many, their rows, what the cache gave and what was built. */
static void print_unwind_summary(const struct sampler_stats *st)
{
	const struct unwind_cache_stats *c = &st->unwind_cache;

	fprintf(stderr, "; unwind tables %zu (%zu of %zu rows; %zu from the cache, %zu built; %.2f s)",
		st->unwind_tables, st->unwind_rows, st->unwind_rows_cap, c->loaded,
		st->unwind_built, st->unwind_build_seconds);
	if (c->refused || c->evicted)
		fprintf(stderr, " (cache: %zu entries refused, %zu evicted)", c->refused, c->evicted);
	if (*st->unwind_cache_off) {
		fputs(" (no cache: ", stderr);
		textsafe__fputs(stderr, st->unwind_cache_off);
		fputc(')', stderr);
	}
}

static void print_push_summary(const struct push_stats *p)
{
	fprintf(stderr, "; push: %llu of %llu window%s sent", (unsigned long long)p->sent,
		(unsigned long long)p->windows, p->windows == 1 ? "" : "s");
	if (p->dropped)
		fprintf(stderr, ", %llu dropped", (unsigned long long)p->dropped);
	if (p->retries)
		fprintf(stderr, ", %llu retried", (unsigned long long)p->retries);
	if (p->last_error[0] && p->sent < p->windows)
		textsafe__fprintf(stderr, " (%s)", p->last_error);
}

/* Off-CPU: the time, the blocks it came from, what was lost, the switch program's cost. */
static void print_offcpu(const struct options *o, const struct sampler_stats *st, uint64_t us)
{
	char v[32];

	fprintf(stderr, "flametop: %s %s (%llu blocks", units__format(v, sizeof(v), us,
		UNIT_MICROSECONDS), o->ev_cpu ? "of wall time" : "blocked",
		(unsigned long long)st->offcpu_blocks);
	if (st->offcpu_lost || st->offcpu_stacks_lost)
		fprintf(stderr, "; %llu lost: too many threads blocked at once; %llu stacks lost",
			(unsigned long long)st->offcpu_lost,
			(unsigned long long)st->offcpu_stacks_lost);
	fputc(')', stderr);
	if (st->offcpu_bpf_run_cnt)
		fprintf(stderr, "; bpf switch %llu runs, %llu ns",
			(unsigned long long)st->offcpu_bpf_run_cnt,
			(unsigned long long)st->offcpu_bpf_run_ns);
}

static void print_summary(const struct options *o, const struct sampler_stats *st,
			  uint64_t samples, bool to_stdout, const struct push_stats *push)
{
	if (o->ev_offcpu)
		print_offcpu(o, st, samples);
	else
		fprintf(stderr, "flametop: %llu samples", (unsigned long long)samples);
	if (st->lost || st->stacks_lost || st->truncated || st->stack_errors)
		fprintf(stderr, " (%llu lost: count map full; %llu stacks lost: stack map full; "
			"%llu truncated; %llu stack errors)", (unsigned long long)st->lost,
			(unsigned long long)st->stacks_lost, (unsigned long long)st->truncated,
			(unsigned long long)st->stack_errors);
	if (st->bpf_run_cnt)
		fprintf(stderr, "; bpf %llu runs, %llu ns", (unsigned long long)st->bpf_run_cnt,
			(unsigned long long)st->bpf_run_ns);
	if (st->unwind_rows_cap)
		print_unwind_summary(st);
	print_names_summary(&st->sym);
	if (push)
		print_push_summary(push);
	fputs(" -> ", stderr);
	textsafe__fputs(stderr, to_stdout ? "<stdout>" : o->output);
	fputc('\n', stderr);
}

/* A tree, or with --timeline a history holding every second of -d (at most seven days). */
static int make_sink(const struct options *o, struct strtab *names, struct sink *k)
{
	double secs = ceil(o->duration) + 2;

	*k = (struct sink){ .last = INT64_MIN, .names = names, .group = o->group,
			    .offcpu = o->ev_offcpu, .cpu = o->ev_cpu, .hz = o->freq };
	if (!o->timeline)
		k->tree = calltree__new(names);
	else
		k->history = history__new(names, secs < TIMELINE_SPAN_MAX ? (uint32_t)secs
									  : TIMELINE_SPAN_MAX);
	return k->tree || k->history ? 0 : -ENOMEM;
}

static uint64_t sink_samples(const struct sink *k)
{
	int64_t t0, t1;
	uint64_t n = 0;

	if (!k->history)
		return calltree__samples(k->tree);
	if (history__span(k->history, &t0, &t1))
		for (int64_t s = t0; s <= t1; s++) {
			uint64_t r;

			history__rate(k->history, s, &r, 1);
			n += r;
		}
	return n;
}

/*
 * Fails before sampling if the output cannot be created; says why.  A
 * signal meanwhile interrupts the wait for a FIFO's reader.
 */
static int open_output(const struct options *o, struct atomic_file *af)
{
	int e = atomic__open(af, o->output, ATOMIC_DIRECT_OK);

	if (!e)
		return 0;
	if (stop)
		return die("interrupted before sampling started; nothing written");
	if (e == -ELOOP)
		return die("%s is a symlink: name its target, or '-' for standard output",
			   o->output);
	return die("cannot create %s: %s", o->output, strerror(-e));
}

/* --push: a sender for the windows, from the options; 1 after saying why not. */
static int start_push(const struct options *o, struct source *src, struct sink *k)
{
	struct push_opts po = {
		.url = o->push_url, .app = o->push_app, .target = src->info.target,
		.tenant = o->tenant, .token_file = o->push_token_file,
		.auth_file = o->push_auth_file, .hz = src->info.hz, .lines = o->lines,
		.origin = export__origin,
		.origin_ctx = src,
	};
	char err[256];

	k->push = push__new(&po, k->names, err, sizeof(err));
	return k->push ? 0 : die("--push: %s", err);
}

int cmd_record(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct atomic_file af = ATOMIC_FILE_INIT;
	bool to_stdout = strcmp(o->output, "-") == 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct sink k = { 0 };
	struct sampler_stats st;
	struct source *src = NULL;
	char err[2048] = "";
	struct push_stats ps = { 0 };
	double started;
	int ret = 1, e;

	/*
	 * From the start: a signal during set-up must not kill us with a
	 * temporary open.  Not restarted while the output opens (a FIFO
	 * waiting for its reader must give way to Ctrl-C); restarted after,
	 * so that no system call of the set-up fails with EINTR.
	 */
	catch_signals(&sa);
	if (!names || make_sink(o, names, &k)) {
		die("out of memory");
		goto cleanup;
	}
	if (!to_stdout && open_output(o, &af))
		goto cleanup;
	sa.sa_flags = SA_RESTART;
	catch_signals(&sa);
	src = source__sampler(o, names, err, sizeof(err));
	if (!src) {
		die("%s", err);
		goto cleanup;
	}
	if (o->push_url && start_push(o, src, &k)) {
		goto cleanup;
	}
	if (stop) {
		die("interrupted before sampling started; nothing written");
		goto cleanup;
	}
	/* the running processes' unwind tables before the clock starts */
	e = source__settle(src, 200);
	started = wall();
	if (!e)
		e = sample(o, src, &k);
	if (!e)
		e = rename_frames(&k);
	if (e) {
		die("sampling failed: %s", strerror(-e));
		goto cleanup;
	}
	source__stats(src, &st);
	e = write_out(to_stdout ? stdout : af.f, o, src, &k, started);
	if (!e)
		e = to_stdout ? (fflush(stdout) ? -errno : 0) : atomic__commit(&af);
	if (e) {
		die("cannot write %s: %s", o->output, strerror(-e));
		goto cleanup;
	}
	if (k.push) {
		/* the last window, however short; then a while for the queue to go */
		push__flush(k.push);
		push__free(k.push, PUSH_WAIT_MS, &ps);
		k.push = NULL;
	}
	print_summary(o, &st, sink_samples(&k), to_stdout, o->push_url ? &ps : NULL);
	ret = 0;
cleanup:
	if (!to_stdout)
		atomic__abort(&af);
	push__free(k.push, 0, NULL);
	source__free(src);
	history__free(k.history);
	calltree__free(k.tree);
	free(k.stack);
	strtab__free(names);
	return ret;
}
