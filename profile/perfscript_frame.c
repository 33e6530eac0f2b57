// SPDX-License-Identifier: MIT
/*
 * perf script's frame lines, as stackcollapse-perf.pl --kernel reads them
 * (see perfscript.c for the whole): matched, the offset dropped, inline
 * chains split, symbols tidied, and with --srcline each frame followed by
 * its source line.
 */

#include <stdlib.h>

#include "perfscript_int.h"

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
int ps_source_line(struct ps_state *st, const char *l, size_t n)
{
	struct buf *o = &st->func;
	size_t base = o->len, i, a, b, k;
	int err = buf_put(o, ":", 1);

	for (i = 0; i < n && !err; i++) {	/* s/\[.*?\]//g, into the frame's text */
		const char *close = l[i] == '[' ? memchr(l + i, ']', n - i) : NULL;

		if (close)
			i = (size_t)(close - l);
		else
			err = buf_put(o, l + i, 1);
	}
	if (err)
		return err;
	/* spaces around it dropped; a ";" would split the folded line (the script keeps it) */
	for (a = base + 1; a < o->len && is_space(o->s[a]); a++)
		;
	for (b = o->len; b > a && is_space(o->s[b - 1]); b--)
		;
	for (k = base + 1, i = a; i < b; i++)
		o->s[k++] = o->s[i] == ';' ? ':' : o->s[i];
	o->len = k > base + 1 ? k : base;	/* nothing left: no ':' either */
	o->s[o->len] = '\0';
	st->awaiting = false;
	err = push_frame(st, o->s, o->len);
	return err ? err : chain_next(st);
}

int ps_frame_line(struct ps_state *st, const char *l, size_t n)
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
