// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu-peek: the host's view of a vGPU, through VFIO, once its guest is gone.
 *
 *   vgpu-peek UUID OFFSET LEN        hex dump of BAR1 bytes
 *   vgpu-peek UUID info              identity and geometry (config space, BAR0)
 *   vgpu-peek UUID check SEED [OTHER_SEED...]
 *                                    BAR1 holds SEED's pattern (pattern.h)
 *                                    and no word of any OTHER_SEED's
 *   vgpu-peek UUID clean SEED...     BAR1 reads zero where the patterns go,
 *                                    with no word of any SEED's
 *
 * Opens the mdev as QEMU does with the legacy group API: its iommu_group
 * link gives /dev/vfio/<group>, attached to a container on /dev/vfio/vfio
 * with the type1 IOMMU, then VFIO_GROUP_GET_DEVICE_FD(UUID), and turns on
 * memory decoding in the command register. Regions are read with pread at
 * (index << 40) + offset. Opening the device resets its config space and
 * registers; the framebuffer was scrubbed when the last user (a guest's
 * QEMU) closed the device, so the next user finds nothing of it.
 *
 * "info", "check" and "clean" print one line starting "VGPU-PEEK:" with
 * key=value pairs; "check" exits 0 only when SEED's pattern is there in
 * full and no word of another seed's is; "clean" only when every word read
 * is zero. Exit status 2 on usage or VFIO errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <linux/nvkm_vgpu.h>

#include "pattern.h"

#define CHUNK		(64 * 1024)
#define MAX_OTHERS	16

struct peek {
	int container, group, fd;
	const char *uuid;
};

static void __noreturn die(const char *what, int err)
{
	fprintf(stderr, "vgpu-peek: %s: %s\n", what, strerror(err));
	exit(2);
}

static void __noreturn usage(void)
{
	fprintf(stderr,
		"Usage: vgpu-peek UUID OFFSET LEN | UUID info | UUID check SEED [OTHER_SEED...] | UUID clean SEED...\n");
	exit(2);
}

static u64 region_offset(unsigned int index)
{
	return (u64)index << 40;
}

