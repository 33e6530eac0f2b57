// SPDX-License-Identifier: MIT
/*
 * The explorer driven without BPF and without a terminal: a history is
 * saved as a file, replayed through the replay source into the live view,
 * and keys and the mouse go through the loop's own input path (app__input)
 * onto a grid painted by app__draw.
 */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "../../profile/history.h"
#include "../../profile/timeline.h"
#include "../../profile/treepath.h"
#include "../../tui/app.h"

struct world {
	char dir[64];
	char path[4200];
	struct strtab *names;
	struct options opts;
	struct app a;
};

static void intern(struct strtab *names, const char *const *stack, uint32_t *ids)
{
	for (int i = 0; i < 3; i++)
		assert_int_equal(strtab__intern(names, stack[i], strlen(stack[i]), &ids[i]), 0);
}

/* Seconds 1000..1019: old_work fades out at 1010, new_work takes over, common stays. */
static void write_history(struct world *w)
{
	struct history *h = history__new(w->names, 100);
	struct timeline_info ti = { .target = "test", .hz = 99, .from = 1000, .to = 1019 };
	const char *old[] = { "app", "main", "old_work" }, *new[] = { "app", "main", "new_work" };
	const char *common[] = { "app", "main", "common" };
	uint32_t ids[3];
	FILE *f;

	assert_non_null(h);
	for (int64_t s = 1000; s < 1020; s++) {
		intern(w->names, s < 1010 ? old : new, ids);
		assert_int_equal(history__add(h, s, ids, 3, 10), 0);
		intern(w->names, common, ids);
		assert_int_equal(history__add(h, s, ids, 3, 5), 0);
	}
	snprintf(w->path, sizeof(w->path), "%s/saved.history.folded", w->dir);
	f = fopen(w->path, "w");
	assert_non_null(f);
	assert_int_equal(timeline__write(f, h, &ti), 0);
	assert_int_equal(fclose(f), 0);
	history__free(h);
}

static void open_app(struct world *w, const char *path)
{
	char err[256];
	struct source *src = source__replay(path, w->names, err, sizeof(err));
	struct app *a = &w->a;

	if (!src)
		fail_msg("replay: %s", err);
	memset(a, 0, sizeof(*a));
	a->opts = &w->opts;
	a->keys = keymap__new();
	assert_non_null(a->keys);
	assert_int_equal(keymap__use_builtin(a->keys, "default"), 0);
	snprintf(a->keys_origin, sizeof(a->keys_origin), "keymap default");
	a->live = live__new(src, w->names, 600, 10, err, sizeof(err));
	if (!a->live)
		fail_msg("live: %s", err);
	a->after = NULL;
	a->scr.grid = (struct grid){ calloc(100 * 30, sizeof(struct cell)), 100, 30, false };
	a->scr.colours = COLOUR_MONO;
	assert_non_null(a->scr.grid.cells);
	app__init(a, NULL);
	app__draw(a);
}

