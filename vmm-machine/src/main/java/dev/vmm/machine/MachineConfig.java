package dev.vmm.machine;

import dev.vmm.cpu.IrqchipMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the user asked for: kernel, command line (null: none given, Linux kernels then get
 * {@link dev.vmm.boot.KernelLoader#LINUX_DEFAULT_CMDLINE}), RAM, vCPUs, the {@code -cpu} string
 * an optional initrd, the vCPUs' APIC IDs (null: 0..cpuCount-1; see {@link ApicIds}), the test-only
 * devices ({@link TestDevice}; null: none), {@code memPath} (null:
 * anonymous RAM; else QEMU's {@code -mem-path}, a directory or file the RAM is mapped from, shared),
 * {@code noReboot} (QEMU's {@code -no-reboot}: a guest reset ends the run with status 0),
 * and the isa-debug-exit devices ({@code debugExits}; null: {@link DebugExitPorts#VMM_DEFAULT}).
 * {@link #validated} rejects absurd values before anything touches KVM.
 */
public record MachineConfig(Path kernel, String cmdline, long ramSize, int cpuCount, String cpuSpec,
                            IrqchipMode irqchip, Path initrd, List<Integer> apicIds, Set<TestDevice> testDevices,
                            Path memPath, boolean noReboot, List<DebugExitPorts> debugExits) {
    /** Below this a PVH or multiboot kernel has no room for itself, its page tables and the firmware tables. */
    public static final long MIN_RAM = 2L << 20;
    /** Without the x2APIC API, APIC IDs stop at 254 (255 is broadcast): dense IDs fit for this many vCPUs. */
    public static final int MAX_XAPIC_CPUS = 255;
    /** QEMU's refusal (hw/i386/x86.c, x86_cpus_init) when APIC IDs reach 255 and KVM's X2APIC API is off. */
    static final String QEMU_NEEDS_X2APIC_API = "current -smp configuration requires kernel irqchip and X2APIC API support.";

    public MachineConfig {
        Objects.requireNonNull(kernel, "kernel");
        cpuSpec = cpuSpec == null ? "host" : cpuSpec;
        irqchip = irqchip == null ? IrqchipMode.ON : irqchip;
        apicIds = apicIds == null ? ApicIds.dense(cpuCount) : List.copyOf(apicIds);
        debugExits = debugExits == null ? List.of(DebugExitPorts.VMM_DEFAULT) : List.copyOf(debugExits);
        testDevices = testDevices == null || testDevices.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(testDevices));
    }

    public MachineConfig(Path kernel, String cmdline, long ramSize, int cpuCount, String cpuSpec,
                         IrqchipMode irqchip, Path initrd, List<Integer> apicIds) {
        this(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, apicIds, null, null, false, null);
    }

    public MachineConfig(Path kernel, String cmdline, long ramSize, int cpuCount, String cpuSpec,
                         IrqchipMode irqchip, Path initrd) {
        this(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, (List<Integer>) null);
    }

    public static MachineConfig validated(Path kernel, String cmdline, long ramSize, int cpuCount, String cpuSpec) {
        return validated(kernel, cmdline, ramSize, cpuCount, cpuSpec, IrqchipMode.ON);
    }

    public static MachineConfig validated(Path kernel, String cmdline, long ramSize, int cpuCount, String cpuSpec,
                                          IrqchipMode irqchip) {
        if (ramSize < MIN_RAM) {
            throw new IllegalArgumentException("memory size " + ramSize + " bytes is too small: give at least 2M (-m 2M)");
        }
        if (ramSize % 4096 != 0) {
            throw new IllegalArgumentException("memory size " + ramSize + " bytes is not a multiple of 4 KiB");
        }
        long host = hostMemory();
        if (host > 0 && ramSize > host) {
            throw new IllegalArgumentException(String.format(
                    "memory size %d MiB is more than this host's %d MiB of RAM", ramSize >> 20, host >> 20));
        }
        if (cpuCount < 1) {
            throw new IllegalArgumentException("invalid --smp " + cpuCount + ": a VM needs at least 1 vCPU");
        }
        // More vCPUs are fine up to the host's KVM_CAP_MAX_VCPUS (checked when the VM is created),
        // but their APIC IDs reach 255 and need the X2APIC API, which vmm enables only with split.
        if (cpuCount > MAX_XAPIC_CPUS && irqchip != IrqchipMode.SPLIT) {
            throw new IllegalArgumentException("--smp " + cpuCount + ": " + QEMU_NEEDS_X2APIC_API
                    + " (vmm turns the X2APIC API on only with -M kernel-irqchip=split)");
        }
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, null);
    }

    /** The same configuration with an initial RAM disk (Linux kernels only). */
    public MachineConfig withInitrd(Path file) {
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, file, apicIds, testDevices, memPath,
                noReboot, debugExits);
    }

    /** The same configuration with RAM mapped from {@code path} (QEMU's -mem-path; null: anonymous RAM). */
    public MachineConfig withMemPath(Path path) {
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, apicIds, testDevices, path,
                noReboot, debugExits);
    }

    /** The same configuration with these APIC IDs, checked by {@link ApicIds#validate}. */
    public MachineConfig withApicIds(List<Integer> ids) {
        ApicIds.validate(ids, cpuCount, irqchip);
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, ids, testDevices, memPath,
                noReboot, debugExits);
    }

    /** The same configuration with this test-only device too (see {@link TestDevice}). */
    public MachineConfig withTestDevice(TestDevice device) {
        Set<TestDevice> devices = EnumSet.of(device);
        devices.addAll(testDevices);
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, apicIds, devices, memPath,
                noReboot, debugExits);
    }

    /** The same configuration with QEMU's {@code -no-reboot} on or off. */
    public MachineConfig withNoReboot(boolean on) {
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, apicIds, testDevices,
                memPath, on, debugExits);
    }

    /**
     * The same configuration with these isa-debug-exit devices instead of vmm's default one at
     * 0xf4 (QEMU's {@code -device isa-debug-exit}; an empty list: none, as QEMU without the option).
     */
    public MachineConfig withDebugExits(List<DebugExitPorts> ports) {
        return new MachineConfig(kernel, cmdline, ramSize, cpuCount, cpuSpec, irqchip, initrd, apicIds, testDevices,
                memPath, noReboot, ports);
    }

    /** MemTotal from /proc/meminfo, or -1 when it cannot be read. */
    static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
