// SPDX-License-Identifier: MIT
/*
 * `perf script` text → stacks, folded as FlameGraph's
 * `stackcollapse-perf.pl --kernel` (commit 41fee1f) folds it, corner cases
 * included: each of its regexes is matched the way Perl's backtracking
 * matches it (see the comment of each match_ function).
 *
 *  - a sample starts at a line "COMM PID[/TID] ..." (COMM may hold spaces;
 *    they become '_'); only samples of the first event type seen are kept;
 *  - it weighs the period printed before its event ("339.39: 3344481
 *    cpu-clock:"), or 1 when none is printed or it is 0 (with perf record
 *    -F periods differ, and a sample stands for its period);
 *  - frame lines are "ADDR SYMBOL[+0xOFF] (MODULE)", MODULE running to the
 *    line's last ')' (a path may hold spaces); the offset is dropped,
 *    "a->b" inline chains become a;b_[i], "[unknown]" becomes "[module]",
 *    symbols are tidied (';' to ':', arguments and quotes removed), kernel
 *    modules ("[...]" or "...vmlinux") get "_[k]";
 *  - a blank line ends a sample; '#' lines are skipped; a sample not ended
 *    by a blank line is not counted.
 *
 * Deliberate differences, where the script would write what is not valid
 * folded text or exit 0 on what is no profile: an empty frame is dropped;
 * a CR before the line break is not part of the line (SPEC.md); a NUL byte
 * is an error on its line (-EINVAL); a period or a stack's total past
 * 2^64-1 is an error (-EOVERFLOW) where Perl goes on in floating point; a
 * stack of weight 0 (period "00") is not written as "stack 0"; text with
 * lines but not one sample is an error (-EINVAL, from perfscript__end); a
 * root frame starting with '#' starts with '_' (folded readers take such a
 * line for a comment).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "folded.h"

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (vec_reserve(b->s, b->cap, b->len + n + 1, 256))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

struct span {
	const char *s;
	size_t len;
};

struct frame_ref {
	size_t off, len;
	uint32_t group;
};

struct ps_state {
	struct buf pname;	/* Perl's $pname; empty when undefined */
	uint64_t period;	/* the weight of the sample pname heads */
	struct buf event;	/* the event kept; empty until one is seen */
	struct buf text;	/* frame strings, as read (leaf first) */
	struct frame_ref *frames;
	size_t nframes, cap;
	uint32_t groups;
	struct buf func;	/* scratch for tidying */
	uint32_t *ids;
	size_t ids_cap;
	/* --srcline: each frame takes the line after it as its source line */
	bool srcline;
	struct buf chain;	/* the frame line's function chain, kept while lines come */
	struct buf mod;		/* and its module */
	size_t chain_pos, chain_i, chain_keep;
	bool unknown;		/* the chain met an unknown frame: no more lines read */
	bool awaiting;		/* the next line is the source line of st->func */
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
	return st->pname.len && !(st->pname.len == 1 && st->pname.s[0] == '0');
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

/*
 * /:\s*(\d+)*\s+(\S+):\s*$/ : the event is the last token, which ends in
 * ':' after at least one character; before it, past spaces, an optional
 * number (the period, all its digits: (\d+)* takes them in one go) and
 * spaces again must lead back to a ':' (the end of the time).  Since only
 * spaces and digits may lie between that ':' and the event, at most one
 * ':' can start the match, so where Perl starts does not matter.
 */
static bool match_event(const char *l, size_t n, struct span *ev, struct span *period)
{
	size_t end = n, start, i, digits, digits_end;

	while (end && is_space(l[end - 1]))
		end--;
	if (end < 2 || l[end - 1] != ':')
		return false;
	for (start = end - 1; start && !is_space(l[start - 1]); start--)
		;
	if (start + 1 >= end || !start)
		return false;
	for (i = start; i && is_space(l[i - 1]); i--)
		;
	digits_end = i;
	while (i && is_digit(l[i - 1]))
		i--;
	digits = i;
	while (i && is_space(l[i - 1]))
		i--;
	if (!i || l[i - 1] != ':')
		return false;
	*period = (struct span){ l + digits, digits_end - digits };
	*ev = (struct span){ l + start, end - 1 - start };
	return true;
}

