package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import dev.vmm.kvm.Kvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kvm-msi-ext-dest-id at its purpose, more than 255 vCPUs without interrupt remapping:
 * {@code vmm run --smp N -M kernel-irqchip=split} with dense APIC IDs 0..N-1, every vCPU online
 * (the test kernel lists each AP's APIC ID), and the IOAPIC interrupt aimed at the highest APIC
 * ID. With the bit on it must reach N-1; with it off vmm hands KVM the address untouched, KVM
 * reads only destination bits 7:0 (the {@code --verbose} MSI line shows what KVM_SIGNAL_MSI got)
 * and the interrupt lands on APIC ID (N-1) &amp; 0xff instead. 288 vCPUs (QEMU q35's maximum) and
 * this host's KVM_CAP_MAX_VCPUS: the test kernel's {@code pvtest.only=extdest} keeps the per-AP
 * work to bring-up and one mailbox call, about 1 s for 288 and 3 s for 1024 vCPUs here.
 */
class ManyVcpusTest {
    private static final String CHECK = PvCheck.MSI_EXT_DEST_ID.description();

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static VmmProcess boot(int smp, String cpu) {
        return VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", String.valueOf(smp),
                "-M", "kernel-irqchip=split", "--cpu", cpu, "--append", "pvtest.only=extdest", "--verbose");
    }

    /** Asserts a passing run with all {@code smp} vCPUs online, APIC IDs exactly 0..smp-1; returns the TAP. */
    private static TapReport assertAllOnline(VmmProcess r, int smp) {
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(tap.allPassed(), r.toString());
        assertTrue(tap.diagnostic("cpus online: " + smp + " of " + smp).isPresent(), r.toString());
        String ids = tap.diagnostic("apic ids: ").orElseThrow(() -> new AssertionError("no APIC ID list\n" + r));
        int[] seen = Arrays.stream(ids.substring("apic ids: ".length(), ids.indexOf(';')).trim().split(" "))
                .mapToInt(Integer::parseInt).sorted().toArray();
        assertArrayEquals(IntStream.range(0, smp).toArray(), seen, "every vCPU reports its own APIC ID\n" + r);
        assertTrue(ids.endsWith("; " + (smp - 1) + " of " + (smp - 1) + " APs ran a function"), r.toString());
        TapResult check = tap.results().stream().filter(x -> x.description().startsWith(CHECK)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + CHECK + "' line\n" + r));
        assertFalse(check.skipped(), r.toString());
        return tap;
    }

    /** The extdest diagnostic: who took the interrupt aimed at APIC ID {@code dest}. */
    private static void assertTakenBy(TapReport tap, String run, String bit, int dest, int taker) {
        String line = tap.diagnostic("extdest: ioapic version 0x20, bit 15 " + bit + ", RTE dest " + dest + " ")
                .orElseThrow(() -> new AssertionError("no extdest line for RTE dest " + dest + "\n" + run));
        assertTrue(line.endsWith("taken by APIC ID " + taker + ", 1 time(s)"), line + "\n" + run);
    }

    /** The one MSI the IOAPIC sent, as KVM_SIGNAL_MSI got it (MsiTrace). */
    private static String msiLine(VmmProcess r) {
        List<String> msis = r.stderr().lines().filter(l -> l.startsWith("vmm: IOAPIC MSI ")).toList();
        assertEquals(1, msis.size(), "one IOAPIC interrupt\n" + r);
        return msis.get(0);
    }

    @Test
    void interruptReachesApicId287Of288WithTheBit() {
        VmmProcess r = boot(288, "host,+kvm-msi-ext-dest-id");
        assertTakenBy(assertAllOnline(r, 288), r.toString(), "on", 287, 287);
        // 287 = 0x11f: bits 7:0 in address bits 19:12, bit 8 first in bits 11:5 (0x20), then moved to the high dword
        assertTrue(msiLine(r).contains("MSI address 0xfee1f020 data 0x5d -> KVM_SIGNAL_MSI address_hi 0x100"
                + " address_lo 0xfee1f000 (destination 287): delivered"), r.stderr());
    }

    @Test
    void withoutTheBitKvmReadsOnlyBits7To0AndApicId31TakesIt() {
        VmmProcess r = boot(288, "host,-kvm-msi-ext-dest-id");
        assertTakenBy(assertAllOnline(r, 288), r.toString(), "off", 287, 287 & 0xff);
        assertTrue(msiLine(r).contains("MSI address 0xfee1f020 data 0x5d -> KVM_SIGNAL_MSI address_hi 0x0"
                + " address_lo 0xfee1f020 (destination 31): delivered"), r.stderr());
    }

    /**
     * QEMU, the reference, on the same 288 vCPUs ({@code -M microvm,kernel-irqchip=split}, no IOMMU):
     * the same CPUs online and the interrupt taken by the same APIC ID, with the bit and without.
     */
    @Test
    void qemuDeliversTheSameWayOn288Vcpus() throws Exception {
        QemuComparisonTest.requireQemu();
        for (String bit : List.of("on", "off")) {
            String sign = bit.equals("on") ? "+" : "-";
            String out = QemuComparisonTest.runQemu(RequiresKvm.testKernel(),
                    "host,-arch-capabilities," + sign + "kvm-msi-ext-dest-id", "split", 288, "pvtest.only=extdest");
            TapReport tap = TapReport.parse(out);
            assertTrue(tap.allPassed(), "QEMU:\n" + out);
            assertTrue(tap.diagnostic("cpus online: 288 of 288").isPresent(), "QEMU:\n" + out);
            assertTakenBy(tap, "QEMU:\n" + out, bit, 287, bit.equals("on") ? 287 : 31);
        }
    }

    @Test
    void allOfThisHostsMaximumOnlineAndTheHighestApicIdReached() {
        int max;
        try (Kvm kvm = Kvm.open()) {
            max = kvm.maxVcpus();
        }
        assertTrue(max > 255, "this host's KVM_CAP_MAX_VCPUS is " + max + ": nothing beyond xAPIC to test");
        VmmProcess r = boot(max, "host");
        assertTakenBy(assertAllOnline(r, max), r.toString(), "on", max - 1, max - 1);
        assertTrue(msiLine(r).contains("(destination " + (max - 1) + "): delivered"), r.stderr());
    }

    @Test
    void moreThan255VcpusNeedSplitIrqchipAndNoMoreThanKvmAllows() {
        String kernel = RequiresKvm.testKernel().toString();
        // QEMU's words (hw/i386/x86.c): the APIC IDs reach 255, which only the X2APIC API addresses
        VmmProcess.run("run", "--kernel", kernel, "--smp", "256")
                .assertOneLineError("--smp 256: current -smp configuration requires kernel irqchip and X2APIC API support.");
        VmmProcess.run("run", "--kernel", kernel, "--smp", "256", "-M", "kernel-irqchip=on")
                .assertOneLineError("requires kernel irqchip and X2APIC API support");
        int max;
        try (Kvm kvm = Kvm.open()) {
            max = kvm.maxVcpus();
        }
        VmmProcess.run("run", "--kernel", kernel, "--smp", String.valueOf(max + 1), "-M", "kernel-irqchip=split")
                .assertOneLineError("--smp " + (max + 1) + " is more than this host's KVM limit of " + max + " vCPUs");
        VmmProcess.run("run", "--kernel", kernel, "--smp", "288", "-M", "kernel-irqchip=split", "--cpu", "host,-x2apic")
                .assertOneLineError("APIC IDs from 255 up need x2APIC");
    }
}
