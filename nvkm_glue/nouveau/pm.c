// SPDX-License-Identifier: GPL-2.0
/*
 * System sleep with vGPUs on nouveau's GPUs: refused.
 *
 * A vGPU's framebuffer is a range of the VRAM carve-out, which no one
 * saves: nouveau evicts TTM's buffers to system memory before the GPU
 * loses power, but the carve-out is not TTM's, and suspend to RAM or disk
 * powers VRAM off. A guest would come back to a framebuffer of garbage
 * under a running driver. So while any range is reserved (a vGPU exists)
 * system suspend and hibernation are refused, with one line naming the
 * GPU; runtime suspend is already kept off while the GPU is registered
 * (gpu.c). Saving the carve-out (through BAR1 or a copy engine) would
 * lift this; it is not done.
 */
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/sizes.h>
#include <linux/suspend.h>

#include "fb.h"
#include "pm.h"

/**
 * nvkm_vgpu_nouveau_pm_check() - may the system sleep, for one GPU
 * @fb: the GPU's framebuffer
 * @action: the PM notifier's event (PM_SUSPEND_PREPARE, ...)
 *
 * Called from the PM notifier of main.c for each registered GPU. Never
 * sleeps.
 *
 * Return: -EBUSY, with one line in the log, when @action would power the
 * GPU's VRAM off (suspend or hibernation about to start) while vGPUs hold
 * some of it; 0 otherwise.
 */
int nvkm_vgpu_nouveau_pm_check(struct nvkm_vgpu_nouveau_fb *fb,
			       unsigned long action)
{
	u64 used;

	if (action != PM_SUSPEND_PREPARE && action != PM_HIBERNATION_PREPARE)
		return 0;
	used = nvkm_vgpu_nouveau_fb_used(fb, 0, fb->size);
	if (!used)
		return 0;
	dev_warn(fb->dev, "nvkm_vgpu_nouveau: vGPUs hold %llu MiB of VRAM, which would not survive %s; refusing it (remove the vGPUs first)\n",
		 used / SZ_1M,
		 action == PM_SUSPEND_PREPARE ? "suspend" : "hibernation");
	return -EBUSY;
}
