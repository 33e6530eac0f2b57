// SPDX-License-Identifier: MIT
/*
 * The symbolizer's own reader of .eh_frame (sampler/ehframe.h) against
 * libdw's, on real files: every FDE of libc, python3 and cc1 gives the range
 * libdw gives, addresses no FDE covers give none; then files cut short, an
 * index pointing outside .eh_frame and CIEs of unknown layout give none,
 * without a crash.
 */
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/ehframe.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define CC1 "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"

/* libdw's range of the FDE covering a; false if none */
static bool libdw_range(Dwarf_CFI *cfi, uint64_t a, uint64_t *lo, uint64_t *hi)
{
	Dwarf_Frame *fr;
	Dwarf_Addr l, h;
	bool signal;
	int ok;

	if (dwarf_cfi_addrframe(cfi, a, &fr))
		return false;
	ok = dwarf_frame_info(fr, &l, &h, &signal) >= 0;
	free(fr);
	*lo = l;
	*hi = h;
	return ok;
}

static void compare_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct ehframe x;
	Dwarf_CFI *cfi;
	size_t checked = 0, gaps = 0;
	Elf *elf;

	if (fd < 0) {
		print_message("skipped (absent): %s\n", path);
		return;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	cfi = dwarf_getcfi_elf(elf);
	assert_non_null(cfi);
	assert_true(ehframe__open(&x, elf, fd));
	assert_true(x.n > 100);
	for (size_t i = 0; i < x.n; i++) {
		uint64_t s = x.fdes[i].start, lo, hi, dlo, dhi, probe[3];

		/* libdw's ranges are its rules' (rows'), each inside its FDE's */
		assert_true(libdw_range(cfi, s, &dlo, &dhi));
		assert_true(ehframe__range(&x, s, &lo, &hi));
		assert_int_equal(lo, s);
		assert_true(dlo >= lo && dhi <= hi);
		probe[0] = dhi - 1;
		probe[1] = lo + (hi - lo) / 2;
		probe[2] = hi - 1;
		for (int k = 0; k < 3; k++) {
			uint64_t l2, h2;

			assert_true(libdw_range(cfi, probe[k], &dlo, &dhi));
			assert_true(ehframe__range(&x, probe[k], &l2, &h2));
			assert_int_equal(l2, lo);
			assert_int_equal(h2, hi);
			assert_true(dlo >= lo && dhi <= hi);
			checked++;
		}
		/* just past the function: another FDE's, or none for both */
		if (!libdw_range(cfi, hi, &dlo, &dhi)) {
			assert_false(ehframe__range(&x, hi, &lo, &dhi));
			gaps++;
		}
	}
	print_message("%s: %zu FDEs, %zu addresses as libdw, %zu gaps\n", path, x.n, checked, gaps);
	assert_int_equal(checked, 3 * x.n);
	ehframe__free(&x);
	dwarf_cfi_end(cfi);
	elf_end(elf);
	close(fd);
}

static void test_as_libdw(void **state)
{
	char py[4096];
	ssize_t n = readlink("/usr/bin/python3", py + 9, sizeof(py) - 10);

	(void)state;
	compare_file(LIBC);
	memcpy(py, "/usr/bin/", 9);
	if (n > 0) {
		py[9 + n] = '\0';
		compare_file(py[9] == '/' ? py + 9 : py);
	}
	compare_file(CC1);
}

/* A copy of libc at path, whose bytes [at, at + n) are set to v, or cut at at when n is 0. */
static void damaged_copy(const char *path, off_t at, size_t n, unsigned char v)
{
	int in = open(LIBC, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t r;

	assert_true(in >= 0);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	while ((r = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)r), r);
	if (n) {
		memset(buf, v, sizeof(buf));
		for (size_t done = 0; done < n;) {
			size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

			assert_int_equal(pwrite(out, buf, k, at + (off_t)done), (ssize_t)k);
			done += k;
		}
	} else {
		assert_int_equal(ftruncate(out, at), 0);
	}
	close(in);
	close(out);
}

/* libc's section sh_name by name */
static void libc_section(const char *want, GElf_Shdr *sh)
{
	int fd = open(LIBC, O_RDONLY | O_CLOEXEC);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, sh) && !strcmp(elf_strptr(elf, shstrndx, sh->sh_name), want))
			break;
	assert_non_null(scn);
	elf_end(elf);
	close(fd);
}

/* Every address of the damaged file: an answer or none, never a crash or a read outside. */
static size_t ranges_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	struct ehframe x;
	size_t found = 0;

	assert_non_null(elf);
	if (ehframe__open(&x, elf, fd)) {
		for (size_t i = 0; i < x.n; i++) {
			uint64_t lo, hi;

			if (ehframe__range(&x, x.fdes[i].start, &lo, &hi)) {
				assert_true(lo < hi);
				found++;
			}
		}
		ehframe__free(&x);
	}
	elf_end(elf);
	close(fd);
	return found;
}

static void test_hostile_files(void **state)
{
	char path[] = "/tmp/flametop-ehframe.XXXXXX";
	GElf_Shdr eh, hdr;
	int fd = mkstemp(path);
	size_t all;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	libc_section(".eh_frame", &eh);
	libc_section(".eh_frame_hdr", &hdr);
	damaged_copy(path, 0, 1, 0);	/* unchanged but one byte of the ELF ident's */
	damaged_copy(path, (off_t)eh.sh_offset + 8, 0, 0);	/* cut inside .eh_frame */
	assert_int_equal(ranges_of(path), 0);
	/* .eh_frame zeroed: every FDE's length and CIE pointer are 0 */
	damaged_copy(path, (off_t)eh.sh_offset, eh.sh_size, 0);
	assert_int_equal(ranges_of(path), 0);
	/* .eh_frame all 0xff: 64-bit lengths, pointers outside */
	damaged_copy(path, (off_t)eh.sh_offset, eh.sh_size, 0xff);
	assert_int_equal(ranges_of(path), 0);
	/* the index's FDE pointers all 0x7f7f7f7f: far outside .eh_frame */
	damaged_copy(path, (off_t)hdr.sh_offset + 12, hdr.sh_size - 12, 0x7f);
	assert_int_equal(ranges_of(path), 0);
	/* the index claims more entries than it holds */
	damaged_copy(path, (off_t)hdr.sh_offset + 8, 4, 0xff);
	assert_int_equal(ranges_of(path), 0);
	/* the first CIE's augmentation unknown ("zR" -> "zQ"): its FDEs give none, others do */
	all = ranges_of(LIBC);
	damaged_copy(path, (off_t)eh.sh_offset + 10, 1, 'Q');
	assert_true(ranges_of(path) < all);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_libdw),
		cmocka_unit_test(test_hostile_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
