// SPDX-License-Identifier: GPL-2.0
/*
 * config: the PCI configuration space a guest sees on a vGPU.
 *
 * For every type of the "tiny" and "h100" GPUs: IDs and class (0x0302 for
 * compute types, 0x0300 for display types), the BAR sizing protocol on BAR0
 * (16 MiB, 32-bit) and BAR1 (64-bit, sized across both dwords, equal to
 * the VFIO region and to the slice's FB rounded up to a power of two), and
 * absent BARs. On one compute vGPU, the whole header: region info, the
 * capability lists, read-only fields, the command register, MSI and PM
 * registers, unaligned accesses.
 *
 * Usage: config
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

static u64 pow2_roundup(u64 v)
{
	u64 p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* Writes all ones to a BAR dword, reads the mask, puts the value back. */
static u32 bar_probe(struct vdev *d, u32 off)
{
	u32 orig = cfg_rd(d, off, 4), mask;

	cfg_write(d, off, 4, 0xffffffff);
	mask = cfg_rd(d, off, 4);
	cfg_write(d, off, 4, orig);
	return mask;
}

static void ids_and_bars(struct vdev *d, const char *type,
			 unsigned long long fb_size)
{
	u32 id = cfg_rd(d, PCI_VENDOR_ID, 4);
	u32 class = cfg_rd(d, PCI_CLASS_REVISION, 4) >> 8;
	u32 want_class = type_series(type) == 'c' ? 0x0302 : 0x0300;
	u32 bar0, lo, hi, dev_reg = bar0_rd(d, NVKM_VGPU_REG_DEVICE);
	u64 size1, region1 = d->region[VFIO_PCI_BAR1_REGION_INDEX].size;
	bool absent = true;
	unsigned int bar;

	tap_check((id & 0xffff) == 0x10de && class >> 8 == want_class &&
		  id == dev_reg &&
		  cfg_rd(d, PCI_SUBSYSTEM_VENDOR_ID, 2) == 0x10de &&
		  (cfg_rd(d, PCI_HEADER_TYPE, 1) & 0x7f) == 0 &&
		  cfg_rd(d, PCI_INTERRUPT_PIN, 1) == 1,
		  "%s: vendor 0x10de, device %#06x (= BAR0 DEVICE), class %#08x (want %#06xxx), INTA",
		  type, id >> 16, class, want_class);

	bar0 = bar_probe(d, PCI_BASE_ADDRESS_0);
	tap_check(bar0 == 0xff000000 &&
		  d->region[VFIO_PCI_BAR0_REGION_INDEX].size == NVKM_VGPU_BAR0_SIZE,
		  "%s: BAR0 sizes to 16 MiB, 32-bit non-prefetchable memory (mask %#x)",
		  type, bar0);

	/* Both dwords at once, as a 64-bit BAR is sized. */
	{
		u32 olo = cfg_rd(d, PCI_BASE_ADDRESS_1, 4);
		u32 ohi = cfg_rd(d, PCI_BASE_ADDRESS_2, 4);

		cfg_write(d, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
		cfg_write(d, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
		lo = cfg_rd(d, PCI_BASE_ADDRESS_1, 4);
		hi = cfg_rd(d, PCI_BASE_ADDRESS_2, 4);
		cfg_write(d, PCI_BASE_ADDRESS_1, 4, olo);
		cfg_write(d, PCI_BASE_ADDRESS_2, 4, ohi);
	}
	size1 = ~((u64)hi << 32 | (lo & ~0xfu)) + 1;
	tap_check((lo & 0xf) == (PCI_BASE_ADDRESS_MEM_TYPE_64 |
				 PCI_BASE_ADDRESS_MEM_PREFETCH) &&
		  size1 == region1 && region1 == pow2_roundup(fb_size),
		  "%s: BAR1 64-bit prefetchable, sizes to %#llx across both dwords = region %#llx = FB %llu rounded up",
		  type, (unsigned long long)size1,
		  (unsigned long long)region1, fb_size);

	for (bar = 3; bar <= 5; bar++) {
		u32 m = bar_probe(d, PCI_BASE_ADDRESS_0 + 4 * bar);

		if (m || d->region[bar].size) {
			tap_diag("  BAR%u mask %#x, region size %#llx", bar, m,
				 (unsigned long long)d->region[bar].size);
			absent = false;
		}
	}
	if (bar_probe(d, PCI_ROM_ADDRESS) ||
	    d->region[VFIO_PCI_ROM_REGION_INDEX].size)
		absent = false;
	tap_check(absent,
		  "%s: BAR3-5 and the ROM are absent: size 0 in config space and as regions",
		  type);
}

static void per_type(const struct vgpu_parent *p, const char *type)
{
	char u[UUID_LEN + 1];
	unsigned long long fb;
	struct vdev d;
	int ret;

	uuid_new(u);
	ret = mdev_create(p, type, u);
	if (ret) {
		tap_errno(ret, 0, "%s: create", type);
		return;
	}
	fb = mdev_ull(u, "fb_size");
	ret = vdev_open(&d, u);
	if (!tap_errno(ret, 0, "%s: open the VFIO device", type)) {
		mdev_remove(u);
		return;
	}
	cfg_enable(&d, PCI_COMMAND_MEMORY);
	ids_and_bars(&d, type, fb);
	vdev_close(&d);
	mdev_remove(u);
}

static void check_regions(struct vdev *d)
{
	struct vfio_region_info *r = d->region;
	u32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	bool empty = true;
	unsigned int i;

	tap_check((d->info.flags & VFIO_DEVICE_FLAGS_PCI) &&
		  (d->info.flags & VFIO_DEVICE_FLAGS_RESET) &&
		  d->info.num_regions == VFIO_PCI_NUM_REGIONS &&
		  d->info.num_irqs == VFIO_PCI_NUM_IRQS,
		  "device info: PCI, resettable, %u regions, %u IRQ indexes",
		  d->info.num_regions, d->info.num_irqs);
	tap_check(r[VFIO_PCI_CONFIG_REGION_INDEX].size == 4096 &&
		  r[VFIO_PCI_CONFIG_REGION_INDEX].flags == rw,
		  "config region: 4 KiB, read-write, not mappable (flags %#x)",
		  r[VFIO_PCI_CONFIG_REGION_INDEX].flags);
	tap_check(r[0].size == NVKM_VGPU_BAR0_SIZE && r[0].flags == rw,
		  "BAR0 region: 16 MiB, read-write, not mappable (flags %#x)",
		  r[0].flags);
	tap_check(r[1].size && r[1].flags == (rw | VFIO_REGION_INFO_FLAG_MMAP),
		  "BAR1 region: read-write and mappable (flags %#x)",
		  r[1].flags);
	for (i = 2; i < VFIO_PCI_NUM_REGIONS; i++) {
		if (i == VFIO_PCI_CONFIG_REGION_INDEX)
			continue;
		if (r[i].size || r[i].flags)
			empty = false;
	}
	tap_check(empty, "regions 2-6 and VGA: size 0, no flags");
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		if (r[i].offset != vdev_offset(i))
			break;
	tap_check(i == VFIO_PCI_NUM_REGIONS,
		  "region offsets are index << 40");
}

static void cap_walk(struct vdev *d)
{
	bool visited[4096] = { false }, ok = true, pm = false, msi = false;
	bool exp = false;
	u32 pos, hdr;
	unsigned int steps = 0;
	char list[256] = "";

	tap_check(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
		  "status register has the capability list bit");
	pos = cfg_rd(d, PCI_CAPABILITY_LIST, 1);
	while (pos && steps++ < 48) {
		u8 id;

		if (pos < 0x40 || pos > 0xfc || pos & 3 || visited[pos]) {
			tap_diag("  bad capability pointer %#x", pos);
			ok = false;
			break;
		}
		visited[pos] = true;
		id = cfg_rd(d, pos, 1);
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 " %#x@%#x", id, pos);
		pm |= id == PCI_CAP_ID_PM;
		msi |= id == PCI_CAP_ID_MSI;
		exp |= id == PCI_CAP_ID_EXP;
		if (!id)
			ok = false;
		pos = cfg_rd(d, pos + PCI_CAP_LIST_NEXT, 1);
	}
	tap_diag("capabilities:%s", list);
	tap_check(ok && !pos && pm && msi && exp,
		  "capability list walks from 0x34 through PM, MSI and PCIe and ends with 0");

	ok = true;
	pos = 0x100;
	steps = 0;
	while (pos && steps++ < 128) {
		if (pos < 0x100 || pos > 0xffc || pos & 3 || visited[pos]) {
			ok = false;
			break;
		}
		visited[pos] = true;
		hdr = cfg_rd(d, pos, 4);
		if (hdr == 0 || hdr == 0xffffffff)
			break;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	tap_check(ok && steps < 128,
		  "extended capability list at 0x100 terminates (%u entries)",
		  steps - 1);
}

struct ro_case {
	const char *what;
	u32 off;
	unsigned int len;
	u32 val;
};

static void read_only(struct vdev *d)
{
	int msi = cfg_find_cap(d, PCI_CAP_ID_MSI);
	int exp = cfg_find_cap(d, PCI_CAP_ID_EXP);
	const struct ro_case cases[] = {
		{ "vendor and device ID", PCI_VENDOR_ID, 4, 0x12345678 },
		{ "revision and class", PCI_CLASS_REVISION, 4, 0xffffffff },
		{ "header type", PCI_HEADER_TYPE, 1, 0x80 },
		{ "subsystem IDs", PCI_SUBSYSTEM_VENDOR_ID, 4, 0xffffffff },
		{ "capability pointer", PCI_CAPABILITY_LIST, 1, 0x80 },
		{ "interrupt pin", PCI_INTERRUPT_PIN, 1, 0x04 },
		{ "MSI capability header", msi, 2, 0xffff },
		{ "PCIe capability header and flags", exp, 4, 0xffffffff },
		{ "PCIe device capabilities", exp + PCI_EXP_DEVCAP, 4, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ro_case *c = &cases[i];
		u32 before, after;
		int ret;

		if ((int)c->off < 0) {
			tap_check(false, "read-only %s: capability found",
				  c->what);
			continue;
		}
		before = cfg_rd(d, c->off, c->len);
		ret = cfg_write(d, c->off, c->len, c->val);
		after = cfg_rd(d, c->off, c->len);
		tap_check(!ret && before == after,
			  "read-only %s at %#x ignores a write of %#x (%#x -> %#x)",
			  c->what, c->off, c->val, before, after);
	}

	/* Status: error bits are W1C, the rest read-only. */
	cfg_write(d, PCI_STATUS, 2, 0xffff);
	tap_check(cfg_rd(d, PCI_STATUS, 2) == PCI_STATUS_CAP_LIST,
		  "status reads only the capability bit after writing 0xffff (%#x)",
		  cfg_rd(d, PCI_STATUS, 2));
}

static void check_writable(struct vdev *d)
{
	int msi = cfg_find_cap(d, PCI_CAP_ID_MSI);
	int pm = cfg_find_cap(d, PCI_CAP_ID_PM);
	u32 v, flags;

	tap_check(cfg_rd(d, PCI_COMMAND, 2) == 0,
		  "command register is 0 after open");
	cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	v = cfg_rd(d, PCI_COMMAND, 2);
	cfg_write(d, PCI_COMMAND, 2, 0);
	tap_check(v == PCI_COMMAND_MEMORY && cfg_rd(d, PCI_COMMAND, 2) == 0,
		  "command memory bit sets and clears (%#x)", v);
	cfg_write(d, PCI_COMMAND, 2, 0xffff);
	v = cfg_rd(d, PCI_COMMAND, 2);
	cfg_write(d, PCI_COMMAND, 2, 0);
	tap_check(!(v & PCI_COMMAND_IO) &&
		  (v & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			PCI_COMMAND_INTX_DISABLE)) ==
		  (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		   PCI_COMMAND_INTX_DISABLE),
		  "command 0xffff keeps memory, master, INTx disable and no I/O (%#x)",
		  v);

	cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0x12345678);
	v = cfg_rd(d, PCI_BASE_ADDRESS_0, 4);
	cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0);
	tap_check(v == 0x12000000,
		  "BAR0 address keeps only bits above its 16 MiB size (%#x)", v);

	cfg_write(d, PCI_INTERRUPT_LINE, 4, 0xffffff0b);
	v = cfg_rd(d, PCI_INTERRUPT_LINE, 4);
	tap_check(v == 0x0000010b,
		  "a dword write at 0x3c changes only the interrupt line (%#x)",
		  v);

	if (msi < 0 || pm < 0) {
		tap_check(false, "MSI and PM capabilities present");
		return;
	}
	flags = cfg_rd(d, msi + PCI_MSI_FLAGS, 2);
	tap_check((flags & PCI_MSI_FLAGS_64BIT) && !(flags & PCI_MSI_FLAGS_QMASK) &&
		  !(flags & PCI_MSI_FLAGS_ENABLE),
		  "MSI: 64-bit, one vector, disabled at open (%#x)", flags);
	cfg_write(d, msi + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE);
	v = cfg_rd(d, msi + PCI_MSI_FLAGS, 2);
	cfg_write(d, msi + PCI_MSI_FLAGS, 2, flags);
	tap_check(v == (flags | PCI_MSI_FLAGS_ENABLE) &&
		  cfg_rd(d, msi + PCI_MSI_FLAGS, 2) == flags,
		  "MSI enable bit sets and clears (%#x)", v);
	cfg_write(d, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00003);
	cfg_write(d, msi + PCI_MSI_ADDRESS_HI, 4, 0x1);
	cfg_write(d, msi + PCI_MSI_DATA_64, 2, 0x4041);
	tap_check(cfg_rd(d, msi + PCI_MSI_ADDRESS_LO, 4) == 0xfee00000 &&
		  cfg_rd(d, msi + PCI_MSI_ADDRESS_HI, 4) == 1 &&
		  cfg_rd(d, msi + PCI_MSI_DATA_64, 2) == 0x4041,
		  "MSI address (bits 1:0 read 0) and data are writable");

	cfg_write(d, pm + PCI_PM_CTRL, 2, 3);
	v = cfg_rd(d, pm + PCI_PM_CTRL, 2) & PCI_PM_CTRL_STATE_MASK;
	cfg_write(d, pm + PCI_PM_CTRL, 2, 1);
	tap_check(v == 3 && (cfg_rd(d, pm + PCI_PM_CTRL, 2) &
			     PCI_PM_CTRL_STATE_MASK) == 3,
		  "PM: D3hot can be entered and the unsupported D1 is ignored");
	cfg_write(d, pm + PCI_PM_CTRL, 2, 0);
	tap_check((cfg_rd(d, pm + PCI_PM_CTRL, 2) & PCI_PM_CTRL_STATE_MASK) == 0,
		  "PM: back to D0");
}

