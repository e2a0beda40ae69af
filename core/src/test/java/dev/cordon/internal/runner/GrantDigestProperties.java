package dev.cordon.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cordon.Grant;
import dev.cordon.SyscallRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The grant digest that decides whether a policy edit re-runs a build script: the same decision gives the same
 * digest whatever order its sets were built in and whatever the jobserver is; any other change gives another.
 */
class GrantDigestProperties {

    private static Grant grant(Set<String> deny, String value, String makeflags, String jobs) {
        return Grant.builder("probe", Path.of("/t/cordon-tmp")).environment("PROBE", value)
                .environment("CARGO_MAKEFLAGS", makeflags).environment("NUM_JOBS", jobs)
                .syscalls(new SyscallRules(dev.cordon.SyscallProfile.DEFAULT, deny, Set.of(), false)).build();
    }

    @Property
    void digest_sameDecisionSameDigestWhateverTheSetOrderAndJobserver(
            @ForAll @Size(max = 6) Set<@AlphaChars @StringLength(min = 1, max = 8) String> names,
            @ForAll @StringLength(max = 10) String value, @ForAll @StringLength(max = 10) String makeflags) {
        List<String> shuffled = new ArrayList<>(names.stream().map(String::toLowerCase).toList());
        Set<String> deny = new LinkedHashSet<>(shuffled);
        Collections.reverse(shuffled);
        Set<String> reversed = new LinkedHashSet<>(shuffled);
        assertEquals(PolicyRerun.digest(grant(deny, value, "-j --jobserver-auth=3,4", "2")),
                PolicyRerun.digest(grant(reversed, value, makeflags, "16")));
    }

    @Property
    void digest_anotherValueAnotherDigest(@ForAll @StringLength(max = 10) String value,
            @ForAll @StringLength(max = 10) String other) {
        if (!value.equals(other)) {
            assertNotEquals(PolicyRerun.digest(grant(Set.of(), value, "", "1")),
                    PolicyRerun.digest(grant(Set.of(), other, "", "1")));
        }
        assertNotEquals(PolicyRerun.digest(grant(Set.of(), value, "", "1")),
                PolicyRerun.digest(grant(Set.of("ptrace"), value, "", "1")));
    }
}
