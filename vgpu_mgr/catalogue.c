// SPDX-License-Identifier: GPL-2.0
/*
 * The vGPU type catalogue: every type a GPU offers, derived from its geometry
 * alone.
 *
 * A board of nominal size G GiB offers, for every divisor n of G, a type of
 * G/n GiB with at most n instances. The usable FB is cut into G units of
 * equal size (aligned down to 2 MiB); a G/n GiB instance gets G/n units, so
 * the slots of every type nest in each other's. Each instance also gets
 * prev_pow2(CHIDs / n) channel IDs and 1/n of the engine time.
 *
 * Compute (C) types exist on every board; boards with display add
 * workstation (Q), desktop (B, 2 GiB and less) and apps (A) types.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/string_helpers.h>
#include <kunit/visibility.h>

#include <uapi/linux/nvkm_vgpu.h>

#include "catalogue.h"
#include "geometry.h"

/* B (desktop) types stop at this size, as the anchors' do. */
#define NVKM_VGPU_B_MAX_GIB 2

struct nvkm_vgpu_series_desc {
	char letter;
	const char *what;
	bool display;
	unsigned long engines;
};

static const struct nvkm_vgpu_series_desc nvkm_vgpu_series[NVKM_VGPU_SERIES_NR] = {
	[NVKM_VGPU_SERIES_C] = {
		.letter = 'c', .what = "compute", .display = false,
		.engines = BIT(NVKM_VGPU_ENGINE_GR) | BIT(NVKM_VGPU_ENGINE_CE) |
			   BIT(NVKM_VGPU_ENGINE_NVDEC) |
			   BIT(NVKM_VGPU_ENGINE_NVJPG) |
			   BIT(NVKM_VGPU_ENGINE_OFA),
	},
	[NVKM_VGPU_SERIES_Q] = {
		.letter = 'q', .what = "workstation", .display = true,
		.engines = BIT(NVKM_VGPU_ENGINE_NR) - 1,
	},
	[NVKM_VGPU_SERIES_B] = {
		.letter = 'b', .what = "desktop", .display = true,
		.engines = BIT(NVKM_VGPU_ENGINE_GR) | BIT(NVKM_VGPU_ENGINE_CE) |
			   BIT(NVKM_VGPU_ENGINE_NVDEC) |
			   BIT(NVKM_VGPU_ENGINE_NVENC),
	},
	[NVKM_VGPU_SERIES_A] = {
		.letter = 'a', .what = "apps", .display = true,
		.engines = BIT(NVKM_VGPU_ENGINE_GR) | BIT(NVKM_VGPU_ENGINE_CE) |
			   BIT(NVKM_VGPU_ENGINE_NVDEC) |
			   BIT(NVKM_VGPU_ENGINE_NVENC),
	},
};

static const char * const nvkm_vgpu_engine_names[NVKM_VGPU_ENGINE_NR] = {
	[NVKM_VGPU_ENGINE_GR] = "GR",
	[NVKM_VGPU_ENGINE_CE] = "CE",
	[NVKM_VGPU_ENGINE_NVDEC] = "NVDEC",
	[NVKM_VGPU_ENGINE_NVENC] = "NVENC",
	[NVKM_VGPU_ENGINE_NVJPG] = "NVJPG",
	[NVKM_VGPU_ENGINE_OFA] = "OFA",
};

/**
 * nvkm_vgpu_engine_name() - an engine class's short name
 * @engine: the class
 *
 * Return: "GR", "CE", "NVDEC", "NVENC", "NVJPG" or "OFA".
 */
const char *nvkm_vgpu_engine_name(enum nvkm_vgpu_engine engine)
{
	return nvkm_vgpu_engine_names[engine];
}

static bool nvkm_vgpu_series_offered(enum nvkm_vgpu_series series,
				     const struct nvkm_vgpu_geometry *geo,
				     u32 fb_gib)
{
	if (nvkm_vgpu_series[series].display && !geo->display)
		return false;
	if (series == NVKM_VGPU_SERIES_B && fb_gib > NVKM_VGPU_B_MAX_GIB)
		return false;
	return true;
}

/* FB bytes per nominal GiB: the unit every type's FB size is a multiple of. */
static u64 nvkm_vgpu_fb_unit(const struct nvkm_vgpu_geometry *geo)
{
	return round_down(div_u64(nvkm_vgpu_geometry_fb_usable(geo),
				  nvkm_vgpu_geometry_nominal_gib(geo)),
			  NVKM_VGPU_FB_ALIGN);
}

/* Whether the GPU splits into @n instances with FB and a CHID each. */
static bool nvkm_vgpu_split_fits(const struct nvkm_vgpu_geometry *geo, u32 n)
{
	return nvkm_vgpu_fb_unit(geo) && geo->chid_count >= n;
}

