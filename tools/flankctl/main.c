// SPDX-License-Identifier: GPL-2.0-or-later
/* flankctl against the real device, /dev/flank (or $FLANK_DEVICE). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "flankctl.h"

static int dev_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	int fd = (int)(intptr_t)ctx;

	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static void dev_close(void *ctx)
{
	close((int)(intptr_t)ctx);
}

static int dev_open(const char *path, struct flankctl_dev *dev)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	dev->ctx = (void *)(intptr_t)fd;
	dev->ioctl = dev_ioctl;
	dev->close = dev_close;
	return 0;
}

int main(int argc, char **argv)
{
	return flankctl_main(argc, argv, stdout, stderr, dev_open);
}
