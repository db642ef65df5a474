/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the debug vmlinux of a dump: --vmlinux, --debug-dir and the
 * usual places, each candidate accepted only when its GNU build-id (or,
 * where the dump carries none, its release) matches the dump's, with a
 * list of what was tried and why it did not fit for the error message.
 */
#include "kdump-priv.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

struct search {
	struct ks_dump *d;
	int machine;
	const unsigned char *id;	/* NULL when the dump has no BUILD-ID */
	size_t idlen;
	char found[PATH_MAX];
	char tried[512];		/* for the error message */
	long entries;
};

static void note_tried(struct search *s, const char *path, const char *why)
{
	size_t used = strlen(s->tried);
	if (used + 8 >= sizeof(s->tried))
		return;
	snprintf(s->tried + used, sizeof(s->tried) - used, "%s%s (%s)",
		 used ? ", " : "", path, why);
}

/* Does the vmlinux at path fit the dump?  Build-ids must be equal when
 * both have one; otherwise the banner check after loading the symbols
 * decides (the banner in memory must equal the file's). */
static int candidate_matches(struct search *s, const char *path, int quiet)
{
	unsigned char id[MAX_BUILD_ID];
	size_t idlen;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	if (kd_peek_vmlinux(path, s->machine, id, &idlen)) {
		if (!quiet)
			note_tried(s, path, "not a vmlinux for this machine");
		return 0;
	}
	if (s->id && idlen) {
		if (idlen == s->idlen && memcmp(id, s->id, idlen) == 0) {
			snprintf(s->found, sizeof(s->found), "%s", path);
			return 1;
		}
		if (!quiet)
			note_tried(s, path, "other build-id");
		return 0;
	}
	/* No build-id to compare: accept it for the banner check. */
	snprintf(s->found, sizeof(s->found), "%s", path);
	return 1;
}

static int search_dir(struct search *s, const char *dir, int depth)
{
	DIR *dh;
	struct dirent *e;
	int hit = 0;

	if (depth > MAX_SEARCH_DEPTH || !(dh = opendir(dir)))
		return 0;
	while (!hit && (e = readdir(dh))) {
		char path[PATH_MAX];
		struct stat st;
		const char *n = e->d_name;
		size_t l = strlen(n);

		if (++s->entries > MAX_SEARCH_ENTRIES)
			break;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, n) >= (int)sizeof(path))
			continue;
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* A symlinked directory could loop: only real ones. */
			struct stat lst;
			if (lstat(path, &lst) == 0 && S_ISDIR(lst.st_mode))
				hit = search_dir(s, path, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!s->id) {
			/* Before 5.10 VMCOREINFO names no build-id: take a
			 * vmlinux whose path names the release; the banner
			 * check decides. */
			if (strncmp(n, "vmlinux", 7) == 0 && strstr(path, s->d->osrelease))
				hit = candidate_matches(s, path, 1);
		} else if (strncmp(n, "vmlinux", 7) == 0 ||
			   (l > 6 && strcmp(n + l - 6, ".debug") == 0)) {
			hit = candidate_matches(s, path, 1);
		}
	}
	closedir(dh);
	return hit;
}

int kd_find_vmlinux(struct ks_dump *d, const char *dump_path,
		    const struct ks_dump_opts *o, char *out, size_t outlen,
		    char *err, size_t errlen)
{
	struct search s;
	unsigned char id[MAX_BUILD_ID];
	size_t idlen = 0;
	char path[PATH_MAX];
	const char *rel = d->osrelease;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.machine = d->target.arch == KS_ARCH_S390X ? EM_S390 : EM_X86_64;
	for (size_t i = 0; d->build_id[2 * i] && d->build_id[2 * i + 1] && i < sizeof(id); i++) {
		unsigned byte;
		if (sscanf(d->build_id + 2 * i, "%2x", &byte) != 1)
			break;
		id[idlen++] = (unsigned char)byte;
	}
	if (idlen) {
		s.id = id;
		s.idlen = idlen;
	}
	if (o->vmlinux) {
		if (!candidate_matches(&s, o->vmlinux, 0)) {
			struct stat vst;
			const char *why = stat(o->vmlinux, &vst) ? strerror(errno) :
				!S_ISREG(vst.st_mode) ? "not a regular file" :
				strstr(s.tried, "(other build-id)") ? "other build-id" :
				"not a vmlinux for this machine";
			kd_seterr(err, errlen, "--vmlinux %s does not fit the dump: %s (the dump's build-id is %s)",
			       o->vmlinux, why, d->build_id[0] ? d->build_id : "unknown");
			return -1;
		}
		snprintf(out, outlen, "%s", s.found);
		return 0;
	}
	/* next to the dump (the e2e dump directories keep one there) */
	{
		const char *slash = strrchr(dump_path, '/');
		int dl = slash ? (int)(slash - dump_path) : 1;
		snprintf(path, sizeof(path), "%.*s/vmlinux", dl, slash ? dump_path : ".");
		if (candidate_matches(&s, path, 1))
			goto found;
	}
	if (rel[0]) {
		static const char *const fmts[] = {
			"/usr/lib/debug/boot/vmlinux-%s",
			"/usr/lib/debug/lib/modules/%s/vmlinux",
			"/boot/vmlinux-%s",
			"/lib/modules/%s/build/vmlinux",
		};
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			snprintf(path, sizeof(path), fmts[i], rel);
			if (access(path, R_OK) == 0 && candidate_matches(&s, path, 0))
				goto found;
		}
	}
	if (idlen > 1) {
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug",
			 d->build_id, d->build_id + 2);
		if (access(path, R_OK) == 0 && candidate_matches(&s, path, 0))
			goto found;
	}
	for (int i = 0; i < o->ndebug_dirs; i++) {
		s.entries = 0;
		if ((s.id || rel[0]) && search_dir(&s, o->debug_dirs[i], 0))
			goto found;
	}
	kd_seterr(err, errlen,
	       "no debug vmlinux for %s (build-id %s)%s%s: pass --vmlinux or --debug-dir, or install "
	       "the kernel's debug package (Debian: linux-image-%s-dbg)",
	       rel[0] ? rel : "this kernel", d->build_id[0] ? d->build_id : "unknown",
	       s.tried[0] ? "; tried " : "", s.tried, rel[0] ? rel : "RELEASE");
	return -1;
found:
	snprintf(out, outlen, "%s", s.found);
	return 0;
}
