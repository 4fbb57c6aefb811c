// SPDX-License-Identifier: GPL-2.0
/*
 * One address space per vGPU for its BAR1 mappings.
 *
 * A VFIO user may map BAR1 through several files (two opens of the device,
 * the group and the cdev route), and on older kernels every VFIO device
 * file shares the one anonymous inode. To zap all of a vGPU's mappings at
 * once, and only its own, each vGPU gets an inode of this small pseudo
 * file system, and BAR1's mmap points the file's f_mapping at it, as the
 * DRM core and (since 6.10) the VFIO core do with their own inodes.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "vgpu.h"

#define NVKM_VGPU_FS_MAGIC 0x6e76676d	/* "nvgm" */

static int nvkm_vgpu_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, NVKM_VGPU_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type nvkm_vgpu_fs_type = {
	.name = "nvkm_vgpu",
	.owner = THIS_MODULE,
	.init_fs_context = nvkm_vgpu_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* The pinned mount and its pin count, guarded by simple_pin_fs()'s lock. */
static struct vfsmount *nvkm_vgpu_fs_mnt;
static int nvkm_vgpu_fs_count;

/**
 * nvkm_vgpu_bar1_inode_new() - an inode for one vGPU's BAR1 mappings
 *
 * Return: the inode, or ERR_PTR() of -ENOMEM or the mount's errno.
 */
struct inode *nvkm_vgpu_bar1_inode_new(void)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&nvkm_vgpu_fs_type, &nvkm_vgpu_fs_mnt,
			    &nvkm_vgpu_fs_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(nvkm_vgpu_fs_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&nvkm_vgpu_fs_mnt, &nvkm_vgpu_fs_count);
	return inode;
}

/**
 * nvkm_vgpu_bar1_inode_put() - let go of an inode from nvkm_vgpu_bar1_inode_new()
 * @inode: the inode, whose mappings are all gone
 */
void nvkm_vgpu_bar1_inode_put(struct inode *inode)
{
	iput(inode);
	simple_release_fs(&nvkm_vgpu_fs_mnt, &nvkm_vgpu_fs_count);
}
