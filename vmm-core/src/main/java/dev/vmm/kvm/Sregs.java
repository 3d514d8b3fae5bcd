package dev.vmm.kvm;

import com.sun.jna.Pointer;

/**
 * {@code struct kvm_sregs} (312 bytes). Layout: segments cs,ds,es,fs,gs,ss,tr,ldt at 24-byte
 * strides from 0; gdt@192, idt@208; cr0@224, cr2@232, cr3@240, cr4@248, cr8@256, efer@264,
 * apic_base@272, interrupt_bitmap u64[4]@280. Mutable bean: get from KVM, modify, set back
 * (the interrupt bitmap is carried through unchanged).
 */
public final class Sregs {
    public static final long OFF_CS = 0, OFF_DS = 24, OFF_ES = 48, OFF_FS = 72, OFF_GS = 96, OFF_SS = 120,
            OFF_TR = 144, OFF_LDT = 168, OFF_GDT = 192, OFF_IDT = 208, OFF_CR0 = 224, OFF_CR2 = 232,
            OFF_CR3 = 240, OFF_CR4 = 248, OFF_CR8 = 256, OFF_EFER = 264, OFF_APIC_BASE = 272,
            OFF_INTERRUPT_BITMAP = 280;

    public static final long CR0_PE = 1L, CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5;
    public static final long EFER_LME = 1L << 8, EFER_LMA = 1L << 10;

    public Segment cs, ds, es, fs, gs, ss, tr, ldt;
    public Dtable gdt, idt;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    public final long[] interruptBitmap = new long[4];

    /** Sets ds, es, fs, gs and ss to the same segment. */
    public Sregs setDataSegments(Segment seg) {
        ds = es = fs = gs = ss = seg;
        return this;
    }

    static Sregs read(Pointer p) {
        Sregs s = new Sregs();
        s.cs = Segment.read(p, OFF_CS);
        s.ds = Segment.read(p, OFF_DS);
        s.es = Segment.read(p, OFF_ES);
        s.fs = Segment.read(p, OFF_FS);
        s.gs = Segment.read(p, OFF_GS);
        s.ss = Segment.read(p, OFF_SS);
        s.tr = Segment.read(p, OFF_TR);
        s.ldt = Segment.read(p, OFF_LDT);
        s.gdt = Dtable.read(p, OFF_GDT);
        s.idt = Dtable.read(p, OFF_IDT);
        s.cr0 = p.getLong(OFF_CR0);
        s.cr2 = p.getLong(OFF_CR2);
        s.cr3 = p.getLong(OFF_CR3);
        s.cr4 = p.getLong(OFF_CR4);
        s.cr8 = p.getLong(OFF_CR8);
        s.efer = p.getLong(OFF_EFER);
        s.apicBase = p.getLong(OFF_APIC_BASE);
        for (int i = 0; i < 4; i++) {
            s.interruptBitmap[i] = p.getLong(OFF_INTERRUPT_BITMAP + 8L * i);
        }
        return s;
    }

    void write(Pointer p) {
        cs.write(p, OFF_CS);
        ds.write(p, OFF_DS);
        es.write(p, OFF_ES);
        fs.write(p, OFF_FS);
        gs.write(p, OFF_GS);
        ss.write(p, OFF_SS);
        tr.write(p, OFF_TR);
        ldt.write(p, OFF_LDT);
        gdt.write(p, OFF_GDT);
        idt.write(p, OFF_IDT);
        p.setLong(OFF_CR0, cr0);
        p.setLong(OFF_CR2, cr2);
        p.setLong(OFF_CR3, cr3);
        p.setLong(OFF_CR4, cr4);
        p.setLong(OFF_CR8, cr8);
        p.setLong(OFF_EFER, efer);
        p.setLong(OFF_APIC_BASE, apicBase);
        for (int i = 0; i < 4; i++) {
            p.setLong(OFF_INTERRUPT_BITMAP + 8L * i, interruptBitmap[i]);
        }
    }
}
