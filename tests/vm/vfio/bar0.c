// SPDX-License-Identifier: GPL-2.0
/*
 * bar0: the emulated register file (include/uapi/linux/nvkm_vgpu.h).
 *
 * Identity registers against what sysfs says about the same vGPU (FB size,
 * channel count, engines) and against config space, on two neighbouring
 * tiny-1c vGPUs, a display type and an h100 type. The guest's view is
 * relative: the second vGPU, whose slice starts at a non-zero channel and
 * placement on the host, shows no trace of either (version 1's CHID_BASE
 * and PLACEMENT offsets read 0). Then the writable registers: scratch,
 * doorbells, interrupt status/enable/trigger, writes to read-only and
 * unused offsets, 8-byte accesses, and per-vGPU separation of registers;
 * and that the BARs do not answer with memory decoding off or in D3hot.
 *
 * Usage: bar0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

static u32 engine_bits(const char *list)
{
	static const char * const names[] = {
		"GR", "CE", "NVDEC", "NVENC", "NVJPG", "OFA",
	};
	char copy[128], *tok, *save;
	u32 bits = 0;
	unsigned int i;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(tok, names[i]))
				break;
		bits |= i < 6 ? 1u << i : 1u << 31;
	}
	return bits;
}

static void identity(struct vdev *d, const char *type)
{
	unsigned long long fb = mdev_ull(d->uuid, "fb_size");
	long long placement = mdev_ull(d->uuid, "placement");
	/* Version 1's CHID_BASE and PLACEMENT, now reserved. */
	const u64 old_chid_base = 0xf00018, old_placement = 0xf00024;
	unsigned int first = 0, last = 0;
	char chids[64] = "", engines[128] = "";
	u32 boot0, lo, hi, base, count, eng;

	mdev_attr(d->uuid, "chids", chids, sizeof(chids));
	mdev_attr(d->uuid, "engines", engines, sizeof(engines));
	if (sscanf(chids, "%u-%u", &first, &last) != 2)
		tap_diag("  %s: chids \"%s\"", d->uuid, chids);

	tap_check(bar0_rd(d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC &&
		  bar0_rd(d, NVKM_VGPU_REG_VERSION) == NVKM_VGPU_UAPI_VERSION,
		  "%s: MAGIC reads \"NVGV\" and VERSION %u", type,
		  NVKM_VGPU_UAPI_VERSION);
	boot0 = bar0_rd(d, NVKM_VGPU_REG_BOOT_0);
	tap_check(boot0 && boot0 != 0xffffffff &&
		  (boot0 & 0xff) == (cfg_rd(d, PCI_REVISION_ID, 1) & 0xff) &&
		  bar0_rd(d, NVKM_VGPU_REG_DEVICE) == cfg_rd(d, PCI_VENDOR_ID, 4),
		  "%s: BOOT_0 %#x carries the config revision, DEVICE matches config IDs",
		  type, boot0);
	lo = bar0_rd(d, NVKM_VGPU_REG_FB_SIZE_LO);
	hi = bar0_rd(d, NVKM_VGPU_REG_FB_SIZE_HI);
	tap_check(fb && ((u64)hi << 32 | lo) == fb,
		  "%s: FB_SIZE %#llx equals sysfs fb_size %llu", type,
		  (unsigned long long)hi << 32 | lo, fb);
	count = bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT);
	tap_check(count && count == last - first + 1,
		  "%s: CHID_COUNT %u matches sysfs chids %s", type, count,
		  chids);
	base = bar0_rd(d, old_chid_base);
	tap_check(base == 0 && bar0_rd(d, old_placement) == 0,
		  "%s: no host layout in BAR0: old CHID_BASE reads %u (host %u), old PLACEMENT %u (host %lld)",
		  type, base, first, bar0_rd(d, old_placement), placement);
	eng = bar0_rd(d, NVKM_VGPU_REG_ENGINES);
	tap_check(eng == engine_bits(engines) && (eng & NVKM_VGPU_ENGINE_BIT_GR),
		  "%s: ENGINES %#x matches sysfs engines \"%s\"", type, eng,
		  engines);
}

