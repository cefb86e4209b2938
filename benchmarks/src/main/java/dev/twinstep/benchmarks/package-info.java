/**
 * JMH benchmarks of Twinstep's hot paths: the interpreter's guest MIPS ({@link
 * dev.twinstep.benchmarks.InterpreterBenchmark}), guest-physical memory stores and DMA ({@link
 * dev.twinstep.benchmarks.GuestMemoryBenchmark}) and the dirty-log drain of a checkpoint ({@link
 * dev.twinstep.benchmarks.DirtyLogBenchmark}).
 *
 * <p>Build and run (the jar's main class, {@link dev.twinstep.benchmarks.BenchmarkMain}, gives every
 * fork the parent pom's {@code twinstep.jvm.flags}; only {@code -f 0} runs in the launching JVM,
 * which then needs those flags itself):
 * <pre>
 * mvn -q -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar                          # everything, annotated defaults
 * java -jar benchmarks/target/benchmarks.jar Interpreter -f 1 -wi 2 -i 3 -w 1s -r 1s
 * java -jar benchmarks/target/benchmarks.jar DirtyLog -p guestMiB=1024 -rf json
 * </pre>
 * The interpreter's figure is the {@code :instructions} row (instructions per second).
 */
package dev.twinstep.benchmarks;
