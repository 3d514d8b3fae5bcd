package dev.vmm.kvm;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding of a kvm_run area into typed exits, on a buffer laid out as KVM leaves it (no /dev/kvm needed). */
class VcpuExitDecodeTest {
    private final Memory area = new Memory(4096);
    private final KvmRun run;

    VcpuExitDecodeTest() {
        area.clear();
        run = new KvmRun(com.sun.jna.Pointer.nativeValue(area), 4096);
    }

    private VcpuExit exit(int reason) {
        area.setInt(KvmRun.OFF_EXIT_REASON, reason);
        return run.exit();
    }

    @Test
    void hotPathExitsAreOneViewEach() {
        VcpuExit io = exit(KvmRun.EXIT_IO);
        assertSame(io, exit(KvmRun.EXIT_IO));
        VcpuExit mmio = exit(KvmRun.EXIT_MMIO);
        assertSame(mmio, exit(KvmRun.EXIT_MMIO));
        assertInstanceOf(IoExit.class, io);
        assertInstanceOf(MmioExit.class, mmio);
    }

    @Test
    void portExitReadsDirectionPortAndData() {
        area.setByte(KvmRun.OFF_IO_DIRECTION, (byte) KvmRun.IO_OUT);
        area.setByte(KvmRun.OFF_IO_SIZE, (byte) 2);
        area.setShort(KvmRun.OFF_IO_PORT, (short) 0xcf8);
        area.setInt(KvmRun.OFF_IO_COUNT, 2);
        area.setLong(KvmRun.OFF_IO_DATA_OFFSET, 512);
        area.setShort(512, (short) 0xbeef);
        area.setShort(514, (short) 0x1234);
        IoExit io = assertInstanceOf(IoExit.class, exit(KvmRun.EXIT_IO));
        assertTrue(io.isOut());
        assertEquals(0xcf8, io.port());
        assertEquals(2, io.size());
        assertEquals(2, io.count());
        assertEquals(0xbeef, io.data(0));
        assertEquals(0x1234, io.data(1));
        io.setData(1, 0x7777);
        assertEquals(0x7777, area.getShort(514));
    }

    @Test
    void mmioWriteDataIsCutToItsLength() {
        area.setLong(KvmRun.OFF_MMIO_PHYS_ADDR, 0xfec00010L);
        area.setLong(KvmRun.OFF_MMIO_DATA, 0xffff_ffff_8765_4321L);
        area.setInt(KvmRun.OFF_MMIO_LEN, 2);
        area.setByte(KvmRun.OFF_MMIO_IS_WRITE, (byte) 1);
        MmioExit m = assertInstanceOf(MmioExit.class, exit(KvmRun.EXIT_MMIO));
        assertEquals(0xfec00010L, m.address());
        assertEquals(0x4321L, m.data());
        area.setInt(KvmRun.OFF_MMIO_LEN, 8);
        assertEquals(0xffff_ffff_8765_4321L, m.data());
    }

    @Test
    void rareExitsCarryTheirDataByValue() {
        area.setInt(KvmRun.OFF_SYSTEM_EVENT_TYPE, KvmRun.SYSTEM_EVENT_RESET);
        area.setInt(KvmRun.OFF_SYSTEM_EVENT_NDATA, 1);
        area.setLong(KvmRun.OFF_SYSTEM_EVENT_DATA, 42);
        VcpuExit.SystemEvent event = assertInstanceOf(VcpuExit.SystemEvent.class, exit(KvmRun.EXIT_SYSTEM_EVENT));
        assertTrue(event.isReset());
        assertEquals(List.of(42L), event.data());

        area.setInt(KvmRun.OFF_INTERNAL_SUBERROR, 1);
        area.setInt(KvmRun.OFF_INTERNAL_NDATA, 99); // more than the union holds: clamped to 16
        VcpuExit.InternalError error = assertInstanceOf(VcpuExit.InternalError.class, exit(KvmRun.EXIT_INTERNAL_ERROR));
        assertEquals(1, error.suberror());
        assertEquals(KvmRun.MAX_EXIT_DATA, error.data().size());

        area.setLong(KvmRun.OFF_FAIL_ENTRY_REASON, 0x80000021L);
        area.setInt(KvmRun.OFF_FAIL_ENTRY_CPU, 3);
        assertEquals(new VcpuExit.FailEntry(0x80000021L, 3), exit(KvmRun.EXIT_FAIL_ENTRY));

        area.setInt(KvmRun.OFF_DEBUG_EXCEPTION, 1);
        area.setLong(KvmRun.OFF_DEBUG_PC, 0x100000);
        area.setLong(KvmRun.OFF_DEBUG_DR6, 0xffff0ff0L);
        area.setLong(KvmRun.OFF_DEBUG_DR7, 0x400);
        assertEquals(new VcpuExit.Debug(1, 0x100000, 0xffff0ff0L, 0x400), exit(KvmRun.EXIT_DEBUG));

        assertSame(VcpuExit.Hlt.INSTANCE, exit(KvmRun.EXIT_HLT));
        assertSame(VcpuExit.Shutdown.INSTANCE, exit(KvmRun.EXIT_SHUTDOWN));
        assertSame(VcpuExit.Interrupted.INSTANCE, exit(KvmRun.EXIT_INTR));
        assertSame(VcpuExit.IrqWindowOpen.INSTANCE, exit(KvmRun.EXIT_IRQ_WINDOW_OPEN));
        VcpuExit.Unknown nmi = assertInstanceOf(VcpuExit.Unknown.class, exit(KvmRun.EXIT_NMI));
        assertEquals("KVM_EXIT_NMI", nmi.name());
    }
}
