package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vmm.tests.FlatKernel.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, hostile guests: each misbehaviour ends within --timeout with its documented status
 * and message (docs/hardening.md, "Guests"), on one vCPU and on four, and never with a Java stack
 * trace. The guests are flat multiboot kernels (FlatKernel) of a few instructions, run by the BSP;
 * the APs stay in wait-for-SIPI unless the guest starts them (cli; hlt on every vCPU).
 */
class HostileGuestTest {
    private static final int TIMEOUT = 3;
    /** The whole run, JVM start included, must end well within this (a hang would reach VmmProcess's 120 s). */
    private static final long WALL_LIMIT_MS = (TIMEOUT + 20) * 1000L;
    private static final String STILL_RUNNING = "vmm: guest still running after " + TIMEOUT + " s; stopped it";

    @TempDir
    Path tmp;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private VmmProcess run(int smp, byte[] code, String... extra) throws IOException {
        Path kernel = FlatKernel.write(tmp.resolve("guest.bin"), code);
        List<String> args = new ArrayList<>(List.of("run", "--kernel", kernel.toString(), "--smp", Integer.toString(smp),
                "--timeout", Integer.toString(TIMEOUT), "--serial", "null"));
        args.addAll(List.of(extra));
        long t0 = System.nanoTime();
        VmmProcess r = VmmProcess.run(args.toArray(String[]::new));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < WALL_LIMIT_MS, "ended after " + ms + " ms\n" + r);
        assertFalse(r.stderr().contains("\tat ") || r.stderr().contains("Exception"), "no Java stack trace\n" + r);
        return r;
    }

    private static void assertStatus(VmmProcess r, int status, String message) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.stderr().contains(message), "expected '" + message + "'\n" + r);
    }

    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void tripleFault(int smp) throws IOException {
        VmmProcess r = run(smp, bytes(0xCC)); // int3 with no IDT: #BP → #DF → triple fault
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.stderr().contains("triple fault") || r.stderr().contains("KVM internal error"), r.toString());
        // kvm-amd resets the vCPU on the shutdown before vmm reads it: then, and only then, the
        // report says that its registers are the reset state, not the faulting instruction's
        boolean resetDump = r.stderr().contains("EIP=0000fff0") && r.stderr().contains("CS =f000 ffff0000");
        assertEquals(resetDump, r.stderr().contains("after KVM reset it"), r.toString());
    }

    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void spinInRingZero(int smp) throws IOException {
        assertStatus(run(smp, bytes(0xEB, 0xFE)), 125, STILL_RUNNING); // jmp $
    }

    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void spinInRingThree(int smp) {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", Integer.toString(smp),
                "--append", "pvtest.spin=user", "--timeout", Integer.toString(TIMEOUT), "--serial", "null");
        assertStatus(r, 125, STILL_RUNNING);
    }

    /** The BSP starts every AP in a real-mode "cli; hlt" at 0x8000 (INIT + SIPI to all but itself), then halts too. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void cliHltOnEveryVcpu(int smp) throws IOException {
        byte[] code = bytes(
                0xC7, 0x05, 0x00, 0x80, 0x00, 0x00, 0xFA, 0xF4, 0xEB, 0xFD, // mov dword [0x8000], cli;hlt;jmp $-3
                0xC7, 0x05, 0x00, 0x03, 0xE0, 0xFE, 0x00, 0x45, 0x0C, 0x00, // ICR: INIT, all excluding self
                0xC7, 0x05, 0x00, 0x03, 0xE0, 0xFE, 0x08, 0x46, 0x0C, 0x00, // ICR: SIPI vector 8 (0x8000)
                0xFA, 0xF4, 0xEB, 0xFD);                                    // cli; hlt; jmp back to hlt
        assertStatus(run(smp, code), 125, STILL_RUNNING);
    }

    /** Code fetched from an address with no RAM behind it: KVM cannot emulate that. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void instructionKvmCannotEmulate(int smp) throws IOException {
        VmmProcess r = run(smp, bytes(0xB8, 0x00, 0x00, 0x00, 0xD0, 0xFF, 0xE0)); // mov eax, 0xd0000000; jmp eax
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.stderr().contains("KVM internal error") || r.stderr().contains("triple fault"), r.toString());
    }

    /** 0 to every port but isa-debug-exit (0xf4-0xf7), then 42 at 0xf4: every device survives, the run ends with 42. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void writeToAllPorts(int smp) throws IOException {
        byte[] code = bytes(
                0x31, 0xC0,                         // xor eax, eax
                0x31, 0xD2,                         // xor edx, edx
                0x81, 0xFA, 0xF4, 0x00, 0x00, 0x00, // loop: cmp edx, 0xf4
                0x72, 0x08,                         // jb write
                0x81, 0xFA, 0xF8, 0x00, 0x00, 0x00, // cmp edx, 0xf8 (isa-debug-exit is 0xf4-0xf7, as QEMU's iosize=4)
                0x72, 0x01,                         // jb skip
                0xEE,                               // write: out dx, al
                0x42,                               // skip: inc edx
                0x81, 0xFA, 0x00, 0x00, 0x01, 0x00, // cmp edx, 0x10000
                0x72, 0xE6,                         // jb loop
                0xB0, 0x2A, 0xE6, 0xF4,             // mov al, 42; out 0xf4, al
                0xEB, 0xFE);
        VmmProcess r = run(smp, code);
        assertEquals(42, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }

    /** Endless writes and reads of an address no device owns: vmm keeps up and stops it at the timeout. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void floodMmio(int smp) throws IOException {
        byte[] code = bytes(
                0xA3, 0x00, 0x00, 0x00, 0xD0,       // loop: mov [0xd0000000], eax
                0xA1, 0x00, 0x00, 0x00, 0xD0,       // mov eax, [0xd0000000]
                0xEB, 0xF4);                        // jmp loop
        assertStatus(run(smp, code), 125, STILL_RUNNING);
    }

    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void resetInALoop(int smp) throws IOException {
        byte[] code = bytes(0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE); // i8042 pulse reset line, forever
        assertStatus(run(smp, code), 125, "vmm: guest reset more than 100 times in one run (reset loop?); stopped it");
        VmmProcess noReboot = run(smp, code, "--no-reboot");
        assertEquals(0, noReboot.status(), noReboot.toString());
    }

    /** Every page of 128 MiB evicted, the code's own page included: the first 1024 go, the rest are refused. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void evictEveryPage(int smp) throws IOException {
        VmmProcess r = run(smp, evictAll(1), "--evict-port");
        assertEquals(42, r.status(), r.toString());
    }

    /**
     * File-backed RAM: every 64th page (a dirty page is written to the disk first, about 1.5 ms each
     * here, so the guest pays for its own evictions with its own vCPU's time; nothing piles up in vmm).
     */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void evictPagesOfFileBackedRam(int smp) throws IOException {
        VmmProcess r = run(smp, evictAll(64), "--mem-path", tmp.toString());
        assertEquals(42, r.status(), r.toString());
    }

    /** Evicts gfn 0, stride, 2 * stride, ... up to 128 MiB (the default RAM), then exits with 42. */
    private static byte[] evictAll(int stride) {
        return bytes(
                0x31, 0xC9,                         // xor ecx, ecx
                0xBA, 0x30, 0x05, 0x00, 0x00,       // mov edx, 0x530
                0x89, 0xC8,                         // loop: mov eax, ecx
                0xEF,                               // out dx, eax (evict gfn)
                0xED,                               // in eax, dx (its status)
                0x83, 0xC1, stride,                 // add ecx, stride
                0x81, 0xF9, 0x00, 0x80, 0x00, 0x00, // cmp ecx, 0x8000 (128 MiB of pages)
                0x72, 0xF1,                         // jb loop
                0xB0, 0x2A, 0xE6, 0xF4, 0xEB, 0xFE);
    }

    /** 1000 "take my CPU" requests and never a stop: each busy thread ends by itself; the run ends with 42. */
    @ParameterizedTest(name = "smp {0}")
    @ValueSource(ints = {1, 4})
    void contentionPortAbuse(int smp) throws IOException {
        byte[] code = bytes(
                0x31, 0xC9,                         // xor ecx, ecx
                0xB8, 0x01, 0x00, 0x00, 0x00,       // mov eax, 1 (start)
                0xBA, 0xE0, 0x05, 0x00, 0x00,       // mov edx, 0x5e0
                0xEF,                               // loop: out dx, eax
                0x41,                               // inc ecx
                0x81, 0xF9, 0xE8, 0x03, 0x00, 0x00, // cmp ecx, 1000
                0x72, 0xF6,                         // jb loop
                0xB0, 0x2A, 0xE6, 0xF4, 0xEB, 0xFE);
        VmmProcess r = run(smp, code, "--host-contention");
        assertEquals(42, r.status(), r.toString());
    }
}
