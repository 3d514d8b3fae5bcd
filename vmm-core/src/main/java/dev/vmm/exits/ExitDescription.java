package dev.vmm.exits;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.KvmRun;

/**
 * One KVM_RUN exit in words: the reason by name and, for port I/O and MMIO, what was accessed and
 * which device answered. Built only when someone traces exits.
 */
final class ExitDescription {
    private ExitDescription() {
    }

    /** e.g. {@code KVM_EXIT_IO out port=0x3f8 size=1 count=1 data=0x41 dev=Uart8250}. */
    static String describe(KvmRun run, IoBus io, MmioBus mmio) {
        int reason = run.exitReason();
        StringBuilder sb = new StringBuilder(KvmRun.exitReasonName(reason));
        switch (reason) {
            case KvmRun.EXIT_IO -> {
                int port = run.ioPort();
                sb.append(run.ioIsOut() ? " out" : " in").append(String.format(" port=0x%x size=%d", port, run.ioSize()));
                if (run.ioCount() != 1) {
                    sb.append(" count=").append(run.ioCount());
                }
                sb.append(String.format(" data=0x%x", run.ioData(0)));
                sb.append(" dev=").append(orUnassigned(io.deviceName(port)));
            }
            case KvmRun.EXIT_MMIO -> {
                long address = run.mmioPhysAddr();
                int len = run.mmioLen();
                long data = len >= 8 ? run.mmioData() : run.mmioData() & ((1L << (8 * len)) - 1);
                sb.append(run.mmioIsWrite() ? " write" : " read").append(String.format(" addr=0x%x len=%d data=0x%x", address, len, data));
                sb.append(" dev=").append(orUnassigned(mmio.deviceName(address)));
            }
            case KvmRun.EXIT_DEBUG -> sb.append(String.format(" exception=%d pc=0x%x dr6=0x%x", run.debugException(),
                    run.debugPc(), run.debugDr6()));
            case KvmRun.EXIT_SYSTEM_EVENT -> sb.append(" type=").append(KvmRun.systemEventName(run.systemEventType()));
            case KvmRun.EXIT_INTERNAL_ERROR -> sb.append(" suberror=").append(run.internalSuberror());
            default -> { }
        }
        return sb.toString();
    }

    private static String orUnassigned(String device) {
        return device == null ? "unassigned" : device;
    }
}
