// SPDX-License-Identifier: MIT
/* pprof out and in: round trips, inlined lines, labels, and hostile files. */
#include <errno.h>
#include <zlib.h>

#include "helpers.h"
#include "../../profile/pprof.h"
#include "../../profile/speedscope.h"
#include "profile/pprof.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;

static uint8_t *encode(const struct calltree *t, const struct pprof_out *o, size_t *len)
{
	uint8_t *buf = NULL;

	assert_int_equal(pprof__encode(t, CT_ROOT, o, &buf, len), 0);
	return buf;
}

/* Samples written, read back by value "samples": the same folded text. */
static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pprof_in in = { .sample_type = "samples" };
	struct pprof_info info;
	struct calltree *back = calltree__new(f->names);
	const char *text = "app;[libc.so.6+0x1234] 3\napp;main;foo;bar 30\napp;main;foo;baz_[i] 20\n"
			   "app;main;qux 10\napp;main;sys_read_[k] 5\n";
	size_t len;
	uint8_t *buf;
	char *out;

	load_folded(f->t, text);
	buf = encode(f->t, &(struct pprof_out){ .hz = 99 }, &len);
	assert_true(pprof__sniff(buf, len));
	assert_int_equal(pprof__parse(back, buf, len, &in, &info, NULL), 0);
	out = dump(back, CT_ROOT);
	assert_string_equal(out, text);
	assert_string_equal(info.vt.name, "samples");
	assert_string_equal(info.types, "samples, cpu");
	free(out);
	/* pprof's default, the last type: nanoseconds at 1e9/99 each; the rate comes back */
	calltree__free(back);
	back = calltree__new(f->names);
	assert_int_equal(pprof__parse(back, buf, len, NULL, &info, NULL), 0);
	assert_int_equal(info.vt.unit, UNIT_NANOSECONDS);
	assert_int_equal(info.hz, 99);
	assert_int_equal(calltree__samples(back), 68ull * (1000000000 / 99));
	calltree__free(back);
	free(buf);
}

/* A stack deeper than a reader takes: written with the frames nearest its leaf, read back. */
static void test_deep_stack_written_readable(void **state)
{
	struct fixture *f = *state;
	size_t deep = PPROF_SAMPLE_FRAMES_MAX + 100, len;
	uint32_t *ids = malloc(deep * sizeof(*ids)), leaf, id;
	struct calltree *back = calltree__new(f->names);
	char name[16];
	uint8_t *buf;

	for (size_t i = 0; i < deep; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		assert_int_equal(strtab__intern(f->names, name, strlen(name), &ids[i]), 0);
	}
	assert_int_equal(calltree__path(f->t, ids, deep, &leaf), 0);
	assert_int_equal(calltree__add(f->t, leaf, 7), 0);
	buf = encode(f->t, &(struct pprof_out){ .hz = 99 }, &len);
	assert_int_equal(pprof__parse(back, buf, len, &(struct pprof_in){ .sample_type = "samples" },
				      NULL, NULL), 0);
	assert_int_equal(calltree__samples(back), 7);
	/* its root is the frame PPROF_WRITE_FRAMES_MAX above the leaf */
	id = calltree__find(back, CT_ROOT, ids[deep - PPROF_WRITE_FRAMES_MAX]);
	assert_int_not_equal(id, CT_NONE);
	calltree__free(back);
	free(buf);
	free(ids);
}

/* The tree encoded with o, gunzipped and unpacked by protobuf-c, pprof's own schema. */
static PbProfile *encode_unpacked(const struct calltree *t, const struct pprof_out *o)
{
	size_t len;
	uint8_t *buf = encode(t, o, &len), *raw = malloc(1 << 20);
	z_stream z = { 0 };
	PbProfile *p;

	assert_non_null(raw);
	inflateInit2(&z, 31);
	z.next_in = buf;
	z.avail_in = (uInt)len;
	z.next_out = raw;
	z.avail_out = 1 << 20;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	p = perftools__profiles__profile__unpack(NULL, z.total_out, raw);
	inflateEnd(&z);
	assert_non_null(p);
	free(raw);
	free(buf);
	return p;
}

