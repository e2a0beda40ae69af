package dev.cordon.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cordon.NetworkAccess;
import dev.cordon.RunEvent;
import dev.cordon.TimeLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 16: a RunEvent built without naming every component, so a new component breaks no caller. */
class RunEventBuilderTest {

    @Test
    void builder_defaultsToNothingHappenedAndSetsWhatItIsGiven() {
        Instant at = Instant.parse("2026-11-29T18:00:00Z");
        RunEvent plain = RunEvent.builder("ring", "built-in defaults", "bwrap", at).build();
        assertEquals(new RunEvent("ring", Optional.empty(), "built-in defaults", Optional.empty(),
                NetworkAccess.Mode.NONE, 0, 0, "bwrap", List.of(), at, Duration.ZERO, 0, Optional.empty(),
                Optional.empty(), Optional.empty()), plain);
        RunEvent full = RunEvent.builder("sqlx", "/p/Cargo.toml [workspace.metadata.cordon]", "bwrap", at)
                .crateVersion(Optional.of("0.7.0")).policySha256(Optional.of("ab")).network(NetworkAccess.Mode.ROUTES)
                .writableCount(2).hiddenCount(3).command(List.of("bwrap", "x")).duration(Duration.ofSeconds(4))
                .exitCode(101).signal(Optional.of("SIGKILL")).timedOut(Optional.of(TimeLimit.WALL_CLOCK))
                .denial(Optional.of("refused")).declaredNeeds(Optional.of("timeout = \"9m\"")).build();
        assertEquals(new RunEvent("sqlx", Optional.of("0.7.0"), "/p/Cargo.toml [workspace.metadata.cordon]",
                Optional.of("ab"), NetworkAccess.Mode.ROUTES, 2, 3, "bwrap", List.of("bwrap", "x"), at,
                Duration.ofSeconds(4), 101, Optional.of("SIGKILL"), Optional.of(TimeLimit.WALL_CLOCK), Optional.of("refused"),
                Optional.of("timeout = \"9m\"")), full);
    }
}
