package dev.vmm.devices;

import dev.vmm.bus.MachineControl;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class I8042Test {
    @Test
    void onlyCommand0xFEOnPort0x64Resets() {
        AtomicInteger resets = new AtomicInteger();
        AtomicInteger powerOffs = new AtomicInteger();
        I8042 kbc = new I8042(new MachineControl() {
            public void powerOff(int s) { powerOffs.incrementAndGet(); }
            public void reset() { resets.incrementAndGet(); }
        });
        assertEquals(0, kbc.read(0x64, 1), "status: input and output buffers empty");
        assertEquals(0, kbc.read(0x60, 1));
        kbc.write(0x60, 1, 0xFE);
        kbc.write(0x64, 1, 0xAD);
        assertEquals(0, resets.get());
        kbc.write(0x64, 1, 0xFE);
        assertEquals(1, resets.get());
        assertEquals(0, powerOffs.get());
    }
}
