// SPDX-License-Identifier: MIT
/*
 * Folded stacks: "comm;main;leaf 42", one stack per line.
 *
 * The reader works on text of whole lines in memory (input.c streams a
 * file through it in chunks); blank lines and '#' comment lines are
 * skipped.  Consecutive lines of a folded file usually share a long prefix
 * (they are sorted), so each line is compared with the previous one and
 * the frames they share reuse the previous line's nodes: only the
 * differing tail is hashed and interned.
 *
 * The writer orders lines as sorting the stack strings bytewise would
 * (stackcollapse-perf.pl's `sort cmp`), which is not quite a depth-first
 * walk with children by name: "f.isra" comes between "f" and "f;x".
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/atomic.h"
#include "../util/vec.h"
#include "folded.h"

int parse_error__set(struct parse_error *err, unsigned long line, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

static size_t common_prefix(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb, i = 0;
	uint64_t x, y;

	while (i + 8 <= n) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Parses the count at the end of a line; 0 or an error message. */
static const char *parse_count(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return "no count after the last space";
	if (s[0] == '-')
		return "negative count";
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return "count is not a positive integer";
		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return "count overflows (more than 2^63-1)";
		v = v * 10 + d;
	}
	if (!v)
		return "count is zero";
	*out = v;
	return NULL;
}

static int frames_reserve(struct folded_stack *fs, size_t n, bool nodes)
{
	if (vec_reserve(fs->ends, fs->ends_cap, n, 64) ||
	    vec_reserve(fs->names, fs->names_cap, n, 64) ||
	    (nodes && vec_reserve(fs->nodes, fs->nodes_cap, n, 64)))
		return -ENOMEM;
	return 0;
}

/*
 * The frames of stack text s ("a;b;c"), those it shares with the previous
 * stack taken from fs.  0, -EINVAL (an empty frame) or -ENOMEM.
 */
static int split_stack(struct folded_stack *fs, struct strtab *names, struct calltree *t,
		       const char *s, size_t len)
{
	size_t same = common_prefix(fs->text, fs->len, s, len);
	size_t k = 0, pos = 0, n;
	uint32_t node = CT_ROOT;
	int err;

	if (same == len && fs->len == len && fs->n)
		return 0;	/* the same stack again */
	/* frames wholly inside the shared prefix, followed by ';' in s */
	while (k < fs->n && fs->ends[k] <= same && fs->ends[k] < len && s[fs->ends[k]] == ';')
		pos = fs->ends[k++] + 1;
	if (t && k)
		node = fs->nodes[k - 1];
	for (n = k;; n++) {
		const char *f = s + pos;
		const char *semi = memchr(f, ';', len - pos);
		size_t flen = semi ? (size_t)(semi - f) : len - pos;
		uint32_t name;

		err = flen ? frames_reserve(fs, n + 1, t) : -EINVAL;
		if (!err)
			err = strtab__intern(names, f, flen, &name);
		if (!err && t)
			err = calltree__child(t, node, name, &node);
		if (err) {
			folded_stack__forget(fs);	/* the frames kept are no line's now */
			return err;
		}
		fs->ends[n] = (uint32_t)(pos + flen);
		fs->names[n] = name;
		if (t)
			fs->nodes[n] = node;
		if (!semi)
			break;
		pos += flen + 1;
	}
	fs->n = n + 1;
	fs->text = s;
	fs->len = len;
	return 0;
}

int folded_stack__read(struct folded_stack *fs, struct strtab *names, struct calltree *t,
		       const char *s, size_t len, unsigned long lineno, struct parse_error *err)
{
	const char *sp, *msg;
	int ret;

	if (len && s[len - 1] == '\r')
		len--;
	/* blank (spaces and tabs only) and '#' comment lines carry no stack */
	if (!len || *s == '#' || blank(s, len))
		return 0;
	if (memchr(s, '\0', len))
		return parse_error__set(err, lineno, -EINVAL, "NUL byte in the line");
	sp = memrchr(s, ' ', len);
	if (!sp)
		return parse_error__set(err, lineno, -EINVAL, "no count (expected \"stack count\")");
	msg = parse_count(sp + 1, (size_t)(s + len - sp - 1), &fs->count);
	if (msg)
		return parse_error__set(err, lineno, -EINVAL, "%s", msg);
	if ((size_t)(sp - s) > UINT32_MAX)
		return parse_error__set(err, lineno, -EINVAL, "stack longer than 4 GiB");
	ret = split_stack(fs, names, t, s, (size_t)(sp - s));
	if (ret == -EINVAL)
		return parse_error__set(err, lineno, ret, "empty frame in the stack");
	if (ret)
		return parse_error__set(err, lineno, ret, "out of memory");
	return 1;
}

