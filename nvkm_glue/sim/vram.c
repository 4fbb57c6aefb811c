// SPDX-License-Identifier: GPL-2.0
/*
 * Sparse framebuffer of a simulated GPU.
 *
 * An 80 GiB board costs only the pages its guests touch: a page of FB is
 * allocated, zeroed, the first time the manager asks for it to be, and is
 * handed back to the host when its range is scrubbed. Host memory is
 * bounded by the vram_cap_mib module parameter, over every simulated GPU.
 *
 * No tenant may be denied a page of its own slice by another tenant's use
 * of the cap. So each range the manager reserves for a vGPU (fb_reserve)
 * takes a budget of its own out of the cap when it is created: the smaller
 * of its size and vram_vgpu_cap_mib, and creating it fails with ENOSPC when
 * the cap cannot cover that. Pages inside a reserved range are charged to
 * its budget only; pages outside every reserved range (none, through the
 * manager) share what the budgets leave of the cap.
 *
 * Locking: each framebuffer's xarray lock guards its entries and its page
 * count; its maple tree of budgets has its own lock, and a budget's fields
 * and the two host-wide counters below are guarded by
 * nvkm_vgpu_sim_vram_budget_lock, taken with no other lock held.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "vram.h"

VISIBLE_IF_KUNIT unsigned int nvkm_vgpu_sim_vram_cap_mib = 4096;
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_cap_mib);
module_param_named(vram_cap_mib, nvkm_vgpu_sim_vram_cap_mib, uint, 0644);
MODULE_PARM_DESC(vram_cap_mib,
		 "host memory, in MiB, all simulated GPUs' framebuffers may use together (default 4096)");

VISIBLE_IF_KUNIT unsigned int nvkm_vgpu_sim_vram_vgpu_cap_mib = 32;
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_vgpu_cap_mib);
module_param_named(vram_vgpu_cap_mib, nvkm_vgpu_sim_vram_vgpu_cap_mib, uint,
		   0644);
MODULE_PARM_DESC(vram_vgpu_cap_mib,
		 "host memory, in MiB, one vGPU's framebuffer may use; each vGPU reserves this (or its FB size if smaller) out of vram_cap_mib when it is created (default 32)");

/**
 * struct nvkm_vgpu_sim_vram_budget - host memory promised to a reserved range
 * @limit: pages the range may use; immutable.
 * @used: pages of the range allocated now.
 */
struct nvkm_vgpu_sim_vram_budget {
	long limit;
	long used;
};

static DEFINE_SPINLOCK(nvkm_vgpu_sim_vram_budget_lock);
/* Pages promised to budgets, over every simulated GPU. */
static long nvkm_vgpu_sim_vram_promised;
/* Pages allocated outside every budget, allocations in flight included. */
static long nvkm_vgpu_sim_vram_shared;

static int nvkm_vgpu_sim_vram_check(const struct nvkm_vgpu_sim_vram *vram,
				    u64 offset, u64 size)
{
	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (offset > vram->size || size > vram->size - offset)
		return -EINVAL;
	return 0;
}

static long nvkm_vgpu_sim_vram_cap_pages(void)
{
	return (long)READ_ONCE(nvkm_vgpu_sim_vram_cap_mib) << (20 - PAGE_SHIFT);
}

/* Charges one page at @index to its range's budget, or to the shared rest. */
static bool nvkm_vgpu_sim_vram_charge(struct nvkm_vgpu_sim_vram *vram,
				      unsigned long index)
{
	struct nvkm_vgpu_sim_vram_budget *budget;
	bool ok;

	spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
	budget = mtree_load(&vram->budgets, index);
	if (budget) {
		ok = budget->used < budget->limit;
		budget->used += ok;
	} else {
		ok = nvkm_vgpu_sim_vram_promised + nvkm_vgpu_sim_vram_shared <
		     nvkm_vgpu_sim_vram_cap_pages();
		nvkm_vgpu_sim_vram_shared += ok;
	}
	spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
	return ok;
}