/*
 * /^\s*(\w+)\s*(.+) \((.*)\)/ with Perl's backtracking.  (.*) ends at the
 * line's last ')'; greedy (.+) ends at the last " (" before it, so the module
 * is what lies between, spaces and all.  When that leaves no character of
 * symbol after the spaces, Perl gives back spaces, then characters of the
 * address: the symbol starts just before the " (" if one address character
 * is left.
 */
static bool match_frame(const char *l, size_t n, struct span *sym, struct span *mod)
{
	const char *close = memrchr(l, ')', n);
	size_t i = 0, pc_start, sp_end, open, q, start;

	while (i < n && is_space(l[i]))
		i++;
	pc_start = i;
	while (i < n && is_word(l[i]))
		i++;
	if (i == pc_start || !close)
		return false;
	while (i < n && is_space(l[i]))
		i++;
	sp_end = i;
	/* the last " (" (its space at q) with the ')' after its '(' */
	for (open = (size_t)(close - l) - 1; open > pc_start; open--)
		if (l[open] == '(' && l[open - 1] == ' ')
			break;
	if (open <= pc_start)
		return false;
	q = open - 1;
	if (q >= sp_end + 1)
		start = sp_end;
	else if (q >= pc_start + 2)
		start = q - 1;
	else
		return false;
	*sym = (struct span){ l + start, q - start };
	*mod = (struct span){ l + q + 2, (size_t)(close - l) - (q + 2) };
	return true;
}

/* "[unknown]" names its module instead: "[libc.so.6]", or "[unknown]". */
static int put_unknown(struct buf *o, struct span mod)
{
	const char *base = "unknown", *slash;
	size_t blen = 7;
	int err;

	if (!(mod.len == 9 && memcmp(mod.s, "[unknown]", 9) == 0)) {
		slash = memrchr(mod.s, '/', mod.len);	/* s/.*\/// */
		base = slash ? slash + 1 : mod.s;
		blen = mod.len - (size_t)(base - mod.s);
	}
	err = buf_put(o, "[", 1);
	err = err ? err : buf_put(o, base, blen);
	return err ? err : buf_put(o, "]", 1);
}

static int tidy_func(struct ps_state *st, const char *f, size_t n, struct span mod,
		     size_t index_in_chain)
{
	struct buf *o = &st->func;
	size_t i, k, go_open = SIZE_MAX, go_close = 0;
	char *s;
	int err;

	o->len = 0;
	if (n == 9 && memcmp(f, "[unknown]", 9) == 0)
		err = put_unknown(o, mod);
	else
		err = buf_put(o, f, n);
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
	/* $pname =~ m/^java/: "java", "javac", "java_thread" ... */
	if (st->pname.len >= 4 && memcmp(st->pname.s, "java", 4) == 0 &&
	    memchr(s, '/', o->len) && o->len && s[0] == 'L') {
		memmove(s, s + 1, --o->len);
	}
	if (index_in_chain > 0)
		return memmem(s, o->len, "_[i]", 4) ? 0 : buf_put(o, "_[i]", 4);
	if (mod.len && (mod.s[0] == '[' ||
			(mod.len >= 7 && memcmp(mod.s + mod.len - 7, "vmlinux", 7) == 0)) &&
	    !memmem(mod.s, mod.len, "unknown", 7))
		return buf_put(o, "_[k]", 4);
	return 0;
}

