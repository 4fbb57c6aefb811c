// SPDX-License-Identifier: GPL-2.0
/*
 * bar1: the framebuffer BAR and the isolation between neighbouring vGPUs.
 *
 * Two neighbouring tiny-1c vGPUs (B's slice starts where A's ends): each
 * writes its own pattern through an mmap of BAR1 and reads it back with
 * pread, and neither sees the other's; then pwrite and read through the
 * mapping; accesses that cross pages; a 1 MiB copy. Then two neighbouring
 * h100-1c vGPUs, whose 1012 MiB slice sits in a 1 GiB BAR: bytes past the
 * slice read as zero and drop writes (so A cannot reach into B, whose slice
 * starts right there), a write straddling the slice's end stops at it, and
 * touching a mapping past the slice raises SIGBUS. Then decoding: the
 * mapping is VM_IO | VM_PFNMAP, as real BAR memory is, and with Memory
 * Space off or in D3hot it is zapped (a touch raises SIGBUS, pread and
 * pwrite fail with EIO) until decoding is back, when the same mapping
 * shows the same bytes. Last, the simulated GPU's host memory: with
 * vram_vgpu_cap_mib 1 and vram_cap_mib 2, two vGPUs are promised 1 MiB
 * each and a third is refused with ENOSPC (one log line); each gets
 * exactly its own 256 pages, whatever the other uses, then ENOMEM from
 * pwrite and SIGBUS from a mapping; a removal gives its MiB back. Both
 * parameters are restored at the end, also when the test fails.
 *
 * Usage: bar1
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX
#define NR_OFFS 6

static u64 pattern(u64 seed, u64 off)
{
	return seed ^ (off * 0x9e3779b97f4a7c15ull) ^ (off >> 7);
}

/* qword offsets spread over a slice: edges of pages and of the slice */
static void offsets(u64 fb, u64 *off)
{
	off[0] = 0;
	off[1] = 4096 - 8;
	off[2] = 4096;
	off[3] = (fb / 2) & ~7ull;
	off[4] = fb - 4096;
	off[5] = fb - 8;
}

static bool preads(struct vdev *d, const u64 *off, u64 seed)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < NR_OFFS; i++) {
		u64 v = ~0ull, want = seed ? pattern(seed, off[i]) : 0;
		ssize_t n = vdev_pread(d, BAR1, off[i], &v, 8);

		if (n != 8 || v != want) {
			tap_diag("  %s at %#llx: %#llx, expected %#llx (%zd)",
				 d->uuid, (unsigned long long)off[i],
				 (unsigned long long)v,
				 (unsigned long long)want, n);
			ok = false;
		}
	}
	return ok;
}

static bool map_reads(u8 *map, const u64 *off,
		      unsigned int nr, u64 seed)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < nr; i++) {
		u64 v = *(u64 *)(map + off[i]);
		u64 want = seed ? pattern(seed, off[i]) : 0;

		if (v != want) {
			tap_diag("  mapping at %#llx: %#llx, expected %#llx",
				 (unsigned long long)off[i],
				 (unsigned long long)v, (unsigned long long)want);
			ok = false;
		}
	}
	return ok;
}

