package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.machine.DebugExitPorts;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * QEMU switches that test harnesses put on their command lines, for {@code vmm run} and
 * {@code vmm qemu}. Each is either honoured with QEMU's meaning, or does nothing because vmm never
 * has what it turns off (a display, a VGA card, a NIC), or is refused with one line naming it.
 */
final class QemuOptions {
    @Option(names = {"-enable-kvm", "--enable-kvm"}, description = "Accepted for QEMU command lines: vmm always uses KVM.")
    boolean enableKvm;

    @Option(names = {"-accel", "--accel"}, paramLabel = "kvm[,kernel-irqchip=on|split]",
            description = "The accelerator, as QEMU's -accel; vmm can only be kvm.")
    List<String> accel = new ArrayList<>();

    @Option(names = {"-nographic", "--nographic"},
            description = "Accepted for QEMU command lines: vmm has no display and its serial port is on stdio already.")
    boolean nographic;

    @Option(names = {"-display", "--display"}, paramLabel = "none", description = "Only none: vmm has no display.")
    String display;

    @Option(names = {"-vnc", "--vnc"}, paramLabel = "none", description = "Only none: vmm has no VNC server.")
    String vnc;

    @Option(names = {"-vga", "--vga"}, paramLabel = "none", description = "Only none: vmm has no graphics card.")
    String vga;

    @Option(names = {"-monitor", "--monitor"}, paramLabel = "none",
            description = "Only none: vmm has no human monitor (use -qmp for a machine one).")
    String monitor;

    @Option(names = {"-mon", "--mon"}, paramLabel = "chardev=ID,mode=control",
            description = "A QMP monitor on a socket -chardev, as QEMU's -mon (mode=readline, the human monitor, is not supported).")
    String mon;

    @Option(names = {"-nodefaults", "--nodefaults"},
            description = "No default devices, as in QEMU: without -serial, COM1's output is then dropped.")
    boolean nodefaults;

    @Option(names = {"-no-user-config", "--no-user-config"},
            description = "Accepted for QEMU command lines: vmm reads no configuration files.")
    boolean noUserConfig;

    @Option(names = {"-device", "--device"}, paramLabel = "isa-debug-exit[,iobase=N][,iosize=N]",
            description = "Add an isa-debug-exit device at these ports (QEMU's defaults: iobase=0x501, iosize=2);"
                    + " with it, vmm run no longer has its own one at 0xf4.")
    List<String> devices = new ArrayList<>();

    @Option(names = {"-chardev", "--chardev"}, paramLabel = "stdio|null|file|socket,id=ID[,...]",
            description = "A character device for -serial chardev:ID or -mon chardev=ID, as QEMU's -chardev.")
    List<String> chardevs = new ArrayList<>();

    @Option(names = {"-name", "--name"}, paramLabel = "NAME",
            description = "The guest's name, as QEMU's -name (vmm only shows it with --verbose).")
    String name;

    @Option(names = {"-net", "--net", "-nic", "--nic"}, paramLabel = "none",
            description = "Only none: vmm has no network card.")
    List<String> net = new ArrayList<>();

    @Option(names = {"-parallel", "--parallel"}, paramLabel = "none",
            description = "Only none: vmm has no parallel port.")
    String parallel;

    /** Checks every switch that has only one accepted value; returns the irqchip -accel asked for, or null. */
    IrqchipMode check() {
        onlyNone("-display", display);
        onlyNone("-vnc", vnc);
        onlyNone("-vga", vga);
        onlyNone("-monitor", monitor);
        onlyNone("-parallel", parallel);
        for (String n : net) onlyNone("-net", n);
        IrqchipMode irqchip = null;
        for (int i = 0; i < accel.size(); i++) {
            String[] parts = accel.get(i).split(",", -1);
            if (i > 0) continue; // QEMU falls back to later -accel options only when the first one fails
            MachineOption.accel("-accel " + accel.get(i), parts[0]);
            for (int j = 1; j < parts.length; j++) {
                String p = parts[j].trim();
                if (p.startsWith("kernel-irqchip=") || p.startsWith("kernel_irqchip=")) {
                    irqchip = MachineOption.parse("kernel-irqchip=" + p.substring(15));
                } else if (!p.isEmpty()) {
                    throw new UserError("unsupported -accel option '" + p + "' (vmm understands kernel-irqchip=on|split)");
                }
            }
        }
        return irqchip;
    }

    private static void onlyNone(String option, String value) {
        if (value != null && !value.trim().toLowerCase(Locale.ROOT).equals("none")) {
            throw new UserError(option + " " + value + " is not supported (vmm accepts only " + option + " none)");
        }
    }

    /** The isa-debug-exit devices named with -device, or null when there is none (the caller's default applies). */
    List<DebugExitPorts> debugExits() {
        if (devices.isEmpty()) return null;
        List<DebugExitPorts> out = new ArrayList<>();
        for (String d : devices) out.add(DeviceOption.parse(d));
        return out;
    }

    Map<String, SerialTarget> chardevMap() {
        return ChardevOption.parseAll(chardevs);
    }

    /** The QMP socket -mon chardev=ID,mode=control names, or null without -mon. */
    SerialTarget.Socket monitorSocket(Map<String, SerialTarget> chardevMap) {
        if (mon == null) return null;
        String id = null;
        String mode = "readline";
        for (String raw : mon.split(",")) {
            String p = raw.trim();
            if (p.startsWith("chardev=")) id = p.substring(8);
            else if (p.startsWith("mode=")) mode = p.substring(5);
            else if (!p.equals("pretty=off") && !p.isEmpty()) {
                throw new UserError("unsupported -mon option '" + p + "' (chardev=ID,mode=control)");
            }
        }
        if (!mode.equals("control")) {
            throw new UserError("-mon " + mon + ": vmm has no human monitor (mode=readline); use mode=control for QMP");
        }
        SerialTarget target = id == null ? null : chardevMap.get(id);
        if (!(target instanceof SerialTarget.Socket socket)) {
            throw new UserError("-mon " + mon + ": chardev=ID must name a socket -chardev (vmm serves QMP on sockets only)");
        }
        return socket;
    }
}
