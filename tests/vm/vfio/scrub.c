// SPDX-License-Identifier: GPL-2.0
/*
 * scrub: no tenant reads another's bytes.
 *
 * A tiny-1c vGPU writes a secret into its framebuffer (pwrite and mmap).
 * While anything still holds the vGPU open the secret stays: a second
 * device fd reads it, and closing that fd scrubs nothing; a BAR1 mapping
 * keeps the device open after its fds are closed, and still shows it. When
 * the last user lets go (the mapping goes) the FB is scrubbed, so a
 * persistent vGPU handed from one user to the next shows nothing of the
 * last one: reopened, it reads zeros. The secret is written again and the
 * vGPU removed, and a new vGPU created in the same place (same fb_offset)
 * reads zeros everywhere the secret was. The same again in mixed
 * placement, where the next tenant is a larger type whose slice covers the
 * old one. The simulated GPU's vram_used_kib shows the pages going back to
 * the host at the last close and at removal.
 *
 * Usage: scrub
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX
#define NR_SECRETS 4

struct secret_set {
	u64 off[NR_SECRETS];
	u8 bytes[NR_SECRETS][4096];
};

static void secret_init(struct secret_set *s, u64 fb)
{
	unsigned int i, j;

	s->off[0] = 0;
	s->off[1] = 7 * 4096;
	s->off[2] = (fb / 2) & ~4095ull;
	s->off[3] = fb - 4096;
	for (i = 0; i < NR_SECRETS; i++)
		for (j = 0; j < 4096; j++)
			s->bytes[i][j] = (u8)(0x5a ^ (j * 31 + i * 7) ^ (j >> 8)) | 1;
}

/* Writes pages 0 and 2 with pwrite, 1 and 3 through a mapping. */
static int secret_write(struct vdev *d, const struct secret_set *s)
{
	u64 bar = d->region[BAR1].size;
	unsigned int i;
	u8 *map;

	map = vdev_mmap(d, BAR1, 0, bar, MAP_SHARED);
	if (map == MAP_FAILED)
		return -errno;
	for (i = 0; i < NR_SECRETS; i++) {
		if (i % 2) {
			memcpy(map + s->off[i], s->bytes[i], 4096);
		} else if (vdev_pwrite(d, BAR1, s->off[i], s->bytes[i],
				       4096) != 4096) {
			vdev_munmap(map, bar);
			return -EIO;
		}
	}
	return vdev_munmap(map, bar);
}

/* Whether every secret page reads back (or reads zeros) through @map. */
static bool secret_map_reads(const u8 *map, const struct secret_set *s,
			     bool expect_zero)
{
	unsigned int i, j;

	for (i = 0; i < NR_SECRETS; i++) {
		for (j = 0; j < 4096; j++) {
			u8 want = expect_zero ? 0 : s->bytes[i][j];

			if (map[s->off[i] + j] != want) {
				tap_diag("  page %#llx byte %u: map %#x, want %#x",
					 (unsigned long long)s->off[i], j,
					 map[s->off[i] + j], want);
				return false;
			}
		}
	}
	return true;
}

/* Whether every secret page reads back (or reads zeros) by pread on @fd. */
static bool secret_preads(int fd, const struct secret_set *s, bool expect_zero)
{
	unsigned int i, j;
	u8 page[4096];
	ssize_t n;

	for (i = 0; i < NR_SECRETS; i++) {
		n = pread(fd, page, sizeof(page), vdev_offset(BAR1) + s->off[i]);
		if (n != sizeof(page)) {
			tap_diag("  page %#llx: pread %zd", (unsigned long long)s->off[i],
				 n < 0 ? -errno : n);
			return false;
		}
		for (j = 0; j < 4096; j++) {
			u8 want = expect_zero ? 0 : s->bytes[i][j];

			if (page[j] != want) {
				tap_diag("  page %#llx byte %u: pread %#x, want %#x",
					 (unsigned long long)s->off[i], j,
					 page[j], want);
				return false;
			}
		}
	}
	return true;
}

/* Whether every secret page reads back (or reads zeros), by pread and mapping. */
static bool secret_reads(struct vdev *d, const struct secret_set *s,
			 bool expect_zero)
{
	u64 bar = d->region[BAR1].size;
	bool ok;
	u8 *map;

	map = vdev_mmap(d, BAR1, 0, bar, MAP_SHARED);
	if (map == MAP_FAILED) {
		tap_diag("  mmap of BAR1: %s", errno_name(errno));
		return false;
	}
	ok = secret_preads(d->fd, s, expect_zero);
	ok &= secret_map_reads(map, s, expect_zero);
	vdev_munmap(map, bar);
	return ok;
}

static long long vram_used(const struct vgpu_parent *p)
{
	unsigned long long v;
	char path[512];

	snprintf(path, sizeof(path), "%s/vram_used_kib", p->path);
	return sysfs_read_ull(path, &v) ? -1 : (long long)v;
}