static void tiny_pair(const struct vgpu_parent *p)
{
	const u64 sa = 0xa1a1a1a1a1a1a1a1ull, sb = 0xb2b2b2b2b2b2b2b2ull;
	u64 off[NR_OFFS], woff[3], fb, bar, oa, ob;
	u8 *ma, *mb, *buf, *back;
	struct vdev a, b;
	char type[48];
	unsigned int i;
	ssize_t n;
	int ret;

	snprintf(type, sizeof(type), "%s-1c", p->board);
	ret = vgpu_new(&a, p, type);
	if (ret)
		tap_bail("%s A: %s", type, errno_name(-ret));
	ret = vgpu_new(&b, p, type);
	if (ret)
		tap_bail("%s B: %s", type, errno_name(-ret));
	fb = mdev_ull(a.uuid, "fb_size");
	bar = a.region[BAR1].size;
	oa = mdev_ull(a.uuid, "fb_offset");
	ob = mdev_ull(b.uuid, "fb_offset");
	tap_check(ob == oa + fb && mdev_ull(b.uuid, "fb_size") == (long long)fb,
		  "%s A at %#llx and B at %#llx are neighbours (%llu bytes each)",
		  type, (unsigned long long)oa, (unsigned long long)ob,
		  (unsigned long long)fb);
	offsets(fb, off);

	ma = vdev_mmap(&a, BAR1, 0, bar, MAP_SHARED);
	mb = vdev_mmap(&b, BAR1, 0, bar, MAP_SHARED);
	if (!tap_check(ma != MAP_FAILED && mb != MAP_FAILED,
		       "both BAR1s map whole (%#llx bytes)",
		       (unsigned long long)bar))
		tap_bail("mmap: %s", strerror(errno));

	for (i = 0; i < NR_OFFS; i++)
		*(u64 *)(ma + off[i]) = pattern(sa, off[i]);
	tap_check(preads(&a, off, sa),
		  "A's pattern, written through A's mapping, reads back with pread on A");
	tap_check(preads(&b, off, 0) && map_reads(mb, off, NR_OFFS, 0),
		  "B reads zeros where A wrote (pread and mapping)");
	for (i = 0; i < NR_OFFS; i++)
		*(u64 *)(mb + off[i]) = pattern(sb, off[i]);
	tap_check(preads(&b, off, sb),
		  "B's pattern, written through B's mapping, reads back with pread on B");
	tap_check(preads(&a, off, sa) && map_reads(ma, off, NR_OFFS, sa),
		  "A still reads only its own pattern (pread and mapping)");

	woff[0] = 8 * 4096 + 64;
	woff[1] = (fb / 3) & ~4095ull;
	woff[2] = fb - 16;
	for (i = 0, ret = 0; i < 3; i++) {
		u64 v = pattern(sa ^ 1, woff[i]);

		if (vdev_pwrite(&a, BAR1, woff[i], &v, 8) != 8)
			ret = -EIO;
	}
	tap_check(!ret && map_reads(ma, woff, 3, sa ^ 1),
		  "pwrite on A is seen through A's mapping");
	tap_check(map_reads(mb, woff, 3, 0),
		  "B's mapping does not see A's pwrite");

	buf = malloc(1 << 20);
	back = malloc(1 << 20);
	if (!buf || !back)
		tap_bail("out of memory");
	for (i = 0; i < 64; i++)
		buf[i] = 0x40 + i;
	n = vdev_pwrite(&a, BAR1, 5 * 4096 - 32, buf, 64);
	tap_check(n == 64 && !memcmp(ma + 5 * 4096 - 32, buf, 64),
		  "a 64-byte pwrite across a page boundary lands in both pages");
	memcpy(ma + 9 * 4096 - 16, buf, 48);
	n = vdev_pread(&a, BAR1, 9 * 4096 - 16, back, 48);
	tap_check(n == 48 && !memcmp(back, buf, 48),
		  "a 48-byte pread across a page boundary returns both pages' bytes");

	for (i = 0; i < (1 << 20); i++)
		buf[i] = (u8)pattern(7, i);
	n = vdev_pwrite(&a, BAR1, 2 << 20, buf, 1 << 20);
	tap_check(n == (1 << 20) && !memcmp(ma + (2 << 20), buf, 1 << 20),
		  "a 1 MiB pwrite (%zd) matches the mapping", n);
	memset(back, 0, 1 << 20);
	n = vdev_pread(&a, BAR1, 2 << 20, back, 1 << 20);
	tap_check(n == (1 << 20) && !memcmp(back, buf, 1 << 20),
		  "a 1 MiB pread (%zd) returns it", n);
	n = vdev_pread(&b, BAR1, 2 << 20, back, 1 << 20);
	for (i = 0; n == (1 << 20) && i < (1 << 20) && !back[i]; i++)
		;
	tap_check(n == (1 << 20) && i == (1 << 20),
		  "B reads zeros over the same MiB");
	free(buf);
	free(back);

	vdev_munmap(ma, bar);
	vdev_munmap(mb, bar);
	tap_errno(vgpu_del(&a), 0, "remove A");
	tap_errno(vgpu_del(&b), 0, "remove B");
}

/* Whether touching @addr kills a child with SIGBUS. */
static bool touch_sigbus(u8 *addr, bool write)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		signal(SIGBUS, SIG_DFL);
		if (write)
			*addr = 1;
		else if (*addr == 0x42)
			_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
}

