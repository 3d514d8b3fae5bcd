package dev.vmm.exits;

import dev.vmm.kvm.IoExit;
import dev.vmm.kvm.KvmRun;
import dev.vmm.kvm.MmioExit;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.vm.ExitObserver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --exit-stats}: counts and time per exit reason, per I/O port, per MMIO address and per
 * vCPU, like {@code perf kvm stat report}. "Time" is what the VMM spent handling the exit, from
 * KVM_RUN's return to the handler's end (not the time in the kernel). Each vCPU thread updates a
 * table of its own, so counting needs no lock shared between vCPUs; {@link #snapshot} merges them
 * for a report while the guest runs or after it ended.
 */
public final class ExitStats implements ExitObserver {
    /** What a row counts. */
    public enum Kind { REASON, PORT, MMIO, VCPU }

    /** One row: {@code key} is the reason name, "0x3f8 out", "0xfee000b0 write" or "vcpu 0". */
    public record Row(Kind kind, String key, long count, long totalNanos, long maxNanos) {
        public double meanMicros() {
            return count == 0 ? 0 : totalNanos / 1e3 / count;
        }
    }

    private static final class Accumulator {
        long count;
        long total;
        long max;

        void add(long nanos) {
            count++;
            total += nanos;
            if (nanos > max) max = nanos;
        }
    }

    /** One vCPU's tables; written by its thread only, read under its lock by reporters. */
    private static final class PerVcpu {
        final Map<Integer, Accumulator> reasons = new TreeMap<>();
        final Map<Long, Accumulator> ports = new TreeMap<>();
        final Map<Long, Accumulator> mmio = new TreeMap<>();
        final Accumulator all = new Accumulator();
    }

    private final PerVcpu[] vcpus;

    public ExitStats(int vcpuCount) {
        vcpus = new PerVcpu[vcpuCount];
        for (int i = 0; i < vcpuCount; i++) {
            vcpus[i] = new PerVcpu();
        }
    }

    @Override
    public void onExit(int vcpu, VcpuFd fd, VcpuExit exit, long exitNanos, long handledNanos) {
        long nanos = handledNanos - exitNanos;
        PerVcpu v = vcpus[vcpu];
        synchronized (v) {
            v.all.add(nanos);
            v.reasons.computeIfAbsent(exit.reason(), r -> new Accumulator()).add(nanos);
            if (exit instanceof IoExit portIo) {
                // key: port in the high bits, direction in bit 0
                v.ports.computeIfAbsent(((long) portIo.port() << 1) | (portIo.isOut() ? 1 : 0), k -> new Accumulator()).add(nanos);
            } else if (exit instanceof MmioExit access) {
                v.mmio.computeIfAbsent((access.address() << 1) | (access.isWrite() ? 1 : 0), k -> new Accumulator()).add(nanos);
            }
        }
    }

    /** Every row, merged over the vCPUs: reasons and vCPUs in order, ports and MMIO addresses by count. */
    public List<Row> snapshot() {
        Map<Integer, Accumulator> reasons = new TreeMap<>();
        Map<Long, Accumulator> ports = new TreeMap<>();
        Map<Long, Accumulator> mmio = new TreeMap<>();
        List<Row> perVcpu = new ArrayList<>();
        for (int i = 0; i < vcpus.length; i++) {
            PerVcpu v = vcpus[i];
            synchronized (v) {
                v.reasons.forEach((k, a) -> merge(reasons.computeIfAbsent(k, x -> new Accumulator()), a));
                v.ports.forEach((k, a) -> merge(ports.computeIfAbsent(k, x -> new Accumulator()), a));
                v.mmio.forEach((k, a) -> merge(mmio.computeIfAbsent(k, x -> new Accumulator()), a));
                perVcpu.add(new Row(Kind.VCPU, "vcpu " + i, v.all.count, v.all.total, v.all.max));
            }
        }
        List<Row> rows = new ArrayList<>();
        reasons.forEach((k, a) -> rows.add(new Row(Kind.REASON, KvmRun.exitReasonName(k), a.count, a.total, a.max)));
        List<Row> portRows = new ArrayList<>();
        ports.forEach((k, a) -> portRows.add(new Row(Kind.PORT, String.format("0x%x %s", k >>> 1, (k & 1) != 0 ? "out" : "in"),
                a.count, a.total, a.max)));
        List<Row> mmioRows = new ArrayList<>();
        mmio.forEach((k, a) -> mmioRows.add(new Row(Kind.MMIO, String.format("0x%x %s", k >>> 1, (k & 1) != 0 ? "write" : "read"),
                a.count, a.total, a.max)));
        Comparator<Row> byCount = Comparator.comparingLong(Row::count).reversed();
        portRows.sort(byCount);
        mmioRows.sort(byCount);
        rows.addAll(portRows);
        rows.addAll(mmioRows);
        rows.addAll(perVcpu);
        return rows;
    }

    private static void merge(Accumulator into, Accumulator from) {
        into.count += from.count;
        into.total += from.total;
        into.max = Math.max(into.max, from.max);
    }

    /** The end-of-run report, one table per kind, as {@code # exit-stats:} lines. */
    public static List<String> format(List<Row> rows) {
        List<String> out = new ArrayList<>();
        long all = rows.stream().filter(r -> r.kind() == Kind.REASON).mapToLong(Row::count).sum();
        long allTime = rows.stream().filter(r -> r.kind() == Kind.REASON).mapToLong(Row::totalNanos).sum();
        out.add(String.format("# exit-stats: %d exits, %.1f us handling them in vmm (time from KVM_RUN's return to the handler's end)",
                all, allTime / 1e3));
        for (Kind kind : Kind.values()) {
            String title = switch (kind) {
                case REASON -> "reason";
                case PORT -> "I/O port";
                case MMIO -> "MMIO address";
                case VCPU -> "vCPU";
            };
            List<Row> of = rows.stream().filter(r -> r.kind() == kind).toList();
            if (of.isEmpty()) {
                continue;
            }
            out.add(String.format("# exit-stats: %-26s %10s %8s %8s %12s %10s %10s", title, "samples", "samples%", "time%",
                    "total_us", "mean_us", "max_us"));
            for (Row r : of) {
                out.add(String.format("# exit-stats: %-26s %10d %7.2f%% %7.2f%% %12.1f %10.2f %10.1f", r.key(), r.count(),
                        all == 0 ? 0 : 100.0 * r.count() / all, allTime == 0 ? 0 : 100.0 * r.totalNanos() / allTime,
                        r.totalNanos() / 1e3, r.meanMicros(), r.maxNanos() / 1e3));
            }
        }
        return out;
    }
}
