package dev.vmm.kvm;

import com.sun.jna.Pointer;

/** {@code struct kvm_dtable} (16 bytes): base u64@0, limit u16@8, padding u16[3]. GDT/IDT register. */
public record Dtable(long base, int limit) {
    public static final int SIZE = 16;

    static Dtable read(Pointer p, long o) {
        return new Dtable(p.getLong(o), p.getShort(o + 8) & 0xffff);
    }

    void write(Pointer p, long o) {
        p.setLong(o, base);
        p.setShort(o + 8, (short) limit);
        p.setShort(o + 10, (short) 0);
        p.setInt(o + 12, 0);
    }
}
