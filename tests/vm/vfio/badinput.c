// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: what a VFIO user can get wrong, one TAP line per row.
 *
 * Reads and writes past the end of each region or straddling it, zero and
 * huge counts, region indexes the device does not have; mmap of the
 * emulated regions, past BAR1, private mappings, growing a mapping;
 * unknown ioctls and malformed VFIO_DEVICE_GET_*_INFO calls; SET_IRQS as
 * vfio-pci (drivers/vfio/pci/vfio_pci_intrs.c) answers it, per index and
 * action: MASK and UNMASK only on INTx and only for vector 0 (MASK by
 * eventfd is ENOTTY), a count of 0 only with DATA_NONE, any negative INTx
 * or MSI eventfd disables, REQ takes eventfd -1 but no other negative fd
 * and DATA_NONE only once it has an eventfd; odd-sized BAR0 accesses,
 * whose reads return the addressed bytes and whose narrow writes are
 * dropped. Each row states the errno it expects. The buffer handed to a
 * refused access is followed by inaccessible memory, so a kernel that
 * copied before checking the bounds would answer EFAULT instead of EINVAL.
 * Finally the device must still work.
 *
 * Usage: badinput
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BUF_SIZE (64ull << 20)
#define GUARD_SIZE (2ull << 30)
#define BUF_ADDR ((void *)(4ull << 30))

enum kind { READ, WRITE, MAP, MAP_PRIV };

#define CFG VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0 VFIO_PCI_BAR0_REGION_INDEX
#define BAR1 VFIO_PCI_BAR1_REGION_INDEX
#define ROM VFIO_PCI_ROM_REGION_INDEX
#define VGA VFIO_PCI_VGA_REGION_INDEX
#define MAGIC NVKM_VGPU_REG_MAGIC

struct access_row {
	const char *what;
	enum kind kind;
	unsigned int index;
	s64 off;		/* from the region's start, or its end */
	bool at_end;		/* off counts from the region's end */
	u64 len;
	bool len_plus_size;	/* len is added to the region's size */
	int err;		/* expected errno, 0 for full success */
};

