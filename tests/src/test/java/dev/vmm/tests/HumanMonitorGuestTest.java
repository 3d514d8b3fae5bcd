package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The human monitor and memsave/pmemsave on the real test kernel: held at its first instruction by
 * -S (paging off: virtual = physical, truncated to 32 bits), then running in long mode behind the
 * kernel's own page tables (identity-mapped first 4 GiB, nothing above), each answer checked
 * against the kernel's ELF bytes.
 */
class HumanMonitorGuestTest {
    /** pvtest.elf: one PT_LOAD at physical 0x100000, 0xbd28 bytes from file offset 0x1000 (.text first). */
    private static final long LOAD = 0x100000;

    @TempDir
    Path tmp;
    private Process vmm;

    @AfterEach
    void stop() throws Exception {
        if (vmm != null && vmm.isAlive()) {
            vmm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String hmp(QmpClient c, String line) throws IOException {
        return hmp(c, line, -1);
    }

    private static String hmp(QmpClient c, String line, int cpu) throws IOException {
        ObjectNode args = QmpClient.JSON.createObjectNode().put("command-line", line);
        if (cpu >= 0) args.put("cpu-index", cpu);
        JsonNode r = exec(c, "human-monitor-command", args);
        assertTrue(r.has("return") && r.get("return").isTextual(), line + " -> " + r);
        String text = r.get("return").asText();
        assertEquals(text.replace("\r\n", "\n").replace("\n", "\r\n"), text, "lines end in CRLF, as QEMU's: " + line);
        return text.replace("\r\n", "\n");
    }

    private static JsonNode exec(QmpClient c, String command, ObjectNode args) throws IOException {
        ObjectNode msg = QmpClient.JSON.createObjectNode().put("execute", command);
        msg.set("arguments", args);
        c.sendRaw(msg + "\r\n");
        return c.reply();
    }

    private static JsonNode save(QmpClient c, String command, long addr, long size, Path file) throws IOException {
        ObjectNode args = QmpClient.JSON.createObjectNode().put("val", addr).put("size", size).put("filename", file.toString());
        return exec(c, command, args);
    }

    /** The dump line QEMU prints for four 32-bit words of {@code bytes} at {@code address}. */
    private static String words(long address, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return String.format("%016x: 0x%08x 0x%08x 0x%08x 0x%08x%n", address, b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12));
    }

    private String serialUntil(Path serial, String marker) throws Exception {
        return SerialSocketReader.readUntil(serial, marker, 90);
    }

    @Test
    void infoRegistersMemoryDumpsAndSavesOnARealGuest() throws Exception {
        RequiresKvm.check();
        Path kernel = RequiresKvm.testKernel();
        byte[] elf = Files.readAllBytes(kernel);
        byte[] image = Arrays.copyOfRange(elf, 0x1000, 0x1000 + 0xbd28);
        Path qmp = tmp.resolve("q.sock");
        Path serial = tmp.resolve("s.sock");
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        vmm = new ProcessBuilder(launcher.toString(), "run", "--kernel", kernel.toString(), "--smp", "2", "-S",
                "--append", "pvtest.spin=user", "--qmp", "unix:" + qmp + ",server=on,wait=off",
                "--serial", "unix:" + serial + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("vmm.log").toFile()).start();
        for (int i = 0; i < 300 && !(Files.exists(qmp) && Files.exists(serial)); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(qmp), "QMP socket appeared");
        try (QmpClient c = new QmpClient(qmp)) {
            c.execute("qmp_capabilities");

            // held by -S at the PVH entry: 32-bit protected mode, paging off
            assertEquals("VM status: paused\n", hmp(c, "info status"));
            String cpus = hmp(c, "info cpus");
            assertTrue(cpus.matches("\\* CPU #0: thread_id=\\d+\n  CPU #1: thread_id=\\d+\n"), cpus);
            String regs = hmp(c, "info registers");
            assertTrue(regs.startsWith("\nCPU#0\nEAX="), regs);
            assertTrue(regs.contains("EIP=0010000c EFL="), regs); // the ELF entry point
            assertTrue(regs.contains("\nEFER=0000000000000000\nFCW=037f "), regs);
            assertTrue(hmp(c, "info registers", 1).startsWith("\nCPU#1\n"));
            String all = hmp(c, "info registers -a");
            assertTrue(all.contains("\nCPU#0\nEAX=") && all.contains("\nCPU#1\nEAX="), all);

            Path phys = tmp.resolve("phys.bin");
            assertEquals(QmpClient.JSON.createObjectNode(), save(c, "pmemsave", LOAD, image.length, phys).get("return"));
            assertArrayEquals(image, Files.readAllBytes(phys), "pmemsave of the load address is the ELF segment");
            Path virt = tmp.resolve("virt.bin");
            save(c, "memsave", LOAD, image.length, virt);
            assertArrayEquals(image, Files.readAllBytes(virt), "paging off: virtual = physical");

            String expected = words(LOAD, image);
            assertEquals(expected, hmp(c, "xp /4xw 0x100000"));
            assertEquals(expected, hmp(c, "x /4xw 0x100000"));
            assertEquals(expected.replace("0000000000100000:", "0000000100100000:"), hmp(c, "x /4xw 0x100100000"),
                    "paging off: the linear address is cut to 32 bits, as on the CPU");

            String mtree = hmp(c, "info mtree");
            assertTrue(mtree.startsWith("address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"), mtree);
            assertTrue(mtree.contains("(prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-"), mtree);
            assertTrue(mtree.contains("00000000000003f8-00000000000003ff (prio 0, i/o): COM1\n"), mtree);
            assertTrue(mtree.contains("00000000000000f4-00000000000000f7 (prio 0, i/o): isa-debug-exit\n"), mtree);
            assertTrue(hmp(c, "info pv").startsWith("CPU#0\n  MSR_KVM_"));
            assertEquals("unknown command: 'foo'\n", hmp(c, "foo"));

            // bad files and addresses: one error each, the session goes on
            Path target = Files.writeString(tmp.resolve("target"), "keep");
            Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
            JsonNode e = save(c, "pmemsave", LOAD, 16, link).get("error");
            assertEquals("GenericError", e.path("class").asText());
            assertTrue(e.path("desc").asText().startsWith("Could not open '" + link + "'"), e.toString());
            assertEquals("keep", Files.readString(target));
            e = save(c, "pmemsave", 0xfee00000L, 16, tmp.resolve("apic.bin")).get("error");
            assertEquals("Invalid addr 0x00000000fee00000/size 16 specified", e.path("desc").asText());
            e = exec(c, "memsave", QmpClient.JSON.createObjectNode().put("val", LOAD).put("size", 16)
                    .put("filename", tmp.resolve("x").toString()).put("cpu-index", 9)).get("error");
            assertEquals("Parameter 'cpu-index' expects a CPU number", e.path("desc").asText());
            assertEquals("paused", c.execute("query-status").path("return").path("status").asText(),
                    "looking did not start the guest");

            // running in long mode behind the kernel's page tables
            c.execute("cont");
            String console = serialUntil(serial, "# spinning in user mode");
            assertTrue(console.contains("# spinning in user mode"), console);
            regs = hmp(c, "info registers");
            assertTrue(regs.startsWith("\nCPU#0\nRAX=") && regs.contains(" CS64 ["), regs);
            java.util.regex.Matcher efer = java.util.regex.Pattern.compile("\nEFER=([0-9a-f]{16})\n").matcher(regs);
            assertTrue(efer.find() && (Long.parseUnsignedLong(efer.group(1), 16) & 0x400) != 0, "EFER.LMA: " + regs);
            assertEquals(expected, hmp(c, "x /4xw 0x100000"), "identity-mapped: the walk through CR3 lands on the same bytes");
            assertEquals("0000000100100000: Cannot access memory\n", hmp(c, "x /4xw 0x100100000"), "nothing mapped above 4 GiB");
            e = save(c, "memsave", 0x100100000L, 16, tmp.resolve("high.bin")).get("error");
            assertEquals("Invalid addr 0x0000000100100000/size 16 specified", e.path("desc").asText());
            assertFalse(Files.exists(tmp.resolve("high.bin")), "no file for a range that cannot be read");
            save(c, "memsave", LOAD, 0x8fce, virt);
            assertArrayEquals(Arrays.copyOf(image, 0x8fce), Files.readAllBytes(virt), ".text through the page tables");
            assertEquals("VM status: running\n", hmp(c, "info status"), "the inspections let the guest run on");
            c.execute("quit");
        }
        assertTrue(vmm.waitFor(30, TimeUnit.SECONDS));
    }
}
