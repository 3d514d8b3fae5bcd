package dev.vmm.pvtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.List;

/**
 * {@code vmm test --json}: the matrix as one JSON document written by Jackson, every key in
 * camelCase. {@code version} changes only when a key is removed or changes meaning, so scripts
 * can refuse a document they do not understand.
 */
public final class MatrixJson {
    static final int VERSION = 1;

    private MatrixJson() {
    }

    /** The document's shape; Jackson writes a record's components in declaration order. */
    record Document(int version, String hostPvEax, boolean kvmPvm, boolean hostClockStable, List<CellJson> cells) {
    }

    /** One cell; the guest's serial log is left out (it is in the JUnit XML's system-out). */
    record CellJson(String feature, String config, String cpu, String status, String reason, double seconds) {
    }

    public static String of(List<Cell> cells, int hostPvEax, boolean kvmPvm, boolean hostClockStable) {
        List<CellJson> rows = cells.stream().map(c -> new CellJson(c.feature().qemuName(), c.config(), c.cpu(),
                c.verdict().label(), c.reason(), Math.round(c.seconds() * 1000) / 1000.0)).toList();
        Document d = new Document(VERSION, "0x" + Integer.toHexString(hostPvEax), kvmPvm, hostClockStable, rows);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the matrix could not be written as JSON", e); // records of strings: cannot happen
        }
    }
}
