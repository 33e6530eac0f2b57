// SPDX-License-Identifier: MIT
#include "view_sandwich.h"

static void label(struct flame_view *f, const struct strtab *names, uint32_t name)
{
	f->root_label = strtab__str(names, name);
	f->root_len = strtab__len(names, name);
}

void sandwich_view__open(struct sandwich_view *v, struct flame_view *main, uint32_t name,
			 const struct strtab *names)
{
	if (v->on) {
		/* another function: the halves start over, the main view stays kept */
		flame_view__free(main);
		flame_view__free(&v->other);
	} else {
		flame_view__hold(main);
		v->saved = *main;
	}
	v->on = true;
	v->name = name;
	v->callers_active = false;
	flame_view__init(main);
	flame_view__init(&v->other);
	main->orient = FLAME_ICICLE;
	v->other.orient = FLAME_FLAME;
	label(main, names, name);
	label(&v->other, names, name);
}

void sandwich_view__close(struct sandwich_view *v, struct flame_view *main)
{
	if (!v->on)
		return;
	flame_view__free(main);
	flame_view__free(&v->other);
	*main = v->saved;
	/* the tree it last laid out may be gone, another at its address */
	flame__invalidate(&main->layout);
	sandwich__release(&v->s);
	v->on = false;
}

const struct calltree *sandwich_view__build(struct sandwich_view *v, struct flame_view *main,
					    const struct calltree *t, struct note *note)
{
	/* the old trees go: both halves are known by name path until the new ones */
	flame_view__hold(main);
	flame_view__hold(&v->other);
	sandwich__release(&v->s);
	if (sandwich__build(t, v->name, &v->s)) {
		note__set(note, "out of memory making the sandwich");
		main->held = false;
		main->tree = NULL;
		sandwich_view__close(v, main);
		return NULL;
	}
	flame_view__set_tree(&v->other, v->callers_active ? v->s.callees : v->s.callers, true);
	return v->callers_active ? v->s.callers : v->s.callees;
}

void sandwich_view__swap(struct sandwich_view *v, struct flame_view *main)
{
	struct flame_view t = *main;

	*main = v->other;
	v->other = t;
	v->callers_active = !v->callers_active;
}

void sandwich_view__panes(const struct pane *graph, struct pane *callers, struct pane *callees)
{
	uint32_t up = graph->height / 2;

	*callers = (struct pane){ graph->top, up };
	*callees = (struct pane){ graph->top + up, graph->height - up };
}

struct flame_view *sandwich_view__callers(struct sandwich_view *v, struct flame_view *main)
{
	return v->callers_active ? main : &v->other;
}

struct flame_view *sandwich_view__callees(struct sandwich_view *v, struct flame_view *main)
{
	return v->callers_active ? &v->other : main;
}

void sandwich_view__free(struct sandwich_view *v)
{
	if (v->on) {
		flame_view__free(&v->other);
		flame_view__free(&v->saved);
	}
	sandwich__release(&v->s);
	v->on = false;
}