static const struct access_row access_rows[] = {
	{ "config: read at 4096",
	  READ, CFG, 0, true, 4, false, EINVAL },
	{ "config: read straddling the end",
	  READ, CFG, -2, true, 4, false, EINVAL },
	{ "config: write at 4096",
	  WRITE, CFG, 0, true, 4, false, EINVAL },
	{ "config: write straddling the end",
	  WRITE, CFG, -2, true, 4, false, EINVAL },
	{ "config: read of 0 bytes",
	  READ, CFG, 0, false, 0, false, EINVAL },
	{ "config: read of size + 1 bytes",
	  READ, CFG, 0, false, 1, true, EINVAL },
	{ "config: read of all 4096 bytes",
	  READ, CFG, 0, false, 0, true, 0 },
	{ "BAR0: read at 16 MiB",
	  READ, BAR0, 0, true, 4, false, EINVAL },
	{ "BAR0: read straddling the end",
	  READ, BAR0, -2, true, 4, false, EINVAL },
	{ "BAR0: write straddling the end",
	  WRITE, BAR0, -2, true, 4, false, EINVAL },
	{ "BAR0: write of 0 bytes",
	  WRITE, BAR0, 0, false, 0, false, EINVAL },
	{ "BAR0: read of 16 MiB + 4",
	  READ, BAR0, 0, false, 4, true, EINVAL },
	{ "BAR0: read of 32 bytes of registers",
	  READ, BAR0, MAGIC, false, 32, false, 0 },
	{ "BAR0: read of the last dword",
	  READ, BAR0, -4, true, 4, false, 0 },
	{ "BAR1: read at its size",
	  READ, BAR1, 0, true, 8, false, EINVAL },
	{ "BAR1: read straddling the end",
	  READ, BAR1, -4, true, 8, false, EINVAL },
	{ "BAR1: write straddling the end",
	  WRITE, BAR1, -4, true, 8, false, EINVAL },
	{ "BAR1: write of 0 bytes",
	  WRITE, BAR1, 0, false, 0, false, EINVAL },
	{ "BAR1: read of size + 4096 bytes",
	  READ, BAR1, 0, false, 4096, true, EINVAL },
	{ "BAR1: write of size + 4096 bytes",
	  WRITE, BAR1, 0, false, 4096, true, EINVAL },
	{ "BAR1: read of 2^40 bytes",
	  READ, BAR1, 0, false, 1ull << 40, false, EINVAL },
	{ "BAR1: read of the last qword",
	  READ, BAR1, -8, true, 8, false, 0 },
	{ "region 2 (BAR2): read",
	  READ, 2, 0, false, 4, false, EINVAL },
	{ "region 3 (BAR3): write",
	  WRITE, 3, 0, false, 4, false, EINVAL },
	{ "region 5 (BAR5): read",
	  READ, 5, 0, false, 4, false, EINVAL },
	{ "region 6 (ROM): read",
	  READ, ROM, 0, false, 4, false, EINVAL },
	{ "region 8 (VGA): read",
	  READ, VGA, 0, false, 4, false, EINVAL },
	{ "region 9 (none): read",
	  READ, 9, 0, false, 4, false, EINVAL },
	{ "region 0xffff (none): write",
	  WRITE, 0xffff, 0, false, 4, false, EINVAL },
	{ "region 0x7fffff (offset near 2^63): read",
	  READ, 0x7fffff, 0x1000, false, 4, false, EINVAL },
	{ "mmap of config space",
	  MAP, CFG, 0, false, 4096, false, EINVAL },
	{ "mmap of BAR0",
	  MAP, BAR0, 0, false, 4096, false, EINVAL },
	{ "mmap of all of BAR0",
	  MAP, BAR0, 0, false, 0, true, EINVAL },
	{ "mmap of BAR1 at its size",
	  MAP, BAR1, 0, true, 4096, false, EINVAL },
	{ "mmap of BAR1 straddling its end",
	  MAP, BAR1, -4096, true, 8192, false, EINVAL },
	{ "mmap of BAR1 size + 4096 bytes",
	  MAP, BAR1, 0, false, 4096, true, EINVAL },
	{ "mmap of BAR1, private",
	  MAP_PRIV, BAR1, 0, false, 4096, false, EINVAL },
	{ "mmap of region 2",
	  MAP, 2, 0, false, 4096, false, EINVAL },
	{ "mmap of region 9",
	  MAP, 9, 0, false, 4096, false, EINVAL },
	{ "mmap of all of BAR1",
	  MAP, BAR1, 0, false, 0, true, 0 },
	{ "mmap of BAR1's last page",
	  MAP, BAR1, -4096, true, 4096, false, 0 },
};

static u8 *buf;

static int access_row(struct vdev *d, const struct access_row *r)
{
	u64 size = r->index < VFIO_PCI_NUM_REGIONS ? d->region[r->index].size : 0;
	u64 off = r->at_end ? size + r->off : (u64)r->off;
	u64 len = r->len + (r->len_plus_size ? size : 0);
	u64 pos = vdev_offset(r->index) + off;
	ssize_t n;
	void *map;

	switch (r->kind) {
	case READ:
		n = pread(d->fd, buf, len, pos);
		break;
	case WRITE:
		/* Writes carry zeros: harmless wherever they land. */
		n = pwrite(d->fd, buf, len, pos);
		break;
	default:
		map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   r->kind == MAP ? MAP_SHARED : MAP_PRIVATE, d->fd,
			   pos);
		if (map == MAP_FAILED)
			return -errno;
		munmap(map, len);
		return 0;
	}
	if (n < 0)
		return -errno;
	if ((u64)n != len) {
		tap_diag("  short transfer: %zd of %llu bytes", n,
			 (unsigned long long)len);
		return -EIO;
	}
	return 0;
}

/* mremap can't grow a BAR1 mapping: VM_DONTEXPAND. */
static int grow_mapping(struct vdev *d)
{
	u64 pos = vdev_offset(VFIO_PCI_BAR1_REGION_INDEX);
	void *map, *big;
	int ret = 0;

	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, pos);
	if (map == MAP_FAILED)
		return -errno;
	big = mremap(map, 4096, 8192, MREMAP_MAYMOVE);
	if (big == MAP_FAILED) {
		ret = -errno;
		munmap(map, 4096);
	} else {
		munmap(big, 8192);
	}
	return ret;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

struct irq_set_buf {
	struct vfio_irq_set set;
	s32 data[4];
};

