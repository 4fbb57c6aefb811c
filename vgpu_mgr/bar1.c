// SPDX-License-Identifier: GPL-2.0
/*
 * BAR1 of a vGPU: its slice of the framebuffer.
 *
 * The BAR is the slice's FB size rounded up to a power of two. Bytes of the
 * slice go straight to the backend's FB. An mmap maps its page frames as
 * real BAR memory is mapped (VM_IO | VM_PFNMAP, write-combining), page by
 * page as they are first touched (the sparse simulated FB allocates a page
 * only then), with no trap afterwards. Being PFN mappings, they hold no
 * page reference and get_user_pages() refuses them, so nothing pins a
 * vGPU's FB past its life.
 *
 * pread/pwrite copy through whichever of the backend's two FB accessors it
 * has (contract version 6: exactly one). FB in memory with struct page
 * (the simulated GPU's) is copied through its pages (fb_page), so a page
 * never touched reads as zero and stays unallocated; FB without struct
 * page (VRAM behind a real GPU's BAR1) is copied through a bounce buffer
 * of at most NVKM_VGPU_BAR1_BOUNCE bytes, which the backend fills or
 * drains (fb_rw). Either way no lock is held across a user copy (the
 * copy may fault on the user's own BAR1 mapping, whose fault handler
 * takes the vGPU lock), a read or write that fails part way returns the
 * bytes done before the failure, and one that fails at once returns
 * -EFAULT or the backend's errno.
 *
 * Every mapping of a vGPU is zapped when the BAR stops decoding: reset,
 * memory decoding off, D3hot, GPU removal. A touch then faults again, and
 * gets SIGBUS until decoding is back, as with vfio-pci. Bytes past the
 * slice inside the BAR read as zero and ignore writes; a mapping of them
 * gets SIGBUS, as does a touch the backend cannot back.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <kunit/visibility.h>
#include <nvkm_vgpu/compat.h>

#include "alloc_types.h"
#include "config.h"
#include "gpu_types.h"
#include "vgpu.h"

/* Largest fb_rw of one pass: a user copy between each. */
#define NVKM_VGPU_BAR1_BOUNCE SZ_64K

/* Past the slice, inside the BAR: reads are zeros, writes are dropped. */
static ssize_t nvkm_vgpu_bar1_rw_past(char __user *buf, size_t len,
				      bool write)
{
	unsigned long left;

	if (write)
		return len;
	left = clear_user(buf, len);
	return left == len ? -EFAULT : len - left;
}

/* @len bytes, inside one page, through the backend's fb_page. */
static ssize_t nvkm_vgpu_bar1_rw_page(struct nvkm_vgpu *vgpu,
				      char __user *buf, size_t len, u64 pos,
				      bool write)
{
	const struct nvkm_vgpu_gpu *gpu = vgpu->gpu;
	size_t in_page = offset_in_page(pos);
	struct page *page;
	unsigned long left;
	void *va;

	page = gpu->ops->fb_page(gpu->priv,
				 vgpu->slice->fb_offset + pos - in_page, write);
	if (IS_ERR(page))
		return PTR_ERR(page);
	if (!page) {
		/* Never written: reads as zero, and stays unallocated. */
		left = clear_user(buf, len);
	} else {
		va = kmap_local_page(page);
		/*
		 * Not copy_from_user(), which zeroes what it could not copy:
		 * FB bytes that a write stopping at a fault does not count,
		 * so they keep their value.
		 */
		if (write)
			left = access_ok(buf, len) ?
			       __copy_from_user(va + in_page, buf, len) : len;
		else
			left = copy_to_user(buf, va + in_page, len);
		kunmap_local(va);
		put_page(page);
	}
	return left == len ? -EFAULT : len - left;
}

/*
 * @len bytes, at most NVKM_VGPU_BAR1_BOUNCE, through @bounce and the
 * backend's fb_rw. A write whose user copy stops short writes what it got.
 */
static ssize_t nvkm_vgpu_bar1_rw_bounce(struct nvkm_vgpu *vgpu, void *bounce,
					char __user *buf, size_t len, u64 pos,
					bool write)
{
	const struct nvkm_vgpu_gpu *gpu = vgpu->gpu;
	u64 offset = vgpu->slice->fb_offset + pos;
	unsigned long left;
	int ret;

	if (write) {
		left = copy_from_user(bounce, buf, len);
		if (left == len)
			return -EFAULT;
		len -= left;
	}
	ret = gpu->ops->fb_rw(gpu->priv, offset, bounce, len, write);
	if (ret)
		return ret;
	if (write)
		return len;
	left = copy_to_user(buf, bounce, len);
	return left == len ? -EFAULT : len - left;
}

/**
 * nvkm_vgpu_bar1_rw() - a pread or pwrite of BAR1
 * @vgpu: the vGPU, held open by the caller's VFIO user
 * @buf: the user's buffer
 * @count: bytes, already checked to fit in the BAR
 * @pos: offset in the BAR
 * @write: pwrite rather than pread
 *
 * Copies in passes of at most a page (fb_page) or NVKM_VGPU_BAR1_BOUNCE
 * bytes (fb_rw), with no lock held; stops at the first pass that fails or
 * whose user copy stops short.
 *
 * Return: bytes copied; if none, -EFAULT, -ENOMEM for the bounce buffer,
 * or the backend's errno (-ENOMEM when it cannot back the FB).
 */
