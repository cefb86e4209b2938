/**
 * COLO checkpoint latency (issue 5): JMH benchmarks of the primary's pause, the round trip to a real
 * secondary process over loopback TCP, the secondary's apply and the dirty-log scan, the memcpy and
 * loopback limits they are judged against, and {@link dev.twinstep.benchmarks.checkpoint.CheckpointReport},
 * which turns a JSON result file into a chart and a table with the targets' verdicts. See
 * {@code benchmarks/README.md} and {@code benchmarks/scripts/checkpoint-chart.sh}.
 */
package dev.twinstep.benchmarks.checkpoint;
