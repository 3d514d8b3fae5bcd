package dev.vmm.debug;

import dev.vmm.kvm.GuestDebug;
import dev.vmm.kvm.Ioctls;
import dev.vmm.kvm.KvmException;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.memory.GuestMemory;
import dev.vmm.vm.DebugExitHandler;
import dev.vmm.vm.PageWalk;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmOutcome;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The KVM side of a debugger, in all-stop mode: while the debugger looks at the guest every vCPU
 * is parked outside KVM_RUN (so their registers can be read and written); {@link #resume} lets
 * them all go, or only one for a single step. Built on KVM_SET_GUEST_DEBUG:
 * <ul>
 * <li>software breakpoints are int3 bytes written into guest memory (the original byte kept),
 *     with KVM_GUESTDBG_USE_SW_BP so that the #BP exits to us instead of reaching the guest;</li>
 * <li>hardware breakpoints and watchpoints go into DR0-DR3/DR7 with KVM_GUESTDBG_USE_HW_BP;</li>
 * <li>a single step is KVM_GUESTDBG_SINGLESTEP on one vCPU (and KVM_GUESTDBG_BLOCKIRQ where the
 *     host has it, so that the step does not land in an interrupt handler).</li>
 * </ul>
 * Each of them comes back as KVM_EXIT_DEBUG on the vCPU's thread ({@link #onDebugExit}), which
 * parks every vCPU and records the {@link StopEvent} that {@link #awaitStop} hands out.
 */
public final class GuestDebugger implements DebugExitHandler {
    private static final int INT3 = 0xcc;
    private static final long WAIT_MILLIS = 50;

    private record SoftwareBreakpoint(long gpa, byte original) {
    }

    private final Vm vm;
    private final int blockIrqFlag;
    private final Map<Long, SoftwareBreakpoint> software = new HashMap<>();
    private final HardwareBreakpoints hardware = new HardwareBreakpoints();
    /** What each vCPU got from KVM_SET_GUEST_DEBUG last, so unchanged settings are not sent again. */
    private final GuestDebug[] applied;
    private StopEvent pending;
    private int lastStoppedVcpu;
    /** Whether an int3 in guest kernel mode comes back as KVM_EXIT_DEBUG here (tried once, at attach). */
    private final GuestDebugProbe.Result softwareBreakpoints;
    /** Whether DR0-DR3 stop guest kernel code here (tried once, at attach). */
    private final GuestDebugProbe.Result hardwareBreakpoints;

    private GuestDebugger(Vm vm) {
        this.vm = vm;
        this.softwareBreakpoints = GuestDebugProbe.probe(vm.kvm(), GuestDebugProbe.Feature.SOFTWARE_BREAKPOINT_KERNEL);
        this.hardwareBreakpoints = GuestDebugProbe.probe(vm.kvm(), GuestDebugProbe.Feature.HARDWARE_BREAKPOINT_KERNEL);
        // KVM_CAP_SET_GUEST_DEBUG2 returns the control flags this host supports (Linux 5.16+)
        int supported = vm.kvm().checkExtension(Ioctls.KVM_CAP_SET_GUEST_DEBUG2);
        this.blockIrqFlag = (supported & GuestDebug.BLOCKIRQ) != 0 ? GuestDebug.BLOCKIRQ : 0;
        this.applied = new GuestDebug[vm.cpuCount()];
        Arrays.fill(applied, GuestDebug.OFF);
    }

    /** Takes over the VM's debug exits. Call before the VM starts. */
    public static GuestDebugger attach(Vm vm) {
        GuestDebugger d = new GuestDebugger(vm);
        vm.attachDebugger(d);
        return d;
    }

    public int cpuCount() {
        return vm.cpuCount();
    }

    /** Whether software breakpoints (Z0) are offered: the host's KVM turns an int3 in guest kernel mode into KVM_EXIT_DEBUG. */
    public boolean softwareBreakpointsWork() {
        return softwareBreakpoints.works();
    }

    /** Whether single steps keep interrupts out (KVM_GUESTDBG_BLOCKIRQ). */
    public boolean stepBlocksInterrupts() {
        return blockIrqFlag != 0;
    }

    // ---- running and stopping ----

    /** On a vCPU thread: a breakpoint, watchpoint or step hit; park everyone and record why. */
    @Override
    public void onDebugExit(int vcpu, VcpuExit.Debug exit) {
        StopEvent e = classify(vcpu, exit);
        vm.holdForDebugger();
        synchronized (this) {
            if (pending == null || pending instanceof StopEvent.Interrupted) {
                pending = e;
            }
            notifyAll();
        }
    }

    private StopEvent classify(int vcpu, VcpuExit.Debug exit) {
        if (exit.exception() == VcpuExit.Debug.BP_VECTOR) {
            rewindPastInt3(vcpu, exit.pc());
            return new StopEvent.Trapped(vcpu, StopEvent.Cause.SOFTWARE_BREAKPOINT, 0);
        }
        if ((exit.dr6() & VcpuExit.Debug.DR6_SINGLE_STEP) != 0) {
            return new StopEvent.Trapped(vcpu, StopEvent.Cause.SINGLE_STEP, 0);
        }
        int slot = exit.hardwareSlot();
        BreakpointType type;
        synchronized (this) {
            type = slot < 0 ? null : hardware.type(slot);
        }
        if (type == null) {
            return new StopEvent.Trapped(vcpu, StopEvent.Cause.OTHER_TRAP, 0);
        }
        long address;
        synchronized (this) {
            address = hardware.address(slot);
        }
        return switch (type) {
            case WRITE_WATCH -> new StopEvent.Trapped(vcpu, StopEvent.Cause.WRITE_WATCH, address);
            case ACCESS_WATCH -> new StopEvent.Trapped(vcpu, StopEvent.Cause.ACCESS_WATCH, address);
            default -> new StopEvent.Trapped(vcpu, StopEvent.Cause.HARDWARE_BREAKPOINT, 0);
        };
    }

    /**
     * A debugger expects the PC of a software-breakpoint stop at the breakpoint. KVM reports the
     * #BP intercept with RIP at the int3; should a host report it after the int3, put it back.
     */
    private void rewindPastInt3(int vcpu, long pc) {
        boolean after;
        synchronized (this) {
            after = !software.containsKey(pc) && software.containsKey(pc - 1);
        }
        if (after) {
            vm.onVcpu(vcpu, fd -> { // on this vCPU's own thread: it runs at once
                Regs r = fd.getRegs();
                fd.setRegs(r.rip(r.rip() - 1));
                return null;
            });
        }
    }

    /** Ctrl-C: every vCPU is kicked out of the guest and parked; {@link #awaitStop} then reports it. */
    public void interrupt() {
        synchronized (this) {
            if (pending == null) {
                pending = new StopEvent.Interrupted(lastStoppedVcpu);
            }
            notifyAll();
        }
        vm.holdForDebugger();
    }

    /**
     * Waits until the guest stopped for the debugger (every vCPU parked) or ended.
     */
    public StopEvent awaitStop() throws InterruptedException {
        while (true) {
            VmOutcome o = vm.outcomeIfEnded();
            if (o != null) {
                return new StopEvent.Exited(o.exitStatus(), o.isPowerOff());
            }
            StopEvent e;
            synchronized (this) {
                e = pending;
                if (e == null) {
                    wait(WAIT_MILLIS);
                    continue;
                }
            }
            if (vm.awaitParked()) {
                if (e instanceof StopEvent.Trapped t) {
                    lastStoppedVcpu = t.vcpu();
                } else if (e instanceof StopEvent.Interrupted i) {
                    lastStoppedVcpu = i.vcpu();
                }
                return e;
            }
        }
    }

    /**
     * A debugger connected: stops the guest (if it runs) and returns the stop to report, a plain
     * SIGTRAP stop on the last vCPU that stopped, as QEMU answers a new connection.
     */
    public StopEvent stopForAttach() {
        vm.holdForDebugger();
        try {
            if (!vm.awaitParked()) {
                VmOutcome o = vm.outcomeIfEnded();
                return new StopEvent.Exited(o == null ? 0 : o.exitStatus(), o == null || o.isPowerOff());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            pending = null;
        }
        return new StopEvent.Trapped(lastStoppedVcpu, StopEvent.Cause.OTHER_TRAP, 0);
    }

    /**
     * Lets the guest run: every vCPU, or with {@code stepVcpu >= 0} only that one for one instruction.
     * @throws DebugException when KVM refuses the debug settings (the guest stays stopped)
     */
    public synchronized void resume(int stepVcpu) throws DebugException {
        applyGuestDebug(stepVcpu);
        pending = null;
        if (stepVcpu >= 0) {
            vm.runAloneForDebugger(stepVcpu);
        } else {
            vm.releaseForDebugger();
        }
    }

    /** KVM_SET_GUEST_DEBUG on every vCPU whose settings changed. Guest stopped. */
    private void applyGuestDebug(int stepVcpu) throws DebugException {
        int common = (software.isEmpty() ? 0 : GuestDebug.USE_SW_BP) | (hardware.isEmpty() ? 0 : GuestDebug.USE_HW_BP);
        long[] dr = hardware.debugRegisters();
        for (int i = 0; i < applied.length; i++) {
            int control = common | (i == stepVcpu ? GuestDebug.SINGLESTEP | blockIrqFlag : 0);
            GuestDebug want = control == 0 ? GuestDebug.OFF : new GuestDebug(control | GuestDebug.ENABLE, dr);
            if (want.control() == applied[i].control() && Arrays.equals(want.debugregs(), applied[i].debugregs())) {
                continue;
            }
            try {
                vm.onVcpu(i, fd -> {
                    fd.setGuestDebug(want);
                    return null;
                });
            } catch (KvmException e) {
                throw new DebugException("KVM_SET_GUEST_DEBUG refused " + describe(control) + ": " + e.getMessage());
            }
            applied[i] = want;
        }
    }

    private static String describe(int control) {
        StringBuilder sb = new StringBuilder();
        if ((control & GuestDebug.USE_SW_BP) != 0) sb.append("software breakpoints ");
        if ((control & GuestDebug.USE_HW_BP) != 0) sb.append("debug registers ");
        if ((control & GuestDebug.SINGLESTEP) != 0) sb.append("single step ");
        return sb.toString().trim();
    }

    /** Removes every breakpoint, turns guest debugging off and lets the guest run (gdb's detach). */
    public synchronized void detach() {
        removeAll();
        try {
            applyGuestDebug(-1);
        } catch (DebugException e) {
            // debugging off cannot be refused in practice; the guest runs on either way
        }
        pending = null;
        vm.releaseForDebugger();
    }

    /** Ends the run (gdb's kill) with status 0, as QEMU's gdbstub does. */
    public synchronized void kill() {
        removeAll();
        vm.powerOff(0);
    }

    private void removeAll() {
        for (SoftwareBreakpoint bp : software.values()) {
            vm.memory().writeU8(bp.gpa(), bp.original());
        }
        software.clear();
        hardware.clear();
    }

    // ---- breakpoints ----

    /**
     * Inserts a breakpoint of {@code type} at guest virtual {@code address} (translated through
     * {@code vcpu}'s page tables for a software one). @return false for a type x86 cannot do
     */
    public synchronized boolean insertBreakpoint(int vcpu, BreakpointType type, long address, int length) throws DebugException {
        if (type == BreakpointType.READ_WATCH) {
            return false;
        }
        if (type == BreakpointType.SOFTWARE) {
            if (!softwareBreakpoints.works()) {
                // an int3 would kill the guest instead of stopping it: refuse, and say what to use instead
                throw new DebugException("this host's KVM cannot stop the guest at an int3 (" + softwareBreakpoints.evidence()
                        + "); use hardware breakpoints (gdb: hbreak)");
            }
            if (!software.containsKey(address)) {
                long gpa = translate(vcpu, address);
                GuestMemory mem = vm.memory();
                byte original = (byte) mem.readU8(gpa);
                mem.writeU8(gpa, INT3);
                software.put(address, new SoftwareBreakpoint(gpa, original));
            }
            return true;
        }
        if (!hardwareBreakpoints.works()) {
            // a breakpoint that never fires would leave gdb waiting forever: refuse it and say why
            throw new DebugException("this host's KVM does not stop the guest at a debug-register breakpoint ("
                    + hardwareBreakpoints.evidence() + ")");
        }
        try {
            if (!hardware.insert(type, address, length)) {
                throw new DebugException("all " + HardwareBreakpoints.SLOTS + " debug registers are in use");
            }
        } catch (IllegalArgumentException e) {
            throw new DebugException(e.getMessage());
        }
        return true;
    }

    /** @return false for a type x86 cannot do */
    public synchronized boolean removeBreakpoint(BreakpointType type, long address, int length) {
        if (type == BreakpointType.READ_WATCH) {
            return false;
        }
        if (type == BreakpointType.SOFTWARE) {
            SoftwareBreakpoint bp = software.remove(address);
            if (bp != null) {
                vm.memory().writeU8(bp.gpa(), bp.original());
            }
            return true;
        }
        hardware.remove(type, address, length);
        return true;
    }

    // ---- registers and memory (guest stopped) ----

    public Regs regs(int vcpu) {
        return vm.onVcpu(vcpu, VcpuFd::getRegs);
    }

    public void setRegs(int vcpu, Regs regs) {
        vm.onVcpu(vcpu, fd -> {
            fd.setRegs(regs);
            return null;
        });
    }

    public Sregs sregs(int vcpu) {
        return vm.onVcpu(vcpu, VcpuFd::getSregs);
    }

    public void setSregs(int vcpu, Sregs sregs) {
        vm.onVcpu(vcpu, fd -> {
            fd.setSregs(sregs);
            return null;
        });
    }

    public dev.vmm.kvm.Fpu fpu(int vcpu) {
        return vm.onVcpu(vcpu, VcpuFd::getFpu);
    }

    /** Guest physical address of {@code linear} in {@code vcpu}'s address space. */
    public long translate(int vcpu, long linear) throws DebugException {
        long gpa = PageWalk.translate(vm.memory(), sregs(vcpu), linear);
        if (gpa < 0 || !vm.memory().isRam(gpa, 1)) {
            throw new DebugException(String.format("address 0x%x is not mapped to RAM", linear));
        }
        return gpa;
    }

    /** Reads guest virtual memory page by page; inserted int3s read as the bytes they replaced. */
    public synchronized byte[] readVirtual(int vcpu, long address, int length) throws DebugException {
        byte[] out = new byte[length];
        Sregs s = sregs(vcpu);
        int done = 0;
        while (done < length) {
            long linear = address + done;
            int chunk = (int) Math.min(length - done, GuestMemory.PAGE_SIZE - (linear & (GuestMemory.PAGE_SIZE - 1)));
            long gpa = PageWalk.translate(vm.memory(), s, linear);
            if (gpa < 0 || !vm.memory().isRam(gpa, chunk)) {
                if (done == 0) {
                    throw new DebugException(String.format("address 0x%x is not mapped to RAM", linear));
                }
                return Arrays.copyOf(out, done); // gdb accepts a short read
            }
            vm.memory().read(gpa, out, done, chunk);
            done += chunk;
        }
        for (Map.Entry<Long, SoftwareBreakpoint> e : software.entrySet()) {
            long off = e.getKey() - address;
            if (off >= 0 && off < length) {
                out[(int) off] = e.getValue().original();
            }
        }
        return out;
    }

    /** Writes guest virtual memory; a byte under an inserted int3 updates the saved original instead. */
    public synchronized void writeVirtual(int vcpu, long address, byte[] data) throws DebugException {
        Sregs s = sregs(vcpu);
        long[] gpas = new long[data.length];
        for (int i = 0; i < data.length; i++) { // translate everything first: all or nothing
            long gpa = PageWalk.translate(vm.memory(), s, address + i);
            if (gpa < 0 || !vm.memory().isRam(gpa, 1)) {
                throw new DebugException(String.format("address 0x%x is not mapped to RAM", address + i));
            }
            gpas[i] = gpa;
        }
        for (int i = 0; i < data.length; i++) {
            SoftwareBreakpoint bp = software.get(address + i);
            if (bp != null) {
                software.put(address + i, new SoftwareBreakpoint(bp.gpa(), data[i]));
            } else {
                vm.memory().writeU8(gpas[i], data[i]);
            }
        }
    }

    /** Reads guest physical memory (RAM only). */
    public byte[] readPhysical(long gpa, int length) throws DebugException {
        if (length < 0 || !vm.memory().isRam(gpa, Math.max(length, 1))) {
            throw new DebugException(String.format("physical range 0x%x+%d is not RAM", gpa, length));
        }
        return vm.memory().read(gpa, length);
    }
}
