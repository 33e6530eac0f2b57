// SPDX-License-Identifier: MIT
/* render/: tree -> frames -> cells, with plain data. */
#include <locale.h>

#include "helpers.h"
#include "../../render/flame.h"
#include "../../render/palette.h"
#include "../../render/timeline.h"

static const char split_profile[] =
	"p;main;alpha;sixty 60\n"
	"p;main;beta;thirty 30\n"
	"p;main;gamma;ten 10\n";

/* Every frame lies inside its parent's frame, rows are ordered, widths add up. */
static void check_layout(const struct flame_layout *l)
{
	const struct calltree *t = l->tree;

	assert_true(l->nrows >= 1);
	assert_int_equal(l->frames[l->rows[l->ncrumbs]].node, l->zoom);
	for (uint32_t r = 0; r < l->nrows; r++) {
		uint64_t sum_children = 0;

		for (uint32_t i = l->rows[r]; i < l->rows[r + 1]; i++) {
			const struct flame_frame *f = &l->frames[i];

			assert_int_equal(f->row, r);
			assert_true(f->x1 <= l->width * FLAME_SUB);
			assert_true(f->x1 - f->x0 >= FLAME_SUB);
			if (i > l->rows[r])
				assert_true(l->frames[i - 1].x1 <= f->x0);
			if (r <= l->ncrumbs) {
				assert_int_equal(f->x0, 0);
				assert_int_equal(f->x1, l->width * FLAME_SUB);
				continue;
			}
			/* the parent is on the row above and contains the frame */
			long p = flame__find(l, calltree__node(t, f->node)->parent);

			assert_true(p >= 0);
			assert_int_equal(l->frames[p].row, r - 1);
			assert_true(l->frames[p].x0 <= f->x0 && f->x1 <= l->frames[p].x1);
			sum_children += f->x1 - f->x0;
		}
		(void)sum_children;
	}
	/* children of a frame never take more than the frame */
	for (size_t i = 0; i < l->nframes; i++) {
		uint64_t kids = 0;

		for (size_t j = 0; j < l->nframes; j++)
			if (l->frames[j].row == l->frames[i].row + 1 && l->frames[i].row >= l->ncrumbs &&
			    calltree__node(t, l->frames[j].node)->parent == l->frames[i].node)
				kids += l->frames[j].x1 - l->frames[j].x0;
		assert_true(kids <= l->frames[i].x1 - l->frames[i].x0);
	}
}

static void test_layout_shares(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;

	load_folded(f->t, split_profile);
	flame__init(&l);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 100), 0);
	check_layout(&l);
	/* all, p, main, then alpha/beta/gamma and their leaves */
	assert_int_equal(l.nrows, 5);
	assert_int_equal(l.rows[4] - l.rows[3], 3);
	/* exactly 60/30/10 of 100 cells, in name order */
	assert_int_equal(l.frames[l.rows[3]].x0, 0);
	assert_int_equal(l.frames[l.rows[3]].x1, 60 * FLAME_SUB);
	assert_int_equal(l.frames[l.rows[3] + 1].x1, 90 * FLAME_SUB);
	assert_int_equal(l.frames[l.rows[3] + 2].x1, 100 * FLAME_SUB);
	/* widths of a frame's children sum to it when it has no self samples */
	assert_int_equal(l.frames[l.rows[4] - 1].x1 - l.frames[l.rows[3]].x0, 100 * FLAME_SUB);
	flame__release(&l);
}

static void test_layout_drops_narrow_frames(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;

	/* "tiny" is 1/1000 of the samples: under one cell of 100, gone with its child */
	load_folded(f->t, "p;big;leaf 999\np;tiny;below 1\n");
	flame__init(&l);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 100), 0);
	check_layout(&l);
	for (size_t i = 0; i < l.nframes; i++) {
		const char *s = l.frames[i].node ?
			strtab__str(f->names, calltree__node(f->t, l.frames[i].node)->name) : "all";

		assert_string_not_equal(s, "tiny");
		assert_string_not_equal(s, "below");
	}
	/* 1 sample in 8 cells is one cell: it stays */
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 8000), 0);
	check_layout(&l);
	assert_int_equal(l.nframes, 6);
	flame__release(&l);
}

