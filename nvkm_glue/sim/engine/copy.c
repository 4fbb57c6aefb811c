// SPDX-License-Identifier: GPL-2.0
/*
 * VOLTA_DMA_COPY_A (clc3b5.h), the subset the uAPI lists: pitch layout,
 * virtual addresses, the simulated CE engine's class.
 *
 * State methods set the source and destination (OFFSET_IN/OUT, bits 48:0),
 * pitches, LINE_LENGTH_IN, LINE_COUNT, the semaphore (SET_SEMAPHORE_A/B,
 * PAYLOAD) and the remap (CONST_A, CONST_B, COMPONENTS); LAUNCH_DMA runs:
 *
 *  1. the transfer (DATA_TRANSFER_TYPE 1 or 2; 0 copies nothing): both
 *     layouts must be PITCH and both types VIRTUAL, else a method error.
 *     Without MULTI_LINE one line of LINE_LENGTH_IN bytes; with it
 *     LINE_COUNT lines, line i from OFFSET_IN + i * PITCH_IN to
 *     OFFSET_OUT + i * PITCH_OUT. With REMAP, LINE_LENGTH_IN counts
 *     elements: an input element is NUM_SRC_COMPONENTS components, an
 *     output one NUM_DST_COMPONENTS, each COMPONENT_SIZE bytes; each output
 *     component is an input component (SRC_X..W, which must exist), CONST_A
 *     or CONST_B (their low COMPONENT_SIZE bytes, little endian), or
 *     NO_WRITE (left as it was). Input is not read when no output
 *     component is SRC_*: that is a memset.
 *     Work per launch is bounded: a line or a total of either side longer
 *     than the vGPU's FB size is a method error. A copy really moves the
 *     bytes, in steps of 64 KiB along each line, and takes at least
 *     (bytes moved) / (the preset's copy bandwidth): when memcpy was
 *     faster the engine sleeps the rest. Between steps it checks for
 *     switches as a busy launch does (engine.c). Without REMAP a step is
 *     nvkm_vgpu_sim_mem_copy() (mem.c): FB page to FB page, or between an
 *     FB page and guest memory, with no copy in between; guest memory to
 *     guest memory, and FB ranges that overlap, go through the engine's
 *     bounce buffer, as REMAP always does. Each step reads all of its
 *     source before it writes, and steps go forward: overlapping source
 *     and destination behave as memmove() within a step, not across steps
 *     (a destination less than a line ahead of its source reads, from the
 *     second step on, bytes the copy already wrote).
 *  2. the semaphore: ONE_WORD writes PAYLOAD (4 bytes) at SET_SEMAPHORE_A/B,
 *     FOUR_WORD writes PAYLOAD, 0 (4 bytes), then ktime_get_ns() (8 bytes):
 *     the 0 and the timestamp first, then, after a write barrier, PAYLOAD,
 *     so whoever sees PAYLOAD also sees the timestamp written with it.
 *  3. the interrupt: BLOCKING or NON_BLOCKING calls the manager's nonstall
 *     host op, once the copy and the semaphore are done.
 *
 * A reserved value of TRANSFER, SEMAPHORE or INTERRUPT type, a semaphore
 * reduction, or an unknown method is a method error; an address outside
 * the channel's address space, an MMU fault.
 */
#include <linux/bits.h>
#include <linux/compiler_attributes.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "copy.h"
#include "engine.h"
#include "mem.h"

/* OFFSET_*_UPPER and SET_SEMAPHORE_A: address bits 48:32. */
#define NVKM_VGPU_SIM_COPY_UPPER_MASK GENMASK(16, 0)
/* LAUNCH_DMA_SEMAPHORE_REDUCTION_ENABLE (clc3b5.h): not simulated. */
#define NVKM_VGPU_SIM_COPY_LAUNCH_REDUCTION BIT(19)
#define NVKM_VGPU_SIM_COPY_RESERVED 3

/**
 * struct nvkm_vgpu_sim_copy_plan - one LAUNCH_DMA's transfer, checked
 * @lines: lines to copy
 * @length: LINE_LENGTH_IN: bytes, or elements with @remap
 * @in_elem: bytes of an input element (1 without @remap)
 * @out_elem: bytes of an output element (1 without @remap)
 * @comp: bytes of a component
 * @ndst: output components per element
 * @dst: what each output component is, NVKM_VGPU_REMAP_*
 * @remap: REMAP_ENABLE
 * @reads_src: some output component comes from the input
 * @keeps_dst: some output component is NO_WRITE
 * @start_ns: when the transfer started
 * @done: bytes moved so far, for the bandwidth
 */