static void peek_open(struct peek *p, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char link[256], target[PATH_MAX], path[64], *base;
	ssize_t n;
	int iommu;

	p->uuid = uuid;
	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		die(link, errno);
	target[n] = '\0';
	base = strrchr(target, '/');
	if (!base)
		die(link, EINVAL);

	p->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (p->container < 0)
		die("/dev/vfio/vfio", errno);
	if (ioctl(p->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION", EINVAL);
	snprintf(path, sizeof(path), "/dev/vfio/%s", base + 1);
	p->group = open(path, O_RDWR | O_CLOEXEC);
	if (p->group < 0)
		die(path, errno);
	if (ioctl(p->group, VFIO_GROUP_GET_STATUS, &status))
		die("VFIO_GROUP_GET_STATUS", errno);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable", EBUSY);
	if (ioctl(p->group, VFIO_GROUP_SET_CONTAINER, &p->container))
		die("VFIO_GROUP_SET_CONTAINER", errno);
	iommu = ioctl(p->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ?
		VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	if (ioctl(p->container, VFIO_SET_IOMMU, iommu))
		die("VFIO_SET_IOMMU", errno);
	p->fd = ioctl(p->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (p->fd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD", errno);
}

static void peek_close(struct peek *p)
{
	close(p->fd);
	close(p->group);
	close(p->container);
}

static u64 region_size(struct peek *p, unsigned int index)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(p->fd, VFIO_DEVICE_GET_REGION_INFO, &info))
		die("VFIO_DEVICE_GET_REGION_INFO", errno);
	return info.size;
}

static void region_read(struct peek *p, unsigned int index, u64 off,
			void *buf, size_t len)
{
	ssize_t n = pread(p->fd, buf, len, (off_t)(region_offset(index) + off));

	if (n < 0)
		die("pread", errno);
	if ((size_t)n != len)
		die("short pread", EIO);
}

/* A little-endian register or config field of @len (1, 2 or 4) bytes. */
static u32 rd(struct peek *p, unsigned int index, u64 off,
	      unsigned int len)
{
	u8 b[4] = { 0 };
	u32 v = 0;
	unsigned int i;

	region_read(p, index, off, b, len);
	for (i = 0; i < len; i++)
		v |= (u32)b[i] << (8 * i);
	return v;
}

/*
 * Opening the device reset it: memory decoding is off, and BAR accesses
 * fail with EIO until it is on, as on vfio-pci. Turn it on, as a driver does.
 */
static void enable_memory(struct peek *p)
{
	u8 cmd[2];
	ssize_t n;

	region_read(p, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, cmd, 2);
	cmd[0] |= PCI_COMMAND_MEMORY;
	n = pwrite(p->fd, cmd, 2,
		   (off_t)(region_offset(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND));
	if (n != 2)
		die("enabling memory decoding", n < 0 ? errno : EIO);
	if (!(rd(p, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
		die("memory decoding stays off", EIO);
}

static u32 bar0(struct peek *p, u32 reg)
{
	return rd(p, VFIO_PCI_BAR0_REGION_INDEX, reg, 4);
}

static u64 fb_size(struct peek *p)
{
	return bar0(p, NVKM_VGPU_REG_FB_SIZE_LO) |
	       (u64)bar0(p, NVKM_VGPU_REG_FB_SIZE_HI) << 32;
}

static int cmd_info(struct peek *p)
{
	unsigned int cfg = VFIO_PCI_CONFIG_REGION_INDEX;
	u32 count = bar0(p, NVKM_VGPU_REG_CHID_COUNT);

	printf("VGPU-PEEK: uuid=%s vendor=%#06x device=%#06x subsys=%#06x",
	       p->uuid, rd(p, cfg, PCI_VENDOR_ID, 2),
	       rd(p, cfg, PCI_DEVICE_ID, 2), rd(p, cfg, PCI_SUBSYSTEM_ID, 2));
	printf(" magic=%#x version=%u type=%u fb=%llu",
	       bar0(p, NVKM_VGPU_REG_MAGIC), bar0(p, NVKM_VGPU_REG_VERSION),
	       bar0(p, NVKM_VGPU_REG_TYPE), fb_size(p));
	printf(" channels=%u engines=%#x bar1=%llu\n", count,
	       bar0(p, NVKM_VGPU_REG_ENGINES),
	       region_size(p, VFIO_PCI_BAR1_REGION_INDEX));
	return 0;
}

struct tally {
	u64 words, match, first_bad, first_nonzero, other[MAX_OTHERS];
};

static void scan_range(struct peek *p, u64 off, u64 len,
		       u64 seed, const u64 *others,
		       unsigned int n_others, struct tally *t)
{
	static u64 buf[CHUNK / 8];
	u64 done, i, w, at;
	unsigned int o;
	size_t n;

	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		region_read(p, VFIO_PCI_BAR1_REGION_INDEX, off + done, buf, n);
		for (i = 0; i < n / 8; i++) {
			at = off + done + 8 * i;
			w = buf[i];
			t->words++;
			if (w && t->first_nonzero == PATTERN_NONE)
				t->first_nonzero = at;
			if (w == pattern_word(seed, at))
				t->match++;
			else if (t->first_bad == PATTERN_NONE)
				t->first_bad = at;
			for (o = 0; o < n_others; o++)
				if (w == pattern_word(others[o], at))
					t->other[o]++;
		}
	}
}

static int cmd_check(struct peek *p, int argc, char **argv)
{
	u64 seed, others[MAX_OTHERS], fb, head, tail;
	struct tally t = { .first_bad = PATTERN_NONE, .first_nonzero = PATTERN_NONE };
	unsigned int n_others = 0, o;
	bool ok;
	int i;

	if (argc < 1 || argc > MAX_OTHERS + 1)
		usage();
	seed = strtoull(argv[0], NULL, 0);
	for (i = 1; i < argc; i++)
		others[n_others++] = strtoull(argv[i], NULL, 0);

	fb = fb_size(p);
	if (!fb || fb % PATTERN_TAIL_BYTES)
		die("FB size from BAR0", EINVAL);
	head = pattern_head(fb);
	tail = pattern_tail(fb);
	scan_range(p, 0, head, seed, others, n_others, &t);
	if (tail >= head)
		scan_range(p, tail, PATTERN_TAIL_BYTES, seed, others, n_others, &t);

	ok = t.match == t.words;
	printf("VGPU-PEEK: uuid=%s fb=%llu seed=%llu", p->uuid, fb, seed);
	printf(" words=%llu match=%llu", t.words, t.match);
	if (t.first_bad != PATTERN_NONE)
		printf(" first_bad=%#llx", t.first_bad);
	for (o = 0; o < n_others; o++) {
		printf(" other%u=%llu:%llu", o, others[o], t.other[o]);
		ok = ok && !t.other[o];
	}
	printf(" result=%s\n", ok ? "ok" : "fail");
	return ok ? 0 : 1;
}

static int cmd_clean(struct peek *p, int argc, char **argv)
{
	u64 seeds[MAX_OTHERS], fb, head, tail, found = 0;
	struct tally t = { .first_bad = PATTERN_NONE, .first_nonzero = PATTERN_NONE };
	unsigned int n = 0, o;
	bool ok;
	int i;

	if (argc < 1 || argc > MAX_OTHERS)
		usage();
	for (i = 0; i < argc; i++)
		seeds[n++] = strtoull(argv[i], NULL, 0);
	fb = fb_size(p);
	if (!fb || fb % PATTERN_TAIL_BYTES)
		die("FB size from BAR0", EINVAL);
	head = pattern_head(fb);
	tail = pattern_tail(fb);
	scan_range(p, 0, head, 0, seeds, n, &t);
	if (tail >= head)
		scan_range(p, tail, PATTERN_TAIL_BYTES, 0, seeds, n, &t);
	for (o = 0; o < n; o++)
		found += t.other[o];
	ok = !found && t.first_nonzero == PATTERN_NONE;
	printf("VGPU-PEEK: uuid=%s fb=%llu words=%llu", p->uuid, fb, t.words);
	if (t.first_nonzero != PATTERN_NONE)
		printf(" first_nonzero=%#llx", t.first_nonzero);
	printf(" seed_words=%llu result=%s\n", found, ok ? "ok" : "fail");
	return ok ? 0 : 1;
}

static int cmd_dump(struct peek *p, const char *s_off, const char *s_len)
{
	u64 off = strtoull(s_off, NULL, 0), len = strtoull(s_len, NULL, 0);
	u64 size = region_size(p, VFIO_PCI_BAR1_REGION_INDEX), i;
	static u8 buf[CHUNK];
	size_t n, j;

	if (!len || off >= size || len > size - off)
		die("range outside BAR1", EINVAL);
	for (i = 0; i < len; i += n) {
		n = len - i < CHUNK ? len - i : CHUNK;
		region_read(p, VFIO_PCI_BAR1_REGION_INDEX, off + i, buf, n);
		for (j = 0; j < n; j++) {
			if ((i + j) % 16 == 0)
				printf("%s%012llx:", i + j ? "\n" : "",
				       off + i + j);
			printf(" %02x", buf[j]);
		}
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct peek p;
	int ret;

	if (argc < 3)
		usage();
	peek_open(&p, argv[1]);
	enable_memory(&p);
	if (!strcmp(argv[2], "info") && argc == 3)
		ret = cmd_info(&p);
	else if (!strcmp(argv[2], "check"))
		ret = cmd_check(&p, argc - 3, argv + 3);
	else if (!strcmp(argv[2], "clean"))
		ret = cmd_clean(&p, argc - 3, argv + 3);
	else if (argc == 4)
		ret = cmd_dump(&p, argv[2], argv[3]);
	else
		usage();
	peek_close(&p);
	return ret;
}
