package dev.vmm.kvm;

import com.sun.jna.Memory;
import dev.vmm.cpu.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/** Converts between {@code struct kvm_cpuid2} in native memory and {@link CpuidEntry}. */
final class Cpuid2 {
    private Cpuid2() {}

    static Memory allocate(int nent) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_CPUID2 + (long) nent * Ioctls.SIZEOF_KVM_CPUID_ENTRY2);
        m.clear();
        m.setInt(0, nent);
        return m;
    }

    static List<CpuidEntry> read(Memory m) {
        int n = m.getInt(0);
        List<CpuidEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = Ioctls.SIZEOF_KVM_CPUID2 + (long) i * Ioctls.SIZEOF_KVM_CPUID_ENTRY2;
            out.add(new CpuidEntry(m.getInt(o), m.getInt(o + 4), m.getInt(o + 8), m.getInt(o + 12),
                    m.getInt(o + 16), m.getInt(o + 20), m.getInt(o + 24)));
        }
        return List.copyOf(out);
    }

    static Memory write(List<CpuidEntry> entries) {
        Memory m = allocate(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            long o = Ioctls.SIZEOF_KVM_CPUID2 + (long) i * Ioctls.SIZEOF_KVM_CPUID_ENTRY2;
            m.setInt(o, e.function());
            m.setInt(o + 4, e.index());
            m.setInt(o + 8, e.flags());
            m.setInt(o + 12, e.eax());
            m.setInt(o + 16, e.ebx());
            m.setInt(o + 20, e.ecx());
            m.setInt(o + 24, e.edx());
        }
        return m;
    }
}