static void nvkm_vgpu_type_describe(struct nvkm_vgpu_type *type)
{
	const char *what = nvkm_vgpu_series[type->series].what;
	size_t len;
	int e;

	len = scnprintf(type->description, sizeof(type->description),
			"%s: %u GiB %s vGPU, %llu MiB framebuffer, %u channels, up to %u per GPU, engines",
			type->label, type->fb_gib, what,
			type->fb_size / SZ_1M, type->chids, type->max_instances);
	for_each_set_bit(e, &type->engines, NVKM_VGPU_ENGINE_NR)
		len += scnprintf(type->description + len,
				 sizeof(type->description) - len, " %s",
				 nvkm_vgpu_engine_name(e));
}

static void nvkm_vgpu_type_init(struct nvkm_vgpu_type *type, u32 index,
				const struct nvkm_vgpu_geometry *geo,
				enum nvkm_vgpu_series series, u32 gib, u32 n)
{
	unsigned long present = 0;
	int e;

	for (e = 0; e < NVKM_VGPU_ENGINE_NR; e++)
		if (geo->engines[e])
			present |= BIT(e);

	type->index = index;
	type->series = series;
	type->fb_gib = gib;
	type->max_instances = n;
	type->fb_size = nvkm_vgpu_fb_unit(geo) * gib;
	/*
	 * A vGPU has one doorbell per channel and BAR0 room for
	 * NVKM_VGPU_DOORBELL_MAX of them: a type never promises more channels
	 * than a vGPU can have, or create would refuse what
	 * available_instances offers.
	 */
	type->chids = min_t(u32, rounddown_pow_of_two(geo->chid_count / n),
			    NVKM_VGPU_DOORBELL_MAX);
	type->engines = nvkm_vgpu_series[series].engines & present;
	type->weight = gib;
	type->share_permille = 1000 / n;
	type->timeslice_us = n <= 8 ? 2000 : 1000;
	snprintf(type->name, sizeof(type->name), "%s-%u%c", geo->board, gib,
		 nvkm_vgpu_series[series].letter);
	strscpy(type->label, type->name, sizeof(type->label));
	string_upper(type->label, type->label);
	nvkm_vgpu_type_describe(type);
}

/*
 * Walk every (series, size) pair the geometry offers, in catalogue order,
 * filling @cat->types when @cat is non-NULL. Returns the number of types.
 */
static u32 nvkm_vgpu_catalogue_fill(const struct nvkm_vgpu_geometry *geo,
				    struct nvkm_vgpu_catalogue *cat)
{
	u32 g = nvkm_vgpu_geometry_nominal_gib(geo);
	enum nvkm_vgpu_series series;
	u32 count = 0, n;

	for (series = 0; series < NVKM_VGPU_SERIES_NR; series++) {
		/* Growing FB size is shrinking instance count. */
		for (n = g; n >= 1; n--) {
			if (g % n || !nvkm_vgpu_split_fits(geo, n) ||
			    !nvkm_vgpu_series_offered(series, geo, g / n))
				continue;
			if (cat)
				nvkm_vgpu_type_init(&cat->types[count], count,
						    geo, series, g / n, n);
			count++;
		}
	}
	return count;
}

/**
 * nvkm_vgpu_catalogue_new() - build the type catalogue of a GPU
 * @geo: the GPU's geometry
 *
 * Return: the catalogue (free with nvkm_vgpu_catalogue_del()), ERR_PTR(-EINVAL)
 * for a geometry nvkm_vgpu_geometry_check() refuses or that offers no type,
 * or ERR_PTR(-ENOMEM).
 */
struct nvkm_vgpu_catalogue *
nvkm_vgpu_catalogue_new(const struct nvkm_vgpu_geometry *geo)
{
	struct nvkm_vgpu_catalogue *cat;
	u32 count;
	int ret;

	ret = nvkm_vgpu_geometry_check(geo);
	if (ret)
		return ERR_PTR(ret);

	count = nvkm_vgpu_catalogue_fill(geo, NULL);
	if (!count) {
		pr_warn("nvkm_vgpu: %s: geometry offers no vGPU type\n",
			geo->board);
		return ERR_PTR(-EINVAL);
	}

	cat = kzalloc(struct_size(cat, types, count), GFP_KERNEL);
	if (!cat)
		return ERR_PTR(-ENOMEM);
	cat->count = count;
	nvkm_vgpu_catalogue_fill(geo, cat);
	return cat;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_catalogue_new);

/**
 * nvkm_vgpu_catalogue_del() - free a catalogue
 * @cat: catalogue from nvkm_vgpu_catalogue_new(), or NULL
 */
void nvkm_vgpu_catalogue_del(struct nvkm_vgpu_catalogue *cat)
{
	kfree(cat);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_catalogue_del);

/**
 * nvkm_vgpu_catalogue_find() - look a type up by its sysfs name
 * @cat: the catalogue
 * @name: e.g. "h100-10c"
 *
 * Return: the type, or NULL when @cat has no type of that name.
 */
const struct nvkm_vgpu_type *
nvkm_vgpu_catalogue_find(const struct nvkm_vgpu_catalogue *cat,
			 const char *name)
{
	u32 i;

	if (!name)
		return NULL;
	for (i = 0; i < cat->count; i++)
		if (!strcmp(cat->types[i].name, name))
			return &cat->types[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_catalogue_find);
