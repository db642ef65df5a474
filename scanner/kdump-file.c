/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a file is and what its notes say: dump format detection
 * (ks_dump_file_kind), the ELF core checks made before libkdumpfile sees
 * the file, VMCOREINFO values and the kernel banner check that the
 * symbols belong to the dump's kernel.
 */
#include "kdump-priv.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

enum ks_file_kind ks_dump_file_kind(const char *path)
{
	unsigned char h[64];
	size_t len = strlen(path);
	ssize_t n;
	int fd;

	struct stat st;

	if (len > 7 && strcmp(path + len - 7, ".sample") == 0)
		return KS_FILE_SAMPLE;
	/* a FIFO or a device could block the open or the read forever */
	if (stat(path, &st))
		return KS_FILE_UNREADABLE;
	if (!S_ISREG(st.st_mode))
		return KS_FILE_OTHER;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return KS_FILE_UNREADABLE;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < 0)
		return KS_FILE_UNREADABLE;
	if (n >= 18 && memcmp(h, ELFMAG, SELFMAG) == 0) {
		unsigned type = h[EI_DATA] == ELFDATA2MSB ? (unsigned)(h[16] << 8 | h[17])
							  : (unsigned)(h[17] << 8 | h[16]);
		return type == ET_CORE ? KS_FILE_ELF_CORE : KS_FILE_ELF_OTHER;
	}
	if (n >= 8 && (memcmp(h, "KDUMP   ", 8) == 0 || memcmp(h, "DISKDUMP", 8) == 0))
		return KS_FILE_KDUMP;
	if (n >= 12 && memcmp(h, "makedumpfile", 12) == 0)
		return KS_FILE_FLATTENED;
	return KS_FILE_OTHER;
}

const char *ks_dump_kind_name(enum ks_file_kind kind)
{
	switch (kind) {
	case KS_FILE_SAMPLE: return "sample";
	case KS_FILE_ELF_CORE: return "ELF";
	case KS_FILE_KDUMP: return "kdump-compressed";
	case KS_FILE_FLATTENED: return "makedumpfile-flattened";
	case KS_FILE_ELF_OTHER: return "ELF (not a core)";
	case KS_FILE_UNREADABLE: return "unreadable";
	default: return "unknown";
	}
}

/* ELF vmcore: program headers must fit the file, else it was cut short
 * (libkdumpfile would only fail later, page by page).  Also catches the
 * QEMU 7.2 s390x header (e_ehsize 8, little-endian section headers)
 * that libkdumpfile cannot read. */
int kd_check_elf_core(int fd, off_t fsize, int *bad_ehsize, char *err,
		      size_t errlen)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	size_t phnum;
	uint64_t need = 0;
	int rc = 0;

	if (!elf || !gelf_getehdr(elf, &eh)) {
		kd_seterr(err, errlen, "broken ELF header: %s", elf_errmsg(-1));
		if (elf)
			elf_end(elf);
		return -1;
	}
	/* QEMU 7.2 writes e_ehsize 8 on every target; libkdumpfile copes
	 * unless the section headers are broken as well (s390x). */
	*bad_ehsize = eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_ehsize != sizeof(Elf64_Ehdr);
	if (elf_getphdrnum(elf, &phnum)) {
		kd_seterr(err, errlen, "cannot read the program headers: %s", elf_errmsg(-1));
		elf_end(elf);
		return -1;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	if (need > (uint64_t)fsize) {
		kd_seterr(err, errlen, "truncated: the program headers need %llu bytes, the file has %llu",
		       (unsigned long long)need, (unsigned long long)fsize);
		rc = -1;
	}
	elf_end(elf);
	return rc;
}

char *kd_vmcoreinfo(struct ks_dump *d, const char *key)
{
	char *val = NULL;
	if (kdump_vmcoreinfo_line(d->ctx, key, &val) != KDUMP_OK)
		return NULL;
	return val;
}

/* The banner in the dump must equal the one in the vmlinux: catches a
 * wrong vmlinux even without a build-id, and a wrong KASLR offset. */
int kd_check_banner(struct ks_dump *d, char *err, size_t errlen)
{
	kaddr_t at;
	char mem[BANNER_MAX], file[BANNER_MAX];

	if (kd_vmlinux_sym(&d->v, "linux_banner", &at)) {
		kd_seterr(err, errlen, "%s has no linux_banner symbol", d->v.path);
		return -1;
	}
	memset(file, 0, sizeof(file));
	if (kd_vmlinux_file_read(&d->v, at - (kaddr_t)d->kaslr, file, sizeof(file) - 1))
		file[0] = 0;
	file[sizeof(file) - 1] = 0;
	if (ks_target_read_cstr(&d->target, at, mem, sizeof(mem))) {
		kd_seterr(err, errlen,
		       "linux_banner at %#llx is not readable in the dump: %s does not match it "
		       "(or the KASLR offset %#llx is wrong)",
		       (unsigned long long)at, d->v.path, (unsigned long long)d->kaslr);
		return -1;
	}
	if (file[0] && strcmp(mem, file) != 0) {
		char *nl;
		if ((nl = strchr(mem, '\n')))
			*nl = 0;
		if ((nl = strchr(file, '\n')))
			*nl = 0;
		kd_seterr(err, errlen, "%s does not match the dump: dump says '%.120s', vmlinux '%.120s'",
		       d->v.path, mem, file);
		return -1;
	}
	if (!d->target.version)
		d->target.version = ks_version_from_banner(mem, d->osrelease);
	return 0;
}

const char *kd_kdump_msg(struct ks_dump *d, kdump_status st)
{
	const char *m = kdump_get_err(d->ctx);
	return m ? m : kdump_strerror(st);
}

/* A hexadecimal VMCOREINFO value ("KERNELOFFPHYS=900000").  0 with
 * *present set to 0 when the key is absent, -1 when it is malformed. */
int kd_vmcoreinfo_hex(struct ks_dump *d, const char *key, uint64_t *out,
		      int *present, char *err, size_t errlen)
{
	char *val = kd_vmcoreinfo(d, key), *end;
	unsigned long long v;

	*present = 0;
	if (!val)
		return 0;
	errno = 0;
	v = strtoull(val, &end, 16);
	if (errno || end == val || (*end && !isspace((unsigned char)*end))) {
		kd_seterr(err, errlen, "VMCOREINFO %s=%.40s is not a hexadecimal number", key, val);
		free(val);
		return -1;
	}
	free(val);
	*out = v;
	*present = 1;
	return 0;
}
