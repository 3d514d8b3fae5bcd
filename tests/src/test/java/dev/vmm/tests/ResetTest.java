package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guest reset: the test kernel with {@code pvtest.reset} dirties kvmclock and poll-control,
 * resets through the i8042 (0xFE to port 0x64) and, on the second boot, checks QEMU's reset
 * rule (PV MSRs 0, MSR_KVM_POLL_CONTROL 1). {@code -no-reboot} turns the reset into the end of
 * the run; a guest that resets forever is stopped.
 */
class ResetTest {
    @TempDir
    Path tmp;

    /** The test kernel's plan without pvtest.reset: 4 core tests and 12 PV feature checks. */
    private static final int BASE_PLAN = 16;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    @Test
    void resetRebootsTheGuestWithPvMsrsReset() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.reset", "--cpu", "host,+kvm-poll-control");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.stdout().contains("# resetting"), r.toString());
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(BASE_PLAN + 2, tap.planned(), r.toString());
        assertTrue(tap.allOk(), r.toString());
        assertTrue(tap.results().stream().anyMatch(t -> t.number() == 5
                && t.description().equals("reset: kvmclock MSR is 0 after reset")), r.toString());
        assertTrue(tap.results().stream().anyMatch(t -> t.number() == 6
                && t.description().equals("reset: poll-control MSR is 1 after reset")), r.toString());
        assertFalse(r.stdout().contains("# SKIP kvm"), "both features are offered\n" + r);
    }

    @Test
    void resetRebootsEveryVcpu() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--append", "pvtest.reset", "--cpu", "host,+kvm-poll-control");
        assertEquals(0, r.status(), r.toString());
        TapReport tap = TapReport.parse(r.stdout());
        assertTrue(tap.allOk(), r.toString());
        assertTrue(r.stdout().contains("ok 3 - smp: all 2 CPUs online"), "APs come up again after the reset\n" + r);
    }

    @Test
    void noRebootEndsTheRunAtTheReset() {
        VmmProcess r = VmmProcess.run("run", "-no-reboot", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.reset", "--cpu", "host,+kvm-poll-control");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.stdout().contains("# resetting"), r.toString());
        assertFalse(r.stdout().contains("reset: "), "no second boot\n" + r);
        assertFalse(r.stdout().contains("not ok"), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }

    @Test
    void withoutPvtestResetNothingChanges() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString());
        assertEquals(0, r.status(), r.toString());
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(BASE_PLAN, tap.planned(), r.toString());
        assertTrue(tap.allOk(), r.toString());
        assertFalse(r.stdout().contains("resetting"), r.toString());
    }

    @Test
    void resetLoopIsStopped() throws IOException {
        // mov al, 0xfe; out 0x64, al; jmp $ - resets on every boot.
        VmmProcess r = VmmProcess.run("run", "--kernel", flatKernel("resetloop.bin",
                new byte[] {(byte) 0xb0, (byte) 0xfe, (byte) 0xe6, 0x64, (byte) 0xeb, (byte) 0xfe}).toString());
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.stderr().contains("reset more than 100 times"), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
    }

    /** A flat multiboot image (a.out kludge): loaded at 1 MiB, entry just after the 32-byte header. */
    private Path flatKernel(String name, byte... code) throws IOException {
        int load = 0x100000, header = 32;
        ByteBuffer b = ByteBuffer.allocate(header + code.length).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010000;
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt(load).putInt(load).putInt(0).putInt(0).putInt(load + header);
        b.position(header);
        b.put(code);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }
}
