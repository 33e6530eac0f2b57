// SPDX-License-Identifier: MIT
/*
 * Which file each function name was found in (its path and build-id), for
 * pprof's mappings: noted as frames are named, kept after the file is
 * closed (a name outlives its process).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "symbolize_int.h"

#define NO_ID UINT32_MAX

/* f's module record (made on first use): index + 1, or 0 when out of memory. */
static uint32_t module_of(struct symbolizer *s, struct elf_file *f)
{
	const char *path = f->path ? f->path : f->modname;
	char hex[2 * sizeof(f->build_id) + 1];
	struct sym_module m = { NO_ID, NO_ID };

	if (f->module)
		return f->module;
	if (!path || strtab__intern(s->names, path, strlen(path), &m.path))
		return 0;
	for (size_t i = 0; i < f->build_id_len && i < sizeof(f->build_id); i++)
		snprintf(hex + 2 * i, 3, "%02x", f->build_id[i]);
	if (f->build_id_len && strtab__intern(s->names, hex, 2 * f->build_id_len, &m.build_id))
		return 0;
	if (vec_reserve(s->modules, s->modules_cap, s->nmodules + 1, 64))
		return 0;
	s->modules[s->nmodules++] = m;
	f->module = (uint32_t)s->nmodules;
	return f->module;
}

void symbolizer_note_module(struct symbolizer *s, struct elf_file *f, uint32_t name)
{
	uint32_t m = module_of(s, f), old = s->name_module_cap;

	if (!m || vec_reserve(s->name_module, s->name_module_cap, (size_t)name + 1, 1024))
		return;
	memset(s->name_module + old, 0, (s->name_module_cap - old) * sizeof(*s->name_module));
	s->name_module[name] = m;
}

bool symbolizer__module(const struct symbolizer *s, uint32_t name, const char **path,
			const char **build_id)
{
	const struct sym_module *m;

	name = strtab__canon(s->names, name);
	if (name >= s->name_module_cap || !s->name_module[name])
		return false;
	m = &s->modules[s->name_module[name] - 1];
	*path = strtab__str(s->names, m->path);
	*build_id = m->build_id == NO_ID ? NULL : strtab__str(s->names, m->build_id);
	return true;
}

void symbolizer_free_modules(struct symbolizer *s)
{
	free(s->modules);
	free(s->name_module);
}
