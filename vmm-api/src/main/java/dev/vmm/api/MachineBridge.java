package dev.vmm.api;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.MachineException;
import dev.vmm.machine.PcMachine;
import dev.vmm.machine.TestDevice;
import dev.vmm.vm.VmOutcome;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The only class of this API that knows the machine layer: it turns a {@link GuestBuilder} into
 * the machine's configuration, builds the machine, and turns its outcome into a {@link GuestExit}.
 * When the machine layer changes, this file changes and the public types do not.
 */
final class MachineBridge {
    private final PcMachine machine;

    private MachineBridge(PcMachine machine) {
        this.machine = machine;
    }

    /** Builds the machine and loads the kernel; CPU model warnings are kept in {@code warnings}. */
    static MachineBridge create(GuestBuilder spec, OutputStream console, ByteArrayOutputStream warnings) {
        MachineConfig config;
        try {
            config = MachineConfig.validated(spec.kernelFile(), spec.commandLine().orElse(null),
                    spec.memorySize().bytes(), spec.cpuCount(), spec.cpuSpec(), irqchip(spec.irqchipMode()));
            if (spec.apicIdList().isPresent()) config = config.withApicIds(spec.apicIdList().get());
            if (spec.wantsHostContention()) config = config.withTestDevice(TestDevice.HOST_CONTENTION);
            if (spec.wantsEvictPort()) config = config.withTestDevice(TestDevice.PAGE_EVICT);
            if (spec.memPathFile().isPresent()) config = config.withMemPath(spec.memPathFile().get());
            if (spec.initrdFile().isPresent()) config = config.withInitrd(spec.initrdFile().get());
            config = config.withNoReboot(spec.wantsNoReboot());
        } catch (IllegalArgumentException e) {
            throw new VmmException(e.getMessage(), e);
        }
        PcMachine machine;
        try {
            machine = PcMachine.create(config, console, new PrintStream(warnings, true, StandardCharsets.UTF_8));
        } catch (MachineException e) {
            throw new VmmException(e.getMessage(), e);
        } catch (RuntimeException e) { // a KVM call failed (e.g. no /dev/kvm): still one line
            throw new VmmException("cannot create the VM: " + e.getMessage(), e);
        }
        Optional<String> noEvictPort = machine.missingTestDevice(TestDevice.PAGE_EVICT);
        if (spec.wantsEvictPort() && noEvictPort.isPresent()) { // e.g. no userfaultfd: asked for, so an error here
            machine.close();
            throw new VmmException("cannot give the guest the page-eviction port: " + noEvictPort.get());
        }
        return new MachineBridge(machine);
    }

    /** Runs the vCPUs until the guest ends or {@link #close()} stops it. */
    GuestExit run() throws InterruptedException {
        return exitOf(machine.run(null));
    }

    void sendInput(byte[] bytes) {
        machine.sendToSerial(bytes);
    }

    void close() {
        machine.close();
    }

    private static IrqchipMode irqchip(Irqchip mode) {
        return switch (mode) {
            case IN_KERNEL -> IrqchipMode.ON;
            case SPLIT -> IrqchipMode.SPLIT;
        };
    }

    static GuestExit exitOf(VmOutcome outcome) {
        return switch (outcome.kind()) {
            case POWER_OFF -> new GuestExit.PowerOff(outcome.exitStatus());
            case STOPPED -> new GuestExit.Stopped();
            case TRIPLE_FAULT -> new GuestExit.Failure(GuestExit.FailureKind.TRIPLE_FAULT, outcome.report());
            case INTERNAL_ERROR -> new GuestExit.Failure(GuestExit.FailureKind.INTERNAL_ERROR, outcome.report());
            case FAIL_ENTRY -> new GuestExit.Failure(GuestExit.FailureKind.ENTRY_FAILURE, outcome.report());
            case SYSTEM_EVENT -> new GuestExit.Failure(GuestExit.FailureKind.SYSTEM_EVENT, outcome.report());
            case VMM_ERROR -> new GuestExit.Failure(GuestExit.FailureKind.VMM_ERROR, outcome.report());
        };
    }
}
