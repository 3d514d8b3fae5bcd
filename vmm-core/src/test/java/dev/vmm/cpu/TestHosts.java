package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.List;

/** Synthetic KVM_GET_SUPPORTED_CPUID lists. */
final class TestHosts {
    /** What a modern KVM reports in 0x40000001 EAX: bits 0,1,3-7,9-14,24. */
    static final int FULL_KVM_EAX = 0x01007EFB;

    private TestHosts() {
    }

    static List<CpuidEntry> host(int kvmEax, boolean x2apic) {
        List<CpuidEntry> l = new ArrayList<>();
        l.add(new CpuidEntry(0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69));
        l.add(new CpuidEntry(1, 0, 0, 0x000906ea, 0x00010800, 0x7ffafbff & ~(x2apic ? 0 : 1 << 21)
                & 0x7fffffff, 0xbfebfbff));
        l.add(new CpuidEntry(0xb, 0, 1, 0x1, 0x1, 0x100, 0));
        l.add(new CpuidEntry(0xb, 1, 1, 0x4, 0x4, 0x201, 0));
        l.add(new CpuidEntry(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d));
        l.add(new CpuidEntry(0x40000001, 0, 0, kvmEax, 0, 0, 0));
        l.add(new CpuidEntry(0x80000000, 0, 0, 0x80000008, 0, 0, 0));
        // syscall, nx, lm; lahf_lm: what every x86-64 host has, and kvm64 asks for
        l.add(new CpuidEntry(0x80000001, 0, 0, 0, 0, 0x1, (1 << 11) | (1 << 20) | (1 << 29)));
        return l;
    }

    static List<CpuidEntry> full() {
        return host(FULL_KVM_EAX, true);
    }

    static CpuidEntry leaf(List<CpuidEntry> entries, int function) {
        return entries.stream().filter(e -> e.function() == function).findFirst().orElse(null);
    }
}
