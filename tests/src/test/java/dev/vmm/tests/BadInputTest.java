package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every bad input gets one line on stderr, a non-zero status, and nothing else happens. */
class BadInputTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(VmmProcess r, String expectedFragment) {
        r.assertOneLineError(expectedFragment);
    }

    private String kernel() {
        return RequiresKvm.testKernel().toString();
    }

    @Test
    void missingKernel() {
        assertOneLineError(VmmProcess.run("run", "--kernel", tmp.resolve("nope.elf").toString()), "does not exist");
    }

    @Test
    void kernelThatIsADirectory() {
        assertOneLineError(VmmProcess.run("run", "--kernel", tmp.toString()), "not a readable file");
    }

    @Test
    void fileThatIsNoKernel() throws IOException {
        Path junk = tmp.resolve("junk.bin");
        Files.write(junk, "this is not a kernel at all, just text".repeat(100).getBytes());
        assertOneLineError(VmmProcess.run("run", "--kernel", junk.toString()), "not");
    }

    @Test
    void emptyKernel() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.elf"));
        assertOneLineError(VmmProcess.run("run", "--kernel", empty.toString()), "empty");
    }

    @Test
    void truncatedElf() throws IOException {
        byte[] whole = Files.readAllBytes(Path.of(kernel()));
        Path cut = tmp.resolve("cut.elf");
        Files.write(cut, Arrays.copyOf(whole, Math.min(whole.length, 600)));
        assertOneLineError(VmmProcess.run("run", "--kernel", cut.toString()), "truncated");
    }

    @Test
    void programHeaderOutsideGuestRam() throws IOException {
        RequiresKvm.check();
        byte[] elf = Files.readAllBytes(Path.of(kernel()));
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        boolean elf64 = elf[4] == 2;
        long phoff = elf64 ? b.getLong(0x20) : b.getInt(0x1c) & 0xffffffffL;
        int phentsize = b.getShort(elf64 ? 0x36 : 0x2a) & 0xffff;
        int phnum = b.getShort(elf64 ? 0x38 : 0x2c) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) == 1) { // PT_LOAD: move it to 3 GiB - 64 KiB, far beyond -m 16M
                if (elf64) {
                    b.putLong(ph + 0x18, 0xbfff0000L);
                } else {
                    b.putInt(ph + 0x0c, 0xbfff0000);
                }
                break;
            }
        }
        Path moved = tmp.resolve("moved.elf");
        Files.write(moved, elf);
        assertOneLineError(VmmProcess.run("run", "--kernel", moved.toString(), "-m", "16M"), "outside guest RAM");
    }

    @Test
    void memPathInAMissingDirectory() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "--mem-path", tmp.resolve("no/such/ram").toString()),
                "neither a directory nor a file in an existing directory");
    }

    @Test
    void zeroMemory() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "-m", "0"), "too small");
    }

    @Test
    void memoryBeyondTheHost() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "-m", "1T"), "more than this host's");
    }

    @Test
    void malformedMemory() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "-m", "lots"), "invalid memory size");
    }

    @Test
    void zeroCpus() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "--smp", "0"), "at least 1 vCPU");
    }

    @Test
    void tooManyCpus() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "--smp", "5000"), "5000");
    }

    @Test
    void irqchipOffIsRefusedWithTheReason() {
        // a command-line error now (status 2), found before KVM is opened
        VmmProcess r = VmmProcess.run("run", "--kernel", kernel(), "-machine", "kernel-irqchip=off");
        assertOneLineError(r, "LAPIC in user space");
        assertEquals(2, r.status(), r.toString());
    }

    @Test
    void unknownMachineOption() {
        // q35 is accepted now (vmm's one board); isapc and unknown properties are not
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "-machine", "isapc"), "unsupported machine type 'isapc'");
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "-machine", "q35,nvdimm=on"), "unsupported -machine option");
    }

    @Test
    void debugExitOnPortsOfAFixedDevice() {
        RequiresKvm.check();
        // COM1 (0x3f8) and the POST port (0x80, attached after COM1) are the board's: the clash is the -device's
        for (String iobase : List.of("0x3f8", "0x80")) {
            VmmProcess r = VmmProcess.run("run", "--kernel", kernel(), "-device", "isa-debug-exit,iobase=" + iobase);
            assertOneLineError(r, "ports taken by another device");
            assertTrue(r.stderr().contains("iobase=" + iobase), r.toString());
        }
    }

    @Test
    void unknownOption() {
        assertOneLineError(VmmProcess.run("run", "--kernel", kernel(), "--frobnicate"), "frobnicate");
    }

    @Test
    void noPermissionOnDevKvm() {
        RequiresKvm.check();
        // As an unprivileged user who is not in the kvm group, /dev/kvm cannot be opened.
        VmmProcess r = VmmProcess.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                "run", "--kernel", kernel());
        assertOneLineError(r, "permission denied on /dev/kvm");
        assertTrue(r.stderr().contains("kvm"), "names the fix\n" + r);
    }
}
