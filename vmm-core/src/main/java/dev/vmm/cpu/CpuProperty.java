package dev.vmm.cpu;

import java.util.Optional;

/**
 * A {@code -cpu} property that takes a value rather than on/off: QEMU's X86CPU properties of the same
 * names (target/i386/cpu.c, QEMU 7.2), with QEMU's ranges and error texts.
 */
public enum CpuProperty {
    /** 12 characters, CPUID.0 EBX/EDX/ECX and 0x80000000 EBX/EDX/ECX. */
    VENDOR("vendor", -1, -1),
    /** Encoded into CPUID.1:EAX as family 0xF plus extended family above 15, hence 0..0xFF+0xF. */
    FAMILY("family", 0, 0xff + 0xf),
    MODEL("model", 0, 0xff),
    STEPPING("stepping", 0, 0xf),
    /** CPUID.0:EAX; set by hand it is taken as is, without QEMU's automatic raise for features. */
    LEVEL("level", 0, 0xffffffffL),
    XLEVEL("xlevel", 0, 0xffffffffL),
    /** The 48-byte brand string of leaves 0x80000002..4. */
    MODEL_ID("model-id", -1, -1),
    /** CPUID.80000008h:EAX[7:0]; QEMU refuses values outside 32..52 (TARGET_PHYS_ADDR_SPACE_BITS). */
    PHYS_BITS("phys-bits", 0, 0xff),
    /** With host-phys-bits: at most this many bits (0 = no limit). */
    HOST_PHYS_BITS_LIMIT("host-phys-bits-limit", 0, 0xff);

    private final String qemuName;
    private final long min;
    private final long max;

    CpuProperty(String qemuName, long min, long max) {
        this.qemuName = qemuName;
        this.min = min;
        this.max = max;
    }

    public String qemuName() {
        return qemuName;
    }

    public static Optional<CpuProperty> byName(String normalized) {
        for (CpuProperty p : values()) {
            if (p.qemuName.equals(normalized)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Throws QEMU's message for a value this property does not take. */
    void check(String value) {
        if (this == VENDOR) {
            if (value.length() != 12) throw bad(value);
            return;
        }
        if (this == MODEL_ID) return;
        long v = number(value);
        if (v < min || v > max) {
            throw new CpuModelException(String.format("Property .%s doesn't take value %d (minimum: %d, maximum: %d)",
                    qemuName, v, min, max));
        }
        if (this == PHYS_BITS && v != 0 && (v < 32 || v > 52)) {
            throw new CpuModelException("phys-bits should be between 32 and 52 (but is " + v + ")");
        }
    }

    /** The value as a number; QEMU's integer properties take decimal, 0x hex and 0 octal. */
    public long number(String value) {
        try {
            String v = value.trim();
            if (v.startsWith("0x") || v.startsWith("0X")) return Long.parseLong(v.substring(2), 16);
            if (v.length() > 1 && v.startsWith("0")) return Long.parseLong(v.substring(1), 8);
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CpuModelException("Parameter '" + qemuName + "' expects an integer");
        }
    }

    private CpuModelException bad(String value) {
        return new CpuModelException("Property '." + qemuName + "' doesn't take value '" + value + "'");
    }
}