static int set_irqs(struct vdev *d, u32 argsz, u32 flags,
		    u32 index, u32 start, u32 count, s32 fd)
{
	struct irq_set_buf a = {
		.set = {
			.argsz = argsz, .flags = flags, .index = index,
			.start = start, .count = count,
		},
		.data = { fd, fd, fd, fd },
	};

	return xioctl(d->fd, VFIO_DEVICE_SET_IRQS, &a);
}

#define EVENTFD_TRIGGER (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE_TRIGGER (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define BOOL_TRIGGER (VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE_MASK (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK)
#define NONE_UNMASK (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK)
#define EVENTFD_UNMASK (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK)
#define IRQ_ARGSZ (sizeof(struct vfio_irq_set) + sizeof(s32))
#define HDR_ARGSZ sizeof(struct vfio_irq_set)
#define INTX VFIO_PCI_INTX_IRQ_INDEX
#define MSI VFIO_PCI_MSI_IRQ_INDEX
#define REQ VFIO_PCI_REQ_IRQ_INDEX

struct ioctl_row {
	const char *what;
	int err;		/* expected errno, 0 for success */
};

/* Runs row @row into @r; returns its result, or 1 past the last row. */
static int ioctl_row(struct vdev *d, unsigned int row, struct ioctl_row *r)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_device_info di = { .argsz = 4 };
	int efd = efd_new(), null_fd = open("/dev/null", O_RDWR), ret;

	switch (row) {
	case 0:
		*r = (struct ioctl_row){ "unknown VFIO ioctl (VFIO_BASE + 99)", ENOTTY };
		ret = xioctl(d->fd, _IO(VFIO_TYPE, VFIO_BASE + 99), NULL);
		break;
	case 1:
		*r = (struct ioctl_row){ "foreign ioctl _IO('x', 1)", ENOTTY };
		ret = xioctl(d->fd, _IO('x', 1), NULL);
		break;
	case 2:
		*r = (struct ioctl_row){ "GET_DEVICE_INFO with argsz 4", EINVAL };
		ret = xioctl(d->fd, VFIO_DEVICE_GET_INFO, &di);
		break;
	case 3:
		*r = (struct ioctl_row){ "GET_REGION_INFO index 9", EINVAL };
		ri.index = 9;
		ret = xioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		break;
	case 4:
		*r = (struct ioctl_row){ "GET_REGION_INFO index 0xffffffff", EINVAL };
		ri.index = 0xffffffff;
		ret = xioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		break;
	case 5:
		*r = (struct ioctl_row){ "GET_REGION_INFO with argsz 4", EINVAL };
		ri.argsz = 4;
		ret = xioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		break;
	case 6:
		*r = (struct ioctl_row){ "GET_IRQ_INFO index 5", EINVAL };
		ii.index = 5;
		ret = xioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		break;
	case 7:
		*r = (struct ioctl_row){ "GET_IRQ_INFO with argsz 4", EINVAL };
		ii.argsz = 4;
		ret = xioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		break;
	case 8:
		*r = (struct ioctl_row){ "SET_IRQS index 5", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, 5, 0, 1, efd);
		break;
	case 9:
		*r = (struct ioctl_row){ "SET_IRQS index 0xffffffff", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, 0xffffffff, 0, 1, efd);
		break;
	case 10:
		*r = (struct ioctl_row){ "SET_IRQS with argsz 8", EINVAL };
		ret = set_irqs(d, 8, EVENTFD_TRIGGER, MSI, 0, 1, efd);
		break;
	case 11:
		*r = (struct ioctl_row){ "SET_IRQS MSI with a closed fd (1000)", EBADF };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 1, 1000);
		break;
	case 12:
		*r = (struct ioctl_row){ "SET_IRQS MSI with /dev/null as eventfd", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 1, null_fd);
		break;
	case 13:
		*r = (struct ioctl_row){ "SET_IRQS MSI eventfd -2 (negative: disable) is accepted",
					 0 };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 1, -2);
		break;
	case 14:
		*r = (struct ioctl_row){ "SET_IRQS MSI start 1 (one vector)", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 1, 1, efd);
		break;
	case 15:
		*r = (struct ioctl_row){ "SET_IRQS MSI count 2", EINVAL };
		ret = set_irqs(d, sizeof(struct irq_set_buf), EVENTFD_TRIGGER, MSI,
			       0, 2, efd);
		break;
	case 16:
		*r = (struct ioctl_row){ "SET_IRQS MSI count 0xffffffff", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 0xffffffff, efd);
		break;
	case 17:
		*r = (struct ioctl_row){ "SET_IRQS MSI-X (no vectors)", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX,
			       0, 1, efd);
		break;
	case 18:
		*r = (struct ioctl_row){ "SET_IRQS ERR start 1 (one vector)", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, VFIO_PCI_ERR_IRQ_INDEX,
			       1, 1, efd);
		break;
	case 19:
		*r = (struct ioctl_row){ "SET_IRQS MSI MASK (not maskable)", ENOTTY };
		ret = set_irqs(d, HDR_ARGSZ,
			       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			       MSI, 0, 1, 0);
		break;
	case 20:
		*r = (struct ioctl_row){ "SET_IRQS INTx with two actions (MASK | TRIGGER)",
					 ENOTTY };
		ret = set_irqs(d, HDR_ARGSZ, NONE_TRIGGER | VFIO_IRQ_SET_ACTION_MASK,
			       INTX, 0, 1, 0);
		break;
	case 21:
		*r = (struct ioctl_row){ "SET_IRQS with two data types (NONE | BOOL)",
					 EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, NONE_TRIGGER | VFIO_IRQ_SET_DATA_BOOL,
			       INTX, 0, 1, 0);
		break;
	case 22:
		*r = (struct ioctl_row){ "SET_IRQS with an undefined flag (1 << 10)",
					 EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER | (1u << 10), MSI, 0, 1,
			       efd);
		break;
	case 23:
		*r = (struct ioctl_row){ "SET_IRQS eventfd without the payload (argsz = header)",
					 EINVAL };
		ret = set_irqs(d, HDR_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 1, efd);
		break;
	case 24:
		*r = (struct ioctl_row){ "SET_IRQS REQ with a closed fd (1000)", EBADF };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, VFIO_PCI_REQ_IRQ_INDEX,
			       0, 1, 1000);
		break;
	case 25:
		*r = (struct ioctl_row){ "SET_IRQS INTx eventfd -1 (disable) is accepted", 0 };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, INTX, 0, 1, -1);
		break;
	case 26:
		*r = (struct ioctl_row){ "SET_IRQS MSI trigger count 0 (disable) is accepted",
					 0 };
		ret = set_irqs(d, HDR_ARGSZ, NONE_TRIGGER, MSI, 0, 0, 0);
		break;
	case 27:
		*r = (struct ioctl_row){ "GROUP_GET_DEVICE_FD with an unknown name", ENODEV };
		ret = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD,
			    "00000000-0000-0000-0000-000000000000");
		ret = ret < 0 ? -errno : 0;
		break;
	case 28:
		*r = (struct ioctl_row){ "mremap growing a BAR1 mapping", EFAULT };
		ret = grow_mapping(d);
		break;
	case 29:
		*r = (struct ioctl_row){ "VFIO_DEVICE_RESET is accepted", 0 };
		ret = vdev_reset(d);
		break;
	case 30:
		*r = (struct ioctl_row){ "SET_IRQS INTx MASK count 0", EINVAL };
		ret = set_irqs(d, HDR_ARGSZ, NONE_MASK, INTX, 0, 0, 0);
		break;
	case 31:
		*r = (struct ioctl_row){ "SET_IRQS INTx UNMASK count 0", EINVAL };
		ret = set_irqs(d, HDR_ARGSZ, NONE_UNMASK, INTX, 0, 0, 0);
		break;
	case 32:
		*r = (struct ioctl_row){ "SET_IRQS INTx MASK by eventfd", ENOTTY };
		ret = set_irqs(d, IRQ_ARGSZ,
			       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK,
			       INTX, 0, 1, efd);
		break;
	case 33:
		*r = (struct ioctl_row){ "SET_IRQS INTx UNMASK eventfd -1 (disable) is accepted",
					 0 };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_UNMASK, INTX, 0, 1, -1);
		break;
	case 34:
		*r = (struct ioctl_row){ "SET_IRQS INTx UNMASK with /dev/null as eventfd",
					 EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_UNMASK, INTX, 0, 1, null_fd);
		break;
	case 35:
		*r = (struct ioctl_row){ "SET_IRQS INTx trigger BOOL count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, BOOL_TRIGGER, INTX, 0, 0, 0);
		break;
	case 36:
		*r = (struct ioctl_row){ "SET_IRQS INTx trigger EVENTFD count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, INTX, 0, 0, efd);
		break;
	case 37:
		*r = (struct ioctl_row){ "SET_IRQS INTx trigger count 0 (disable) is accepted",
					 0 };
		ret = set_irqs(d, HDR_ARGSZ, NONE_TRIGGER, INTX, 0, 0, 0);
		break;
	case 38:
		*r = (struct ioctl_row){ "SET_IRQS INTx eventfd -2 (negative: disable) is accepted",
					 0 };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, INTX, 0, 1, -2);
		break;
	case 39:
		*r = (struct ioctl_row){ "SET_IRQS MSI UNMASK (not maskable)", ENOTTY };
		ret = set_irqs(d, HDR_ARGSZ, NONE_UNMASK, MSI, 0, 1, 0);
		break;
	case 40:
		*r = (struct ioctl_row){ "SET_IRQS MSI trigger BOOL count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, BOOL_TRIGGER, MSI, 0, 0, 0);
		break;
	case 41:
		*r = (struct ioctl_row){ "SET_IRQS MSI trigger EVENTFD count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, MSI, 0, 0, efd);
		break;
	case 42:
		*r = (struct ioctl_row){ "SET_IRQS REQ MASK", ENOTTY };
		ret = set_irqs(d, HDR_ARGSZ, NONE_MASK, REQ, 0, 1, 0);
		break;
	case 43:
		*r = (struct ioctl_row){ "SET_IRQS REQ UNMASK", ENOTTY };
		ret = set_irqs(d, HDR_ARGSZ, NONE_UNMASK, REQ, 0, 1, 0);
		break;
	case 44:
		*r = (struct ioctl_row){ "SET_IRQS REQ DATA_NONE trigger with no eventfd set",
					 EINVAL };
		ret = set_irqs(d, HDR_ARGSZ, NONE_TRIGGER, REQ, 0, 1, 0);
		break;
	case 45:
		*r = (struct ioctl_row){ "SET_IRQS REQ DATA_NONE count 0 with no eventfd set",
					 EINVAL };
		ret = set_irqs(d, HDR_ARGSZ, NONE_TRIGGER, REQ, 0, 0, 0);
		break;
	case 46:
		*r = (struct ioctl_row){ "SET_IRQS REQ trigger BOOL count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, BOOL_TRIGGER, REQ, 0, 0, 0);
		break;
	case 47:
		*r = (struct ioctl_row){ "SET_IRQS REQ trigger EVENTFD count 0", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, REQ, 0, 0, efd);
		break;
	case 48:
		*r = (struct ioctl_row){ "SET_IRQS REQ with eventfd -2", EINVAL };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, REQ, 0, 1, -2);
		break;
	case 49:
		*r = (struct ioctl_row){ "SET_IRQS REQ eventfd -1 (disable) is accepted", 0 };
		ret = set_irqs(d, IRQ_ARGSZ, EVENTFD_TRIGGER, REQ, 0, 1, -1);
		break;
	default:
		ret = 1;
	}
	close(efd);
	close(null_fd);
	return ret;
}

static u32 rd_n(struct vdev *d, u32 off, unsigned int len, int *err)
{
	u8 b[4] = { 0 };
	ssize_t n = vdev_pread(d, VFIO_PCI_BAR0_REGION_INDEX, off, b, len);

	if (n != (ssize_t)len)
		*err = n < 0 ? (int)n : -EIO;
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static int wr_n(struct vdev *d, u32 off, unsigned int len, u32 v)
{
	ssize_t n = vdev_pwrite(d, VFIO_PCI_BAR0_REGION_INDEX, off, &v, len);

	return n == (ssize_t)len ? 0 : n < 0 ? (int)n : -EIO;
}

static void odd_sizes(struct vdev *d)
{
	const u32 m = NVKM_VGPU_MAGIC, ver = NVKM_VGPU_UAPI_VERSION;
	const u32 scratch = NVKM_VGPU_REG_SCRATCH;
	u32 v[4];
	unsigned int i;
	int err = 0;

	for (i = 0; i < 4; i++)
		v[i] = rd_n(d, NVKM_VGPU_REG_MAGIC + i, 1, &err);
	tap_check(!err && v[0] == (m & 0xff) && v[1] == ((m >> 8) & 0xff) &&
		  v[2] == ((m >> 16) & 0xff) && v[3] == m >> 24,
		  "BAR0 odd size: 1-byte reads at MAGIC+0..3 return its bytes");
	v[0] = rd_n(d, NVKM_VGPU_REG_MAGIC, 2, &err);
	v[1] = rd_n(d, NVKM_VGPU_REG_MAGIC + 2, 2, &err);
	v[2] = rd_n(d, NVKM_VGPU_REG_MAGIC + 1, 2, &err);
	tap_check(!err && v[0] == (m & 0xffff) && v[1] == m >> 16 &&
		  v[2] == ((m >> 8) & 0xffff),
		  "BAR0 odd size: 2-byte reads at MAGIC+0, +2 and unaligned +1 return the addressed bytes");
	v[0] = rd_n(d, NVKM_VGPU_REG_MAGIC, 3, &err);
	v[1] = rd_n(d, NVKM_VGPU_REG_MAGIC + 2, 4, &err);
	tap_check(!err && v[0] == (m & 0xffffff) &&
		  v[1] == ((m >> 16) | (ver & 0xffff) << 16),
		  "BAR0 odd size: a 3-byte read and an unaligned 4-byte read across registers");

	bar0_write(d, scratch, 0x11223344);
	err = wr_n(d, scratch, 1, 0xff);
	tap_check(!err && bar0_rd(d, scratch) == 0x11223344,
		  "BAR0 odd size: a 1-byte write succeeds and is dropped");
	err = wr_n(d, scratch + 2, 2, 0xffff);
	tap_check(!err && bar0_rd(d, scratch) == 0x11223344,
		  "BAR0 odd size: a 2-byte write succeeds and is dropped");
	err = wr_n(d, scratch + 1, 4, 0xffffffff);
	tap_check(!err && bar0_rd(d, scratch) == 0x11223344,
		  "BAR0 odd size: an unaligned 4-byte write succeeds and is dropped");
	err = wr_n(d, NVKM_VGPU_REG_INTR_STATUS + 2, 4, 0xffffffff);
	err = err ?: wr_n(d, NVKM_VGPU_REG_INTR_TRIGGER, 2, 1);
	tap_check(!err && bar0_rd(d, NVKM_VGPU_REG_INTR_ENABLE) == 0 &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == 0,
		  "BAR0 odd size: narrow writes to INTR_ENABLE and INTR_TRIGGER do nothing");
	bar0_write(d, scratch, 0);
}

int main(void)
{
	struct ioctl_row row;
	struct vgpu_parent p;
	unsigned int i;
	char type[48];
	struct vdev d;
	int ret;

	tap_init("badinput", 300);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);

	/*
	 * A buffer followed by a guard the kernel cannot copy to or from, low
	 * in the address space: the read syscall itself refuses (EFAULT) a
	 * buffer whose end passes the top of user space, and with 4-level
	 * paging a mapping near the top plus 2^40 bytes would, before the
	 * driver could refuse the length.
	 */
	buf = mmap(BUF_ADDR, BUF_SIZE + GUARD_SIZE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		   MAP_FIXED_NOREPLACE, -1, 0);
	if (buf == MAP_FAILED ||
	    mprotect(buf, BUF_SIZE, PROT_READ | PROT_WRITE))
		tap_bail("buffer: %s", strerror(errno));
	memset(buf, 0, 1 << 20);

	ret = vgpu_new(&d, &p, type);
	if (ret)
		tap_bail("%s: %s", type, errno_name(-ret));
	for (i = 0; i < ARRAY_SIZE(access_rows); i++) {
		const struct access_row *r = &access_rows[i];

		ret = access_row(&d, r);
		tap_errno(ret, r->err, "%s: %s", r->what,
			  r->err ? errno_name(r->err) : "succeeds");
	}
	for (i = 0; (ret = ioctl_row(&d, i, &row)) != 1; i++)
		tap_errno(ret, row.err, "%s: %s", row.what,
			  row.err ? errno_name(row.err) : "succeeds");
	cfg_enable(&d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	odd_sizes(&d);

	bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 0xc0ffee);
	tap_check(bar0_rd(&d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC &&
		  bar0_rd(&d, NVKM_VGPU_REG_SCRATCH) == 0xc0ffee,
		  "the device still answers after the bad input");
	tap_errno(vgpu_del(&d), 0, "remove the vGPU");
	return tap_done();
}
