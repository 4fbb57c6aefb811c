// SPDX-License-Identifier: GPL-2.0
/*
 * accept: the acceptance run. 64 vGPUs of the smallest type of an H100
 * 80GB (h100-1c) are created, opened, written, read back, closed and
 * removed; create and remove are timed one by one (the sysfs write, as
 * "echo UUID > create" and "echo 1 > remove" do) and their medians printed
 * as TAP diagnostics in microseconds. Along the way: available_instances
 * stays exact, the 64 slices have disjoint FB and channel ranges, and each
 * vGPU reads back only its own data.
 *
 * Usage: accept [-n COUNT]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX
#define COUNT_MAX 80

static char uuids[COUNT_MAX][UUID_LEN + 1];
static struct vdev devs[COUNT_MAX];
static u64 create_us[COUNT_MAX], remove_us[COUNT_MAX];

struct range {
	unsigned long long start, end;	/* [start, end) */
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool disjoint(struct range *r, unsigned int n)
{
	unsigned int i;

	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++)
		if (r[i].start < r[i - 1].end)
			return false;
	return true;
}

static u64 token(unsigned int i, unsigned int word)
{
	return 0xacce000000000000ull | (u64)i << 32 | word;
}

int main(int argc, char **argv)
{
	static struct range fbr[COUNT_MAX], chr[COUNT_MAX];
	unsigned int count = 64, created = 0, opened = 0, i;
	unsigned int written = 0, intact = 0, removed = 0;
	const char *type = "h100-1c";
	long long max, avail;
	struct vgpu_parent p;
	bool exact = true;
	u64 t0;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: %s [-n COUNT]\n", argv[0]);
			return 2;
		}
		count = strtoul(optarg, NULL, 0);
	}
	if (!count || count > COUNT_MAX)
		count = 64;
	tap_init("accept", 600);
	if (parent_find("h100", &p) || parent_ready(&p))
		tap_bail("no idle h100 GPU");
	max = type_available(&p, type);
	if (!tap_check(max >= count, "%s: %lld available, at least %u", type,
		       max, count))
		tap_bail("not enough instances");

	for (i = 0; i < count; i++) {
		uuid_new(uuids[i]);
		t0 = now_us();
		ret = mdev_create(&p, type, uuids[i]);
		create_us[i] = now_us() - t0;
		if (ret) {
			tap_diag("create %u: %s", i, errno_name(-ret));
			break;
		}
		created++;
		avail = type_available(&p, type);
		if (avail != max - created)
			exact = false;
	}
	tap_check(created == count, "%u of %u %s vGPUs created", created, count,
		  type);
	tap_check(exact, "available_instances went down by one on each create");

	for (i = 0; i < created; i++) {
		unsigned int first = 0, last = 0;
		char chids[64] = "";

		fbr[i].start = mdev_ull(uuids[i], "fb_offset");
		fbr[i].end = fbr[i].start + mdev_ull(uuids[i], "fb_size");
		mdev_attr(uuids[i], "chids", chids, sizeof(chids));
		if (sscanf(chids, "%u-%u", &first, &last) != 2)
			tap_diag("  %s: chids \"%s\"", uuids[i], chids);
		chr[i].start = first;
		chr[i].end = last + 1ull;
	}
	tap_check(disjoint(fbr, created) && disjoint(chr, created),
		  "the %u slices have disjoint FB and channel ranges", created);

	for (i = 0; i < created; i++) {
		if (vdev_open(&devs[i], uuids[i]))
			break;
		opened++;
		cfg_enable(&devs[i], PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	}
	tap_check(opened == created, "all %u opened at once", opened);

	for (i = 0; i < opened; i++) {
		u64 fb = mdev_ull(uuids[i], "fb_size");
		u64 a = token(i, 0), b = token(i, 1);
		u8 *map;

		map = vdev_mmap(&devs[i], BAR1, 0, 4096, MAP_SHARED);
		if (map == MAP_FAILED)
			continue;
		*(u64 *)map = a;
		vdev_munmap(map, 4096);
		if (vdev_pwrite(&devs[i], BAR1, fb - 8, &b, 8) == 8 &&
		    !bar0_write(&devs[i], NVKM_VGPU_REG_SCRATCH, i))
			written++;
	}
	tap_check(written == opened,
		  "each wrote its first FB qword (mapping), last qword (pwrite) and SCRATCH (%u)",
		  written);
	for (i = 0; i < opened; i++) {
		u64 fb = mdev_ull(uuids[i], "fb_size");
		u64 a = 0, b = 0;

		vdev_pread(&devs[i], BAR1, 0, &a, 8);
		vdev_pread(&devs[i], BAR1, fb - 8, &b, 8);
		if (a == token(i, 0) && b == token(i, 1) &&
		    bar0_rd(&devs[i], NVKM_VGPU_REG_SCRATCH) == i)
			intact++;
		else
			tap_diag("  vGPU %u reads %#llx, %#llx", i,
				 (unsigned long long)a, (unsigned long long)b);
	}
	tap_check(intact == opened, "each reads back only its own data (%u)",
		  intact);
	for (i = 0; i < opened; i++)
		vdev_close(&devs[i]);

	exact = true;
	for (i = 0; i < created; i++) {
		t0 = now_us();
		ret = mdev_remove(uuids[i]);
		remove_us[removed] = now_us() - t0;
		if (ret) {
			tap_diag("remove %u: %s", i, errno_name(-ret));
			continue;
		}
		removed++;
		if (type_available(&p, type) != max - created + removed)
			exact = false;
	}
	tap_check(removed == created, "all %u removed", removed);
	tap_check(exact, "available_instances went up by one on each remove");
	tap_check(type_available(&p, type) == max && parent_ull(&p, "vgpus") == 0 &&
		  mdev_count() == 0,
		  "the GPU is idle again: %lld available, no mdev", max);

	tap_diag("create median %llu us (%u samples)",
		 (unsigned long long)median_u64(create_us, created), created);
	tap_diag("remove median %llu us (%u samples)",
		 (unsigned long long)median_u64(remove_us, removed), removed);
	if (created)
		tap_diag("create max %llu us, remove max %llu us",
			 (unsigned long long)create_us[created - 1],
			 (unsigned long long)(removed ? remove_us[removed - 1] : 0));
	return tap_done();
}
