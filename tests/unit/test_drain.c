// SPDX-License-Identifier: MIT
/* The drain's reading of a stack map: stacks checked against their keys. */
#include <bpf/bpf.h>
#include <errno.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/sampler_int.h"

/* The key the program gives the first nr frames of st (bpf/profile.bpf.c's hash_stack). */
static __u64 key_of(const struct ft_stack *st, __u32 nr)
{
	__u64 h = FT_HASH_SEED;

	for (__u32 i = 0; i < nr; i++)
		h = ft_hash_mix(h, st->ip[i]);
	return ft_hash_end(h, nr);
}

static void fill(struct ft_stack *st, __u32 nr, __u64 base)
{
	memset(st, 0, sizeof(*st));
	for (__u32 i = 0; i < nr; i++)
		st->ip[i] = base + 0x10 * i;
}

static void test_matches(void **state)
{
	struct ft_stack st, other;

	(void)state;
	fill(&st, 9, 0x401000);
	assert_true(sampler_stack_matches(&st, key_of(&st, 9)));
	/* a frame-pointer walk may give a 0 inside; the program hashes past it */
	st.ip[4] = 0;
	assert_true(sampler_stack_matches(&st, key_of(&st, 9)));
	/* truncated: every slot used */
	fill(&st, MAX_STACK_DEPTH, 0x7f0000000000ull);
	assert_true(sampler_stack_matches(&st, key_of(&st, MAX_STACK_DEPTH)));
	/* torn: the tail of another stack */
	fill(&st, 12, 0x401000);
	fill(&other, 12, 0x401000);
	other.ip[7] = 0x999999;
	assert_false(sampler_stack_matches(&other, key_of(&st, 12)));
	/* torn: shorter than its key says */
	other = st;
	other.ip[11] = 0;
	assert_false(sampler_stack_matches(&other, key_of(&st, 12)));
}

/* A real stack map (root): the torn stack is left out and counted, the others kept. */
static void test_take_stacks(void **state)
{
	struct ft_stack st[3], torn;
	struct sampler s = { 0 };
	__u64 key;
	int fd, i;

	(void)state;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "test_stacks", sizeof(__u64), sizeof(struct ft_stack),
			    64, NULL);
	if (fd < 0)	/* the tests run as root, as flametop does: no map is a failure */
		fail_msg("no BPF map: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		fill(&st[i], 5 + i, 0x500000 + 0x1000 * i);
		key = key_of(&st[i], 5 + i);
		assert_int_equal(bpf_map_update_elem(fd, &key, &st[i], BPF_NOEXIST), 0);
	}
	/* under the key of a stack at 0x600000: its entry half overwritten by st[0] */
	fill(&torn, 5, 0x600000);
	key = key_of(&torn, 5);
	memcpy(torn.ip, st[0].ip, 3 * sizeof(torn.ip[0]));
	assert_int_equal(bpf_map_update_elem(fd, &key, &torn, BPF_NOEXIST), 0);
	assert_int_equal(sampler_take_stacks(&s, fd), 0);
	assert_int_equal(s.nstacks, 3);
	assert_int_equal(s.stacks_torn, 1);
	for (i = 0; i < 3; i++)
		assert_true(s.stacks[i].hash != key);
	/* the map is emptied */
	assert_int_equal(sampler_take_stacks(&s, fd), 0);
	assert_int_equal(s.nstacks, 0);
	free(s.stacks);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_take_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