void folded_stack__forget(struct folded_stack *fs)
{
	fs->text = NULL;
	fs->len = 0;
	fs->n = 0;
}

void folded_stack__release(struct folded_stack *fs)
{
	free(fs->ends);
	free(fs->names);
	free(fs->nodes);
	*fs = (struct folded_stack){ 0 };
}

int folded__parse(struct calltree *t, const char *buf, size_t len,
		  struct parse_error *perr, struct parse_stats *stats)
{
	struct folded_stack fs = { 0 };
	const char *p = buf, *end = buf + len;
	unsigned long lineno = 0;
	uint64_t samples = 0;
	int ret = 0;

	while (!ret && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		ret = folded_stack__read(&fs, calltree__names(t), t, p,
					 (size_t)((nl ? nl : end) - p), ++lineno, perr);
		if (ret > 0) {
			ret = calltree__add(t, fs.nodes[fs.n - 1], fs.count);
			if (ret)	/* -EOVERFLOW: its only error */
				parse_error__set(perr, lineno, ret, "total of counts overflows 64 bits");
			else
				samples += fs.count;
		}
		p = nl ? nl + 1 : end;
	}
	folded_stack__release(&fs);
	if (stats) {
		stats->format = FORMAT_FOLDED;
		stats->lines = lineno;
		stats->skipped = 0;
		stats->samples = samples;
	}
	return ret;
}

/*
 * The first 64 lines with text decide; comments and blank lines say nothing
 * (a folded file may hold "# ..." lines, "# ===" too, and lines of spaces),
 * nor does indentation (a folded frame may start with a tab).  A folded line
 * ends in " COUNT"; perf script's sample headers end in "EVENT:" and its
 * frame lines in " (MODULE)", which no folded line does, but a tracepoint's
 * header may end in a number.  So perf script wins when at least as many
 * lines look like it as look folded; text that looks like neither goes to
 * the folded reader, which names its first bad line.
 */
enum profile_format profile__detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int seen = 0, folded = 0, perf = 0;

	while (p < end && seen < 64) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end, *d;

		p = nl ? nl + 1 : end;
		while (e > s && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
			e--;
		if (e == s || *s == '#')
			continue;
		seen++;
		for (d = e; d > s && d[-1] >= '0' && d[-1] <= '9'; d--)
			;
		if (d < e && d - s >= 2 && d[-1] == ' ')
			folded++;
		else if (e[-1] == ':' || (e[-1] == ')' && memmem(s, (size_t)(e - s), " (", 2)))
			perf++;
	}
	return perf && perf >= folded ? FORMAT_PERF_SCRIPT : FORMAT_FOLDED;
}

/*
 * Writer: an explicit stack of levels, so 10k-deep trees need no recursion.
 * A level lists its node's children twice, as their own line (key "name")
 * and as their subtree (key "name;"), in the order of those keys.
 */
struct level {
	uint64_t *items;	/* child id << 1 | 1 for its subtree */
	size_t n, next;
	size_t pathlen;		/* path length before this level's frame */
};

struct path_buf {
	char *s;
	size_t len, cap;
};

static int path_append(struct path_buf *p, const char *s, size_t n, bool semi)
{
	if (vec_reserve(p->s, p->cap, p->len + n + 2, 256))
		return -ENOMEM;
	if (semi)
		p->s[p->len++] = ';';
	memcpy(p->s + p->len, s, n);
	p->len += n;
	return 0;
}

/*
 * One line per stack; a merged count above 2^63-1 (which no reader accepts
 * on one line) is split over duplicate lines, which readers add up.
 */
static int emit(FILE *out, const struct path_buf *p, uint64_t count)
{
	while (count) {
		uint64_t part = count > INT64_MAX ? INT64_MAX : count;

		errno = 0;
		if (fwrite(p->s, 1, p->len, out) != p->len ||
		    fprintf(out, " %llu\n", (unsigned long long)part) < 0)
			return -(errno ? errno : EIO);	/* ENOSPC says more than EIO */
		count -= part;
	}
	return 0;
}

