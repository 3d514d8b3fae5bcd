package dev.vmm.junit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's "Using vmm from a JUnit test" class is the one the invoker plugin builds and runs
 * (src/it/readme-example): the two must not drift apart.
 */
class ReadmeExampleTest {
    private static final String SECTION = "## Using vmm from a JUnit test";

    @Test
    void readmeShowsExactlyTheClassTheBuildRuns() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int section = readme.indexOf(SECTION);
        assertTrue(section >= 0, "README has no section '" + SECTION + "'");
        int start = readme.indexOf("```java\n", section);
        assertTrue(start >= 0, "no java block in the section");
        start += "```java\n".length();
        int end = readme.indexOf("```", start);
        String example = Files.readString(Path.of("src/it/readme-example/src/test/java/com/example/KvmClockTest.java"));
        assertEquals(example, readme.substring(start, end));
    }
}
