package dev.vmm.machine;

import dev.vmm.cpu.IrqchipMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** How many vCPUs a configuration may ask for before KVM is asked (KVM's own limit comes later, in Vm). */
class VcpuLimitTest {
    private static final Path KERNEL = Path.of("pvtest.elf");

    private static MachineConfig config(int smp, IrqchipMode irqchip) {
        return MachineConfig.validated(KERNEL, null, 128L << 20, smp, "host", irqchip);
    }

    @Test
    void upTo255VcpusFitXapicIdsWithEitherIrqchip() {
        assertEquals(255, config(255, IrqchipMode.ON).cpuCount());
        assertEquals(254, config(255, IrqchipMode.ON).apicIds().get(254));
    }

    @Test
    void moreNeedSplitIrqchipAndAreRefusedWithQemusWordsOtherwise() {
        assertEquals(1024, config(1024, IrqchipMode.SPLIT).cpuCount());
        assertTrue(ApicIds.needsX2apic(config(256, IrqchipMode.SPLIT).apicIds()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(256, IrqchipMode.ON));
        assertEquals("--smp 256: current -smp configuration requires kernel irqchip and X2APIC API support."
                + " (vmm turns the X2APIC API on only with -M kernel-irqchip=split)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(1024, null)); // null: the default, in-kernel
    }
}
