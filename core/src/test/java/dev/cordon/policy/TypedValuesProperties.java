package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.BackendChoice;
import dev.cordon.Grant;
import dev.cordon.LiveLogSink;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.SyscallProfile;
import dev.cordon.TimeLimit;
import dev.cordon.internal.policy.reading.KeyPath;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 16: the policy's string values as types ({@link BackendChoice}, {@link SyscallProfile}, {@link LiveLogSink},
 * {@link TimeLimit}).
 * The types accept exactly what the policy reader accepts, so a valid policy always decides a grant, and a grant
 * built in code cannot hold what no policy could say; their spelling is the policy's.
 */
class TypedValuesProperties {

    /** Strings near the edges of both rules: ids, upper case, '-' first, blanks, NUL, newlines, paths. */
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abz09-").ofMinLength(1).ofMaxLength(10),
                Arbitraries.strings().withChars("aZ9-_ ./\n\r\t\0").ofMaxLength(8),
                Arbitraries.of("auto", "none", "bwrap", "sandbox-exec", "default", "off", "stderr", "tty",
                        "cordon/live.log", "/var/log/b.log", "./tty", "tty/", " /", ".", "./", "-x", "Bwrap", "", " ", "a\nb"));
    }

    @Property(tries = 300)
    void backend_theTypeAcceptsWhatThePolicyAcceptsAndTheGrantCarriesIt(@ForAll("values") String value) {
        Optional<BackendChoice> typed = attempt(() -> BackendChoice.of(value));
        Optional<Policy> policy = attemptPolicy("[sandbox]\nbackend = " + KeyPath.quote(value) + "\n");
        assertEquals(typed.isPresent(), policy.isPresent(), "backend " + KeyPath.quote(value));
        policy.ifPresent(p -> {
            Grant grant = p.decide(Fixtures.invocation("ring"));
            assertEquals(typed.get(), grant.backend());
            assertEquals(value, grant.backend().id());
            assertEquals(value, grant.backend().toString()); // messages print the policy's spelling
        });
    }

    @Property(tries = 300)
    void syscallProfile_theTypeAcceptsWhatThePolicyAcceptsAndTheGrantCarriesIt(@ForAll("values") String value) {
        Optional<SyscallProfile> typed = attempt(() -> SyscallProfile.of(value));
        Optional<Policy> policy = attemptPolicy("[permissions.build]\nsyscalls = { profile = " + KeyPath.quote(value)
                + " }\n");
        assertEquals(typed.isPresent(), policy.isPresent(), "syscalls.profile " + KeyPath.quote(value));
        policy.ifPresent(p -> {
            SyscallProfile granted = p.decide(Fixtures.invocation("ring")).syscalls().profile();
            assertEquals(typed.get(), granted);
            assertEquals(value, granted.toString());
        });
    }

    @Property(tries = 300)
    void liveLog_theTypeAcceptsWhatThePolicyAcceptsAndTheGrantCarriesIt(@ForAll("values") String value) {
        Optional<LiveLogSink> typed = attempt(() -> LiveLogSink.parse(value));
        Optional<Policy> policy = attemptPolicy("[permissions.build]\nlive-log = " + KeyPath.quote(value) + "\n");
        assertEquals(typed.isPresent(), policy.isPresent(), "live-log " + KeyPath.quote(value));
        policy.ifPresent(p -> {
            Optional<LiveLogSink> granted = p.decide(Fixtures.invocation("ring")).liveLog();
            assertEquals(typed, granted);
            // Spelt as written, so it parses back to the same sink.
            assertEquals(typed.get(), LiveLogSink.parse(granted.orElseThrow().toString()));
        });
    }

    @Example
    void liveLog_wordsAreStreamsAndEverythingElseIsAFile() {
        assertSame(LiveLogSink.STDERR, LiveLogSink.parse("stderr"));
        assertSame(LiveLogSink.TTY, LiveLogSink.parse("tty"));
        assertEquals(LiveLogSink.file(Path.of("cordon/live.log")), LiveLogSink.parse("cordon/live.log"));
        // A file named like a word is spelt so it does not read back as the word.
        assertEquals("./tty", LiveLogSink.file(Path.of("tty")).toString());
        assertEquals(LiveLogSink.file(Path.of("tty")), LiveLogSink.parse("./tty"));
        assertEquals(LiveLogSink.parse("cordon/live.log"), LiveLogSink.parse("./cordon/x/../live.log"));
        assertEquals("./ ", LiveLogSink.parse(" /").toString()); // " /" names the file " ", as it did before types
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LiveLogSink.parse(" "));
        assertTrue(e.getMessage().contains("live-log ' ' is not a live-log sink"), e.getMessage());
    }

    @Example
    void backend_namesItsTwoChoicesThatAreNotBackendsAndQuotesABadId() {
        assertSame(BackendChoice.AUTO, BackendChoice.of("auto"));
        assertSame(BackendChoice.NONE, BackendChoice.of("none"));
        assertTrue(BackendChoice.AUTO.isAuto() && BackendChoice.NONE.isNone() && !BackendChoice.of("bwrap").isAuto());
        assertEquals(BackendChoice.AUTO, Grant.builder("ring", Path.of("/tmp/t")).build().backend());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackendChoice.of("Bwrap"));
        assertTrue(e.getMessage().startsWith("backend 'Bwrap' is not a backend id"), e.getMessage());
    }

    @Example
    @SuppressWarnings("deprecation") // the String setters kept for callers of 0.1
    void deprecatedStringSetters_readTheirValueAsAPolicyWould() {
        Grant grant = Grant.builder("ring", Path.of("/tmp/t")).backend("bwrap").liveLog("stderr").build();
        assertEquals(BackendChoice.of("bwrap"), grant.backend());
        assertEquals(Optional.of(LiveLogSink.STDERR), grant.liveLog());
        assertEquals(Optional.empty(), grant.toBuilder().liveLog((String) null).build().liveLog());
        assertThrows(IllegalArgumentException.class, () -> Grant.builder("ring", Path.of("/tmp/t")).backend("Bwrap"));
        assertThrows(IllegalArgumentException.class, () -> dev.cordon.Runner.builder().pinBackend("Bwrap"));
    }

    @Example
    void timeLimit_isSpeltAsItsPolicyKey() {
        assertEquals("timeout", TimeLimit.WALL_CLOCK.key());
        assertEquals("idle-timeout", TimeLimit.IDLE.key());
    }

    private static <T> Optional<T> attempt(java.util.function.Supplier<T> make) {
        try {
            return Optional.of(make.get());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Policy> attemptPolicy(String toml) {
        try {
            return Optional.of(Policies.parse(toml, Fixtures.POLICY));
        } catch (PolicyException e) {
            return Optional.empty();
        }
    }
}