static void registers(struct vdev *d, const char *type)
{
	u32 count = bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT);
	u32 magic, size_lo, v;
	u8 b8[8];
	u64 q;
	ssize_t n;

	tap_check(bar0_rd(d, NVKM_VGPU_REG_SCRATCH) == 0,
		  "%s: SCRATCH is 0 after open", type);
	bar0_write(d, NVKM_VGPU_REG_SCRATCH, 0xdeadbeef);
	v = bar0_rd(d, NVKM_VGPU_REG_SCRATCH);
	bar0_write(d, NVKM_VGPU_REG_SCRATCH, 0);
	tap_check(v == 0xdeadbeef && bar0_rd(d, NVKM_VGPU_REG_SCRATCH) == 0,
		  "%s: SCRATCH keeps 0xdeadbeef, then 0", type);

	magic = bar0_rd(d, NVKM_VGPU_REG_MAGIC);
	size_lo = bar0_rd(d, NVKM_VGPU_REG_FB_SIZE_LO);
	bar0_write(d, NVKM_VGPU_REG_MAGIC, 0);
	bar0_write(d, NVKM_VGPU_REG_FB_SIZE_LO, 0x1000);
	bar0_write(d, NVKM_VGPU_REG_CHID_COUNT, count + 1);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_MAGIC) == magic &&
		  bar0_rd(d, NVKM_VGPU_REG_FB_SIZE_LO) == size_lo &&
		  bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT) == count,
		  "%s: writes to read-only MAGIC, FB_SIZE_LO, CHID_COUNT are ignored",
		  type);

	bar0_write(d, 0x100000, 0x55aa55aa);
	bar0_write(d, NVKM_VGPU_BAR0_SIZE - 4, 0x55aa55aa);
	tap_check(bar0_rd(d, 0x100000) == 0 &&
		  bar0_rd(d, NVKM_VGPU_BAR0_SIZE - 4) == 0 &&
		  bar0_rd(d, 0xf0002c) == 0,
		  "%s: offsets no register occupies read 0 and ignore writes",
		  type);

	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0xffffffff);
	v = bar0_rd(d, NVKM_VGPU_REG_INTR_ENABLE);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	tap_check(v == NVKM_VGPU_INTR_ALL,
		  "%s: INTR_ENABLE keeps only the defined sources (%#x)", type,
		  v);
	bar0_write(d, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
	v = bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS);
	tap_check(v == NVKM_VGPU_INTR_SOFTWARE &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_TRIGGER) == 0,
		  "%s: INTR_TRIGGER sets INTR_STATUS (%#x) and reads 0", type,
		  v);
	bar0_write(d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_SOFTWARE);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == 0,
		  "%s: writing 1 to INTR_STATUS clears it", type);

	bar0_write(d, NVKM_VGPU_REG_DOORBELL(0), 0x1234);
	bar0_write(d, NVKM_VGPU_REG_DOORBELL(count - 1), 0x5678);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_DOORBELL(0)) == 0x1234 &&
		  bar0_rd(d, NVKM_VGPU_REG_DOORBELL(count - 1)) == 0x5678 &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == NVKM_VGPU_INTR_DOORBELL,
		  "%s: doorbells 0 and %u keep the value rung and raise INTR_STATUS.DOORBELL",
		  type, count - 1);
	bar0_write(d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_ALL);
	bar0_write(d, NVKM_VGPU_REG_DOORBELL(count), 0x9abc);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_DOORBELL(count)) == 0 &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == 0,
		  "%s: the doorbell past the vGPU's %u channels reads 0 and rings nothing",
		  type, count);

	n = vdev_pread(d, VFIO_PCI_BAR0_REGION_INDEX, NVKM_VGPU_REG_MAGIC, b8, 8);
	memcpy(&q, b8, 8);
	tap_check(n == 8 && q == ((u64)NVKM_VGPU_UAPI_VERSION << 32 |
				  NVKM_VGPU_MAGIC),
		  "%s: an 8-byte read at MAGIC returns MAGIC and VERSION", type);
	q = 0x1111111122222222ull;
	n = vdev_pwrite(d, VFIO_PCI_BAR0_REGION_INDEX, NVKM_VGPU_REG_SCRATCH, &q, 8);
	tap_check(n == 8 && bar0_rd(d, NVKM_VGPU_REG_SCRATCH) == 0x22222222 &&
		  bar0_rd(d, NVKM_VGPU_REG_SCRATCH + 4) == 0,
		  "%s: an 8-byte write at SCRATCH is two dword writes", type);
	bar0_write(d, NVKM_VGPU_REG_SCRATCH, 0);
}

/*
 * config.c documents (nvkm_vgpu_config_memory_enabled()) that, as vfio-pci
 * does for a physical function, the BARs answer only while the command
 * register's memory space bit is set and the function is in D0; vfio-pci
 * fails such accesses with EIO.
 */
