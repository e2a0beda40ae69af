package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cordon.internal.policy.cache.Sha256;
import java.security.MessageDigest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class Sha256Properties {
    @Property(tries = 300)
    void digest_matchesTheJdk(@ForAll byte[] data) throws Exception {
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), Sha256.digest(data));
    }
}
