package dev.vmm.pv;

import dev.vmm.cpu.PvFeature;
import dev.vmm.kvm.Msr;

import java.util.ArrayList;
import java.util.List;

/**
 * The MSRs of KVM's PV features (Linux Documentation/virt/kvm/x86/msr.rst; facts in
 * /work/shared/pv-features.md): index, Linux's name, and the CPUID feature that gates it under
 * kvm-pv-enforce-cpuid.
 */
public enum PvMsr {
    WALL_CLOCK(0x11, "MSR_KVM_WALL_CLOCK", PvFeature.KVMCLOCK),
    SYSTEM_TIME(0x12, "MSR_KVM_SYSTEM_TIME", PvFeature.KVMCLOCK),
    WALL_CLOCK_NEW(0x4b564d00, "MSR_KVM_WALL_CLOCK_NEW", PvFeature.KVMCLOCK),
    SYSTEM_TIME_NEW(0x4b564d01, "MSR_KVM_SYSTEM_TIME_NEW", PvFeature.KVMCLOCK),
    ASYNC_PF_EN(0x4b564d02, "MSR_KVM_ASYNC_PF_EN", PvFeature.ASYNCPF),
    STEAL_TIME(0x4b564d03, "MSR_KVM_STEAL_TIME", PvFeature.STEAL_TIME),
    PV_EOI_EN(0x4b564d04, "MSR_KVM_PV_EOI_EN", PvFeature.PV_EOI),
    POLL_CONTROL(0x4b564d05, "MSR_KVM_POLL_CONTROL", PvFeature.POLL_CONTROL),
    ASYNC_PF_INT(0x4b564d06, "MSR_KVM_ASYNC_PF_INT", PvFeature.ASYNCPF_INT),
    ASYNC_PF_ACK(0x4b564d07, "MSR_KVM_ASYNC_PF_ACK", PvFeature.ASYNCPF_INT);

    private final int index;
    private final String linuxName;
    private final PvFeature feature;

    PvMsr(int index, String linuxName, PvFeature feature) {
        this.index = index;
        this.linuxName = linuxName;
        this.feature = feature;
    }

    public int index() {
        return index;
    }

    public String linuxName() {
        return linuxName;
    }

    public PvFeature feature() {
        return feature;
    }

    /** Whether the MSR value carries an enable bit 0 with a guest physical address above it. */
    public boolean isGpaWithEnable() {
        return this == SYSTEM_TIME || this == SYSTEM_TIME_NEW || this == ASYNC_PF_EN || this == STEAL_TIME
                || this == PV_EOI_EN;
    }

    /**
     * QEMU's value for this MSR after a reset (kvm_arch_reset_vcpu / kvm_put_msrs): 0, which
     * turns the feature off, except MSR_KVM_POLL_CONTROL, which goes to 1 (host-side polling on).
     */
    public long resetValue() {
        return this == POLL_CONTROL ? 1 : 0;
    }

    /** Every PV MSR with its {@link #resetValue()}. */
    public static List<Msr> resetValues() {
        List<Msr> out = new ArrayList<>();
        for (PvMsr m : values()) {
            out.add(new Msr(m.index, m.resetValue()));
        }
        return out;
    }

    public static PvMsr byIndex(int index) {
        for (PvMsr m : values()) {
            if (m.index == index) return m;
        }
        return null;
    }
}
