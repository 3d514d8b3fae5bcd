package dev.vmm.machine;

import dev.vmm.bus.IrqLine;
import dev.vmm.bus.PioDevice;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.firmware.AcpiDevice;
import dev.vmm.firmware.AcpiTables;
import dev.vmm.kvm.Kvm;
import dev.vmm.platform.PlatformLayout;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Attaching puts a device on the bus and into the firmware tables (on a real KVM VM). */
class BoardTest {
    private static final PioDevice NOTHING = new PioDevice() {
        public int read(int port, int size) { return 0; }
        public void write(int port, int size, int value) { }
    };

    @BeforeEach
    void requireKvm() {
        if (!Files.exists(Path.of(Kvm.DEFAULT_PATH))) {
            String msg = "/dev/kvm is missing: KVM tests cannot run on this machine";
            if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) fail(msg + " (and VMM_REQUIRE_KVM=1 requires them)");
            Assumptions.assumeTrue(false, msg + " - skipped (set VMM_REQUIRE_KVM=1 to make this a failure)");
        }
    }

    private static long fadtSleepControl(AcpiTables t) {
        int fadt = (int) (t.tableAddresses().get("FACP") - t.baseAddress());
        return ByteBuffer.wrap(t.blob()).order(ByteOrder.LITTLE_ENDIAN).getLong(fadt + 248);
    }

    @Test
    void attachedSleepRegistersReachTheFadtAndTheDeviceTheBus() {
        try (Vm vm = Vm.create(VmSpec.of(2 << 20, 2))) {
            Board board = new Board(vm, (address, data) -> { });
            assertEquals(0, fadtSleepControl(board.firmwareTables(PlatformLayout.ACPI_BASE)), "nothing attached yet");
            assertFalse(board.isAttached(PlatformLayout.ACPI_SLEEP));
            board.attach(PlatformLayout.ACPI_SLEEP, NOTHING, new AcpiDevice.SleepRegisters(0x600, 0x601));
            assertTrue(board.isAttached(PlatformLayout.ACPI_SLEEP));
            assertEquals(0x600, fadtSleepControl(board.firmwareTables(PlatformLayout.ACPI_BASE)));
        }
    }

    @Test
    void splitIrqchipPutsTheUserSpaceIoapicOnTheMmioBus() {
        try (Vm vm = Vm.create(VmSpec.of(2 << 20, 1).withIrqchip(IrqchipMode.SPLIT))) {
            Board board = new Board(vm, (address, data) -> { });
            // IOREGSEL/IOWIN: the version register (1) reads 0x17 max-redirection-entry (24 pins - 1) in bits 23:16.
            vm.mmio().write(PlatformLayout.IOAPIC_ADDRESS, 4, 1);
            assertEquals(PlatformLayout.IOAPIC_PINS - 1, (int) (vm.mmio().read(PlatformLayout.IOAPIC_ADDRESS + 0x10, 4) >> 16) & 0xff);
            AcpiTables t = board.firmwareTables(PlatformLayout.ACPI_BASE);
            int madt = (int) (t.tableAddresses().get("APIC") - t.baseAddress());
            assertEquals(1, t.blob()[madt + 44 + 8], "the MADT lists the I/O APIC after the one local APIC");
        }
    }

    @Test
    void attachingWithAnIrqWiresTheDeviceToThatIoapicPin() {
        try (Vm vm = Vm.create(VmSpec.of(2 << 20, 1).withIrqchip(IrqchipMode.SPLIT))) {
            List<Integer> vectors = new ArrayList<>();
            Board board = new Board(vm, (address, data) -> vectors.add(data & 0xff));
            // unmask IOAPIC pin 4 (redirection entry low word: IOREGSEL 0x10 + 2 * 4) with vector 0x34
            vm.mmio().write(PlatformLayout.IOAPIC_ADDRESS, 4, 0x10 + 2 * 4);
            vm.mmio().write(PlatformLayout.IOAPIC_ADDRESS + 0x10, 4, 0x34);
            IrqLine[] wired = new IrqLine[1];
            PioDevice device = board.attach(PlatformLayout.COM1, 4, line -> {
                wired[0] = line;
                return NOTHING;
            });
            assertSame(NOTHING, device);
            assertTrue(board.isAttached(PlatformLayout.COM1));
            wired[0].setLevel(true);
            assertEquals(List.of(0x34), vectors, "the device's line is IOAPIC pin 4");
        }
    }
}
