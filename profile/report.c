// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "diff.h"
#include "report.h"
#include "textsafe.h"
#include "topn.h"

static int row(FILE *out, const struct strtab *names, const struct fn_stat *f,
	       uint64_t samples, const double *delta, enum value_unit unit)
{
	char self[32], total[32];
	int r;

	/* samples as integers (SPEC.md); other units as pprof prints them */
	units__format(self, sizeof(self), f->self, unit);
	units__format(total, sizeof(total), f->total, unit);
	r = fprintf(out, "%6.1f  %6.1f  %10s  %10s  ", diff__share(f->self, samples),
		    diff__share(f->total, samples), self, total);
	if (r >= 0 && delta) {
		/* no "-0.0": a change that rounds to zero prints as +0.0 */
		double v = *delta > -0.05 && *delta < 0.05 ? 0.0 : *delta;

		r = fprintf(out, "%+7.1f  ", v);
	}
	/* the name is the rest of the row: escaped, it cannot break the columns */
	if (r >= 0)
		r = textsafe__fputs(out, strtab__str(names, f->name));
	if (r >= 0)
		r = fputc('\n', out) == EOF ? -EIO : 0;
	return r < 0 ? -EIO : 0;
}

static int header(FILE *out, bool change, const struct value_type *vt)
{
	int r = fprintf(out, "# self%%  total%%        self       total  %sname",
			change ? " change  " : "");

	if (r >= 0 && vt->unit != UNIT_SAMPLES)
		r = fprintf(out, "  (%s, %s)", *vt->name ? vt->name : "value",
			    units__pprof(vt->unit));
	if (r >= 0)
		r = fputc('\n', out);
	return r < 0 ? -EIO : 0;
}

static int print_plain(FILE *out, const struct calltree *t, const struct report_opts *o)
{
	uint64_t all = o->of_samples ? o->of_samples : calltree__samples(t);
	struct fn_stat *fns;
	long n, i;
	int err;

	n = topn__compute(t, CT_ROOT, o->sort == REPORT_SELF ? TOPN_SELF : TOPN_TOTAL, &fns);
	if (n < 0)
		return (int)n;
	err = header(out, false, &o->vt);
	for (i = 0; !err && i < n && (!o->limit || i < o->limit); i++)
		err = row(out, calltree__names(t), &fns[i], all, NULL, o->vt.unit);
	free(fns);
	return err;
}

struct by_after {
	const struct strtab *names;
	enum report_sort key;
};

/* The after side's self or total, highest first, then by name. */
static int cmp_after(const void *a, const void *b, void *arg)
{
	const struct by_after *k = arg;
	const struct diff_fn *x = a, *y = b;
	uint64_t vx = k->key == REPORT_SELF ? x->after.self : x->after.total;
	uint64_t vy = k->key == REPORT_SELF ? y->after.self : y->after.total;

	if (vx != vy)
		return (vx < vy) - (vx > vy);
	return strtab__cmp(k->names, x->name, y->name);
}

static int print_diff(FILE *out, const struct calltree *t, const struct calltree *before,
		      const struct report_opts *o)
{
	struct diff *d = diff__new(before, t);
	const struct strtab *names = calltree__names(t);
	size_t i;
	int err;

	if (!d)
		return -ENOMEM;
	if (o->sort != REPORT_DELTA)	/* diff__new sorted by delta already */
		qsort_r(d->fns, d->nfns, sizeof(*d->fns), cmp_after,
			&(struct by_after){ names, o->sort });
	err = header(out, true, &o->vt);
	for (i = 0; !err && i < d->nfns && (!o->limit || (long)i < o->limit); i++)
		err = row(out, names, &d->fns[i].after, d->after_samples, &d->fns[i].delta,
			  o->vt.unit);
	diff__free(d);
	return err;
}

int report__print(FILE *out, const struct calltree *t, const struct calltree *before,
		  const struct report_opts *opts)
{
	return before ? print_diff(out, t, before, opts) : print_plain(out, t, opts);
}
