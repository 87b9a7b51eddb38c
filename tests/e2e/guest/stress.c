// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-stress: the guest-side programs of the stress scenario
 * (tests/e2e/guest/stress.sh; static, runs in the initramfs). Each command
 * prints one machine-readable line of "key=value" pairs and exits 0 when it
 * could measure, 1 when it could not or the measurement failed.
 *
 *   flank-stress nmistorm CPU COUNT [spin|slow]
 *                                     COUNT NMIs to CPU (flank.ko's test-only
 *                                     test_nmi_storm) while a child runs a
 *                                     CPUID loop pinned there: under Flank
 *                                     every CPUID exits, and the loop spins
 *                                     between them, so NMIs land in VMX root
 *                                     and in non-root; spin: no CPUID (no
 *                                     exit); slow: one CPUID per 2^17 spins
 *   flank-stress waitpkg ROUNDS       UMONITOR/UMWAIT/TPAUSE in user mode,
 *                                     ROUNDS times each; a #UD (SIGILL) is
 *                                     counted, never fatal
 *   flank-stress kvm                  opens /dev/kvm and goes as far as it
 *                                     can: KVM_CREATE_VM, KVM_CREATE_VCPU,
 *                                     one page of guest memory holding HLT,
 *                                     KVM_RUN (expects KVM_EXIT_HLT)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#define NMI_PARAM "/sys/module/flank/parameters/test_nmi_storm"
#define CPUID7_ECX_WAITPKG (1u << 5)

/* Pins the calling thread to @p cpu. */
static int pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* A CPU other than @p cpu that this process may run on, or @p cpu. */
static long other_cpu(long cpu)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	for (long c = 0; c < n; c++)
		if (c != cpu && pin(c) == 0)
			return c;
	return cpu;
}

/*
 * What the target runs during a storm: NMI_MIXED, CPUID and then 0 to 255
 * rounds of a spin (NMIs find it in VMX root and non-root); NMI_SPIN, the
 * spin alone (no exit at all: every NMI must reach the guest); NMI_SLOW,
 * one CPUID per 2^17 rounds (an NMI long after an exit must reach the
 * guest, not wait for the next exit).
 */
enum nmi_mode { NMI_MIXED, NMI_SPIN, NMI_SLOW };

static unsigned spins(enum nmi_mode mode, unsigned i)
{
	return mode == NMI_SLOW ? 1u << 17 : i & 255;
}

static int cmd_nmistorm(long cpu, long count, enum nmi_mode mode)
{
	char buf[256];
	ssize_t n;
	pid_t child;
	long sender;
	int fd, status, werr = 0;

	child = fork();
	if (child < 0) {
		printf("nmistorm=fail error=fork errno=%d\n", errno);
		return 1;
	}
	if (child == 0) {
		unsigned a, b, c, d;

		/*
		 * CPUID (an exit: time in VMX root), then 0 to 255 rounds of
		 * a loop that never exits (time in non-root): an NMI finds
		 * the CPU in either. Offline CPU: the loop runs elsewhere.
		 */
		(void)pin(cpu);
		for (unsigned i = 0;; i++) {
			if (mode != NMI_SPIN)
				__cpuid(0, a, b, c, d);
			for (volatile unsigned k = 0; k < spins(mode, i);
			     k = k + 1)
				;
		}
	}
	sender = other_cpu(cpu);
	fd = open(NMI_PARAM, O_RDWR);
	if (fd < 0) {
		printf("nmistorm=fail error=open errno=%d (%s)\n", errno,
		       strerror(errno));
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return 1;
	}
	n = snprintf(buf, sizeof(buf), "%ld %ld\n", cpu, count);
	if (write(fd, buf, (size_t)n) != n)
		werr = errno;
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("nmistorm=%s cpu=%ld from=%ld %s errno=%d\n",
	       werr ? "fail" : "ok", cpu, sender, buf, werr);
	return werr ? 1 : 0;
}

static sigjmp_buf ud_jump;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(ud_jump, 1);
}

static volatile uint64_t monitored;

/*
 * One UMONITOR/UMWAIT and one TPAUSE, each with a deadline 20000 TSC ticks
 * ahead (the kernel's IA32_UMWAIT_CONTROL caps the wait anyway); state 1:
 * C0.1, the light one. Returns nonzero when a wait ended by the deadline.
 */
