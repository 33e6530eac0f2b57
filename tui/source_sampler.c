// SPDX-License-Identifier: MIT
/* The sampler as a source: the command line's target, sampled in the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

struct sampler_source {
	struct source base;
	struct sampler *sampler;
	struct drain_to {
		source_add_fn add;
		void *ctx;
		int64_t sec;
	} to;
};

static struct sampler_source *of(const struct source *s)
{
	return (struct sampler_source *)s;
}

static int fd(const struct source *s)
{
	return sampler__fd(of(s)->sampler);
}

static void poll_(struct source *s)
{
	sampler__poll(of(s)->sampler);
}

static int settle(struct source *s, int ms)
{
	return sampler__settle(of(s)->sampler, ms);
}

static int add_stack(void *ctx, enum sample_event event, const struct who *who,
		     const uint32_t *frames, size_t n, uint64_t count)
{
	const struct drain_to *to = ctx;

	return to->add(to->ctx, to->sec, event, who, frames, n, count);
}

static int drain(struct source *s, int64_t sec, source_add_fn add, void *ctx)
{
	struct sampler_source *ss = of(s);

	ss->to = (struct drain_to){ add, ctx, sec };
	return sampler__drain(ss->sampler, add_stack, &ss->to);
}

static void stats(const struct source *s, struct sampler_stats *st)
{
	sampler__stats(of(s)->sampler, st);
}

static bool alive(const struct source *s)
{
	return sampler__target_alive(of(s)->sampler);
}

static void finish(struct source *s, int ms)
{
	sampler__wait_names(of(s)->sampler, ms);
}

static bool where(const struct source *s, uint32_t name, const char **file, uint32_t *line)
{
	return sampler__where(of(s)->sampler, name, file, line);
}

static bool module(const struct source *s, uint32_t name, const char **path,
		   const char **build_id)
{
	return sampler__module(of(s)->sampler, name, path, build_id);
}

static void free_(struct source *s)
{
	sampler__free(of(s)->sampler);
	free(s);
}

static const struct source_ops sampler_ops = {
	.fd = fd, .poll = poll_, .settle = settle, .drain = drain, .stats = stats, .alive = alive,
	.free = free_, .finish = finish, .where = where,
	.module = module,
};

static void describe(struct source_info *in, const struct options *o)
{
	if (o->target == TARGET_PIDS) {
		int n = snprintf(in->label, sizeof(in->label), "pid %d", (int)o->pids[0]);

		for (size_t i = 1; i < o->npids && n > 0 && (size_t)n < sizeof(in->label); i++)
			n += snprintf(in->label + n, sizeof(in->label) - (size_t)n, ",%d",
				      (int)o->pids[i]);
		snprintf(in->target, sizeof(in->target), "pid%d%s", (int)o->pids[0],
			 o->npids > 1 ? "-more" : "");
		snprintf(in->gone_msg, sizeof(in->gone_msg), "TARGET EXITED");
	} else if (o->target == TARGET_CGROUP) {
		const char *base = strrchr(o->cgroup, '/');

		snprintf(in->label, sizeof(in->label), "cgroup %s", o->cgroup);
		snprintf(in->target, sizeof(in->target), "%s",
			 base && base[1] ? base + 1 : o->cgroup);
		snprintf(in->gone_msg, sizeof(in->gone_msg), "CGROUP REMOVED");
	} else {
		snprintf(in->label, sizeof(in->label), "all CPUs");
		snprintf(in->target, sizeof(in->target), "host");
	}
	in->hz = o->freq;
	in->realtime = true;
}

struct source *source__sampler(const struct options *o, struct strtab *names, char *err,
			       size_t size)
{
	struct sampler_source *ss = calloc(1, sizeof(*ss));
	struct sampler_opts so;

	if (!ss) {
		snprintf(err, size, "out of memory");
		return NULL;
	}
	options__sampler(o, &so);
	ss->base.ops = &sampler_ops;
	describe(&ss->base.info, o);
	ss->sampler = sampler__new(&so, names, err, size);
	if (!ss->sampler) {
		free(ss);
		return NULL;
	}
	return &ss->base;
}
