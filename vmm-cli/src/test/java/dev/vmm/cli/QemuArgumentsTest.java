package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.machine.DebugExitPorts;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's option spellings as vmm reads them, and the command-line polish around them (no KVM needed). */
class QemuArgumentsTest {

    private static void refused(Runnable r, String fragment) {
        UserError e = assertThrows(UserError.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(Main.USAGE_STATUS, e.status());
    }

    @Test
    void smpTopologyFormsAsQemu() {
        assertEquals(4, SmpTopology.parse("4").cpus());
        assertEquals(4, SmpTopology.parse("cpus=4").cpus());
        SmpTopology t = SmpTopology.parse("sockets=2,cores=2,threads=2");
        assertEquals(8, t.cpus());
        assertFalse(t.isFlat());
        SmpTopology c = SmpTopology.parse("4,sockets=1");
        assertEquals(4, c.cores(), "missing cores fill maxcpus (QEMU 6.2+ prefers cores)");
        assertTrue(c.isFlat());
        assertEquals(2, SmpTopology.parse("cpus=2,maxcpus=2").cpus());
        refused(() -> SmpTopology.parse("4,sockets=3"), "product of the hierarchy");
        refused(() -> SmpTopology.parse("2,maxcpus=4"), "hot-plug");
        refused(() -> SmpTopology.parse("4,maxcpus=2"), "less than cpus");
        refused(() -> SmpTopology.parse("4,books=1"), "unknown key 'books'");
        refused(() -> SmpTopology.parse("two"), "expects a number");
    }

    @Test
    void memoryFormsAsQemu() {
        assertEquals(512L << 20, MemorySize.parse("512"));
        assertEquals(512L << 20, MemorySize.parse("512m"));
        assertEquals(2L << 30, MemorySize.parse("size=2G"));
        assertEquals(1536L << 20, MemorySize.parse("1.5G"));
        assertEquals(1L << 30, MemorySize.parse("1G,slots=0,maxmem=1G"));
        assertEquals(8192, MemorySize.parse("100B"), "rounded up to 8 KiB as QEMU does");
        refused(() -> MemorySize.parse("1G,slots=2,maxmem=4G"), "hot-plug");
        refused(() -> MemorySize.parse("1G,maxmem=2G"), "hot-plug");
        refused(() -> MemorySize.parse("512Mi"), "suffix");
        refused(() -> MemorySize.parse("lots"), "expected a number");
        refused(() -> MemorySize.parse("1e999999999G"), "expected a number");
        refused(() -> MemorySize.parse("-1G"), "expected a number");
        refused(() -> MemorySize.parse("1G,share=on"), "unknown -m option 'share'");
    }

    @Test
    void machineTypesAndProperties() {
        assertEquals("q35", MachineOption.parseAll(List.of("q35")).type());
        assertEquals("pc", MachineOption.parseAll(List.of("pc-i440fx-7.2,accel=kvm")).type());
        assertEquals("microvm", MachineOption.parseAll(List.of("type=microvm,x-option-roms=off,isa-serial=on")).type());
        MachineOption merged = MachineOption.parseAll(List.of("q35,accel=kvm:tcg", "kernel-irqchip=split", "usb=off"));
        assertEquals(IrqchipMode.SPLIT, merged.irqchip());
        refused(() -> MachineOption.parseAll(List.of("accel=tcg")), "KVM only");
        refused(() -> MachineOption.parseAll(List.of("isapc")), "unsupported machine type 'isapc'");
        refused(() -> MachineOption.parseAll(List.of("pc,usb=on")), "usb=off");
        refused(() -> MachineOption.parseAll(List.of("pc,nvdimm=on")), "nvdimm=on");
    }

    @Test
    void debugExitDevice() {
        assertEquals(new DebugExitPorts(0xf4, 4), DeviceOption.parse("isa-debug-exit,iobase=0xf4,iosize=0x4"));
        assertEquals(DebugExitPorts.QEMU_DEFAULT, DeviceOption.parse("isa-debug-exit"));
        assertEquals(new DebugExitPorts(0x501, 2), DeviceOption.parse("isa-debug-exit,id=x,iobase=1281,iosize=02"));
        refused(() -> DeviceOption.parse("pc-testdev"), "-device pc-testdev is not supported");
        refused(() -> DeviceOption.parse("isa-debug-exit,iobase=0xffff,iosize=4"), "does not fit");
        refused(() -> DeviceOption.parse("isa-debug-exit,iobase=port"), "expects a number");
        refused(() -> DeviceOption.parse("isa-debug-exit,irq=4"), "no property 'irq'");
    }

    @Test
    void serialAndChardevs() {
        Map<String, SerialTarget> devs = ChardevOption.parseAll(List.of("stdio,id=console,mux=on,signal=off",
                "file,id=log,path=/tmp/x.log", "socket,id=mon,path=/tmp/m.sock,server=on,wait=off"));
        assertInstanceOf(SerialTarget.Stdio.class, SerialTarget.resolve(List.of("chardev:console"), devs, true));
        assertEquals(new SerialTarget.File(Path.of("/tmp/x.log")), SerialTarget.resolve(List.of("chardev:log"), devs, false));
        assertInstanceOf(SerialTarget.Stdio.class, SerialTarget.resolve(List.of("mon:stdio"), devs, false));
        assertInstanceOf(SerialTarget.Stdio.class, SerialTarget.resolve(List.of(), devs, false));
        assertInstanceOf(SerialTarget.Discard.class, SerialTarget.resolve(List.of(), devs, true), "-nodefaults: no COM1");
        assertInstanceOf(SerialTarget.Stdio.class, SerialTarget.resolve(List.of("stdio", "null"), devs, false));
        refused(() -> SerialTarget.resolve(List.of("stdio", "file:/tmp/y"), devs, false), "one serial port");
        refused(() -> SerialTarget.resolve(List.of("chardev:nope"), devs, false), "no -chardev with id=nope");
        refused(() -> ChardevOption.parse("pty,id=p"), "back-end 'pty'");
        refused(() -> ChardevOption.parse("stdio"), "needs id=");
        refused(() -> ChardevOption.parseAll(List.of("null,id=a", "null,id=a")), "duplicate");
        refused(() -> ChardevOption.parse("stdio,id=a,logfile=/tmp/l"), "unsupported option 'logfile'");
    }

    @Test
    void qemuSwitchesWithOneValue() {
        QemuOptions q = new QemuOptions();
        q.display = "none";
        q.vnc = "none";
        q.accel = List.of("kvm,kernel-irqchip=split", "tcg");
        assertEquals(IrqchipMode.SPLIT, q.check());
        q.display = "gtk";
        refused(q::check, "-display gtk is not supported");
        QemuOptions m = new QemuOptions();
        m.mon = "chardev=c,mode=readline";
        refused(() -> m.monitorSocket(Map.of()), "human monitor");
    }

    @Test
    void cpuAndMachineHelpAndHyperV() {
        CliArgumentsTest.Result cpu = CliArgumentsTest.run("qemu", "-cpu", "help");
        assertEquals(0, cpu.status(), cpu.toString());
        // QEMU 7.2's layout: "x86 NAME(padded to 20)  DESCRIPTION", bare family names first resolved by machine type
        assertTrue(cpu.out().startsWith("Available CPUs:\nx86 486                   (alias configured by machine type)\n"), cpu.out());
        assertTrue(cpu.out().contains("\nx86 IvyBridge-v1          Intel Xeon E3-12xx v2 (Ivy Bridge)\n"), cpu.out());
        assertTrue(cpu.out().contains("\nx86 Haswell-noTSX         (alias of Haswell-v2)\n"), cpu.out());
        assertTrue(cpu.out().contains("\nx86 host ") && cpu.out().contains(" kvm-pv-unhalt ")
                && cpu.out().contains(" model-id "), cpu.out());
        CliArgumentsTest.Result machine = CliArgumentsTest.run("qemu", "-M", "?");
        assertEquals(0, machine.status(), machine.toString());
        assertTrue(machine.out().contains("  q35\n"), machine.out());
        CliArgumentsTest.Result hv = CliArgumentsTest.run("cpuid", "-cpu", "host,hv_relaxed,hv-vapic");
        assertEquals(Main.USAGE_STATUS, hv.status(), hv.toString());
        assertEquals(1, hv.errLines().size(), hv.toString());
        assertTrue(hv.err().contains("'hv_relaxed' is not supported: vmm has no Hyper-V enlightenments"), hv.toString());
    }

    @Test
    void polish() {
        assertEquals(List.of("run"), Main.closeCommands("rn", List.of("run", "test", "doctor")));
        CliArgumentsTest.Result bare = CliArgumentsTest.run();
        assertEquals(Main.USAGE_STATUS, bare.status(), bare.toString());
        assertTrue(bare.err().contains("Usage: vmm"), bare.toString());
        // the same tidied command list as vmm --help (whole first sentences, not cut source lines)
        assertTrue(bare.err().replaceAll("\\s+", " ").contains("the capabilities the VMM and the PV features need"), bare.toString());
        CliArgumentsTest.Result typo = CliArgumentsTest.run("rn");
        assertEquals(Main.USAGE_STATUS, typo.status());
        assertTrue(typo.err().contains("did you mean run?"), typo.toString());
        CliArgumentsTest.Result kernal = CliArgumentsTest.run("run", "--kernal", "x");
        assertEquals(1, kernal.errLines().size(), kernal.toString());
        assertTrue(kernal.err().contains("--kernal") && kernal.err().contains("did you mean --kernel"), kernal.toString());
        CliArgumentsTest.Result help = CliArgumentsTest.run("help", "run");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains("Usage: vmm run"), help.toString());
        CliArgumentsTest.Result list = CliArgumentsTest.run("--help");
        // every command's line in the list is a whole sentence
        assertTrue(list.out().replaceAll("\\s+", " ").contains("the capabilities the VMM and the PV features need"), list.out());
        assertTrue(list.out().contains("doctor"), list.out());
        CliArgumentsTest.Result off = CliArgumentsTest.run("run", "--kernel", "/etc/hostname", "-M", "kernel-irqchip=off");
        assertEquals(Main.USAGE_STATUS, off.status(), off.toString());
        assertTrue(off.err().contains("kernel-irqchip=off is not supported"), off.toString());
        CliArgumentsTest.Result version = CliArgumentsTest.run("qemu", "-version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("vmm "), version.toString());
    }
}
