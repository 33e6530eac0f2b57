/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the unit tests (plain data in, plain data out). */
#ifndef FLAMETOP_TEST_HELPERS_H
#define FLAMETOP_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../profile/calltree.h"
#include "../../profile/folded.h"

struct fixture {
	struct strtab *names;
	struct calltree *t;
};

static inline int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->names = strtab__new();
	f->t = calltree__new(f->names);
	assert_non_null(f->t);
	*state = f;
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	calltree__free(f->t);
	strtab__free(f->names);
	free(f);
	return 0;
}

/* Parses folded text that must be valid. */
static inline void load_folded(struct calltree *t, const char *text)
{
	struct parse_error err = { 0 };
	int ret = folded__parse(t, text, strlen(text), &err, NULL);

	if (ret)
		fail_msg("parse failed at line %lu: %s", err.line, err.msg);
}

/* The tree written back as folded text (malloc'ed). */
static inline char *dump(const struct calltree *t, uint32_t node)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(folded__write(f, t, node), 0);
	fclose(f);
	return buf;
}

/* Node at a ';'-separated path of names, or CT_NONE. */
static inline uint32_t node_at(const struct calltree *t, const char *path)
{
	const struct strtab *st = calltree__names(t);
	uint32_t node = CT_ROOT, id;
	const char *p = path;

	while (*p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		if (!strtab__lookup(st, p, n, &id))
			return CT_NONE;
		node = calltree__find(t, node, id);
		if (node == CT_NONE)
			return CT_NONE;
		p += n + (semi ? 1 : 0);
	}
	return node;
}

#endif