__attribute__((target("waitpkg"))) static int waitpkg_once(void)
{
	int r;

	_umonitor((void *)&monitored);
	r = _umwait(1, __rdtsc() + 20000);
	r += _tpause(1, __rdtsc() + 20000);
	return r;
}

static int cmd_waitpkg(long rounds)
{
	struct sigaction sa = {.sa_handler = on_sigill};
	volatile long ud = 0, done = 0, expired = 0;
	unsigned a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) ||
	    !(c & CPUID7_ECX_WAITPKG)) {
		printf("waitpkg=absent result=skipped\n");
		return 0;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, NULL);
	for (long r = 0; r < rounds; r++) {
		if (sigsetjmp(ud_jump, 1)) {
			ud = ud + 1;
			continue;
		}
		expired = expired + waitpkg_once();
		done = done + 1;
	}
	printf("waitpkg=present rounds=%ld done=%ld ud=%ld expired=%ld "
	       "result=%s\n",
	       rounds, (long)done, (long)ud, (long)expired, ud ? "fail" : "ok");
	return ud ? 1 : 0;
}

/* The guest's code at 0x1000: HLT. */
#define KVM_GUEST_CODE 0x1000

static int kvm_fail(const char *step, const char *done)
{
	printf("kvm=present %sresult=error step=%s errno=%d (%s)\n", done, step,
	       errno, strerror(errno));
	return 0;
}

/*
 * As far as KVM lets a user go: result=ok only when KVM_RUN ran the guest
 * to its HLT. Every failure is reported with the step and errno, exit 0:
 * what it means (a clean refusal, or a broken host) is the check's call.
 */
static int cmd_kvm(void)
{
	struct kvm_userspace_memory_region region = {0};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {0};
	struct kvm_run *run;
	uint8_t *mem;
	int kvm, vm, vcpu, size;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("kvm=absent result=error step=open errno=%d (%s)\n",
		       errno, strerror(errno));
		return 0;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return kvm_fail("create_vm", "");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return kvm_fail("create_vcpu", "create_vm=ok ");
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return kvm_fail("mmap", "create_vm=ok create_vcpu=ok ");
	mem[KVM_GUEST_CODE] = 0xf4;
	region.memory_size = 0x10000;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return kvm_fail("memory", "create_vm=ok create_vcpu=ok ");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return kvm_fail("mmap_size", "create_vm=ok create_vcpu=ok ");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
		   0);
	if (run == MAP_FAILED)
		return kvm_fail("mmap_run", "create_vm=ok create_vcpu=ok ");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return kvm_fail("get_sregs", "create_vm=ok create_vcpu=ok ");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		return kvm_fail("set_sregs", "create_vm=ok create_vcpu=ok ");
	regs.rip = KVM_GUEST_CODE;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		return kvm_fail("set_regs", "create_vm=ok create_vcpu=ok ");
	/* Bounded: a guest that never halts ends the run with EINTR. */
	alarm(60);
	if (ioctl(vcpu, KVM_RUN, 0))
		return kvm_fail("run", "create_vm=ok create_vcpu=ok ");
	alarm(0);
	printf("kvm=present create_vm=ok create_vcpu=ok run=ok exit_reason=%u "
	       "result=%s\n",
	       run->exit_reason,
	       run->exit_reason == KVM_EXIT_HLT ? "ok" : "error");
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int usage(void)
{
	fprintf(stderr, "usage: flank-stress nmistorm CPU COUNT [spin|slow] | "
			"waitpkg ROUNDS | kvm\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_alarm};

	/* SIGALRM interrupts KVM_RUN (EINTR) instead of killing us. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "nmistorm")) {
		enum nmi_mode mode = NMI_MIXED;

		if (argc == 5 && !strcmp(argv[4], "spin"))
			mode = NMI_SPIN;
		else if (argc == 5 && !strcmp(argv[4], "slow"))
			mode = NMI_SLOW;
		else if (argc == 5)
			return usage();
		return cmd_nmistorm(strtol(argv[2], NULL, 0),
				    strtol(argv[3], NULL, 0), mode);
	}
	if (argc == 3 && !strcmp(argv[1], "waitpkg"))
		return cmd_waitpkg(strtol(argv[2], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "kvm"))
		return cmd_kvm();
	return usage();
}
