package dev.twinstep.tools.kv;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code twinstep kv-client}: a checked load against the kvstore guest's UDP service. Exit status
 * 0 when every answer agreed with the model, 1 when one contradicted it, 4 when the service never
 * answered, 2 for bad options.
 */
@Command(name = "kv-client", mixinStandardHelpOptions = true,
        description = "Send a checked PUT/GET/INCR/DEL load to the kvstore guest over UDP.")
public final class KvClientCommand implements Callable<Integer> {
    /** Exit status when an answer contradicted the model. */
    public static final int CONTRADICTION = 1;
    /** Exit status when no request was answered at all. */
    public static final int NO_ANSWER = 4;

    private final OutputStream stdout;
    private final PrintStream stderr;

    @Spec
    CommandSpec spec;

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9000",
            converter = TargetConverter.class, description = "The service (default: ${DEFAULT-VALUE}).")
    InetSocketAddress target;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent client ids, one thread each (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", paramLabel = "N", description = "Requests per client (default 1000 unless --duration is given).")
    Long requests;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Run for this long instead of a request count: 500ms, 10s, 5m, 2h.")
    Duration duration;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "200ms", converter = DurationConverter.class,
            description = "Reply timeout per attempt (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--retries", defaultValue = "10", description = "Resends (same seq) before giving a request up (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--mix", defaultValue = "incr=50,put=30,get=15,del=5",
            description = "Operation weights (default: ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed of the operation mix; 0 picks one from the clock. Client ids are always fresh.")
    long seed;

    /** Writes the summary to {@code stdout} and problems to {@code stderr}. */
    public KvClientCommand(OutputStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || retries < 0 || timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--clients must be >= 1, --retries >= 0, --timeout > 0");
        }
        if (requests != null && duration != null) {
            throw new ParameterException(spec.commandLine(), "give --requests or --duration, not both");
        }
        if (requests != null && requests < 1) {
            throw new ParameterException(spec.commandLine(), "--requests must be >= 1");
        }
        KvLoad.Mix weights;
        try {
            weights = KvLoad.Mix.parse(mix);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--mix: " + e.getMessage());
        }
        long perClient = duration != null ? 0 : requests != null ? requests : 1000;
        long effectiveSeed = seed != 0 ? seed : System.nanoTime();
        KvLoad.Config config = new KvLoad.Config(target, clients, perClient, duration, (int) timeout.toMillis(),
                retries + 1, weights, effectiveSeed);
        KvLoad.Report report;
        try {
            report = KvLoad.run(config);
        } catch (KvLoad.KvLoadException e) {
            stderr.println("kv-client: error: " + e.getMessage());
            return CONTRADICTION;
        }
        stdout.write(("kv-client: " + target.getHostString() + ":" + target.getPort() + ", " + clients
                + " clients, seed " + effectiveSeed + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        stdout.write(report.summary().getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        if (report.contradictions() > 0) {
            stderr.println("kv-client: " + report.contradictions() + " answers contradict the model");
            return CONTRADICTION;
        }
        if (report.acknowledged() == 0) {
            stderr.println("kv-client: the service at " + target + " never answered");
            return NO_ANSWER;
        }
        return 0;
    }

    /** Parses {@code HOST:PORT}. */
    static final class TargetConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
            }
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return new InetSocketAddress(value.substring(0, colon), port);
        }
    }

    /** Parses {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = FORMAT.matcher(value.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("expected a time like 500ms, 10s, 5m or 2h, got '" + value + "'");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
