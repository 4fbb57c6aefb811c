// SPDX-License-Identifier: GPL-2.0
/*
 * The framebuffer nouveau's GPUs hand to vGPUs: the VRAM carve-out that
 * patch 0002 keeps from TTM (nouveau config=NvVgpuVramMB=<MiB>), described
 * to the manager as the whole framebuffer, so an FB offset of the contract
 * is an offset in the carve-out and nothing is reserved (fb_reserved 0).
 *
 * VRAM has no struct page: a vGPU's range is reached through the GPU's
 * BAR1. fb_reserve maps the range into BAR1 (nvkm_vgpu_bar1_map()) for
 * the vGPU's life and fb_pfn hands out the PFNs of that window of the
 * BAR1 resource, which the manager maps write-combining. fb_rw (the
 * manager's BAR1 read and write) and fb_scrub reach the window from the
 * kernel through an ioremap_wc() of at most 2 MiB at a time, made and
 * dropped on each call. BAR1 is often only 256 MiB without resizable BAR,
 * so the sum of the live vGPUs' FB must fit in it: fb_reserve says
 * -ENOSPC, in one line, when it does not.
 *
 * Locking: the framebuffer's spinlock guards its list of reserved ranges
 * only, and is never held across a BAR1 mapping or access. A range's
 * window stays while the manager may use it: from fb_reserve to
 * fb_release, which the manager calls only once no fb_rw, fb_pfn or scrub
 * of the range can run.
 */
#include <linux/device.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/pfn.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <core/device.h>

#include "fb.h"

/* Scrubs, reads and writes map this much of BAR1 at a time. */
#define NVKM_VGPU_NOUVEAU_BAR1_CHUNK SZ_2M

/**
 * struct nvkm_vgpu_nouveau_fb_range - a reserved range and its BAR1 window
 * @head: in &nvkm_vgpu_nouveau_fb.ranges, under its lock
 * @offset: the range's FB offset
 * @size: its bytes
 * @vma: its BAR1 mapping, for nvkm_vgpu_bar1_unmap()
 * @paddr: the CPU physical address of its first byte in BAR1
 */
struct nvkm_vgpu_nouveau_fb_range {
	struct list_head head;
	u64 offset;
	u64 size;
	struct nvkm_vma *vma;
	resource_size_t paddr;
};

/**
 * nvkm_vgpu_nouveau_fb_init() - find a device's carve-out
 * @fb: to fill in
 * @device: the NVKM device
 * @dev: for log lines
 *
 * Return: 0, or -ENODEV with one line in the log when nouveau reserved no
 * carve-out.
 */
int nvkm_vgpu_nouveau_fb_init(struct nvkm_vgpu_nouveau_fb *fb,
			      struct nvkm_device *device, struct device *dev)
{
	u64 addr, size;
	int ret;

	ret = nvkm_vgpu_vram(device, &addr, &size);
	if (ret) {
		dev_warn(dev, "nvkm_vgpu_nouveau: no VRAM carve-out; load nouveau with config=NvVgpuVramMB=<MiB> (%d)\n",
			 ret);
		return ret;
	}
	fb->device = device;
	fb->dev = dev;
	fb->size = size;
	spin_lock_init(&fb->lock);
	INIT_LIST_HEAD(&fb->ranges);
	dev_info(dev, "nvkm_vgpu_nouveau: %llu MiB of VRAM at 0x%llx for vGPUs\n",
		 size / SZ_1M, addr);
	return 0;
}

/**
 * nvkm_vgpu_nouveau_fb_fini() - forget the carve-out
 * @fb: from nvkm_vgpu_nouveau_fb_init()
 *
 * The manager released every range before unregistering; a range left
 * over is a manager bug, unmapped here all the same.
 */
void nvkm_vgpu_nouveau_fb_fini(struct nvkm_vgpu_nouveau_fb *fb)
{
	struct nvkm_vgpu_nouveau_fb_range *r, *tmp;

	list_for_each_entry_safe(r, tmp, &fb->ranges, head) {
		WARN_ON_ONCE(1);
		list_del(&r->head);
		nvkm_vgpu_bar1_unmap(fb->device, &r->vma);
		kfree(r);
	}
}

/* The reserved range holding @offset, or NULL. */
static struct nvkm_vgpu_nouveau_fb_range *
nvkm_vgpu_nouveau_fb_find_locked(struct nvkm_vgpu_nouveau_fb *fb, u64 offset)
{
	struct nvkm_vgpu_nouveau_fb_range *r;

	lockdep_assert_held(&fb->lock);
	list_for_each_entry(r, &fb->ranges, head)
		if (offset >= r->offset && offset - r->offset < r->size)
			return r;
	return NULL;
}

