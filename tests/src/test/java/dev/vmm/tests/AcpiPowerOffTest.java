package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A guest that powers off as an ACPI OS does on HW-reduced ACPI (SLP_TYP of _S5 with SLP_EN to
 * the FADT's sleep control register, port 0x600) ends the VM with status 0, even with reboot
 * on. The guest is a flat multiboot image: mov al, 0x20; out 0x600 via dx; then spin.
 */
class AcpiPowerOffTest {
    @TempDir
    Path tmp;

    @Test
    void s5WriteEndsTheRunWithStatusZero() throws Exception {
        RequiresKvm.check();
        byte[] code = {
                (byte) 0xb0, 0x20,                   // mov al, 0x20 (SLP_EN, SLP_TYP 0)
                0x66, (byte) 0xba, 0x00, 0x06,       // mov dx, 0x600
                (byte) 0xee,                         // out dx, al
                (byte) 0xeb, (byte) 0xfe};           // jmp $ (never reached if the VM ended)
        ByteBuffer b = ByteBuffer.allocate(32 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010000;
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt(0x100000).putInt(0x100000).putInt(0).putInt(0).putInt(0x100020);
        b.position(32);
        b.put(code);
        Path kernel = tmp.resolve("s5.bin");
        Files.write(kernel, b.array());
        VmmProcess r = VmmProcess.run("run", "--kernel", kernel.toString(), "--timeout", "30");
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }
}
