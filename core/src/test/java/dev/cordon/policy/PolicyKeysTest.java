package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.internal.policy.reading.PolicyKeys;
import dev.cordon.internal.policy.reading.binding.DirectivesTable;
import dev.cordon.internal.policy.reading.binding.EnvTable;
import dev.cordon.internal.policy.reading.binding.FilesystemTable;
import dev.cordon.internal.policy.reading.binding.LimitsTable;
import dev.cordon.internal.policy.reading.binding.NetworkTable;
import dev.cordon.internal.policy.reading.binding.PermissionsTable;
import dev.cordon.internal.policy.reading.binding.RulesTable;
import dev.cordon.internal.policy.reading.binding.SandboxTable;
import dev.cordon.internal.policy.reading.binding.SyscallsTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key lists that messages and crate-table detection use without Jackson (they are on the run path) are
 * exactly the keys Jackson binds, in the reference's order.
 */
class PolicyKeysTest {
    private static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE).build();

    private static List<String> keys(Class<?> binding) {
        return MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(binding)).findProperties().stream()
                .filter(BeanPropertyDefinition::hasField).map(BeanPropertyDefinition::getName).toList();
    }

    @Test
    void keyLists_areTheKeysTheBindingClassesBind() {
        assertEquals(PolicyKeys.SANDBOX, keys(SandboxTable.class));
        assertEquals(PolicyKeys.SECTIONS, keys(PermissionsTable.class));
        assertEquals(PolicyKeys.RULES, keys(RulesTable.class));
        assertEquals(PolicyKeys.INNER.get("network-access"), keys(NetworkTable.class));
        assertEquals(PolicyKeys.INNER.get("filesystem-access"), keys(FilesystemTable.class));
        assertEquals(PolicyKeys.INNER.get("env"), keys(EnvTable.class));
        assertEquals(PolicyKeys.INNER.get("syscalls"), keys(SyscallsTable.class));
        assertEquals(PolicyKeys.INNER.get("directives"), keys(DirectivesTable.class));
        assertEquals(PolicyKeys.INNER.get("limits"), keys(LimitsTable.class));
    }
}