static void close_app(struct world *w)
{
	app__free(&w->a);
	live__free(w->a.live);
	keymap__free(w->a.keys);
	free(w->a.scr.grid.cells);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	snprintf(w->dir, sizeof(w->dir), "/tmp/flametop-explorer-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	w->names = strtab__new();
	w->opts = (struct options){ .cmd = CMD_VIEW, .retain = 600, .window = 10,
				    .snapshot_dir = w->dir };
	write_history(w);
	open_app(w, w->path);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char cmd[200];

	close_app(w);
	strtab__free(w->names);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

static void key(struct app *a, int k)
{
	struct input in = { .kind = k >= 0x20 && k < 0x7f ? INPUT_CHAR : INPUT_KEY, .key = k };

	app__input(a, &in);
	app__draw(a);
}

static void mouse(struct app *a, enum mouse_kind m, int x, int y)
{
	struct input in = { .kind = INPUT_MOUSE, .mouse = m, .x = x, .y = y };

	app__input(a, &in);
	app__draw(a);
}

static const char *name_of(const struct app *a, uint32_t node)
{
	uint32_t name = calltree__node(a->tree, node)->name;

	return name == CT_NONE ? "all" : strtab__str(calltree__names(a->tree), name);
}

/* The text of a screen row, for a look at what is painted. */
static const char *row_text(const struct app *a, uint32_t y)
{
	static char buf[512];
	uint32_t n = 0;

	for (uint32_t x = 0; x < a->scr.grid.w && n < sizeof(buf) - 1; x++) {
		uint32_t ch = a->scr.grid.cells[(size_t)y * a->scr.grid.w + x].ch;

		buf[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[n] = '\0';
	return buf;
}

static void test_every_action_has_a_handler(void **state)
{
	(void)state;
	for (int i = 0; i < ACT_COUNT; i++)
		if (!action_handlers[i])
			fail_msg("action %s has no handler", action__name((enum action)i));
}

static void test_opens_paused_at_the_end(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;

	assert_int_equal(a->live->state, LIVE_PAUSED);
	assert_int_equal(a->live->w0, 1010);
	assert_int_equal(a->live->w1, 1020);
	/* new_work 10 and common 5 per second, over the last 10 seconds */
	assert_int_equal(calltree__samples(a->after), 150);
	assert_non_null(strstr(row_text(a, a->status.top + 1), "PAUSED"));
	/* the timeline shows the whole replay */
	assert_int_equal(a->timeline.height, 1);
}

static void test_select_zoom_and_rewind(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;

	key(a, 'j');
	key(a, 'j');
	assert_string_equal(name_of(a, a->flame.sel), "main");
	key(a, KEY_CODE_ENTER);
	assert_string_equal(name_of(a, a->flame.zoom), "main");
	/* back half a window: [1005, 1015); the zoom stays on its frame */
	key(a, '[');
	assert_int_equal(a->live->state, LIVE_REWOUND);
	assert_int_equal(a->live->w0, 1005);
	assert_int_equal(calltree__samples(a->after), 150);
	assert_string_equal(name_of(a, a->flame.zoom), "main");
	assert_non_null(strstr(row_text(a, a->status.top + 1), "REWOUND"));
	/* forward to the end: paused again, not "live" */
	key(a, ']');
	assert_int_equal(a->live->state, LIVE_PAUSED);
	assert_int_equal(a->live->w1, 1020);
	/* a narrower window, then a wider one */
	key(a, '-');
	assert_int_equal(a->live->window, 5);
	assert_int_equal(calltree__samples(a->after), 75);
	key(a, '+');
	key(a, '+');
	assert_int_equal(a->live->window, 20);
	assert_int_equal(calltree__samples(a->after), 300);
}

/* The leaf named name under the zoom, or CT_NONE. */
static uint32_t frame_named(const struct app *a, const char *name)
{
	for (size_t i = 0; i < a->flame.layout.nframes; i++)
		if (!strcmp(name_of(a, a->flame.layout.frames[i].node), name))
			return a->flame.layout.frames[i].node;
	return CT_NONE;
}

static void test_baseline_and_diff(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;
	const struct diff *d;

	/* the first ten seconds as the baseline, the last ten shown */
	key(a, '[');
	key(a, '[');
	assert_int_equal(a->live->w0, 1000);
	/* a replay rewinds no further than its first second */
	key(a, '[');
	assert_int_equal(a->live->w0, 1000);
	key(a, 'b');
	assert_int_equal(calltree__samples(a->diff.before), 150);
	key(a, ']');
	key(a, ']');
	key(a, 'd');
	assert_true(a->diff.on);
	assert_ptr_equal(a->tree, diff_view__tree(&a->diff));
	d = a->diff.diff;
	assert_non_null(d);
	/* new_work grew most (0 -> 66.7%), old_work shrank most */
	assert_string_equal(strtab__str(w->names, d->fns[0].name), "new_work");
	assert_string_equal(strtab__str(w->names, d->fns[d->nfns - 1].name), "old_work");
	assert_true(a->top.open);
	assert_non_null(strstr(row_text(a, a->table.top), "CHANGE"));
	assert_non_null(strstr(row_text(a, a->status.top + 1), "DIFF vs"));
	/* the window moves under the diff: it is made again */
	key(a, '[');
	assert_true(a->diff.on);
	assert_true(fabs(a->diff.diff->fns[0].delta) < 40.0);
	key(a, 'd');
	assert_false(a->diff.on);
	assert_ptr_equal(a->tree, a->after);
}

static void test_mouse_makes_actions(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;
	const struct flame_frame *f;
	uint32_t node = frame_named(a, "common");
	long i;

	assert_int_not_equal(node, CT_NONE);
	i = flame__find(&a->flame.layout, node);
	f = &a->flame.layout.frames[i];
	/* a click selects, a double click zooms, the wheel down zooms out */
	mouse(a, MOUSE_CLICK, (int)((f->x0 + f->x1) / 2 / FLAME_SUB), (int)f->row);
	assert_int_equal(a->flame.sel, node);
	assert_int_equal(a->flame.zoom, CT_ROOT);
	mouse(a, MOUSE_DOUBLE, (int)((f->x0 + f->x1) / 2 / FLAME_SUB), (int)f->row);
	assert_string_equal(name_of(a, a->flame.zoom), "common");
	mouse(a, MOUSE_WHEEL_DOWN, 1, 1);
	assert_string_equal(name_of(a, a->flame.zoom), "main");
	/* the table: a click selects a row, highlighting its function */
	key(a, 't');
	assert_true(a->top.open);
	mouse(a, MOUSE_CLICK, 3, (int)a->table.top + 2);
	assert_int_equal(a->top.sel, 1);
	assert_int_equal(a->top.name, a->top.fns[1].name);
	mouse(a, MOUSE_WHEEL_DOWN, 3, (int)a->table.top + 2);
	assert_int_equal(a->top.sel, a->top.nfns - 1);
}

static void test_search_and_help(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;

	key(a, '/');
	for (const char *p = "work"; *p; p++)
		key(a, *p);
	assert_true(a->search.on);
	assert_non_null(strstr(row_text(a, a->status.top + 1), "Search (regex): work"));
	key(a, KEY_CODE_ENTER);
	assert_false(a->search.line.on);
	/* new_work is 100 of 150 samples */
	assert_int_equal(a->search.matched, 100);
	assert_string_equal(name_of(a, a->flame.sel), "new_work");
	key(a, '?');
	assert_true(a->help.open);
	assert_non_null(strstr(row_text(a, 0), "flametop keys (keymap default)"));
	key(a, 'x');
	assert_false(a->help.open);
}

static void test_save_and_reopen(void **state)
{
	struct world *w = *state;
	char path[4200];
	uint64_t samples;

	/* w writes the retained history; the file replays to the same view */
	key(&w->a, 'w');
	assert_non_null(strstr(w->a.note.text, "history written to"));
	assert_int_equal(live__save(w->a.live, w->dir, path, sizeof(path)), 0);
	samples = calltree__samples(w->a.after);
	close_app(w);
	open_app(w, path);
	assert_int_equal(w->a.live->w0, 1010);
	assert_int_equal(calltree__samples(w->a.after), samples);
	key(&w->a, '[');
	key(&w->a, '[');
	assert_int_equal(calltree__samples(w->a.after), 150);
	assert_int_not_equal(frame_named(&w->a, "old_work"), CT_NONE);
}

/* A history whose last seconds had no samples: the window is at its end, the timeline too. */
static void test_empty_tail(void **state)
{
	struct world *w = *state;
	char path[4200];
	FILE *f;
	int64_t first;
	uint32_t n;
	uint64_t *rates;

	snprintf(path, sizeof(path), "%s/tail.history.folded", w->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# flametop history v1 target=t hz=99 from=1000 to=1029\n"
	      "# t=1000\napp;main;work 7\n# t=1001\napp;main;work 3\n", f);
	assert_int_equal(fclose(f), 0);
	close_app(w);
	open_app(w, path);
	assert_int_equal(w->a.live->w1, 1030);
	assert_int_equal(calltree__samples(w->a.after), 0);
	rates = live__rates(w->a.live, &first, &n);
	assert_non_null(rates);
	assert_int_equal(first, 1000);
	assert_int_equal(n, 30);
	assert_int_equal(rates[0], 7);
	assert_int_equal(rates[1], 3);
	free(rates);
	key(&w->a, '+');
	key(&w->a, '+');
	assert_int_equal(calltree__samples(w->a.after), 10);
}

static uint32_t temp_name(struct strtab *st, const char *s)
{
	uint32_t id;

	assert_int_equal(strtab__intern_temp(st, s, strlen(s), &id), 0);
	return id;
}

/*
 * A live view's panes hold the names they keep outside a tree (a focus, a
 * selection, a zoom's path, the process table): a sweep keeps them, and
 * frees them once let go.  A closed sandwich holds nothing.
 */
static void test_panes_hold_their_names(void **state)
{
	struct world *w = *state;
	struct app *a = &w->a;
	struct strtab *st = w->names;
	uint32_t focus = temp_name(st, "cc1-1"), top = temp_name(st, "cc1-2");
	uint32_t row = temp_name(st, "cc1-3"), path = temp_name(st, "cc1-4");
	uint32_t sand = temp_name(st, "cc1-5"), id;

	assert_int_equal(app__hold_names(a, st), 0);
	a->focus.frame = focus;
	a->top.name = top;
	a->procs.frame = row;
	name_path__free(&a->flame.zoom_path);
	a->flame.zoom_path.names = malloc(sizeof(uint32_t));
	assert_non_null(a->flame.zoom_path.names);
	a->flame.zoom_path.names[0] = path;
	a->flame.zoom_path.n = a->flame.zoom_path.cap = 1;
	a->sand.name = sand;
	assert_false(a->sand.on);
	assert_int_equal(strtab__sweep(st), 1);
	assert_string_equal(strtab__str(st, focus), "cc1-1");
	assert_string_equal(strtab__str(st, top), "cc1-2");
	assert_string_equal(strtab__str(st, row), "cc1-3");
	assert_string_equal(strtab__str(st, path), "cc1-4");
	assert_false(strtab__lookup(st, "cc1-5", 5, &id));
	/* let go, they go */
	a->focus.frame = a->top.name = a->procs.frame = CT_NONE;
	name_path__free(&a->flame.zoom_path);
	assert_int_equal(strtab__sweep(st), 4);
	assert_false(strtab__lookup(st, "cc1-1", 5, &id));
	/* closed, the app holds nothing more */
	a->focus.frame = temp_name(st, "cc1-6");
	close_app(w);
	assert_int_equal(strtab__sweep(st), 1);
	open_app(w, w->path);	/* for teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_action_has_a_handler),
		cmocka_unit_test_setup_teardown(test_opens_paused_at_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_zoom_and_rewind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_and_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mouse_makes_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_and_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_panes_hold_their_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
