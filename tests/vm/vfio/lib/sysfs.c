// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs helpers: read and write attributes keeping the errno the kernel
 * returned, find parents by board, and create and remove mdevs. Every mdev
 * created here is remembered with its creator's pid and removed by
 * mdev_cleanup() unless the test removed it itself.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "sysfs.h"

#define MDEV_TRACK_MAX 1024

struct mdev_track {
	char uuid[UUID_LEN + 1];
	pid_t owner;
};

static struct mdev_track mdev_tracked[MDEV_TRACK_MAX];

int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Writes exactly @len bytes in one write(), as "echo -n" would. */
int sysfs_write_len(const char *path, const char *val, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int sysfs_write(const char *path, const char *val)
{
	return sysfs_write_len(path, val, strlen(val));
}

int sysfs_read_ull(const char *path, unsigned long long *val)
{
	char buf[64], *end;
	int ret;

	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

bool path_exists(const char *path)
{
	return !access(path, F_OK);
}

static int type_cmp(const void *a, const void *b)
{
	const char *x = a, *y = b;
	char sx = type_series(x), sy = type_series(y);

	if (sx != sy)
		return sx - sy;
	return (int)type_gib(x) - (int)type_gib(y);
}

/*
 * Loads mdev parent @name if it is one of ours (it has nvkm_vgpu/board).
 * Its type directories are "<driver>-<type>", the driver's name holding no
 * dash: @p->prefix is "<driver>-", @p->types the "<type>" parts.
 */
static int parent_load(const char *name, struct vgpu_parent *p)
{
	char path[512], board[64];
	struct dirent *de;
	const char *dash;
	DIR *dir;
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->path, sizeof(p->path), MDEV_BUS_DIR "/%s", name);
	ret = parent_knob(p, "board", board, sizeof(board));
	if (ret)
		return ret;
	board[strcspn(board, " ")] = '\0';
	snprintf(p->board, sizeof(p->board), "%.31s", board);

	snprintf(path, sizeof(path), "%s/mdev_supported_types", p->path);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && p->nr_types < PARENT_TYPES_MAX) {
		dash = strchr(de->d_name, '-');
		if (de->d_name[0] == '.' || !dash)
			continue;
		if (!p->prefix[0])
			snprintf(p->prefix, sizeof(p->prefix), "%.*s",
				 (int)(dash - de->d_name + 1), de->d_name);
		if (strncmp(de->d_name, p->prefix, strlen(p->prefix)))
			continue;
		snprintf(p->types[p->nr_types++], sizeof(p->types[0]), "%s",
			 dash + 1);
	}
	closedir(dir);
	qsort(p->types, p->nr_types, sizeof(p->types[0]), type_cmp);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strverscmp(a, b);
}

/*
 * Calls @match on each of our parents in the order of their names
 * (nvkm_vgpu_sim0 before nvkm_vgpu_sim1, PCI addresses in bus order);
 * stops at the first match.
 */
static int parent_each(struct vgpu_parent *p,
		       bool (*match)(const struct vgpu_parent *, const void *),
		       const void *arg)
{
	static char names[256][64];
	unsigned int n = 0, i;
	struct dirent *de;
	DIR *dir;

	dir = opendir(MDEV_BUS_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && n < 256) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' && len < sizeof(names[0]))
			memcpy(names[n++], de->d_name, len + 1);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++)
		if (!parent_load(names[i], p) && match(p, arg))
			return 0;
	return -ENOENT;
}

static bool match_board(const struct vgpu_parent *p, const void *arg)
{
	return !strcmp(p->board, arg);
}

/**
 * parent_find() - the registered GPU of a board with the lowest ID
 * @board: "tiny", "h100", ...
 * @p: filled in
 *
 * Return: 0, or -ENOENT.
 */
int parent_find(const char *board, struct vgpu_parent *p)
{
	return parent_each(p, match_board, board);
}

static bool match_under(const struct vgpu_parent *p, const void *arg)
{
	char real[PATH_MAX];
	size_t len = strlen(arg);

	if (!realpath(p->path, real))
		return false;
	return !strncmp(real, arg, len) && (!real[len] || real[len] == '/');
}

/**
 * parent_find_under() - the parent that is a device, or sits under it
 * @devpath: a backend device's sysfs path
 * @p: filled in
 *
 * Return: 0, -ENOENT, or realpath()'s errno.
 */
int parent_find_under(const char *devpath, struct vgpu_parent *p)
{
	char real[PATH_MAX];

	if (!realpath(devpath, real))
		return -errno;
	return parent_each(p, match_under, real);
}

int parent_knob(const struct vgpu_parent *p, const char *knob, char *buf,
		size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", p->path, knob);
	return sysfs_read(path, buf, len);
}

int parent_set(const struct vgpu_parent *p, const char *knob, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", p->path, knob);
	return sysfs_write(path, val);
}

/* A numeric parent knob, or a negative errno. */
long long parent_ull(const struct vgpu_parent *p, const char *knob)
{
	unsigned long long v;
	char path[512];
	int ret;

	snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", p->path, knob);
	ret = sysfs_read_ull(path, &v);
	return ret ? ret : (long long)v;
}

bool parent_has_type(const struct vgpu_parent *p, const char *type)
{
	unsigned int i;

	for (i = 0; i < p->nr_types; i++)
		if (!strcmp(p->types[i], type))
			return true;
	return false;
}

