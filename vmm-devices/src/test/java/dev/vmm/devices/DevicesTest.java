package dev.vmm.devices;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.IrqLine;
import dev.vmm.bus.MachineControl;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class DevicesTest {
    @Test
    void uartTransmitsAndReportsEmptyTransmitter() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Uart8250 uart = new Uart8250(0x3f8, out, IrqLine.NONE);
        assertEquals(0x60, uart.read(0x3fd, 1) & 0x60, "LSR must report THRE|TEMT or guests spin");
        uart.write(0x3f8, 1, 'h');
        uart.write(0x3f8, 1, 'i');
        assertEquals("hi", out.toString());
    }

    @Test
    void uartReceivesWithDataReadyAndInterrupt() {
        AtomicBoolean line = new AtomicBoolean();
        Uart8250 uart = new Uart8250(0x3f8, new ByteArrayOutputStream(), line::set);
        assertEquals(0, uart.read(0x3fd, 1) & 1);
        uart.write(0x3f9, 1, 0x01); // IER: receive interrupt
        uart.receive(new byte[] {'x'}, 0, 1);
        assertTrue(line.get(), "IRQ raised on received data");
        assertEquals(1, uart.read(0x3fd, 1) & 1);
        assertEquals(0x04, uart.read(0x3fa, 1) & 0x0f, "IIR says received data");
        assertEquals('x', uart.read(0x3f8, 1));
        assertFalse(line.get(), "IRQ drops once the FIFO is empty");
    }

    @Test
    void uartDivisorLatchAndLoopback() {
        Uart8250 uart = new Uart8250(0x3f8, new ByteArrayOutputStream(), IrqLine.NONE);
        uart.write(0x3fb, 1, 0x80);
        uart.write(0x3f8, 1, 0x01);
        uart.write(0x3f9, 1, 0x00);
        assertEquals(1, uart.read(0x3f8, 1));
        uart.write(0x3fb, 1, 0x03);
        uart.write(0x3fc, 1, 0x1a); // loopback with RTS and OUT2, as Linux probes
        assertEquals(0x90, uart.read(0x3fe, 1) & 0xf0);
        uart.write(0x3f8, 1, 0x55);
        assertEquals(0x55, uart.read(0x3f8, 1));
    }

    @Test
    void debugExitPowersOffWithTheWrittenValue() {
        AtomicInteger status = new AtomicInteger(-1);
        DebugExit dev = new DebugExit(new MachineControl() {
            public void powerOff(int s) { status.set(s); }
            public void reset() { }
        });
        dev.write(0xf4, 4, 7);
        assertEquals(7, status.get());
    }

    @Test
    void acpiSleepControlPowersOffOnS5Only() {
        AtomicInteger status = new AtomicInteger(-1);
        AcpiSleepControl dev = new AcpiSleepControl(0x600, new MachineControl() {
            public void powerOff(int s) { status.set(s); }
            public void reset() { }
        });
        dev.write(0x600, 1, 1 << 2 | 1 << 5); // SLP_TYP 1 (not S5 here): ignored
        assertEquals(-1, status.get());
        dev.write(0x600, 1, 0);               // SLP_EN clear: ignored
        assertEquals(-1, status.get());
        dev.write(0x600, 1, 1 << 5);          // S5 (SLP_TYP 0) with SLP_EN
        assertEquals(0, status.get());
        assertEquals(0x80, dev.read(0x601, 1));
    }

    @Test
    void fwCfgReadsCpuCountAndRamSizeLittleEndian() {
        FwCfg fw = new FwCfg(4, 0x20000000L);
        fw.write(FwCfg.SELECTOR_PORT, 2, FwCfg.KEY_NB_CPUS);
        assertEquals(4, fw.read(FwCfg.DATA_PORT, 1) | fw.read(FwCfg.DATA_PORT, 1) << 8);
        fw.write(FwCfg.SELECTOR_PORT, 2, FwCfg.KEY_RAM_SIZE);
        long ram = 0;
        for (int i = 0; i < 8; i++) ram |= (long) fw.read(FwCfg.DATA_PORT, 1) << (8 * i);
        assertEquals(0x20000000L, ram);
        fw.write(FwCfg.SELECTOR_PORT, 2, FwCfg.KEY_MAX_RAM);
        for (int i = 0; i < 8; i++) assertEquals(0, fw.read(FwCfg.DATA_PORT, 1));
        fw.write(FwCfg.SELECTOR_PORT, 2, FwCfg.KEY_SIGNATURE);
        assertEquals('Q', fw.read(FwCfg.DATA_PORT, 1));
    }

    @Test
    void unassignedPortsReadAllOnesAndRangesDoNotOverlap() {
        IoBus bus = new IoBus();
        assertEquals(0xff, bus.read(0x1234, 1));
        assertEquals(0xffff, bus.read(0x1234, 2));
        assertEquals(0xffffffff, bus.read(0x1234, 4));
        bus.register(0x80, 1, new PostCodePort());
        bus.write(0x80, 1, 0x12);
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x7f, 2, new PostCodePort()));
    }
}