/*
 * A second device fd for the open vGPU: the same device, so it reads the
 * secret, and closing it is not the last close, so nothing is scrubbed.
 */
static void second_fd(struct vdev *d, const struct secret_set *s,
		      const char *mode)
{
	int fd2 = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);

	if (!tap_check(fd2 >= 0, "%s: a second device fd for the open vGPU (%s)",
		       mode, errno_name(fd2 < 0 ? errno : 0)))
		return;
	tap_check(secret_preads(fd2, s, false),
		  "%s: the second fd reads the secret: the device is shared",
		  mode);
	close(fd2);
	tap_check(secret_preads(d->fd, s, false),
		  "%s: closing the second fd scrubs nothing", mode);
}

/* One tenant writes, leaves; the next, of @next_type, must read zeros. */
static void tenants(const struct vgpu_parent *p, const char *type,
		    const char *next_type, const char *mode)
{
	static struct secret_set s;
	long long used0 = vram_used(p), used1, used2;
	char offset[32] = "", offset2[32] = "";
	struct vdev d;
	u64 bar;
	u8 *map;
	int ret;

	ret = vgpu_new(&d, p, type);
	if (!tap_errno(ret, 0, "%s: create and open a %s", mode, type))
		return;
	mdev_attr(d.uuid, "fb_offset", offset, sizeof(offset));
	bar = d.region[BAR1].size;
	secret_init(&s, mdev_ull(d.uuid, "fb_size"));
	ret = secret_write(&d, &s);
	tap_check(!ret && secret_reads(&d, &s, false),
		  "%s: the secret reads back (pread and mapping)", mode);
	used1 = vram_used(p);
	tap_check(used0 >= 0 && used1 >= used0 + NR_SECRETS * 4,
		  "%s: the simulated GPU backs the written pages (vram_used_kib %lld -> %lld)",
		  mode, used0, used1);

	second_fd(&d, &s, mode);

	/* A mapping is a user too: the device stays open until it goes. */
	map = vdev_mmap(&d, BAR1, 0, bar, MAP_SHARED);
	if (!tap_check(map != MAP_FAILED, "%s: map BAR1 again (%s)", mode,
		       errno_name(map == MAP_FAILED ? errno : 0)))
		map = NULL;
	vdev_close(&d);
	if (map) {
		tap_check(secret_map_reads(map, &s, false) &&
			  vram_used(p) == used1,
			  "%s: with its fds closed, the mapping keeps the vGPU open and still shows the secret",
			  mode);
		vdev_munmap(map, bar);
	}
	used2 = vram_used(p);
	tap_check(used2 == used0,
		  "%s: the last user's close gives the pages back (vram_used_kib %lld)",
		  mode, used2);
	ret = vdev_open(&d, d.uuid);
	if (!tap_errno(ret, 0, "%s: reopen the same vGPU", mode))
		return;
	cfg_enable(&d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	tap_check(secret_reads(&d, &s, true),
		  "%s: the last close scrubbed the framebuffer: reopened, it reads zeros",
		  mode);

	/* Removal scrubs too: the next tenant in the same place reads zeros. */
	ret = secret_write(&d, &s);
	tap_check(!ret && secret_preads(d.fd, &s, false),
		  "%s: the secret is written again", mode);
	tap_errno(vgpu_del(&d), 0, "%s: close and remove the vGPU", mode);
	used2 = vram_used(p);
	tap_check(used2 == used0,
		  "%s: removal gives the pages back (vram_used_kib %lld)", mode,
		  used2);

	ret = vgpu_new(&d, p, next_type);
	if (!tap_errno(ret, 0, "%s: create and open a %s", mode, next_type))
		return;
	mdev_attr(d.uuid, "fb_offset", offset2, sizeof(offset2));
	tap_check(!strcmp(offset, offset2),
		  "%s: the new vGPU starts where the old one did (fb_offset %s, was %s)",
		  mode, offset2, offset);
	tap_check(secret_reads(&d, &s, true),
		  "%s: the new tenant reads zeros where the secret was", mode);
	tap_errno(vgpu_del(&d), 0, "%s: remove the new vGPU", mode);
}

int main(void)
{
	char t1[48], t2[48];
	struct vgpu_parent p;

	tap_init("scrub", 300);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(t1, sizeof(t1), "%s-1c", p.board);
	snprintf(t2, sizeof(t2), "%s-2c", p.board);

	tenants(&p, t1, t1, "equal");
	if (tap_errno(parent_set(&p, "placement", "mixed"), 0,
		      "switch to mixed placement")) {
		tenants(&p, t1, t2, "mixed");
		tap_errno(parent_set(&p, "placement", "equal"), 0,
			  "back to equal placement");
	}
	return tap_done();
}
