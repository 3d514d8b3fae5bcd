package dev.vmm.tests;

import dev.vmm.tap.TapReport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * QEMU is the reference: the same pvtest.elf with the same {@code -cpu} string must give the same
 * TAP results and the same raw CPUID leaf 0x40000001 under QEMU (Debian's qemu-system-x86, which
 * scripts/setup installs) and under vmm. QEMU runs as {@code -M microvm,kernel-irqchip=on}: it
 * boots in a fraction of a second, with the same kernel-irqchip setting as vmm.
 */
class QemuComparisonTest {
    private static final Pattern LEAF = Pattern.compile("# cpuid 0x40000001 eax=0x([0-9a-f]{8}) ebx=0x([0-9a-f]{8}) "
            + "ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})");
    private static Path qemu;

    @BeforeAll
    static void findQemu() {
        requireQemu();
    }

    /** Finds QEMU for this class and for sibling comparisons (fails under VMM_REQUIRE_KVM=1, else skips). */
    static void requireQemu() {
        RequiresKvm.check();
        qemu = Path.of("/usr/bin/qemu-system-x86_64");
        if (!Files.isExecutable(qemu)) {
            if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) {
                fail("qemu-system-x86_64 is not installed: run scripts/setup (CI does)");
            }
            Assumptions.abort("skipped: qemu-system-x86_64 is not installed (scripts/setup installs it)");
        }
    }

    /**
     * @param vmmCpu  the -cpu string given to vmm
     * @param qemuCpu the -cpu string given to QEMU: the same, except where this host needs a
     *                non-PV flag QEMU has and vmm does not model (see the row)
     * @param ignoreMask bits of leaf 0x40000001 EAX that are known to differ, with the reason in the row
     */
    @ParameterizedTest(name = "-cpu {0} kernel-irqchip={3}")
    @CsvSource(delimiter = '|', value = {
            "kvm64|kvm64|0|on",
            "qemu64|qemu64|0|on",
            "kvm64,+kvm-pv-ipi|kvm64,+kvm-pv-ipi|0|on",
            "kvm64,-kvmclock|kvm64,-kvmclock|0|on",
            "qemu64,-kvmclock,+kvm-poll-control|qemu64,-kvmclock,+kvm-poll-control|0|on",
            "kvm64,kvm-pv-unhalt=on,kvm_pv_tlb_flush=on,kvm-pv-sched-yield|kvm64,kvm-pv-unhalt=on,kvm_pv_tlb_flush=on,kvm-pv-sched-yield|0|on",
            "kvm64,-kvm-steal-time,-kvm-pv-eoi,kvm-asyncpf-int=on|kvm64,-kvm-steal-time,-kvm-pv-eoi,kvm-asyncpf-int=on|0|on",
            "kvm64,kvm=off|kvm64,kvm=off|0|on",
            // QEMU's -cpu host aborts on this host (it cannot set MSR 0x10a, IA32_ARCH_CAPABILITIES), so QEMU
            // runs without that non-PV flag. Debian's QEMU 7.2 has no name for bit 10 (kvm-asyncpf-vmexit)
            // and so leaves it out of a migratable host model; vmm names it and passes it through.
            "host|host,-arch-capabilities|0x400|on",
            // Split irqchip: the LAPICs stay in KVM, the IOAPIC moves to the VMM, and with x2apic
            // QEMU turns kvm-msi-ext-dest-id (bit 15) on by default.
            "kvm64|kvm64|0|split",
            "kvm64,+kvm-pv-ipi,-kvm-msi-ext-dest-id|kvm64,+kvm-pv-ipi,-kvm-msi-ext-dest-id|0|split",
            "qemu64,kvm-pv-unhalt=on|qemu64,kvm-pv-unhalt=on|0|split",
    })
    void sameTapAndSameKvmLeaf(String vmmCpu, String qemuCpu, String ignoreMask, String irqchip) throws Exception {
        Path kernel = RequiresKvm.testKernel();
        VmmProcess ours = VmmProcess.run("run", "--kernel", kernel.toString(), "--smp", "2", "--cpu", vmmCpu,
                "-machine", "kernel-irqchip=" + irqchip);
        String theirs = runQemu(kernel, qemuCpu, irqchip);

        TapReport a = TapReport.parse(ours.stdout());
        TapReport b = TapReport.parse(theirs);
        assertTrue(b.version().isPresent() && b.plan().isPresent(), "QEMU printed TAP:\n" + theirs);
        assertEquals(b.toString(), a.toString(), "same TAP plan and results as QEMU\nvmm: " + ours + "\nQEMU:\n" + theirs);

        long[] ourLeaf = leaf(ours.stdout());
        long[] qemuLeaf = leaf(theirs);
        long mask = ~Long.decode(ignoreMask);
        String[] regs = {"eax", "ebx", "ecx", "edx"};
        for (int i = 0; i < 4; i++) {
            long diff = (ourLeaf[i] ^ qemuLeaf[i]) & (i == 0 ? mask : ~0L);
            assertEquals(0, diff, String.format("CPUID 0x40000001.%s differs from QEMU in bits 0x%x (vmm 0x%08x, QEMU 0x%08x)",
                    regs[i], diff, ourLeaf[i], qemuLeaf[i]));
        }
    }

    private static long[] leaf(String out) {
        Matcher m = LEAF.matcher(out);
        assertTrue(m.find(), "no leaf line in:\n" + out);
        return new long[] {Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16),
                Long.parseLong(m.group(3), 16), Long.parseLong(m.group(4), 16)};
    }

    /** Boots {@code kernel} under QEMU ({@link #requireQemu()} first) and returns its serial output. */
    static String runQemu(Path kernel, String cpu, String irqchip) throws IOException, InterruptedException {
        return runQemu(kernel, cpu, irqchip, 2, "");
    }

    /** As {@link #runQemu(Path, String, String)} with {@code smp} vCPUs and the kernel command line {@code append}. */
    static String runQemu(Path kernel, String cpu, String irqchip, int smp, String append)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("qemu-out", ".txt");
        try {
            Process p = new ProcessBuilder(List.of(qemu.toString(), "-M", "microvm,kernel-irqchip=" + irqchip, "-accel", "kvm",
                    "-m", "128M", "-smp", String.valueOf(smp), "-cpu", cpu, "-kernel", kernel.toString(), "-append", append,
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-display", "none", "-monitor", "none",
                    "-serial", "file:" + out, "-no-reboot"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("QEMU did not finish in 120 s");
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
