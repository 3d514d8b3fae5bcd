package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kvm-msi-ext-dest-id with sparse APIC IDs: {@code vmm run -M kernel-irqchip=split --apic-ids 0,256}
 * boots the test kernel, whose IOAPIC interrupt (COM1's pin 4, destination 256 with RTE bits 55:49)
 * must reach the vCPU with APIC ID 256 when the bit is on, and APIC ID 0 when it is off.
 */
class ExtDestIdTest {
    private static final String CHECK = "pv kvm-msi-ext-dest-id";

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static VmmProcess boot(String cpu, String append) {
        return VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--apic-ids", "0,256", "-M", "kernel-irqchip=split", "--cpu", cpu, "--append", append);
    }

    private static TapReport.Result check(TapReport tap, VmmProcess r) {
        return tap.results().stream().filter(x -> x.description().startsWith(CHECK)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + CHECK + "' line\n" + r));
    }

    @Test
    void interruptReachesApicId256WithTheBit() {
        VmmProcess r = boot("host,+kvm-msi-ext-dest-id", "pvtest.extdest=1");
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(tap.allOk(), r.toString());
        assertTrue(tap.diagnostic("# apic ids: 0 256;").isPresent(), "the AP reads APIC ID 256\n" + r);
        TapReport.Result ext = check(tap, r);
        assertFalse(ext.description().contains("SKIP"), r.toString());
        assertTrue(tap.diagnostic("# extdest: ioapic version 0x20, bit 15 on, RTE dest 256 (cpu 1): taken by APIC ID 256, 1 time(s)")
                .isPresent(), r.toString());
    }

    @Test
    void withoutTheBitOnlyBits7To0CountAndTheMadtListsTheX2apicCpu() {
        // pvtest.nofwcfg: the CPU count comes from the MADT, whose type-9 entry carries APIC ID 256
        VmmProcess r = boot("host,-kvm-msi-ext-dest-id", "pvtest.extdest=1 pvtest.nofwcfg");
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(tap.allOk(), r.toString());
        assertTrue(tap.diagnostic("# fw_cfg not available, ACPI MADT lists 2 CPUs").isPresent(), r.toString());
        assertTrue(tap.diagnostic("# extdest: ioapic version 0x20, bit 15 off, RTE dest 256 (cpu 1): taken by APIC ID 0, 1 time(s)")
                .isPresent(), r.toString());
    }

    @Test
    void inKernelIrqchipSkipsWithItsReason() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--append", "pvtest.extdest=1");
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(0, r.status(), r.toString());
        assertTrue(check(tap, r).description().contains("# SKIP in-kernel IOAPIC"), r.toString());
    }

    @Test
    void badApicIdsAreOneLineErrors() {
        String k = RequiresKvm.testKernel().toString();
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,256")
                .assertOneLineError("APIC ID 256 needs -M kernel-irqchip=split");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0")
                .assertOneLineError("lists 1 IDs but --smp is 2");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,two")
                .assertOneLineError("'two' is not a number");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,0")
                .assertOneLineError("APIC ID 0 appears twice");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "3,0")
                .assertOneLineError("the first ID (the boot CPU) must be 0");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,-5")
                .assertOneLineError("APIC ID -5 is negative");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,1000000", "-M", "kernel-irqchip=split")
                .assertOneLineError("is not below this host's KVM_CAP_MAX_VCPU_ID");
        VmmProcess.run("run", "--kernel", k, "--smp", "2", "--apic-ids", "0,256", "-M", "kernel-irqchip=split",
                "--cpu", "host,-x2apic").assertOneLineError("need x2APIC");
    }
}
