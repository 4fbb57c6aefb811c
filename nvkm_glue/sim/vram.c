// SPDX-License-Identifier: GPL-2.0
/*
 * Sparse framebuffer of a simulated GPU.
 *
 * An 80 GiB board costs only the pages its guests touch: a page of FB is
 * allocated, zeroed, the first time the manager asks for it to be, and is
 * handed back to the host when its range is scrubbed. Every simulated GPU
 * charges its pages to one host-wide budget, the vram_cap_mib module
 * parameter, so no guest can make the host run out of memory.
 *
 * Locking: each framebuffer's xarray lock guards its entries and its page
 * count; the host-wide budget is an atomic counter taken with a
 * compare-and-exchange loop before a page is allocated.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "vram.h"

VISIBLE_IF_KUNIT unsigned int nvkm_vgpu_sim_vram_cap_mib = 256;
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_cap_mib);
module_param_named(vram_cap_mib, nvkm_vgpu_sim_vram_cap_mib, uint, 0644);
MODULE_PARM_DESC(vram_cap_mib,
		 "host memory, in MiB, all simulated GPUs' framebuffers may use together (default 256)");

/* Pages charged to the budget by every simulated GPU, allocations in flight included. */
static atomic_long_t nvkm_vgpu_sim_vram_charged = ATOMIC_LONG_INIT(0);

static bool nvkm_vgpu_sim_vram_charge(void)
{
	long cap = (long)READ_ONCE(nvkm_vgpu_sim_vram_cap_mib) << (20 - PAGE_SHIFT);
	long charged = atomic_long_read(&nvkm_vgpu_sim_vram_charged);

	do {
		if (charged >= cap)
			return false;
	} while (!atomic_long_try_cmpxchg(&nvkm_vgpu_sim_vram_charged,
					  &charged, charged + 1));
	return true;
}

static void nvkm_vgpu_sim_vram_uncharge(long pages)
{
	atomic_long_sub(pages, &nvkm_vgpu_sim_vram_charged);
}

/**
 * nvkm_vgpu_sim_vram_init() - set up an empty framebuffer
 * @vram: the framebuffer to set up
 * @dev: the simulated GPU's device, named in log lines
 * @size: FB size in bytes, a multiple of PAGE_SIZE
 *
 * No host memory is used until a page is touched.
 */
void nvkm_vgpu_sim_vram_init(struct nvkm_vgpu_sim_vram *vram,
			     struct device *dev, u64 size)
{
	xa_init(&vram->pages);
	vram->size = size;
	atomic_long_set(&vram->used, 0);
	vram->dev = dev;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_init);

/**
 * nvkm_vgpu_sim_vram_fini() - give every page of a framebuffer back
 * @vram: the framebuffer, which nobody may use any more
 *
 * Pages still referenced elsewhere (a mapping not yet torn down) live on
 * until their last reference goes; they no longer count against the budget.
 */
void nvkm_vgpu_sim_vram_fini(struct nvkm_vgpu_sim_vram *vram)
{
	struct page *page;
	unsigned long index;
	long pages = 0;

	xa_for_each(&vram->pages, index, page) {
		put_page(page);
		pages++;
		cond_resched();
	}
	xa_destroy(&vram->pages);
	atomic_long_sub(pages, &vram->used);
	nvkm_vgpu_sim_vram_uncharge(pages);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_fini);

static int nvkm_vgpu_sim_vram_check(const struct nvkm_vgpu_sim_vram *vram,
				    u64 offset, u64 size)
{
	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (offset > vram->size || size > vram->size - offset)
		return -EINVAL;
	return 0;
}

/**
 * nvkm_vgpu_sim_vram_page() - the page backing a byte of framebuffer
 * @vram: the framebuffer
 * @offset: page-aligned FB byte offset, below the FB size
 * @alloc: allocate a zeroed page if @offset was never touched
 *
 * Implements &nvkm_vgpu_backend_ops.fb_page. Two callers racing to touch
 * the same page get the same page. May sleep.
 *
 * Return: the page, with a reference the caller drops with put_page();
 * NULL when @offset was never touched and !@alloc; ERR_PTR(-EINVAL) for
 * an unaligned or out-of-range @offset; ERR_PTR(-ENOMEM) when the host
 * budget (vram_cap_mib) is spent or the host is out of memory.
 */
