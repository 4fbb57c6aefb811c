// SPDX-License-Identifier: GPL-2.0
/*
 * A channel's GPU address space, as the uAPI defines it
 * (include/uapi/linux/nvkm_vgpu.h):
 *
 *   [0, fb_size)                 the vGPU's FB slice: FB bytes
 *                                [fb_base, fb_base + fb_size) of the GPU,
 *                                through nvkm_vgpu_sim_vram_page() and
 *                                kmap_local_page();
 *   [NVKM_VGPU_VA_SYSMEM, + NVKM_VGPU_VA_SYSMEM_SIZE)
 *                                the guest's memory, at IOVA (address -
 *                                NVKM_VGPU_VA_SYSMEM), through the
 *                                manager's sysmem_rw host op.
 *
 * An access is whole or it is an MMU fault (-EFAULT): one that starts
 * outside both windows, runs past the end of its window, reaches an IOVA
 * the guest has not mapped, or writes an FB page the host cannot back
 * (the simulated GPU's host-memory cap). A read of an FB page never
 * written reads zeros and allocates nothing. Guest-visible memory is
 * little endian: the 32- and 64-bit helpers convert.
 *
 * Callers run the channel (chan_types.h): its engine thread, a KUnit test,
 * or chan_reset. No lock is held here; sysmem_rw may sleep.
 */
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../vram.h"
#include "mem.h"

static int nvkm_vgpu_sim_mem_fb(struct nvkm_vgpu_sim_chan *chan, u64 offset,
				u8 *buf, size_t len, bool write)
{
	while (len) {
		size_t in_page = offset & ~PAGE_MASK;
		size_t n = min_t(size_t, len, PAGE_SIZE - in_page);
		struct page *page;
		u8 *va;

		page = nvkm_vgpu_sim_vram_page(chan->vram, offset - in_page,
					       write);
		if (IS_ERR(page))
			return -EFAULT;
		if (!page) {
			memset(buf, 0, n);
		} else {
			va = kmap_local_page(page);
			if (write)
				memcpy(va + in_page, buf, n);
			else
				memcpy(buf, va + in_page, n);
			kunmap_local(va);
			put_page(page);
		}
		buf += n;
		offset += n;
		len -= n;
	}
	return 0;
}

/**
 * nvkm_vgpu_sim_mem_rw() - read or write a channel's GPU addresses
 * @chan: the channel, whose FB slice and guest memory are reached
 * @addr: the first GPU address
 * @buf: @len bytes to write, or to read into
 * @len: bytes; 0 touches nothing
 * @write: write @buf, rather than read into it
 *
 * May sleep: the manager's sysmem_rw does.
 *
 * Return: 0, or -EFAULT for an MMU fault (nothing is read then, and a
 * write may have been done in part).
 */
int nvkm_vgpu_sim_mem_rw(struct nvkm_vgpu_sim_chan *chan, u64 addr, void *buf,
			 size_t len, bool write)
{
	const struct nvkm_vgpu_chan_desc *desc = &chan->desc;
	u64 iova;

	if (!len)
		return 0;
	if (addr < desc->fb_size) {
		if (len > desc->fb_size - addr)
			return -EFAULT;
		return nvkm_vgpu_sim_mem_fb(chan, desc->fb_base + addr, buf,
					    len, write);
	}
	if (addr < NVKM_VGPU_VA_SYSMEM ||
	    addr - NVKM_VGPU_VA_SYSMEM >= NVKM_VGPU_VA_SYSMEM_SIZE)
		return -EFAULT;
	iova = addr - NVKM_VGPU_VA_SYSMEM;
	if (len > NVKM_VGPU_VA_SYSMEM_SIZE - iova)
		return -EFAULT;
	if (desc->host_ops->sysmem_rw(desc->host, iova, buf, len, write))
		return -EFAULT;
	return 0;
}

/**
 * nvkm_vgpu_sim_mem_rd32() - read a little-endian 32-bit word
 * @chan: the channel
 * @addr: its GPU address
 * @val: where the word goes
 *
 * Return: 0 or -EFAULT, as nvkm_vgpu_sim_mem_rw().
 */
int nvkm_vgpu_sim_mem_rd32(struct nvkm_vgpu_sim_chan *chan, u64 addr,
			   u32 *val)
{
	__le32 le;
	int ret;

	ret = nvkm_vgpu_sim_mem_rw(chan, addr, &le, sizeof(le), false);
	if (!ret)
		*val = le32_to_cpu(le);
	return ret;
}

/**
 * nvkm_vgpu_sim_mem_wr32() - write a little-endian 32-bit word
 * @chan: the channel
 * @addr: its GPU address
 * @val: the word
 *
 * Return: 0 or -EFAULT, as nvkm_vgpu_sim_mem_rw().
 */
int nvkm_vgpu_sim_mem_wr32(struct nvkm_vgpu_sim_chan *chan, u64 addr, u32 val)
{
	__le32 le = cpu_to_le32(val);

	return nvkm_vgpu_sim_mem_rw(chan, addr, &le, sizeof(le), true);
}

/**
 * nvkm_vgpu_sim_mem_rd64() - read a little-endian 64-bit word
 * @chan: the channel
 * @addr: its GPU address
 * @val: where the word goes
 *
 * Return: 0 or -EFAULT, as nvkm_vgpu_sim_mem_rw().
 */
int nvkm_vgpu_sim_mem_rd64(struct nvkm_vgpu_sim_chan *chan, u64 addr,
			   u64 *val)
{
	__le64 le;
	int ret;

	ret = nvkm_vgpu_sim_mem_rw(chan, addr, &le, sizeof(le), false);
	if (!ret)
		*val = le64_to_cpu(le);
	return ret;
}

/**
 * nvkm_vgpu_sim_mem_wr64() - write a little-endian 64-bit word
 * @chan: the channel
 * @addr: its GPU address
 * @val: the word
 *
 * Return: 0 or -EFAULT, as nvkm_vgpu_sim_mem_rw().
 */
int nvkm_vgpu_sim_mem_wr64(struct nvkm_vgpu_sim_chan *chan, u64 addr, u64 val)
{
	__le64 le = cpu_to_le64(val);

	return nvkm_vgpu_sim_mem_rw(chan, addr, &le, sizeof(le), true);
}
