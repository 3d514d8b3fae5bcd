package dev.vmm.cpu;

import java.util.Locale;
import java.util.Optional;

/**
 * KVM paravirtual features as QEMU's {@code -cpu} spells them (leaf 0x40000001), plus the
 * non-CPUID switch {@code kvm-pv-enforce-cpuid}.
 *
 * <p>Facts: /work/shared/pv-features.md (Linux Documentation/virt/kvm/x86/cpuid.rst, QEMU
 * target/i386/cpu.c kvm_default_props).
 */
public enum PvFeature {
    // kvmclock is one QEMU flag covering both the legacy (bit 0) and the new MSR pair (bit 3).
    KVMCLOCK("kvmclock", Register.EAX, (1 << 0) | (1 << 3), true, "2.6.26", false,
            "pvclock wall/system time via MSRs 0x11/0x12 (bit 0) and 0x4b564d00/01 (bit 3)"),
    NOPIODELAY("kvm-nopiodelay", Register.EAX, 1 << 1, true, "2.6.26", false,
            "guest may skip port 0x80 I/O delays"),
    MMU("kvm-mmu", Register.EAX, 1 << 2, false, "", true,
            "paravirtual MMU operations (obsolete, no interface left)"),
    ASYNCPF("kvm-asyncpf", Register.EAX, 1 << 4, true, "2.6.38", false,
            "async page faults via MSR 0x4b564d02"),
    STEAL_TIME("kvm-steal-time", Register.EAX, 1 << 5, true, "3.1", false,
            "steal time accounting via MSR 0x4b564d03"),
    PV_EOI("kvm-pv-eoi", Register.EAX, 1 << 6, true, "3.10", false,
            "paravirtual end-of-interrupt via MSR 0x4b564d04"),
    PV_UNHALT("kvm-pv-unhalt", Register.EAX, 1 << 7, false, "3.12", false,
            "paravirtual spinlock kick (hypercall 5 KICK_CPU); needs in-kernel irqchip"),
    PV_TLB_FLUSH("kvm-pv-tlb-flush", Register.EAX, 1 << 9, false, "4.16", false,
            "deferred TLB flush of preempted vCPUs via steal-time preempted byte"),
    ASYNCPF_VMEXIT("kvm-asyncpf-vmexit", Register.EAX, 1 << 10, false, "", false,
            "async page faults delivered as #PF vmexits to a nested hypervisor (APF_EN bit 2)"),
    PV_IPI("kvm-pv-ipi", Register.EAX, 1 << 11, false, "4.19", false,
            "multicast IPIs via hypercall 10 SEND_IPI"),
    POLL_CONTROL("kvm-poll-control", Register.EAX, 1 << 12, false, "5.10", false,
            "guest controls host halt-polling via MSR 0x4b564d05"),
    PV_SCHED_YIELD("kvm-pv-sched-yield", Register.EAX, 1 << 13, false, "5.10", false,
            "yield to a preempted vCPU via hypercall 11 SCHED_YIELD"),
    ASYNCPF_INT("kvm-asyncpf-int", Register.EAX, 1 << 14, false, "5.10", false,
            "async page-ready notification as an interrupt via MSRs 0x4b564d06/07"),
    // Default depends on the irqchip mode: see defaultOn(IrqchipMode).
    MSI_EXT_DEST_ID("kvm-msi-ext-dest-id", Register.EAX, 1 << 15, false, "5.10", false,
            "MSI address bits 11:5 carry destination APIC ID bits 14:8"),
    KVMCLOCK_STABLE_BIT("kvmclock-stable-bit", Register.EAX, 1 << 24, true, "2.6.35", false,
            "guest may trust the pvclock TSC_STABLE flag"),
    // The only hint (leaf 0x40000001 EDX): never enabled automatically, the user asserts it.
    HINT_DEDICATED("kvm-hint-dedicated", Register.EDX, 1 << 0, false, "4.17", false,
            "hint KVM_HINTS_REALTIME: vCPUs are never preempted (dedicated pCPUs)"),
    // Not a CPUID bit: KVM_ENABLE_CAP(KVM_CAP_ENFORCE_PV_FEATURE_CPUID) on every vCPU.
    PV_ENFORCE_CPUID("kvm-pv-enforce-cpuid", Register.NONE, 0, false, "5.10", false,
            "KVM refuses PV MSRs/hypercalls whose CPUID bit is clear (not a CPUID bit)");

    /** Where the feature lives in leaf 0x40000001; NONE for switches that are not CPUID bits. */
    public enum Register { EAX, EDX, NONE }

    /** The PV feature leaf. */
    public static final int KVM_CPUID_SIGNATURE = 0x40000000;
    public static final int KVM_CPUID_FEATURES = 0x40000001;

    private final String qemuName;
    private final Register register;
    private final int mask;
    private final boolean defaultOnNamedModels;
    private final String sinceLinux;
    private final boolean deprecated;
    private final String description;

    PvFeature(String qemuName, Register register, int mask, boolean defaultOnNamedModels,
              String sinceLinux, boolean deprecated, String description) {
        this.qemuName = qemuName;
        this.register = register;
        this.mask = mask;
        this.defaultOnNamedModels = defaultOnNamedModels;
        this.sinceLinux = sinceLinux;
        this.deprecated = deprecated;
        this.description = description;
    }

    public String qemuName() { return qemuName; }
    public Register register() { return register; }
    /** Bits in {@link #register()}; 0 for {@link Register#NONE}. */
    public int mask() { return mask; }
    public boolean isCpuidBit() { return register != Register.NONE; }
    public boolean isHint() { return register == Register.EDX; }
    /** Linux version that introduced it; empty when not recorded. */
    public String sinceLinux() { return sinceLinux; }
    public boolean deprecated() { return deprecated; }
    public String description() { return description; }

    /** Default on named models (kvm64, qemu64); msi-ext-dest-id follows the irqchip mode. */
    public boolean defaultOn(IrqchipMode mode) {
        if (this == MSI_EXT_DEST_ID) {
            return mode == IrqchipMode.SPLIT;
        }
        return defaultOnNamedModels;
    }

    /** "0", "0,3", "11": bit numbers for tables and reports. */
    public String bitList() {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < 32; b++) {
            if ((mask & (1 << b)) != 0) {
                if (sb.length() > 0) sb.append(',');
                sb.append(b);
            }
        }
        return sb.toString();
    }

    /** QEMU accepts '_' for '-' in property names; we do the same. */
    public static String normalize(String name) {
        return name.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    public static Optional<PvFeature> byName(String name) {
        String n = normalize(name);
        for (PvFeature f : values()) {
            if (f.qemuName.equals(n)) return Optional.of(f);
        }
        return Optional.empty();
    }

    /** The feature owning {@code bit} in {@code register}, if any. */
    public static Optional<PvFeature> byBit(Register register, int bit) {
        for (PvFeature f : values()) {
            if (f.register == register && (f.mask & (1 << bit)) != 0) return Optional.of(f);
        }
        return Optional.empty();
    }
}