static void memory_decode(struct vdev *d, const char *type)
{
	int pm = cfg_find_cap(d, PCI_CAP_ID_PM);
	u64 q;
	u32 v;
	ssize_t n;
	int ret;

	cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	ret = bar0_read(d, NVKM_VGPU_REG_MAGIC, &v);
	tap_errno(ret, EIO,
		  "%s: with memory space disabled a BAR0 read fails with EIO", type);
	n = vdev_pread(d, VFIO_PCI_BAR1_REGION_INDEX, 0, &q, 8);
	tap_errno(n < 0 ? (int)n : 0, EIO,
		  "%s: with memory space disabled a BAR1 read fails with EIO", type);
	cfg_enable(d, PCI_COMMAND_MEMORY);
	if (pm < 0) {
		tap_check(false, "%s: PM capability present", type);
		return;
	}
	cfg_write(d, pm + PCI_PM_CTRL, 2, 3);
	ret = bar0_read(d, NVKM_VGPU_REG_MAGIC, &v);
	tap_errno(ret, EIO, "%s: in D3hot a BAR0 read fails with EIO", type);
	cfg_write(d, pm + PCI_PM_CTRL, 2, 0);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC,
		  "%s: back in D0 with memory space enabled, BAR0 answers", type);
}

int main(void)
{
	struct vgpu_parent tiny, h100;
	struct vdev a, b, c;
	char t1c[48], t4q[48];
	u32 ta, tc;
	int ret;

	tap_init("bar0", 300);
	if (parent_find("tiny", &tiny) || parent_ready(&tiny))
		tap_bail("no idle tiny GPU");
	snprintf(t1c, sizeof(t1c), "%s-1c", tiny.board);
	snprintf(t4q, sizeof(t4q), "%s-4q", tiny.board);

	ret = vgpu_new(&a, &tiny, t1c);
	if (ret)
		tap_bail("vGPU A: %s", errno_name(-ret));
	ret = vgpu_new(&b, &tiny, t1c);
	if (ret)
		tap_bail("vGPU B: %s", errno_name(-ret));
	identity(&a, "tiny-1c A");
	identity(&b, "tiny-1c B");
	tap_check(mdev_ull(b.uuid, "placement") != 0,
		  "B sits at a non-zero placement on the host (so its hidden layout is tested)");
	registers(&a, "tiny-1c A");
	memory_decode(&a, "tiny-1c A");

	bar0_write(&a, NVKM_VGPU_REG_SCRATCH, 0xaaaa0001);
	bar0_write(&b, NVKM_VGPU_REG_SCRATCH, 0xbbbb0002);
	bar0_write(&a, NVKM_VGPU_REG_DOORBELL(1), 0xa1);
	tap_check(bar0_rd(&a, NVKM_VGPU_REG_SCRATCH) == 0xaaaa0001 &&
		  bar0_rd(&b, NVKM_VGPU_REG_SCRATCH) == 0xbbbb0002 &&
		  bar0_rd(&b, NVKM_VGPU_REG_DOORBELL(1)) == 0 &&
		  bar0_rd(&b, NVKM_VGPU_REG_INTR_STATUS) == 0,
		  "each vGPU has its own SCRATCH, doorbells and INTR_STATUS");
	ta = bar0_rd(&a, NVKM_VGPU_REG_TYPE);
	tap_errno(vgpu_del(&a), 0, "remove A");
	tap_errno(vgpu_del(&b), 0, "remove B");

	ret = vgpu_new(&c, &tiny, t4q);
	if (tap_errno(ret, 0, "create and open a %s", t4q)) {
		identity(&c, t4q);
		tc = bar0_rd(&c, NVKM_VGPU_REG_TYPE);
		tap_check(tc != ta && tc < tiny.nr_types && ta < tiny.nr_types,
			  "TYPE differs between tiny-1c (%u) and %s (%u), both below %u",
			  ta, t4q, tc, tiny.nr_types);
		tap_errno(vgpu_del(&c), 0, "remove the %s", t4q);
	}

	if (parent_find("h100", &h100) || parent_ready(&h100)) {
		tap_check(false, "an idle h100 GPU");
	} else {
		ret = vgpu_new(&c, &h100, "h100-1c");
		if (tap_errno(ret, 0, "create and open an h100-1c")) {
			identity(&c, "h100-1c");
			registers(&c, "h100-1c");
			tap_errno(vgpu_del(&c), 0, "remove the h100-1c");
		}
	}
	return tap_done();
}
