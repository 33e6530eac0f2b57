// SPDX-License-Identifier: MIT
/*
 * pprof in (pprof.h): gunzip (bounded), unpack with protobuf-c, check
 * every index a sample reaches, then add each sample's stack to the tree.
 * A location's frames are worked out once: its lines from the caller in,
 * the inlined ones "name_[i]", a kernel mapping's "name_[k]".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "gzip.h"
#include "pprof.h"
#include "profile/pprof.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;

#define LINES_MAX	64	/* lines of one location taken (inlining deeper is cut) */
#define FRAMES_MAX	(1u << 28)	/* frames of all samples together */
/* protobuf-c's messages may take this many times the bytes they come from */
#define DECODE_RATIO	12

/* ids -> index: direct when the ids are 1..n (as Go writes them), else sorted. */
struct idmap {
	uint32_t *direct;	/* [id] = index + 1 */
	struct idpair { uint64_t id; uint32_t idx; } *sorted;
	size_t n;
};

struct reader {
	const PbProfile *p;
	struct calltree *t;
	struct strtab *names;
	const struct pprof_in *in;
	struct parse_error *err;
	struct idmap fns, locs, maps;
	uint32_t *loc_first, *loc_n;	/* each location's frames in frames[], root first */
	uint32_t *frames;
	size_t nframes, frames_cap;
	uint32_t *stack;
	size_t stack_cap;
	size_t vidx;		/* the sample value read */
	uint64_t frames_in_all;
};

