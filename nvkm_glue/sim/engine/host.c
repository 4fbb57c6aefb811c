// SPDX-License-Identifier: GPL-2.0
/*
 * Host class methods (VOLTA_CHANNEL_GPFIFO_A, clc36f.h), the methods below
 * 0x100 on every subchannel of a channel:
 *
 *   SET_OBJECT           binds the class in bits 15:0 to the subchannel:
 *                        NVKM_VGPU_CLASS_HOST or the class the channel's
 *                        engine runs (COPY on CE, SIM_BUSY on GR); any other
 *                        class is a method error.
 *   NON_STALL_INTERRUPT  the manager's nonstall host op.
 *   SET_REFERENCE        the data is stored at USERD + 0x48.
 *   SEM_ADDR_LO/HI       the semaphore's GPU address: LO bits 31:2, HI
 *                        bits 7:0 as address bits 39:32.
 *   SEM_PAYLOAD_LO/HI    its payload.
 *   SEM_EXECUTE          bits 2:0 the operation, bit 24 a 64-bit payload,
 *                        bit 25 a release with a timestamp:
 *                        RELEASE writes the payload, 4 bytes (8 if 64-bit);
 *                        with RELEASE_TIMESTAMP 8 bytes of payload (the
 *                        high half 0 unless 64-bit), then ktime_get_ns() at
 *                        +8, 16 bytes in all. The timestamp (and the
 *                        high half 0) goes first, then, after a write
 *                        barrier, the payload: whoever sees the payload
 *                        sees its timestamp. ACQUIRE waits until the word
 *                        (4 or 8 bytes) equals the payload, ACQ_STRICT_GEQ
 *                        until it is at least the payload, unsigned.
 *                        Another operation is a method error.
 *   WFI                  nothing to wait for: an engine runs one method
 *                        at a time.
 *
 * Any other host method is a method error. An acquire that is not
 * satisfied returns -EAGAIN: the channel is parked with the method still
 * to run (pushbuf.c, engine.c). Memory goes through mem.c: a fault there
 * is -EFAULT.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <asm/barrier.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "host.h"
#include "mem.h"

static int nvkm_vgpu_sim_host_set_object(struct nvkm_vgpu_sim_chan *chan,
					 u32 subch, u32 data)
{
	u32 class = data & 0xffff;

	if (class != NVKM_VGPU_CLASS_HOST && class != chan->class)
		return -EINVAL;
	chan->exec.subch_class[subch] = class;
	return 0;
}

static int nvkm_vgpu_sim_host_release(struct nvkm_vgpu_sim_chan *chan,
				      u32 exec, u64 addr, u64 payload)
{
	bool wide = exec & NVKM_VGPU_SEM_PAYLOAD_64BIT;
	int ret;

	if (exec & NVKM_VGPU_SEM_RELEASE_TIMESTAMP) {
		ret = nvkm_vgpu_sim_mem_wr64(chan, addr + 8, ktime_get_ns());
		if (!ret && !wide)
			ret = nvkm_vgpu_sim_mem_wr32(chan, addr + 4, 0);
		if (ret)
			return ret;
		/* The payload last: who sees it sees its timestamp. */
		wmb();
	}
	if (wide)
		return nvkm_vgpu_sim_mem_wr64(chan, addr, payload);
	return nvkm_vgpu_sim_mem_wr32(chan, addr, lower_32_bits(payload));
}

static int nvkm_vgpu_sim_host_acquire(struct nvkm_vgpu_sim_chan *chan,
				      u32 exec, u64 addr, u64 payload)
{
	bool geq = (exec & NVKM_VGPU_SEM_OP_MASK) ==
		   NVKM_VGPU_SEM_OP_ACQ_STRICT_GEQ;
	u32 val32;
	u64 val;
	int ret;

	if (exec & NVKM_VGPU_SEM_PAYLOAD_64BIT) {
		ret = nvkm_vgpu_sim_mem_rd64(chan, addr, &val);
	} else {
		ret = nvkm_vgpu_sim_mem_rd32(chan, addr, &val32);
		val = val32;
		payload = lower_32_bits(payload);
	}
	if (ret)
		return ret;
	if (geq ? val >= payload : val == payload)
		return 0;
	return -EAGAIN;
}

static int nvkm_vgpu_sim_host_sem_execute(struct nvkm_vgpu_sim_chan *chan,
					  u32 data)
{
	const struct nvkm_vgpu_sim_host_state *host = &chan->exec.host;

	switch (data & NVKM_VGPU_SEM_OP_MASK) {
	case NVKM_VGPU_SEM_OP_RELEASE:
		return nvkm_vgpu_sim_host_release(chan, data, host->sem_addr,
						  host->sem_payload);
	case NVKM_VGPU_SEM_OP_ACQUIRE:
	case NVKM_VGPU_SEM_OP_ACQ_STRICT_GEQ:
		return nvkm_vgpu_sim_host_acquire(chan, data, host->sem_addr,
						  host->sem_payload);
	default:
		return -EINVAL;
	}
}

/**
 * nvkm_vgpu_sim_host_method() - run a host method
 * @chan: the running channel
 * @subch: the header's subchannel
 * @mthd: the method, below 0x100
 * @data: its data
 *
 * May sleep (host ops, memory).
 *
 * Return: 0; -EAGAIN for a semaphore acquire not satisfied yet; -EINVAL
 * for an unknown method, a class SET_OBJECT may not bind or an unknown
 * semaphore operation; -EFAULT for an MMU fault.
 */
int nvkm_vgpu_sim_host_method(struct nvkm_vgpu_sim_chan *chan, u32 subch,
			      u32 mthd, u32 data)
{
	struct nvkm_vgpu_sim_host_state *host = &chan->exec.host;

	switch (mthd) {
	case NVKM_VGPU_HOST_SET_OBJECT:
		return nvkm_vgpu_sim_host_set_object(chan, subch, data);
	case NVKM_VGPU_HOST_NON_STALL_INTERRUPT:
		chan->desc.host_ops->nonstall(chan->desc.host);
		return 0;
	case NVKM_VGPU_HOST_SET_REFERENCE:
		return nvkm_vgpu_sim_mem_wr32(chan, chan->desc.userd +
					      NVKM_VGPU_USERD_REFERENCE, data);
	case NVKM_VGPU_HOST_SEM_ADDR_LO:
		host->sem_addr = (host->sem_addr & GENMASK_ULL(39, 32)) |
				 (data & GENMASK(31, 2));
		return 0;
	case NVKM_VGPU_HOST_SEM_ADDR_HI:
		host->sem_addr = (u64)(data & 0xff) << 32 |
				 lower_32_bits(host->sem_addr);
		return 0;
	case NVKM_VGPU_HOST_SEM_PAYLOAD_LO:
		host->sem_payload = (host->sem_payload & GENMASK_ULL(63, 32)) |
				    data;
		return 0;
	case NVKM_VGPU_HOST_SEM_PAYLOAD_HI:
		host->sem_payload = (u64)data << 32 |
				    lower_32_bits(host->sem_payload);
		return 0;
	case NVKM_VGPU_HOST_SEM_EXECUTE:
		return nvkm_vgpu_sim_host_sem_execute(chan, data);
	case NVKM_VGPU_HOST_WFI:
		return 0;
	default:
		return -EINVAL;
	}
}
