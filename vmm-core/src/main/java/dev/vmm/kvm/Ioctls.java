package dev.vmm.kvm;

import dev.vmm.host.IoctlNumber;

/**
 * ioctl request numbers and capability numbers from {@code <linux/kvm.h>}.
 *
 * <p>Request numbers are computed with the kernel's {@code _IO/_IOR/_IOW/_IOWR} encoding
 * ({@link IoctlNumber}) from the struct sizes, so a wrong size shows up as a wrong number;
 * StructLayoutTest compares every value here with what gcc
 * computes from the real header.
 */
public final class Ioctls {
    private Ioctls() {}

    /** The KVM ioctl "type" byte. */
    public static final int KVMIO = 0xAE;

    static long io(int nr) {
        return IoctlNumber.io(KVMIO, nr);
    }

    static long ior(int nr, int size) {
        return IoctlNumber.ior(KVMIO, nr, size);
    }

    static long iow(int nr, int size) {
        return IoctlNumber.iow(KVMIO, nr, size);
    }

    static long iowr(int nr, int size) {
        return IoctlNumber.iowr(KVMIO, nr, size);
    }

    // ---- struct sizes (bytes), checked by StructLayoutTest ----
    /** struct kvm_regs: 18 x u64. */
    public static final int SIZEOF_KVM_REGS = 144;
    /** struct kvm_sregs: 8 kvm_segment (24) + 2 kvm_dtable (16) + 7 u64 + u64[4] interrupt bitmap. */
    public static final int SIZEOF_KVM_SREGS = 312;
    /** struct kvm_fpu: fpr[8][16], control words, xmm[16][16], mxcsr, pad. */
    public static final int SIZEOF_KVM_FPU = 416;
    /** struct kvm_lapic_state: char regs[1024]. */
    public static final int SIZEOF_KVM_LAPIC_STATE = 1024;
    /** struct kvm_msrs header: u32 nmsrs, u32 pad (entries follow). */
    public static final int SIZEOF_KVM_MSRS = 8;
    /** struct kvm_msr_entry: u32 index, u32 reserved, u64 data. */
    public static final int SIZEOF_KVM_MSR_ENTRY = 16;
    /** struct kvm_cpuid2 header: u32 nent, u32 padding (entries follow). */
    public static final int SIZEOF_KVM_CPUID2 = 8;
    /** struct kvm_cpuid_entry2: 7 x u32 + u32 padding[3]. */
    public static final int SIZEOF_KVM_CPUID_ENTRY2 = 40;
    /** struct kvm_mp_state: u32 mp_state. */
    public static final int SIZEOF_KVM_MP_STATE = 4;
    /** struct kvm_debugregs: u64 db[4], dr6, dr7, flags, reserved[9]. */
    public static final int SIZEOF_KVM_DEBUGREGS = 128;
    /** struct kvm_userspace_memory_region: u32 slot, u32 flags, u64 gpa, u64 size, u64 userspace_addr. */
    public static final int SIZEOF_KVM_USERSPACE_MEMORY_REGION = 32;
    /** struct kvm_irq_level: u32 irq (union with status), u32 level. */
    public static final int SIZEOF_KVM_IRQ_LEVEL = 8;
    /** struct kvm_pit_config: u32 flags, u32 pad[15]. */
    public static final int SIZEOF_KVM_PIT_CONFIG = 64;
    /** struct kvm_clock_data: u64 clock, u32 flags, u32 pad0, u64 realtime, u64 host_tsc, u32 pad[4]. */
    public static final int SIZEOF_KVM_CLOCK_DATA = 48;
    /** struct kvm_msi: u32 address_lo, address_hi, data, flags, devid, u8 pad[12]. */
    public static final int SIZEOF_KVM_MSI = 32;
    /** struct kvm_enable_cap: u32 cap, u32 flags, u64 args[4], u8 pad[64]. */
    public static final int SIZEOF_KVM_ENABLE_CAP = 104;
    /** struct kvm_signal_mask header: u32 len (sigset bytes follow). */
    public static final int SIZEOF_KVM_SIGNAL_MASK = 4;
    /** __u64, the argument of KVM_SET_IDENTITY_MAP_ADDR. */
    public static final int SIZEOF_U64 = 8;