static int push_frame(struct ps_state *st, const char *s, size_t n)
{
	int err;

	if (vec_reserve(st->frames, st->cap, st->nframes + 1, 64))
		return -ENOMEM;
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

/*
 * --srcline (stackcollapse-perf.pl's): each frame of the chain, unless the
 * chain met "[unknown]" of an unknown module, takes the next line of the
 * input as its source line.  Goes through the chain until a frame waits
 * for its line (st->awaiting) or the chain ends.
 */
static int chain_next(struct ps_state *st)
{
	struct span mod = { st->mod.s, st->mod.len };
	size_t start, len;
	int err;

	while (st->chain_i < st->chain_keep &&
	       next_piece(st->chain.s, st->chain.len, &st->chain_pos, &start, &len)) {
		const char *f = st->chain.s + start;

		st->unknown |= len == 9 && !memcmp(f, "[unknown]", 9) && mod.len == 9 &&
			       !memcmp(mod.s, "[unknown]", 9);
		err = tidy_func(st, f, len, mod, st->chain_i++);
		if (err)
			return err;
		if (!st->unknown) {
			st->awaiting = true;
			return 0;
		}
		err = push_frame(st, st->func.s ? st->func.s : "", st->func.len);
		if (err)
			return err;
	}
	return 0;
}

static int chain_begin(struct ps_state *st, const char *f, size_t fl, struct span mod,
		       size_t keep)
{
	int err;

	st->chain.len = st->mod.len = 0;
	err = buf_put(&st->chain, f, fl);
	err = err ? err : buf_put(&st->mod, mod.s, mod.len);
	if (err)
		return err;
	st->chain_pos = st->chain_i = 0;
	st->chain_keep = keep;
	st->unknown = false;
	return chain_next(st);
}

/*
 * The source line of the frame waiting for it: "[...]" parts and the
 * spaces around dropped, then ":" and it after the frame (nothing if empty).
 */
static int source_line(struct ps_state *st, const char *l, size_t n)
{
	size_t i, k = 0, a, b;
	char *t = malloc(n ? n : 1);
	int err = 0;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {	/* s/\[.*?\]//g */
		const char *close = l[i] == '[' ? memchr(l + i, ']', n - i) : NULL;

		if (close)
			i = (size_t)(close - l);
		else
			t[k++] = l[i];
	}
	for (a = 0; a < k && is_space(t[a]); a++)
		;
	for (b = k; b > a && is_space(t[b - 1]); b--)
		;
	st->awaiting = false;
	/* a ';' would split the frame in the folded line (the script keeps it) */
	for (i = a; i < b; i++)
		if (t[i] == ';')
			t[i] = ':';
	if (b > a) {
		err = buf_put(&st->func, ":", 1);
		err = err ? err : buf_put(&st->func, t + a, b - a);
	}
	free(t);
	err = err ? err : push_frame(st, st->func.s ? st->func.s : "", st->func.len);
	return err ? err : chain_next(st);
}

/* A frame line of the sample pname heads: 0, -errno, or 1 if it is none. */
static int frame_line(struct ps_state *st, const char *l, size_t n)
{
	size_t fl, pos, start, len, i, keep = 0;
	struct span sym, mod;
	const char *f;
	int err;

	if (!match_frame(l, n, &sym, &mod))
		return 1;
	if (!pname_true(st))
		return 0;
	f = sym.s;
	fl = strip_offset(f, sym.len);
	if (fl && f[0] == '(')
		return 0;	/* a process name, not a frame */
	/* Perl's split drops trailing empty pieces */
	for (pos = 0, i = 0; next_piece(f, fl, &pos, &start, &len); i++)
		if (len)
			keep = i + 1;
	st->groups++;
	if (st->srcline)
		return chain_begin(st, f, fl, mod, keep);
	for (pos = 0, i = 0; i < keep && next_piece(f, fl, &pos, &start, &len); i++) {
		err = tidy_func(st, f + start, len, mod, i);
		if (!err)
			err = push_frame(st, st->func.s ? st->func.s : "", st->func.len);
		if (err)
			return err;
	}
	return 0;
}

/* Appends the id of the frame s[0..n) to st->ids, unless it is empty. */
static int add_id(struct calltree *t, struct ps_state *st, size_t *nid, const char *s,
		  size_t n)
{
	uint32_t id;
	int err;

	if (!n)
		return 0;	/* an empty frame is no valid folded frame */
	if (!*nid && s[0] == '#') {
		/* a folded line starting with '#' is a comment: the root never does */
		st->func.len = 0;
		err = buf_put(&st->func, s, n);
		if (err)
			return err;
		st->func.s[0] = '_';
		s = st->func.s;
	}
	if (vec_reserve(st->ids, st->ids_cap, *nid + 1, 64))
		return -ENOMEM;
	err = strtab__intern(calltree__names(t), s, n, &id);
	if (!err)
		st->ids[(*nid)++] = id;
	return err;
}

/*
 * A blank line: the sample ends; the stack "pname;frames..." gets the
 * sample's period (Perl's $collapsed{$stack} += $m_period) and *stacks
 * counts it.  Frames hold no ';' (tidied away), but pname may: it splits
 * into frames as it does in the script's joined output.
 */
static int end_sample(struct calltree *t, struct ps_state *st, uint64_t *weight,
		      uint64_t *stacks)
{
	const struct buf *pn = &st->pname;
	size_t i, j, nid = 0, pos;
	uint32_t leaf;
	int err = 0;

	if (!pname_true(st))
		return 0;
	for (pos = 0; pos <= pn->len && !err; pos = i + 1) {
		const char *semi = memchr(pn->s + pos, ';', pn->len - pos);

		i = semi ? (size_t)(semi - pn->s) : pn->len;
		err = add_id(t, st, &nid, pn->s + pos, i - pos);
	}
	/* groups were read leaf first; each group keeps its own order */
	for (i = st->nframes; i > 0 && !err; i = j) {
		uint32_t g = st->frames[i - 1].group;

		for (j = i; j > 0 && st->frames[j - 1].group == g; j--)
			;
		for (pos = j; pos < i && !err; pos++)
			err = add_id(t, st, &nid, st->text.s + st->frames[pos].off,
				     st->frames[pos].len);
	}
	if (err)
		return err;
	st->nframes = 0;
	st->text.len = 0;
	st->pname.len = 0;
	if (!nid)
		return 0;
	(*stacks)++;
	if (!st->period)
		return 0;	/* "00": Perl adds 0; no node for it */
	err = calltree__path(t, st->ids, nid, &leaf);
	if (!err)
		err = calltree__add(t, leaf, st->period);
	if (!err)
		*weight += st->period;
	return err;
}

/*
 * Perl's `$period = 1 if not $period`: no number or "0" weighs 1; other
 * numbers weigh their value, so "00" weighs 0.  -EOVERFLOW past 2^64-1.
 */
static int parse_period(struct span p, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!p.len || (p.len == 1 && p.s[0] == '0')) {
		*out = 1;
		return 0;
	}
	for (i = 0; i < p.len; i++) {
		unsigned d = (unsigned)(p.s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EOVERFLOW;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int header_line(struct ps_state *st, const char *l, size_t n, size_t comm_len)
{
	struct span ev, period = { 0 };
	size_t i;
	int err;

	if (match_event(l, n, &ev, &period)) {
		if (!st->event.len) {
			err = buf_put(&st->event, ev.s, ev.len);
			if (err)
				return err;
		} else if (ev.len != st->event.len || memcmp(ev.s, st->event.s, ev.len)) {
			return 0;	/* another event: this sample is not read */
		}
	}
	err = parse_period(period, &st->period);
	if (err)
		return err;
	st->pname.len = 0;
	err = buf_put(&st->pname, l, comm_len);
	if (err)
		return err;
	for (i = 0; i < st->pname.len; i++)
		if (st->pname.s[i] == ' ')
			st->pname.s[i] = '_';
	return 0;
}

/* The reader's state between chunks of whole lines. */
struct perfscript {
	struct calltree *t;
	struct ps_state st;
	unsigned long lines, skipped;
	unsigned long first_text;	/* the first line with text, not a comment */
	unsigned long first_unknown;	/* the first such line not understood */
	uint64_t samples;		/* the sum of the periods */
	uint64_t stacks;		/* samples kept */
};

struct perfscript *perfscript__begin_flags(struct calltree *t, unsigned flags)
{
	struct perfscript *ps = calloc(1, sizeof(*ps));

	if (ps) {
		ps->t = t;
		ps->st.srcline = flags & READ_SRCLINE;
	}
	return ps;
}

struct perfscript *perfscript__begin(struct calltree *t)
{
	return perfscript__begin_flags(t, 0);
}

static bool blank(const char *l, size_t n)
{
	while (n && is_space(l[n - 1]))
		n--;
	return !n;
}

/*
 * One line, without its line break, numbered line in the whole input, in
 * the script's order of tests.  On an error *msg says what is wrong.
 */
static int read_line(struct perfscript *ps, const char *l, size_t n, unsigned long line,
		     const char **msg)
{
	size_t comm_len;
	int err;

	if (memchr(l, '\0', n)) {
		*msg = "NUL byte in the line";
		return -EINVAL;
	}
	/* --srcline: whatever the line is, it is the frame's source line */
	if (ps->st.awaiting)
		return source_line(&ps->st, l, n);
	if (n && l[0] == '#')
		return 0;
	if (!n) {
		*msg = "total of samples overflows 64 bits";
		return end_sample(ps->t, &ps->st, &ps->samples, &ps->stacks);
	}
	if (!ps->first_text && !blank(l, n))
		ps->first_text = line;
	if (match_header(l, n, &comm_len)) {
		*msg = "the period does not fit in 64 bits";
		return header_line(&ps->st, l, n, comm_len);
	}
	err = frame_line(&ps->st, l, n);
	if (err <= 0)
		return err;
	ps->skipped++;		/* the script warns "Unrecognized line" */
	if (!ps->first_unknown && !blank(l, n))
		ps->first_unknown = line;
	return 0;
}

int perfscript__feed(struct perfscript *ps, const char *buf, size_t len,
		     struct parse_error *perr)
{
	const char *p = buf, *end = buf + len, *msg = "";
	unsigned long lineno = 0;
	int err = 0;

	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		err = read_line(ps, p, (size_t)(le - p), ps->lines + lineno, &msg);
		p = nl ? nl + 1 : end;
	}
	ps->lines += lineno;
	if (err && perr) {
		perr->line = lineno;
		snprintf(perr->msg, sizeof(perr->msg), "%s",
			 err == -ENOMEM ? "out of memory" : msg);
	}
	return err;
}

/*
 * Text in which not one sample was found is not a profile with no samples:
 * the error names the first line not understood, or else the first line.
 */
int perfscript__end(struct perfscript *ps, struct parse_error *perr,
		    struct parse_stats *stats)
{
	struct ps_state *st;
	int ret = 0;

	if (!ps)
		return 0;
	if (!ps->stacks && ps->first_text) {
		ret = -EINVAL;
		if (perr) {
			perr->line = ps->first_unknown ? ps->first_unknown : ps->first_text;
			snprintf(perr->msg, sizeof(perr->msg), "%s",
				 ps->first_unknown
				 ? "no perf script sample in the input, and this line is not one"
				 : "no perf script sample in the input: each needs its stack "
				   "(perf record -g) and a blank line after it");
		}
	}
	st = &ps->st;
	free(st->pname.s);
	free(st->event.s);
	free(st->text.s);
	free(st->frames);
	free(st->func.s);
	free(st->ids);
	free(st->chain.s);
	free(st->mod.s);
	if (stats) {
		stats->format = FORMAT_PERF_SCRIPT;
		stats->lines = ps->lines;
		stats->skipped = ps->skipped;
		stats->samples = ps->samples;
	}
	free(ps);
	return ret;
}

int perfscript__parse(struct calltree *t, const char *buf, size_t len,
		      struct parse_error *perr, struct parse_stats *stats)
{
	struct perfscript *ps = perfscript__begin(t);
	int err, end_err;

	if (!ps)
		return -ENOMEM;
	err = perfscript__feed(ps, buf, len, perr);
	end_err = perfscript__end(ps, err ? NULL : perr, stats);
	return err ? err : end_err;
}
