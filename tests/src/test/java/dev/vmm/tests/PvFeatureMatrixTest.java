package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vmm test}: every PV feature on, off and off with kvm-pv-enforce-cpuid, proven from inside
 * the test kernel; and {@code vmm run --pv-report}: the host's view of kvmclock agrees with the guest's.
 */
class PvFeatureMatrixTest {

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    @Test
    void everyCellPassesOrIsAnExplainedSkip() throws Exception {
        VmmProcess r = VmmProcess.run("test", "--smp", "2", "--json", "--kernel", RequiresKvm.testKernel().toString());
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertEquals(1, doc.path("version").asInt(), "the JSON's version\n" + r);
        List<String> cells = new ArrayList<>();
        int pass = 0;
        for (JsonNode c : doc.path("cells")) {
            String feature = c.path("feature").asText();
            String where = feature + " " + c.path("config").asText() + " (-cpu " + c.path("cpu").asText() + ")";
            cells.add(where);
            String reason = c.path("reason").asText();
            switch (c.path("status").asText()) {
                case "pass" -> pass++;
                case "skip" -> assertFalse(reason.isBlank(), "a skip says why: " + where + "\n" + r);
                default -> fail(where + ": " + c.path("status").asText() + ": " + reason + "\n" + r);
            }
            assertTrue(c.path("seconds").asDouble() > 0, "each cell's wall time: " + where + "\n" + r);
        }
        long features = cells.stream().map(c -> c.substring(0, c.indexOf(' '))).distinct().count();
        assertTrue(features >= 13, "every PV feature the kernel checks has a row\n" + r);
        assertEquals(features * 3, cells.size(), "features x (on, off, off+enforce)\n" + r);
        for (String f : List.of("kvm-nopiodelay", "kvm-msi-ext-dest-id", "kvm-pv-unhalt", "kvm-steal-time",
                "kvm-pv-tlb-flush", "kvmclock")) {
            assertTrue(cells.stream().anyMatch(c -> c.startsWith(f + " ")), f + " has a row\n" + r);
        }
        assertTrue(pass >= 3 * 3, "at least kvmclock, pv-eoi and poll-control are provable on any KVM ≥ 5.10\n" + r);
        assertTrue(cells.contains("kvmclock off+enforce (-cpu host,-kvmclock,kvm-pv-enforce-cpuid)"), r.toString());
        // progress on stderr, one line per cell, as it happens
        assertEquals(cells.size(), r.stderr().lines().filter(l -> l.startsWith("vmm test: ")).count(), r.toString());
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void ownCellsFromAConfigFileJoinTheJsonAndJunitReports(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("cells.json"), """
                {"cells": [{"feature": "kvmclock", "cpu": "host,-kvmclock,kvm-pv-enforce-cpuid", "name": "no clock", "smp": 1}]}
                """);
        java.nio.file.Path junit = dir.resolve("report.xml");
        VmmProcess r = VmmProcess.run("test", "--json", "--config", config.toString(), "--junit", junit.toString(),
                "--kernel", RequiresKvm.testKernel().toString());
        assertEquals(0, r.status(), r.toString());
        JsonNode cells = new ObjectMapper().readTree(r.stdout()).path("cells");
        assertEquals(1, cells.size(), "only the file's cell: no --feature\n" + r);
        assertEquals("no clock", cells.get(0).path("config").asText(), r.toString());
        assertEquals("pass", cells.get(0).path("status").asText(), r.toString());
        org.w3c.dom.Document xml = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(junit.toFile());
        org.w3c.dom.Element suite = xml.getDocumentElement();
        assertEquals("1", suite.getAttribute("tests"));
        assertEquals("0", suite.getAttribute("failures"));
        org.w3c.dom.Element testcase = (org.w3c.dom.Element) suite.getElementsByTagName("testcase").item(0);
        assertEquals("no clock (-cpu host,-kvmclock,kvm-pv-enforce-cpuid)", testcase.getAttribute("name"));
        assertTrue(testcase.getElementsByTagName("system-out").item(0).getTextContent().contains(PvCheck.KVMCLOCK.description()),
                "the guest's serial log is the case's system-out");
    }

    @Test
    void hostViewOfKvmclockMatchesTheGuest() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--pv-report", "--append", "pvtest.leave-msrs=1");
        assertEquals(0, r.status(), r.toString());
        Matcher guest = Pattern.compile("^# kvmclock msr=0x4b564d01 gpa=(0x[0-9a-f]+) version=(\\d+)", Pattern.MULTILINE)
                .matcher(r.stdout());
        assertTrue(guest.find(), "the guest printed its kvmclock registration\n" + r);
        Matcher host = Pattern.compile(
                "^# host: vcpu 0 MSR_KVM_SYSTEM_TIME_NEW=(0x[0-9a-f]+) \\(gpa=(0x[0-9a-f]+) kvmclock version=(\\d+) system_time=(\\d+)",
                Pattern.MULTILINE).matcher(r.stdout());
        assertTrue(host.find(), "the host decoded vCPU 0's kvmclock\n" + r);
        assertEquals(guest.group(1), host.group(2), "same GPA\n" + r);
        assertEquals(Long.decode(guest.group(1)) | 1, Long.decode(host.group(1)), "MSR = GPA | enable\n" + r);
        long version = Long.parseLong(host.group(3));
        assertEquals(0, version % 2, "even version: KVM is not mid-update\n" + r);
        assertTrue(version >= Long.parseLong(guest.group(2)), "the host sees the guest's version or a later one\n" + r);
        assertTrue(Long.parseLong(host.group(4)) > 0, r.toString());
        // Every vCPU reports every PV MSR: read, or reported as unsupported.
        for (int cpu = 0; cpu < 2; cpu++) {
            assertTrue(r.stdout().contains("# host: vcpu " + cpu + " MSR_KVM_POLL_CONTROL"), r.toString());
        }
    }
}