static void nvkm_vgpu_sim_vram_uncharge(struct nvkm_vgpu_sim_vram *vram,
					unsigned long index)
{
	struct nvkm_vgpu_sim_vram_budget *budget;

	spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
	budget = mtree_load(&vram->budgets, index);
	if (budget)
		budget->used--;
	else
		nvkm_vgpu_sim_vram_shared--;
	spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
}

/**
 * nvkm_vgpu_sim_vram_reserve() - promise a range host memory of its own
 * @vram: the framebuffer
 * @offset: page-aligned start of the range
 * @size: page-aligned size of the range, not 0
 *
 * Implements &nvkm_vgpu_backend_ops.fb_reserve: the range gets a budget of
 * min(@size, vram_vgpu_cap_mib) out of vram_cap_mib, which no other range
 * can take. Its pages count against that budget only.
 *
 * Return: 0; -ENOSPC when the cap cannot cover the budget, -EEXIST when
 * the range overlaps a reserved one, -EINVAL for a bad range, -ENOMEM.
 */
int nvkm_vgpu_sim_vram_reserve(struct nvkm_vgpu_sim_vram *vram, u64 offset,
			       u64 size)
{
	unsigned long first = offset >> PAGE_SHIFT;
	struct nvkm_vgpu_sim_vram_budget *budget;
	long cap = nvkm_vgpu_sim_vram_cap_pages();
	bool fits;
	int ret;

	ret = nvkm_vgpu_sim_vram_check(vram, offset, size);
	if (ret || !size)
		return ret ?: -EINVAL;
	budget = kzalloc(sizeof(*budget), GFP_KERNEL);
	if (!budget)
		return -ENOMEM;
	budget->limit = min_t(u64, size >> PAGE_SHIFT,
			      (u64)READ_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib) <<
			      (20 - PAGE_SHIFT));

	spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
	fits = nvkm_vgpu_sim_vram_promised + nvkm_vgpu_sim_vram_shared +
	       budget->limit <= cap;
	if (fits)
		nvkm_vgpu_sim_vram_promised += budget->limit;
	spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
	if (!fits) {
		dev_warn_ratelimited(vram->dev,
				     "nvkm_vgpu_sim: vram_cap_mib=%u cannot promise %ld MiB more of host memory\n",
				     READ_ONCE(nvkm_vgpu_sim_vram_cap_mib),
				     budget->limit >> (20 - PAGE_SHIFT));
		kfree(budget);
		return -ENOSPC;
	}

	ret = mtree_insert_range(&vram->budgets, first,
				 first + (size >> PAGE_SHIFT) - 1, budget,
				 GFP_KERNEL);
	if (ret) {
		dev_warn(vram->dev, "nvkm_vgpu_sim: reserving FB %#llx+%#llx: %d\n",
			 offset, size, ret);
		spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
		nvkm_vgpu_sim_vram_promised -= budget->limit;
		spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
		kfree(budget);
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_reserve);

/**
 * nvkm_vgpu_sim_vram_release() - give a reserved range's budget back
 * @vram: the framebuffer
 * @offset: start of a range from nvkm_vgpu_sim_vram_reserve()
 *
 * Implements &nvkm_vgpu_backend_ops.fb_release. The range was scrubbed, so
 * none of its pages is charged any more.
 */
void nvkm_vgpu_sim_vram_release(struct nvkm_vgpu_sim_vram *vram, u64 offset)
{
	struct nvkm_vgpu_sim_vram_budget *budget;

	/* May allocate: not under the budget lock, which a charge holds. */
	budget = mtree_erase(&vram->budgets, offset >> PAGE_SHIFT);
	if (WARN_ON_ONCE(!budget))
		return;
	spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
	nvkm_vgpu_sim_vram_promised -= budget->limit;
	WARN_ON_ONCE(budget->used);
	spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
	kfree(budget);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_release);

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
	mt_init(&vram->budgets);
	vram->size = size;
	atomic_long_set(&vram->used, 0);
	vram->dev = dev;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_init);

