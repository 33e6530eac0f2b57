/* SPDX-License-Identifier: MIT */
/*
 * hostnames: the host names of containers, for the process table, looked
 * up on a thread of their own.  Reading a container's /etc/hostname opens
 * a file on whatever it mounted there — a FUSE or NFS mount that never
 * answers blocks the reader in the kernel — so the screen never waits for
 * it: a name is shown once it is known.
 */
#ifndef FLAMETOP_HOSTNAMES_H
#define FLAMETOP_HOSTNAMES_H

#include <stdint.h>

struct hostnames;

struct hostnames *hostnames__new(void);
/*
 * Lets the lookup thread go: freed now if it is idle, else by the thread
 * itself once its lookup returns (a lookup stuck in the kernel ends with
 * the process).
 */
void hostnames__free(struct hostnames *h);
/*
 * The host name of container (a name id) as seen through process pid: ""
 * until known, or when there is none.  Copied into buf.
 */
void hostnames__get(struct hostnames *h, uint32_t container, uint32_t pid, char *buf,
		    size_t size);

#endif
