/* SPDX-License-Identifier: MIT */
/*
 * cgroups: who a cgroup is, as people know it.  A cgroup v2 id (what
 * bpf_get_current_cgroup_id() gives: the inode number of the cgroup's
 * directory on the cgroup2 mount) becomes a readable name:
 *
 *	docker-<64hex>.scope             docker:<12hex>
 *	libpod-<64hex>(.scope)           podman:<12hex>
 *	cri-containerd-<64hex>.scope     containerd:<12hex>
 *	crio-<64hex>(.scope)             crio:<12hex>
 *	<64hex> (cgroupfs drivers)       docker:<12hex> in a "docker" directory,
 *	                                 else container:<12hex>
 *	...kubepods...pod<uid>(.slice)   pod:<uid>   (the pod's own cgroup; the
 *	                                 uid with '-' however the name writes it)
 *	nginx.service, foo.scope         the unit's name (.service .scope .slice
 *	                                 .socket .mount .swap)
 *	anything else                    the path relative to the mount as
 *	                                 /proc/PID/cgroup writes it: "/a/b"
 *	                                 ("/" for the root), its tail "..." when
 *	                                 longer than 160 bytes
 *
 * Every cgroup below a container's is named by that container, the
 * outermost one: a container may make what cgroups it likes in its own (a
 * delegated cgroup), and none of them passes for another container.
 * Outside containers a pod names what lies below it, else the innermost
 * unit.  Names are safe for folded frames (no ';', no control characters,
 * no spaces).  The tree is read as anybody's (cgtree.h): links are not
 * followed, and depth and size are bounded.
 *
 * And `-c`: what users type — a cgroup path (absolute, relative to the
 * mount, or as /proc/PID/cgroup writes it), a container id or unique id
 * prefix (at least 4 hex digits, any case; "podman:<id>" as the names show
 * it narrows to one runtime), a pod uid or a prefix of it ('-' or '_'), or
 * a directory's name, a unit's with its suffix or without (nginx for
 * nginx.service or nginx.scope) — found by searching the cgroup2 tree
 * (not inside containers' cgroups).
 */
#ifndef FLAMETOP_CGROUPS_H
#define FLAMETOP_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_names;

/* NULL when out of memory; a host without cgroup2 gives names of "?". */
struct cgroup_names *cgroup_names__new(void);
void cgroup_names__free(struct cgroup_names *cn);
/*
 * The readable name of cgroup id (see above); "?" when it cannot be found
 * (removed before it was named, or not on the cgroup2 mount).  An unknown
 * id rescans the tree, at most once a second (until then it is "?"); the
 * index keeps up to 8192 ids, those of removed cgroups as long as there is
 * room, and an id a scan did not find stays "?".  Borrowed until the next
 * call.
 */
const char *cgroup_names__name(struct cgroup_names *cn, uint64_t id);
/*
 * The container's own host name (its /etc/hostname read strictly inside
 * the root of pid, which runs in it: in Kubernetes the pod's name): the
 * first line of a regular file, within its first 256 bytes, each byte
 * outside [A-Za-z0-9._-] as '_'.  false when there is none, it is empty,
 * longer or does not fit in size, or it cannot be read safely (a link out
 * of the root, a FIFO, a device).
 */
bool cgroup_names__hostname(int pid, char *buf, size_t size);

/*
 * Resolves -c's argument to a cgroup directory's absolute path.  0; or 1
 * with err saying why in one line: the candidates when the name is
 * ambiguous ("NAME (PATH)", sorted by path; at most 10, as many as fit in
 * esize, and how many more), or that nothing matched.
 */
int cgroups__resolve(const char *arg, char *path, size_t size, char *err, size_t esize);

/* The same over the tree at mount, which need not be a cgroup2 one (the tests'). */
struct cgroup_names *cgroup_names__new_at(const char *mount);
int cgroups__resolve_at(const char *mount, const char *arg, char *path, size_t size, char *err,
			size_t esize);

#endif
