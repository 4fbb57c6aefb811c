/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CHANNEL_TYPES_H__
#define __NVKM_VGPU_CHANNEL_TYPES_H__

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct nvkm_vgpu;
struct nvkm_vgpu_sched_entity;

/**
 * struct nvkm_vgpu_chan - one channel of a vGPU
 * @vgpu: the vGPU; outlives the channel.
 * @id: the channel number the guest sees, 0 to the vGPU's channel count - 1;
 *	the physical CHID is the slice's first plus @id. Immutable.
 * @backend: the backend's handle from chan_create; immutable.
 * @sched: the vGPU's entity on the channel's runlist, which counts the
 *	channel from creation to destruction; immutable.
 *
 * Created and destroyed under the vGPU's &nvkm_vgpu_chans.lock; the
 * backend's callbacks get it as their host argument until chan_destroy
 * returns.
 */
struct nvkm_vgpu_chan {
	struct nvkm_vgpu *vgpu;
	u32 id;
	void *backend;
	struct nvkm_vgpu_sched_entity *sched;
};

/**
 * struct nvkm_vgpu_chans - the channels of one vGPU
 * @lock: guards @xa's entries and their life; taken before the vGPU's
 *	own lock, never inside it. Backend channel ops that may sleep are
 *	called under it, without the vGPU lock; the backend's callbacks
 *	take only the vGPU lock.
 * @xa: channel number to &struct nvkm_vgpu_chan (an allocating xarray:
 *	the lowest free number is handed out first).
 */
struct nvkm_vgpu_chans {
	struct mutex lock; /* guards @xa */
	struct xarray xa;
};

#endif /* __NVKM_VGPU_CHANNEL_TYPES_H__ */
