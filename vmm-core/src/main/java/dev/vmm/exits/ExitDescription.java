package dev.vmm.exits;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.IoExit;
import dev.vmm.kvm.KvmRun;
import dev.vmm.kvm.MmioExit;
import dev.vmm.kvm.VcpuExit;

/**
 * One KVM_RUN exit in words: the reason by name and, for port I/O and MMIO, what was accessed and
 * which device answered. Built only when someone traces exits.
 */
final class ExitDescription {
    private ExitDescription() {
    }

    /** e.g. {@code KVM_EXIT_IO out port=0x3f8 size=1 count=1 data=0x41 dev=Uart8250}. */
    static String describe(VcpuExit exit, IoBus io, MmioBus mmio) {
        StringBuilder sb = new StringBuilder(KvmRun.exitReasonName(exit.reason()));
        if (exit instanceof IoExit portIo) {
            int port = portIo.port();
            sb.append(portIo.isOut() ? " out" : " in").append(String.format(" port=0x%x size=%d", port, portIo.size()));
            if (portIo.count() != 1) {
                sb.append(" count=").append(portIo.count());
            }
            sb.append(String.format(" data=0x%x", portIo.data(0)));
            sb.append(" dev=").append(orUnassigned(io.deviceName(port)));
        } else if (exit instanceof MmioExit access) {
            long address = access.address();
            sb.append(access.isWrite() ? " write" : " read").append(String.format(" addr=0x%x len=%d data=0x%x", address,
                    access.length(), access.data()));
            sb.append(" dev=").append(orUnassigned(mmio.deviceName(address)));
        } else if (exit instanceof VcpuExit.Debug debug) {
            sb.append(String.format(" exception=%d pc=0x%x dr6=0x%x", debug.exception(), debug.pc(), debug.dr6()));
        } else if (exit instanceof VcpuExit.SystemEvent event) {
            sb.append(" type=").append(event.typeName());
        } else if (exit instanceof VcpuExit.InternalError error) {
            sb.append(" suberror=").append(error.suberror());
        }
        return sb.toString();
    }

    private static String orUnassigned(String device) {
        return device == null ? "unassigned" : device;
    }
}