/**
 * nvkm_vgpu_sim_vram_fini() - give every page of a framebuffer back
 * @vram: the framebuffer, which nobody may use any more
 *
 * Every range was released by now; one that was not (a caller's bug) is
 * warned about and its budget returned. Pages still referenced elsewhere
 * live on until their last reference goes; they no longer count against
 * the cap.
 */
void nvkm_vgpu_sim_vram_fini(struct nvkm_vgpu_sim_vram *vram)
{
	struct nvkm_vgpu_sim_vram_budget *budget;
	unsigned long index = 0;
	struct page *page;
	long pages = 0;

	xa_for_each(&vram->pages, index, page) {
		nvkm_vgpu_sim_vram_uncharge(vram, index);
		put_page(page);
		pages++;
		cond_resched();
	}
	xa_destroy(&vram->pages);
	atomic_long_sub(pages, &vram->used);

	index = 0;
	mt_for_each(&vram->budgets, budget, index, ULONG_MAX) {
		WARN_ONCE(1, "nvkm_vgpu_sim: a reserved FB range outlived its GPU\n");
		spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
		nvkm_vgpu_sim_vram_promised -= budget->limit;
		spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
		kfree(budget);
	}
	mtree_destroy(&vram->budgets);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_vram_fini);

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

	if (!nvkm_vgpu_sim_vram_charge(vram, index)) {
		dev_warn_ratelimited(vram->dev,
				     "nvkm_vgpu_sim: no host memory left for simulated VRAM at %#llx (vram_cap_mib=%u, vram_vgpu_cap_mib=%u)\n",
				     offset, READ_ONCE(nvkm_vgpu_sim_vram_cap_mib),
				     READ_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib));
		return ERR_PTR(-ENOMEM);
	}
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		nvkm_vgpu_sim_vram_uncharge(vram, index);
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
	nvkm_vgpu_sim_vram_uncharge(vram, index);
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
	unsigned long index;
	struct page *page;
	int ret;

	ret = nvkm_vgpu_sim_vram_check(vram, offset, size);
	if (ret || !size)
		return ret;

	/*
	 * One erase per page, each under the xarray lock: an iteration that
	 * stores NULL and pauses can lose its place when the store frees the
	 * node it was in, and skip the next 4096 pages.
	 */
	xa_for_each_range(&vram->pages, index, page, offset >> PAGE_SHIFT,
			  (offset + size - 1) >> PAGE_SHIFT) {
		page = xa_erase(&vram->pages, index);
		if (!page)
			continue;
		atomic_long_dec(&vram->used);
		nvkm_vgpu_sim_vram_uncharge(vram, index);
		put_page(page);
		cond_resched();
	}
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

/**
 * nvkm_vgpu_sim_vram_range_used() - host memory a reserved range uses now
 * @vram: the framebuffer
 * @offset: start of a range from nvkm_vgpu_sim_vram_reserve(), not
 *	released while this runs
 *
 * Implements &nvkm_vgpu_backend_ops.fb_used. Never sleeps.
 *
 * Return: bytes of host memory backing touched pages of the range; 0 for
 * an offset that starts no range.
 */
u64 nvkm_vgpu_sim_vram_range_used(struct nvkm_vgpu_sim_vram *vram, u64 offset)
{
	struct nvkm_vgpu_sim_vram_budget *budget;
	long used = 0;

	budget = mtree_load(&vram->budgets, offset >> PAGE_SHIFT);
	if (budget) {
		spin_lock(&nvkm_vgpu_sim_vram_budget_lock);
		used = budget->used;
		spin_unlock(&nvkm_vgpu_sim_vram_budget_lock);
	}
	return (u64)used << PAGE_SHIFT;
}
