package dev.vmm.cli;

import java.util.Locale;

/**
 * QEMU's {@code -smp [cpus=]N[,sockets=S][,dies=D][,clusters=C][,cores=C][,threads=T][,maxcpus=M]},
 * completed and checked as QEMU 7.2's smp_parse (hw/core/machine-smp.c) does for the pc machines:
 * missing sockets and threads are 1, missing cores fill maxcpus, a missing cpus is maxcpus, and the
 * product of the hierarchy must equal maxcpus. vmm has no CPU hot-plug, so maxcpus above cpus is
 * refused. The topology itself is not shown to the guest (see {@link #isFlat()}).
 */
record SmpTopology(int cpus, int sockets, int dies, int clusters, int cores, int threads, int maxcpus) {

    static SmpTopology parse(String text) {
        int cpus = 0, sockets = 0, dies = 0, clusters = 0, cores = 0, threads = 0, maxcpus = 0;
        String[] parts = text.trim().split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            // QEMU's implied key: a bare first value is cpus=
            String key = eq < 0 && i == 0 ? "cpus" : eq < 0 ? part : part.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? part : part.substring(eq + 1);
            if (eq < 0 && i > 0) {
                throw new UserError("invalid -smp '" + text + "': '" + part + "' is not key=value");
            }
            int n = number(text, key, value);
            switch (key) {
                case "cpus" -> cpus = n;
                case "sockets" -> sockets = n;
                case "dies" -> dies = n;
                case "clusters" -> clusters = n;
                case "cores" -> cores = n;
                case "threads" -> threads = n;
                case "maxcpus" -> maxcpus = n;
                default -> throw new UserError("invalid -smp '" + text + "': unknown key '" + key
                        + "' (cpus, sockets, dies, clusters, cores, threads, maxcpus)");
            }
        }
        dies = dies > 0 ? dies : 1;
        clusters = clusters > 0 ? clusters : 1;
        if (cpus == 0 && maxcpus == 0) {
            sockets = sockets > 0 ? sockets : 1;
            cores = cores > 0 ? cores : 1;
            threads = threads > 0 ? threads : 1;
        } else {
            maxcpus = maxcpus > 0 ? maxcpus : cpus;
            sockets = sockets > 0 ? sockets : 1;
            threads = threads > 0 ? threads : 1;
            cores = cores > 0 ? cores : maxcpus / (sockets * dies * clusters * threads);
        }
        long total = (long) sockets * dies * clusters * cores * threads;
        maxcpus = maxcpus > 0 ? maxcpus : (int) Math.min(total, Integer.MAX_VALUE);
        cpus = cpus > 0 ? cpus : maxcpus;
        if (total != maxcpus) {
            throw new UserError(String.format("invalid -smp '%s': product of the hierarchy must match maxcpus:"
                    + " sockets (%d) * dies (%d) * clusters (%d) * cores (%d) * threads (%d) != maxcpus (%d)",
                    text, sockets, dies, clusters, cores, threads, maxcpus));
        }
        if (maxcpus < cpus) {
            throw new UserError("invalid -smp '" + text + "': maxcpus (" + maxcpus + ") is less than cpus (" + cpus + ")");
        }
        if (maxcpus > cpus) {
            throw new UserError("-smp " + text + ": maxcpus above cpus means CPU hot-plug, which vmm does not have");
        }
        return new SmpTopology(cpus, sockets, dies, clusters, cores, threads, maxcpus);
    }

    private static int number(String text, String key, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) throw new NumberFormatException();
            if (n == 0) { // QEMU 6.2+ deprecates a 0 here; vmm refuses it
                throw new UserError("invalid -smp '" + text + "': " + key + "=0, a VM needs at least 1 vCPU");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UserError("invalid -smp '" + text + "': " + key + " expects a number of vCPUs, not '" + value + "'");
        }
    }

    /**
     * True when the guest would see no difference from vmm's own layout: one socket, one die, one
     * thread per core. vmm gives vCPU i APIC ID i and leaves CPUID's topology leaves as the host
     * reports them, so other layouts are only counted, not shown.
     */
    boolean isFlat() {
        return sockets == 1 && dies == 1 && clusters == 1 && threads == 1;
    }
}