struct nvkm_vgpu_sim_copy_plan {
	u32 lines;
	u32 length;
	u32 in_elem;
	u32 out_elem;
	u32 comp;
	u32 ndst;
	u8 dst[4];
	bool remap;
	bool reads_src;
	bool keeps_dst;
	u64 start_ns;
	u64 done;
};

static int nvkm_vgpu_sim_copy_plan(struct nvkm_vgpu_sim_chan *chan, u32 launch,
				   struct nvkm_vgpu_sim_copy_plan *plan)
{
	const struct nvkm_vgpu_sim_copy_state *copy = &chan->exec.copy;
	u64 in_total, out_total;
	u32 nsrc, j;

	plan->lines = launch & NVKM_VGPU_COPY_LAUNCH_MULTI_LINE ?
		      copy->line_count : 1;
	plan->length = copy->line_length;
	plan->remap = launch & NVKM_VGPU_COPY_LAUNCH_REMAP;
	plan->reads_src = !plan->remap;
	plan->in_elem = 1;
	plan->out_elem = 1;
	if (plan->remap) {
		plan->comp = ((copy->components >>
			       NVKM_VGPU_REMAP_COMPONENT_SIZE_SHIFT) & 3) + 1;
		nsrc = ((copy->components >> NVKM_VGPU_REMAP_NUM_SRC_SHIFT) & 3) + 1;
		plan->ndst = ((copy->components >> NVKM_VGPU_REMAP_NUM_DST_SHIFT) & 3) + 1;
		for (j = 0; j < plan->ndst; j++) {
			u8 sel = (copy->components >> (4 * j)) & 7;

			if (sel > NVKM_VGPU_REMAP_NO_WRITE)
				return -EINVAL;
			if (sel <= NVKM_VGPU_REMAP_SRC_W) {
				if (sel >= nsrc)
					return -EINVAL;
				plan->reads_src = true;
			}
			if (sel == NVKM_VGPU_REMAP_NO_WRITE)
				plan->keeps_dst = true;
			plan->dst[j] = sel;
		}
		plan->in_elem = nsrc * plan->comp;
		plan->out_elem = plan->ndst * plan->comp;
	}
	/* Below 2^36 each: a u32 count of elements of at most 16 bytes. */
	in_total = (u64)plan->length * plan->in_elem;
	out_total = (u64)plan->length * plan->out_elem;
	if (check_mul_overflow(in_total, (u64)plan->lines, &in_total) ||
	    check_mul_overflow(out_total, (u64)plan->lines, &out_total))
		return -EINVAL;
	if ((plan->reads_src && in_total > chan->desc.fb_size) ||
	    out_total > chan->desc.fb_size)
		return -EINVAL;
	return 0;
}

/* Bytes moved so far were due no earlier than now: sleep the difference. */
static int nvkm_vgpu_sim_copy_pace(struct nvkm_vgpu_sim_chan *chan,
				   struct nvkm_vgpu_sim_copy_plan *plan,
				   u64 bytes)
{
	u64 bw = chan->engine->copy_bytes_per_s;

	plan->done += bytes;
	if (!bw)
		return nvkm_vgpu_sim_engine_check(chan);
	return nvkm_vgpu_sim_engine_wait_until(chan, plan->start_ns +
					       mul_u64_u64_div_u64(plan->done,
								   NSEC_PER_SEC,
								   bw));
}

static int nvkm_vgpu_sim_copy_line(struct nvkm_vgpu_sim_chan *chan,
				   struct nvkm_vgpu_sim_copy_plan *plan,
				   u64 src, u64 dst)
{
	u32 left = plan->length;
	int ret;

	while (left) {
		u32 n = min_t(u32, left, NVKM_VGPU_SIM_ENGINE_BOUNCE);

		ret = nvkm_vgpu_sim_mem_copy(chan, dst, src, n,
					     chan->engine->bounce);
		if (ret)
			return ret;
		ret = nvkm_vgpu_sim_copy_pace(chan, plan, n);
		if (ret)
			return ret;
		src += n;
		dst += n;
		left -= n;
	}
	return 0;
}

