// SPDX-License-Identifier: MIT
/* The symbolizer's kernel addresses: through the kernel's symbol table (ksyms.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize_int.h"

int symbolizer__set_kernel(struct symbolizer *s, struct ksyms *k,
			   int (*reload)(void *ctx, struct ksyms *out), void *ctx)
{
	uint32_t *ids = calloc(k->n ? k->n : 1, sizeof(*ids));

	if (!ids) {
		ksyms__free(k);
		return -ENOMEM;
	}
	ksyms__free(&s->k);
	free(s->kids);
	s->k = *k;
	memset(k, 0, sizeof(*k));
	s->kids = ids;
	s->kreload = reload;
	s->kreload_ctx = ctx;
	s->kloaded_ns = now_ns();
	return 0;
}

/* the start of the symbol holding addr, 0 if none */
static uint64_t kernel_sym_start(const struct ksyms *k, uint64_t addr)
{
	size_t i = ksyms__find(k, addr);

	return i ? k->addr[i - 1] : 0;
}

/*
 * An address outside the kernel's and the modules' text (a BPF program, an
 * ftrace trampoline) may be newer than the table: read a fresh one at once
 * if the table came from the cache, else at most every kreload_wait_ns —
 * which doubles, up to 10 minutes, each time a fresh table names the
 * address as the old one did (a BPF program sampled again and again).
 */
static void maybe_reload_kernel(struct symbolizer *s, uint64_t addr)
{
	uint64_t before, after;
	struct ksyms fresh;

	if (!s->kreload || ksyms__covers(&s->k, addr))
		return;
	if (!s->k.cached && now_ns() - s->kloaded_ns < s->kreload_wait_ns)
		return;
	before = kernel_sym_start(&s->k, addr);
	if (s->kreload(s->kreload_ctx, &fresh) || symbolizer__set_kernel(s, &fresh, s->kreload,
									  s->kreload_ctx)) {
		s->kloaded_ns = now_ns();	/* keep the old table; try again later */
		return;
	}
	after = kernel_sym_start(&s->k, addr);
	if (after == before && s->kreload_wait_ns < KRELOAD_MAX_NS)
		s->kreload_wait_ns *= 2;
	else if (after != before)
		s->kreload_wait_ns = KRELOAD_MIN_NS;
}

uint32_t symbolizer__kernel(struct symbolizer *s, uint64_t addr)
{
	size_t i;

	maybe_reload_kernel(s, addr);
	i = ksyms__find(&s->k, addr);
	if (!i)
		return s->kunknown;
	i--;
	if (!s->kids[i]) {
		const char *name = s->k.names + s->k.name[i];

		s->kids[i] = symbolizer_intern_fmt(s, "", name, strlen(name), "_[k]") + 1;
	}
	return s->kids[i] - 1;
}

