package dev.twinstep.tools.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Test
    void shouldParseAnObjectWithEveryKindOfValue() throws Exception {
        Object parsed = Json.parse(" {\"s\": \"a\\\"b\\u0041\\n\", \"i\": -12, \"d\": 1.5e2, \"t\": true, \"f\": false,"
                + " \"n\": null, \"a\": [1, {}], \"o\": {\"k\": []}} ");
        Map<?, ?> map = (Map<?, ?>) parsed;
        assertEquals("a\"bA\n", map.get("s"));
        assertEquals(-12L, map.get("i"));
        assertEquals(150.0, map.get("d"));
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Boolean.FALSE, map.get("f"));
        assertNull(map.get("n"));
        assertEquals(List.of(1L, Map.of()), map.get("a"));
        assertEquals(Map.of("k", List.of()), map.get("o"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "01", "1.", "-", "tru", "\"abc",
        "\"\\x\"", "{} {}", "{\"a\": 1, \"a\": 2}", "{a: 1}", "'x'", "\"tab\there\""})
    void shouldRejectMalformedJson(String text) {
        assertThrows(Json.ParseException.class, () -> Json.parse(text));
    }

    @Test
    void shouldRejectHostileNestingWithoutOverflowingTheStack() {
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100_000)));
    }

    @Test
    void shouldWriteWhatItParsesBackToTheSameValue() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("desc", "quote \" backslash \\ newline \n control \u0001");
        value.put("n", 42L);
        value.put("list", List.of(true, "x"));
        value.put("none", null);
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals("{\"n\": 42}", Json.write(Map.of("n", 42L)));
    }
}
