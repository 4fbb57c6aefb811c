/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SCHED_POLICY_H__
#define __NVKM_VGPU_SCHED_POLICY_H__

#include <linux/types.h>

#include "sched_types.h"

u32 nvkm_vgpu_sched_weight(const struct nvkm_vgpu_sched_vgpu *owner);
u64 nvkm_vgpu_sched_quantum_ns(const struct nvkm_vgpu_sched_gpu *sg,
			       const struct nvkm_vgpu_sched_vgpu *owner);
u64 nvkm_vgpu_sched_preempt_timeout_ns(const struct nvkm_vgpu_sched_vgpu *owner);
u32 nvkm_vgpu_sched_share_ppm(const struct nvkm_vgpu_sched *sched,
			      const struct nvkm_vgpu_sched_entity *entity,
			      int policy);
void nvkm_vgpu_sched_accrue(struct nvkm_vgpu_sched *sched, u64 now,
			    int policy);
struct nvkm_vgpu_sched_entity *
nvkm_vgpu_sched_policy_pick(struct nvkm_vgpu_sched *sched, u64 now,
			    int policy, u64 *idle_ns);
void nvkm_vgpu_sched_policy_reset(struct nvkm_vgpu_sched *sched);

#endif /* __NVKM_VGPU_SCHED_POLICY_H__ */
