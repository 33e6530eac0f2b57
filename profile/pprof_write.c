// SPDX-License-Identifier: MIT
/*
 * pprof out (pprof.h): a tree to a Profile message, packed by protobuf-c,
 * then gzipped.  Each string once in the string table ([0] empty), each
 * function once, each location once by (mapping, its lines).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "gzip.h"
#include "pprof.h"
#include "pprof_int.h"
#include "profile/pprof.pb-c.h"
#include "treepath.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__ValueType PbValueType;

#define KERNEL_MODULE	"[kernel.kallsyms]"
#define LABELS_MAX	6
#define LOC_LINES	16	/* lines of one location at most (deeper inlining: another) */

/* What a frame name is in pprof's terms, worked out once per name. */
struct frame_fn {
	uint32_t fn;		/* function id; 0: not worked out yet */
	uint32_t mapping;	/* mapping id; 0: none */
	uint32_t line;		/* its source line (--lines names), 0: unknown */
	bool inlined;		/* "name_[i]": a line of its caller's location */
};

/* One line of a location: a function, and where in it. */
struct pline {
	uint32_t fn, line;
};

/* A root child's labels, shared by its samples. */
struct label_set {
	PbLabel *labels[LABELS_MAX];
	PbLabel store[LABELS_MAX];
	size_t n;
};

struct writer {
	const struct calltree *t;
	const struct strtab *names;
	const struct pprof_out *o;
	PbProfile p;
	struct pprof_strings st;	/* the string table, each string once */
	struct by_str { uint32_t fn, map; } *by_str;	/* string index -> function, mapping id */
	size_t by_str_cap;
	struct frame_fn *frames;	/* by name id */
	uint32_t nframes;
	PbFunction **fns;
	size_t nfns, fns_cap;
	uint32_t *fn_next;	/* fns[i]'s next of the same name (an id; 0: none) */
	size_t fn_next_cap;
	PbMapping **maps;
	size_t nmaps, maps_cap;
	PbLocation **locs;
	size_t nlocs, locs_cap;
	uint32_t *loc_slot;	/* location id, by the hash of its key */
	size_t loc_mask;
	PbSample **samples;
	size_t nsamples, samples_cap;
	struct label_set **lsets;
	size_t nlsets, lsets_cap;
	struct label_set *ls;	/* the current root child's */
	uint32_t ls_root;
	char *line_file;	/* the file of the last --lines name split */
	int64_t period;
};

static int str_index(struct writer *w, const char *s, size_t len, int64_t *idx)
{
	return pprof_strings__index(&w->st, s, len, idx);
}

static int str_id(struct writer *w, const char *s, int64_t *idx)
{
	return pprof_strings__index(&w->st, s, strlen(s), idx);
}

/* Room in the string-indexed table for index idx. */
static int by_str_room(struct writer *w, int64_t idx)
{
	size_t old = w->by_str_cap;

	if (vec_reserve(w->by_str, w->by_str_cap, (size_t)idx + 1, 1024))
		return -ENOMEM;
	memset(w->by_str + old, 0, (w->by_str_cap - old) * sizeof(*w->by_str));
	return 0;
}

/* The mapping of the module named by string index file (made if new). */
static int mapping_of(struct writer *w, int64_t file, const char *build_id, uint32_t *id)
{
	PbMapping *m;

	if (by_str_room(w, file))
		return -ENOMEM;
	if (w->by_str[file].map) {
		*id = w->by_str[file].map;
		return 0;
	}
	m = malloc(sizeof(*m));
	if (!m || vec_reserve(w->maps, w->maps_cap, w->nmaps + 1, 16)) {
		free(m);
		return -ENOMEM;
	}
	perftools__profiles__mapping__init(m);
	m->id = w->nmaps + 1;
	m->filename = file;
	/* symbolized already: pprof must not look for these files to name them */
	m->has_functions = true;
	m->has_inline_frames = true;
	if (build_id && *build_id && str_id(w, build_id, &m->build_id)) {
		free(m);
		return -ENOMEM;
	}
	w->maps[w->nmaps++] = m;
	*id = w->by_str[file].map = (uint32_t)m->id;
	return 0;
}

/*
 * The function named by string index name, from org's file (made if new):
 * pprof tells functions apart by name and file, so two of one name in two
 * files stay two (their lines would otherwise be listed in the wrong file).
 */
