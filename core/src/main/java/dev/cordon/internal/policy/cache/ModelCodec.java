package dev.cordon.internal.policy.cache;

import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.SourceMode;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The compiled form of a {@link PolicyModel}: a small binary encoding written with
 * {@link DataOutputStream}. Reading it needs no TOML or validation classes, which is the point.
 */
public final class ModelCodec {
    /** Bump when the encoding or the model's meaning changes; old cache entries are then ignored. */
    public static final int FORMAT_VERSION = 3;
    private static final int MAGIC = 0x43524450;
    private static final int MAX_STRING = 1 << 20;
    private static final int MAX_COUNT = 1 << 16;

    private ModelCodec() {
    }

    /**
     * {@return the encoded model}
     *
     * @param model a validated model
     */
    public static byte[] encode(PolicyModel model) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeString(out, model.backend());
            writeStrings(out, model.layers());
            writeSection(out, model.build());
            out.writeBoolean(model.macro().isPresent());
            if (model.macro().isPresent()) {
                writeSection(out, model.macro().get());
            }
            out.writeBoolean(model.run().isPresent());
            if (model.run().isPresent()) {
                writeSection(out, model.run().get());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a model.
     *
     * @param in the encoded bytes
     * @return the model
     * @throws IOException when the bytes are not a model of this format version
     */
    public static PolicyModel decode(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC || in.readInt() != FORMAT_VERSION) {
            throw new IOException("not a compiled policy of format " + FORMAT_VERSION);
        }
        try {
            String backend = readString(in);
            List<String> layers = readStrings(in);
            PolicyModel.Section build = readSection(in);
            Optional<PolicyModel.Section> macro = in.readBoolean() ? Optional.of(readSection(in)) : Optional.empty();
            Optional<PolicyModel.Section> run = in.readBoolean() ? Optional.of(readSection(in)) : Optional.empty();
            return new PolicyModel(backend, layers, build, macro, run);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("corrupt compiled policy", e);
        }
    }

    private static void writeSection(DataOutputStream out, PolicyModel.Section section) throws IOException {
        writeRules(out, section.defaults());
        out.writeInt(section.crates().size());
        for (Map.Entry<String, Rules> e : section.crates().entrySet()) {
            writeString(out, e.getKey());
            writeRules(out, e.getValue());
        }
    }

    private static PolicyModel.Section readSection(DataInputStream in) throws IOException {
        Rules defaults = readRules(in);
        int n = count(in);
        Map<String, Rules> crates = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            crates.put(readString(in), readRules(in));
        }
        return new PolicyModel.Section(defaults, crates);
    }

    private static void writeRules(DataOutputStream out, Rules r) throws IOException {
        if (r.network().isEmpty()) {
            out.writeByte(0);
        } else {
            NetworkAccess n = r.network().get();
            out.writeByte(1 + n.mode().ordinal());
            out.writeInt(n.routes().size());
            for (Route route : n.routes()) {
                writeString(out, route.host());
                out.writeInt(route.port());
            }
        }
        writePaths(out, r.write());
        writePaths(out, r.read());
        writePaths(out, r.hide());
        writeStrings(out, r.envPass());
        writeStrings(out, r.envDrop());
        out.writeInt(r.envSet().size());
        for (Map.Entry<String, String> e : r.envSet().entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
        writeDuration(out, r.timeout());
        writeDuration(out, r.idleTimeout());
        out.writeByte(r.source().map(s -> s.ordinal() + 1).orElse(0));
        out.writeBoolean(r.liveLog().isPresent());
        if (r.liveLog().isPresent()) {
            writeString(out, r.liveLog().get());
        }
        out.writeBoolean(r.syscallProfile().isPresent());
        if (r.syscallProfile().isPresent()) {
            writeString(out, r.syscallProfile().get());
        }
        writeStrings(out, r.syscallDeny());
        writeStrings(out, r.syscallAllow());
        writeStrings(out, r.directivesAllow());
        out.writeInt(r.limits().size());
        for (Map.Entry<String, Long> e : r.limits().entrySet()) {
            writeString(out, e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static Rules readRules(DataInputStream in) throws IOException {
        int mode = in.readByte();
        Optional<NetworkAccess> network = Optional.empty();
        if (mode != 0) {
            int n = count(in);
            List<Route> routes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                routes.add(new Route(readString(in), in.readInt()));
            }
            NetworkAccess.Mode[] modes = NetworkAccess.Mode.values();
            if (mode < 1 || mode > modes.length) {
                throw new IOException("bad network mode " + mode);
            }
            network = Optional.of(new NetworkAccess(modes[mode - 1], routes));
        }
        List<PathSpec> write = readPaths(in);
        List<PathSpec> read = readPaths(in);
        List<PathSpec> hide = readPaths(in);
        List<String> pass = readStrings(in);
        List<String> drop = readStrings(in);
        int n = count(in);
        Map<String, String> set = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            set.put(readString(in), readString(in));
        }
        Optional<Duration> timeout = readDuration(in);
        Optional<Duration> idle = readDuration(in);
        int source = in.readByte();
        SourceMode[] sources = SourceMode.values();
        if (source < 0 || source > sources.length) {
            throw new IOException("bad source mode " + source);
        }
        Optional<String> liveLog = in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
        Optional<String> profile = in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
        List<String> syscallDeny = readStrings(in);
        List<String> syscallAllow = readStrings(in);
        List<String> directivesAllow = readStrings(in);
        int limitCount = count(in);
        Map<String, Long> limits = new TreeMap<>();
        for (int i = 0; i < limitCount; i++) {
            limits.put(readString(in), in.readLong());
        }
        return new Rules(network, write, read, hide, pass, drop, set, timeout, idle,
                source == 0 ? Optional.empty() : Optional.of(sources[source - 1]), liveLog, profile, syscallDeny,
                syscallAllow, directivesAllow, limits);
    }

    private static void writeDuration(DataOutputStream out, Optional<Duration> d) throws IOException {
        out.writeBoolean(d.isPresent());
        if (d.isPresent()) {
            out.writeLong(d.get().getSeconds());
            out.writeInt(d.get().getNano());
        }
    }

    private static Optional<Duration> readDuration(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(Duration.ofSeconds(in.readLong(), in.readInt())) : Optional.empty();
    }

    private static void writePaths(DataOutputStream out, List<PathSpec> paths) throws IOException {
        out.writeInt(paths.size());
        for (PathSpec p : paths) {
            writeString(out, p.variable());
            writeString(out, p.rest());
        }
    }

    private static List<PathSpec> readPaths(DataInputStream in) throws IOException {
        int n = count(in);
        List<PathSpec> paths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            paths.add(new PathSpec(readString(in), readString(in)));
        }
        return paths;
    }

    private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String v : values) {
            writeString(out, v);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = count(in);
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(readString(in));
        }
        return values;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new IOException("bad count " + n);
        }
        return n;
    }
}