/*
 * Store in *@paddr the BAR1 address of FB byte @offset when the @len bytes
 * from it (at least 1) lie inside one reserved range; false if they do
 * not.
 */
static bool nvkm_vgpu_nouveau_fb_window(struct nvkm_vgpu_nouveau_fb *fb,
					u64 offset, u64 len,
					resource_size_t *paddr)
{
	struct nvkm_vgpu_nouveau_fb_range *r;
	bool found;

	spin_lock(&fb->lock);
	r = nvkm_vgpu_nouveau_fb_find_locked(fb, offset);
	found = r && len <= r->size - (offset - r->offset);
	if (found)
		*paddr = r->paddr + (offset - r->offset);
	spin_unlock(&fb->lock);
	return found;
}

/* Whether [@offset, @offset + @size) meets a reserved range. */
static bool nvkm_vgpu_nouveau_fb_overlap_locked(struct nvkm_vgpu_nouveau_fb *fb,
						u64 offset, u64 size)
{
	struct nvkm_vgpu_nouveau_fb_range *r;

	lockdep_assert_held(&fb->lock);
	list_for_each_entry(r, &fb->ranges, head)
		if (r->offset < offset + size && offset < r->offset + r->size)
			return true;
	return false;
}

/**
 * nvkm_vgpu_nouveau_fb_reserve() - map a vGPU's range through BAR1
 * @fb: the framebuffer
 * @offset: the range's FB offset, 2 MiB aligned
 * @size: its bytes
 *
 * Return: 0, -EINVAL for a range outside the carve-out or overlapping a
 * reserved one, -ENOSPC (one line in the log) when BAR1 has no room left,
 * -ENOMEM.
 */
int nvkm_vgpu_nouveau_fb_reserve(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
				 u64 size)
{
	struct nvkm_vgpu_nouveau_fb_range *r;
	int ret;

	if (!size || offset > fb->size || size > fb->size - offset)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->offset = offset;
	r->size = size;
	ret = nvkm_vgpu_bar1_map(fb->device, offset, size, &r->vma, &r->paddr);
	if (ret) {
		dev_warn(fb->dev, "nvkm_vgpu_nouveau: cannot map %llu MiB of FB at 0x%llx through BAR1 (%d); a larger BAR1 (resizable BAR) or smaller vGPUs\n",
			 size / SZ_1M, offset, ret);
		kfree(r);
		return ret == -ENOMEM ? ret : -ENOSPC;
	}

	spin_lock(&fb->lock);
	if (nvkm_vgpu_nouveau_fb_overlap_locked(fb, offset, size)) {
		spin_unlock(&fb->lock);
		nvkm_vgpu_bar1_unmap(fb->device, &r->vma);
		kfree(r);
		return -EINVAL;
	}
	list_add_tail(&r->head, &fb->ranges);
	spin_unlock(&fb->lock);
	return 0;
}

/**
 * nvkm_vgpu_nouveau_fb_release() - unmap a range from fb_reserve
 * @fb: the framebuffer
 * @offset: the range's FB offset
 */
void nvkm_vgpu_nouveau_fb_release(struct nvkm_vgpu_nouveau_fb *fb, u64 offset)
{
	struct nvkm_vgpu_nouveau_fb_range *r;

	spin_lock(&fb->lock);
	r = nvkm_vgpu_nouveau_fb_find_locked(fb, offset);
	if (r && r->offset == offset)
		list_del(&r->head);
	else
		r = NULL;
	spin_unlock(&fb->lock);
	if (WARN_ON_ONCE(!r))
		return;
	nvkm_vgpu_bar1_unmap(fb->device, &r->vma);
	kfree(r);
}

/**
 * nvkm_vgpu_nouveau_fb_pfn() - the BAR1 page frame of an FB page
 * @fb: the framebuffer
 * @offset: page-aligned FB offset inside a reserved range
 * @pfn: the PFN, in the GPU's BAR1 resource
 *
 * Return: 0, or -EINVAL outside every reserved range.
 */
int nvkm_vgpu_nouveau_fb_pfn(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			     unsigned long *pfn)
{
	resource_size_t paddr;

	if (!nvkm_vgpu_nouveau_fb_window(fb, offset, 1, &paddr))
		return -EINVAL;
	*pfn = PHYS_PFN(paddr);
	return 0;
}

