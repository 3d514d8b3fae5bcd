package dev.vmm.tests;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.junit.Guests;
import dev.vmm.junit.VmmTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A guest that powers off as an ACPI OS does on HW-reduced ACPI (SLP_TYP of _S5 with SLP_EN to
 * the FADT's sleep control register, port 0x600) ends the VM with status 0, even with reboot
 * on. The guest is a {@link FlatKernel}: mov al, 0x20; out 0x600 via dx; then spin.
 */
@VmmTest
class AcpiPowerOffTest {
    @TempDir
    Path tmp;

    @Test
    void s5WriteEndsTheRunWithStatusZero(Guests guests) throws Exception {
        Guest guest = guests.start(Guest.builder().kernel(FlatKernel.write(tmp, "s5.bin", new byte[] {
                (byte) 0xb0, 0x20,                   // mov al, 0x20 (SLP_EN, SLP_TYP 0)
                (byte) 0x66, (byte) 0xba, 0x00, 0x06, // mov dx, 0x600
                (byte) 0xee,                         // out dx, al
                (byte) 0xeb, (byte) 0xfe})));       // jmp $ (never reached if the VM ended)
        assertEquals(new GuestExit.PowerOff(0), guest.awaitExit(Duration.ofSeconds(30)));
        assertEquals("", guest.warnings());
    }
}
