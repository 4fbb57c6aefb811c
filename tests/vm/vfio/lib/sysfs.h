/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs side of nvkm_vgpu: parents (GPUs), their mdev types and knobs, and
 * the mdevs (vGPUs) a test creates. Functions return 0 or a negative errno.
 */
#ifndef NVKM_VGPU_TEST_SYSFS_H
#define NVKM_VGPU_TEST_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define MDEV_BUS_DIR	"/sys/class/mdev_bus"
#define MDEV_DEV_DIR	"/sys/bus/mdev/devices"
#define SIM_BUS_DIR	"/sys/bus/nvkm_vgpu_sim"
#define UUID_LEN	36
#define PARENT_TYPES_MAX 64

struct vgpu_parent {
	char name[64];		/* the GPU's device: nvkm_vgpu_sim0, 0000:00:05.0 */
	char path[320];		/* MDEV_BUS_DIR/<name> */
	char board[32];		/* first word of nvkm_vgpu/board */
	char prefix[40];	/* "<driver>-" of its type directories */
	unsigned int nr_types;
	char types[PARENT_TYPES_MAX][48];	/* "tiny-1c", sorted */
};

int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_write(const char *path, const char *val);
int sysfs_write_len(const char *path, const char *val, size_t len);
int sysfs_read_ull(const char *path, unsigned long long *val);
bool path_exists(const char *path);

int parent_find(const char *board, struct vgpu_parent *p);
int parent_find_under(const char *devpath, struct vgpu_parent *p);
int parent_knob(const struct vgpu_parent *p, const char *knob, char *buf,
		size_t len);
int parent_set(const struct vgpu_parent *p, const char *knob, const char *val);
long long parent_ull(const struct vgpu_parent *p, const char *knob);
bool parent_has_type(const struct vgpu_parent *p, const char *type);
long long type_available(const struct vgpu_parent *p, const char *type);
int type_attr(const struct vgpu_parent *p, const char *type, const char *attr,
	      char *buf, size_t len);
char type_series(const char *type);
unsigned int type_gib(const char *type);
int parent_ready(const struct vgpu_parent *p);

void uuid_new(char uuid[UUID_LEN + 1]);
int mdev_create(const struct vgpu_parent *p, const char *type,
		const char *uuid);
int mdev_remove(const char *uuid);
void mdev_forget(const char *uuid);
bool mdev_exists(const char *uuid);
int mdev_attr(const char *uuid, const char *attr, char *buf, size_t len);
long long mdev_ull(const char *uuid, const char *attr);
int mdev_count(void);

#endif /* NVKM_VGPU_TEST_SYSFS_H */
