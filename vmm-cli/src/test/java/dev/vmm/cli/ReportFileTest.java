package dev.vmm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** vmm test's report paths: refused before the first boot, as one usage-error line. */
class ReportFileTest {
    @Test
    void reportPathsAreCheckedBeforeAnyWork(@TempDir Path dir) throws Exception {
        ReportFile.checkWritable(dir.resolve("new.xml"), "JUnit report");
        Path existing = Files.writeString(dir.resolve("old.xml"), "old");
        ReportFile.checkWritable(existing, "JUnit report");
        UserError noDir = assertThrows(UserError.class,
                () -> ReportFile.checkWritable(dir.resolve("missing/r.xml"), "JUnit report"));
        assertTrue(noDir.getMessage().contains("does not exist"), noDir.getMessage());
        assertEquals(Main.USAGE_STATUS, noDir.status());
        UserError isDir = assertThrows(UserError.class, () -> ReportFile.checkWritable(dir, "JUnit report"));
        assertTrue(isDir.getMessage().contains("is a directory"), isDir.getMessage());
    }
}
