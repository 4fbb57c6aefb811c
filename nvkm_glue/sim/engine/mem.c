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
 * nvkm_vgpu_sim_mem_copy() moves bytes from GPU address to GPU address
 * without a copy in between where it can: FB to FB page to page, FB to
 * and from guest memory straight between the FB page and sysmem_rw (one
 * call per FB page). It goes through the caller's bounce buffer only for
 * guest memory to guest memory and for FB ranges that overlap; so an
 * overlapping copy reads all of its source before it writes (memmove-like,
 * within one call).
 *
 * Callers run the channel (chan_types.h): its engine thread, a KUnit test,
 * or chan_reset. No lock is held here; sysmem_rw may sleep.
 */
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../vram.h"
#include "mem.h"

/*
 * Where @len bytes from @addr are: 1 for FB, *@where the GPU's FB offset;
 * 0 for guest memory, *@where the IOVA; -EFAULT for neither, whole.
 */
static int nvkm_vgpu_sim_mem_window(const struct nvkm_vgpu_sim_chan *chan,
				    u64 addr, size_t len, u64 *where)
{
	const struct nvkm_vgpu_chan_desc *desc = &chan->desc;
	u64 iova;

	if (addr < desc->fb_size) {
		if (len > desc->fb_size - addr)
			return -EFAULT;
		*where = desc->fb_base + addr;
		return 1;
	}
	if (addr < NVKM_VGPU_VA_SYSMEM ||
	    addr - NVKM_VGPU_VA_SYSMEM >= NVKM_VGPU_VA_SYSMEM_SIZE)
		return -EFAULT;
	iova = addr - NVKM_VGPU_VA_SYSMEM;
	if (len > NVKM_VGPU_VA_SYSMEM_SIZE - iova)
		return -EFAULT;
	*where = iova;
	return 0;
}

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
	u64 where;
	int fb;

	if (!len)
		return 0;
	fb = nvkm_vgpu_sim_mem_window(chan, addr, len, &where);
	if (fb < 0)
		return fb;
	if (fb)
		return nvkm_vgpu_sim_mem_fb(chan, where, buf, len, write);
	if (desc->host_ops->sysmem_rw(desc->host, where, buf, len, write))
		return -EFAULT;
	return 0;
}

/*
 * One FB page of a copy: the page at @offset (page aligned), looked up
 * again only when @offset is not the one @cur holds. @page is NULL for a
 * source page never written (it reads as zeros).
 */
struct nvkm_vgpu_sim_mem_cur {
	struct page *page;
	u64 offset;
	bool valid;
};

static int nvkm_vgpu_sim_mem_cur_get(struct nvkm_vgpu_sim_chan *chan,
				     struct nvkm_vgpu_sim_mem_cur *cur,
				     u64 offset, bool alloc)
{
	struct page *page;

	if (cur->valid && cur->offset == offset)
		return 0;
	page = nvkm_vgpu_sim_vram_page(chan->vram, offset, alloc);
	if (IS_ERR(page))
		return -EFAULT;
	if (cur->page)
		put_page(cur->page);
	cur->page = page;
	cur->offset = offset;
	cur->valid = true;
	return 0;
}

static void nvkm_vgpu_sim_mem_cur_put(struct nvkm_vgpu_sim_mem_cur *cur)
{
	if (cur->page)
		put_page(cur->page);
	cur->page = NULL;
	cur->valid = false;
}

/* FB to FB, @src and @dst GPU FB offsets of ranges that do not overlap. */
static int nvkm_vgpu_sim_mem_copy_fb(struct nvkm_vgpu_sim_chan *chan,
				     u64 dst, u64 src, size_t len)
{
	struct nvkm_vgpu_sim_mem_cur in = {}, out = {};
	int ret = 0;

	while (len) {
		size_t s_off = src & ~PAGE_MASK;
		size_t d_off = dst & ~PAGE_MASK;
		size_t n = min3(len, PAGE_SIZE - s_off, PAGE_SIZE - d_off);
		u8 *s, *d;

		ret = nvkm_vgpu_sim_mem_cur_get(chan, &in, src - s_off, false);
		if (ret)
			break;
		ret = nvkm_vgpu_sim_mem_cur_get(chan, &out, dst - d_off, true);
		if (ret)
			break;
		d = kmap_local_page(out.page);
		if (in.page) {
			s = kmap_local_page(in.page);
			memcpy(d + d_off, s + s_off, n);
			kunmap_local(s);
		} else {
			memset(d + d_off, 0, n);
		}
		kunmap_local(d);
		src += n;
		dst += n;
		len -= n;
	}
	nvkm_vgpu_sim_mem_cur_put(&out);
	nvkm_vgpu_sim_mem_cur_put(&in);
	return ret;
}