static void h100_pair(const struct vgpu_parent *p)
{
	u64 fb, bar, v, zero = 0, pat[2];
	u8 page[4096], *ma;
	struct vdev a, b;
	unsigned int i;
	bool zeros;
	ssize_t n;
	int ret;

	ret = vgpu_new(&a, p, "h100-1c");
	if (ret)
		tap_bail("h100-1c A: %s", errno_name(-ret));
	ret = vgpu_new(&b, p, "h100-1c");
	if (ret)
		tap_bail("h100-1c B: %s", errno_name(-ret));
	fb = mdev_ull(a.uuid, "fb_size");
	bar = a.region[BAR1].size;
	tap_check(bar > fb && mdev_ull(b.uuid, "fb_offset") ==
		  mdev_ull(a.uuid, "fb_offset") + (long long)fb,
		  "h100-1c: BAR1 %#llx is larger than the %#llx slice; B follows A",
		  (unsigned long long)bar, (unsigned long long)fb);

	memset(page, 0xc3, sizeof(page));
	n = vdev_pwrite(&a, BAR1, fb, page, sizeof(page));
	tap_check(n == sizeof(page),
		  "h100-1c: a pwrite past the slice, inside the BAR, is accepted (%zd)",
		  n);
	memset(page, 0xff, sizeof(page));
	n = vdev_pread(&a, BAR1, fb, page, sizeof(page));
	for (i = 0, zeros = true; i < sizeof(page); i++)
		zeros &= !page[i];
	tap_check(n == sizeof(page) && zeros,
		  "h100-1c: past the slice reads zeros: the write was dropped");
	n = vdev_pread(&a, BAR1, bar - 8, &v, 8);
	tap_check(n == 8 && v == 0, "h100-1c: the BAR's last qword reads 0");
	n = vdev_pread(&b, BAR1, 0, page, sizeof(page));
	for (i = 0, zeros = true; i < sizeof(page); i++)
		zeros &= !page[i];
	tap_check(n == sizeof(page) && zeros,
		  "h100-1c: B's first page, right after A's slice, did not get A's bytes");

	pat[0] = 0x1122334455667788ull;
	pat[1] = 0x99aabbccddeeff00ull;
	n = vdev_pwrite(&a, BAR1, fb - 8, pat, 16);
	v = ~0ull;
	vdev_pread(&a, BAR1, fb - 8, &v, 8);
	vdev_pread(&a, BAR1, fb, &zero, 8);
	tap_check(n == 16 && v == pat[0] && zero == 0,
		  "h100-1c: a write straddling the slice's end keeps its first half only");
	pat[0] = ~0ull;
	pat[1] = ~0ull;
	n = vdev_pread(&a, BAR1, fb - 8, pat, 16);
	tap_check(n == 16 && pat[0] == v && pat[1] == 0,
		  "h100-1c: a read straddling the slice's end returns its last bytes, then zeros");

	ma = vdev_mmap(&a, BAR1, 0, bar, MAP_SHARED);
	if (tap_check(ma != MAP_FAILED, "h100-1c: BAR1 maps whole")) {
		tap_check(*(u64 *)(ma + fb - 8) == pat[0],
			  "h100-1c: the mapping sees the slice's last qword");
		tap_check(touch_sigbus(ma + fb, false) &&
			  touch_sigbus(ma + bar - 1, true),
			  "h100-1c: touching the mapping past the slice raises SIGBUS");
		vdev_munmap(ma, bar);
	}
	tap_errno(vgpu_del(&a), 0, "remove h100-1c A");
	tap_errno(vgpu_del(&b), 0, "remove h100-1c B");
}

/* Whether the VmFlags of the mapping at @addr in smaps have every flag in @want. */
static bool vm_flags_have(const void *addr, const char *const *want,
			  unsigned int nr)
{
	unsigned long start, end;
	bool found = false, ok = false;
	char line[512];
	unsigned int i;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's first line; its fields' lines start with a name. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			found = start == (unsigned long)addr;
			continue;
		}
		if (!found || strncmp(line, "VmFlags:", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		tap_diag("  BAR1 mapping %s", line);
		strcat(line, " ");
		for (i = 0, ok = true; i < nr; i++) {
			char flag[8];

			snprintf(flag, sizeof(flag), " %s ", want[i]);
			ok &= !!strstr(line, flag);
		}
		break;
	}
	fclose(f);
	return ok;
}