/* Builds @n output elements in @out from the input elements in @in. */
static void nvkm_vgpu_sim_copy_remap_elems(const struct nvkm_vgpu_sim_chan *chan,
					   const struct nvkm_vgpu_sim_copy_plan *plan,
					   const u8 *in, u8 *out, u32 n)
{
	__le32 const_a = cpu_to_le32(chan->exec.copy.const_a);
	__le32 const_b = cpu_to_le32(chan->exec.copy.const_b);
	u32 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < plan->ndst; j++) {
			u8 *to = out + i * plan->out_elem + j * plan->comp;
			u8 sel = plan->dst[j];

			if (sel <= NVKM_VGPU_REMAP_SRC_W)
				memcpy(to, in + i * plan->in_elem + sel * plan->comp,
				       plan->comp);
			else if (sel == NVKM_VGPU_REMAP_CONST_A)
				memcpy(to, &const_a, plan->comp);
			else if (sel == NVKM_VGPU_REMAP_CONST_B)
				memcpy(to, &const_b, plan->comp);
		}
	}
}

static int nvkm_vgpu_sim_copy_remap_line(struct nvkm_vgpu_sim_chan *chan,
					 struct nvkm_vgpu_sim_copy_plan *plan,
					 u64 src, u64 dst)
{
	u8 *in = chan->engine->bounce;
	u8 *out = in + NVKM_VGPU_SIM_ENGINE_BOUNCE / 2;
	u32 per = NVKM_VGPU_SIM_ENGINE_BOUNCE / 2 /
		  max(plan->in_elem, plan->out_elem);
	u32 left = plan->length;
	int ret;

	while (left) {
		u32 n = min(left, per);
		u32 in_bytes = n * plan->in_elem;
		u32 out_bytes = n * plan->out_elem;

		if (plan->reads_src) {
			ret = nvkm_vgpu_sim_mem_rw(chan, src, in, in_bytes, false);
			if (ret)
				return ret;
		}
		if (plan->keeps_dst) {
			ret = nvkm_vgpu_sim_mem_rw(chan, dst, out, out_bytes,
						   false);
			if (ret)
				return ret;
		}
		nvkm_vgpu_sim_copy_remap_elems(chan, plan, in, out, n);
		ret = nvkm_vgpu_sim_mem_rw(chan, dst, out, out_bytes, true);
		if (ret)
			return ret;
		ret = nvkm_vgpu_sim_copy_pace(chan, plan,
					      max(plan->reads_src ? in_bytes : 0,
						  out_bytes));
		if (ret)
			return ret;
		src += in_bytes;
		dst += out_bytes;
		left -= n;
	}
	return 0;
}

