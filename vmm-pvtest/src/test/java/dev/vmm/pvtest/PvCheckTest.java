package dev.vmm.pvtest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The generated {@link PvCheck} against the file it is generated from and the C code that prints
 * the checks: one source, no copies.
 */
class PvCheckTest {
    private static final Path SRC = Path.of("../guest-images/src");

    @Test
    void everyCheckTheKernelDefinesHasAnIdentifierWithItsDescription() throws IOException {
        Matcher m = Pattern.compile("(?m)^PVCHECK\\((\\w+), \"(.*)\"\\)$").matcher(Files.readString(SRC.resolve("pvchecks.def")));
        List<String> defined = new ArrayList<>();
        while (m.find()) {
            defined.add(m.group(1));
            assertEquals(m.group(2), PvCheck.valueOf(m.group(1)).description(), m.group(1));
        }
        assertEquals(defined, Arrays.stream(PvCheck.values()).map(Enum::name).toList(), "same checks, same order");
    }

    @Test
    void descriptionsAreDistinctAndNoneStartsAnother() {
        // the harness finds a check's line by its description's start: one must not be a prefix of another
        for (PvCheck a : PvCheck.values()) {
            for (PvCheck b : PvCheck.values()) {
                if (a != b) assertFalse(b.description().startsWith(a.description()), a + " starts " + b);
            }
        }
    }

    @Test
    void theCCodePrintsChecksOnlyThroughTheDefinitions() throws IOException {
        // a description copied into a .c file would be a second source that can drift from the .def
        try (Stream<Path> files = Files.list(SRC)) {
            for (Path c : files.filter(p -> p.toString().endsWith(".c")).toList()) {
                String text = Files.readString(c);
                for (PvCheck check : PvCheck.values()) {
                    assertFalse(text.contains("\"" + check.description() + "\""), c.getFileName() + " copies " + check);
                }
            }
        }
    }
}
