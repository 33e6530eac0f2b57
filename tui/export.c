// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/folded.h"
#include "../util/atomic.h"
#include "../profile/speedscope.h"
#include "../render/svg.h"
#include "export.h"
#include "source.h"

#ifndef FLAMETOP_VERSION
#define FLAMETOP_VERSION "0.1.0"
#endif

const char *export__suffix(enum out_format fmt)
{
	static const char *const suffix[OUT_COUNT] = { ".folded", ".pb.gz", ".json", ".svg" };

	return fmt < OUT_COUNT ? suffix[fmt] : ".folded";
}

/* Folded text; a first line "# flametop unit=U type=T" when the values are not samples. */
static int write_folded(FILE *f, const struct calltree *t, uint32_t node,
			const struct export_meta *m)
{
	/* SPEC.md: an off-CPU (or wall) profile's event; a pprof file's sample type */
	bool event = !strcmp(m->vt.name, "offcpu") || !strcmp(m->vt.name, "wall");

	if (m->vt.unit != UNIT_SAMPLES &&
	    fprintf(f, "# flametop unit=%s %s=%s\n", units__short(m->vt.unit),
		    event ? "event" : "type", *m->vt.name ? m->vt.name : "value") < 0)
		return -EIO;
	return folded__write(f, t, node);
}

static int write_grouped(FILE *f, enum out_format fmt, const struct calltree *t, uint32_t node,
			 const struct export_meta *m)
{
	const char *title = m->title ? m->title : "flametop";

	switch (fmt) {
	case OUT_SPEEDSCOPE:
		return speedscope__write(f, t, node, m->vt.unit, title, "flametop " FLAMETOP_VERSION);
	case OUT_SVG:
		return svg__write(f, t, node, &(struct svg_opts){ .title = title,
								  .subtitle = m->subtitle,
								  .unit = m->vt.unit });
	default:
		return write_folded(f, t, node, m);
	}
}

/* A microseconds value type as pprof writes it: nanoseconds, the same name. */
static struct value_type ns_of(const struct value_type *vt)
{
	struct value_type ns = *vt;

	ns.unit = UNIT_NANOSECONDS;
	return ns;
}

int export__write(FILE *f, enum out_format fmt, const struct calltree *t, uint32_t node,
		  const struct export_meta *m)
{
	struct calltree *grouped;
	int err;

	if (fmt == OUT_PPROF)
		return pprof__write(f, t, node, &(struct pprof_out){
			/* pprof's time is nanoseconds (as Go writes it) */
			.vt = m->vt.unit == UNIT_MICROSECONDS ? ns_of(&m->vt) : m->vt,
			.scale = m->vt.unit == UNIT_MICROSECONDS ? 1000 : 1,
			.hz = m->hz, .time_nanos = m->time_nanos,
			.duration_nanos = m->duration_nanos, .labels = m->labels, .lines = m->lines,
			.origin = m->origin, .origin_ctx = m->origin_ctx });
	if (!m->labels || node != CT_ROOT)
		return write_grouped(f, fmt, t, node, m);
	/* who ran each stack as the grouping's root frames (labels are of whole trees) */
	grouped = calltree__new(calltree__names(t));
	if (!grouped)
		return -ENOMEM;
	err = who__regroup(grouped, t, m->group, NULL, NULL) < 0 ? -ENOMEM : 0;
	if (!err)
		err = write_grouped(f, fmt, grouped, CT_ROOT, m);
	calltree__free(grouped);
	return err;
}

struct export_out {
	enum out_format fmt;
	const struct calltree *t;
	uint32_t node;
	const struct export_meta *m;
};

static int write_export(FILE *f, void *ctx)
{
	const struct export_out *o = ctx;

	return export__write(f, o->fmt, o->t, o->node, o->m);
}

int export__write_path(const char *path, enum out_format fmt, const struct calltree *t,
		       uint32_t node, const struct export_meta *m)
{
	/* a path the user gave may be a device or FIFO; never followed if a symlink */
	return atomic__write_path(path, ATOMIC_DIRECT_OK, write_export,
				  &(struct export_out){ fmt, t, node, m });
}

bool export__origin(void *ctx, uint32_t name, struct pprof_origin *o)
{
	const struct source *src = ctx;
	bool module = source__module(src, name, &o->module, &o->build_id);

	if (!source__where(src, name, &o->file, &o->line))
		o->file = NULL;
	return module || o->file;
}
