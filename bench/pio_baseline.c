/*
 * Baseline for the PIO exit benchmark: the same guest as dev.vmm.bench.PioExitBenchmark
 * (a 32-bit loop doing N writes to port 0x80, then a write to 0xf4), driven by a bare C
 * KVM_RUN loop. Prints nanoseconds per exit of the best of R runs.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static double run_once(int kvm, int n) {
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0) die("KVM_SET_TSS_ADDR");
    if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) die("KVM_CREATE_IRQCHIP");
    size_t size = 2 << 20;
    unsigned char *mem = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    struct kvm_userspace_memory_region region = {0, 0, 0, size, (unsigned long)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
    unsigned char code[] = {0xb9, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff, /* mov ecx, n */
                            0x66, 0xba, 0x80, 0x00,                                             /* mov dx, 0x80 */
                            0xee, 0x49, 0x75, 0xfc,                                             /* out; dec; jnz */
                            0x31, 0xc0, 0xe7, 0xf4, 0xf4};                                      /* out 0xf4; hlt */
    memcpy(mem + 0x100000, code, sizeof code);
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(0, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs s;
    ioctl(vcpu, KVM_GET_SREGS, &s);
    struct kvm_segment cs = {.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11, .present = 1, .db = 1, .s = 1, .g = 1};
    struct kvm_segment ds = cs;
    ds.type = 3;
    ds.selector = 0x10;
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.cr0 |= 1;
    ioctl(vcpu, KVM_SET_SREGS, &s);
    struct kvm_regs r = {0};
    r.rip = 0x100000;
    r.rflags = 2;
    ioctl(vcpu, KVM_SET_REGS, &r);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long exits = 0;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason != KVM_EXIT_IO) { fprintf(stderr, "unexpected exit %d\n", run->exit_reason); exit(1); }
        if (run->io.port == 0xf4) break;
        exits++;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    close(vcpu);
    close(vm);
    munmap(mem, size);
    if (exits != n) { fprintf(stderr, "expected %d exits, saw %ld\n", n, exits); exit(1); }
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    int kvm = open("/dev/kvm", O_RDWR);
    if (kvm < 0) die("/dev/kvm");
    double best = 1e18;
    for (int i = 0; i < repeats; i++) {
        double ns = run_once(kvm, n);
        if (ns < best) best = ns;
    }
    printf("%.1f\n", best);
    return 0;
}
