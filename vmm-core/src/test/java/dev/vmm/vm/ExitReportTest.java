package dev.vmm.vm;

import dev.vmm.kvm.Dtable;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import dev.vmm.memory.GuestMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The failure report's layout (QEMU's), and the page walk that finds the code bytes at RIP. */
class ExitReportTest {
    private static Sregs flat(Segment code, Segment data) {
        Sregs s = new Sregs();
        s.cs = code;
        s.setDataSegments(data);
        s.tr = data.withSelector(0);
        s.ldt = data.withSelector(0);
        s.gdt = new Dtable(0x500, 0x27);
        s.idt = new Dtable(0, 0xfff);
        return s;
    }

    @Test
    void longModeReportWalksThePageTablesForTheCodeBytes() {
        try (GuestMemory mem = GuestMemory.create(4L << 20)) {
            // Identity map the first 2 MiB through PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 (one 2 MiB page).
            mem.writeU64(0x1000, 0x2000 | 3);
            mem.writeU64(0x2000, 0x3000 | 3);
            mem.writeU64(0x3000, 0x83);
            mem.write(0x100000, new byte[] {0x0f, (byte) 0xc7, 0x0e}); // cmpxchg16b [rsi]
            mem.writeU8(0x100000 - 1, 0x90);
            Sregs s = flat(Segment.code64(0x08), Segment.flatData32(0x10));
            s.cr0 = 0x80000011L;
            s.cr3 = 0x1000;
            s.cr4 = 0x20;
            s.efer = 0x500;
            Regs r = new Regs().rip(0x100000).rax(0x1234).rflags(0x46);
            String report = new ExitReport(mem).format(r, s);
            assertTrue(report.contains("RAX=0000000000001234 RBX=0000000000000000"), report);
            assertTrue(report.contains("RIP=0000000000100000 RFL=00000046 [---Z-P-] CPL=0"), report);
            assertTrue(report.contains("CS =0008 0000000000000000 ffffffff 00a09b00"), report);
            assertTrue(report.contains("CR0=80000011 CR2=0000000000000000 CR3=0000000000001000 CR4=00000020"), report);
            assertTrue(report.contains("90 <0f> c7 0e"), report);
        }
    }

    @Test
    void protectedModeReportUses32BitRegisters() {
        try (GuestMemory mem = GuestMemory.create(2L << 20)) {
            mem.write(0x100000, new byte[] {(byte) 0xf4});
            Sregs s = flat(Segment.flatCode32(0x08), Segment.flatData32(0x10));
            s.cr0 = 0x11;
            String report = new ExitReport(mem).format(new Regs().rip(0x100000).rflags(2), s);
            assertTrue(report.contains("EIP=00100000 EFL=00000002 [-------] CPL=0"), report);
            assertTrue(report.contains("<f4>"), report);
            assertFalse(report.contains("R8 ="), report);
        }
    }

    @Test
    void unmappedCodeIsShownAsQuestionMarks() {
        try (GuestMemory mem = GuestMemory.create(2L << 20)) {
            Sregs s = flat(Segment.flatCode32(0x08), Segment.flatData32(0x10));
            String report = new ExitReport(mem).format(new Regs().rip(0x7fff_f000L), s);
            assertTrue(report.contains("<??>"), report);
        }
    }

    @Test
    void theResetVectorIsRecognisedOnlyWithTheResetCodeSegment() {
        Sregs reset = flat(new Segment(0xffff0000L, 0xffff, 0xf000, 11, true, 0, false, true, false, false, false, false),
                Segment.flatData32(0));
        assertTrue(ExitReport.isResetState(new Regs().rip(0xfff0), reset));
        assertFalse(ExitReport.isResetState(new Regs().rip(0x1000), reset), "another RIP");
        assertFalse(ExitReport.isResetState(new Regs().rip(0xfff0), flat(Segment.flatCode32(0x08), Segment.flatData32(0x10))),
                "0xfff0 in a flat code segment is an ordinary address");
    }
}