/*
 * Read @len bytes of BAR1 at @paddr into @buf, or write @buf there
 * (@write), or with @buf NULL write zeros, a chunk mapping at a time;
 * writes are flushed from the write-combining buffers before each chunk
 * is unmapped. -ENOMEM when BAR1 cannot be mapped (earlier chunks done).
 */
static int nvkm_vgpu_nouveau_fb_io(resource_size_t paddr, void *buf, u64 len,
				   bool write)
{
	void __iomem *va;
	u64 done, n;

	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, NVKM_VGPU_NOUVEAU_BAR1_CHUNK);
		va = ioremap_wc(paddr + done, n);
		if (!va)
			return -ENOMEM;
		if (!write) {
			memcpy_fromio(buf + done, va, n);
		} else {
			if (buf)
				memcpy_toio(va, buf + done, n);
			else
				memset_io(va, 0, n);
			/* Flush the write-combining buffers before unmapping. */
			wmb();
		}
		iounmap(va);
		cond_resched();
	}
	return 0;
}

/**
 * nvkm_vgpu_nouveau_fb_rw() - read or write FB bytes through BAR1
 * @fb: the framebuffer
 * @offset: FB offset of the first byte, any alignment
 * @buf: kernel buffer to read into or write from
 * @len: bytes, all inside one reserved range
 * @write: write @buf to the FB rather than read the FB into it
 *
 * Copies through the range's BAR1 window (nvkm_vgpu_nouveau_fb_io()).
 * May sleep.
 *
 * Return: 0, -EINVAL when the bytes are not all inside one reserved
 * range, -ENOMEM when BAR1 cannot be mapped (the bytes of earlier chunks
 * are done then).
 */
int nvkm_vgpu_nouveau_fb_rw(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			    void *buf, size_t len, bool write)
{
	resource_size_t paddr;

	if (!len || !nvkm_vgpu_nouveau_fb_window(fb, offset, len, &paddr))
		return -EINVAL;
	/* The range is the caller's vGPU's: it cannot be released meanwhile. */
	return nvkm_vgpu_nouveau_fb_io(paddr, buf, len, write);
}

/**
 * nvkm_vgpu_nouveau_fb_scrub() - zero an FB range through BAR1
 * @fb: the framebuffer
 * @offset: page-aligned FB offset
 * @size: page-aligned bytes
 *
 * Writes zeros through the BAR1 window of the reserved range holding it,
 * or through a window mapped for the scrub alone when no range is
 * reserved there. CPU writes across PCIe: some 100 MiB/s to a few GiB/s;
 * a copy engine would be faster, once the backend runs channels.
 *
 * Return: 0, or the errno of mapping BAR1.
 */
int nvkm_vgpu_nouveau_fb_scrub(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			       u64 size)
{
	struct nvkm_vma *vma = NULL;
	resource_size_t paddr;
	int ret;

	if (!size || offset > fb->size || size > fb->size - offset)
		return -EINVAL;
	if (!nvkm_vgpu_nouveau_fb_window(fb, offset, size, &paddr)) {
		ret = nvkm_vgpu_bar1_map(fb->device, offset, size, &vma, &paddr);
		if (ret)
			return ret;
	}
	/* The range is the scrubbing vGPU's: it cannot be released meanwhile. */
	ret = nvkm_vgpu_nouveau_fb_io(paddr, NULL, size, true);
	if (vma)
		nvkm_vgpu_bar1_unmap(fb->device, &vma);
	return ret;
}

/**
 * nvkm_vgpu_nouveau_fb_used() - bytes of an FB range backed now
 * @fb: the framebuffer
 * @offset: page-aligned FB offset
 * @size: page-aligned bytes
 *
 * VRAM backs every reserved byte: the overlap of the range with the
 * reserved ones. Never sleeps.
 *
 * Return: the bytes.
 */
u64 nvkm_vgpu_nouveau_fb_used(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			      u64 size)
{
	struct nvkm_vgpu_nouveau_fb_range *r;
	u64 used = 0, lo, hi;

	spin_lock(&fb->lock);
	list_for_each_entry(r, &fb->ranges, head) {
		lo = max(offset, r->offset);
		hi = min(offset + size, r->offset + r->size);
		if (lo < hi)
			used += hi - lo;
	}
	spin_unlock(&fb->lock);
	return used;
}
