package dev.vmm.cli;

import dev.vmm.cli.monitor.GuestView;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Sregs;
import dev.vmm.memory.GuestMemory;
import dev.vmm.vm.CpuState;
import dev.vmm.vm.CpuStateDump;
import dev.vmm.vm.PageWalk;
import dev.vmm.vm.Vm;

import java.util.HashMap;
import java.util.Map;

/**
 * The guest as one monitor command sees it while the vCPUs are held still: each vCPU's state is
 * read once (KVM_GET_REGS/SREGS/FPU/DEBUGREGS/MP_STATE) and reused for its registers and page walks.
 */
final class GuestInspection implements GuestView {
    private final Vm vm;
    private final GuestMemory memory;
    private final Map<Integer, CpuState> states = new HashMap<>();

    GuestInspection(Vm vm) {
        this.vm = vm;
        this.memory = vm.memory();
    }

    private CpuState state(int cpu) {
        return states.computeIfAbsent(cpu, vm::cpuState);
    }

    @Override
    public int cpuCount() {
        return vm.cpuCount();
    }

    @Override
    public String registers(int cpu) {
        return CpuStateDump.format(state(cpu), true);
    }

    @Override
    public Long register(int cpu, String name) {
        CpuState c = state(cpu);
        Regs r = c.regs();
        Sregs s = c.sregs();
        String n = name.toLowerCase(java.util.Locale.ROOT);
        // QEMU's x86 names: eXX and rXX both give the whole register on qemu-system-x86_64; pc is CS base + IP.
        switch (n) {
            case "pc": return s.cs.base() + r.rip();
            case "rip": case "eip": return r.rip();
            case "rflags": case "eflags": return r.rflags();
            case "cr0": return s.cr0;
            case "cr2": return s.cr2;
            case "cr3": return s.cr3;
            case "cr4": return s.cr4;
            case "efer": return s.efer;
            default:
                break;
        }
        String[] legacy = {"ax", "bx", "cx", "dx", "si", "di", "sp", "bp"};
        int[] index = {Regs.RAX, Regs.RBX, Regs.RCX, Regs.RDX, Regs.RSI, Regs.RDI, Regs.RSP, Regs.RBP};
        for (int i = 0; i < legacy.length; i++) {
            if (n.equals("e" + legacy[i]) || n.equals("r" + legacy[i])) return r.get(index[i]);
        }
        if (n.matches("r([89]|1[0-5])")) {
            return r.get(Regs.R8 + Integer.parseInt(n.substring(1)) - 8);
        }
        return null;
    }

    @Override
    public long translate(int cpu, long address) {
        return PageWalk.translate(memory, state(cpu).sregs(), address);
    }

    @Override
    public byte[] readPhysical(long address, int length) {
        if (!isRam(address, length)) return null;
        return memory.read(address, length);
    }

    @Override
    public boolean isRam(long address, long length) {
        return address >= 0 && length >= 0 && memory.isRam(address, length);
    }

    @Override
    public long ramSize() {
        return memory.size();
    }
}
