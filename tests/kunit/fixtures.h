/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_KUNIT_FIXTURES_H__
#define __NVKM_VGPU_KUNIT_FIXTURES_H__

#include <kunit/test.h>
#include <nvkm_vgpu/backend.h>
#include <nvkm_vgpu/boards.h>

#include "../../vgpu_mgr/alloc_types.h"
#include "../../vgpu_mgr/catalogue_types.h"

struct nvkm_vgpu_gpu;

extern const struct nvkm_vgpu_backend_ops nvkm_vgpu_test_ops;

void nvkm_vgpu_test_board_desc(const struct nvkm_vgpu_geometry *const *geo,
			       char *desc);

struct nvkm_vgpu_catalogue *
nvkm_vgpu_test_catalogue(struct kunit *test,
			 const struct nvkm_vgpu_geometry *geo);
struct nvkm_vgpu_alloc *nvkm_vgpu_test_alloc(struct kunit *test,
					     const struct nvkm_vgpu_geometry *geo);
const struct nvkm_vgpu_type *
nvkm_vgpu_test_type(struct kunit *test, const struct nvkm_vgpu_catalogue *cat,
		    const char *name);
struct device *nvkm_vgpu_test_dev(struct kunit *test);
struct nvkm_vgpu_gpu *nvkm_vgpu_test_gpu(struct kunit *test,
					 const struct nvkm_vgpu_geometry *geo);
struct nvkm_vgpu_gpu *
nvkm_vgpu_test_gpu_ops(struct kunit *test, const struct nvkm_vgpu_geometry *geo,
		       const struct nvkm_vgpu_backend_ops *ops, void *priv);

#endif /* __NVKM_VGPU_KUNIT_FIXTURES_H__ */
