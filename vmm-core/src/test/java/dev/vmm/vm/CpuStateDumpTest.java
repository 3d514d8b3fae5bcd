package dev.vmm.vm;

import dev.vmm.kvm.Dtable;
import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's x86_cpu_dump_state layout, line by line, in long mode and in 32-bit protected mode. */
class CpuStateDumpTest {
    private static Sregs longMode() {
        Sregs s = new Sregs();
        s.cs = Segment.code64(0x08);
        s.setDataSegments(Segment.flatData32(0x10));
        s.ldt = new Segment(0, 0xffff, 0, 2, false, 0, false, false, false, false, false, true);
        s.tr = new Segment(0x1000, 0x67, 0x18, 11, true, 0, false, false, false, false, false, false);
        s.gdt = new Dtable(0x2000, 0x27);
        s.idt = new Dtable(0x3000, 0xfff);
        s.cr0 = 0x80000011L;
        s.cr3 = 0xa000;
        s.cr4 = 0x20;
        s.efer = 0x500;
        return s;
    }

    @Test
    void longModeDumpIsQemusLayout() {
        Regs r = new Regs().rax(0x1234).rip(0xffffffff81000000L).rflags(0x246).rsp(0x7000);
        long[] dr = {1, 2, 3, 4, 0xffff0ff0L, 0x400};
        String dump = CpuStateDump.format(new CpuState(r, longMode(), null, dr, true), false);
        String expected = """
                RAX=0000000000001234 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000
                RSI=0000000000000000 RDI=0000000000000000 RBP=0000000000000000 RSP=0000000000007000
                R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000000
                R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000
                RIP=ffffffff81000000 RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
                ES =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
                CS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]
                SS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
                DS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
                FS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
                GS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
                LDT=0000 0000000000000000 0000ffff 00000200
                TR =0018 0000000000001000 00000067 00008b00 DPL=0 TSS64-busy
                GDT=     0000000000002000 00000027
                IDT=     0000000000003000 00000fff
                CR0=80000011 CR2=0000000000000000 CR3=000000000000a000 CR4=00000020
                DR0=0000000000000001 DR1=0000000000000002 DR2=0000000000000003 DR3=0000000000000004 \nDR6=00000000ffff0ff0 DR7=0000000000000400
                EFER=0000000000000500
                """;
        assertEquals(expected, dump);
    }

    @Test
    void protectedModeDumpUses32BitNamesAndDataSegmentKinds() {
        Sregs s = longMode();
        s.cs = Segment.flatCode32(0x08);
        s.efer = 0;
        s.cr0 = 0x11;
        Regs r = new Regs().rip(0x100000).rflags(0x2).rax(0x1_2345_6789L);
        String dump = CpuStateDump.format(new CpuState(r, s, null, null, false), false);
        assertTrue(dump.startsWith("EAX=23456789 EBX=00000000 ECX=00000000 EDX=00000000\n"), dump);
        assertTrue(dump.contains("EIP=00100000 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"), dump);
        assertTrue(dump.contains("CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32 [-RA]\n"), dump);
        assertTrue(dump.contains("TR =0018 00001000 00000067 00008b00 DPL=0 TSS32-busy\n"), dump);
        assertTrue(dump.contains("CR0=00000011 CR2=00000000 CR3=0000a000 CR4=00000020\n"), dump);
        assertTrue(dump.contains("DR0=0000000000000000 "), dump);
        assertFalse(dump.contains("R8 ="), dump);
    }

    @Test
    void realModeSegmentsHaveNoDecodedKind() {
        Sregs s = longMode();
        s.cr0 = 0x10;
        s.efer = 0;
        s.cs = new Segment(0xf0000, 0xffff, 0xf000, 11, true, 0, false, true, false, false, false, false);
        String dump = CpuStateDump.format(new CpuState(new Regs(), s, null, null, false), false);
        assertTrue(dump.contains("CS =f000 000f0000 0000ffff 00009b00\n"), dump);
    }

    @Test
    void fpuPartShowsControlWordsX87AndSseRegisters() {
        byte[] raw = new byte[Fpu.SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(128, (short) 0x37f);
        b.putShort(130, (short) 0x3800); // TOP = 7
        b.put(132, (byte) 0x80);
        b.putLong(7 * 16, 0x8000000000000000L);
        b.putShort(7 * 16 + 8, (short) 0x3fff);
        b.putLong(152 + 16, 0x1111); // XMM1 low
        b.putLong(152 + 16 + 8, 0x2222); // XMM1 high
        b.putInt(408, 0x1f80);
        String dump = CpuStateDump.format(new CpuState(new Regs(), longMode(), new Fpu(raw), null, false), true);
        assertTrue(dump.contains("EFER=0000000000000500\nFCW=037f FSW=3800 [ST=7] FTW=80 MXCSR=00001f80\n"), dump);
        assertTrue(dump.contains("FPR6=0000000000000000 0000 FPR7=8000000000000000 3fff\n"), dump);
        assertTrue(dump.contains("XMM00=0000000000000000 0000000000000000 XMM01=0000000000002222 0000000000001111\n"), dump);
        assertTrue(dump.endsWith("XMM14=0000000000000000 0000000000000000 XMM15=0000000000000000 0000000000000000\n"), dump);
    }
}
