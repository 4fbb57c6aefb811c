// SPDX-License-Identifier: GPL-2.0
/*
 * BAR1 of a vGPU: its slice of the framebuffer.
 *
 * The BAR is the slice's FB size rounded up to a power of two. Bytes of the
 * slice go straight to the backend's FB pages: pread/pwrite copy through
 * them, and an mmap maps them page by page as they are first touched (the
 * sparse simulated FB allocates a page only then), with no trap afterwards.
 * Bytes past the slice inside the BAR read as zero and ignore writes; a
 * mapping of them gets SIGBUS, as does a touch the backend cannot back.
 */
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <nvkm_vgpu/compat.h>

#include "alloc_types.h"
#include "gpu_types.h"
#include "vgpu.h"

static struct page *nvkm_vgpu_bar1_page(struct nvkm_vgpu *vgpu, u64 pos,
					bool alloc)
{
	const struct nvkm_vgpu_gpu *gpu = vgpu->gpu;

	return gpu->ops->fb_page(gpu->priv, vgpu->slice->fb_offset + pos, alloc);
}

/* Copies up to the end of one page; returns bytes copied or an errno. */
static ssize_t nvkm_vgpu_bar1_rw_page(struct nvkm_vgpu *vgpu,
				      char __user *buf, size_t count, u64 pos,
				      bool write)
{
	size_t in_page = offset_in_page(pos);
	size_t len = min_t(size_t, count, PAGE_SIZE - in_page);
	struct page *page;
	unsigned long left;
	void *va;

	if (pos >= vgpu->slice->fb_size) {
		/* Past the slice, inside the BAR: zeros, writes dropped. */
		if (!write && clear_user(buf, len))
			return -EFAULT;
		return len;
	}

	page = nvkm_vgpu_bar1_page(vgpu, pos - in_page, write);
	if (IS_ERR(page))
		return PTR_ERR(page);
	if (!page) {
		/* Never written: reads as zero, and stays unallocated. */
		return clear_user(buf, len) ? -EFAULT : len;
	}

	va = kmap_local_page(page);
	if (write)
		left = copy_from_user(va + in_page, buf, len);
	else
		left = copy_to_user(buf, va + in_page, len);
	kunmap_local(va);
	put_page(page);
	return left ? -EFAULT : len;
}

/**
 * nvkm_vgpu_bar1_rw() - a pread or pwrite of BAR1
 * @vgpu: the vGPU
 * @buf: the user's buffer
 * @count: bytes, already checked to fit in the BAR
 * @pos: offset in the BAR
 * @write: pwrite rather than pread
 *
 * Return: bytes copied, or -EFAULT, or the backend's errno (-ENOMEM when
 * it cannot back the FB) if nothing was copied.
 */
ssize_t nvkm_vgpu_bar1_rw(struct nvkm_vgpu *vgpu, char __user *buf,
			  size_t count, u64 pos, bool write)
{
	size_t done = 0;

	while (done < count) {
		ssize_t ret = nvkm_vgpu_bar1_rw_page(vgpu, buf + done,
						     count - done, pos + done,
						     write);

		if (ret < 0)
			return done ? done : ret;
		done += ret;
		cond_resched();
	}
	return done;
}

static vm_fault_t nvkm_vgpu_bar1_fault(struct vm_fault *vmf)
{
	struct nvkm_vgpu *vgpu = vmf->vma->vm_private_data;
	u64 pos = ((u64)vmf->pgoff << PAGE_SHIFT) & VFIO_PCI_OFFSET_MASK;
	struct page *page;

	if (pos >= vgpu->slice->fb_size)
		return VM_FAULT_SIGBUS;
	page = nvkm_vgpu_bar1_page(vgpu, pos, true);
	if (IS_ERR_OR_NULL(page))
		return VM_FAULT_SIGBUS;
	/* The reference fb_page() took now belongs to the mapping. */
	vmf->page = page;
	return 0;
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
	vma->vm_ops = &nvkm_vgpu_bar1_vm_ops;
	vma->vm_private_data = vgpu;
	nvkm_vgpu_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}