/*
 * A frame with no samples when its parent's children were first ordered
 * (a live window that had not reached it) shows once it has some, with no
 * new node to tell the layout: the window moved over retained nodes.
 */
static void test_layout_empty_frame_fills(void **state)
{
	struct fixture *f = *state;
	const char *path[] = { "p", "main", "later" };
	struct flame_layout l;
	uint32_t node = CT_ROOT, name;
	bool shown;

	load_folded(f->t, "p;main;seen 50\np;main;later 50\n");
	for (int i = 0; i < 3; i++) {
		assert_true(strtab__lookup(f->names, path[i], strlen(path[i]), &name));
		node = calltree__find(f->t, node, name);
	}
	calltree__sub(f->t, node, 50);
	flame__init(&l);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 100), 0);
	assert_true(flame__find(&l, node) < 0);
	calltree__add(f->t, node, 50);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 100), 0);
	check_layout(&l);
	shown = flame__find(&l, node) >= 0;
	assert_true(shown);
	flame__release(&l);
}

/* A pseudo-random deep tree: the invariants hold at every width and zoom. */
static void test_layout_invariants_random(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;
	uint32_t seed = 12345;
	char line[512];

	for (int s = 0; s < 400; s++) {
		int depth = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 12, n = 0;

		n += snprintf(line + n, sizeof(line) - (size_t)n, "c%d", (int)(seed >> 20) % 3);
		for (int d = 0; d < depth; d++) {
			seed = seed * 1103515245 + 12345;
			n += snprintf(line + n, sizeof(line) - (size_t)n, ";f%u", (seed >> 16) % 5);
		}
		seed = seed * 1103515245 + 12345;
		snprintf(line + n, sizeof(line) - (size_t)n, " %u\n", 1 + (seed >> 16) % 1000);
		load_folded(f->t, line);
	}
	flame__init(&l);
	for (uint32_t w = 1; w <= 260; w += 7) {
		uint32_t zoom = (w * 31) % calltree__nodes(f->t);

		assert_int_equal(flame__layout(&l, f->t, CT_ROOT, w), 0);
		check_layout(&l);
		if (!calltree__node(f->t, zoom)->total)
			continue;
		assert_int_equal(flame__layout(&l, f->t, zoom, w), 0);
		assert_int_equal(l.ncrumbs, calltree__depth(f->t, zoom));
		check_layout(&l);
	}
	flame__release(&l);
}

static void grid_init(struct grid *g, uint32_t w, uint32_t h, bool utf8)
{
	g->cells = calloc((size_t)w * h, sizeof(*g->cells));
	assert_non_null(g->cells);
	g->w = w;
	g->h = h;
	g->utf8 = utf8;
}

static void row_text(const struct grid *g, uint32_t row, char *out)
{
	for (uint32_t x = 0; x < g->w; x++) {
		uint32_t ch = g->cells[(size_t)row * g->w + x].ch;

		*out++ = ch < 0x80 ? (char)ch : ch == 0x2026 ? '~' : ch >= 0x2588 && ch <= 0x259f ? '#' : '?';
	}
	*out = '\0';
}

/* Painting: names fit or are cut with an ellipsis; no cell of a frame lies outside its parent. */
static void test_paint_names_and_containment(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;
	struct flame_style s = { .orient = FLAME_ICICLE, .selected = CT_NONE };
	struct grid g;
	char text[64];

	load_folded(f->t, split_profile);
	flame__init(&l);
	for (int utf8 = 0; utf8 <= 1; utf8++) {
		grid_init(&g, 20, 8, utf8);
		assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 20), 0);
		flame__paint(&l, &s, &g, 0, 8);
		row_text(&g, 3, text);
		/* alpha 12 cells, beta 6, gamma 2 */
		assert_memory_equal(text, "alpha       beta  ga", 20);
		row_text(&g, 4, text);
		assert_memory_equal(text, "sixty       thirtyte", 20);
		for (uint32_t y = 1; y < 8; y++)
			for (uint32_t x = 0; x < 20; x++)
				if (grid__at(&g, y, x)->bg != PAL_DEFAULT)
					assert_int_not_equal(grid__at(&g, y - 1, x)->bg, PAL_DEFAULT);
		free(g.cells);
	}
	flame__release(&l);
}