static int function_of(struct writer *w, int64_t name, const struct pprof_origin *org,
		       uint32_t *id)
{
	int64_t file = 0;
	PbFunction *f;

	if ((org && org->file && str_id(w, org->file, &file)) || by_str_room(w, name))
		return -ENOMEM;
	for (uint32_t k = w->by_str[name].fn; k; k = w->fn_next[k - 1])
		if (w->fns[k - 1]->filename == file) {
			*id = k;
			return 0;
		}
	f = malloc(sizeof(*f));
	if (!f || vec_reserve(w->fns, w->fns_cap, w->nfns + 1, 1024) ||
	    vec_reserve(w->fn_next, w->fn_next_cap, w->nfns + 1, 1024)) {
		free(f);
		return -ENOMEM;
	}
	perftools__profiles__function__init(f);
	f->id = w->nfns + 1;
	f->name = f->system_name = name;
	f->filename = file;
	f->start_line = org && org->file ? org->line : 0;
	w->fn_next[w->nfns] = w->by_str[name].fn;
	w->fns[w->nfns++] = f;
	*id = w->by_str[name].fn = (uint32_t)f->id;
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !memcmp(s + len - n, tail, n);
}

/* "[module+0x1a2b0]" -> "module" */
static bool module_of_name(const char *s, size_t len, size_t *mlen)
{
	const char *plus = memchr(s, '+', len);

	if (len < 4 || s[0] != '[' || s[len - 1] != ']' || !plus)
		return false;
	*mlen = (size_t)(plus - s - 1);
	return *mlen > 0;
}

/*
 * A --lines name, "func:file.c:42": len cut to "func", *line 42, and the
 * file for the function when nothing better is known.
 */
static int split_line(struct writer *w, const char *s, size_t *len, uint32_t *line,
		      struct pprof_origin *org)
{
	const char *end = s + *len, *colon = memrchr(s, ':', *len), *file;
	char *stop;
	unsigned long n;

	if (!colon || colon + 1 == end || colon[1] < '0' || colon[1] > '9')
		return 0;
	n = strtoul(colon + 1, &stop, 10);
	file = memrchr(s, ':', (size_t)(colon - s));
	if (stop != end || n > UINT32_MAX || !file || file == s || file + 1 == colon)
		return 0;
	*line = (uint32_t)n;
	*len = (size_t)(file - s);
	free(w->line_file);
	w->line_file = strndup(file + 1, (size_t)(colon - file - 1));
	if (!w->line_file)
		return -ENOMEM;
	if (!org->file)
		org->file = w->line_file;
	return 0;
}

/* Works out what frame name id is: its function, mapping, whether inlined. */
static int frame_of(struct writer *w, uint32_t id, const struct frame_fn **out)
{
	struct frame_fn *f = &w->frames[id];
	const char *s = strtab__str(w->names, id);
	size_t len = strtab__len(w->names, id), mlen;
	struct pprof_origin org = { 0 };
	bool kernel = ends_with(s, len, "_[k]"), has_org = false;
	int64_t name, file = -1;

	*out = f;
	if (f->fn)
		return 0;
	if (!kernel && w->o->origin)
		has_org = w->o->origin(w->o->origin_ctx, id, &org);
	if (w->o->lines && !kernel && split_line(w, s, &len, &f->line, &org))
		return -ENOMEM;
	has_org = has_org || org.file;
	f->inlined = ends_with(s, len, "_[i]");
	if (kernel || f->inlined)
		len -= 4;
	if (str_index(w, s, len, &name) || function_of(w, name, has_org ? &org : NULL, &f->fn))
		return -ENOMEM;
	if (kernel && str_id(w, KERNEL_MODULE, &file))
		return -ENOMEM;
	if (!kernel && has_org && org.module && str_id(w, org.module, &file))
		return -ENOMEM;
	if (file < 0 && !kernel && module_of_name(s, len, &mlen) && str_index(w, s + 1, mlen, &file))
		return -ENOMEM;
	if (file >= 0 && mapping_of(w, file, has_org ? org.build_id : NULL, &f->mapping))
		return -ENOMEM;
	return 0;
}