static int bar1_rw_errno(struct vdev *d, bool write)
{
	u64 v = 0;
	ssize_t n = write ? vdev_pwrite(d, BAR1, 0, &v, 8) :
			    vdev_pread(d, BAR1, 0, &v, 8);

	return n < 0 ? (int)n : 0;
}

/*
 * BAR1 is mapped as real BAR memory is (VM_IO | VM_PFNMAP) and decodes only
 * while the guest lets it: with Memory Space off or in D3hot every mapping
 * is zapped, a touch raises SIGBUS and pread/pwrite fail with EIO; once
 * decoding is back the same mapping shows the same bytes.
 */
static void bar1_decode(const struct vgpu_parent *p)
{
	static const char *const flags[] = { "sh", "io", "pf", "de", "dd" };
	const u64 sig = 0x0dec0de0dec0de00ull;
	const size_t len = 2 * 4096;
	struct vdev d;
	char type[48];
	int pm, ret;
	u8 *map;

	snprintf(type, sizeof(type), "%s-1c", p->board);
	ret = vgpu_new(&d, p, type);
	if (!tap_errno(ret, 0, "decode: create and open a %s", type))
		return;
	pm = cfg_find_cap(&d, PCI_CAP_ID_PM);
	cfg_write(&d, PCI_COMMAND, 2, 0);
	map = vdev_mmap(&d, BAR1, 0, len, MAP_SHARED);
	if (!tap_check(map != MAP_FAILED,
		       "decode: BAR1 maps with memory decoding off (%s)",
		       errno_name(map == MAP_FAILED ? errno : 0)))
		goto out;
	tap_check(vm_flags_have(map, flags, ARRAY_SIZE(flags)),
		  "decode: the mapping is VM_SHARED, VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP (smaps sh io pf de dd)");
	tap_check(touch_sigbus(map, false) && touch_sigbus(map + 4096, true),
		  "decode: with Memory Space off, touching the mapping raises SIGBUS");
	tap_errno(bar1_rw_errno(&d, false), EIO,
		  "decode: with Memory Space off, a BAR1 pread fails with EIO");
	tap_errno(bar1_rw_errno(&d, true), EIO,
		  "decode: with Memory Space off, a BAR1 pwrite fails with EIO");

	cfg_enable(&d, PCI_COMMAND_MEMORY);
	*(u64 *)(map + 8) = sig;
	tap_check(*(u64 *)(map + 8) == sig && !map[4096],
		  "decode: with Memory Space on, the same mapping works");

	cfg_write(&d, PCI_COMMAND, 2, 0);
	tap_check(touch_sigbus(map, false) && touch_sigbus(map + 4096, true),
		  "decode: clearing Memory Space zaps the mapping: touching it raises SIGBUS");
	cfg_enable(&d, PCI_COMMAND_MEMORY);
	tap_check(*(u64 *)(map + 8) == sig,
		  "decode: Memory Space set again, the mapping shows the same bytes");

	if (!tap_check(pm >= 0, "decode: a PM capability"))
		goto unmap;
	cfg_write(&d, pm + PCI_PM_CTRL, 2, 3);
	tap_check(touch_sigbus(map, false) && touch_sigbus(map + 4096, true),
		  "decode: D3hot zaps the mapping: touching it raises SIGBUS");
	tap_errno(bar1_rw_errno(&d, false), EIO,
		  "decode: in D3hot a BAR1 pread fails with EIO");
	cfg_write(&d, pm + PCI_PM_CTRL, 2, 0);
	tap_check(*(u64 *)(map + 8) == sig,
		  "decode: back in D0, the mapping shows the same bytes");
unmap:
	vdev_munmap(map, len);
out:
	tap_errno(vgpu_del(&d), 0, "decode: remove the vGPU");
}

#define SIM_PARAM "/sys/module/nvkm_vgpu_sim/parameters/"
#define VRAM_CAP SIM_PARAM "vram_cap_mib"
#define VRAM_VGPU_CAP SIM_PARAM "vram_vgpu_cap_mib"

static char vram_cap[32], vram_vgpu_cap[32];

static void vram_caps_restore(void)
{
	if (vram_cap[0])
		sysfs_write(VRAM_CAP, vram_cap);
	if (vram_vgpu_cap[0])
		sysfs_write(VRAM_VGPU_CAP, vram_vgpu_cap);
}

