// SPDX-License-Identifier: MIT
/*
 * `perf script` text → stacks, folded as FlameGraph's
 * `stackcollapse-perf.pl --kernel` does, corner cases included:
 *
 *  - a sample starts at a line "COMM PID[/TID] ..." (COMM may hold spaces;
 *    they become '_'); only samples of the first event type seen are kept;
 *  - frame lines are "ADDR SYMBOL[+0xOFF] (MODULE)"; the offset is dropped,
 *    "a->b" inline chains become a;b_[i], "[unknown]" becomes "[module]",
 *    symbols are tidied (';' to ':', arguments and quotes removed), kernel
 *    modules ("[...]" or "...vmlinux") get "_[k]";
 *  - a blank line ends a sample, which counts once; '#' lines are skipped;
 *    a sample not ended by a blank line is not counted.
 *
 * The one deliberate difference: a frame that would come out empty is
 * dropped, since an empty frame is not valid folded input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *ns;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		ns = realloc(b->s, ncap);
		if (!ns)
			return -ENOMEM;
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

struct frame_ref {
	size_t off, len;
	uint32_t group;
};

struct ps_state {
	struct buf pname;
	bool has_pname;
	struct buf event;
	bool has_event;
	struct buf text;	/* frame strings, as read (leaf first) */
	struct frame_ref *frames;
	size_t nframes, cap;
	uint32_t groups;
	struct buf line;	/* the joined stack of a finished sample */
	struct buf func;	/* scratch for tidying */
	uint32_t *ids;
	size_t ids_cap;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Perl's idea of a false string: undefined, "" or "0". */
static bool pname_true(const struct ps_state *st)
{
	return st->has_pname && st->pname.len &&
	       !(st->pname.len == 1 && st->pname.s[0] == '0');
}

/* ^(\S.+?)\s+(\d+)[/]*(\d+)*\s+ : the shortest COMM that fits. */
static bool match_header(const char *l, size_t n, size_t *comm_len)
{
	size_t e, i;

	if (!n || is_space(l[0]))
		return false;
	for (e = 2; e < n; e++) {
		if (!is_space(l[e]))
			continue;
		for (i = e; i < n && is_space(l[i]); i++)
			;
		if (i >= n || !is_digit(l[i]))
			continue;
		while (i < n && is_digit(l[i]))
			i++;
		while (i < n && l[i] == '/')
			i++;
		while (i < n && is_digit(l[i]))
			i++;
		if (i < n && is_space(l[i])) {
			*comm_len = e;
			return true;
		}
	}
	return false;
}

/* /(\S+):\s*$/ : the last token, if it ends with ':' after something. */
static bool match_event(const char *l, size_t n, const char **ev, size_t *evlen)
{
	size_t end = n, start;

	while (end && is_space(l[end - 1]))
		end--;
	if (end < 2 || l[end - 1] != ':')
		return false;
	for (start = end - 1; start && !is_space(l[start - 1]); start--)
		;
	if (end - 1 - start < 1)
		return false;
	*ev = l + start;
	*evlen = end - 1 - start;
	return true;
}

/*
 * /^\s*(\w+)\s*(.+) \((\S*)\)/ with Perl's backtracking: the module is the
 * last " (X)" (X without spaces, up to its last ')') that leaves at least one
 * character of symbol after the address.
 */
