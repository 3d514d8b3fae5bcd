package dev.vmm.kvm;

import com.sun.jna.Pointer;

/**
 * {@code struct kvm_segment} (24 bytes): base u64@0, limit u32@8, selector u16@12, then one
 * byte each for type@14, present, dpl, db, s, l, g, avl, unusable@22, padding@23.
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    public static final int SIZE = 24;

    /** Flat 4 GiB 32-bit code segment (type 11 = execute/read, accessed). */
    public static Segment flatCode32(int selector) {
        return new Segment(0, 0xffffffff, selector, 11, true, 0, true, true, false, true, false, false);
    }

    /** Flat 4 GiB data segment (type 3 = read/write, accessed). */
    public static Segment flatData32(int selector) {
        return new Segment(0, 0xffffffff, selector, 3, true, 0, true, true, false, true, false, false);
    }

    /** 64-bit code segment (L=1, D=0). */
    public static Segment code64(int selector) {
        return new Segment(0, 0xffffffff, selector, 11, true, 0, false, true, true, true, false, false);
    }

    public Segment withSelector(int sel) {
        return new Segment(base, limit, sel, type, present, dpl, db, s, l, g, avl, unusable);
    }

    public Segment withBase(long b) {
        return new Segment(b, limit, selector, type, present, dpl, db, s, l, g, avl, unusable);
    }

    static Segment read(Pointer p, long o) {
        return new Segment(p.getLong(o), p.getInt(o + 8), p.getShort(o + 12) & 0xffff, p.getByte(o + 14) & 0xff,
                p.getByte(o + 15) != 0, p.getByte(o + 16) & 0xff, p.getByte(o + 17) != 0, p.getByte(o + 18) != 0,
                p.getByte(o + 19) != 0, p.getByte(o + 20) != 0, p.getByte(o + 21) != 0, p.getByte(o + 22) != 0);
    }

    void write(Pointer p, long o) {
        p.setLong(o, base);
        p.setInt(o + 8, limit);
        p.setShort(o + 12, (short) selector);
        p.setByte(o + 14, (byte) type);
        p.setByte(o + 15, b(present));
        p.setByte(o + 16, (byte) dpl);
        p.setByte(o + 17, b(db));
        p.setByte(o + 18, b(s));
        p.setByte(o + 19, b(l));
        p.setByte(o + 20, b(g));
        p.setByte(o + 21, b(avl));
        p.setByte(o + 22, b(unusable));
        p.setByte(o + 23, (byte) 0);
    }

    private static byte b(boolean v) {
        return (byte) (v ? 1 : 0);
    }
}
