package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Argument handling of features/cpuid/doctor that must work without /dev/kvm. */
class CliArgumentsTest {

    /** Runs Main.execute with stdout/stderr captured. */
    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void assertUsageError(Result r, String fragment) {
        assertEquals(Main.USAGE_STATUS, r.status(), r.toString());
        assertEquals(1, r.errLines().size(), "one line on stderr: " + r);
        assertTrue(r.errLines().get(0).startsWith("vmm: "), r.toString());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "': " + r);
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void testReportPathIsCheckedBeforeTheFirstBoot() throws Exception {
        java.nio.file.Path kernel = java.nio.file.Files.createTempFile("kernel", ".elf"); // never booted: the path check comes first
        try {
            Result r = run("test", "--kernel", kernel.toString(), "--junit", "/nonexistent-vmm-dir/report.xml");
            assertUsageError(r, "directory '/nonexistent-vmm-dir' does not exist");
            assertFalse(r.err().contains("vmm test: "), "no cell ran: " + r);
        } finally {
            java.nio.file.Files.delete(kernel);
        }
    }

    @Test
    void testHypercallModeAndConfigErrorsAreUsageErrorsBeforeTheFirstBoot() throws Exception {
        java.nio.file.Path kernel = java.nio.file.Files.createTempFile("kernel", ".elf"); // never booted
        java.nio.file.Path cells = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("cells", ".json"),
                "{\"cells\": [{\"feature\": \"kvm-no-such\", \"cpu\": \"host\"}]}");
        try {
            assertUsageError(run("test", "--kernel", kernel.toString(), "--hypercalls", "bogus"),
                    "--hypercalls bogus: expected auto, vmcall, vmmcall or none");
            // the harness's MatrixConfigException becomes the command's one-line usage error
            assertUsageError(run("test", "--kernel", kernel.toString(), "--config", cells.toString()),
                    "unknown PV feature 'kvm-no-such'");
        } finally {
            java.nio.file.Files.delete(kernel);
            java.nio.file.Files.delete(cells);
        }
    }

    @Test
    void seccompTakesOnOrOff() {
        assertUsageError(run("run", "--kernel", "/nonexistent-vmm-kernel", "--seccomp", "maybe"),
                "--seccomp takes on or off, not 'maybe'");
    }

    @Test
    void machineOptionValues() {
        assertEquals(IrqchipMode.ON, MachineOption.parse(null));
        assertEquals(IrqchipMode.ON, MachineOption.parse("kernel-irqchip=on"));
        assertEquals(IrqchipMode.SPLIT, MachineOption.parse("kernel-irqchip=split"));
        assertEquals(IrqchipMode.OFF, MachineOption.parse("kernel_irqchip=OFF"));
        assertEquals(IrqchipMode.ON, MachineOption.parse("kernel-irqchip"));
        assertEquals(IrqchipMode.OFF, MachineOption.parse("kernel-irqchip=split,kernel-irqchip=off"));
        UserError bad = assertThrows(UserError.class, () -> MachineOption.parse("kernel-irqchip=maybe"));
        assertTrue(bad.getMessage().contains("'on', 'split' or 'off'"), bad.getMessage());
        assertEquals(Main.USAGE_STATUS, bad.status());
        UserError other = assertThrows(UserError.class, () -> MachineOption.parse("isapc"));
        assertTrue(other.getMessage().contains("isapc"), other.getMessage());
    }

    @Test
    void badIrqchipIsOneLineBeforeKvm() {
        assertUsageError(run("features", "--machine", "kernel-irqchip=maybe"), "kernel-irqchip");
        assertUsageError(run("cpuid", "-machine", "kernel-irqchip=sometimes"), "'sometimes'");
        assertUsageError(run("features", "-M", "accel=tcg"), "accel=tcg");
    }

    @Test
    void badCpuIsOneLineBeforeKvm() {
        assertUsageError(run("features", "--cpu", "kvm64,+kvm-pv-ipo"), "unknown -cpu option 'kvm-pv-ipo'");
        // QEMU has Skylake-Client and Skylake-Server but no bare Skylake (and "pentium" is a model now)
        assertUsageError(run("cpuid", "-cpu", "Skylake"), "unable to find CPU model 'Skylake'");
        assertUsageError(run("cpuid", "--cpu", "kvm64,kvm-pv-ipi=yes"), "expects 'on' or 'off'");
    }

    @Test
    void badVcpu() {
        assertUsageError(run("cpuid", "--vcpu", "two"), "invalid --vcpu 'two'");
        assertUsageError(run("cpuid", "--vcpu", "-1"), "invalid --vcpu -1");
        assertEquals(7, CpuidCommand.parseVcpu("7"));
        assertEquals(4095, CpuidCommand.parseVcpu("4095"));
        assertThrows(UserError.class, () -> CpuidCommand.parseVcpu("4096"));
    }

    @Test
    void unknownOptionsAndArguments() {
        assertUsageError(run("features", "--frobnicate"), "frobnicate");
        assertUsageError(run("doctor", "extra"), "extra");
        assertUsageError(run("cpuid", "--json"), "--json");
    }

    @Test
    void helpListsTheNewCommands() {
        Result r = run("--help");
        assertEquals(0, r.status(), r.toString());
        for (String cmd : List.of("run", "features", "cpuid", "doctor")) {
            assertTrue(r.out().contains(cmd), cmd + " in help: " + r);
        }
        Result f = run("features", "--help");
        assertEquals(0, f.status(), f.toString());
        assertTrue(f.out().contains("--json") && f.out().contains("-machine"), f.toString());
    }

    @Test
    void aCommandLineBuildsOnlyTheCommandItNamesAndHelpBuildsThemAll() {
        assertEquals(java.util.Set.of("run"), Main.commandLine("run", "--kernel", "k").getSubcommands().keySet());
        assertEquals(java.util.Set.of("qemu"), Main.commandLine("qemu", "-kernel", "k").getSubcommands().keySet());
        for (String[] args : List.of(new String[0], new String[] {"help", "run"}, new String[] {"--help"},
                new String[] {"rn"})) {
            assertEquals(Main.COMMANDS, List.copyOf(Main.commandLine(args).getSubcommands().keySet()), List.of(args).toString());
        }
        Result typo = run("rn");
        assertUsageError(typo, "did you mean run");
        Result help = run("help", "cpuid");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains("cpuid"), help.toString());
    }

    @Test
    void doctorFindsEveryLoadedFlavour(@TempDir Path sys) throws IOException {
        assertTrue(DoctorCommand.flavours(sys).isEmpty());
        Files.createDirectory(sys.resolve("kvm"));
        Files.createDirectory(sys.resolve("kvm_amd"));
        Files.createDirectory(sys.resolve("kvm_pvm"));
        List<String[]> found = DoctorCommand.flavours(sys);
        assertEquals(List.of("kvm-pvm", "kvm-amd"), found.stream().map(f -> f[0]).toList());
        assertTrue(found.get(0)[1].contains("cmpxchg16b") && found.get(0)[1].contains("KVM internal error"));

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DoctorCommand.printFlavours(new PrintStream(buf, true, StandardCharsets.UTF_8), List.of());
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("none loaded"), buf.toString());
    }

    @Test
    void doctorListsEveryCapabilityTheBriefNames() {
        List<String> names = DoctorCommand.CAPS.stream().map(DoctorCommand.Cap::name).toList();
        for (String n : List.of("IRQCHIP", "USER_MEMORY", "SET_TSS_ADDR", "EXT_CPUID", "MP_STATE", "PIT2",
                "IMMEDIATE_EXIT", "MAX_VCPUS", "MAX_VCPU_ID", "NR_VCPUS", "ADJUST_CLOCK", "SPLIT_IRQCHIP", "X2APIC_API",
                "ENFORCE_PV_FEATURE_CPUID", "BINARY_STATS_FD")) {
            assertTrue(names.contains("KVM_CAP_" + n), n);
        }
        DoctorCommand.Cap max = DoctorCommand.CAPS.stream()
                .filter(c -> c.name().equals("KVM_CAP_MAX_VCPUS")).findFirst().orElseThrow();
        assertTrue(DoctorCommand.capLine(max, 1024).contains("yes (1024)"));
        assertTrue(DoctorCommand.capLine(max, 0).contains(" no "));
    }

    @Test
    void doctorDecodesHostPvBits() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DoctorCommand.printPvFeatures(new PrintStream(buf, true, StandardCharsets.UTF_8), 0x0100007b | (1 << 30));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("EAX = 0x4100007b"), text);
        assertTrue(text.matches("(?s).*kvmclock +bit 0,3 +yes.*"), text);
        assertTrue(text.matches("(?s).*kvm-pv-ipi +bit 11 +no.*"), text);
        assertTrue(text.matches("(?s).*\\(unknown\\) +bit 30 +yes.*"), text);
    }
}
