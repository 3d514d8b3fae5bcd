package dev.vmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmm.cli.monitor.MonitorTarget;
import dev.vmm.cli.monitor.QmpError;
import dev.vmm.machine.PcMachine;
import dev.vmm.vm.Vm;

import java.util.ArrayList;
import java.util.List;

/** The running {@link PcMachine} as the QMP monitor sees it. */
final class MachineMonitor implements MonitorTarget {
    private final PcMachine machine;
    private volatile boolean quitRequested;

    MachineMonitor(PcMachine machine) {
        this.machine = machine;
    }

    boolean quitRequested() {
        return quitRequested;
    }

    @Override
    public String status() {
        return machine.vm().hasEnded() ? "shutdown" : "running";
    }

    @Override
    public void stop() {
        throw QmpError.generic("stop is not supported yet");
    }

    @Override
    public void cont() {
        throw QmpError.generic("cont is not supported yet");
    }

    @Override
    public void reset() {
        throw QmpError.generic("system_reset is not supported yet");
    }

    @Override
    public void quit() {
        quitRequested = true;
        machine.vm().powerOff(0); // QEMU exits with status 0 on quit
    }

    @Override
    public List<Integer> vcpuThreadIds() {
        Vm vm = machine.vm();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < vm.cpuCount(); i++) {
            ids.add(vm.vcpuThreadId(i));
        }
        return ids;
    }

    @Override
    public JsonNode pvState() {
        throw QmpError.generic("x-query-pv is not supported yet");
    }

    static final ObjectMapper JSON = new ObjectMapper();
}
