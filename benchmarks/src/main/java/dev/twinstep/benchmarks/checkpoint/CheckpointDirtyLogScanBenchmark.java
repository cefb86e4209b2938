package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.benchmarks.DirtyLogBenchmark;

/**
 * The dirty-log scan cost per GiB of guest RAM (issue 5), so that it runs with the other checkpoint
 * benchmarks ({@code benchmarks.jar Checkpoint}): {@link DirtyLogBenchmark} as it is, whose 1024 MiB
 * rows are the cost of one take-and-clear per GiB. The REPLICATION client a checkpoint takes uses the
 * same code as the MIGRATION client measured there.
 */
public class CheckpointDirtyLogScanBenchmark extends DirtyLogBenchmark {
}
