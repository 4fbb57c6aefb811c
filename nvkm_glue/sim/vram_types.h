/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_VRAM_TYPES_H__
#define __NVKM_VGPU_SIM_VRAM_TYPES_H__

#include <linux/atomic.h>
#include <linux/maple_tree.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct device;

/**
 * struct nvkm_vgpu_sim_vram - a simulated GPU's sparse framebuffer
 * @pages: FB page index to the &struct page backing it, holding one page
 *	reference per entry; a page is inserted on first touch and removed
 *	by a scrub. Guarded by its own xa_lock: an entry is looked up and
 *	referenced under it, so a scrub cannot free a page in between.
 * @budgets: reserved ranges of FB pages to the host-memory budget each
 *	was promised (vram.c); the tree's own lock guards its shape, the
 *	budgets' counts are under vram.c's budget lock.
 * @size: FB size in bytes, a multiple of PAGE_SIZE; immutable.
 * @used: pages in @pages, for vram_used_kib; atomic, changed under the
 *	xa_lock with the entry it counts.
 * @dev: the simulated GPU's device, for log lines; immutable.
 */
struct nvkm_vgpu_sim_vram {
	struct xarray pages;
	struct maple_tree budgets;
	u64 size;
	atomic_long_t used;
	struct device *dev;
};

#endif /* __NVKM_VGPU_SIM_VRAM_TYPES_H__ */
