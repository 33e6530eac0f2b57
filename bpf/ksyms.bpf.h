/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Included once by profile.bpf.c (one object, one skeleton); what it uses
 * from there: struct ft_ksym_rec (profile.h).
 */
#ifndef FLAMETOP_KSYMS_BPF_H
#define FLAMETOP_KSYMS_BPF_H

/*
 * Kernel symbols without /proc/kallsyms: the kernel spends most of a read of
 * that file formatting lines we would parse back.  This iterator writes
 * binary records of the text symbols instead (the names are still expanded
 * by the kernel, symbol by symbol).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_ksym_rec);
} ksym_rec SEC(".maps");

SEC("iter/ksym")
int dump_ksyms(struct bpf_iter__ksym *ctx)
{
	struct kallsym_iter *it = ctx->ksym;
	struct ft_ksym_rec *r;
	__u32 zero = 0, len;
	long n;
	char t;

	if (!it || !it->show_value)	/* kptr_restrict: no addresses for us */
		return 0;
	t = it->type | 0x20;
	if (t != 't' && t != 'w')
		return 0;
	r = bpf_map_lookup_elem(&ksym_rec, &zero);
	if (!r)
		return 0;
	r->addr = it->value;
	n = bpf_probe_read_kernel_str(r->name, sizeof(r->name), it->name);
	if (n <= 1)
		return 0;
	len = (__u32)n;
	if (len > sizeof(r->name))
		return 0;
	bpf_seq_write(ctx->meta->seq, r, sizeof(r->addr) + len);
	return 0;
}

#endif
