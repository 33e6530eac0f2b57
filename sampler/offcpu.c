// SPDX-License-Identifier: MIT
/*
 * Off-CPU time (--event offcpu): the context-switch program's settings,
 * maps and links (bpf/profile.bpf.c on_switch); the drain reads its counts
 * with the samples' (drain.c).
 */
#include <errno.h>
#include <string.h>

#include "sampler_int.h"

/* --event offcpu: the switch program and its maps, sized; nothing of it otherwise. */
void sampler_set_offcpu(struct sampler *s, const struct sampler_opts *o)
{
	struct profile_bpf *sk = s->skel;

	s->offcpu = o->offcpu;
	sk->rodata->offcpu = o->offcpu;
	bpf_program__set_autoload(sk->progs.on_switch, o->offcpu);
	if (!o->offcpu) {
		/* unused: as small as a map may be */
		bpf_map__set_max_entries(sk->maps.offcounts0, 1);
		bpf_map__set_max_entries(sk->maps.offcounts1, 1);
		bpf_map__set_max_entries(sk->maps.offcpu_start, 1);
		bpf_map__set_max_entries(sk->maps.offstacks, 1);
		return;
	}
	sk->rodata->min_block_ns = o->min_block_us * 1000;
	sk->rodata->offcpu_states = o->offcpu_states ? o->offcpu_states :
				    FT_STATE_INTERRUPTIBLE | FT_STATE_UNINTERRUPTIBLE;
	sk->rodata->offcpu_every = o->offcpu_sample > 1 ? o->offcpu_sample : 1;
	/* the blocks' stacks are copied into the epoch's maps: room for them */
	bpf_map__set_max_entries(sk->maps.stacks0, 32768);
	bpf_map__set_max_entries(sk->maps.stacks1, 32768);
}

/*
 * The switch program, and the exit one that forgets the blocks of threads
 * that end (-p attached both already, with the fork and exit tracepoints).
 */
int sampler_attach_offcpu(struct sampler *s, char *err, size_t errlen)
{
	struct profile_bpf *sk = s->skel;

	if (!sk->links.on_exit && !(sk->links.on_exit = bpf_program__attach(sk->progs.on_exit)))
		return sampler_fail(err, errlen, "cannot attach the exit tracepoint: %s", strerror(errno));
	if (!sk->links.on_switch && !(sk->links.on_switch = bpf_program__attach(sk->progs.on_switch)))
		return sampler_fail(err, errlen, "cannot attach the context-switch tracepoint: %s",
			    strerror(errno));
	return 0;
}