static int bad(struct reader *r, const char *what, unsigned long long v)
{
	return parse_error__set(r->err, 0, -EINVAL, "not a valid pprof profile: %s %llu", what, v);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct idpair *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int idmap_build(struct reader *r, struct idmap *m, size_t n, uint64_t (*id)(const PbProfile *, size_t),
		       const char *what)
{
	bool dense = true;

	m->n = n;
	for (size_t i = 0; i < n && dense; i++)
		dense = id(r->p, i) >= 1 && id(r->p, i) <= n;
	if (dense) {
		m->direct = calloc(n + 1, sizeof(*m->direct));
		if (!m->direct)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			if (m->direct[id(r->p, i)])
				return bad(r, what, (unsigned long long)id(r->p, i));
			m->direct[id(r->p, i)] = (uint32_t)i + 1;
		}
		return 0;
	}
	m->sorted = malloc((n ? n : 1) * sizeof(*m->sorted));
	if (!m->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		m->sorted[i] = (struct idpair){ id(r->p, i), (uint32_t)i };
	qsort(m->sorted, n, sizeof(*m->sorted), cmp_pair);
	for (size_t i = 0; i < n; i++)
		if (!m->sorted[i].id || (i && m->sorted[i].id == m->sorted[i - 1].id))
			return bad(r, what, (unsigned long long)m->sorted[i].id);
	return 0;
}

/* The index of id, or -1. */
static long idmap_find(const struct idmap *m, uint64_t id)
{
	size_t lo = 0, hi = m->n;

	if (m->direct)
		return id >= 1 && id <= m->n && m->direct[id] ? (long)m->direct[id] - 1 : -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->sorted[mid].id == id)
			return m->sorted[mid].idx;
		if (m->sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void idmap_free(struct idmap *m)
{
	free(m->direct);
	free(m->sorted);
}

static uint64_t fn_id(const PbProfile *p, size_t i) { return p->function[i]->id; }
static uint64_t loc_id(const PbProfile *p, size_t i) { return p->location[i]->id; }
static uint64_t map_id(const PbProfile *p, size_t i) { return p->mapping[i]->id; }

/* String idx of the table, or NULL (an error said) when out of range. */
static const char *str(struct reader *r, int64_t idx)
{
	if (idx < 0 || (uint64_t)idx >= r->p->n_string_table) {
		bad(r, "string index", (unsigned long long)idx);
		return NULL;
	}
	return r->p->string_table[idx];
}

/*
 * Interns name + tail made fit to be a frame: ';' ':', control
 * characters '?' (C0, DEL, and C1 in UTF-8), a leading '#' '_', spaces '_'
 * too for a process name.
 */
static int intern_clean(struct reader *r, const char *name, const char *tail, bool comm,
			uint32_t *id)
{
	size_t n = strlen(name), k = strlen(tail), o = 0;
	char buf[1024];

	if (!n) {
		name = "[unknown]";
		n = strlen(name);
	}
	if (n > sizeof(buf) - k - 1)
		n = sizeof(buf) - k - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		/* a C1 control (U+0080-U+009F: CSI is one) in UTF-8, as one character */
		if (c == 0xc2 && i + 1 < n && (unsigned char)name[i + 1] >= 0x80 &&
		    (unsigned char)name[i + 1] <= 0x9f) {
			buf[o++] = '?';
			i++;
			continue;
		}
		buf[o++] = c == ';' ? ':' : c < 0x20 || c == 0x7f ? '?' : comm && c == ' ' ? '_' : (char)c;
	}
	n = o;
	if (buf[0] == '#')
		buf[0] = '_';
	memcpy(buf + n, tail, k);
	return strtab__intern(r->names, buf, n + k, id);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* A location's frames, root first, appended to r->frames. */
static int location_frames(struct reader *r, const PbLocation *l)
{
	const char *file = "";
	bool kernel;
	/* past LINES_MAX inlined levels, the innermost go: the function stays */
	size_t n = l->n_line < LINES_MAX ? l->n_line : LINES_MAX, skip = l->n_line - n;
	long m = l->mapping_id ? idmap_find(&r->maps, l->mapping_id) : -1;

	if (l->mapping_id && m < 0)
		return bad(r, "location refers to a missing mapping", (unsigned long long)l->mapping_id);
	if (m >= 0 && !(file = str(r, r->p->mapping[m]->filename)))
		return -EINVAL;
	kernel = !strncmp(file, "[kernel", 7);
	if (vec_reserve(r->frames, r->frames_cap, r->nframes + (n ? n : 1), 4096))
		return -ENOMEM;
	if (!n) {
		char mod[300];

		snprintf(mod, sizeof(mod), "[%s]", *file ? base_name(file) : "unknown");
		return intern_clean(r, mod, kernel ? "_[k]" : "", false, &r->frames[r->nframes++]);
	}
	/* the caller (last line) first: the function, then what is inlined in it */
	for (size_t i = l->n_line; i-- > skip;) {
		long f = idmap_find(&r->fns, l->line[i]->function_id);
		const char *name;

		if (f < 0)
			return bad(r, "line refers to a missing function",
				   (unsigned long long)l->line[i]->function_id);
		name = str(r, r->p->function[f]->name);
		if (name && !*name)
			name = str(r, r->p->function[f]->system_name);
		if (!name)
			return -EINVAL;
		if (intern_clean(r, name, kernel ? "_[k]" : i + 1 < l->n_line ? "_[i]" : "", false,
				 &r->frames[r->nframes]))
			return -ENOMEM;
		r->nframes++;
	}
	return 0;
}

/* Every location's frames, worked out once. */
static int all_locations(struct reader *r)
{
	size_t n = r->p->n_location;

	r->loc_first = malloc((n ? n : 1) * sizeof(*r->loc_first));
	r->loc_n = malloc((n ? n : 1) * sizeof(*r->loc_n));
	if (!r->loc_first || !r->loc_n)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t before = r->nframes;
		int err = location_frames(r, r->p->location[i]);

		if (err)
			return err;
		if (r->nframes > UINT32_MAX)
			return parse_error__set(r->err, 0, -EFBIG, "too many frames");
		r->loc_first[i] = (uint32_t)before;
		r->loc_n[i] = (uint32_t)(r->nframes - before);
	}
	return 0;
}

/* A label's string value, or its number as text; NULL if not there. */
static const char *label(struct reader *r, const PbSample *s, const char *key, char *num,
			 size_t size)
{
	size_t n = r->p->n_string_table;

	/* a label whose indices are out of range is no label (pprof ignores what it cannot read) */
	for (size_t i = 0; i < s->n_label; i++) {
		const PbLabel *l = s->label[i];

		if (l->key < 0 || (uint64_t)l->key >= n || strcmp(r->p->string_table[l->key], key))
			continue;
		if (l->str < 0 || (uint64_t)l->str >= n)
			return NULL;
		if (l->str)
			return r->p->string_table[l->str];
		snprintf(num, size, "%lld", (long long)l->num);
		return num;
	}
	return NULL;
}

/* The grouping's root frames from labels naming a process (flametop's own): 0, 1 or 2. */
static int root_frames(struct reader *r, const PbSample *s, uint32_t out[2])
{
	char pid[24], tid[24], cnum[24], thnum[24], knum[24], comm[256], thread[256], ctr[256];
	const char *c = label(r, s, "comm", cnum, sizeof(cnum)), *p, *t, *th, *k;
	struct who w = { 0 };
	uint32_t id;

	if (!c)
		return 0;
	p = label(r, s, "pid", pid, sizeof(pid));
	t = label(r, s, "tid", tid, sizeof(tid));
	th = label(r, s, "thread_name", thnum, sizeof(thnum));
	snprintf(thread, sizeof(thread), "%s", th ? th : c);
	k = label(r, s, "container", knum, sizeof(knum));
	if (!k)
		k = label(r, s, "cgroup", knum, sizeof(knum));
	snprintf(ctr, sizeof(ctr), "%s", k && *k ? k : "[unknown]");
	snprintf(comm, sizeof(comm), "%s", c);
	w.pid = p ? (uint32_t)strtoul(p, NULL, 10) : 0;
	w.tid = t ? (uint32_t)strtoul(t, NULL, 10) : w.pid;
	/* as frames: made safe first (who__frames takes frame-safe names) */
	if (intern_clean(r, comm, "", true, &id))
		return -ENOMEM;
	w.comm = strtab__str(r->names, id);
	if (intern_clean(r, thread, "", true, &id))
		return -ENOMEM;
	w.thread = strtab__str(r->names, id);
	if (intern_clean(r, ctr, "", false, &id))
		return -ENOMEM;
	w.container = strtab__str(r->names, id);
	return who__frames(r->names, &w, r->in ? r->in->group : GROUP_COMM, out);
}

/* --tagroot: a "key:value" frame for each key asked that the sample has, as pprof -tagroot. */
static int tag_frames(struct reader *r, const PbSample *s, uint32_t *out)
{
	int n = 0;

	for (size_t i = 0; r->in && i < r->in->ntag_root; i++) {
		char num[24], frame[512];
		const char *v = label(r, s, r->in->tag_root[i], num, sizeof(num));

		if (!v)
			continue;
		snprintf(frame, sizeof(frame), "%s:%s", r->in->tag_root[i], v);
		if (intern_clean(r, frame, "", false, &out[n++]))
			return -ENOMEM;
	}
	return n;
}

static int add_sample(struct reader *r, const PbSample *s, struct pprof_info *info)
{
	size_t n = 0;
	int64_t v;
	int roots, ret;

	if (s->n_value != r->p->n_sample_type)
		return bad(r, "sample with a wrong number of values:", s->n_value);
	v = s->value[r->vidx];
	if (v <= 0) {
		info->skipped += v < 0;
		return 0;
	}
	if (vec_reserve(r->stack, r->stack_cap, 2 + PPROF_TAG_ROOTS, 256))
		return -ENOMEM;
	roots = root_frames(r, s, r->stack);
	if (roots < 0)
		return roots;
	n = (size_t)roots;
	roots = tag_frames(r, s, r->stack + n);
	if (roots < 0)
		return roots;
	n += (size_t)roots;
	for (size_t i = s->n_location_id; i-- > 0;) {
		long l = idmap_find(&r->locs, s->location_id[i]);

		if (l < 0)
			return bad(r, "sample refers to a missing location",
				   (unsigned long long)s->location_id[i]);
		if (n + r->loc_n[l] > PPROF_SAMPLE_FRAMES_MAX)
			return parse_error__set(r->err, 0, -EINVAL, "a sample deeper than %u frames",
						PPROF_SAMPLE_FRAMES_MAX);
		if (vec_reserve(r->stack, r->stack_cap, n + r->loc_n[l], 256))
			return -ENOMEM;
		memcpy(r->stack + n, r->frames + r->loc_first[l], r->loc_n[l] * sizeof(*r->stack));
		n += r->loc_n[l];
	}
	r->frames_in_all += n;
	if (r->frames_in_all > FRAMES_MAX)
		return parse_error__set(r->err, 0, -EFBIG, "more than %u frames in all", FRAMES_MAX);
	ret = calltree__add_stack(r->t, r->stack, n, (uint64_t)v);
	if (ret == -EOVERFLOW)
		return parse_error__set(r->err, 0, -EOVERFLOW, "sample values overflow 64 bits");
	return ret;
}

/* Which value is read: --sample-type, else pprof's default, else the last. */
static int choose_type(struct reader *r, struct pprof_info *info)
{
	const PbProfile *p = r->p;
	const char *want = r->in ? r->in->sample_type : NULL, *dflt = NULL;
	size_t used = 0;
	long found = -1;

	if (!p->n_sample_type)
		return bad(r, "no sample types:", 0);
	if (p->default_sample_type && !(dflt = str(r, p->default_sample_type)))
		return -EINVAL;
	for (size_t i = 0; i < p->n_sample_type; i++) {
		const char *t = str(r, p->sample_type[i]->type);

		if (!t || !str(r, p->sample_type[i]->unit))
			return -EINVAL;
		used += (size_t)snprintf(info->types + used, used < sizeof(info->types) ?
					 sizeof(info->types) - used : 0, "%s%s", i ? ", " : "", t);
		if (used > sizeof(info->types))
			used = sizeof(info->types);
		if ((want && !strcmp(t, want)) || (!want && dflt && !strcmp(t, dflt)))
			found = (long)i;
	}
	if (want && found < 0)
		return parse_error__set(r->err, 0, -EINVAL, "no sample type %s (there are: %s)", want,
					info->types);
	r->vidx = found >= 0 ? (size_t)found : p->n_sample_type - 1;
	snprintf(info->vt.name, sizeof(info->vt.name), "%s", str(r, p->sample_type[r->vidx]->type));
	/* it is printed in headers (report, folded): a word, nothing else */
	for (char *c = info->vt.name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '.' || *c == '-'))
			*c = '_';
	info->vt.unit = units__parse(str(r, p->sample_type[r->vidx]->unit));
	/* samples/count, as Go's CPU profiles (and ours) count them: samples */
	if (!strcmp(info->vt.name, "samples") && info->vt.unit == UNIT_COUNT)
		info->vt.unit = UNIT_SAMPLES;
	return 0;
}

