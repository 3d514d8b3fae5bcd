package dev.vmm.vm;

import dev.vmm.boot.CpuMode;
import dev.vmm.boot.EntryState;
import dev.vmm.kvm.KvmTestSupport;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.VcpuFd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vCPU mailbox on a real KVM VM whose guest counts in EAX forever: a call reaches a vCPU that
 * spins in KVM_RUN (by a kick) and it runs on afterwards; pause holds it, a reset by the operator
 * puts its power-on registers back through the mailbox, and configuration is fixed once it runs.
 */
class VcpuCommandsKvmTest {
    private static final long CODE_ADDRESS = 0x100000;
    /** inc eax; jmp back to it. */
    private static final byte[] COUNT_FOREVER = {0x40, (byte) 0xeb, (byte) 0xfd};

    @BeforeEach
    void kvm() {
        KvmTestSupport.requireKvm();
    }

    private static Vm countingVm(int cpus) {
        Vm vm = Vm.create(2 << 20, cpus);
        vm.memory().write(CODE_ADDRESS, COUNT_FOREVER);
        BootState.apply(new EntryState(CpuMode.PROTECTED_32, CODE_ADDRESS, 0, 0, 0), vm.vcpu(0));
        return vm;
    }

    private static long eax(Vm vm) {
        return vm.onVcpu(0, VcpuFd::getRegs).rax() & 0xffffffffL;
    }

    @Test
    void aCallReachesASpinningVcpuAndItRunsOn() throws Exception {
        try (Vm vm = countingVm(1)) {
            vm.start();
            long first = eax(vm);
            long rip = vm.onVcpu(0, VcpuFd::getRegs).rip();
            assertTrue(rip >= CODE_ADDRESS && rip < CODE_ADDRESS + COUNT_FOREVER.length, Long.toHexString(rip));
            long later = first;
            for (int i = 0; i < 200 && later == first; i++) {
                Thread.sleep(10);
                later = eax(vm);
            }
            assertTrue(later != first, "the guest went on counting after the call");
            assertFalse(vm.hasEnded());
        }
    }

    @Test
    void aPausedGuestStaysStillWhileItsRegistersAreRead() {
        try (Vm vm = countingVm(2)) {
            vm.start();
            assertTrue(vm.pause());
            assertTrue(vm.isPaused());
            long held = eax(vm);
            assertEquals(held, eax(vm), "no instruction runs while paused");
            assertTrue(vm.resume());
            assertFalse(vm.isPaused());
        }
    }

    @Test
    void anOperatorsResetPutsThePowerOnRegistersBackAndKeepsTheMonitorsPause() throws Exception {
        try (Vm vm = countingVm(1)) {
            vm.start();
            for (int i = 0; i < 500 && eax(vm) == 0; i++) {
                Thread.sleep(10);
            }
            assertTrue(vm.pause());
            assertTrue(eax(vm) > 0, "it counted before the pause");
            vm.resetByOperator();
            for (int i = 0; i < 500 && vm.resetCount() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, vm.resetCount());
            assertTrue(vm.isPaused(), "still paused by the monitor after the reset");
            Regs r = vm.onVcpu(0, VcpuFd::getRegs);
            assertEquals(0, r.rax());
            assertEquals(CODE_ADDRESS, r.rip());
        }
    }

    @Test
    void configurationIsRefusedOnceTheVcpusRun() {
        try (Vm vm = countingVm(1)) {
            vm.start();
            assertThrows(IllegalStateException.class, () -> vm.setCpuid(apicId -> List.of()));
            assertThrows(IllegalStateException.class, () -> vm.observeExits(null));
        }
    }
}
