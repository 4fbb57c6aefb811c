// SPDX-License-Identifier: GPL-2.0
/*
 * BAR1 of a vGPU: its slice of the framebuffer.
 *
 * The BAR is the slice's FB size rounded up to a power of two. Bytes of the
 * slice go straight to the backend's FB: pread/pwrite copy through its
 * pages, and an mmap maps its page frames as real BAR memory is mapped
 * (VM_IO | VM_PFNMAP, write-combining), page by page as they are first
 * touched (the sparse simulated FB allocates a page only then), with no
 * trap afterwards. Being PFN mappings, they hold no page reference and
 * get_user_pages() refuses them, so nothing pins a vGPU's FB past its life.
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
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <nvkm_vgpu/compat.h>

#include "alloc_types.h"
#include "config.h"
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
