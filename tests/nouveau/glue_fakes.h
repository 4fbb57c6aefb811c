/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_GLUE_FAKES_H__
#define __NVKM_VGPU_NOUVEAU_GLUE_FAKES_H__

#include <linux/sizes.h>
#include <linux/types.h>

#define GLUE_FAKE_BAR1_ADDR 0xe0000000ULL
#define GLUE_FAKE_BAR1_SIZE SZ_256M

/**
 * struct glue_fake - the fakes' state, reset by each case
 * @vram_addr: the carve-out's VRAM offset
 * @vram_size: its size; 0: no carve-out
 * @bar1_addr: BAR1's physical address; 0: %GLUE_FAKE_BAR1_ADDR, where
 *	nothing is (a test that touches BAR1 points it at memory it can
 *	ioremap())
 * @bar1_size: BAR1's bytes; 0: %GLUE_FAKE_BAR1_SIZE
 * @bar1_used: BAR1 bytes handed out
 * @maps: nvkm_vgpu_bar1_map() successes
 * @unmaps: nvkm_vgpu_bar1_unmap() calls with a mapping
 * @chid_nr: the fake allocator's IDs
 * @chid_free: how many the fake can reserve
 * @chid_asked: the last count asked for
 * @chid_reserved: IDs reserved now
 */
struct glue_fake {
	u64 vram_addr;
	u64 vram_size;
	u64 bar1_addr;
	u64 bar1_size;
	u64 bar1_used;
	int maps;
	int unmaps;
	int chid_nr;
	int chid_free;
	int chid_asked;
	int chid_reserved;
};

extern struct glue_fake glue_fake;

#endif