    // ---- system (/dev/kvm) ioctls ----
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, SIZEOF_KVM_CPUID2);

    // ---- VM ioctls ----
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, SIZEOF_KVM_USERSPACE_MEMORY_REGION);
    public static final long KVM_SET_TSS_ADDR = io(0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(0x48, SIZEOF_U64);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_IRQ_LINE = iow(0x61, SIZEOF_KVM_IRQ_LEVEL);
    public static final long KVM_CREATE_PIT2 = iow(0x77, SIZEOF_KVM_PIT_CONFIG);
    public static final long KVM_GET_CLOCK = ior(0x7c, SIZEOF_KVM_CLOCK_DATA);
    /** struct kvm_irqchip: chip_id u32, pad u32, 512-byte union. */
    public static final int SIZEOF_KVM_IRQCHIP = 520;
    public static final long KVM_GET_IRQCHIP = iowr(0x62, SIZEOF_KVM_IRQCHIP);
    public static final long KVM_SET_IRQCHIP = ior(0x63, SIZEOF_KVM_IRQCHIP);
    /** Also a vCPU ioctl: the fd decides which object the capability is enabled on. */
    public static final long KVM_ENABLE_CAP = iow(0xa3, SIZEOF_KVM_ENABLE_CAP);
    public static final long KVM_SIGNAL_MSI = iow(0xa5, SIZEOF_KVM_MSI);

    // ---- vCPU ioctls ----
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ior(0x81, SIZEOF_KVM_REGS);
    public static final long KVM_SET_REGS = iow(0x82, SIZEOF_KVM_REGS);
    public static final long KVM_GET_SREGS = ior(0x83, SIZEOF_KVM_SREGS);
    public static final long KVM_SET_SREGS = iow(0x84, SIZEOF_KVM_SREGS);
    public static final long KVM_GET_MSRS = iowr(0x88, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_MSRS = iow(0x89, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_SIGNAL_MASK = iow(0x8b, SIZEOF_KVM_SIGNAL_MASK);
    public static final long KVM_GET_FPU = ior(0x8c, SIZEOF_KVM_FPU);
    public static final long KVM_SET_FPU = iow(0x8d, SIZEOF_KVM_FPU);
    public static final long KVM_GET_LAPIC = ior(0x8e, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_LAPIC = iow(0x8f, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_CPUID2 = iow(0x90, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_CPUID2 = iowr(0x91, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_MP_STATE = ior(0x98, SIZEOF_KVM_MP_STATE);
    public static final long KVM_SET_MP_STATE = iow(0x99, SIZEOF_KVM_MP_STATE);
    public static final long KVM_GET_DEBUGREGS = ior(0xa1, SIZEOF_KVM_DEBUGREGS);
    /** Also valid on the VM fd. */
    public static final long KVM_GET_STATS_FD = io(0xce);
    public static final long KVM_SET_GUEST_DEBUG = iow(0x9b, GuestDebug.SIZE);

    // ---- capabilities (KVM_CHECK_EXTENSION arguments) ----
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_MP_STATE = 14;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    public static final int KVM_CAP_MAX_VCPUS = 66;
    public static final int KVM_CAP_SPLIT_IRQCHIP = 121;
    public static final int KVM_CAP_X2APIC_API = 129;
    public static final int KVM_CAP_MAX_VCPU_ID = 128;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_ENFORCE_PV_FEATURE_CPUID = 190;
    public static final int KVM_CAP_BINARY_STATS_FD = 203;
    /** KVM_ENABLE_CAP(KVM_CAP_X2APIC_API) flags: 32-bit x2APIC IDs; no broadcast to ID 0xff in x2APIC mode. */
    public static final long KVM_X2APIC_API_USE_32BIT_IDS = 1, KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK = 2;
    public static final int KVM_CAP_SET_GUEST_DEBUG = 23;
    /** Returns the KVM_GUESTDBG_* flags the host supports. */
    public static final int KVM_CAP_SET_GUEST_DEBUG2 = 195;

    /** The only KVM API version there has ever been in mainline. */
    public static final int KVM_API_VERSION = 12;

    /** Human-readable name of a capability number (for error messages). */
    public static String capabilityName(int cap) {
        switch (cap) {
            case KVM_CAP_IRQCHIP: return "KVM_CAP_IRQCHIP";
            case KVM_CAP_USER_MEMORY: return "KVM_CAP_USER_MEMORY";
            case KVM_CAP_SET_TSS_ADDR: return "KVM_CAP_SET_TSS_ADDR";
            case KVM_CAP_EXT_CPUID: return "KVM_CAP_EXT_CPUID";
            case KVM_CAP_NR_VCPUS: return "KVM_CAP_NR_VCPUS";
            case KVM_CAP_MP_STATE: return "KVM_CAP_MP_STATE";
            case KVM_CAP_PIT2: return "KVM_CAP_PIT2";
            case KVM_CAP_ADJUST_CLOCK: return "KVM_CAP_ADJUST_CLOCK";
            case KVM_CAP_MAX_VCPUS: return "KVM_CAP_MAX_VCPUS";
            case KVM_CAP_MAX_VCPU_ID: return "KVM_CAP_MAX_VCPU_ID";
            case KVM_CAP_SPLIT_IRQCHIP: return "KVM_CAP_SPLIT_IRQCHIP";
            case KVM_CAP_X2APIC_API: return "KVM_CAP_X2APIC_API";
            case KVM_CAP_IMMEDIATE_EXIT: return "KVM_CAP_IMMEDIATE_EXIT";
            case KVM_CAP_ENFORCE_PV_FEATURE_CPUID: return "KVM_CAP_ENFORCE_PV_FEATURE_CPUID";
            case KVM_CAP_BINARY_STATS_FD: return "KVM_CAP_BINARY_STATS_FD";
            default: return "KVM capability " + cap;
        }
    }
}
