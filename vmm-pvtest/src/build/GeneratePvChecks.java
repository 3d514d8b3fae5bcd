import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step of vmm-pvtest (run by exec-maven-plugin as a single-file Java program, so the build
 * needs nothing beyond the JDK): turns guest-images/src/pvchecks.def, which the test kernel's C
 * code includes for its TAP descriptions, into the Java enum dev.vmm.pvtest.PvCheck. The two sides
 * then cannot drift apart: a check renamed in the .def is renamed in both.
 *
 * <p>Arguments: the .def file, the generated-sources directory.
 */
public final class GeneratePvChecks {
    /** One entry: PVCHECK(ID, "description"), a C string literal without escapes other than \" and \\. */
    private static final Pattern ENTRY = Pattern.compile("^PVCHECK\\(([A-Z][A-Z0-9_]*),\\s*\"((?:[^\"\\\\]|\\\\[\"\\\\])*)\"\\)\\s*$");

    private GeneratePvChecks() {
    }

    public static void main(String[] args) throws IOException {
        Path def = Path.of(args[0]);
        Path out = Path.of(args[1]).resolve("dev/vmm/pvtest/PvCheck.java");
        List<String> constants = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(def, StandardCharsets.UTF_8)) {
            lineNo++;
            if (!line.startsWith("PVCHECK")) continue; // the C comment at the top
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException(def + ":" + lineNo + ": not PVCHECK(ID, \"description\"): " + line);
            }
            constants.add("    " + m.group(1) + "(\"" + m.group(2) + "\")");
        }
        if (constants.isEmpty()) throw new IllegalArgumentException(def + ": no PVCHECK entries");
        String java = "// Generated from guest-images/src/pvchecks.def by vmm-pvtest/src/build/GeneratePvChecks.java: edit the .def.\n"
                + "package dev.vmm.pvtest;\n\n"
                + "/**\n"
                + " * The test kernel's PV checks, generated from the definitions its C code prints its TAP lines from\n"
                + " * (guest-images/src/pvchecks.def): the harness names a check only through these constants.\n"
                + " */\n"
                + "public enum PvCheck {\n"
                + String.join(",\n", constants) + ";\n\n"
                + "    private final String description;\n\n"
                + "    PvCheck(String description) {\n"
                + "        this.description = description;\n"
                + "    }\n\n"
                + "    /** @return the start of this check's TAP description (the kernel may add a note after it) */\n"
                + "    public String description() {\n"
                + "        return description;\n"
                + "    }\n"
                + "}\n";
        Files.createDirectories(out.getParent());
        // unchanged output keeps its timestamp: the compiler then has nothing new to compile
        if (!Files.exists(out) || !Files.readString(out, StandardCharsets.UTF_8).equals(java)) {
            Files.writeString(out, java, StandardCharsets.UTF_8);
        }
    }
}