static uint64_t loc_hash(uint64_t mapping, const struct pline *fns, size_t n)
{
	return pprof_hash(fns, n * sizeof(*fns), pprof_hash(&mapping, sizeof(mapping),
							     0xcbf29ce484222325ull));
}

static uint64_t loc_key(void *ctx, uint32_t v)
{
	const PbLocation *l = ((struct writer *)ctx)->locs[v - 1];
	struct pline fns[LOC_LINES];
	size_t n = l->n_line < LOC_LINES ? l->n_line : LOC_LINES;

	for (size_t i = 0; i < n; i++)
		fns[i] = (struct pline){ (uint32_t)l->line[i]->function_id, (uint32_t)l->line[i]->line };
	return loc_hash(l->mapping_id, fns, n);
}

static bool loc_equal(const PbLocation *l, uint32_t mapping, const struct pline *fns, size_t n)
{
	if (l->mapping_id != mapping || l->n_line != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (l->line[i]->function_id != fns[i].fn || l->line[i]->line != fns[i].line)
			return false;
	return true;
}

static PbLocation *new_location(uint64_t id, uint32_t mapping, const struct pline *fns, size_t n)
{
	PbLocation *l = calloc(1, sizeof(*l) + n * (sizeof(PbLine *) + sizeof(PbLine)));
	PbLine *lines = (PbLine *)((PbLine **)(l + 1) + n);

	if (!l)
		return NULL;
	perftools__profiles__location__init(l);
	l->id = id;
	l->mapping_id = mapping;
	l->n_line = n;
	l->line = (PbLine **)(l + 1);
	for (size_t i = 0; i < n; i++) {
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = fns[i].fn;
		lines[i].line = fns[i].line;
		l->line[i] = &lines[i];
	}
	return l;
}

/* The location of these lines (innermost first; at most LOC_LINES) in mapping, made if new. */
static int location_of(struct writer *w, uint32_t mapping, const struct pline *fns, size_t n,
		       uint64_t *id)
{
	uint64_t h = loc_hash(mapping, fns, n);
	PbLocation *l;
	size_t i;

	if (pprof_grow_slots(&w->loc_slot, &w->loc_mask, w->nlocs, loc_key, w))
		return -ENOMEM;
	for (i = h & w->loc_mask; w->loc_slot[i]; i = (i + 1) & w->loc_mask)
		if (loc_equal(w->locs[w->loc_slot[i] - 1], mapping, fns, n)) {
			*id = w->loc_slot[i];
			return 0;
		}
	if (vec_reserve(w->locs, w->locs_cap, w->nlocs + 1, 1024))
		return -ENOMEM;
	l = new_location(w->nlocs + 1, mapping, fns, n);
	if (!l)
		return -ENOMEM;
	w->locs[w->nlocs++] = l;
	w->loc_slot[i] = (uint32_t)l->id;
	*id = l->id;
	return 0;
}

/*
 * The locations of a stack (root first), leaf first: a function and the
 * functions inlined after it make one location.  ids has room for n.
 */
static int stack_locations(struct writer *w, const uint32_t *path, size_t n, uint64_t *ids,
			   size_t *nids)
{
	size_t end = n, k = 0;

	while (end > 0) {
		struct pline fns[LOC_LINES];
		size_t start = end, m = 0;
		const struct frame_fn *f;

		/* back to the function the inlined frames at the end belong to */
		do {
			if (frame_of(w, strtab__canon(w->names, calltree__node(w->t, path[--start])->name), &f))
				return -ENOMEM;
		} while (start > 0 && f->inlined && end - start < LOC_LINES);
		for (size_t i = end; i-- > start;) {
			if (frame_of(w, strtab__canon(w->names, calltree__node(w->t, path[i])->name), &f))
				return -ENOMEM;
			fns[m++] = (struct pline){ f->fn, f->line };
		}
		if (location_of(w, f->mapping, fns, m, &ids[k++]))
			return -ENOMEM;
		end = start;
	}
	*nids = k;
	return 0;
}

static int add_label(struct writer *w, struct label_set *ls, const char *key, const char *str,
		     int64_t num)
{
	PbLabel *l = &ls->store[ls->n];

	perftools__profiles__label__init(l);
	if (str_id(w, key, &l->key) || (str && str_id(w, str, &l->str)))
		return -ENOMEM;
	l->num = str ? 0 : num;
	ls->labels[ls->n++] = l;
	return 0;
}

static bool is_container(const char *s)
{
	static const char *const kinds[] = { "docker:", "podman:", "containerd:", "crio:", "pod:" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(s, kinds[i], strlen(kinds[i])))
			return true;
	return false;
}

/* The labels of the stacks under the identity frame id (none if it is not one). */
static int label_set(struct writer *w, uint32_t id, struct label_set **out)
{
	struct label_set *ls = calloc(1, sizeof(*ls));
	struct who_buf wb;
	int err = 0;

	*out = ls;
	if (!ls || vec_reserve(w->lsets, w->lsets_cap, w->nlsets + 1, 64)) {
		free(ls);
		return -ENOMEM;
	}
	w->lsets[w->nlsets++] = ls;
	if (!who__decode(w->names, id, &wb))
		return 0;
	err = add_label(w, ls, "pid", NULL, wb.w.pid) ?: add_label(w, ls, "tid", NULL, wb.w.tid) ?:
	      add_label(w, ls, "comm", wb.w.comm, 0) ?:
	      add_label(w, ls, "thread_name", wb.w.thread, 0);
	if (!err && *wb.w.container)
		err = add_label(w, ls, is_container(wb.w.container) ? "container" : "cgroup",
				wb.w.container, 0);
	return err;
}

static int add_sample(struct writer *w, const uint32_t *path, size_t n, uint64_t self,
		      const struct label_set *ls)
{
	PbSample *s;

	/* deeper than a reader takes (ours refuses the file): the frames nearest the leaf */
	if (n > PPROF_WRITE_FRAMES_MAX) {
		path += n - PPROF_WRITE_FRAMES_MAX;
		n = PPROF_WRITE_FRAMES_MAX;
	}
	s = calloc(1, sizeof(*s) + n * sizeof(uint64_t) + 2 * sizeof(int64_t));

	if (!s || vec_reserve(w->samples, w->samples_cap, w->nsamples + 1, 4096)) {
		free(s);
		return -ENOMEM;
	}
	perftools__profiles__sample__init(s);
	s->location_id = (uint64_t *)(s + 1);
	s->value = (int64_t *)(s->location_id + n);
	w->samples[w->nsamples++] = s;
	if (stack_locations(w, path, n, s->location_id, &s->n_location_id))
		return -ENOMEM;
	/* pprof's values are signed: past INT64_MAX, as much as fits */
	if (w->o->scale > 1 && __builtin_mul_overflow(self, (uint64_t)w->o->scale, &self))
		self = UINT64_MAX;
	s->value[0] = self > INT64_MAX ? INT64_MAX : (int64_t)self;
	s->n_value = 1;
	if (w->o->vt.unit == UNIT_SAMPLES && __builtin_mul_overflow(s->value[0], w->period,
								     &s->value[1]))
		s->value[1] = INT64_MAX;
	if (w->o->vt.unit == UNIT_SAMPLES)
		s->n_value = 2;
	if (ls && ls->n) {
		s->label = (PbLabel **)ls->labels;
		s->n_label = ls->n;
	}
	return 0;
}

/* Each frame with samples of its own is a sample; a root child's labels go to those below it. */
static int walk_one(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id)
{
	struct writer *w = ctx;
	const struct ct_node *n = calltree__node(w->t, id);

	/* samples with no stack at all (a pprof file may have them): no locations */
	if (!depth)
		return n->self ? add_sample(w, path, 0, n->self, NULL) : 0;
	if (w->o->labels && (depth == 1 || !w->ls || w->ls_root != path[0])) {
		w->ls_root = path[0];
		if (label_set(w, calltree__node(w->t, path[0])->name, &w->ls))
			return -ENOMEM;
	}
	if (!n->self)
		return 0;
	/* an identity frame becomes labels; another root frame stays a frame */
	if (w->o->labels && w->ls->n)
		return add_sample(w, path + 1, depth - 1, n->self, w->ls);
	return add_sample(w, path, depth, n->self, NULL);
}

static PbValueType *value_type(struct writer *w, const char *type, const char *unit)
{
	PbValueType *v = malloc(sizeof(*v));

	if (!v)
		return NULL;
	perftools__profiles__value_type__init(v);
	if (str_id(w, type, &v->type) || str_id(w, unit, &v->unit)) {
		free(v);
		return NULL;
	}
	return v;
}

static int fill_header(struct writer *w, PbValueType **types)
{
	const struct value_type *vt = &w->o->vt;
	uint32_t hz = w->o->hz ? w->o->hz : 99;
	size_t n = 0;

	w->period = vt->unit == UNIT_SAMPLES ? (int64_t)(1000000000u / hz) : 1;
	if (vt->unit == UNIT_SAMPLES) {
		types[n++] = value_type(w, "samples", "count");
		types[n++] = value_type(w, "cpu", "nanoseconds");
	} else {
		types[n++] = value_type(w, *vt->name ? vt->name : "value", units__pprof(vt->unit));
	}
	w->p.period_type = vt->unit == UNIT_SAMPLES ? value_type(w, "cpu", "nanoseconds")
						    : value_type(w, *vt->name ? vt->name : "value",
								 units__pprof(vt->unit));
	for (size_t i = 0; i < n; i++)
		if (!types[i])
			return -ENOMEM;
	if (!w->p.period_type)
		return -ENOMEM;
	w->p.sample_type = types;
	w->p.n_sample_type = n;
	w->p.period = w->period;
	w->p.time_nanos = w->o->time_nanos;
	w->p.duration_nanos = w->o->duration_nanos;
	return 0;
}

static void writer_free(struct writer *w, PbValueType **types)
{
	for (size_t i = 0; i < w->nfns; i++)
		free(w->fns[i]);
	for (size_t i = 0; i < w->nmaps; i++)
		free(w->maps[i]);
	for (size_t i = 0; i < w->nlocs; i++)
		free(w->locs[i]);
	for (size_t i = 0; i < w->nsamples; i++)
		free(w->samples[i]);
	for (size_t i = 0; i < w->nlsets; i++)
		free(w->lsets[i]);
	for (size_t i = 0; i < 2; i++)
		free(types[i]);
	free(w->p.period_type);
	pprof_strings__free(&w->st);
	free(w->line_file);
	free(w->by_str);
	free(w->frames);
	free(w->fns);
	free(w->fn_next);
	free(w->maps);
	free(w->locs);
	free(w->loc_slot);
	free(w->samples);
	free(w->lsets);
}

static int pack(struct writer *w, uint8_t **buf, size_t *len)
{
	size_t size;
	uint8_t *raw;
	int err;

	w->p.string_table = w->st.strs;
	w->p.n_string_table = w->st.n;
	w->p.function = w->fns;
	w->p.n_function = w->nfns;
	w->p.mapping = w->maps;
	w->p.n_mapping = w->nmaps;
	w->p.location = w->locs;
	w->p.n_location = w->nlocs;
	w->p.sample = w->samples;
	w->p.n_sample = w->nsamples;
	size = perftools__profiles__profile__get_packed_size(&w->p);
	if (size > PPROF_INFLATED_MAX)
		return -EFBIG;	/* no reader of ours would take it back */
	raw = malloc(size ? size : 1);
	if (!raw)
		return -ENOMEM;
	perftools__profiles__profile__pack(&w->p, raw);
	err = gzip__deflate(raw, size, buf, len);
	free(raw);
	return err;
}

int pprof__encode(const struct calltree *t, uint32_t node, const struct pprof_out *o,
		  uint8_t **buf, size_t *len)
{
	struct writer w = { .t = t, .names = calltree__names(t), .o = o };
	PbValueType *types[2] = { 0 };
	int64_t empty;
	int err;

	perftools__profiles__profile__init(&w.p);
	w.nframes = strtab__count(w.names);
	w.frames = calloc(w.nframes ? w.nframes : 1, sizeof(*w.frames));
	err = w.frames ? str_id(&w, "", &empty) : -ENOMEM;
	if (!err)
		err = fill_header(&w, types);
	if (!err)
		err = calltree__walk(t, node, walk_one, &w);
	if (!err)
		err = pack(&w, buf, len);
	writer_free(&w, types);
	return err;
}

int pprof__write(FILE *out, const struct calltree *t, uint32_t node, const struct pprof_out *o)
{
	uint8_t *buf;
	size_t len;
	int err = pprof__encode(t, node, o, &buf, &len);

	if (err)
		return err;
	if (fwrite(buf, 1, len, out) != len)
		err = -EIO;
	free(buf);
	return err;
}
