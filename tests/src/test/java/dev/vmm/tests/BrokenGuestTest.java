package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A guest that breaks the machine must end the run with a QEMU-style report on stderr and
 * status 125, never a hang or a Java stack trace (what the command prints is under test, so
 * these run {@code ./vmm}). The guests are {@link FlatKernel}s.
 */
class BrokenGuestTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static void assertReported(VmmProcess r, String rip) {
        assertEquals(125, r.status(), r.toString());
        String err = r.stderr();
        // Hardware KVM reports a triple fault (KVM_EXIT_SHUTDOWN); kvm-pvm, which emulates the
        // exception delivery, reports an emulation failure. Either way the report is QEMU's.
        assertTrue(err.contains("triple fault") || err.contains("KVM internal error. Suberror: "), err);
        assertTrue(err.contains("EIP=" + rip), err);
        assertTrue(err.contains("CS =0008 00000000 ffffffff 00c09b00"), err);
        assertTrue(err.contains("CR0="), err);
        assertTrue(err.contains("Code="), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no Java stack trace\n" + err);
    }

    @Test
    void exceptionWithoutAnIdtIsReportedWithRegistersAndCode() throws IOException {
        // int3 with the reset IDT (base 0, all zero): #NP -> #DF -> triple fault.
        VmmProcess r = VmmProcess.run("run", "--kernel", FlatKernel.write(tmp, "int3.bin", (byte) 0xcc).toString());
        assertReported(r, "00100020");
        assertTrue(r.stderr().contains("<cc>"), "the byte at RIP is marked\n" + r.stderr());
    }

    @Test
    void jumpIntoUnbackedMemoryIsReported() throws IOException {
        // mov eax, 0xd0000000; jmp eax: nothing is mapped there (between RAM and the PCI hole).
        VmmProcess r = VmmProcess.run("run", "--kernel", FlatKernel.write(tmp, "jump.bin",
                new byte[] {(byte) 0xb8, 0x00, 0x00, 0x00, (byte) 0xd0, (byte) 0xff, (byte) 0xe0}).toString(), "-m", "64M");
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.stderr().contains("EIP=d0000000") || r.stderr().contains("RIP=00000000d0000000"), r.toString());
        assertTrue(r.stderr().contains("<??>"), "unbacked code bytes shown as ??\n" + r.stderr());
    }
}