int type_attr(const struct vgpu_parent *p, const char *type, const char *attr,
	      char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/mdev_supported_types/%s%s/%s",
		 p->path, p->prefix, type, attr);
	return sysfs_read(path, buf, len);
}

/* available_instances of @type, or a negative errno. */
long long type_available(const struct vgpu_parent *p, const char *type)
{
	unsigned long long v;
	char path[512];
	int ret;

	snprintf(path, sizeof(path),
		 "%s/mdev_supported_types/%s%s/available_instances",
		 p->path, p->prefix, type);
	ret = sysfs_read_ull(path, &v);
	return ret ? ret : (long long)v;
}

/* 'c', 'q', 'b' or 'a': the last letter of "<board>-<gib><series>". */
char type_series(const char *type)
{
	size_t len = strlen(type);

	return len ? type[len - 1] : '?';
}

unsigned int type_gib(const char *type)
{
	const char *dash = strrchr(type, '-');

	return dash ? (unsigned int)strtoul(dash + 1, NULL, 10) : 0;
}

/**
 * parent_ready() - put a parent in the state every test starts from
 * @p: the parent
 *
 * Return: 0 when it holds no vGPU and is in equal placement, -EBUSY when
 * vGPUs exist, or the errno of setting the placement.
 */
int parent_ready(const struct vgpu_parent *p)
{
	long long n = parent_ull(p, "vgpus");

	if (n < 0)
		return (int)n;
	if (n)
		return -EBUSY;
	return parent_set(p, "placement", "equal");
}

/** uuid_new() - a random UUID, lower case, from the kernel */
void uuid_new(char uuid[UUID_LEN + 1])
{
	if (sysfs_read("/proc/sys/kernel/random/uuid", uuid, UUID_LEN + 2) ||
	    strlen(uuid) != UUID_LEN) {
		/* Not expected; still unique enough for one run. */
		static unsigned int seq;

		snprintf(uuid, UUID_LEN + 1,
			 "%08x-0000-4000-8000-%012x", (unsigned int)getpid(),
			 ++seq);
	}
}

static void mdev_track(const char *uuid)
{
	unsigned int i;

	for (i = 0; i < MDEV_TRACK_MAX; i++) {
		if (!mdev_tracked[i].owner) {
			snprintf(mdev_tracked[i].uuid,
				 sizeof(mdev_tracked[i].uuid), "%s", uuid);
			mdev_tracked[i].owner = getpid();
			return;
		}
	}
}

/**
 * mdev_forget() - stop tracking an mdev something else removed
 * @uuid: the mdev
 */
void mdev_forget(const char *uuid)
{
	unsigned int i;

	for (i = 0; i < MDEV_TRACK_MAX; i++)
		if (mdev_tracked[i].owner == getpid() &&
		    !strcasecmp(mdev_tracked[i].uuid, uuid))
			mdev_tracked[i].owner = 0;
}

/**
 * mdev_create() - echo UUID > <parent>/mdev_supported_types/<type>/create
 * @p: the parent
 * @type: catalogue name, e.g. "tiny-1c"
 * @uuid: the new mdev's UUID
 *
 * Return: 0, or the errno the kernel returned for the write.
 */
int mdev_create(const struct vgpu_parent *p, const char *type,
		const char *uuid)
{
	char path[512];
	int ret;

	sigset_t old;

	snprintf(path, sizeof(path),
		 "%s/mdev_supported_types/%s%s/create", p->path, p->prefix, type);
	cleanup_hold(&old);
	ret = sysfs_write(path, uuid);
	if (!ret)
		mdev_track(uuid);
	cleanup_release(&old);
	return ret;
}

/**
 * mdev_remove() - echo 1 > /sys/bus/mdev/devices/<uuid>/remove
 * @uuid: the mdev
 *
 * Blocks while a user holds the device open (the kernel asks it to let go).
 *
 * Return: 0, or the errno (-ENOENT when there is no such mdev).
 */
int mdev_remove(const char *uuid)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove", uuid);
	ret = sysfs_write(path, "1");
	if (!ret || ret == -ENOENT)
		mdev_forget(uuid);
	return ret;
}

bool mdev_exists(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s", uuid);
	return path_exists(path);
}

/* /sys/bus/mdev/devices/<uuid>/nvkm_vgpu/<attr> */
int mdev_attr(const char *uuid, const char *attr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/nvkm_vgpu/%s", uuid,
		 attr);
	return sysfs_read(path, buf, len);
}

long long mdev_ull(const char *uuid, const char *attr)
{
	unsigned long long v;
	char path[256];
	int ret;

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/nvkm_vgpu/%s", uuid,
		 attr);
	ret = sysfs_read_ull(path, &v);
	return ret ? ret : (long long)v;
}

/* Entries in /sys/bus/mdev/devices, any parent's; or a negative errno. */
int mdev_count(void)
{
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(MDEV_DEV_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

void mdev_cleanup(void)
{
	char path[256];
	unsigned int i;
	pid_t self = getpid();
	int fd;

	for (i = 0; i < MDEV_TRACK_MAX; i++) {
		if (mdev_tracked[i].owner != self)
			continue;
		snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove",
			 mdev_tracked[i].uuid);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			/* On failure there is nothing more to try: vgpu.sh sees the leak. */
			ssize_t ignored = write(fd, "1", 1);

			(void)ignored;
			close(fd);
		}
		mdev_tracked[i].owner = 0;
	}
}