struct page *nvkm_vgpu_sim_vram_page(struct nvkm_vgpu_sim_vram *vram,
				     u64 offset, bool alloc)
{
	unsigned long index = offset >> PAGE_SHIFT;
	struct page *page, *old;

	if (nvkm_vgpu_sim_vram_check(vram, offset, PAGE_SIZE))
		return ERR_PTR(-EINVAL);

	xa_lock(&vram->pages);
	page = xa_load(&vram->pages, index);
	if (page)
		get_page(page);
	xa_unlock(&vram->pages);
	if (page || !alloc)
		return page;

	if (!nvkm_vgpu_sim_vram_charge()) {
		dev_warn_ratelimited(vram->dev,
				     "nvkm_vgpu_sim: host memory for simulated VRAM exhausted (vram_cap_mib=%u)\n",
				     READ_ONCE(nvkm_vgpu_sim_vram_cap_mib));
		return ERR_PTR(-ENOMEM);
	}
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		nvkm_vgpu_sim_vram_uncharge(1);
		return ERR_PTR(-ENOMEM);
	}

	/*
	 * Publish the page unless someone else did first. The winner's page
	 * is referenced before the lock drops, so a scrub cannot free it
	 * under us.
	 */
	xa_lock(&vram->pages);
	old = __xa_cmpxchg(&vram->pages, index, NULL, page, GFP_KERNEL);
	if (!old) {
		atomic_long_inc(&vram->used);
		get_page(page);
	} else if (!xa_is_err(old)) {
		get_page(old);
	}
	xa_unlock(&vram->pages);

	if (!old)
		return page;
	put_page(page);
	nvkm_vgpu_sim_vram_uncharge(1);
	if (xa_is_err(old))
		return ERR_PTR(xa_err(old));
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_page);

/**
 * nvkm_vgpu_sim_vram_scrub() - make a framebuffer range read as zero
 * @vram: the framebuffer
 * @offset: page-aligned start of the range
 * @size: page-aligned size of the range
 *
 * Implements &nvkm_vgpu_backend_ops.fb_scrub: the pages in the range go
 * back to the host (and the budget), so the range reads as never touched.
 * The manager guarantees the range is not mapped; a page something still
 * references lives on until that reference is put, unreachable from the
 * framebuffer. May sleep.
 *
 * Return: 0, or -EINVAL for an unaligned or out-of-range range.
 */
int nvkm_vgpu_sim_vram_scrub(struct nvkm_vgpu_sim_vram *vram, u64 offset,
			     u64 size)
{
	XA_STATE(xas, &vram->pages, offset >> PAGE_SHIFT);
	struct page *page;
	long pages = 0;
	int ret;

	ret = nvkm_vgpu_sim_vram_check(vram, offset, size);
	if (ret || !size)
		return ret;

	xas_lock(&xas);
	xas_for_each(&xas, page, (offset + size - 1) >> PAGE_SHIFT) {
		xas_store(&xas, NULL);
		atomic_long_dec(&vram->used);
		put_page(page);
		if (++pages % XA_CHECK_SCHED)
			continue;
		xas_pause(&xas);
		xas_unlock(&xas);
		cond_resched();
		xas_lock(&xas);
	}
	xas_unlock(&xas);

	nvkm_vgpu_sim_vram_uncharge(pages);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_scrub);

/**
 * nvkm_vgpu_sim_vram_used() - host memory a framebuffer uses now
 * @vram: the framebuffer
 *
 * Return: bytes of host memory backing touched pages of @vram.
 */
u64 nvkm_vgpu_sim_vram_used(const struct nvkm_vgpu_sim_vram *vram)
{
	return (u64)atomic_long_read(&vram->used) << PAGE_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_used);
