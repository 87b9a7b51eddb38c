// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-probe: the guest-side measurements of the Bochs run (static, runs
 * in the initramfs). Every command prints one machine-readable line of
 * "key=value" pairs and exits 0 when it could measure, 1 when it could not.
 *
 *   flank-probe cpuid CPU                 presence leaf, CPUID.1:ECX.VMX and
 *                                         the example module's CPUID leaf
 *   flank-probe rdmsr CPU MSR             read through /dev/cpu/CPU/msr
 *   flank-probe wrmsr CPU MSR VALUE       write through /dev/cpu/CPU/msr
 *   flank-probe workload ROUNDS           processes, file I/O, syscalls,
 *                                         /proc/cpuinfo on every CPU
 *   flank-probe kvm                       opens /dev/kvm and asks KVM for a
 *                                         VM (KVM_CREATE_VM): what a user
 *                                         starting a VM next to Flank gets
 *   flank-probe ioperm CPU                ioperm(0x80) and OUTB to port 80H
 *                                         on CPU: ioperm=ok, or =fault when
 *                                         the OUTB raised #GP (SIGSEGV), as
 *                                         after a VM exit left the TSS limit
 *                                         at 67H without Linux knowing
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"
#include "flank/vmm_hypercall.h"

#define CPUID1_ECX_VMX (1u << 5)

/* Pins the calling thread to @p cpu; the CPUID below must run there. */
static int pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("cpu=%ld error=pin errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_cpuid(long cpu)
{
	unsigned a, b, c, d, vmx, ex_version;
	int present, example;

	if (pin(cpu))
		return 1;
	__cpuid(1, a, b, c, d);
	vmx = (c & CPUID1_ECX_VMX) ? 1 : 0;
	__cpuid_count(FLANK_CPUID_LEAF, 0, a, b, c, d);
	present = b == FLANK_CPUID_EBX && c == FLANK_CPUID_ECX;
	printf("cpu=%ld running_on=%d flank=%d version=0x%06x vmx=%u", cpu,
	       sched_getcpu(), present, present ? a : 0, vmx);
	/* The example extension module's leaf, answered in user mode. */
	__cpuid_count(FLANK_EXAMPLE_CPUID_LEAF, 0, a, b, c, d);
	example = b == FLANK_EXAMPLE_CPUID_EBX &&
		  c == FLANK_EXAMPLE_CPUID_ECX && d == FLANK_EXAMPLE_CPUID_EDX;
	ex_version = example ? a : 0;
	printf(" example=%d example_version=0x%06x\n", example, ex_version);
	return 0;
}

static int open_msr(long cpu, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%ld/msr", cpu);
	fd = open(path, flags);
	if (fd < 0)
		printf("cpu=%ld error=open errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
	return fd;
}

/* The msr driver turns a #GP of RDMSR/WRMSR into -EIO. */
static int cmd_msr(long cpu, unsigned long msr, int write, uint64_t value)
{
	uint64_t v = value;
	ssize_t n;
	int fd = open_msr(cpu, write ? O_WRONLY : O_RDONLY);

	if (fd < 0)
		return 1;
	if (write)
		n = pwrite(fd, &v, sizeof(v), (off_t)msr);
	else
		n = pread(fd, &v, sizeof(v), (off_t)msr);
	if (n == (ssize_t)sizeof(v))
		printf("cpu=%ld msr=0x%lx op=%s result=ok value=0x%llx\n", cpu,
		       msr, write ? "write" : "read", (unsigned long long)v);
	else
		printf("cpu=%ld msr=0x%lx op=%s result=error errno=%d (%s)\n",
		       cpu, msr, write ? "write" : "read", errno,
		       strerror(errno));
	close(fd);
	return 0;
}

/* Reads all of /proc/cpuinfo; returns its size. */
static long read_cpuinfo(void)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int fd = open("/proc/cpuinfo", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return total;
}

/* One round: a child process, a file written and read back, syscalls. */
static int round_once(int r, long *syscalls)
{
	char name[64], buf[8192], back[8192];
	int fd, status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	snprintf(name, sizeof(name), "/tmp/probe.%d", r);
	memset(buf, 'a' + r % 26, sizeof(buf));
	fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0 ||
	    pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
	    memcmp(buf, back, sizeof(buf)) != 0)
		return -1;
	close(fd);
	unlink(name);
	for (int i = 0; i < 100; i++)
		(void)syscall(SYS_getppid);
	*syscalls += 100 + 8;
	return read_cpuinfo() > 0 ? 0 : -1;
}

static int cmd_workload(long rounds)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), syscalls = 0, r;

	for (r = 0; r < rounds; r++) {
		if (pin(r % ncpu) || round_once((int)r, &syscalls)) {
			printf("workload=fail round=%ld errno=%d (%s)\n", r,
			       errno, strerror(errno));
			return 1;
		}
	}
	printf("workload=ok rounds=%ld cpus=%ld processes=%ld syscalls=%ld\n",
	       rounds, ncpu, rounds, syscalls);
	return 0;
}

/*
 * A VM next to Flank: result=ok (a VM exists), or result=error with the
 * errno of the step that failed (no /dev/kvm when no KVM module holds
 * VT-x; KVM_CREATE_VM failing when KVM could not enable VT-x).
 */
static int cmd_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), api, vm;

	if (fd < 0) {
		printf("kvm=absent result=error errno=%d (%s)\n", errno,
		       strerror(errno));
		return 0;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		printf("kvm=present api=%d result=error errno=%d (%s)\n", api,
		       errno, strerror(errno));
	else
		printf("kvm=present api=%d result=ok\n", api);
	if (vm >= 0)
		close(vm);
	close(fd);
	return 0;
}

/*
 * A task with an I/O bitmap: the OUTB runs in a child, so that a #GP
 * (delivered as SIGSEGV) is reported instead of ending the probe.
 */
static int cmd_ioperm(long cpu)
{
	const char *what = "other";
	int status = 0;
	pid_t pid;

	if (pin(cpu))
		return 1;
	pid = fork();
	if (pid < 0) {
		printf("cpu=%ld error=fork errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (ioperm(0x80, 1, 1))
			_exit(3);
		outb(0, 0x80);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("cpu=%ld error=waitpid errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		printf("cpu=%ld error=ioperm\n", cpu);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		what = "ok";
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		what = "fault";
	printf("cpu=%ld running_on=%d ioperm=%s status=0x%x\n", cpu,
	       sched_getcpu(), what, (unsigned)status);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cpuid"))
		return cmd_cpuid(strtol(argv[2], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "rdmsr"))
		return cmd_msr(strtol(argv[2], NULL, 0),
			       strtoul(argv[3], NULL, 0), 0, 0);
	if (argc == 5 && !strcmp(argv[1], "wrmsr"))
		return cmd_msr(strtol(argv[2], NULL, 0),
			       strtoul(argv[3], NULL, 0), 1,
			       strtoull(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "workload"))
		return cmd_workload(strtol(argv[2], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "kvm"))
		return cmd_kvm();
	if (argc == 3 && !strcmp(argv[1], "ioperm"))
		return cmd_ioperm(strtol(argv[2], NULL, 0));
	fprintf(stderr, "usage: flank-probe cpuid CPU | rdmsr CPU MSR | "
			"wrmsr CPU MSR VALUE | workload ROUNDS | kvm | "
			"ioperm CPU\n");
	return 2;
}
