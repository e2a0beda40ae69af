package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import dev.cordon.internal.policy.reading.binding.RulesTable;
import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.text.Suggestions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Records each unknown key and wrongly typed value Jackson meets as a {@link Finding} at its key path, and
 * skips the value, so that one binding reports every problem. The key path comes from the parser's contexts;
 * the findings list and the key path of the table being bound are attributes of the reader.
 */
final class BindingProblems extends DeserializationProblemHandler {
    /** The reader attribute holding the findings list of one binding. */
    static final String FINDINGS = "cordon.findings";
    /** The reader attribute holding the key path of the table being bound (empty for the whole file). */
    static final String BASE = "cordon.base";

    BindingProblems() {
    }

    /**
     * {@return an unknown key's finding: the nearest known key, and all of them}
     *
     * @param keyPath where
     * @param key the key
     * @param known the keys of that table
     */
    static Finding unknownKey(String keyPath, String key, Collection<String> known) {
        String hint = Suggestions.didYouMean(key, known);
        return new Finding(keyPath, "unknown key '" + key + "'", (hint.isEmpty() ? "remove it." : hint)
                + " Known keys here: " + String.join(", ", known));
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
            Object beanOrClass, String propertyName) throws IOException {
        List<String> path = path(ctxt, p);
        String keyPath = join(path);
        boolean table = p.hasToken(JsonToken.START_OBJECT);
        p.skipChildren();
        List<Finding> findings = findings(ctxt);
        if (beanOrClass instanceof RulesTable) {
            String crate = join(path.subList(0, path.size() - 1));
            if (PolicyKeys.SANDBOX.contains(propertyName)) {
                findings.add(new Finding(keyPath, "'" + propertyName + "' is a [sandbox] key; it cannot be set"
                        + " per crate", "move it to the [sandbox] table, which applies to every crate"));
            } else if (table && Suggestions.nearest(propertyName, PolicyKeys.RULES).isEmpty()) {
                findings.add(new Finding(keyPath, "unknown table '" + propertyName + "' inside crate table ["
                        + crate + "]", "crate tables do not nest; known keys here: " + String.join(", ",
                        PolicyKeys.RULES)));
            } else {
                findings.add(unknownKey(keyPath, propertyName, PolicyKeys.RULES));
            }
            return true;
        }
        List<String> known = deserializer.getKnownPropertyNames().stream().map(String::valueOf)
                .sorted(Comparator.comparingInt(BindingProblems::canonicalOrder)).toList();
        findings.add(unknownKey(keyPath, propertyName, known));
        return true;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t,
            JsonParser p, String failureMsg) throws IOException {
        List<String> path = path(ctxt, p);
        findings(ctxt).add(wrongType(path, ctxt.readValue(p, Object.class), targetType.getRawClass()));
        return null;
    }

    /** Known keys are listed as the policy reference lists them, not in Jackson's order. */
    private static int canonicalOrder(String key) {
        List<String> order = new ArrayList<>(List.of("sandbox", "permissions"));
        order.addAll(PolicyKeys.SANDBOX);
        order.addAll(PolicyKeys.SECTIONS);
        order.addAll(PolicyKeys.RULES);
        PolicyKeys.INNER.values().forEach(order::addAll);
        order.add(PolicyKeys.CRATES);
        int at = order.indexOf(key);
        return at < 0 ? order.size() : at;
    }

    private static Finding wrongType(List<String> path, Object value, Class<?> expected) {
        String keyPath = join(path);
        if (expected == String.class) {
            return new Finding(keyPath, "must be a string, not " + Messages.describe(value), value instanceof Map
                    || value instanceof List ? "write a string in quotes" : "put the value in quotes: "
                    + KeyPath.quote(String.valueOf(value)));
        }
        if (Collection.class.isAssignableFrom(expected)) {
            return new Finding(keyPath, "must be an array of strings, not " + Messages.describe(value),
                    value instanceof String s ? "put it in brackets: [" + KeyPath.quote(s) + "]"
                            : "write e.g. [\"a\", \"b\"]");
        }
        return notATable(path, value);
    }

    private static Finding notATable(List<String> path, Object value) {
        String keyPath = join(path);
        String key = path.isEmpty() ? "" : path.getLast();
        String example = switch (key) {
            case "sandbox" -> "[sandbox] with backend = \"auto\"";
            case "permissions" -> "[permissions.build]";
            case "network-access" -> "network-access = { action = \"deny\" }";
            case "filesystem-access" -> "filesystem-access = { action = \"permit\", paths = [\"$OUT_DIR\"] }";
            case "env" -> "env = { pass = [\"CC_*\"] }";
            case "set" -> "set = { SOURCE_DATE_EPOCH = \"0\" }";
            case "syscalls" -> "syscalls = { profile = \"default\", deny = [\"keyctl\"] }";
            case "directives" -> "directives = { allow = [\"rustc-link-arg=-fuse-ld=lld\"] }";
            case "limits" -> "limits = { processes = 256, memory = \"2GiB\" }";
            case PolicyKeys.CRATES -> "[" + keyPath + ".env] for the crate named env";
            default -> "[" + keyPath + "]";
        };
        return new Finding(keyPath, "must be a table, not " + Messages.describe(value), "write e.g. " + example);
    }

    @SuppressWarnings("unchecked")
    private static List<Finding> findings(DeserializationContext ctxt) {
        return (List<Finding>) ctxt.getAttribute(FINDINGS);
    }

    /**
     * The key path of the parser's current value, from its contexts: an object context names the key, an
     * array context the index; a container just entered has neither yet and is skipped.
     */
    private static List<String> path(DeserializationContext ctxt, JsonParser p) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                parts.addFirst(KeyPath.child("", c.getCurrentName()));
            } else if (c.inArray() && c.hasCurrentIndex()) {
                parts.addFirst(KeyPath.index("", c.getCurrentIndex()));
            }
        }
        String base = (String) ctxt.getAttribute(BASE);
        if (base != null && !base.isEmpty()) {
            parts.addFirst(base);
        }
        return parts;
    }

    private static String join(List<String> parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!out.isEmpty() && !part.startsWith("[")) {
                out.append('.');
            }
            out.append(part);
        }
        return out.toString();
    }
}