static void test_paint_truncates_names(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;
	struct flame_style s = { .orient = FLAME_ICICLE, .selected = CT_NONE };
	struct grid g;
	char text[64];

	/* two frames of 10 cells: the long name is cut, with an ellipsis */
	load_folded(f->t, "p;a_very_long_function_name 1\np;b 1\n");
	flame__init(&l);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 20), 0);
	grid_init(&g, 20, 3, true);
	flame__paint(&l, &s, &g, 0, 3);
	row_text(&g, 2, text);
	assert_memory_equal(text, "a_very_lo~b         ", 20);
	free(g.cells);
	grid_init(&g, 20, 3, false);
	flame__paint(&l, &s, &g, 0, 3);
	row_text(&g, 2, text);
	assert_memory_equal(text, "a_very_l..b         ", 20);
	free(g.cells);
	/* two cells: the first two letters, no room for an ellipsis */
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 4), 0);
	grid_init(&g, 4, 3, true);
	flame__paint(&l, &s, &g, 0, 3);
	row_text(&g, 2, text);
	assert_memory_equal(text, "a_b ", 4);
	free(g.cells);
	flame__release(&l);
}

static void test_paint_partial_blocks_and_flip(void **state)
{
	struct fixture *f = *state;
	struct flame_layout l;
	struct flame_style s = { .orient = FLAME_FLAME, .selected = CT_NONE };
	struct grid g;
	char text[64];

	/* thirds of 10 cells: edges at 3.33 and 6.67 cells need partial blocks */
	load_folded(f->t, "p;a 1\np;b 1\np;c 1\n");
	flame__init(&l);
	assert_int_equal(flame__layout(&l, f->t, CT_ROOT, 10), 0);
	grid_init(&g, 10, 4, true);
	flame__paint(&l, &s, &g, 0, 4);
	/* flame: root at the bottom */
	row_text(&g, 3, text);
	assert_memory_equal(text, "all       ", 10);
	row_text(&g, 1, text);
	assert_memory_equal(text, "a  #b #c  ", 10);
	assert_int_equal(grid__at(&g, 1, 3)->ch, 0x258e);	/* left 2/8 */
	/* the shared cell: a's colour on the left, b's behind it */
	assert_int_equal(grid__at(&g, 1, 3)->fg, grid__at(&g, 1, 0)->bg);
	assert_int_equal(grid__at(&g, 1, 3)->bg, grid__at(&g, 1, 4)->bg);
	assert_int_equal(flame__row_at(&s, 4, 3), 0);
	assert_int_equal(flame__screen_row(&s, 4, 2), 1);
	/* hit testing: column 5 of row 2 is b */
	assert_string_equal(strtab__str(f->names, calltree__node(f->t,
				l.frames[flame__at(&l, 2, 5)].node)->name), "b");
	free(g.cells);
	flame__release(&l);
}

static void test_grid_text_hostile(void **state)
{
	struct grid g;
	char text[64];

	(void)state;
	grid_init(&g, 12, 1, true);
	/* invalid UTF-8, controls and a wide character each take one '?'-like cell */
	grid__text(&g, 0, 0, 12, "a\xff\x01\xe4\xb8\xadz\xc3", 8, PAL_BLACK, 0);
	row_text(&g, 0, text);
	assert_memory_equal(text, "a??", 3);
	assert_int_equal(text__columns("a\xff\x01\xe4\xb8\xadz\xc3", 8), 6);
	/* writing past the edge is clipped */
	assert_int_equal(grid__text(&g, 0, 11, 5, "xyz", 3, PAL_BLACK, 0), 1);
	assert_int_equal(grid__text(&g, 3, 0, 5, "xyz", 3, PAL_BLACK, 0), 0);
	free(g.cells);
}

