package dev.vmm.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Text for {@code vmm cpuid}: every leaf the guest sees; the KVM leaves and the x86 feature words
 * ({@link X86FeatureWord}) decoded bit by bit.
 */
public final class CpuidReport {
    private CpuidReport() {
    }

    public static String render(List<CpuidEntry> entries) {
        StringBuilder sb = new StringBuilder();
        sb.append("leaf       sub  eax        ebx        ecx        edx\n");
        for (CpuidEntry e : entries) {
            sb.append(String.format("0x%08x 0x%02x 0x%08x 0x%08x 0x%08x 0x%08x%n",
                    e.function(), e.index(), e.eax(), e.ebx(), e.ecx(), e.edx()));
            for (X86FeatureWord w : X86FeatureWord.values()) {
                if (w.matches(e)) decodeX86(sb, w, w.read(e));
            }
            if (e.function() == PvFeature.KVM_CPUID_SIGNATURE) {
                sb.append(String.format("    max leaf 0x%08x, signature \"%s\"%n", e.eax(),
                        signature(e.ebx(), e.ecx(), e.edx())));
            } else if (e.function() == PvFeature.KVM_CPUID_FEATURES) {
                decode(sb, "EAX", PvFeature.Register.EAX, e.eax());
                decode(sb, "EDX", PvFeature.Register.EDX, e.edx());
            }
        }
        return sb.toString();
    }

    /** Every known bit (on or off), then unknown bits that are set. */
    private static void decode(StringBuilder sb, String regName, PvFeature.Register reg, int value) {
        for (int b = 0; b < 32; b++) {
            boolean on = (value & (1 << b)) != 0;
            var f = PvFeature.byBit(reg, b);
            if (f.isPresent()) {
                sb.append(line(regName, b, f.get().qemuName(), on));
            } else if (on) {
                sb.append(line(regName, b, "(unknown)", true));
            }
        }
    }

    /** Every named flag of the word, on or off; unnamed bits are not printed (they are in the hex). */
    private static void decodeX86(StringBuilder sb, X86FeatureWord w, int value) {
        for (X86Feature f : X86Feature.inWord(w)) {
            sb.append(line(w.register(), f.bit(), f.name(), (value & f.mask()) != 0));
        }
    }

    private static String line(String reg, int bit, String name, boolean on) {
        return String.format("    %s bit %2d %-22s %s%n", reg, bit, name, on ? "on" : "off");
    }

    /** Printable part of the 12-byte signature; NULs end it. */
    static String signature(int ebx, int ecx, int edx) {
        ByteBuffer buf = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(ebx).putInt(ecx).putInt(edx);
        String s = new String(buf.array(), StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