static int nvkm_vgpu_sim_copy_transfer(struct nvkm_vgpu_sim_chan *chan,
				       u32 launch)
{
	const struct nvkm_vgpu_sim_copy_state *copy = &chan->exec.copy;
	struct nvkm_vgpu_sim_copy_plan plan = {};
	u32 line;
	int ret;

	if (!(launch & NVKM_VGPU_COPY_LAUNCH_SRC_PITCH) ||
	    !(launch & NVKM_VGPU_COPY_LAUNCH_DST_PITCH) ||
	    (launch & (NVKM_VGPU_COPY_LAUNCH_SRC_PHYSICAL |
		       NVKM_VGPU_COPY_LAUNCH_DST_PHYSICAL)))
		return -EINVAL;
	ret = nvkm_vgpu_sim_copy_plan(chan, launch, &plan);
	if (ret)
		return ret;

	plan.start_ns = ktime_get_ns();
	for (line = 0; line < plan.lines; line++) {
		u64 src, dst;

		/* An address that wraps is outside every window. */
		if (check_add_overflow(copy->offset_in,
				       (u64)line * copy->pitch_in, &src) ||
		    check_add_overflow(copy->offset_out,
				       (u64)line * copy->pitch_out, &dst))
			return -EFAULT;
		if (plan.remap)
			ret = nvkm_vgpu_sim_copy_remap_line(chan, &plan, src,
							    dst);
		else
			ret = nvkm_vgpu_sim_copy_line(chan, &plan, src, dst);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

static int nvkm_vgpu_sim_copy_semaphore(struct nvkm_vgpu_sim_chan *chan,
					u32 type)
{
	const struct nvkm_vgpu_sim_copy_state *copy = &chan->exec.copy;
	u64 addr = (u64)copy->sem_upper << 32 | copy->sem_lower;
	struct {
		__le32 zero;
		__le64 timestamp;
	} __packed tail;
	int ret;

	switch (type) {
	case NVKM_VGPU_COPY_LAUNCH_SEM_ONE_WORD:
		return nvkm_vgpu_sim_mem_wr32(chan, addr, copy->sem_payload);
	case NVKM_VGPU_COPY_LAUNCH_SEM_FOUR_WORD:
		tail.zero = cpu_to_le32(0);
		tail.timestamp = cpu_to_le64(ktime_get_ns());
		ret = nvkm_vgpu_sim_mem_rw(chan, addr + sizeof(__le32), &tail,
					   sizeof(tail), true);
		if (ret)
			return ret;
		/* The payload last: who sees it sees the timestamp. */
		wmb();
		return nvkm_vgpu_sim_mem_wr32(chan, addr, copy->sem_payload);
	default:
		return 0;
	}
}

static int nvkm_vgpu_sim_copy_launch(struct nvkm_vgpu_sim_chan *chan,
				     u32 launch)
{
	u32 transfer = launch & NVKM_VGPU_COPY_LAUNCH_TRANSFER_MASK;
	u32 sem = (launch >> NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT) & 3;
	u32 intr = (launch >> NVKM_VGPU_COPY_LAUNCH_INTR_SHIFT) & 3;
	int ret;

	if (transfer == NVKM_VGPU_SIM_COPY_RESERVED ||
	    sem == NVKM_VGPU_SIM_COPY_RESERVED ||
	    intr == NVKM_VGPU_SIM_COPY_RESERVED ||
	    (launch & NVKM_VGPU_SIM_COPY_LAUNCH_REDUCTION))
		return -EINVAL;
	if (transfer) {
		ret = nvkm_vgpu_sim_copy_transfer(chan, launch);
		if (ret)
			return ret;
	}
	ret = nvkm_vgpu_sim_copy_semaphore(chan, sem);
	if (ret)
		return ret;
	if (intr)
		chan->desc.host_ops->nonstall(chan->desc.host);
	return 0;
}

/**
 * nvkm_vgpu_sim_copy_method() - run a method of the copy class
 * @chan: the running channel, a CE one
 * @mthd: the method, from 0x100
 * @data: its data
 *
 * May sleep.
 *
 * Return: 0; -EINVAL for an unknown method or bad LAUNCH_DMA data;
 * -EFAULT for an MMU fault; -ETIMEDOUT or -EINTR from the engine's checks.
 */
int nvkm_vgpu_sim_copy_method(struct nvkm_vgpu_sim_chan *chan, u32 mthd,
			      u32 data)
{
	struct nvkm_vgpu_sim_copy_state *copy = &chan->exec.copy;

	switch (mthd) {
	case NVKM_VGPU_COPY_SET_SEMAPHORE_A:
		copy->sem_upper = data & NVKM_VGPU_SIM_COPY_UPPER_MASK;
		break;
	case NVKM_VGPU_COPY_SET_SEMAPHORE_B:
		copy->sem_lower = data;
		break;
	case NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD:
		copy->sem_payload = data;
		break;
	case NVKM_VGPU_COPY_LAUNCH_DMA:
		return nvkm_vgpu_sim_copy_launch(chan, data);
	case NVKM_VGPU_COPY_OFFSET_IN_UPPER:
		copy->offset_in = (u64)(data & NVKM_VGPU_SIM_COPY_UPPER_MASK) << 32 |
				  lower_32_bits(copy->offset_in);
		break;
	case NVKM_VGPU_COPY_OFFSET_IN_LOWER:
		copy->offset_in = (copy->offset_in & GENMASK_ULL(63, 32)) | data;
		break;
	case NVKM_VGPU_COPY_OFFSET_OUT_UPPER:
		copy->offset_out = (u64)(data & NVKM_VGPU_SIM_COPY_UPPER_MASK) << 32 |
				   lower_32_bits(copy->offset_out);
		break;
	case NVKM_VGPU_COPY_OFFSET_OUT_LOWER:
		copy->offset_out = (copy->offset_out & GENMASK_ULL(63, 32)) | data;
		break;
	case NVKM_VGPU_COPY_PITCH_IN:
		copy->pitch_in = data;
		break;
	case NVKM_VGPU_COPY_PITCH_OUT:
		copy->pitch_out = data;
		break;
	case NVKM_VGPU_COPY_LINE_LENGTH_IN:
		copy->line_length = data;
		break;
	case NVKM_VGPU_COPY_LINE_COUNT:
		copy->line_count = data;
		break;
	case NVKM_VGPU_COPY_SET_REMAP_CONST_A:
		copy->const_a = data;
		break;
	case NVKM_VGPU_COPY_SET_REMAP_CONST_B:
		copy->const_b = data;
		break;
	case NVKM_VGPU_COPY_SET_REMAP_COMPONENTS:
		copy->components = data;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}
