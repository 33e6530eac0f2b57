// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "../keymaps/keymap.h"
#include "../render/palette.h"
#include "screen.h"
#include "screen_out.h"

volatile sig_atomic_t screen_quit_signal;
/* resumed after a stop: curses repainted its blank screen over ours */
static volatile sig_atomic_t resumed;

struct term {
	SCREEN *scr;
	FILE *in, *out;
	int pairs_used;
	int pair[PAL_COUNT][PAL_COUNT];	/* 0: not made yet; -1: out of pairs */
	cchar_t *row;			/* one row of cells, as curses takes them */
	uint32_t row_cap;
	struct screen_out *direct;	/* NULL: curses paints */
};

/* The one open terminal, for the fatal-signal handler. */
static struct term *open_term;

static void restore_terminal(void)
{
	if (open_term && open_term->scr && !isendwin())
		endwin();
}

static void on_quit_signal(int sig)
{
	screen_quit_signal = sig;
}

static void on_continue(int sig)
{
	(void)sig;
	resumed = 1;
}

static void on_fatal_signal(int sig)
{
	/* best effort: leave the terminal usable, then die of the same signal */
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	for (size_t i = 0; i < sizeof(quit) / sizeof(quit[0]); i++)
		sigaction(quit[i], &sa, NULL);
	sa.sa_handler = on_continue;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

static enum colour_mode pick_colours(void)
{
	const char *no = getenv("NO_COLOR");

	if ((no && *no) || !has_colors() || start_color() == ERR)
		return COLOUR_MONO;
	use_default_colors();
	if (COLORS >= 256)
		return COLOUR_256;
	return COLORS >= 8 ? COLOUR_8 : COLOUR_MONO;
}

bool screen__copy(struct screen *s, const char *text, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct term *t = s->priv;
	char out[(SCREEN_CLIP_MAX + 2) / 3 * 4 + 1];
	size_t o = 0;

	if (!t || len > SCREEN_CLIP_MAX)
		return false;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)text[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)(unsigned char)text[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)text[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	fprintf(t->out, "\033]52;c;%s\a", out);
	fflush(t->out);
	return true;
}

static short curses_colour(enum colour_mode m, uint8_t id);

/*
 * Our own painter (screen_out.h) where the terminal allows, unless
 * FLAMETOP_PAINT=curses.  curses first puts the terminal in its mode
 * (alternate screen, cleared) with one refresh of the blank stdscr.
 */
static void open_direct(struct screen *s)
{
	struct term *t = s->priv;
	const char *how = getenv("FLAMETOP_PAINT");
	short colour[PAL_COUNT];

	if (how && !strcmp(how, "curses"))
		return;
	for (int i = 0; i < PAL_COUNT; i++)
		colour[i] = curses_colour(s->colours, (uint8_t)i);
	wnoutrefresh(stdscr);
	doupdate();
	t->direct = screen_out__new(t->out, s->colours == COLOUR_MONO ? NULL : colour);
}

int screen__open(struct screen *s, const char *tty, bool mouse, char *msg, size_t size)
{
	struct term *t = calloc(1, sizeof(*t));
	const char *term = getenv("TERM");
	int err;

	memset(s, 0, sizeof(*s));
	if (!t)
		return -ENOMEM;
	setlocale(LC_CTYPE, "");
	if (!tty)
		tty = "/dev/tty";
	t->in = fopen(tty, "re");
	t->out = t->in ? fopen(tty, "we") : NULL;
	if (!t->out) {
		err = -errno;
		snprintf(msg, size, "cannot open the terminal (%s): %s; "
			 "run flametop in a terminal, or use 'flametop report' for text",
			 tty, strerror(errno));
		goto err_free;
	}
	if (!term || !*term)
		term = "vt100";
	t->scr = newterm(term, t->out, t->in);
	if (!t->scr) {
		err = -EINVAL;
		snprintf(msg, size, "cannot use terminal type '%s'; set TERM to one that exists "
			 "(e.g. TERM=xterm-256color)", term);
		goto err_free;
	}
	open_term = t;
	s->priv = t;
	s->fd = fileno(t->in);
	atexit(restore_terminal);
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mouseinterval(0);
	s->colours = pick_colours();
	s->grid.utf8 = locale_is_utf8();
	screen__set_mouse(s, mouse);
	open_direct(s);
	return screen__resize(s);
err_free:
	if (t->in)
		fclose(t->in);
	free(t);
	return err;
}

void screen__close(struct screen *s)
{
	struct term *t = s->priv;

	if (!t)
		return;
	screen__set_mouse(s, false);
	screen_out__free(t->direct);
	endwin();
	delscreen(t->scr);
	open_term = NULL;
	fclose(t->out);
	fclose(t->in);
	free(t->row);
	free(t);
	free(s->grid.cells);
	s->priv = NULL;
	s->grid.cells = NULL;
}

void screen__set_mouse(struct screen *s, bool on)
{
	/* presses, not clicks: curses holds a click back until the next input to see if a
	 * second one follows; double clicks are told apart here instead */
	mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED;

#ifdef BUTTON5_PRESSED
	want |= BUTTON5_PRESSED;
#endif
	s->mouse = on && mousemask(on ? want : 0, NULL) != 0;
	if (!on)
		mousemask(0, NULL);
}

int screen__resize(struct screen *s)
{
	struct term *t = s->priv;
	uint32_t w = (uint32_t)(COLS > 0 ? COLS : 1), h = (uint32_t)(LINES > 0 ? LINES : 1);
	struct cell *cells;

	if (w == s->grid.w && h == s->grid.h && s->grid.cells)
		return 0;
	if (t && t->direct) {
		/* whatever curses does on a resize (a clear) is done before we paint again */
		wnoutrefresh(stdscr);
		doupdate();
		screen_out__invalidate(t->direct);
	}
	cells = calloc((size_t)w * h, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	free(s->grid.cells);
	s->grid.cells = cells;
	s->grid.w = w;
	s->grid.h = h;
	return 0;
}

void screen__invalidate(struct screen *s)
{
	struct term *t = s->priv;

	if (t && t->direct)
		screen_out__invalidate(t->direct);
	else
		clearok(curscr, TRUE);
}

static short curses_colour(enum colour_mode m, uint8_t id)
{
	if (id == PAL_DEFAULT)
		return -1;
	return m == COLOUR_256 ? palette__xterm256(id) : palette__ansi8(id);
}

static int pair_for(struct screen *s, uint8_t fg, uint8_t bg)
{
	struct term *t = s->priv;
	int *p;

	if (s->colours == COLOUR_MONO || fg >= PAL_COUNT || bg >= PAL_COUNT)
		return 0;
	p = &t->pair[fg][bg];
	if (*p)
		return *p > 0 ? *p : 0;
	if (t->pairs_used + 1 >= COLOR_PAIRS ||
	    init_extended_pair(t->pairs_used + 1, curses_colour(s->colours, fg),
			       curses_colour(s->colours, bg)) == ERR) {
		*p = -1;
		return 0;
	}
	*p = ++t->pairs_used;
	return *p;
}

static attr_t curses_attr(uint8_t a)
{
	attr_t r = A_NORMAL;

	if (a & CELL_BOLD)
		r |= A_BOLD;
	if (a & CELL_REVERSE)
		r |= A_REVERSE;
	if (a & CELL_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & CELL_DIM)
		r |= A_DIM;
	return r;
}

void screen__paint(struct screen *s)
{
	struct term *t = s->priv;
	const struct grid *g = &s->grid;

	if (t->direct) {
		if (resumed) {
			resumed = 0;
			screen_out__invalidate(t->direct);
		}
		screen_out__paint(t->direct, g);	/* a failure repaints all next time */
		return;
	}
	if (t->row_cap < g->w) {
		cchar_t *row = realloc(t->row, g->w * sizeof(*row));

		if (!row)
			return;
		t->row = row;
		t->row_cap = g->w;
	}
	for (uint32_t y = 0; y < g->h; y++) {
		const struct cell *c = &g->cells[(size_t)y * g->w];

		for (uint32_t x = 0; x < g->w; x++, c++) {
			wchar_t wch[2] = { (wchar_t)(c->ch ? c->ch : ' '), 0 };
			int pair = pair_for(s, c->fg, c->bg);

			setcchar(&t->row[x], wch, curses_attr(c->attr), 0, &pair);
		}
		/* one call a row: the bottom-right cell is written without scrolling */
		mvadd_wchnstr((int)y, 0, t->row, (int)g->w);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static const struct {
	int curses, code;
} special_keys[] = {
	{ KEY_UP, KEY_CODE_UP },	 { KEY_DOWN, KEY_CODE_DOWN },
	{ KEY_LEFT, KEY_CODE_LEFT },	 { KEY_RIGHT, KEY_CODE_RIGHT },
	{ KEY_HOME, KEY_CODE_HOME },	 { KEY_END, KEY_CODE_END },
	{ KEY_PPAGE, KEY_CODE_PGUP },	 { KEY_NPAGE, KEY_CODE_PGDN },
	{ KEY_IC, KEY_CODE_INSERT },	 { KEY_DC, KEY_CODE_DELETE },
	{ KEY_BTAB, KEY_CODE_BACKTAB },	 { KEY_ENTER, KEY_CODE_ENTER },
	{ KEY_BACKSPACE, KEY_CODE_BACKSPACE }, { KEY_A1, KEY_CODE_HOME },
	{ KEY_C3, KEY_CODE_PGDN },	 { KEY_A3, KEY_CODE_PGUP },
	{ KEY_C1, KEY_CODE_END },
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool mouse_input(struct input *in)
{
	static double last_press;
	static int last_x = -1, last_y = -1;
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return false;
	in->kind = INPUT_MOUSE;
	in->x = ev.x;
	in->y = ev.y;
	if (ev.bstate & BUTTON1_PRESSED) {
		double t = mono_now();

		/* a second press on the same cell within 0.4 s is a double click */
		in->mouse = t - last_press < 0.4 && ev.x == last_x && ev.y == last_y
			? MOUSE_DOUBLE : MOUSE_CLICK;
		last_press = in->mouse == MOUSE_DOUBLE ? 0 : t;
		last_x = ev.x;
		last_y = ev.y;
	} else if (ev.bstate & BUTTON4_PRESSED)
		in->mouse = MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		in->mouse = MOUSE_WHEEL_DOWN;
#endif
	else
		return false;
	return true;
}

bool screen__input(struct screen *s, struct input *in)
{
	wint_t ch;

	for (;;) {
		int r = get_wch(&ch);

		memset(in, 0, sizeof(*in));
		if (r == ERR)
			return false;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				/* even back to the same size, the terminal may have reflowed */
				screen__invalidate(s);
				in->kind = INPUT_RESIZE;
				return true;
			}
			if (ch == KEY_MOUSE) {
				if (mouse_input(in))
					return true;
				continue;
			}
			in->kind = INPUT_KEY;
			in->key = -1;
			if (ch >= KEY_F(1) && ch <= KEY_F(12))
				in->key = KEY_CODE_F((int)(ch - KEY_F0));
			for (size_t i = 0; i < sizeof(special_keys) / sizeof(special_keys[0]); i++)
				if ((int)ch == special_keys[i].curses)
					in->key = special_keys[i].code;
			if (in->key < 0)
				continue;
			return true;
		}
		/* a character: controls are keys; printable ones also carry their code point */
		in->kind = ch >= 0x20 && ch != 0x7f ? INPUT_CHAR : INPUT_KEY;
		in->key = (int)ch;
		if (ch == '\n' || ch == '\r')
			in->key = KEY_CODE_ENTER, in->kind = INPUT_KEY;
		else if (ch == 8 || ch == 0x7f)
			in->key = KEY_CODE_BACKSPACE, in->kind = INPUT_KEY;
		return true;
	}
}
