package dev.twinstep.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The chart is a well-formed SVG with one group per series, a point per median, and a legend entry each. */
class CheckpointChartTest {
    private static final String[] SERIES = {"pause", "round-trip", "apply", "memcpy-limit", "pause-target",
        "loopback-limit", "round-trip-target"};

    private static Document chartOfSmallRun() throws Exception {
        String svg = CheckpointChart.render(CheckpointResults.parse(CheckpointResultsTest.smallRun()));
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element group(Document chart, String id) {
        NodeList groups = chart.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (id.equals(g.getAttribute("id"))) {
                return g;
            }
        }
        throw new AssertionError("no group " + id);
    }

    @Test
    void shouldDrawEverySeriesWithAPointPerDirtyPageCount() throws Exception {
        Document chart = chartOfSmallRun();

        for (String id : SERIES) {
            Element series = group(chart, id);
            int points = series.getElementsByTagName("circle").getLength() + series.getElementsByTagName("path").getLength();
            assertEquals(2, points, id);
        }
        assertEquals(1, group(chart, "pause").getElementsByTagName("polyline").getLength());
        assertEquals(0, group(chart, "round-trip-target").getElementsByTagName("polyline").getLength());
    }

    @Test
    void shouldLabelEachPointWithItsValue() throws Exception {
        Element pause = group(chartOfSmallRun(), "pause");

        String titles = pause.getTextContent();
        assertTrue(titles.contains("0 pages, 5 us"), titles);
        assertTrue(titles.contains("4096 pages, 2.5 ms"), titles);
    }

    @Test
    void shouldNameEverySeriesInTheLegend() throws Exception {
        String legend = group(chartOfSmallRun(), "legend").getTextContent();

        for (String label : new String[] {"primary pause", "round trip", "validate + apply", "memcpy", "1.3 x memcpy + 100 us",
            "loopback", "round-trip targets"}) {
            assertTrue(legend.contains(label), label + " in " + legend);
        }
    }

    @Test
    void shouldPutMoreTimeHigherAndMorePagesFurtherRight() throws Exception {
        Element pause = group(chartOfSmallRun(), "pause");
        NodeList circles = pause.getElementsByTagName("circle");
        Element idle = (Element) circles.item(0);
        Element busy = (Element) circles.item(1);

        assertTrue(Double.parseDouble(busy.getAttribute("cx")) > Double.parseDouble(idle.getAttribute("cx")));
        assertTrue(Double.parseDouble(busy.getAttribute("cy")) < Double.parseDouble(idle.getAttribute("cy")));
    }

    @Test
    void shouldRefuseResultsWithoutCheckpointRows() {
        CheckpointResults none = CheckpointResults.parse("[" + CheckpointResultsTest.row("SnapshotBenchmark.saveToFile",
                "\"ramMiB\":\"64\"", 80, 90, "ms/op") + "]");

        // The round-trip targets alone are no chart of a run.
        assertThrows(IllegalArgumentException.class, () -> CheckpointChart.render(none));
    }
}
