// SPDX-License-Identifier: GPL-2.0
/*
 * What the manager accepts from a backend's description of a GPU, and the
 * figures it derives from it.
 */
#include <linux/align.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/math.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "catalogue_types.h"
#include "geometry.h"

static bool nvkm_vgpu_board_name_valid(const char *board)
{
	size_t len, i;

	if (!board)
		return false;
	len = strnlen(board, NVKM_VGPU_BOARD_NAME_MAX + 1);
	if (!len || len > NVKM_VGPU_BOARD_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!islower(board[i]) && !isdigit(board[i]) && board[i] != '-')
			return false;
	}
	return true;
}

/**
 * nvkm_vgpu_geometry_fb_usable() - framebuffer bytes slices may be cut from
 * @geo: a checked geometry
 *
 * Return: @geo's FB size less the host reserve.
 */
u64 nvkm_vgpu_geometry_fb_usable(const struct nvkm_vgpu_geometry *geo)
{
	return geo->fb_size - geo->fb_reserved;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_geometry_fb_usable);

/**
 * nvkm_vgpu_geometry_nominal_gib() - the board's framebuffer size in GiB
 * @geo: a checked geometry
 *
 * Return: @geo->fb_nominal_gib, or the FB size rounded to the closest GiB
 * when the backend left it 0.
 */
u32 nvkm_vgpu_geometry_nominal_gib(const struct nvkm_vgpu_geometry *geo)
{
	if (geo->fb_nominal_gib)
		return geo->fb_nominal_gib;
	return DIV_ROUND_CLOSEST_ULL(geo->fb_size, SZ_1G);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_geometry_nominal_gib);

/**
 * nvkm_vgpu_geometry_check() - refuse a geometry no catalogue can be built on
 * @geo: the backend's description of a GPU
 *
 * A usable geometry names its board, leaves at least 1 GiB of usable FB
 * behind a reserve aligned to %NVKM_VGPU_FB_ALIGN, has channel IDs, a
 * graphics engine, a BAR0 and a BAR1, and a nominal size no larger than
 * twice the real one.
 *
 * Return: 0, or -EINVAL with one line in the log saying why.
 */
int nvkm_vgpu_geometry_check(const struct nvkm_vgpu_geometry *geo)
{
	const char *why = NULL;

	if (!geo)
		why = "no geometry";
	else if (!nvkm_vgpu_board_name_valid(geo->board))
		why = "board name must be 1-15 of [a-z0-9-]";
	else if (geo->fb_reserved >= geo->fb_size ||
		 geo->fb_size - geo->fb_reserved < SZ_1G)
		why = "less than 1 GiB of usable framebuffer";
	else if (!IS_ALIGNED(geo->fb_reserved, NVKM_VGPU_FB_ALIGN))
		why = "framebuffer reserve not 2 MiB aligned";
	else if (!geo->chid_count)
		why = "no channel IDs";
	else if (!geo->engines[NVKM_VGPU_ENGINE_GR])
		why = "no graphics engine";
	else if (!geo->bar0_size || !geo->bar1_size)
		why = "BAR0 and BAR1 must have a size";
	else if (!nvkm_vgpu_geometry_nominal_gib(geo) ||
		 (u64)nvkm_vgpu_geometry_nominal_gib(geo) * SZ_1G >
		 2 * geo->fb_size)
		why = "nominal framebuffer size does not match the real one";

	if (why) {
		pr_warn("nvkm_vgpu: refusing GPU geometry: %s\n", why);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_geometry_check);
