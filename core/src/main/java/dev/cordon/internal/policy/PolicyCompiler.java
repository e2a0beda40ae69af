package dev.cordon.internal.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.ExitCodes;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.binding.BindingValidator;
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
 * Reads, validates and compiles a TOML policy into a {@link PolicyModel}. This is the only class on the
 * policy path that uses the TOML library and the validator; the cache lets later runs skip it.
 */
public final class PolicyCompiler {
    private static final TomlMapper MAPPER = new TomlMapper();

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
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
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
        if (root == null || !root.isObject()) {
            return PolicyModel.EMPTY;
        }
        PolicyBinder binder = new PolicyBinder();
        binder.bind(root);
        List<Finding> findings = new ArrayList<>(binder.tree.findings);
        findings.addAll(BindingValidator.validate(binder.bindings));
        if (!findings.isEmpty()) {
            KeyLocator locator = KeyLocator.scan(text);
            List<PolicyViolation> violations = new ArrayList<>();
            for (Finding f : findings) {
                int[] at = locator.locate(f.keyPath());
                violations.add(new PolicyViolation(Optional.of(file), at[0], at[1], f.keyPath(), f.message(), f.fix()));
            }
            violations.sort(Comparator.comparingInt(PolicyViolation::line).thenComparingInt(PolicyViolation::column)
                    .thenComparing(PolicyViolation::keyPath).thenComparing(PolicyViolation::message));
            throw invalid(violations);
        }
        Path dir = file.getParent() == null ? file.toAbsolutePath() : file.getParent();
        return new BindingConverter(dir).convert(binder);
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