static void test_timeline(void **state)
{
	uint64_t rates[300];
	struct grid g;

	(void)state;
	for (int i = 0; i < 300; i++)
		rates[i] = i % 10 == 0 ? 100 : 50;
	rates[0] = 0;
	/* 4 seconds in 10 columns: right-aligned, heights by rate, the window marked */
	grid_init(&g, 10, 1, true);
	timeline__paint(&g, 0, rates, 4, 1000, 1002, 1004, false);
	assert_int_equal(grid__at(&g, 0, 5)->ch, ' ');
	assert_int_equal(grid__at(&g, 0, 6)->ch, ' ');		/* 0 samples */
	assert_int_equal(grid__at(&g, 0, 7)->ch, 0x2588);	/* 50 of 50: full */
	assert_int_equal(grid__at(&g, 0, 7)->bg, PAL_DEFAULT);
	assert_int_equal(grid__at(&g, 0, 8)->bg, PAL_BAR);	/* in [1002, 1004) */
	assert_int_equal(grid__at(&g, 0, 9)->bg, PAL_BAR);
	free(g.cells);
	/* 300 seconds in 10 columns: 30 a column, every column drawn, ASCII */
	grid_init(&g, 10, 1, false);
	timeline__paint(&g, 0, rates, 300, 0, 290, 300, true);
	for (uint32_t x = 0; x < 10; x++)
		assert_true(grid__at(&g, 0, x)->ch < 0x80 && grid__at(&g, 0, x)->ch != ' ');
	assert_int_equal(grid__at(&g, 0, 9)->attr, CELL_REVERSE);
	assert_int_equal(grid__at(&g, 0, 8)->attr, 0);
	/* degenerate sizes do nothing wrong */
	timeline__paint(&g, 0, rates, 1, 0, 0, 1, false);
	timeline__paint(&g, 5, rates, 1, 0, 0, 1, false);
	free(g.cells);
	grid_init(&g, 1, 1, true);
	timeline__paint(&g, 0, rates, 300, 0, 0, 300, false);
	assert_int_equal(grid__at(&g, 0, 0)->bg, PAL_BAR);
	free(g.cells);
}

static void test_palette_stable_and_distinct(void **state)
{
	uint8_t u = palette__frame(FRAME_USER, "main", 4);
	uint8_t k = palette__frame(FRAME_KERNEL, "main_[k]", 8);

	(void)state;
	assert_int_equal(u, palette__frame(FRAME_USER, "main", 4));
	assert_true(u >= PAL_USER && u < PAL_KERNEL);
	assert_true(k >= PAL_KERNEL && k < PAL_UNKNOWN);
	assert_true(palette__frame(FRAME_UNKNOWN, "[x]", 3) >= PAL_UNKNOWN);
	for (uint8_t id = 1; id < PAL_COUNT; id++)
		assert_true(palette__ansi8(id) < 8);
	assert_int_equal(palette__diff(0.0, 10, 0), PAL_SAME);
	assert_int_equal(palette__diff(10.0, 10, 0), PAL_GROW + PAL_DIFF_LEVELS - 1);
	assert_int_equal(palette__diff(-10.0, 10, 0), PAL_SHRINK + PAL_DIFF_LEVELS - 1);
	assert_int_equal(palette__diff(0.0, 10, 1), PAL_GROW + PAL_DIFF_LEVELS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_shares, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_layout_drops_narrow_frames, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_layout_invariants_random, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_paint_names_and_containment, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_paint_truncates_names, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_paint_partial_blocks_and_flip, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_layout_empty_frame_fills, fixture_setup,
						fixture_teardown),
		cmocka_unit_test(test_grid_text_hostile),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_palette_stable_and_distinct),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
