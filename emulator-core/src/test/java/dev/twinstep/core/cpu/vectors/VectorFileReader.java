package dev.twinstep.core.cpu.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** Reads the vector directory: its per-form JSON-lines files and the undefined-flags masks. */
final class VectorFileReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;

    VectorFileReader(Path directory) {
        this.directory = directory;
    }

    /** Form name -> FLAGS bits the form leaves undefined, in the files' order of forms. */
    Map<String, Integer> undefinedFlagMasks() {
        try {
            JsonNode masks = JSON.readTree(directory.resolve("flags-mask.json").toFile());
            Map<String, Integer> byForm = new TreeMap<>();
            for (Map.Entry<String, JsonNode> entry : masks.properties()) {
                byForm.put(entry.getKey(), entry.getValue().intValue());
            }
            return byForm;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read flags-mask.json in " + directory, e);
        }
    }

    /** Every test of one form, in file order. */
    List<VectorCase> readForm(String form) {
        Path file = directory.resolve(form + ".jsonl.gz");
        List<VectorCase> cases = new ArrayList<>(300);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    cases.add(parse(form, JSON.readTree(line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vector file " + file, e);
        }
        return cases;
    }

    private static VectorCase parse(String form, JsonNode test) {
        JsonNode initial = test.get("initial");
        JsonNode outcome = test.get("final");
        int[] initialRegisters = new int[VectorCase.REGISTER_NAMES.length];
        int[] finalRegisters = new int[VectorCase.REGISTER_NAMES.length];
        for (int r = 0; r < VectorCase.REGISTER_NAMES.length; r++) {
            JsonNode before = initial.get("regs").get(VectorCase.REGISTER_NAMES[r]);
            if (before == null) {
                throw new IllegalStateException(form + " test " + test.get("idx") + " lacks initial "
                        + VectorCase.REGISTER_NAMES[r]);
            }
            initialRegisters[r] = before.intValue();
            JsonNode after = outcome.get("regs").get(VectorCase.REGISTER_NAMES[r]);
            finalRegisters[r] = after == null ? VectorCase.UNCHANGED : after.intValue();
        }
        JsonNode exception = test.get("exception");
        return new VectorCase(form, test.get("idx").intValue(), test.get("name").asText(),
                intArray(test.get("bytes")), initialRegisters, pairs(initial.get("ram")), finalRegisters,
                pairs(outcome.get("ram")), exception == null ? VectorCase.NO_EXCEPTION : exception.get("number").intValue());
    }

    private static int[] intArray(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }

    /** {@code [[address, byte], ...]} as two parallel arrays. */
    private static int[][] pairs(JsonNode array) {
        int[][] split = new int[2][array.size()];
        for (int i = 0; i < array.size(); i++) {
            split[0][i] = array.get(i).get(0).intValue();
            split[1][i] = array.get(i).get(1).intValue();
        }
        return split;
    }
}
