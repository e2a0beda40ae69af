package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
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
import dev.cordon.internal.policy.reading.binding.PolicyFile;
import java.io.IOException;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a policy's TOML into the {@link PolicyFile} classes with Jackson data binding. Binding does not stop
 * at the first problem: a {@link DeserializationProblemHandler} records each unknown key and wrongly typed
 * value as a {@link Finding} at its key path (from the parser's context), skips it, and binding goes on
 * ({@link BindingProblems}).
 *
 * <p>A section's crate tables are bound after it, by {@link CrateTables}: whether a key is a crate depends
 * on its value, which Jackson's any-setter only collects.
 */
final class TomlBinding {

    /** The mapper: TOML, kebab-case keys, strict strings, problems collected rather than thrown. */
    static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            // A value the handler skipped comes back as null: keep the field's default instead.
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
            .addModule(new SimpleModule("cordon-toml-types").addDeserializer(String.class, new StrictString())
                    .setDeserializerModifier(new NoScalars.Modifier()))
            .addHandler(new BindingProblems())
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
            CrateTables.bind(file.permissions.build, "permissions.build", findings);
            CrateTables.bind(file.permissions.macro, "permissions.macro", findings);
            CrateTables.bind(file.permissions.run, "permissions.run", findings);
        }
        return new Bound(file, findings);
    }

    /**
     * Binds one table, recording its problems.
     *
     * @param node the table
     * @param base its key path in the policy (empty for the whole policy)
     * @param type the binding class
     * @param findings where problems go
     * @return the binding, or null when it could not be bound at all
     */
    static <T> T read(JsonNode node, String base, Class<T> type, List<Finding> findings) {
        ObjectReader reader = MAPPER.readerFor(type).withAttribute(BindingProblems.FINDINGS, findings)
                .withAttribute(BindingProblems.BASE, base);
        try {
            return reader.readValue(node);
        } catch (JsonMappingException e) {
            // Every problem a policy can have is handled by BindingProblems; this is the net under it, so that a
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

}