static long long vram_used(const struct vgpu_parent *p)
{
	unsigned long long v;
	char path[512];

	snprintf(path, sizeof(path), "%s/vram_used_kib", p->path);
	return sysfs_read_ull(path, &v) ? -1 : (long long)v;
}

/* The kernel log from here on: open /dev/kmsg at its end. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Counts the records at warning level or worse logged since kmsg_open(),
 * and those of them containing @needle; each goes out as a diagnostic.
 * The driver core's line for a failed probe ("probe with driver ...
 * failed with error", before 6.3 "probe of ... failed with error"), which
 * every failed probe gets whatever the driver says, is not counted.
 */
static unsigned int kmsg_warnings(int fd, const char *needle,
				  unsigned int *named)
{
	unsigned int n = 0, prio;
	char rec[1024], *msg;
	ssize_t len;

	*named = 0;
	if (fd < 0)
		return 0;
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (len < 0 && errno == EPIPE)) {
		if (len < 0)
			continue;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%u,", &prio) != 1 || (prio & 7) > 4)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		tap_diag("  log: %s", msg);
		if (strstr(msg, "probe ") && strstr(msg, " failed with error"))
			continue;
		n++;
		*named += !!strstr(msg, needle);
	}
	close(fd);
	return n;
}

/* Fills @len bytes of BAR1 from 0 with 0x77; returns what pwrite did. */
static ssize_t fill(struct vdev *d, const u8 *buf, size_t len)
{
	return vdev_pwrite(d, BAR1, 0, buf, len);
}

/*
 * Each vGPU is promised min(FB size, vram_vgpu_cap_mib) of host memory out
 * of vram_cap_mib when it is created: with 1 MiB each out of 2 MiB, two
 * vGPUs fit and a third is refused with ENOSPC; each gets exactly its own
 * 256 pages whatever the other does, then ENOMEM (pwrite) and SIGBUS
 * (mapping); removing one gives its budget back. A budget is fixed at
 * create: restoring the parameters changes only vGPUs created afterwards.
 */
