/* SPDX-License-Identifier: MIT */
/*
 * debugfile: the separate debug file of an ELF file, found as libdw's
 * standard search finds it — by build-id under the debug directories, then
 * by .gnu_debuglink next to the binary, in its .debug/, and under the debug
 * directories — but as a root tool must: a candidate is opened O_PATH
 * first (a device or FIFO is never opened for reading), must be a regular
 * file that root owns and nobody else may write (libdw maps it: nobody may
 * be able to shrink it), and must carry the binary's build-id (or the
 * debuglink's CRC).  A debuglink is a file name, never a path; it is looked
 * for next to the binary only when the binary's path is ours (the process
 * shares our root).  No network: debuginfod is
 * fetcher.h's, on a thread of its own.
 */
#ifndef FLAMETOP_DEBUGFILE_H
#define FLAMETOP_DEBUGFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * An open descriptor of the debug file, or -1.  dirs: ':'-separated debug
 * directories (only absolute ones are searched; NULL: /usr/lib/debug);
 * binary: the binary's path on our file system, or NULL.
 */
int debugfile__find(const char *dirs, const unsigned char *id, size_t id_len,
		    const char *binary, const char *debuglink, uint32_t crc);

#endif
