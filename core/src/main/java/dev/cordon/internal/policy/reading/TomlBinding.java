package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.fasterxml.jackson.databind.type.MapType;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.reading.binding.PolicyFile;
import dev.cordon.internal.policy.reading.binding.RulesTable;
import dev.cordon.internal.policy.reading.binding.SectionTable;
import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.text.Suggestions;
import java.io.IOException;
import java.io.Serial;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds a policy's TOML into the {@link PolicyFile} classes with Jackson data binding. Binding does not stop
 * at the first problem: a {@link DeserializationProblemHandler} records each unknown key and wrongly typed
 * value as a {@link Finding} at its key path (from the parser's context), skips it, and binding goes on.
 *
 * <p>What stays hand-written, and why: a key of a section is a permission key or a crate's name, and which one
 * depends on its value, not its name ({@code netwrok-access = { action = "deny" }} is a misspelt key, not a
 * crate); Jackson's any-setter cannot tell them apart, so {@link #crateTables} sorts them after binding and
 * binds each crate table on its own.
 */
final class TomlBinding {
    /** The reader attribute holding the findings list of one binding. */
    private static final String FINDINGS = "cordon.findings";
    /** The reader attribute holding the key path of the table being bound (empty for the whole file). */
    private static final String BASE = "cordon.base";
    private static final Pattern CRATE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** The mapper: TOML, kebab-case keys, strict strings, problems collected rather than thrown. */
    static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            // A value the handler skipped comes back as null: keep the field's default instead.
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
            .addModule(new SimpleModule("cordon-toml-types").addDeserializer(String.class, new StrictString())
                    .setDeserializerModifier(new NoScalars.Modifier()))
            .addHandler(new Problems())
            .build();

    private TomlBinding() {
    }

    /**
     * What binding produced.
     *
     * @param file the bound policy, with every crate table bound; parts that could not be read are absent
     * @param findings every unknown key and wrongly typed value, by key path relative to the bound table
     */
    record Bound(PolicyFile file, List<Finding> findings) {
    }

    /**
     * Binds a policy table.
     *
     * @param root the policy's table: the whole file, or a manifest's {@code [workspace.metadata.cordon]}
     * @return the binding and its problems
     */
    static Bound bind(JsonNode root) {
        List<Finding> findings = new ArrayList<>();
        PolicyFile file = read(root, "", PolicyFile.class, findings);
        if (file == null) {
            file = new PolicyFile();
        }
        if (file.permissions != null) {
            crateTables(file.permissions.build, "permissions.build", findings);
            crateTables(file.permissions.macro, "permissions.macro", findings);
            crateTables(file.permissions.run, "permissions.run", findings);
        }
        return new Bound(file, findings);
    }

    private static <T> T read(JsonNode node, String base, Class<T> type, List<Finding> findings) {
        ObjectReader reader = MAPPER.readerFor(type).withAttribute(FINDINGS, findings).withAttribute(BASE, base);
        try {
            return reader.readValue(node);
        } catch (JsonMappingException e) {
            // Every problem the policy can have is handled above; this is the net under it, so that a
            // Jackson message never reaches a user without a key path.
            String path = base;
            for (JsonMappingException.Reference r : e.getPath()) {
                path = r.getFieldName() != null ? KeyPath.child(path, r.getFieldName()) : KeyPath.index(path, r.getIndex());
            }
            findings.add(new Finding(path, "cannot be read: " + e.getOriginalMessage(), "write it as the policy"
                    + " reference shows"));
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("reading a tree in memory", e);
        }
    }

    /** Sorts a section's other keys into crate tables and mistakes, and binds the crate tables. */
    private static void crateTables(SectionTable section, String path, List<Finding> findings) {
        if (section == null) {
            return;
        }
        Map<String, String> normalised = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : section.others.entrySet()) {
            String key = e.getKey();
            String keyPath = KeyPath.child(path, key);
            if (PolicyKeys.SANDBOX.contains(key)) {
                findings.add(new Finding(keyPath, "'" + key + "' belongs in [sandbox], not in [" + path + "]",
                        "move it to the [sandbox] table"));
            } else if (!e.getValue().isObject() || looksLikeMisspeltRule(key, e.getValue())) {
                findings.add(unknownKey(keyPath, key, PolicyKeys.RULES));
            } else {
                crateTable(section, path, key, key, e.getValue(), normalised, findings);
            }
        }
        // [permissions.build.crates.NAME]: a crate table for any name, also one that equals a key (env,
        // source, timeout...) or "crates" itself, which the short form cannot have.
        String cratesPath = KeyPath.child(path, PolicyKeys.CRATES);
        for (Map.Entry<String, JsonNode> c : section.crates.entrySet()) {
            String key = c.getKey();
            String keyPath = KeyPath.child(cratesPath, key);
            if (PolicyKeys.RULES.contains(key) && !isCrateTable(c.getValue())) {
                findings.add(new Finding(keyPath, "[" + cratesPath + "] holds crate tables, and '" + key + "' is a"
                        + " permission key", "for the crate named " + PolicyKeys.CRATES + " write [" + KeyPath.child(
                        cratesPath, PolicyKeys.CRATES) + "]; for defaults, put '" + key + "' in [" + path + "]"));
            } else if (!c.getValue().isObject()) {
                findings.add(new Finding(keyPath, "'" + key + "' in [" + cratesPath + "] must be a crate table, not "
                        + Messages.describe(MAPPER.convertValue(c.getValue(), Object.class)), "write [" + keyPath
                        + "] with the crate's keys"));
            } else {
                crateTable(section, path, PolicyKeys.CRATES + "." + key, key, c.getValue(), normalised, findings);
            }
        }
    }

    private static void crateTable(SectionTable section, String path, String below, String name, JsonNode value,
            Map<String, String> normalised, List<Finding> findings) {
        String keyPath = below.startsWith(PolicyKeys.CRATES + ".") ? KeyPath.child(KeyPath.child(path,
                PolicyKeys.CRATES), name) : KeyPath.child(path, name);
        if (!CRATE_NAME.matcher(name).matches()) {
            findings.add(new Finding(keyPath, "crate table " + KeyPath.quote(name) + " is not a package name",
                    "use the crate's name as in CARGO_PKG_NAME: letters, digits, '-' and '_'"));
            return;
        }
        String other = normalised.putIfAbsent(PolicyModel.normalise(name), name);
        if (other != null) {
            findings.add(new Finding(keyPath, "crate table '" + name + "' names the same crate as '" + other + "'",
                    "merge the two tables: crate names match with '-' and '_' (and case) treated alike"));
            return;
        }
        RulesTable rules = read(value, keyPath, RulesTable.class, findings);
        if (rules != null) {
            section.crateTables.put(below, rules);
        }
    }

    /** A table whose keys are all permission keys: a crate's, not the value of a permission key. */
    private static boolean isCrateTable(JsonNode value) {
        if (!value.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!PolicyKeys.RULES.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** A table under a near miss of a permission key, holding that key's inner keys: a typo, not a crate. */
    private static boolean looksLikeMisspeltRule(String key, JsonNode value) {
        List<String> inner = Suggestions.nearest(key, PolicyKeys.RULES).map(k -> PolicyKeys.INNER.getOrDefault(k,
                List.of())).orElse(List.of());
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (inner.contains(e.getKey()) && !PolicyKeys.RULES.contains(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    static Finding unknownKey(String keyPath, String key, Collection<String> known) {
        String hint = Suggestions.didYouMean(key, known);
        return new Finding(keyPath, "unknown key '" + key + "'", (hint.isEmpty() ? "remove it." : hint)
                + " Known keys here: " + String.join(", ", known));
    }

    /**
     * TOML values are typed: a string key takes a string, never a number or boolean turned into one (Jackson
     * would coerce {@code 0} to {@code "0"}, and {@code SOURCE_DATE_EPOCH = 0} would pass unnoticed).
     */
    private static final class StrictString extends StdScalarDeserializer<String> {
        @Serial
        private static final long serialVersionUID = 1L;

        StrictString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return p.hasToken(JsonToken.VALUE_STRING) ? p.getText() : (String) ctxt.handleUnexpectedToken(String.class, p);
        }
    }

    /**
     * A table or an array never takes a scalar. Jackson's coercions turn an empty or blank string into a null
     * object or an empty list before any {@link DeserializationProblemHandler} is asked ({@code paths = ""}
     * would pass as "no paths"; checked with jackson-databind 2.20 and every {@code CoercionAction}, which
     * either coerce or throw past the handler), so every scalar is sent to the handler here.
     */
    private static final class NoScalars extends DelegatingDeserializer {
        @Serial
        private static final long serialVersionUID = 1L;

        NoScalars(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new NoScalars(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return p.currentToken().isScalarValue() ? ctxt.handleUnexpectedToken(handledType(), p)
                    : super.deserialize(p, ctxt);
        }

        /** Wraps the deserializers of the binding classes, lists and maps. */
        static final class Modifier extends BeanDeserializerModifier {
            @Serial
            private static final long serialVersionUID = 1L;

            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                return deserializer instanceof BeanDeserializerBase ? new NoScalars(deserializer) : deserializer;
            }

            @Override
            public JsonDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config, CollectionType type,
                    BeanDescription description, JsonDeserializer<?> deserializer) {
                return new NoScalars(deserializer);
            }

            @Override
            public JsonDeserializer<?> modifyMapDeserializer(DeserializationConfig config, MapType type,
                    BeanDescription description, JsonDeserializer<?> deserializer) {
                return new NoScalars(deserializer);
            }
        }
    }

    /** Records problems as findings and skips the value, so that binding reports them all. */
    private static final class Problems extends DeserializationProblemHandler {
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
                    .sorted(Comparator.comparingInt(Problems::canonicalOrder)).toList();
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
}
