package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cordon.ExitCodes;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.reading.constraints.Messages;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reads, validates and compiles a TOML policy into a {@link PolicyModel}: Jackson parses the TOML and binds
 * it ({@link TomlBinding}), Hibernate Validator checks the constraints on the binding classes
 * ({@link BindingValidator}), and every problem of both gets the line and column of its key
 * ({@link KeyLocator}). This is the only entry to the TOML library and the validator on the policy path; the
 * compiled-policy cache lets later runs skip it.
 */
public final class PolicyCompiler {
    private PolicyCompiler() {
    }

    /**
     * Compiles a policy.
     *
     * @param content the file's bytes (UTF-8)
     * @param file the file's absolute path: relative paths resolve against its folder, messages name it
     * @return the validated model
     * @throws PolicyException listing every problem found, with {@link ExitCodes#INVALID_POLICY}
     */
    public static PolicyModel compile(byte[] content, Path file) {
        String text = decode(content, file);
        if (!text.isBlank()) {
            BindingValidator.prepare();
        }
        JsonNode root = parse(text, file);
        if (root == null || !root.isObject()) {
            return PolicyModel.EMPTY;
        }
        return bind(root, "", text, file);
    }

    /** The tables of a Cargo manifest that may hold a policy, in the order they are looked for. */
    public static final List<String> MANIFEST_TABLES = List.of("workspace.metadata.cordon", "package.metadata.cordon");

    /**
     * Compiles the policy a Cargo manifest keeps in {@code [workspace.metadata.cordon]} or
     * {@code [package.metadata.cordon]}: the same tables as a policy file, one level down. A manifest with
     * both is refused (which one applies would be a guess); paths are relative to the manifest's folder.
     *
     * @param content the manifest's bytes (UTF-8)
     * @param file the manifest's absolute path
     * @return the model and the table it came from, or empty when the manifest has neither table
     * @throws PolicyException listing every problem found, with {@link ExitCodes#INVALID_POLICY}; positions
     *     are the manifest's lines, key paths start with the table's name
     */
    public static Optional<ManifestPolicy> compileManifest(byte[] content, Path file) {
        String text = decode(content, file);
        JsonNode root = parse(text, file);
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        List<String> present = new ArrayList<>();
        for (String table : MANIFEST_TABLES) {
            if (!root.at("/" + table.replace('.', '/')).isMissingNode()) {
                present.add(table);
            }
        }
        if (present.isEmpty()) {
            return Optional.empty();
        }
        if (present.size() > 1) {
            int[] at = KeyLocator.scan(text).locateFirstWithin(present.get(1));
            throw invalid(List.of(new PolicyViolation(Optional.of(file), at[0], at[1], present.get(1),
                    "this manifest has both [" + present.get(0) + "] and [" + present.get(1) + "]: which one"
                            + " applies would be a guess", "keep the policy in [" + present.get(0)
                            + "] and delete [" + present.get(1) + "]")));
        }
        String table = present.getFirst();
        BindingValidator.prepare();
        JsonNode node = root.at("/" + table.replace('.', '/'));
        if (!node.isObject()) {
            int[] at = KeyLocator.scan(text).locateFirstWithin(table);
            throw invalid(List.of(new PolicyViolation(Optional.of(file), at[0], at[1], table, "'" + table
                    + "' must be a table, not " + Messages.describe(TomlBinding.MAPPER.convertValue(node, Object.class)), "write it as the table [" + table
                    + ".permissions.build] with the keys of a policy file")));
        }
        return Optional.of(new ManifestPolicy(table, bind(node, table + ".", text, file)));
    }

    /**
     * A policy found in a Cargo manifest.
     *
     * @param table the table it came from, e.g. {@code workspace.metadata.cordon}
     * @param model the validated model
     */
    public record ManifestPolicy(String table, PolicyModel model) {
    }

    private static JsonNode parse(String text, Path file) {
        try {
            return TomlBinding.MAPPER.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            int line = at == null ? 0 : Math.max(0, at.getLineNr());
            int column = at == null ? 0 : Math.max(0, at.getColumnNr());
            throw invalid(List.of(new PolicyViolation(Optional.of(file), line, column, "", "malformed TOML: "
                    + e.getOriginalMessage(), "fix the TOML syntax at this place")));
        } catch (RuntimeException e) {
            // The TOML library may throw unchecked errors on odd input; never let them leak.
            throw invalid(List.of(new PolicyViolation(Optional.of(file), 0, 0, "", "malformed TOML: " + e,
                    "fix the TOML syntax")));
        }
    }

    /**
     * Binds and validates one policy table.
     *
     * @param prefix the key path of the table in its file plus a dot ({@code ""} for a policy file): key
     *     paths in messages are the file's, so they can be searched for and located
     */
    private static PolicyModel bind(JsonNode root, String prefix, String text, Path file) {
        TomlBinding.Bound bound = TomlBinding.bind(root);
        List<Finding> findings = new ArrayList<>(bound.findings());
        for (Finding f : BindingValidator.validate(bound.file())) {
            // A value that could not be read is not validated further ("is missing" after "must be a string").
            if (bound.findings().stream().noneMatch(b -> isWithin(f.keyPath(), b.keyPath()))) {
                findings.add(f);
            }
        }
        if (!findings.isEmpty()) {
            KeyLocator locator = KeyLocator.scan(text);
            List<PolicyViolation> violations = new ArrayList<>();
            for (Finding f : findings) {
                String keyPath = f.keyPath().isEmpty() ? prefix.isEmpty() ? "" : prefix.substring(0,
                        prefix.length() - 1) : prefix + f.keyPath();
                int[] at = locator.locate(keyPath);
                violations.add(new PolicyViolation(Optional.of(file), at[0], at[1], keyPath, f.message(), f.fix()));
            }
            violations.sort(Comparator.comparingInt(PolicyViolation::line).thenComparingInt(PolicyViolation::column)
                    .thenComparing(PolicyViolation::keyPath).thenComparing(PolicyViolation::message));
            throw invalid(violations);
        }
        Path dir = file.getParent() == null ? file.toAbsolutePath() : file.getParent();
        return new BindingConverter(dir).convert(bound.file());
    }

    private static boolean isWithin(String keyPath, String parent) {
        return keyPath.equals(parent) || keyPath.startsWith(parent + ".") || keyPath.startsWith(parent + "[");
    }

    private static String decode(byte[] content, Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw invalid(List.of(new PolicyViolation(Optional.of(file), 0, 0, "", "the file is not UTF-8 text",
                    "save the policy as UTF-8")));
        }
    }

    private static PolicyException invalid(List<PolicyViolation> violations) {
        return new PolicyException(violations, ExitCodes.INVALID_POLICY);
    }
}
