package dev.vmm.pvtest;

import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** vmm test --config: the file's rules, and what a cell's CPU model means for its feature. */
class UserCellsTest {
    /** A host offering every PV bit the matrix checks (0x40000001 eax), with x2APIC. */
    private static final List<CpuidEntry> HOST = List.of(
            new CpuidEntry(0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69),
            new CpuidEntry(1, 0, 0, 0x000906ea, 0x00010800, 0x7ffafbff, 0xbfebfbff),
            new CpuidEntry(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
            new CpuidEntry(0x40000001, 0, 0, 0x01007ffb, 0, 0, 0),
            new CpuidEntry(0x80000000, 0, 0, 0x80000008, 0, 0, 0));

    @TempDir
    Path dir;

    private List<UserCells.UserCell> read(String json) throws Exception {
        return UserCells.read(Files.writeString(dir.resolve("cells.json"), json));
    }

    private String error(String json) {
        return assertThrows(MatrixConfigException.class, () -> read(json)).getMessage();
    }

    @Test
    void cellsTakeTheirMeaningFromTheirCpuModel() throws Exception {
        List<UserCells.UserCell> cells = read("""
                {"cells": [
                  {"feature": "kvm-pv-eoi", "cpu": "host,+kvm-pv-eoi,-x2apic", "name": "eoi, no x2apic", "smp": 1},
                  {"feature": "kvm-pv-eoi", "cpu": "host,-kvm-pv-eoi,kvm-pv-enforce-cpuid", "append": "pvtest.x=1"}
                ]}""");
        assertEquals(2, cells.size());
        CellSetting on = cells.get(0).setting(HOST, IrqchipMode.ON, 2);
        assertEquals(new CellSetting("eoi, no x2apic", "host,+kvm-pv-eoi,-x2apic", true, false, "", 1), on);
        CellSetting enforced = cells.get(1).setting(HOST, IrqchipMode.ON, 2);
        assertFalse(enforced.on());
        assertTrue(enforced.enforce());
        assertEquals("host,-kvm-pv-eoi,kvm-pv-enforce-cpuid", enforced.label(), "no name: the cpu string names the cell");
        assertEquals("pvtest.x=1", enforced.append());
        assertEquals(2, enforced.smp(), "no smp: vmm test's --smp");
        assertEquals(PvFeature.PV_EOI, cells.get(1).feature());
    }

    @Test
    void badFilesAreOneLineErrors() {
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-pv-eoi\"}]}").contains("cpu"));
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-bogus\", \"cpu\": \"host\"}]}").contains("unknown PV feature 'kvm-bogus'"));
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-pv-enforce-cpuid\", \"cpu\": \"host\"}]}").contains("no check for"));
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-pv-eoi\", \"cpu\": \"host\", \"smpp\": 2}]}").contains("smpp"),
                "a misspelt key is refused, not ignored");
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-pv-eoi\", \"cpu\": \"host\", \"smp\": 0}]}").contains("smp 0"));
        assertTrue(error("{\"cells\": []}").contains("no cells"));
        assertTrue(error("{\"cells\": [").contains("cells.json"));
        assertTrue(error("[1, 2]").contains("cells.json"));
        assertTrue(error("{\"cells\": [{\"feature\": \"kvm-pv-eoi\", \"cpu\": \"host\", \"append\": \"a\\u0000b\"}]}")
                .contains("control characters"));
        for (String bad : List.of("{\"cells\": [", "{\"cells\": [{\"feature\": \"kvm-pv-eoi\"}]}")) {
            assertFalse(error(bad).contains("\n"), "one line: " + error(bad));
        }
        MatrixConfigException missing = assertThrows(MatrixConfigException.class,
                () -> UserCells.read(dir.resolve("missing.json")));
        assertTrue(missing.getMessage().contains("not a regular file"), missing.getMessage());
    }
}
