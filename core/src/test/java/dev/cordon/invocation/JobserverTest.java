package dev.cordon.invocation;

import dev.cordon.Jobserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class JobserverTest {

    @Test
    void parse_readsAuthAndOldFdsForm() {
        assertEquals(Optional.of(new Jobserver(3, 4, Optional.empty())),
                Jobserver.parse("-j --jobserver-fds=3,4 --jobserver-auth=3,4"));
        assertEquals(Optional.of(new Jobserver(7, 8, Optional.empty())), Jobserver.parse("-j4 --jobserver-fds=7,8"));
    }

    @Test
    void parse_lastWordWins() {
        assertEquals(Optional.of(new Jobserver(5, 6, Optional.empty())),
                Jobserver.parse("--jobserver-auth=3,4 --jobserver-auth=5,6"));
    }

    @Test
    void parse_readsFifo() {
        assertEquals(Optional.of(new Jobserver(-1, -1, Optional.of(Path.of("/tmp/GMfifo123")))),
                Jobserver.parse("-j --jobserver-auth=fifo:/tmp/GMfifo123"));
    }

    @Test
    void parse_ignoresMissingAndMalformed() {
        assertEquals(Optional.empty(), Jobserver.parse(null));
        assertEquals(Optional.empty(), Jobserver.parse("-j4"));
        assertEquals(Optional.empty(), Jobserver.parse("--jobserver-auth=x,y"));
        assertEquals(Optional.empty(), Jobserver.parse("--jobserver-auth=-2,-2"));
        assertEquals(Optional.empty(), Jobserver.parse("--jobserver-auth=1,2"));
        assertEquals(Optional.empty(), Jobserver.parse("--jobserver-auth=fifo:relative"));
    }

    @Property
    void parse_roundTripsAnyDescriptorPair(@ForAll @IntRange(min = 3, max = 100_000) int read,
            @ForAll @IntRange(min = 3, max = 100_000) int write) {
        assertEquals(Optional.of(new Jobserver(read, write, Optional.empty())),
                Jobserver.parse("-j --jobserver-auth=" + read + "," + write));
    }
}
