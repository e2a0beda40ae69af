package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cordon.internal.text.Suggestions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reading values out of a Jackson TOML tree while recording every shape problem (wrong type, unknown
 * key) as a {@link Finding}, so that one pass reports them all.
 */
final class TomlTree {
    final List<Finding> findings = new ArrayList<>();

    void add(String keyPath, String message, String fix) {
        findings.add(new Finding(keyPath, message, fix));
    }

    void unknownKey(String keyPath, String key, Collection<String> known) {
        String hint = Suggestions.didYouMean(key, known);
        add(keyPath, "unknown key '" + key + "'", (hint.isEmpty() ? "remove it." : hint) + " Known keys here: "
                + String.join(", ", known));
    }

    /** {@return true when the node is a table, else records a problem} */
    boolean isTable(JsonNode node, String keyPath, String example) {
        if (node.isObject()) {
            return true;
        }
        add(keyPath, "must be a table, not " + describe(node), "write e.g. " + example);
        return false;
    }

    /** {@return the string, or null after recording a problem} */
    String string(JsonNode node, String keyPath) {
        if (node.isTextual()) {
            return node.textValue();
        }
        add(keyPath, "must be a string, not " + describe(node), node.isValueNode() ? "put the value in quotes: "
                + KeyPath.quote(node.asText()) : "write a string in quotes");
        return null;
    }

    /** Adds the strings of an array to a list; records problems for non-arrays and non-strings. */
    void strings(JsonNode node, String keyPath, List<String> into) {
        if (!node.isArray()) {
            add(keyPath, "must be an array of strings, not " + describe(node), node.isTextual()
                    ? "put it in brackets: [" + KeyPath.quote(node.textValue()) + "]" : "write e.g. [\"a\", \"b\"]");
            return;
        }
        for (int i = 0; i < node.size(); i++) {
            String s = string(node.get(i), KeyPath.index(keyPath, i));
            if (s != null) {
                into.add(s);
            }
        }
    }

    /** {@return a String or a Long for a duration, or null after recording a problem} */
    Object duration(JsonNode node, String keyPath) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        add(keyPath, "must be a duration, not " + describe(node), "write e.g. \"500ms\", \"90s\", \"10m\", \"1h\""
                + " or an integer of seconds");
        return null;
    }

    /** {@return a String or a Long for a limit, or null after recording a problem} */
    Object limit(JsonNode node, String keyPath) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        add(keyPath, "must be a number or a string, not " + describe(node), "write e.g. 256, \"4GiB\" or"
                + " \"unlimited\"");
        return null;
    }

    static Iterable<Map.Entry<String, JsonNode>> entries(JsonNode table) {
        return table.properties();
    }

    /** {@return the node's type and value, for messages: {@code the integer 5}} */
    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a table";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "the string " + KeyPath.quote(node.textValue());
        }
        if (node.isBoolean()) {
            return "the boolean " + node.asText();
        }
        if (node.isIntegralNumber()) {
            return "the integer " + node.asText();
        }
        if (node.isNumber()) {
            return "the float " + node.asText();
        }
        return "the value " + node.asText();
    }
}
