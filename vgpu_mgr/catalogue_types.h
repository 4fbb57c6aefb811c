/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CATALOGUE_TYPES_H__
#define __NVKM_VGPU_CATALOGUE_TYPES_H__

#include <linux/sizes.h>
#include <linux/types.h>

/** define NVKM_VGPU_TYPE_NAME_MAX - size of a type's name and label buffers */
#define NVKM_VGPU_TYPE_NAME_MAX 32
/** define NVKM_VGPU_TYPE_DESC_MAX - size of a type's description buffer */
#define NVKM_VGPU_TYPE_DESC_MAX 160
/** define NVKM_VGPU_FB_ALIGN - alignment of every slice's FB offset and size */
#define NVKM_VGPU_FB_ALIGN SZ_2M

/**
 * enum nvkm_vgpu_series - vGPU type series, as an administrator knows them
 * @NVKM_VGPU_SERIES_C: compute
 * @NVKM_VGPU_SERIES_Q: workstation, with display
 * @NVKM_VGPU_SERIES_B: desktop, with display, small framebuffers only
 * @NVKM_VGPU_SERIES_A: virtual applications, with display
 * @NVKM_VGPU_SERIES_NR: number of series
 */
enum nvkm_vgpu_series {
	NVKM_VGPU_SERIES_C,
	NVKM_VGPU_SERIES_Q,
	NVKM_VGPU_SERIES_B,
	NVKM_VGPU_SERIES_A,
	NVKM_VGPU_SERIES_NR,
};

/**
 * struct nvkm_vgpu_type - one vGPU type a GPU offers
 * @index: position in the catalogue.
 * @name: sysfs name, e.g. "h100-10c" (the mdev core names the type
 *	directory after the parent's driver: "nouveau-h100-10c").
 * @label: name shown to people, e.g. "H100-10C".
 * @description: one human line: FB, channels, instances, engines.
 * @series: the type's series.
 * @fb_gib: nominal framebuffer size in GiB, the number in the name.
 * @fb_size: bytes of framebuffer each instance really gets: @fb_gib units
 *	of 1/G of the usable FB (G the board's nominal GiB), each unit aligned
 *	down to %NVKM_VGPU_FB_ALIGN.
 * @max_instances: instances that fit on an empty GPU.
 * @chids: channel IDs per instance: prev_pow2(total CHIDs / @max_instances),
 *	at most NVKM_VGPU_DOORBELL_MAX (a vGPU's doorbells).
 * @engines: bitmap of &enum nvkm_vgpu_engine classes an instance sees.
 * @weight: scheduling weight under the fixed-share policy (@fb_gib).
 * @share_permille: engine time an instance is guaranteed, in 1/1000.
 * @timeslice_us: default time slice: 2 ms when @max_instances <= 8, else 1 ms.
 *
 * A type never changes after its catalogue is built, so it needs no lock.
 */
struct nvkm_vgpu_type {
	u32 index;
	char name[NVKM_VGPU_TYPE_NAME_MAX];
	char label[NVKM_VGPU_TYPE_NAME_MAX];
	char description[NVKM_VGPU_TYPE_DESC_MAX];
	enum nvkm_vgpu_series series;
	u32 fb_gib;
	u64 fb_size;
	u32 max_instances;
	u32 chids;
	unsigned long engines;
	u32 weight;
	u32 share_permille;
	u32 timeslice_us;
};

/**
 * struct nvkm_vgpu_catalogue - every type a GPU offers, built from its geometry
 * @count: number of entries in @types.
 * @types: the types, by series (C, Q, B, A) then by growing FB size.
 *
 * Immutable once built: readers need no lock.
 */
struct nvkm_vgpu_catalogue {
	u32 count;
	struct nvkm_vgpu_type types[] __counted_by(count);
};

#endif /* __NVKM_VGPU_CATALOGUE_TYPES_H__ */
