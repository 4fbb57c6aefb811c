/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SCHED_H__
#define __NVKM_VGPU_SCHED_H__

#include <linux/types.h>

#include "sched_types.h"

struct device;
struct nvkm_vgpu_geometry;

struct nvkm_vgpu_sched_gpu *nvkm_vgpu_sched_gpu_new(const struct nvkm_vgpu_geometry *geo);
void nvkm_vgpu_sched_gpu_del(struct nvkm_vgpu_sched_gpu *sg);
void nvkm_vgpu_sched_gpu_set_policy(struct nvkm_vgpu_sched_gpu *sg, int policy);
int nvkm_vgpu_sched_gpu_policy(const struct nvkm_vgpu_sched_gpu *sg);
u32 nvkm_vgpu_sched_gpu_timeslice_us(const struct nvkm_vgpu_sched_gpu *sg);
void nvkm_vgpu_sched_gpu_set_timeslice(struct nvkm_vgpu_sched_gpu *sg, u32 us);
struct nvkm_vgpu_sched *nvkm_vgpu_sched_find(struct nvkm_vgpu_sched_gpu *sg,
					     enum nvkm_vgpu_engine type,
					     u32 index);

struct nvkm_vgpu_sched_vgpu *nvkm_vgpu_sched_vgpu_new(struct nvkm_vgpu_sched_gpu *sg,
						      const char *name,
						      u32 type_weight,
						      u32 type_timeslice_us);
void nvkm_vgpu_sched_vgpu_del(struct nvkm_vgpu_sched_vgpu *owner);
struct nvkm_vgpu_sched_entity *
nvkm_vgpu_sched_vgpu_entity(struct nvkm_vgpu_sched_vgpu *owner,
			    enum nvkm_vgpu_engine type, u32 index);
void nvkm_vgpu_sched_attach(struct nvkm_vgpu_sched_entity *entity);
void nvkm_vgpu_sched_detach(struct nvkm_vgpu_sched_entity *entity);
void nvkm_vgpu_sched_count_reset(struct nvkm_vgpu_sched_entity *entity);
void nvkm_vgpu_sched_count_timeout(struct nvkm_vgpu_sched_entity *entity);
void nvkm_vgpu_sched_read(struct nvkm_vgpu_sched_entity *entity,
			  struct nvkm_vgpu_sched_stats *stats, u32 *share_ppm);
u32 nvkm_vgpu_sched_hist_percentile_us(const struct nvkm_vgpu_sched_stats *stats,
				       u32 pct);

void nvkm_vgpu_sched_debugfs_init(struct nvkm_vgpu_sched_gpu *sg,
				  const char *name);
void nvkm_vgpu_sched_debugfs_fini(struct nvkm_vgpu_sched_gpu *sg);
void nvkm_vgpu_sched_debugfs_root_init(void);
void nvkm_vgpu_sched_debugfs_root_fini(void);

#endif /* __NVKM_VGPU_SCHED_H__ */