/* A function and what is inlined in it are one location, the caller last. */
static void test_inlined_lines(void **state)
{
	struct fixture *f = *state;
	PbProfile *p;

	load_folded(f->t, "a;b;c_[i];d_[i];e 7\n");
	p = encode_unpacked(f->t, &(struct pprof_out){ .hz = 100 });
	assert_string_equal(p->string_table[0], "");
	assert_int_equal(p->n_sample, 1);
	/* e, then b with c and d inlined (d innermost), then a */
	assert_int_equal(p->sample[0]->n_location_id, 3);
	{
		const Perftools__Profiles__Location *l = NULL;

		for (size_t i = 0; i < p->n_location; i++)
			if (p->location[i]->id == p->sample[0]->location_id[1])
				l = p->location[i];
		assert_non_null(l);
		assert_int_equal(l->n_line, 3);
		for (size_t i = 0; i < 3; i++) {
			const char *want = i == 0 ? "d" : i == 1 ? "c" : "b";
			const char *name = NULL;

			for (size_t k = 0; k < p->n_function; k++)
				if (p->function[k]->id == l->line[i]->function_id)
					name = p->string_table[p->function[k]->name];
			assert_string_equal(name, want);
		}
	}
	assert_int_equal(p->period, 10000000);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/* Two functions of one name in two files are two functions, each with its own lines. */
static void test_same_name_two_files(void **state)
{
	struct fixture *f = *state;
	PbProfile *p;
	int in_a = 0, in_b = 0;

	load_folded(f->t, "app;helper:a.c:10 5\napp;helper:b.c:20 3\napp;helper:a.c:12 2\n");
	p = encode_unpacked(f->t, &(struct pprof_out){ .hz = 99, .lines = true });
	for (size_t k = 0; k < p->n_function; k++) {
		const Perftools__Profiles__Function *fn = p->function[k];

		if (strcmp(p->string_table[fn->name], "helper"))
			continue;
		in_a += !strcmp(p->string_table[fn->filename], "a.c");
		in_b += !strcmp(p->string_table[fn->filename], "b.c");
	}
	/* one for a.c (lines 10 and 12), one for b.c */
	assert_int_equal(in_a, 1);
	assert_int_equal(in_b, 1);
	for (size_t i = 0; i < p->n_location; i++) {
		const Perftools__Profiles__Line *l = p->location[i]->line[0];

		for (size_t k = 0; k < p->n_function; k++)
			if (p->function[k]->id == l->function_id && l->line == 20)
				assert_string_equal(p->string_table[p->function[k]->filename], "b.c");
	}
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/* Who ran a stack goes into labels, and back into the grouping's root frames. */
static void test_labels(void **state)
{
	struct fixture *f = *state;
	struct who w = { .pid = 42, .tid = 43, .comm = "web", .thread = "worker",
			 .container = "podman:0123456789ab" };
	struct calltree *back = calltree__new(f->names);
	uint32_t stack[3];
	size_t len;
	uint8_t *buf;
	char *out;

	assert_int_equal(who__intern(f->names, &w, &stack[0]), 0);
	assert_int_equal(strtab__intern(f->names, "main", 4, &stack[1]), 0);
	assert_int_equal(strtab__intern(f->names, "serve", 5, &stack[2]), 0);
	assert_int_equal(calltree__add_stack(f->t, stack, 3, 5), 0);
	buf = encode(f->t, &(struct pprof_out){ .hz = 99, .labels = true }, &len);
	assert_int_equal(pprof__parse(back, buf, len, &(struct pprof_in){ .sample_type = "samples",
				      .group = GROUP_THREAD }, NULL, NULL), 0);
	out = dump(back, CT_ROOT);
	assert_string_equal(out, "worker-42/43;main;serve 5\n");
	free(out);
	calltree__free(back);
	back = calltree__new(f->names);
	assert_int_equal(pprof__parse(back, buf, len, &(struct pprof_in){ .sample_type = "samples",
				      .group = GROUP_CONTAINER }, NULL, NULL), 0);
	out = dump(back, CT_ROOT);
	assert_string_equal(out, "podman:0123456789ab;web;main;serve 5\n");
	free(out);
	calltree__free(back);
	free(buf);
}

/* A Profile message built by hand, packed (not gzipped). */
static uint8_t *pack(const PbProfile *p, size_t *len)
{
	uint8_t *buf = malloc(perftools__profiles__profile__get_packed_size(p) + 1);

	*len = perftools__profiles__profile__pack(p, buf);
	return buf;
}

/* One sample at one location of one function, to break piece by piece. */
struct tiny {
	PbProfile p;
	Perftools__Profiles__ValueType vt, *vts[1];
	Perftools__Profiles__Sample s, *ss[1];
	Perftools__Profiles__Location l, *ls[1];
	Perftools__Profiles__Line line, *lines[1];
	Perftools__Profiles__Function fn, *fns[1];
	uint64_t loc_ids[1];
	int64_t values[1];
	char *strs[4];
};

static void tiny_init(struct tiny *t)
{
	perftools__profiles__profile__init(&t->p);
	perftools__profiles__value_type__init(&t->vt);
	perftools__profiles__sample__init(&t->s);
	perftools__profiles__location__init(&t->l);
	perftools__profiles__line__init(&t->line);
	perftools__profiles__function__init(&t->fn);
	t->strs[0] = "";
	t->strs[1] = "cpu";
	t->strs[2] = "nanoseconds";
	t->strs[3] = "#main;evil\x1e\n\xc2\x9b" "2J\xc2\xa0";	/* C1 CSI; U+00A0 stays */
	t->p.string_table = t->strs;
	t->p.n_string_table = 4;
	t->vt.type = 1;
	t->vt.unit = 2;
	t->vts[0] = &t->vt;
	t->p.sample_type = t->vts;
	t->p.n_sample_type = 1;
	t->fn.id = 1;
	t->fn.name = 3;
	t->fns[0] = &t->fn;
	t->p.function = t->fns;
	t->p.n_function = 1;
	t->line.function_id = 1;
	t->lines[0] = &t->line;
	t->l.id = 1;
	t->l.line = t->lines;
	t->l.n_line = 1;
	t->ls[0] = &t->l;
	t->p.location = t->ls;
	t->p.n_location = 1;
	t->loc_ids[0] = 1;
	t->values[0] = 9;
	t->s.location_id = t->loc_ids;
	t->s.n_location_id = 1;
	t->s.value = t->values;
	t->s.n_value = 1;
	t->ss[0] = &t->s;
	t->p.sample = t->ss;
	t->p.n_sample = 1;
}

static int parse_tiny(struct fixture *f, const struct tiny *t, struct parse_error *err)
{
	size_t len;
	uint8_t *buf = pack(&t->p, &len);
	int ret = pprof__parse(f->t, buf, len, NULL, NULL, err);

	free(buf);
	return ret;
}

static void test_hostile_names_made_safe(void **state)
{
	struct fixture *f = *state;
	struct tiny t;
	char *out;

	tiny_init(&t);
	assert_int_equal(parse_tiny(f, &t, NULL), 0);
	/* no ';' (a frame break), no control characters (identity frames), no comment */
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "_main:evil???2J\xc2\xa0 9\n");
	free(out);
}

static void test_hostile_indices(void **state)
{
	struct fixture *f = *state;
	struct parse_error err;
	struct tiny t;

	tiny_init(&t);
	t.fn.name = 99;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "string index 99"));
	tiny_init(&t);
	t.loc_ids[0] = 7;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "missing location"));
	tiny_init(&t);
	t.line.function_id = 5;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "missing function"));
	tiny_init(&t);
	t.l.mapping_id = 3;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	tiny_init(&t);
	t.s.n_value = 0;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	tiny_init(&t);
	t.p.n_sample_type = 0;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	tiny_init(&t);
	t.strs[0] = "x";
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	tiny_init(&t);
	t.vt.unit = -1;
	assert_int_equal(parse_tiny(f, &t, &err), -EINVAL);
	/* a diff's negative values are skipped and counted, not added */
	tiny_init(&t);
	t.values[0] = -4;
	{
		size_t len;
		uint8_t *buf = pack(&t.p, &len);
		struct pprof_info info;

		assert_int_equal(pprof__parse(f->t, buf, len, NULL, &info, NULL), 0);
		assert_int_equal(info.skipped, 1);
		assert_int_equal(calltree__samples(f->t), 0);
		free(buf);
	}
	assert_int_equal(calltree__samples(f->t), 0);
}