/* FB offset @fb to and from IOVA @iova: one sysmem_rw per FB page. */
static int nvkm_vgpu_sim_mem_copy_sysmem(struct nvkm_vgpu_sim_chan *chan,
					 u64 fb, u64 iova, size_t len,
					 bool to_fb)
{
	const struct nvkm_vgpu_chan_desc *desc = &chan->desc;

	while (len) {
		size_t in_page = fb & ~PAGE_MASK;
		size_t n = min_t(size_t, len, PAGE_SIZE - in_page);
		struct page *page;
		u8 *va;
		int ret;

		page = nvkm_vgpu_sim_vram_page(chan->vram, fb - in_page, to_fb);
		if (IS_ERR(page))
			return -EFAULT;
		va = kmap_local_page(page ?: ZERO_PAGE(0));
		ret = desc->host_ops->sysmem_rw(desc->host, iova, va + in_page,
						n, !to_fb);
		kunmap_local(va);
		if (page)
			put_page(page);
		if (ret)
			return -EFAULT;
		fb += n;
		iova += n;
		len -= n;
	}
	return 0;
}

/**
 * nvkm_vgpu_sim_mem_copy() - copy between two ranges of GPU addresses
 * @chan: the channel, whose FB slice and guest memory are reached
 * @dst: the first GPU address written
 * @src: the first GPU address read
 * @len: bytes; 0 touches nothing
 * @bounce: at least @len bytes the copy may go through
 *
 * As nvkm_vgpu_sim_mem_rw() of @src into @bounce and then of @bounce to
 * @dst: source FB pages never written read as zeros and allocate nothing,
 * a destination FB page is allocated when first written, and the ranges
 * may overlap (all of @src is read before @dst is written). Only guest
 * memory to guest memory, and FB ranges that overlap, go through @bounce;
 * the rest is copied straight, FB page to FB page or between an FB page
 * and sysmem_rw.
 *
 * May sleep: the manager's sysmem_rw does.
 *
 * Return: 0, or -EFAULT for an MMU fault: either range outside its
 * window (nothing is touched then), an IOVA the guest has not mapped or
 * an FB page the host cannot back (@dst may have been written in part).
 */
int nvkm_vgpu_sim_mem_copy(struct nvkm_vgpu_sim_chan *chan, u64 dst, u64 src,
			   size_t len, void *bounce)
{
	u64 to, from;
	int dst_fb, src_fb, ret;

	if (!len)
		return 0;
	src_fb = nvkm_vgpu_sim_mem_window(chan, src, len, &from);
	if (src_fb < 0)
		return src_fb;
	dst_fb = nvkm_vgpu_sim_mem_window(chan, dst, len, &to);
	if (dst_fb < 0)
		return dst_fb;

	if (src_fb && dst_fb && (to >= from + len || from >= to + len))
		return nvkm_vgpu_sim_mem_copy_fb(chan, to, from, len);
	if (src_fb && !dst_fb)
		return nvkm_vgpu_sim_mem_copy_sysmem(chan, from, to, len,
						     false);
	if (!src_fb && dst_fb)
		return nvkm_vgpu_sim_mem_copy_sysmem(chan, to, from, len,
						     true);
	ret = nvkm_vgpu_sim_mem_rw(chan, src, bounce, len, false);
	if (ret)
		return ret;
	return nvkm_vgpu_sim_mem_rw(chan, dst, bounce, len, true);
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