/* Compares two items' keys: a child's name, with ';' after it for its subtree. */
static int item_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct calltree *t = ctx;
	const struct strtab *names = calltree__names(t);
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	uint32_t na = calltree__node(t, (uint32_t)(a >> 1))->name;
	uint32_t nb = calltree__node(t, (uint32_t)(b >> 1))->name;
	size_t la = strtab__len(names, na), lb = strtab__len(names, nb);
	const unsigned char *sa = (const unsigned char *)strtab__str(names, na);
	const unsigned char *sb = (const unsigned char *)strtab__str(names, nb);
	int c = memcmp(sa, sb, la < lb ? la : lb);
	int ea, eb;	/* the byte after the shorter name: ';', or -1 at the end */

	if (c || la == lb)
		return c ? c : (int)(a & 1) - (int)(b & 1);
	ea = la < lb ? ((a & 1) ? ';' : -1) : sa[lb];
	eb = lb < la ? ((b & 1) ? ';' : -1) : sb[la];
	return (ea > eb) - (ea < eb);
}

static int push_level(const struct calltree *t, struct level **lv, size_t *depth,
		      size_t *cap, uint32_t node, size_t pathlen)
{
	const struct ct_node *n = calltree__node(t, node);
	size_t count = 0, i;
	uint32_t c, *ids;
	struct level *l;

	if (vec_reserve(*lv, *cap, *depth + 1, 64))
		return -ENOMEM;
	for (c = n->child; c != CT_NONE; c = calltree__node(t, c)->sibling)
		count++;
	l = &(*lv)[*depth];
	*l = (struct level){ .pathlen = pathlen };
	if (count) {
		ids = malloc(count * sizeof(*ids));
		l->items = malloc(2 * count * sizeof(*l->items));
		if (!ids || !l->items) {
			free(ids);
			free(l->items);
			return -ENOMEM;
		}
		count = calltree__children(t, node, ids, count, false);
		for (i = 0; i < count; i++) {
			l->items[2 * i] = (uint64_t)ids[i] << 1;
			l->items[2 * i + 1] = (uint64_t)ids[i] << 1 | 1;
		}
		free(ids);
		l->n = 2 * count;
		qsort_r(l->items, l->n, sizeof(*l->items), item_cmp, (void *)t);
	}
	(*depth)++;
	return 0;
}

/* path = the frames from the root down to node, root first. */
static int root_path(const struct calltree *t, uint32_t node, struct path_buf *path)
{
	const struct strtab *names = calltree__names(t);
	uint32_t d = calltree__depth(t, node), i, anc;
	uint32_t *ids = malloc(((size_t)d + 1) * sizeof(*ids));
	int err = 0;

	if (!ids)
		return -ENOMEM;
	for (anc = node, i = d; anc != CT_ROOT; anc = calltree__node(t, anc)->parent)
		ids[--i] = anc;
	path->len = 0;
	for (i = 0; i < d && !err; i++) {
		uint32_t nm = calltree__node(t, ids[i])->name;

		err = path_append(path, strtab__str(names, nm), strtab__len(names, nm), i > 0);
	}
	free(ids);
	return err;
}

int folded__write(FILE *out, const struct calltree *t, uint32_t node)
{
	const struct strtab *names = calltree__names(t);
	const struct ct_node *top = calltree__node(t, node);
	struct path_buf path = { 0 };
	struct level *lv = NULL;
	size_t depth = 0, cap = 0;
	int err;

	if (!top->total)
		return 0;
	err = root_path(t, node, &path);
	if (!err && node != CT_ROOT && top->self)
		err = emit(out, &path, top->self);
	if (!err)
		err = push_level(t, &lv, &depth, &cap, node, path.len);
	while (!err && depth) {
		struct level *l = &lv[depth - 1];
		const struct ct_node *c;
		uint64_t item;
		uint32_t id;

		if (l->next == l->n) {
			free(l->items);
			depth--;
			continue;
		}
		item = l->items[l->next++];
		id = (uint32_t)(item >> 1);
		c = calltree__node(t, id);
		path.len = l->pathlen;
		err = path_append(&path, strtab__str(names, c->name),
				  strtab__len(names, c->name), path.len > 0);
		if (!err && !(item & 1) && c->self)
			err = emit(out, &path, c->self);
		if (!err && (item & 1) && c->child != CT_NONE)
			err = push_level(t, &lv, &depth, &cap, id, path.len);
	}
	while (depth)
		free(lv[--depth].items);
	free(lv);
	free(path.s);
	return err;
}

struct folded_out {
	const struct calltree *t;
	uint32_t node;
};

static int write_folded(FILE *f, void *ctx)
{
	const struct folded_out *o = ctx;

	return folded__write(f, o->t, o->node);
}

int folded__write_path(const char *path, const struct calltree *t, uint32_t node,
		       bool no_clobber)
{
	/* only a path the user gave may be a device or FIFO; never one that is a snapshot's */
	return atomic__write_path(path, no_clobber ? ATOMIC_NEW : ATOMIC_DIRECT_OK, write_folded,
				  &(struct folded_out){ t, node });
}
