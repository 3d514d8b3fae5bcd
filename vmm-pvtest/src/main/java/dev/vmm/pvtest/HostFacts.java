package dev.vmm.pvtest;

import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.PcMachine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the matrix needs to know of the host before its first cell, probed once: KVM's supported
 * CPUID and its PV bits, kvm-pvm or not, a stable (master) clock, APIC virtualization, halt polling.
 * The one place the harness reads the host's /sys/module.
 *
 * @param cpuid       KVM_GET_SUPPORTED_CPUID
 * @param pvEax       its 0x40000001 EAX, the PV features KVM offers
 * @param kvmPvm      the host's KVM is kvm-pvm
 * @param clockStable KVM keeps a master clock (KVM_GET_CLOCK's KVM_CLOCK_TSC_STABLE after a probe boot)
 * @param apicv       Intel APICv or AMD AVIC is on
 * @param haltPollNs  the kvm module's halt_poll_ns (0: KVM never polls before a halt; -1: unknown)
 */
public record HostFacts(List<CpuidEntry> cpuid, int pvEax, boolean kvmPvm, boolean clockStable, boolean apicv,
                        long haltPollNs) {
    /** KVM_GET_CLOCK's KVM_CLOCK_TSC_STABLE. */
    private static final int KVM_CLOCK_TSC_STABLE = 2;

    public HostFacts {
        cpuid = List.copyOf(cpuid);
    }

    /** Probes this host; {@code kernel} is the test kernel, booted once for the clock. */
    public static HostFacts probe(List<CpuidEntry> cpuid, Path kernel) {
        return new HostFacts(cpuid, pvBits(cpuid), Files.isDirectory(Path.of("/sys/module/kvm_pvm")),
                clockStable(kernel), apicv(Path.of("/sys/module")), haltPollNs(Path.of("/sys/module")));
    }

    static int pvBits(List<CpuidEntry> host) {
        for (CpuidEntry e : host) {
            if (e.function() == PvFeature.KVM_CPUID_FEATURES) return e.eax();
        }
        return 0;
    }

    /**
     * Intel APICv or AMD AVIC enabled in the host's KVM module: then KVM does not track the in-service
     * vector and never sets the PV-EOI bit, so the guest may not require it (pvtest.apicv=1).
     */
    static boolean apicv(Path sysModule) {
        for (String p : List.of("kvm_intel/parameters/enable_apicv", "kvm_amd/parameters/avic")) {
            try {
                String v = Files.readString(sysModule.resolve(p)).trim();
                if (v.equals("Y") || v.equals("1")) return true;
            } catch (IOException e) {
                // module not loaded or parameter absent: no APIC virtualization from it
            }
        }
        return false;
    }

    /** kvm/parameters/halt_poll_ns under {@code sysModule}, or -1 when it cannot be read. */
    public static long haltPollNs(Path sysModule) {
        try {
            return Long.parseLong(Files.readString(sysModule.resolve("kvm/parameters/halt_poll_ns")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * KVM_GET_CLOCK after a probe boot: KVM_CLOCK_TSC_STABLE means KVM runs a master clock, so a
     * kvmclock-stable-bit guest must see PVCLOCK_TSC_STABLE_BIT. (A VM whose vCPUs never ran
     * reports 0: KVM decides once the vCPUs' TSCs are matched.)
     */
    private static boolean clockStable(Path kernel) {
        try {
            MachineConfig config = MachineConfig.validated(kernel, "pvtest.probe", 128L << 20, 1, "host");
            try (PcMachine m = PcMachine.create(config, new ByteArrayOutputStream(),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
                m.run(Duration.ofSeconds(30));
                return masterClock(m);
            }
        } catch (RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** KVM_GET_CLOCK's KVM_CLOCK_TSC_STABLE: KVM keeps one master clock for all vCPUs. */
    static boolean masterClock(PcMachine m) {
        return (m.vm().fd().getClock().flags() & KVM_CLOCK_TSC_STABLE) != 0;
    }
}