ssize_t nvkm_vgpu_bar1_rw(struct nvkm_vgpu *vgpu, char __user *buf,
			  size_t count, u64 pos, bool write)
{
	u64 fb_size = vgpu->slice->fb_size;
	void *bounce = NULL;
	size_t done = 0;
	ssize_t ret = 0;

	if (vgpu->gpu->ops->fb_rw && pos < fb_size) {
		bounce = kvmalloc(min_t(u64, min_t(u64, count, fb_size - pos),
					NVKM_VGPU_BAR1_BOUNCE), GFP_KERNEL);
		if (!bounce)
			return -ENOMEM;
	}
	while (done < count) {
		u64 at = pos + done;
		size_t len = count - done;

		if (at >= fb_size) {
			len = min_t(size_t, len, NVKM_VGPU_BAR1_BOUNCE);
			ret = nvkm_vgpu_bar1_rw_past(buf + done, len, write);
		} else if (bounce) {
			len = min_t(u64, min_t(u64, len, fb_size - at),
				    NVKM_VGPU_BAR1_BOUNCE);
			ret = nvkm_vgpu_bar1_rw_bounce(vgpu, bounce, buf + done,
						       len, at, write);
		} else {
			len = min_t(u64, min_t(u64, len, fb_size - at),
				    PAGE_SIZE - offset_in_page(at));
			ret = nvkm_vgpu_bar1_rw_page(vgpu, buf + done, len, at,
						     write);
		}
		if (ret < 0)
			break;
		done += ret;
		/* A user copy stopped at a fault: the bytes before it count. */
		if ((size_t)ret < len)
			break;
		cond_resched();
	}
	kvfree(bounce);
	return done ? done : ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar1_rw);

/*
 * Under the vGPU lock, so a zap cannot pass between the decoding check and
 * the insertion; the lock is taken under the faulting task's mmap lock, so
 * nothing holding it copies from or to user memory.
 */
static vm_fault_t nvkm_vgpu_bar1_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct nvkm_vgpu *vgpu = vma->vm_private_data;
	const struct nvkm_vgpu_gpu *gpu = vgpu->gpu;
	u64 pos = ((u64)vmf->pgoff << PAGE_SHIFT) & VFIO_PCI_OFFSET_MASK;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;

	mutex_lock(&vgpu->lock);
	if (vgpu->removed || pos >= vgpu->slice->fb_size ||
	    !nvkm_vgpu_config_memory_enabled(&vgpu->config))
		goto out;
	if (gpu->ops->fb_pfn(gpu->priv, vgpu->slice->fb_offset + pos, &pfn))
		goto out;
	ret = vmf_insert_pfn(vma, vmf->address, pfn);
out:
	mutex_unlock(&vgpu->lock);
	return ret;
}

/**
 * nvkm_vgpu_bar1_zap_locked() - tear down every user mapping of BAR1
 * @vgpu: the vGPU, whose lock the caller holds
 *
 * The next touch faults and is checked again.
 */
void nvkm_vgpu_bar1_zap_locked(struct nvkm_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	/*
	 * BAR1's file offsets only. Before 6.10 every VFIO device file shares
	 * one anonymous inode, so this also zaps other VFIO devices' mappings
	 * of their region 1; theirs fault back in, as ours do.
	 */
	if (vgpu->bar1_mapping)
		unmap_mapping_range(vgpu->bar1_mapping,
				    VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_BAR1_REGION_INDEX),
				    vgpu->bar1_size, true);
}

static const struct vm_operations_struct nvkm_vgpu_bar1_vm_ops = {
	.fault = nvkm_vgpu_bar1_fault,
};

/**
 * nvkm_vgpu_bar1_mmap() - map (part of) BAR1 into a VFIO user
 * @vgpu: the vGPU
 * @vma: the mapping; its offset encodes the region index
 *
 * Return: 0, or -EINVAL for a private mapping or one past the BAR.
 */
int nvkm_vgpu_bar1_mmap(struct nvkm_vgpu *vgpu, struct vm_area_struct *vma)
{
	u64 pos = ((u64)vma->vm_pgoff << PAGE_SHIFT) & VFIO_PCI_OFFSET_MASK;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED) || pos >= vgpu->bar1_size ||
	    len > vgpu->bar1_size - pos) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "BAR1 mmap refused: %#llx+%#llx, BAR is %#llx, shared mappings only\n",
				     pos, len, vgpu->bar1_size);
		return -EINVAL;
	}
	mutex_lock(&vgpu->lock);
	vgpu->bar1_mapping = vma->vm_file->f_mapping;
	mutex_unlock(&vgpu->lock);
	vma->vm_ops = &nvkm_vgpu_bar1_vm_ops;
	vma->vm_private_data = vgpu;
	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	nvkm_vgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
			       VM_DONTDUMP);
	return 0;
}
