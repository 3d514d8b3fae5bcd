package dev.vmm.tests;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vmm.bus.PioDevice;
import dev.vmm.host.LibC;
import dev.vmm.host.VcpuSyscallFilter;
import dev.vmm.boot.CpuMode;
import dev.vmm.boot.EntryState;
import dev.vmm.vm.BootState;
import dev.vmm.vm.VcpuSeccomp;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmOutcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vCPU seccomp filter in a real machine: a guest writes three times to port 0x80, and the
 * device behind it (which runs on the vCPU's thread, as every port handler does) tries execve and
 * socket there. With the filter both get EPERM, the guest goes on to power off with its own status,
 * and the test's thread can still start a process. With the filter off the same execve gets as far
 * as the path (ENOENT), which shows the EPERM came from the filter.
 */
class VcpuSeccompTest {
    private static final long CODE_ADDRESS = 0x100000;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    @Test
    void deniedCallsFromTheVcpuThreadGetEpermAndTheGuestRunsOn() throws Exception {
        List<String> seen = runGuestThatProvokes();
        assertEquals(List.of("execve " + EPERM, "socket " + EPERM, "execve " + EPERM, "socket " + EPERM,
                "execve " + EPERM, "socket " + EPERM, "powered off 7 filtered true"), seen);
        assertEquals(0, new ProcessBuilder("/bin/true").start().waitFor(), "the test's own thread can exec");
    }

    @Test
    void withTheFilterOffTheSameCallsReachTheKernel() throws Exception {
        System.setProperty(VcpuSeccomp.PROPERTY, "off");
        try {
            List<String> seen = runGuestThatProvokes();
            assertEquals("execve " + ENOENT, seen.get(0));
            assertFalse(seen.get(1).equals("socket " + EPERM), seen.toString());
            assertEquals("powered off 7 filtered false", seen.get(seen.size() - 1));
        } finally {
            System.clearProperty(VcpuSeccomp.PROPERTY);
        }
    }

    private static List<String> runGuestThatProvokes() throws InterruptedException {
        byte[] code = {
                (byte) 0xb9, 3, 0, 0, 0,                                   // mov ecx, 3
                0x66, (byte) 0xba, (byte) 0x80, 0x00,                      // mov dx, 0x80
                (byte) 0xee, 0x49, 0x75, (byte) 0xfc,                      // out dx, al; dec ecx; jnz out
                (byte) 0xb8, 7, 0, 0, 0,                                   // mov eax, 7
                (byte) 0xe7, (byte) 0xf4, (byte) 0xf4};                    // out 0xf4, eax; hlt
        List<String> seen = new ArrayList<>();
        Memory path = new Memory(32);
        path.setString(0, "/nonexistent/vmm-seccomp-test", "US-ASCII");
        try (Vm vm = Vm.create(2 << 20, 1)) {
            vm.memory().write(CODE_ADDRESS, code);
            BootState.apply(new EntryState(CpuMode.PROTECTED_32, CODE_ADDRESS, 0, 0, 0), vm.vcpu(0));
            vm.io().register(0x80, 1, new PioDevice() {
                public int read(int port, int size) { return 0xff; }
                public void write(int port, int size, int value) {
                    long rc = LibC.syscall(VcpuSyscallFilter.DENIED.get("execve"), Pointer.nativeValue(path), 0, 0);
                    seen.add("execve " + (rc == -1 ? Native.getLastError() : "returned " + rc));
                    rc = LibC.syscall(VcpuSyscallFilter.DENIED.get("socket"), 2, 1, 0);
                    seen.add("socket " + (rc == -1 ? Native.getLastError() : "fd"));
                    if (rc >= 0) {
                        LibC.close((int) rc);
                    }
                }
            });
            vm.io().register(0xf4, 4, new PioDevice() {
                public int read(int port, int size) { return 0xff; }
                public void write(int port, int size, int value) { vm.powerOff(value); }
            });
            vm.start();
            VmOutcome outcome = vm.awaitOutcome(Duration.ofMinutes(2));
            assertTrue(outcome.isPowerOff(), outcome.toString());
            seen.add("powered off " + outcome.exitStatus() + " filtered " + vm.vcpuFiltered(0));
        }
        return seen;
    }
}