/* Gunzips a gzip stream into *out, at most PPROF_INFLATED_MAX bytes. */
static int gunzip(const uint8_t *in, size_t n, uint8_t **out, size_t *len, struct parse_error *err)
{
	const char *why;
	int ret = gzip__inflate(in, n, PPROF_INFLATED_MAX, out, len, &why);

	if (ret == -ENOMEM)
		return parse_error__set(err, 0, ret, "out of memory");
	if (ret == -EFBIG)
		return parse_error__set(err, 0, ret, "inflates to more than %u MiB",
					PPROF_INFLATED_MAX >> 20);
	if (ret)
		return parse_error__set(err, 0, ret, "not a valid pprof profile: %s gzip data", why);
	return 0;
}

/* protobuf-c's allocations, counted against a budget: a small message that decodes huge is refused. */
struct budget {
	size_t used, max;
};

static void *budget_alloc(void *ctx, size_t size)
{
	struct budget *b = ctx;
	size_t *p;

	if (size > b->max - b->used || !(p = malloc(size + sizeof(*p))))
		return NULL;
	b->used += size;
	*p = size;
	return p + 1;
}

static void budget_free(void *ctx, void *ptr)
{
	struct budget *b = ctx;
	size_t *p = ptr;

	if (!p)
		return;
	b->used -= p[-1];
	free(p - 1);
}