static bool match_frame(const char *l, size_t n, size_t *fs, size_t *fl, size_t *ms,
			size_t *ml)
{
	size_t i = 0, pc_start, sp_end, q, best = 0, best_ml = 0, start;
	bool found = false;

	while (i < n && is_space(l[i]))
		i++;
	pc_start = i;
	while (i < n && is_word(l[i]))
		i++;
	if (i == pc_start)
		return false;
	while (i < n && is_space(l[i]))
		i++;
	sp_end = i;
	/* the rightmost q with " (" + \S*")" */
	for (q = n; q-- > pc_start + 1;) {
		size_t r, last = 0;
		bool close = false;

		if (l[q] != ' ' || q + 1 >= n || l[q + 1] != '(')
			continue;
		for (r = q + 2; r < n && !is_space(l[r]); r++) {
			if (l[r] == ')') {
				last = r;
				close = true;
			}
		}
		if (close) {
			best = q;
			best_ml = last - (q + 2);
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	/*
	 * Perl tries symbol starts from sp_end down to pc_start + 1 (shorter
	 * spaces, then a shorter address); the first one that leaves at least
	 * one character before the module wins.
	 */
	if (best >= sp_end + 1)
		start = sp_end;
	else if (best >= pc_start + 2)
		start = best - 1;
	else
		return false;
	*fs = start;
	*fl = best - start;
	*ms = best + 2;
	*ml = best_ml;
	return true;
}

static int tidy_func(struct ps_state *st, const char *f, size_t n, const char *mod,
		     size_t modlen, size_t index_in_chain)
{
	struct buf *o = &st->func;
	size_t i, k, go_open = SIZE_MAX, go_close = 0;
	char *s;
	int err;

	o->len = 0;
	if (n == 9 && memcmp(f, "[unknown]", 9) == 0) {
		const char *base = mod;
		size_t blen = modlen;

		if (!(modlen == 9 && memcmp(mod, "[unknown]", 9) == 0)) {
			const char *slash = memrchr(mod, '/', modlen);

			if (slash) {
				base = slash + 1;
				blen = modlen - (size_t)(base - mod);
			}
		} else {
			base = "unknown";
			blen = 7;
		}
		err = buf_put(o, "[", 1);
		err = err ? err : buf_put(o, base, blen);
		err = err ? err : buf_put(o, "]", 1);
	} else {
		err = buf_put(o, f, n);
	}
	if (err)
		return err;
	s = o->s;
	for (i = 0; i < o->len; i++)
		if (s[i] == ';')
			s[i] = ':';
	/* a Go method "pkg.(*T).M" keeps its parentheses */
	for (i = 0; i + 1 < o->len; i++) {
		if (go_open == SIZE_MAX && s[i] == '.' && s[i + 1] == '(')
			go_open = i;
		if (s[i] == ')' && s[i + 1] == '.')
			go_close = i;
	}
	if (!(go_open != SIZE_MAX && go_close >= go_open + 2)) {
		static const char anon[] = "(anonymous namespace)";

		for (i = 0; i < o->len; i++) {
			if (s[i] != '(')
				continue;
			if (o->len - i >= sizeof(anon) - 1 &&
			    memcmp(s + i, anon, sizeof(anon) - 1) == 0)
				continue;
			o->len = i;
			break;
		}
	}
	for (i = k = 0; i < o->len; i++)
		if (s[i] != '"' && s[i] != '\'')
			s[k++] = s[i];
	o->len = k;
	if (st->pname.len == 4 && memcmp(st->pname.s, "java", 4) == 0 &&
	    memchr(s, '/', o->len) && o->len && s[0] == 'L') {
		memmove(s, s + 1, --o->len);
	}
	if (index_in_chain > 0)
		return buf_put(o, "_[i]", 4);
	if (modlen && (mod[0] == '[' ||
		       (modlen >= 7 && memcmp(mod + modlen - 7, "vmlinux", 7) == 0)) &&
	    !memmem(mod, modlen, "unknown", 7))
		return buf_put(o, "_[k]", 4);
	return 0;
}

static int push_frame(struct ps_state *st, const char *s, size_t n)
{
	int err;

	if (st->nframes == st->cap) {
		size_t ncap = st->cap ? st->cap * 2 : 64;
		struct frame_ref *nf = realloc(st->frames, ncap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		st->frames = nf;
		st->cap = ncap;
	}
	st->frames[st->nframes] = (struct frame_ref){ .off = st->text.len, .len = n,
						      .group = st->groups };
	err = buf_put(&st->text, s, n);
	if (!err)
		st->nframes++;
	return err;
}

/*
 * The next "->"-separated piece of f[0..n) at *pos, as Perl's split finds
 * them: "a->->b" is "a", "", "b".  false once past the end.
 */
static bool next_piece(const char *f, size_t n, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos;

	if (i > n)
		return false;
	while (i + 1 < n && !(f[i] == '-' && f[i + 1] == '>'))
		i++;
	if (i + 1 >= n)
		i = n;		/* no more separators: to the end */
	*start = *pos;
	*len = i - *pos;
	*pos = i + 2;
	return true;
}

/* s/\+0x[\da-f]+$// : the length of f without a trailing offset. */
static size_t strip_offset(const char *f, size_t fl)
{
	const char *plus = memrchr(f, '+', fl), *h;

	if (!plus || (size_t)(f + fl - plus) <= 3 || plus[1] != '0' || plus[2] != 'x')
		return fl;
	for (h = plus + 3; h < f + fl && (is_digit(*h) || (*h >= 'a' && *h <= 'f')); h++)
		;
	return h == f + fl ? (size_t)(plus - f) : fl;
}

static int frame_line(struct ps_state *st, const char *l, size_t n)
{
	size_t fs, fl, ms, ml, pos, start, len, i, keep = 0;
	const char *f, *mod;
	int err;

	if (!match_frame(l, n, &fs, &fl, &ms, &ml))
		return 1;
	if (!pname_true(st))
		return 0;
	f = l + fs;
	mod = l + ms;
	fl = strip_offset(f, fl);
	if (fl && f[0] == '(')
		return 0;	/* a process name, not a frame */
	/* Perl's split drops trailing empty pieces */
	for (pos = 0, i = 0; next_piece(f, fl, &pos, &start, &len); i++)
		if (len)
			keep = i + 1;
	st->groups++;
	for (pos = 0, i = 0; i < keep && next_piece(f, fl, &pos, &start, &len); i++) {
		err = tidy_func(st, f + start, len, mod, ml, i);
		if (!err)
			err = push_frame(st, st->func.s ? st->func.s : "", st->func.len);
		if (err)
			return err;
	}
	return 0;
}

/* A blank line: the sample ends; join "pname;frames..." and count it once. */
static int end_sample(struct calltree *t, struct ps_state *st, uint64_t *samples)
{
	size_t i, j, nid = 0, pos;
	struct buf *line = &st->line;
	uint32_t leaf;
	int err;

	if (!pname_true(st))
		return 0;
	line->len = 0;
	err = buf_put(line, st->pname.s, st->pname.len);
	/* groups were read leaf first; each group keeps its own order */
	for (i = st->nframes; i > 0 && !err;) {
		uint32_t g = st->frames[i - 1].group;

		for (j = i; j > 0 && st->frames[j - 1].group == g; j--)
			;
		for (pos = j; pos < i && !err; pos++) {
			err = buf_put(line, ";", 1);
			if (!err)
				err = buf_put(line, st->text.s + st->frames[pos].off,
					      st->frames[pos].len);
		}
		i = j;
	}
	if (err)
		return err;
	/* re-split as a folded reader would, dropping empty frames */
	for (i = 0, pos = 0; i <= line->len; i++) {
		uint32_t id;

		if (i < line->len && line->s[i] != ';')
			continue;
		if (i > pos) {
			if (nid == st->ids_cap) {
				size_t ncap = st->ids_cap ? st->ids_cap * 2 : 64;
				uint32_t *ni = realloc(st->ids, ncap * sizeof(*ni));

				if (!ni)
					return -ENOMEM;
				st->ids = ni;
				st->ids_cap = ncap;
			}
			err = strtab__intern(calltree__names(t), line->s + pos, i - pos, &id);
			if (err)
				return err;
			st->ids[nid++] = id;
		}
		pos = i + 1;
	}
	st->nframes = 0;
	st->text.len = 0;
	st->has_pname = false;
	if (!nid)
		return 0;
	err = calltree__path(t, st->ids, nid, &leaf);
	if (!err)
		err = calltree__add(t, leaf, 1);
	if (!err)
		(*samples)++;
	return err;
}

static int header_line(struct ps_state *st, const char *l, size_t n, size_t comm_len)
{
	const char *ev;
	size_t evlen, i;
	int err;

	if (match_event(l, n, &ev, &evlen)) {
		if (!st->has_event) {
			st->event.len = 0;
			err = buf_put(&st->event, ev, evlen);
			if (err)
				return err;
			st->has_event = true;
		} else if (evlen != st->event.len || memcmp(ev, st->event.s, evlen)) {
			return 0;
		}
	}
	st->pname.len = 0;
	err = buf_put(&st->pname, l, comm_len);
	if (err)
		return err;
	for (i = 0; i < st->pname.len; i++)
		if (st->pname.s[i] == ' ')
			st->pname.s[i] = '_';
	st->has_pname = true;
	return 0;
}

int perfscript__parse(struct calltree *t, const char *buf, size_t len,
		      struct parse_error *perr, struct parse_stats *stats)
{
	struct ps_state st = { 0 };
	const char *p = buf, *end = buf + len;
	unsigned long lineno = 0, skipped = 0;
	uint64_t samples = 0;
	int err = 0;

	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n, comm_len;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		n = (size_t)(le - p);
		if (memchr(p, '\0', n)) {
			skipped++;
		} else if (n && p[0] == '#') {
			/* comment */
		} else if (!n) {
			err = end_sample(t, &st, &samples);
		} else if (match_header(p, n, &comm_len)) {
			err = header_line(&st, p, n, comm_len);
		} else {
			int r = frame_line(&st, p, n);

			if (r > 0)
				skipped++;
			else
				err = r;
		}
		p = nl ? nl + 1 : end;
	}
	if (err && perr) {
		perr->line = lineno;
		snprintf(perr->msg, sizeof(perr->msg), "%s",
			 err == -EOVERFLOW ? "total of samples overflows 64 bits"
					   : "out of memory");
	}
	free(st.pname.s);
	free(st.event.s);
	free(st.text.s);
	free(st.frames);
	free(st.line.s);
	free(st.func.s);
	free(st.ids);
	if (stats) {
		stats->format = FORMAT_PERF_SCRIPT;
		stats->lines = lineno;
		stats->skipped = skipped;
		stats->samples = samples;
	}
	return err;
}
