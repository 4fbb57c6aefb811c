// SPDX-License-Identifier: GPL-2.0
/*
 * The one NVKM dependency of chid.c that is not under test: its event,
 * which nvkm_chid_new() initialises and nvkm_chid_unref() finalises.
 * core/event.c would drag in nvkm_subdev and its printing; the allocator
 * never raises the event, so these two do nothing. The rest of chid.c
 * and mm.c are compiled from nouveau's sources unchanged.
 */
#include <core/event.h>

int __nvkm_event_init(const struct nvkm_event_func *func,
		      struct nvkm_subdev *subdev, int types_nr, int index_nr,
		      struct nvkm_event *event)
{
	event->func = func;
	event->subdev = subdev;
	return 0;
}

void nvkm_event_fini(struct nvkm_event *event)
{
}

MODULE_DESCRIPTION("KUnit suites for the patched nouveau's VRAM and channel ID allocators");
MODULE_LICENSE("GPL");
