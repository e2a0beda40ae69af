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
 * The plan daemon's wire format: one request, then one response, per connection. A message is a list of
 * UTF-8 strings, each ended by a NUL byte; the sender half-closes the connection after it. Lists inside a
 * message are a decimal count followed by that many strings.
 *
 * <ul>
 *   <li>{@code RUN cwd n arg... m KEY=VALUE...}: the runner's arguments, environment and working directory.
 *   <li>{@code EXEC token report cwd n argv... m KEY=VALUE... k (R|I number source)... stdout stderr}: run
 *       this; {@code R} opens file {@code source} for reading at {@code number}, {@code I} passes the
 *       client's own descriptor {@code source} as {@code number}; {@code report} is 1 when the client must
 *       send a {@code REPORT} after every run (run listeners), else only after a failure; stdout and stderr
 *       are the runner's messages to print first.
 *   <li>{@code FALLBACK reason}: run the JVM runner instead (it reports errors properly).
 *   <li>{@code REPORT token status elapsedMillis n line...}: how the run ended; answered by {@code TEXT text},
 *       the runner's failure message to print on stderr.
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
     * Writes a message and half-closes the channel.
     *
     * @param channel the connection
     * @param fields the message
     * @throws IOException when writing fails
     */
    public static void send(SocketChannel channel, List<String> fields) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(encode(fields));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.shutdownOutput();
    }

    /**
     * Reads a message up to the peer's half-close.
     *
     * @param channel the connection
     * @return the message's strings
     * @throws IOException when reading fails or the message is too large
     */
    public static List<String> receive(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            if (out.size() > MAX_MESSAGE) {
                throw new IOException("daemon message larger than " + MAX_MESSAGE + " bytes");
            }
        }
        return decode(out.toByteArray());
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
