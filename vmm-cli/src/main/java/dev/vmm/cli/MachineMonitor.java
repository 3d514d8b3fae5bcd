package dev.vmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmm.pv.PvReport;
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
    private final java.util.concurrent.CountDownLatch quit = new java.util.concurrent.CountDownLatch(1);
    private volatile dev.vmm.exits.ExitStats exitStats;

    MachineMonitor(PcMachine machine) {
        this.machine = machine;
    }

    /** The statistics {@code x-query-exit-stats} reports (--exit-stats). */
    void setExitStats(dev.vmm.exits.ExitStats stats) {
        this.exitStats = stats;
    }

    boolean quitRequested() {
        return quitRequested;
    }

    /** Waits for the client's quit (QEMU's -no-shutdown keeps a powered-off guest until then). */
    void awaitQuit() throws InterruptedException {
        quit.await();
    }

    @Override
    public String status() {
        Vm vm = machine.vm();
        return vm.hasEnded() ? "shutdown" : vm.isPaused() ? "paused" : vm.isStoppedForDebugger() ? "debug" : "running";
    }

    @Override
    public void stop() {
        machine.vm().pause(); // already paused: QEMU answers {} too
    }

    @Override
    public void cont() {
        machine.vm().resume();
    }

    /** True while a reset the monitor asked for has not been reported yet. */
    private volatile boolean hostReset;

    boolean takeHostReset() {
        boolean r = hostReset;
        hostReset = false;
        return r;
    }

    @Override
    public void reset() {
        hostReset = true;
        machine.vm().resetByOperator(); // not counted as a guest reset loop
    }

    @Override
    public void quit() {
        quitRequested = true;
        quit.countDown();
        machine.vm().powerOff(0); // QEMU exits with status 0 on quit
    }

    /**
     * The PV feature switches and x86 flags of {@code name} (a model plus options, QEMU spelling) resolved
     * against this host and this machine's irqchip: for "host" that is what the guest was given
     * when it was started with -cpu host.
     */
    @Override
    public java.util.Map<String, Boolean> cpuModelProperties(String name) {
        dev.vmm.cpu.CpuModel model;
        try {
            model = dev.vmm.cpu.CpuModel.resolve(name, machine.vm().kvm().supportedCpuid(), machine.vm().irqchip());
        } catch (dev.vmm.cpu.CpuModelException e) {
            throw QmpError.generic(e.getMessage());
        }
        java.util.Map<String, Boolean> props = new java.util.LinkedHashMap<>();
        for (dev.vmm.cpu.PvFeature f : dev.vmm.cpu.PvFeature.values()) {
            props.put(f.qemuName(), f == dev.vmm.cpu.PvFeature.PV_ENFORCE_CPUID ? model.enforcePvCpuid() : model.isOn(f));
        }
        // QEMU's expansion lists the x86 CPUID flags among the properties as well.
        for (dev.vmm.cpu.X86Feature f : dev.vmm.cpu.X86Feature.ALL) {
            props.put(f.name(), model.x86().isOn(f));
        }
        return props;
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

    /**
     * Every vCPU's PV MSRs and the structures they point to. vCPU ioctls wait for KVM_RUN to
     * return, so the guest is paused for the read (and resumed unless it was paused already).
     */
    @Override
    public JsonNode pvState() {
        Vm vm = machine.vm();
        if (vm.hasEnded()) {
            throw QmpError.generic("the guest is not running");
        }
        return vm.whilePaused(() -> {
            ArrayNode cpus = Json.MAPPER.createArrayNode();
            for (int i = 0; i < vm.cpuCount(); i++) {
                int index = i;
                ObjectNode cpu = cpus.addObject().put("cpu-index", i);
                ArrayNode msrs = cpu.putArray("msrs");
                for (PvReport.Entry e : vm.onVcpu(index, fd -> PvReport.read(fd, vm.memory()))) {
                    ObjectNode m = msrs.addObject().put("name", e.msr().linuxName()).put("index", e.msr().index());
                    if (e.supported()) {
                        m.put("value", e.value());
                        m.set("decoded", Json.MAPPER.valueToTree(e.decoded()));
                    } else {
                        m.put("supported", false);
                    }
                }
            }
            return cpus;
        });
    }

    /**
     * Holds every vCPU outside KVM_RUN with the inspection's own hold (a pause by the monitor, -S
     * or gdb is left as it was) and gives {@code action} the registers, page tables and memory.
     */
    @Override
    public <T> T inspect(java.util.function.Function<dev.vmm.cli.monitor.GuestView, T> action) {
        Vm vm = machine.vm();
        if (vm.hasEnded()) {
            throw QmpError.generic("the guest is not running");
        }
        try {
            return vm.whilePaused(() -> action.apply(new GuestInspection(vm)));
        } catch (IllegalStateException e) {
            throw QmpError.generic(e.getMessage());
        }
    }

    @Override
    public String memoryTree() {
        return machine.vm().memoryTree();
    }

    /**
     * Exit statistics so far, grouped as the end-of-run report: {@code reasons}, {@code ports},
     * {@code mmio}, {@code vcpus}, each a list of {key, count, total-ns, mean-ns, max-ns}. Read
     * without pausing the guest (each vCPU's table has its own lock).
     */
    @Override
    public JsonNode exitStats() {
        dev.vmm.exits.ExitStats stats = exitStats;
        if (stats == null) {
            throw QmpError.generic("exit statistics are off: start vmm with --exit-stats");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (dev.vmm.exits.ExitStats.Row r : stats.snapshot()) {
            String group = switch (r.kind()) {
                case REASON -> "reasons";
                case PORT -> "ports";
                case MMIO -> "mmio";
                case VCPU -> "vcpus";
            };
            ArrayNode list = out.has(group) ? (ArrayNode) out.get(group) : out.putArray(group);
            list.addObject().put("key", r.key()).put("count", r.count()).put("total-ns", r.totalNanos())
                    .put("mean-ns", r.count() == 0 ? 0 : r.totalNanos() / r.count()).put("max-ns", r.maxNanos());
        }
        return out;
    }

    /**
     * Created on first use: loading Jackson costs about 130 ms of start-up, and a plain
     * {@code vmm run} (no QMP client asking) never needs it.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
