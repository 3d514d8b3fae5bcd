package dev.vmm.cpu;

/**
 * A 32-bit CPUID register that holds x86 feature flags: QEMU's "feature word" (target/i386/cpu.c
 * feature_word_info). Only the words {@link X86Feature} names are listed.
 */
public enum X86FeatureWord {
    CPUID_1_EDX(0x1, -1, "EDX"),
    CPUID_1_ECX(0x1, -1, "ECX"),
    CPUID_7_0_EBX(0x7, 0, "EBX"),
    CPUID_7_0_ECX(0x7, 0, "ECX"),
    CPUID_7_0_EDX(0x7, 0, "EDX"),
    CPUID_80000001_EDX(0x80000001, -1, "EDX"),
    CPUID_80000001_ECX(0x80000001, -1, "ECX"),
    CPUID_D_1_EAX(0xd, 1, "EAX");

    private final int leaf;
    private final int subleaf;
    private final String register;

    X86FeatureWord(int leaf, int subleaf, String register) {
        this.leaf = leaf;
        this.subleaf = subleaf;
        this.register = register;
    }

    public int leaf() { return leaf; }
    /** The ECX input, or -1 when the leaf has no sub-leaves. */
    public int subleaf() { return subleaf; }
    public String register() { return register; }

    /**
     * QEMU 7.2's words in warnings (feature_word_description): "CPUID.07H:EBX", the sub-leaf not named
     * (later QEMU releases write "CPUID[eax=07h,ecx=00h].EBX"; vmm follows the QEMU it is compared with).
     */
    public String qemuDescription() {
        return String.format("CPUID.%02XH:%s", leaf, register);
    }

    /** This word's entry in a KVM CPUID list; sub-leaf 0 stands for leaves without sub-leaves. */
    public boolean matches(CpuidEntry e) {
        return e.function() == leaf && (subleaf < 0 || e.index() == subleaf);
    }

    public int read(CpuidEntry e) {
        switch (register) {
            case "EAX": return e.eax();
            case "EBX": return e.ebx();
            case "ECX": return e.ecx();
            default: return e.edx();
        }
    }

    public CpuidEntry write(CpuidEntry e, int value) {
        switch (register) {
            case "EAX": return e.withRegisters(value, e.ebx(), e.ecx(), e.edx());
            case "EBX": return e.withRegisters(e.eax(), value, e.ecx(), e.edx());
            case "ECX": return e.withRegisters(e.eax(), e.ebx(), value, e.edx());
            default: return e.withRegisters(e.eax(), e.ebx(), e.ecx(), value);
        }
    }
}