static void test_hostile_bytes(void **state)
{
	struct fixture *f = *state;
	struct parse_error err;
	struct tiny t;
	size_t len;
	uint8_t *buf, junk[64];

	tiny_init(&t);
	buf = pack(&t.p, &len);
	/* every truncation: an error or a smaller valid profile, never a crash */
	for (size_t n = 0; n < len; n++)
		pprof__parse(f->t, buf, n, NULL, NULL, &err);
	free(buf);
	memset(junk, 0xff, sizeof(junk));
	assert_int_equal(pprof__parse(f->t, junk, sizeof(junk), NULL, NULL, &err), -EINVAL);
	/* gzip that stops short, and gzip of garbage */
	junk[0] = 0x1f;
	junk[1] = 0x8b;
	assert_int_equal(pprof__parse(f->t, junk, sizeof(junk), NULL, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "gzip"));
}

/* A small file that inflates past the bound is refused, not inflated whole. */
static void test_gzip_bomb(void **state)
{
	struct fixture *f = *state;
	size_t chunk = 1 << 20, total = 0;
	uint8_t *zeros = calloc(1, chunk), *out = malloc(32 << 20);
	z_stream z = { 0 };
	struct parse_error err;

	assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = 32 << 20;
	while (total < (size_t)PPROF_INFLATED_MAX + chunk) {
		z.next_in = zeros;
		z.avail_in = (uInt)chunk;
		assert_int_equal(deflate(&z, Z_NO_FLUSH), Z_OK);
		total += chunk;
	}
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(pprof__parse(f->t, out, z.total_out, NULL, NULL, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "inflates"));
	deflateEnd(&z);
	free(zeros);
	free(out);
}

static void test_speedscope_json_escapes(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	load_folded(f->t, "a\"b;c\\d\x01;\xff 2\n");
	assert_int_equal(speedscope__write(out, f->t, CT_ROOT, UNIT_SAMPLES, "n", "t"), 0);
	fclose(out);
	assert_non_null(strstr(buf, "{\"name\":\"a\\\"b\"}"));
	assert_non_null(strstr(buf, "{\"name\":\"c\\\\d\\u0001\"}"));
	assert_non_null(strstr(buf, "{\"name\":\"\xef\xbf\xbd\"}"));
	assert_non_null(strstr(buf, "\"samples\":[\n[0,1,2]],"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_same_name_two_files, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_deep_stack_written_readable, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inlined_lines, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_labels, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names_made_safe, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_indices, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bytes, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_gzip_bomb, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_speedscope_json_escapes, fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
