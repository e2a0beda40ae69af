package dev.cordon.internal.policy.reading;

import dev.cordon.Route;
import dev.cordon.internal.policy.evaluation.BuildScriptEnvironment;
import dev.cordon.internal.policy.model.Durations;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.model.Sizes;
import dev.cordon.internal.text.Suggestions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The value rules of the policy schema, as plain functions: each returns the problem with a value, or
 * empty when it is fine. Messages are predicates about the value (the caller quotes the value in front).
 */
public final class ValueChecks {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern ENV_GLOB = Pattern.compile("[A-Za-z_*][A-Za-z0-9_*]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Layers a policy may name in {@code [sandbox] layers}. */
    public static final List<String> LAYERS = List.of(PolicyModel.SECCOMP_LAYER);
    /** Values of {@code action}. */
    public static final List<String> ACTIONS = List.of("deny", "permit");
    /** Values of {@code source}. */
    public static final List<String> SOURCES = List.of("read-only", "copy");

    private ValueChecks() {
    }

    /**
     * A problem with one value.
     *
     * @param message what is wrong, e.g. "has no port"
     * @param fix how to fix it
     */
    public record Problem(String message, String fix) {
    }

    /** The kinds of value the schema checks. */
    public enum Kind {
        /** {@code [sandbox] backend}. */
        BACKEND,
        /** An element of {@code [sandbox] layers}. */
        LAYER,
        /** {@code action} of network-access or filesystem-access. */
        ACTION,
        /** An element of {@code routes}. */
        ROUTE,
        /** {@code timeout} and {@code idle-timeout}. */
        DURATION,
        /** {@code source}. */
        SOURCE,
        /** {@code live-log}: {@code "stderr"} or a file path. */
        LIVE_LOG,
        /** {@code syscalls.profile}. */
        PROFILE,
        /** An element of {@code syscalls.deny} or {@code syscalls.allow}. */
        SYSCALL,
        /** An element of {@code env.pass}. */
        ENV_PASS,
        /** An element of {@code env.drop}. */
        ENV_DROP,
        /** A key of {@code env.set}. */
        ENV_NAME,
        /** An element of {@code paths}, {@code read} or {@code hide}. */
        PATH,
        /** An element of {@code directives.allow}. */
        DIRECTIVE,
        /** {@code limits.processes}: a count or {@code "unlimited"}. */
        PROCESSES,
        /** {@code limits.memory}: a size or {@code "unlimited"}. */
        MEMORY,
        /** {@code limits.open-files}: a count or {@code "unlimited"}. */
        OPEN_FILES,
        /** {@code limits.output}: a size or {@code "unlimited"}. */
        OUTPUT
    }

    /** The value of a limit that switches it off. */
    public static final String UNLIMITED = "unlimited";

    /**
     * The smallest and largest value of each limit: below the minimum even the sandbox's own start-up
     * (bwrap, a shell) fails, which would look like a broken build rather than a limit.
     */
    private static final long[][] LIMIT_RANGE = {{8, 4_194_304}, {32L << 20, 1L << 60}, {16, 1L << 30},
            {1L << 10, 1L << 60}};

    /**
     * Checks one value.
     *
     * @param kind what the value is
     * @param value the value: a String, or for {@link Kind#DURATION} a String or a Number
     * @return the problem, or empty
     */
    public static Optional<Problem> check(Kind kind, Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (kind == Kind.DURATION) {
            return duration(value);
        }
        if (kind == Kind.PROCESSES || kind == Kind.MEMORY || kind == Kind.OPEN_FILES || kind == Kind.OUTPUT) {
            return limit(kind, value);
        }
        String text = value.toString();
        return switch (kind) {
            case BACKEND -> ID.matcher(text).matches() ? none() : problem("is not a backend id",
                    "write \"auto\", \"none\" or a backend id of lower-case letters, digits and '-', e.g. \"bwrap\"");
            case LAYER -> oneOf(text, LAYERS, "is not a sandbox layer");
            case ACTION -> oneOf(text, ACTIONS, "is not an action");
            case SOURCE -> oneOf(text, SOURCES, "is not a source mode");
            case LIVE_LOG -> text.isBlank() || text.indexOf('\0') >= 0 || text.indexOf('\n') >= 0
                    ? problem("is not a live-log sink", "write \"tty\", \"stderr\", an absolute file path, or a path "
                            + "relative to the target dir, e.g. \"cordon/live.log\"")
                    : none();
            case PROFILE -> ID.matcher(text).matches() ? none() : problem("is not a syscall profile id",
                    "write \"default\", \"off\" or a profile id of lower-case letters, digits and '-'");
            case SYSCALL -> SYSCALL.matcher(text).matches() ? none() : problem("is not a syscall name",
                    "write the name as in the kernel's syscall table, e.g. \"keyctl\"");
            case ENV_PASS -> ENV_GLOB.matcher(text).matches() ? none() : problem("is not a variable name or glob",
                    "use letters, digits, '_' and '*' only, e.g. \"CC_*\"");
            case ENV_DROP -> envDrop(text);
            case ENV_NAME -> ENV_NAME.matcher(text).matches() ? none() : problem("is not a variable name",
                    "use letters, digits and '_' only, not starting with a digit");
            case ROUTE -> route(text);
            case PATH -> path(text);
            case DIRECTIVE -> dev.cordon.internal.directives.DirectiveAllowList.problem(text)
                    .map(p -> new Problem(p, "write a directive as printed after cargo:: (KEY=VALUE), e.g."
                            + " \"rustc-link-arg=-fuse-ld=lld\"; a trailing '*' matches a prefix"));
            case DURATION, PROCESSES, MEMORY, OPEN_FILES, OUTPUT -> none();
        };
    }

    private static Optional<Problem> envDrop(String text) {
        if (!ENV_GLOB.matcher(text).matches()) {
            return problem("is not a variable name or glob", "use letters, digits, '_' and '*' only, e.g. \"FOO_*\"");
        }
        if (BuildScriptEnvironment.isCargoVariable(text)) {
            return problem("is set by Cargo for every build script and cannot be dropped",
                    "remove it from drop; use env.set to override its value instead");
        }
        return none();
    }

    private static Optional<Problem> oneOf(String text, List<String> allowed, String what) {
        if (allowed.contains(text)) {
            return none();
        }
        String choices = String.join(" or ", allowed.stream().map(a -> "\"" + a + "\"").toList());
        String hint = Suggestions.nearest(text, allowed).map(s -> "did you mean \"" + s + "\"? ").orElse("");
        return problem(what, hint + "write " + choices);
    }

    private static Optional<Problem> duration(Object value) {
        Optional<java.time.Duration> d;
        if (value instanceof Number n) {
            if (!(value instanceof Long || value instanceof Integer)) {
                return problem("is not a whole number of seconds", "write an integer of seconds or e.g. \"500ms\"");
            }
            d = Durations.ofSeconds(n.longValue());
        } else {
            String text = value.toString().strip();
            if (text.startsWith("-") && Durations.parse(text.substring(1)).isPresent()) {
                return problem("must be positive", "write a duration greater than zero, e.g. \"10m\"");
            }
            d = Durations.parse(text);
        }
        if (d.isEmpty()) {
            return problem("is not a duration of at most a year", "write e.g. \"500ms\", \"90s\", \"10m\", \"1h\" or"
                    + " an integer of seconds");
        }
        if (d.get().isZero() || d.get().isNegative()) {
            return problem("must be positive", "write a duration greater than zero, e.g. \"10m\"");
        }
        return none();
    }

    /**
     * {@return the bytes or count of a valid limit value, {@link Rules#UNLIMITED} for "unlimited"}
     *
     * @param kind the limit's kind
     * @param value a Long or a String that passed {@link #check}
     */
    static long limitValue(Kind kind, Object value) {
        if (value instanceof Long n) {
            return n;
        }
        String text = value.toString().strip();
        if (text.equals(UNLIMITED)) {
            return Rules.UNLIMITED;
        }
        return kind == Kind.MEMORY || kind == Kind.OUTPUT ? Sizes.parse(text).orElseThrow() : Long.parseLong(text);
    }

    private static Optional<Problem> limit(Kind kind, Object value) {
        boolean size = kind == Kind.MEMORY || kind == Kind.OUTPUT;
        String example = size ? "write a size with a binary unit, e.g. \"512MiB\" or \"4GiB\", a whole number of"
                + " bytes, or \"unlimited\"" : "write a whole number, e.g. 256, or \"unlimited\"";
        long n;
        if (value instanceof Long l) {
            n = l;
        } else if (value instanceof Number) {
            return problem("is not a whole number", example);
        } else {
            String text = value.toString().strip();
            if (text.equals(UNLIMITED)) {
                return none();
            }
            Optional<Long> parsed = size ? Sizes.parse(text) : Optional.ofNullable(
                    text.matches("[0-9]{1,18}") ? Long.parseLong(text) : null);
            if (parsed.isEmpty()) {
                if (size && text.matches("[0-9]+ ?[kKMGT]B?")) {
                    return problem("uses a decimal or ambiguous unit", "write binary units: KiB, MiB, GiB or TiB,"
                            + " e.g. \"4GiB\"");
                }
                return problem(size ? "is not a size" : "is not a count", example);
            }
            n = parsed.get();
        }
        long[] range = LIMIT_RANGE[kind.ordinal() - Kind.PROCESSES.ordinal()];
        if (n < range[0] || n > range[1]) {
            String low = size ? Sizes.format(range[0]) : Long.toString(range[0]);
            String high = size ? Sizes.format(range[1]) : Long.toString(range[1]);
            return problem("is outside " + low + ".." + high, "write a value in that range, or \"unlimited\"");
        }
        return none();
    }

    private static Optional<Problem> route(String text) {
        if (Route.parse(text).isPresent()) {
            return none();
        }
        String example = "write host:port, e.g. \"127.0.0.1:5432\", \"localhost:5432\" or \"[::1]:80\"";
        int colon = text.startsWith("[") ? text.indexOf("]:") + 1 : text.lastIndexOf(':');
        if (colon <= 0) {
            return problem("has no port", example);
        }
        if (!text.startsWith("[") && text.indexOf(':') != colon) {
            return problem("is an IPv6 address without brackets", "write it as \"[address]:port\", e.g. \"[::1]:80\"");
        }
        String port = text.substring(colon + 1);
        if (!port.isEmpty() && port.length() < 10 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return problem("has port " + port + ", which is not between 1 and 65535", example);
        }
        return problem("is not a route", example);
    }

    /**
     * Checks a path of {@code filesystem-access}.
     *
     * @param text the path as written
     * @return the problem, or empty
     */
    static Optional<Problem> path(String text) {
        if (text.isEmpty()) {
            return problem("is an empty path", "write a path, e.g. \"$OUT_DIR\" or \"data/db.sqlite\"");
        }
        if (text.indexOf('\0') >= 0) {
            return problem("contains a NUL character", "remove it");
        }
        if (text.startsWith("~")) {
            return problem("starts with '~', which is not expanded", "write $HOME instead of ~");
        }
        PathSpec.Parts parts = PathSpec.split(text);
        try {
            if (parts.variable() != null) {
                if (parts.variable().startsWith("?")) {
                    return problem("has a malformed variable", "write $NAME/rest or ${NAME}/rest, e.g. \"$OUT_DIR/gen\"");
                }
                if (!PathSpec.ALL_VARIABLES.contains(parts.variable())) {
                    String near = Suggestions.nearest(parts.variable(), PathSpec.ALL_VARIABLES)
                            .map(s -> "did you mean $" + s + "? ").orElse("");
                    return problem("uses unknown variable $" + parts.variable(), near + "known variables: $"
                            + String.join(", $", PathSpec.ALL_VARIABLES));
                }
                if (parts.rest().indexOf('$') >= 0) {
                    return problem("has a variable after the start", "variables may only start a path");
                }
                if (Path.of(parts.rest()).normalize().startsWith("..")) {
                    return problem("climbs above $" + parts.variable() + " with '..'",
                            "remove the '..' so the path stays inside $" + parts.variable());
                }
                return none();
            }
            if (text.indexOf('$') >= 0) {
                return problem("has a variable after the start", "variables may only start a path");
            }
            if (text.startsWith("/")) {
                String trimmed = PathSpec.trimSlashes(text);
                String normal = Path.of(trimmed).normalize().toString();
                if (!normal.equals(trimmed)) {
                    return problem("is not normalised", "write \"" + normal + "\"");
                }
                return none();
            }
            if (Path.of(text).normalize().startsWith("..")) {
                return problem("climbs above the policy file's folder with '..'",
                        "write an absolute path, or a path starting with a variable such as $WORKSPACE_ROOT");
            }
            return none();
        } catch (InvalidPathException e) {
            return problem("is not a valid path: " + e.getReason(), "write a plain file system path");
        }
    }

    private static Optional<Problem> none() {
        return Optional.empty();
    }

    private static Optional<Problem> problem(String message, String fix) {
        return Optional.of(new Problem(message, fix));
    }
}