static void check_unaligned(struct vdev *d)
{
	u32 dw0 = cfg_rd(d, 0, 4), dw1 = cfg_rd(d, 4, 4);
	u8 all[256], b8[8];
	unsigned int i;
	bool same = true;
	ssize_t n;

	tap_check(cfg_rd(d, 1, 2) == ((dw0 >> 8) & 0xffff) &&
		  cfg_rd(d, 3, 1) == dw0 >> 24 &&
		  cfg_rd(d, 2, 4) == ((dw0 >> 16) | (dw1 << 16)),
		  "unaligned 1, 2 and 4-byte reads return the addressed bytes");
	n = vdev_pread(d, VFIO_PCI_CONFIG_REGION_INDEX, 0, b8, 8);
	tap_check(n == 8 && !memcmp(b8, &dw0, 4) && !memcmp(b8 + 4, &dw1, 4),
		  "an 8-byte read returns two dwords");
	n = vdev_pread(d, VFIO_PCI_CONFIG_REGION_INDEX, 0, all, sizeof(all));
	for (i = 0; n == sizeof(all) && i < sizeof(all); i += 4) {
		u32 v = cfg_rd(d, i, 4);

		if (memcmp(all + i, &v, 4))
			same = false;
	}
	tap_check(n == sizeof(all) && same,
		  "one 256-byte read equals 64 dword reads");
	n = vdev_pread(d, VFIO_PCI_CONFIG_REGION_INDEX, 0x100, all, 8);
	tap_check(n == 8, "extended space (0x100) is readable");
}

int main(void)
{
	static const char * const boards[] = { "tiny", "h100" };
	struct vgpu_parent p;
	char u[UUID_LEN + 1], type[64];
	unsigned int b, i;
	struct vdev d;
	int ret;

	tap_init("config", 600);
	for (b = 0; b < 2; b++) {
		if (parent_find(boards[b], &p) || parent_ready(&p)) {
			tap_check(false, "%s GPU present and idle", boards[b]);
			continue;
		}
		for (i = 0; i < p.nr_types; i++)
			per_type(&p, p.types[i]);
	}

	if (parent_find("tiny", &p))
		tap_bail("no tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);
	uuid_new(u);
	ret = mdev_create(&p, type, u);
	if (ret)
		tap_bail("create %s: %s", type, errno_name(-ret));
	ret = vdev_open(&d, u);
	if (ret)
		tap_bail("open %s: %s", u, errno_name(-ret));
	check_regions(&d);
	check_writable(&d);
	cap_walk(&d);
	read_only(&d);
	check_unaligned(&d);
	vdev_close(&d);
	tap_errno(mdev_remove(u), 0, "remove the vGPU");
	return tap_done();
}
