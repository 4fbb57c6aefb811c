/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels nvkm-vgpu builds on (Debian 12's 6.1 and
 * 6.12, and the 6.12 debug kernel). Every LINUX_VERSION_CODE test lives
 * here; the rest of the tree uses what this header provides.
 */
#ifndef __NVKM_VGPU_COMPAT_H__
#define __NVKM_VGPU_COMPAT_H__

#include <linux/version.h>

/* 6.12 moved the unaligned access helpers from asm/ to linux/. */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.8 dropped eventfd_signal()'s count argument. */
#include <linux/eventfd.h>

static inline void nvkm_vgpu_eventfd_signal(struct eventfd_ctx *ctx)
{
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.2 gave vfio_device_ops the iommufd callbacks, which emulated-IOMMU
 * drivers fill with the core's helpers (detach_ioas came in 6.6).
 */
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#define NVKM_VGPU_VFIO_IOMMUFD_OPS					\
	.bind_iommufd = vfio_iommufd_emulated_bind,			\
	.unbind_iommufd = vfio_iommufd_emulated_unbind,			\
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,		\
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#else
#define NVKM_VGPU_VFIO_IOMMUFD_OPS
#endif

/* 6.3 made vma->vm_flags read-only behind vm_flags_set(). */
#include <linux/mm.h>

static inline void nvkm_vgpu_vm_flags_set(struct vm_area_struct *vma,
					  vm_flags_t flags)
{
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* 6.10 dropped __assign_str()'s source argument (tracepoints). */
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
#define NVKM_VGPU_ASSIGN_STR(dst, src) do { (void)(src); __assign_str(dst); } while (0)
#else
#define NVKM_VGPU_ASSIGN_STR(dst, src) __assign_str(dst, src)
#endif

#endif /* __NVKM_VGPU_COMPAT_H__ */
