// SPDX-License-Identifier: GPL-2.0
/*
 * NVKM_VGPU_CLASS_SIM_BUSY, the simulated GR engine's only class (not
 * NVIDIA's): work that keeps the engine busy for a given time, so
 * scheduling, shares and preemption are measurable.
 *
 *   BUSY_NS_LO/HI  how long, in ns (64 bits);
 *   LAUNCH         data 0: keep the engine busy for BUSY_NS, sleeping
 *                  (hrtimer, at most 1 ms at a time), not spinning; other
 *                  data is a method error.
 *
 * A launch cannot stop half way: between its sleeps it checks whether a
 * switch was asked for, and runs past the channel's preemption timeout
 * only as far as that check (engine.c), then stops the channel with
 * NVKM_VGPU_CHAN_ERR_TIMEOUT. Any other method is a method error.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/overflow.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "busy.h"
#include "engine.h"

/**
 * nvkm_vgpu_sim_busy_method() - run a method of the busy class
 * @chan: the running channel, a GR one
 * @mthd: the method, from 0x100
 * @data: its data
 *
 * May sleep.
 *
 * Return: 0; -EINVAL for an unknown method or LAUNCH data; -ETIMEDOUT or
 * -EINTR from nvkm_vgpu_sim_engine_wait_until().
 */
int nvkm_vgpu_sim_busy_method(struct nvkm_vgpu_sim_chan *chan, u32 mthd,
			      u32 data)
{
	struct nvkm_vgpu_sim_busy_state *busy = &chan->exec.busy;
	u64 deadline;
	int ret;

	switch (mthd) {
	case NVKM_VGPU_SIM_BUSY_NS_LO:
		busy->ns = (busy->ns & GENMASK_ULL(63, 32)) | data;
		return 0;
	case NVKM_VGPU_SIM_BUSY_NS_HI:
		busy->ns = (u64)data << 32 | lower_32_bits(busy->ns);
		return 0;
	case NVKM_VGPU_SIM_BUSY_LAUNCH:
		if (data)
			return -EINVAL;
		if (check_add_overflow(ktime_get_ns(), busy->ns, &deadline))
			deadline = U64_MAX;
		WRITE_ONCE(busy->deadline_ns, deadline);
		ret = nvkm_vgpu_sim_engine_wait_until(chan, deadline);
		WRITE_ONCE(busy->deadline_ns, 0);
		return ret;
	default:
		return -EINVAL;
	}
}
