package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * scripts/qemu-system-x86_64 (vmm qemu) driven with command lines of the shape test harnesses
 * generate: kvm-unit-tests' x86 runner (-nodefaults, isa-debug-exit at 0xf4, -vnc none, -serial stdio,
 * -machine accel=kvm) and a kselftest/virtme-style line (-enable-kvm -M q35 -nographic, a muxed
 * stdio chardev, -smp/-m in key=value form). Where QEMU is installed the same line runs under
 * it and the exit statuses must be equal.
 */
class QemuLauncherTest {
    private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");

    @TempDir
    Path tmp;

    private static List<String> kvmUnitTestsLine(String kernel, String append) {
        return List.of("-nodefaults", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-vnc", "none",
                "-serial", "stdio", "-machine", "accel=kvm", "-kernel", kernel, "-smp", "1", "-append", append);
    }

    @Test
    void kvmUnitTestsShapedLineGivesQemusStatus() throws Exception {
        RequiresKvm.check();
        String kernel = RequiresKvm.testKernel().toString();
        // the guest exits 0 on success and 1 after an unexpected exception: QEMU makes those 1 and 3
        VmmProcess pass = VmmProcess.runAsQemu(kvmUnitTestsLine(kernel, "x").toArray(String[]::new));
        assertEquals(1, pass.status(), pass.toString());
        assertTrue(pass.stdout().contains("ok 22 - pv: MSR guard released"), pass.toString());
        VmmProcess fault = VmmProcess.runAsQemu(kvmUnitTestsLine(kernel, "pvtest.fault=ud").toArray(String[]::new));
        assertEquals(3, fault.status(), fault.toString());
        if (qemuInstalled()) {
            assertEquals(1, qemuStatus(kvmUnitTestsLine(kernel, "x")));
            assertEquals(3, qemuStatus(kvmUnitTestsLine(kernel, "pvtest.fault=ud")));
        }
    }

    @Test
    void virtmeShapedLineRuns() throws Exception {
        RequiresKvm.check();
        List<String> line = List.of("-enable-kvm", "-M", "q35", "-nographic", "-no-reboot", "-m", "size=128M",
                "-smp", "cpus=2,sockets=1,cores=2,threads=1", "-cpu", "host", "-name", "vmtest",
                "-chardev", "stdio,id=console,mux=on,signal=off", "-serial", "chardev:console", "-display", "none",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", RequiresKvm.testKernel().toString());
        VmmProcess r = VmmProcess.runAsQemu(line.toArray(String[]::new));
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.stdout().contains("TAP version 14"), r.toString());
        assertEquals("", r.stderr(), r.toString());
        if (qemuInstalled()) {
            assertEquals(1, qemuStatus(line));
        }
    }

    /**
     * A multiboot test binary linked at 0x8000 (below vmm's usual boot-information pages) that
     * writes 0x2a to an isa-debug-exit at QEMU's own default place, 0x501 (iosize 2): vmm must load
     * it where it asks and exit with (0x2a << 1) | 1 = 85, as QEMU does.
     */
    @Test
    void lowMultibootBinaryAndDebugExitAt0x501() throws Exception {
        RequiresKvm.check();
        Path low = lowMultibootElf(tmp.resolve("low.elf"));
        List<String> line = List.of("-nodefaults", "-device", "isa-debug-exit,iobase=0x501,iosize=2", "-display", "none",
                "-machine", "accel=kvm", "-kernel", low.toString());
        VmmProcess r = VmmProcess.runAsQemu(line.toArray(String[]::new));
        assertEquals(85, r.status(), r.toString());
        if (qemuInstalled()) {
            assertEquals(85, qemuStatus(line));
        }
    }

    @Test
    void whatVmmCannotHonourIsOneLineNamingTheOption() {
        String k = RequiresKvm.testKernel().toString();
        String[][] cases = {
                {"-device", "pc-testdev", "pc-testdev"},
                {"-accel", "tcg", "KVM only"},
                {"-M", "isapc", "isapc"},
                {"-display", "gtk", "-display gtk"},
                {"-smp", "2,maxcpus=4", "hot-plug"},
                {"-m", "1G,slots=2,maxmem=4G", "hot-plug"},
                {"-mon", "chardev=c", "human monitor"},
                {"-no-shutdown", null, "-no-shutdown needs a QMP monitor"},
                {"-serial", "pty", "unsupported -serial 'pty'"},
                {"-drive", "file=x.img", "-drive"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("-kernel", k, c[0]));
            if (c[1] != null) args.add(c[1]);
            VmmProcess r = VmmProcess.runAsQemu(args.toArray(String[]::new));
            assertEquals(2, r.status(), String.join(" ", args) + "\n" + r);
            r.assertOneLineError(c[2]);
        }
    }

    private static boolean qemuInstalled() {
        if (Files.isExecutable(QEMU)) return true;
        if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) fail("qemu-system-x86_64 missing: run scripts/setup");
        Assumptions.abort("skipped the QEMU half: qemu-system-x86_64 is not installed (scripts/setup installs it)");
        return false;
    }

    private static int qemuStatus(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(QEMU.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("QEMU did not finish in 120 s: " + cmd);
        }
        return p.exitValue();
    }

    /** ELF32 with one PT_LOAD at 0x8000 holding the headers, a multiboot header and 32-bit code. */
    static Path lowMultibootElf(Path file) throws IOException {
        byte[] code = {
                0x66, (byte) 0xBA, 0x01, 0x05,        // mov dx, 0x501
                (byte) 0xB8, 0x2A, 0, 0, 0,           // mov eax, 0x2a
                0x66, (byte) 0xEF,                    // out dx, ax
                (byte) 0xF4, (byte) 0xEB, (byte) 0xFD // hlt; jmp hlt
        };
        int codeAt = 0x70;
        ByteBuffer b = ByteBuffer.allocate(codeAt + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 2).putShort((short) 3).putInt(1).putInt(0x8000 + codeAt).putInt(52).putInt(0).putInt(0)
                .putShort((short) 52).putShort((short) 32).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        int size = b.capacity();
        b.putInt(1).putInt(0).putInt(0x8000).putInt(0x8000).putInt(size).putInt(size).putInt(7).putInt(0x1000);
        b.position(0x60);
        b.putInt(0x1BADB002).putInt(0).putInt(-0x1BADB002); // multiboot magic, flags 0, checksum
        b.position(codeAt);
        b.put(code);
        return Files.write(file, b.array());
    }
}
