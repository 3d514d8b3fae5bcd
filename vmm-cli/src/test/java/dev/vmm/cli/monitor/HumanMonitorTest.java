package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** human-monitor-command's parsing and texts: QEMU's words for each command and each mistake. */
class HumanMonitorTest {
    private final ArrayGuest guest = new ArrayGuest();
    private final HumanMonitor hmp = new HumanMonitor(guest);

    @Test
    void unknownCommandsAndSubcommands() {
        assertEquals("unknown command: 'foo'\n", hmp.execute("foo bar", 0));
        assertEquals("unknown command: 'info foo'\n", hmp.execute("info foo", 0));
        assertEquals("", hmp.execute("   ", 0));
    }

    @Test
    void statusAndCpus() {
        assertEquals("VM status: running\n", hmp.execute("info status", 0));
        guest.status = "paused";
        assertEquals("VM status: paused\n", hmp.execute("info status", 0));
        guest.status = "debug";
        assertEquals("VM status: paused (debug)\n", hmp.execute("info status", 0));
        assertEquals("  CPU #0: thread_id=4100\n* CPU #1: thread_id=4101\n", hmp.execute("info cpus", 1));
        assertEquals("status: extraneous characters at the end of line\nTry \"help info status\" for more information\n",
                hmp.execute("info status now", 0));
    }

    @Test
    void registersOfTheCurrentANamedOrEveryCpu() {
        assertEquals("\nCPU#1\nRAX=1\n", hmp.execute("info registers", 1));
        assertEquals("\nCPU#0\nRAX=0\n", hmp.execute("info registers 0", 1));
        assertEquals("\nCPU#0\nRAX=0\n\nCPU#1\nRAX=1\n", hmp.execute("info registers -a", 0));
        assertEquals("CPU#7 not available\n", hmp.execute("info registers 7", 0));
        assertEquals("registers: unsupported option -x\nTry \"help info registers\" for more information\n",
                hmp.execute("info registers -x", 0));
    }

    @Test
    void virtualAndPhysicalDumpsReadTheSameBytes() {
        guest.ram[0x100] = 0x48;
        guest.ram[0x101] = (byte) 0x89;
        assertEquals("0000000000000100: 0x48 0x89\n", hmp.execute("xp /2xb 0x100", 0));
        assertEquals("ffff800000000100: 0x48 0x89\n", hmp.execute("x/2xb $pc", 0));
        assertEquals("ffff800000000100: 0x8948\n", hmp.execute("x /1h 0xffff800000000100", 0), "format x kept, size h given");
        assertEquals("ffff800000000100: 0x8948\n", hmp.execute("x 0xffff800000000100", 0), "format and size carried over");
        assertEquals("0000000000000000: Cannot access memory\n", hmp.execute("x/4x 0", 0));
        assertEquals("000000000000fff0: 0x00000000 0x00000000 0x00000000 0x00000000\n0000000000010000: Cannot access memory\n",
                hmp.execute("xp/8xw 0xfff0", 0), "a line that cannot be read ends the dump");
    }

    @Test
    void dumpMistakesGetQemusHint() {
        assertEquals("invalid char in format: 'q'\nTry \"help xp\" for more information\n", hmp.execute("xp /4q 0", 0));
        assertEquals("unexpected end of expression\nTry \"help x\" for more information\n", hmp.execute("x /4x", 0));
        assertEquals("xp: extraneous characters at the end of line\nTry \"help xp\" for more information\n",
                hmp.execute("xp 0 junk", 0));
        assertEquals("unknown register\nTry \"help x\" for more information\n", hmp.execute("x $foo", 0));
    }

    @Test
    void pvAsText() {
        String text = hmp.execute("info pv", 0);
        assertTrue(text.startsWith("CPU#0\n  MSR_KVM_SYSTEM_TIME_NEW      0x4b564d01 = 0x0000000000001001\n    version=2 flags=stable\n"), text);
        assertTrue(text.contains("MSR_KVM_POLL_CONTROL         0x4b564d05 not supported by this host\n"), text);
    }

    @Test
    void helpListsTheInfoCommands() {
        assertTrue(hmp.execute("info", 0).contains("info registers [-a|vcpu] -- show the cpu registers"));
        assertTrue(hmp.execute("help", 0).contains("xp /fmt addr -- physical memory dump starting at 'addr'\n"));
    }
}
