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

#include "perfscript_int.h"


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
		return ps_source_line(&ps->st, l, n);
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
	err = ps_frame_line(&ps->st, l, n);
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
