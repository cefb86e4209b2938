package dev.twinstep.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldAskForADemoNameWhenNoneIsGiven() {
        assertEquals(2, run("demo"));
        assertTrue(errors().contains("twinstep demo failover"), errors());
    }

    @Test
    void shouldRefuseZeroKillsWithStatusTwoBeforeStartingAnything() {
        assertEquals(2, run("demo", "failover", "--kills", "0"));
        assertTrue(errors().startsWith("twinstep: error: --kills"), errors());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseAKillWindowThatEndsBeforeItStarts() {
        assertEquals(2, run("demo", "failover", "--kill-after", "6s-2s"));
        assertTrue(errors().contains("--kill-after"), errors());
    }

    @Test
    void shouldRefuseAMixWithoutPuts() {
        assertEquals(2, run("demo", "failover", "--mix", "incr=100"));
        assertTrue(errors().contains("--mix"), errors());
    }

    @Test
    void shouldListTheFailoverDemoInTheHelp() {
        assertEquals(0, run("demo", "failover", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--kills") && help.contains("--json") && help.contains("--seed"), help);
    }
}
