package dev.vmm.host;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks numbers the Java code hard-codes against C headers: compiles a C program with gcc that
 * prints each C expression's value (ioctl number, constant, sizeof, offsetof) and compares them
 * one by one. Skips (assumption) when gcc is missing.
 */
public final class CHeaderCheck {
    private final List<String> headers;
    /** C expression -> value the Java code uses. */
    private final Map<String, Long> expected = new LinkedHashMap<>();

    public CHeaderCheck(String... headers) {
        this.headers = List.of(headers);
    }

    /**
     * Expects {@code cExpr} to evaluate to {@code javaValue}. The expression is the key: to check
     * the same C value against two Java constants, vary its spelling (e.g. a trailing space).
     */
    public CHeaderCheck expect(String cExpr, long javaValue) {
        expected.put(cExpr, javaValue);
        return this;
    }

    /** Compiles and runs the program in {@code dir}; fails listing every mismatch. */
    public void assertAllMatch(Path dir) throws IOException, InterruptedException {
        Assumptions.assumeTrue(gccPresent(), "gcc not found: cannot check constants against " + headers);
        List<String> exprs = new ArrayList<>(expected.keySet());
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n#include <stddef.h>\n#include <stdio.h>\n");
        for (String h : headers) {
            c.append("#include <").append(h).append(">\n");
        }
        c.append("int main(void) {\n");
        for (String e : exprs) {
            // one "name value" line per item; the name is the C expression itself
            c.append("  printf(\"%s %llu\\n\", \"").append(e.trim()).append("\", (unsigned long long)(")
                    .append(e).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("constants.c");
        Path exe = dir.resolve("constants");
        Files.writeString(src, c.toString());

        String compileOut = run(List.of("gcc", "-Wall", "-o", exe.toString(), src.toString()));
        String out = run(List.of(exe.toString()));

        List<Long> actual = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            int sp = line.lastIndexOf(' ');
            assertEquals(exprs.get(actual.size()).trim(), line.substring(0, sp));
            actual.add(Long.parseUnsignedLong(line.substring(sp + 1).trim()));
        }
        assertEquals(exprs.size(), actual.size(), "C program output incomplete; gcc said: " + compileOut);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < exprs.size(); i++) {
            long java = expected.get(exprs.get(i));
            long cval = actual.get(i);
            if (java != cval) {
                mismatches.add(exprs.get(i).trim() + ": C=" + cval + " (0x" + Long.toHexString(cval) + ") Java="
                        + java + " (0x" + Long.toHexString(java) + ")");
            }
        }
        assertTrue(mismatches.isEmpty(), "mismatches against " + headers + ":\n" + String.join("\n", mismatches));
    }

    private static boolean gccPresent() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + " failed:\n" + out);
        return out;
    }
}