bool pprof__sniff(const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return true;
	/* a raw Profile: sample_type (field 1, bytes), then its type (field 1, varint) */
	return len >= 3 && b[0] == 0x0a && b[1] < 0x80 && b[2] == 0x08;
}

static void reader_free(struct reader *r)
{
	idmap_free(&r->fns);
	idmap_free(&r->locs);
	idmap_free(&r->maps);
	free(r->loc_first);
	free(r->loc_n);
	free(r->frames);
	free(r->stack);
}

static int read_profile(struct reader *r, struct pprof_info *info)
{
	const PbProfile *p = r->p;
	int err;

	if (!p->n_string_table || *p->string_table[0])
		return parse_error__set(r->err, 0, -EINVAL,
					"not a valid pprof profile: string_table[0] is not empty");
	err = choose_type(r, info);
	if (!err)
		err = idmap_build(r, &r->fns, p->n_function, fn_id, "duplicate function id");
	if (!err)
		err = idmap_build(r, &r->locs, p->n_location, loc_id, "duplicate location id");
	if (!err)
		err = idmap_build(r, &r->maps, p->n_mapping, map_id, "duplicate mapping id");
	if (!err)
		err = all_locations(r);
	for (size_t i = 0; !err && i < p->n_sample; i++)
		err = add_sample(r, p->sample[i], info);
	if (err == -ENOMEM)
		parse_error__set(r->err, 0, -ENOMEM, "out of memory");
	if (err)
		return err;
	if (p->period_type && p->period > 0 && units__is_time(info->vt.unit)) {
		const char *u = str(r, p->period_type->unit);

		if (u && units__parse(u) == UNIT_NANOSECONDS && p->period <= 1000000000)
			info->hz = (uint32_t)(1000000000 / p->period);
	}
	return 0;
}

