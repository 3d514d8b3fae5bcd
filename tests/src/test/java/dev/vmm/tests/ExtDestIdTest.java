package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kvm-msi-ext-dest-id with sparse APIC IDs: {@code vmm run -M kernel-irqchip=split --apic-ids 0,256}
 * boots the test kernel, whose IOAPIC interrupt (COM1's pin 4, destination 256 with RTE bits 55:49)
 * must reach the vCPU with APIC ID 256 when the bit is on, and APIC ID 0 when it is off.
 */
class ExtDestIdTest {
    private static final String CHECK = PvCheck.MSI_EXT_DEST_ID.description();

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static VmmProcess boot(String cpu, String append) {
        return VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--apic-ids", "0,256", "-M", "kernel-irqchip=split", "--cpu", cpu, "--append", append);
    }

    private static TapResult check(TapReport tap, VmmProcess r) {
        return tap.results().stream().filter(x -> x.description().startsWith(CHECK)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + CHECK + "' line\n" + r));
    }

    /** Boots with APIC IDs 0,256 and asserts a clean run whose ext-dest-id check printed {@code note}. */
    private static TapReport assertDelivered(String cpu, String append, String note) {
        VmmProcess r = boot(cpu, append);
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(tap.allPassed(), r.toString());
        assertFalse(check(tap, r).skipped(), r.toString());
        assertTrue(tap.diagnostic("extdest: ioapic version 0x20, " + note).isPresent(), r.toString());
        return tap;
    }

    @Test
    void interruptReachesApicId256WithTheBit() {
        TapReport tap = assertDelivered("host,+kvm-msi-ext-dest-id", "pvtest.extdest=1",
                "bit 15 on, RTE dest 256 (cpu 1): taken by APIC ID 256, 1 time(s)");
        assertTrue(tap.diagnostic("apic ids: 0 256;").isPresent(), "the AP reads APIC ID 256\n" + tap);
    }

    @Test
    void withoutTheBitOnlyBits7To0CountAndTheMadtListsTheX2apicCpu() {
        // pvtest.nofwcfg: the CPU count comes from the MADT, whose type-9 entry carries APIC ID 256
        TapReport tap = assertDelivered("host,-kvm-msi-ext-dest-id", "pvtest.extdest=1 pvtest.nofwcfg",
                "bit 15 off, RTE dest 256 (cpu 1): taken by APIC ID 0, 1 time(s)");
        assertTrue(tap.diagnostic("fw_cfg not available, ACPI MADT lists 2 CPUs").isPresent(), tap.toString());
    }

    @Test
    void inKernelIrqchipSkipsWithItsReason() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--append", "pvtest.extdest=1");
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(check(tap, r).toString().contains("# SKIP in-kernel IOAPIC"), r.toString());
    }

    /** {@code vmm run --smp 2 --apic-ids IDS [more]} must fail with one line containing {@code fragment}. */
    private static void assertBad(String ids, String fragment, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "--kernel",
                RequiresKvm.testKernel().toString(), "--smp", "2", "--apic-ids", ids));
        args.addAll(java.util.List.of(more));
        VmmProcess.run(args.toArray(String[]::new)).assertOneLineError(fragment);
    }

    @Test
    void badApicIdsAreOneLineErrors() {
        assertBad("0,256", "APIC ID 256 needs -M kernel-irqchip=split");
        assertBad("0", "lists 1 IDs but --smp is 2");
        assertBad("0,two", "'two' is not a number");
        assertBad("0,0", "APIC ID 0 appears twice");
        assertBad("3,0", "the first ID (the boot CPU) must be 0");
        assertBad("0,-5", "APIC ID -5 is negative");
        assertBad("0,1000000", "is not below this host's KVM_CAP_MAX_VCPU_ID", "-M", "kernel-irqchip=split");
        assertBad("0,256", "need x2APIC", "-M", "kernel-irqchip=split", "--cpu", "host,-x2apic");
    }
}