static void bar1_budget(const struct vgpu_parent *p)
{
	const size_t len = 2 << 20;
	long long used0 = vram_used(p), used;
	char type[48], uuid[UUID_LEN + 1];
	unsigned int warned, named;
	struct vdev a, b, c;
	u64 v = 0x0123456789abcdefull;
	u8 *buf, *back, *map;
	ssize_t n;
	int ret, kmsg;

	if (sysfs_read(VRAM_CAP, vram_cap, sizeof(vram_cap)) ||
	    sysfs_read(VRAM_VGPU_CAP, vram_vgpu_cap, sizeof(vram_vgpu_cap))) {
		tap_skip("no vram_cap_mib or vram_vgpu_cap_mib parameter",
			 "host memory budget");
		vram_cap[0] = '\0';
		vram_vgpu_cap[0] = '\0';
		return;
	}
	snprintf(type, sizeof(type), "%s-1c", p->board);
	buf = malloc(len);
	back = malloc(len);
	if (!buf || !back)
		tap_bail("out of memory");
	memset(buf, 0x77, len);

	ret = sysfs_write(VRAM_VGPU_CAP, "1");
	ret = ret ?: sysfs_write(VRAM_CAP, "2");
	if (!tap_errno(ret, 0, "budget: vram_vgpu_cap_mib 1 (was %s), vram_cap_mib 2 (was %s)",
		       vram_vgpu_cap, vram_cap))
		goto out;
	ret = vgpu_new(&a, p, type);
	if (!tap_errno(ret, 0, "budget: create and open %s A, promised 1 MiB", type))
		goto out;
	ret = vgpu_new(&b, p, type);
	if (!tap_errno(ret, 0, "budget: create and open %s B, promised the cap's other MiB",
		       type))
		goto out_a;

	uuid_new(uuid);
	kmsg = kmsg_open();
	ret = mdev_create(p, type, uuid);
	warned = kmsg_warnings(kmsg, "vram_cap_mib", &named);
	tap_errno(ret, ENOSPC,
		  "budget: a third %s, which the cap cannot promise 1 MiB more, is refused with ENOSPC",
		  type);
	tap_check(kmsg >= 0 && warned == 1 && named == 1,
		  "budget: with one log line, naming vram_cap_mib (%u lines, %u naming it)",
		  warned, named);
	if (!ret)
		mdev_remove(uuid);

	n = fill(&a, buf, len);
	tap_check(n == 1 << 20,
		  "budget: A's 2 MiB pwrite stops after its own 1 MiB (%zd)", n);
	n = vdev_pwrite(&a, BAR1, 8 << 20, &v, 8);
	tap_errno(n < 0 ? (int)n : 0, ENOMEM,
		  "budget: A's pwrite to a further page fails with ENOMEM");
	v = ~0ull;
	n = vdev_pread(&a, BAR1, 8 << 20, &v, 8);
	tap_check(n == 8 && v == 0,
		  "budget: reading A's unbacked page still works and reads 0");
	used = vram_used(p);
	tap_check(used == used0 + 1024,
		  "budget: A holds exactly 256 pages (vram_used_kib %lld -> %lld)",
		  used0, used);

	n = fill(&b, buf, 1 << 20);
	tap_check(n == 1 << 20,
		  "budget: A's exhausted budget costs B nothing: B writes its whole MiB (%zd)",
		  n);
	n = vdev_pwrite(&b, BAR1, 4 << 20, &v, 8);
	tap_errno(n < 0 ? (int)n : 0, ENOMEM,
		  "budget: and B too gets ENOMEM past its own MiB");
	n = vdev_pread(&a, BAR1, 0, back, len);
	tap_check(n == (ssize_t)len && !memcmp(back, buf, 1 << 20) &&
		  !back[1 << 20] && !back[len - 1],
		  "budget: A still reads its MiB back, and zeros past it");

	map = vdev_mmap(&a, BAR1, 0, 16 << 20, MAP_SHARED);
	if (tap_check(map != MAP_FAILED, "budget: map 16 MiB of A's BAR1 (%s)",
		      errno_name(map == MAP_FAILED ? errno : 0))) {
		tap_check(map[4096] == 0x77 && map[(1 << 20) - 1] == 0x77,
			  "budget: A's backed pages map");
		tap_check(touch_sigbus(map + (12 << 20), true) &&
			  touch_sigbus(map + (13 << 20), false),
			  "budget: touching an unbacked page of A's mapping raises SIGBUS");
		vdev_munmap(map, 16 << 20);
	}

	ret = vgpu_del(&b);
	tap_errno(ret, 0, "budget: remove B");
	ret = vgpu_new(&c, p, type);
	if (tap_errno(ret, 0, "budget: B's removal gave its MiB back: C can be created")) {
		n = fill(&c, buf, len);
		tap_check(n == 1 << 20,
			  "budget: C gets its own 1 MiB (%zd)", n);
		tap_errno(vgpu_del(&c), 0, "budget: remove C");
	}

	vram_caps_restore();
	v = 0x0123456789abcdefull;
	n = vdev_pwrite(&a, BAR1, 8 << 20, &v, 8);
	tap_errno(n < 0 ? (int)n : 0, ENOMEM,
		  "budget: with vram_vgpu_cap_mib %s and vram_cap_mib %s restored, A keeps the budget it was promised: ENOMEM",
		  vram_vgpu_cap, vram_cap);
	ret = vgpu_new(&c, p, type);
	if (tap_errno(ret, 0, "budget: create and open %s D with the restored parameters",
		      type)) {
		n = fill(&c, buf, len);
		tap_check(n == (ssize_t)len,
			  "budget: D's 2 MiB pwrite gets all of it (%zd)", n);
		tap_errno(vgpu_del(&c), 0, "budget: remove D");
	}
out_a:
	tap_errno(vgpu_del(&a), 0, "budget: remove A");
	used = vram_used(p);
	tap_check(used == used0,
		  "budget: every page is back (vram_used_kib %lld)", used);
out:
	vram_caps_restore();
	free(buf);
	free(back);
}

int main(void)
{
	struct vgpu_parent tiny, h100;

	tap_init("bar1", 300);
	if (parent_find("tiny", &tiny) || parent_ready(&tiny))
		tap_bail("no idle tiny GPU");
	tiny_pair(&tiny);
	if (parent_find("h100", &h100) || parent_ready(&h100))
		tap_check(false, "an idle h100 GPU");
	else
		h100_pair(&h100);
	bar1_decode(&tiny);
	cleanup_hook(vram_caps_restore);
	bar1_budget(&tiny);
	return tap_done();
}
