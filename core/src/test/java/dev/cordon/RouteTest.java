package dev.cordon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void isLoopback_acceptsLocalhostIpv6LoopbackAndIpv4LiteralsIn127() {
        for (String host : new String[] {"localhost", "LOCALHOST", "::1", "127.0.0.1", "127.0.0.2", "127.255.255.255",
            "127.1.2.3"}) {
            assertTrue(new Route(host, 80).isLoopback(), host);
        }
    }

    @Test
    void isLoopback_refusesDnsNamesThatMerelyBeginWith127() {
        // Each of these resolves wherever its owner wants (127.0.0.1.nip.io-style names), so none is loopback.
        for (String host : new String[] {"127.0.0.1.evil.example", "127.attacker.example", "127.0.0.1.", "127.0.0",
            "127.0.0.1.2", "127.0.0.256", "127.0.0.0001", "127.0.0.-1", "127..0.1", "127.0.0.0x1", "0127.0.0.1",
            "128.0.0.1", "localhost.example", "::2"}) {
            assertFalse(new Route(host, 80).isLoopback(), host);
        }
    }
}
