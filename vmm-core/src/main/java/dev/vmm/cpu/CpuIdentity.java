package dev.vmm.cpu;

/**
 * What a resolved {@code -cpu} says about who the CPU is, beyond its flags: each field replaces the
 * host's value in CPUID, {@code null} keeps the host's (as {@code -cpu host} does).
 *
 * @param vendor   12-character vendor string (leaf 0 and 0x80000000 EBX/EDX/ECX); QEMU under KVM keeps
 *                 the host's unless {@code vendor=} is given, even for named models
 * @param family   CPUID.1:EAX family
 * @param model    CPUID.1:EAX model
 * @param stepping CPUID.1:EAX stepping
 * @param level    CPUID.0:EAX, the highest basic leaf; leaves above it are dropped
 * @param xlevel   CPUID.80000000h:EAX, the highest extended leaf; leaves above it are dropped
 * @param modelId  brand string for leaves 0x80000002..4
 * @param physBits CPUID.80000008h:EAX[7:0]
 * @param pmu      QEMU's {@code pmu}: false zeroes leaf 0xA (no architectural PMU for the guest)
 */
public record CpuIdentity(String vendor, Integer family, Integer model, Integer stepping, Integer level,
                          Integer xlevel, String modelId, Integer physBits, boolean pmu) {

    /** QEMU's CPUID.1:EAX: family above 15 goes to extended family (bits 27:20), model's high nibble to 19:16. */
    public static int signature(int family, int model, int stepping) {
        int eax = stepping & 0xf;
        eax |= (model & 0xf) << 4 | ((model >> 4) & 0xf) << 16;
        if (family > 0xf) {
            eax |= 0xf << 8 | (family - 0xf) << 20;
        } else {
            eax |= family << 8;
        }
        return eax;
    }

    /** The vendor string as CPUID's EBX, EDX, ECX (little-endian, four characters each). */
    public static int[] vendorWords(String vendor) {
        int[] w = new int[3];
        for (int i = 0; i < 12; i++) w[i / 4] |= (vendor.charAt(i) & 0xff) << (8 * (i % 4));
        return w;
    }

    /** The brand string as the 12 registers of leaves 0x80000002..4, zero-padded to 48 bytes. */
    public static int[] brandWords(String modelId) {
        int[] w = new int[12];
        byte[] b = modelId.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(b.length, 48); i++) w[i / 4] |= (b[i] & 0xff) << (8 * (i % 4));
        return w;
    }
}
