package dev.cordon.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Route;
import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A route allows exactly its address and port: the rule the supervisor decides every connect with. */
class RouteTableProperties {

    private static InetAddress v4(int a) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    @Property(tries = 500)
    void route_allowsExactlyItsAddressAndPort(@ForAll int address, @ForAll @IntRange(min = 1, max = 65535) int port,
            @ForAll int otherAddress, @ForAll @IntRange(min = 1, max = 65535) int otherPort) throws Exception {
        InetAddress granted = v4(address);
        RouteTable table = RouteTable.resolve(List.of(new Route(granted.getHostAddress(), port)));
        assertTrue(table.allows(granted, port));
        assertEquals(otherAddress == address && otherPort == port, table.allows(v4(otherAddress), otherPort));
        // The same destination written as an IPv4-mapped IPv6 address (an AF_INET6 socket reaching IPv4).
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(granted.getAddress(), 0, mapped, 12, 4);
        assertTrue(table.allows(InetAddress.getByAddress(mapped), port));
    }

    @Test
    void route_ipv6LoopbackIsNotIpv4Loopback() throws Exception {
        RouteTable table = RouteTable.resolve(List.of(Route.parse("[::1]:5432").orElseThrow()));
        assertTrue(table.allows(InetAddress.getByName("::1"), 5432));
        assertFalse(table.allows(InetAddress.getByName("127.0.0.1"), 5432));
        assertFalse(table.allows(InetAddress.getByName("::1"), 5433));
    }

    @Test
    void route_nameGoesIntoTheHostsFileAndLiteralsDoNot() throws Exception {
        RouteTable table = RouteTable.resolve(List.of(Route.parse("localhost:5432").orElseThrow(),
                Route.parse("127.0.0.1:80").orElseThrow()));
        List<String> lines = table.hostsFile().lines().filter(l -> !l.startsWith("#")).toList();
        assertFalse(lines.isEmpty());
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" localhost")), lines::toString);
        for (InetAddress a : InetAddress.getAllByName("localhost")) {
            assertTrue(table.allows(a, 5432), a::toString);
        }
    }

    @Test
    void route_unresolvableNameAllowsNothingAndIsReported() {
        RouteTable table = RouteTable.resolve(List.of(Route.parse("no-such-host.invalid:5432").orElseThrow()));
        assertEquals(List.of("no-such-host.invalid:5432"), table.unresolved());
        assertEquals(1, table.hostsFile().lines().count(), "only the comment line");
    }

    @Test
    void describe_writesTheDestinationAsAPolicyRoute() throws Exception {
        assertEquals("10.0.0.1:443", RouteTable.describe(InetAddress.getByName("10.0.0.1"), 443));
        assertEquals("[0:0:0:0:0:0:0:1]:5432", RouteTable.describe(InetAddress.getByName("::1"), 5432));
        assertEquals("127.0.0.1:5432", RouteTable.describe(InetAddress.getByName("::ffff:127.0.0.1"), 5432));
        assertTrue(Route.parse(RouteTable.describe(InetAddress.getByName("::1"), 5432)).isPresent());
    }
}
