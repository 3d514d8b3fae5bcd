package dev.vmm.debug;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareBreakpointsTest {
    @Test
    void dr7HasEnableTypeAndLengthPerSlot() {
        HardwareBreakpoints hw = new HardwareBreakpoints();
        assertTrue(hw.insert(BreakpointType.HARDWARE, 0x101cb0, 1));
        assertTrue(hw.insert(BreakpointType.WRITE_WATCH, 0x2000, 4));
        assertTrue(hw.insert(BreakpointType.ACCESS_WATCH, 0x3000, 8));
        assertTrue(hw.insert(BreakpointType.WRITE_WATCH, 0x4002, 2));
        long[] dr = hw.debugRegisters();
        assertEquals(0x101cb0, dr[0]);
        assertEquals(0x2000, dr[1]);
        assertEquals(0x3000, dr[2]);
        assertEquals(0x4002, dr[3]);
        // G0..G3 = bits 1,3,5,7; slot 0 exec/1 byte = 0000; slot 1 write/4 = 1101; slot 2 rw/8 = 1011; slot 3 write/2 = 0101
        long expected = 0xaaL | (0b1101L << 20) | (0b1011L << 24) | (0b0101L << 28);
        assertEquals(expected, dr[7]);
        assertFalse(hw.insert(BreakpointType.HARDWARE, 0x5000, 1), "only four slots");
        assertTrue(hw.remove(BreakpointType.WRITE_WATCH, 0x2000, 4));
        assertEquals(0, hw.debugRegisters()[1]);
        assertTrue(hw.insert(BreakpointType.HARDWARE, 0x5000, 1), "the freed slot is reused");
        assertEquals(0x5000, hw.debugRegisters()[1]);
    }

    @Test
    void refusesWhatDebugRegistersCannotDo() {
        HardwareBreakpoints hw = new HardwareBreakpoints();
        assertThrows(IllegalArgumentException.class, () -> hw.insert(BreakpointType.WRITE_WATCH, 0x2001, 4), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> hw.insert(BreakpointType.WRITE_WATCH, 0x2000, 3), "length 3");
        assertThrows(IllegalArgumentException.class, () -> hw.insert(BreakpointType.READ_WATCH, 0x2000, 4), "read only");
        assertThrows(IllegalArgumentException.class, () -> hw.insert(BreakpointType.SOFTWARE, 0x2000, 1));
        assertTrue(hw.isEmpty());
        assertEquals(0, hw.debugRegisters()[7]);
    }
}
