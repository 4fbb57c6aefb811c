// SPDX-License-Identifier: GPL-2.0
/*
 * Fakes of the NVKM calls the nouveau backend makes (patches 0002-0004),
 * for the backend's glue compiled into this test module: a carve-out of a
 * size the test sets, a BAR1 handed out from its bottom (a fixed address
 * and size, or memory of the test's), and a channel ID reservation that
 * records what it was asked. No GPU, no nouveau.ko.
 */
#include <kunit/test.h>

#include <core/device.h>

#include "glue_fakes.h"

struct glue_fake glue_fake;

int nvkm_vgpu_vram(struct nvkm_device *device, u64 *addr, u64 *size)
{
	if (!glue_fake.vram_size)
		return -ENODEV;
	*addr = glue_fake.vram_addr;
	*size = glue_fake.vram_size;
	return 0;
}

/* BAR1 space is handed out from its bottom, never reused: enough here. */
int nvkm_vgpu_bar1_map(struct nvkm_device *device, u64 offset, u64 size,
		       struct nvkm_vma **pvma, resource_size_t *paddr)
{
	u64 bar1_addr = glue_fake.bar1_addr ?: GLUE_FAKE_BAR1_ADDR;
	u64 bar1_size = glue_fake.bar1_size ?: GLUE_FAKE_BAR1_SIZE;

	if (!size || offset + size > glue_fake.vram_size)
		return -EINVAL;
	if (glue_fake.bar1_used + size > bar1_size)
		return -ENOSPC;
	*paddr = bar1_addr + glue_fake.bar1_used;
	glue_fake.bar1_used += size;
	glue_fake.maps++;
	/* Any non-NULL cookie: the backend only hands it back. */
	*pvma = (struct nvkm_vma *)&glue_fake;
	return 0;
}

void nvkm_vgpu_bar1_unmap(struct nvkm_device *device, struct nvkm_vma **pvma)
{
	if (*pvma)
		glue_fake.unmaps++;
	*pvma = NULL;
}

int nvkm_vgpu_chid_reserve(struct nvkm_device *device, int count)
{
	glue_fake.chid_asked = count;
	if (count <= 0)
		return -EINVAL;
	if (count > glue_fake.chid_free)
		return -ENOSPC;
	glue_fake.chid_reserved += count;
	return glue_fake.chid_nr - count;
}

void nvkm_vgpu_chid_release(struct nvkm_device *device, int first, int count)
{
	glue_fake.chid_reserved -= count;
}
