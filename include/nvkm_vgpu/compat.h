/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels nvkm-vgpu builds on (Debian 12's 6.1 and
 * 6.12, and the 6.12 debug kernel). Every LINUX_VERSION_CODE test lives
 * here; the rest of the tree uses what this header provides.
 */
#ifndef __NVKM_VGPU_COMPAT_H__
#define __NVKM_VGPU_COMPAT_H__

#include <linux/version.h>

/*
 * The resource model needs nothing version specific yet: Debian's 6.1
 * carries maple trees, xarrays and kunit/visibility.h as 6.12 does.
 */

#endif /* __NVKM_VGPU_COMPAT_H__ */
