package dev.cordon.internal.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The plan daemon's wire format. A connection is one conversation about one runner call; each message is
 * a frame: a 4-byte big-endian length, then that many bytes of UTF-8 strings, each ended by a NUL byte.
 * Lists inside a message are a decimal count followed by that many strings.
 *
 * <p>Client to daemon:
 * <ul>
 *   <li>{@code RUN pid cwd n arg... m KEY=VALUE...}: the runner's call; {@code pid} is the client's, whose
 *       descriptors 1 and 2 the daemon opens through {@code /proc} to write Cargo's streams itself.
 *   <li>{@code STARTED pid stdoutFd stderrFd}: the client started the plan as {@code pid}; the daemon reads
 *       its output from the client's descriptors (read ends of two pipes). Or {@code FAILED message}.
 *   <li>{@code EXITED status}: the plan's process ended ({@code 128 + n} for signal {@code n}).
 * </ul>
 * Daemon to client:
 * <ul>
 *   <li>{@code EXEC cwd n argv... m KEY=VALUE... k (R|I|U number source)... j cgroup.procs... nofile}: start
 *       this, stdin on {@code /dev/null}, stdout and stderr on fresh pipes; {@code R} opens file {@code source}
 *       for reading at {@code number}, {@code I} passes the client's own descriptor {@code source} as
 *       {@code number}, {@code U} connects to the Unix socket at the absolute path {@code source} (a network-
 *       route plan's supervisor) and passes the connection as {@code number}. Between fork and exec the child writes its pid to each {@code cgroup.procs} file and
 *       sets {@code RLIMIT_NOFILE} to {@code nofile} ({@code -1}: unchanged); a failure is {@code FAILED}.
 *   <li>{@code KILL}: kill the started process now (a limit or a refused directive).
 *   <li>{@code DONE code}: the call is over; exit with {@code code}. Everything the runner had to say was
 *       written to the client's stdout and stderr already.
 *   <li>{@code FALLBACK reason}: the daemon cannot answer; run the JVM runner instead.
 * </ul>
 */
public final class DaemonProtocol {
    /** The largest message either side accepts. */
    public static final int MAX_MESSAGE = 16 << 20;

    private DaemonProtocol() {
    }

    /**
     * @param fields the strings (none may contain NUL)
     * @return the encoded message
     */
    public static byte[] encode(List<String> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : fields) {
            if (field.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a daemon message field contains NUL: " + field);
            }
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * @param bytes an encoded message
     * @return its strings
     */
    public static List<String> decode(byte[] bytes) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                fields.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start != bytes.length) {
            throw new IllegalArgumentException("a daemon message ends without NUL");
        }
        return fields;
    }

    /**
     * Writes one frame.
     *
     * @param channel the connection
     * @param fields the message
     * @throws IOException when writing fails
     */
    public static void send(SocketChannel channel, List<String> fields) throws IOException {
        byte[] body = encode(fields);
        ByteBuffer buffer = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
        synchronized (channel) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /**
     * Reads one frame.
     *
     * @param channel the connection
     * @return the message's strings, or empty at the end of the conversation
     * @throws IOException when reading fails, the frame is cut short or too large
     */
    public static java.util.Optional<List<String>> receive(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!fill(channel, header, true)) {
            return java.util.Optional.empty();
        }
        int length = header.flip().getInt();
        if (length < 0 || length > MAX_MESSAGE) {
            throw new IOException("daemon message of " + length + " bytes (at most " + MAX_MESSAGE + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        fill(channel, body, false);
        return java.util.Optional.of(decode(body.array()));
    }

    private static boolean fill(SocketChannel channel, ByteBuffer buffer, boolean endAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new IOException("the daemon connection ended inside a message");
            }
        }
        return true;
    }

    /**
     * Appends a counted list.
     *
     * @param fields where to append
     * @param items the list
     */
    public static void addList(List<String> fields, List<String> items) {
        fields.add(Integer.toString(items.size()));
        fields.addAll(items);
    }

    /**
     * Appends a counted list of {@code KEY=VALUE} strings.
     *
     * @param fields where to append
     * @param environment the map
     */
    public static void addEnvironment(List<String> fields, Map<String, String> environment) {
        fields.add(Integer.toString(environment.size()));
        environment.forEach((k, v) -> fields.add(k + "=" + v));
    }

    /** Reads fields in order; every read checks that the message is long enough. */
    public static final class Reader {
        private final List<String> fields;
        private int next;

        /** @param fields a decoded message */
        public Reader(List<String> fields) {
            this.fields = fields;
        }

        /** {@return whether another field follows} */
        public boolean hasNext() {
            return next < fields.size();
        }

        /** {@return the next string} */
        public String next() {
            if (next >= fields.size()) {
                throw new IllegalArgumentException("daemon message too short (" + fields.size() + " fields)");
            }
            return fields.get(next++);
        }

        /** {@return the next string as a number} */
        public int number() {
            return Integer.parseInt(next());
        }

        /** {@return the next counted list} */
        public List<String> list() {
            int n = number();
            if (n < 0 || n > fields.size() - next) {
                throw new IllegalArgumentException("daemon message list of " + n + " does not fit");
            }
            List<String> items = fields.subList(next, next + n);
            next += n;
            return List.copyOf(items);
        }

        /** {@return the next counted list of {@code KEY=VALUE} strings, as a map} */
        public Map<String, String> environment() {
            Map<String, String> env = new java.util.TreeMap<>();
            for (String item : list()) {
                int eq = item.indexOf('=');
                if (eq > 0) {
                    env.put(item.substring(0, eq), item.substring(eq + 1));
                }
            }
            return env;
        }
    }
}