int pprof__parse(struct calltree *t, const void *buf, size_t len, const struct pprof_in *in,
		 struct pprof_info *info, struct parse_error *err)
{
	struct parse_error scratch;
	struct pprof_info scratch_info;
	struct reader r = { .t = t, .names = calltree__names(t), .in = in };
	struct budget budget = { 0 };
	ProtobufCAllocator alloc = { budget_alloc, budget_free, &budget };
	uint8_t *raw = NULL;
	size_t rawlen = len;
	PbProfile *p;
	bool text;
	int ret;

	r.err = err ? err : &scratch;
	*r.err = (struct parse_error){ 0 };
	if (!info)
		info = &scratch_info;
	*info = (struct pprof_info){ 0 };
	if (len >= 2 && ((const uint8_t *)buf)[0] == 0x1f && ((const uint8_t *)buf)[1] == 0x8b) {
		ret = gunzip(buf, len, &raw, &rawlen, r.err);
		if (ret)
			return ret;
	}
	budget.max = rawlen < SIZE_MAX / DECODE_RATIO - (64u << 20) ? DECODE_RATIO * rawlen + (64u << 20)
								       : SIZE_MAX;
	p = perftools__profiles__profile__unpack(&alloc, rawlen, raw ? raw : buf);
	text = rawlen && raw && raw[0] >= 0x20 && raw[0] < 0x7f;
	free(raw);
	if (!p && budget.used + 4096 >= budget.max)
		return parse_error__set(r.err, 0, -EFBIG, "decodes to more than %zu MiB of messages",
					budget.max >> 20);
	if (!p && text)
		return parse_error__set(r.err, 0, -EINVAL, "gzipped text, not a pprof profile: "
					"gunzip it first (folded and perf script text are read as they are)");
	if (!p)
		return parse_error__set(r.err, 0, -EINVAL,
					"not a valid pprof profile (its protocol buffer does not decode)");
	r.p = p;
	ret = read_profile(&r, info);
	reader_free(&r);
	perftools__profiles__profile__free_unpacked(p, &alloc);
	return ret;
}
