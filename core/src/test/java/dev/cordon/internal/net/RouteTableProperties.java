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

    /** A refused IPv6 destination is told in the shortest form, which a policy reads back as the same address. */
    @Property(tries = 500)
    void describe_ipv6IsShortAndReadsBackAsTheSameAddress(@ForAll byte[] seed, @ForAll int zeros) throws Exception {
        byte[] raw = new byte[16];
        for (int i = 0; i < 16; i++) {
            boolean zero = (zeros >>> (i / 2) & 1) == 1; // some groups zero, in runs of every length
            raw[i] = zero || seed.length == 0 ? 0 : seed[i % seed.length];
        }
        String text = RouteTable.ipv6Text(raw);
        // (through the table's canonical key, as the supervisor compares: a mapped IPv4 address is that address)
        assertEquals(RouteTable.key(InetAddress.getByAddress(raw), 1), RouteTable.key(InetAddress.getByName(text), 1),
                text);
        assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
        assertFalse(text.matches(".*(^|:)0[0-9a-f].*"), "a leading zero: " + text);
        // The longest run of zero groups is the one written "::"; what is left are no longer runs (or single zeros).
        String[] shown = text.replace("::", ":x:").split(":", -1);
        int present = 0;
        int longestLeft = 0;
        int run = 0;
        for (String group : shown) {
            if (group.isEmpty() || group.equals("x")) {
                run = 0;
                continue;
            }
            present++;
            run = group.equals("0") ? run + 1 : 0;
            longestLeft = Math.max(longestLeft, run);
        }
        int compressed = text.contains("::") ? 8 - present : 0;
        assertTrue(compressed == 0 ? longestLeft <= 1 : compressed >= 2 && longestLeft <= compressed,
                "not the longest run: " + text); // (of equal runs the first: the examples above)
        assertEquals(text, text.toLowerCase(java.util.Locale.ROOT));
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
        assertEquals("[::1]:5432", RouteTable.describe(InetAddress.getByName("::1"), 5432));
        assertEquals("[2001:db8::1]:443", RouteTable.describe(InetAddress.getByName("2001:db8:0:0:0:0:0:1"), 443));
        assertEquals("[1:0:0:1::1]:80", RouteTable.describe(InetAddress.getByName("1:0:0:1:0:0:0:1"), 80));
        assertEquals("[::]:80", RouteTable.describe(InetAddress.getByName("::"), 80));
        assertEquals("[1:2:3:4:5:6:7:8]:80", RouteTable.describe(InetAddress.getByName("1:2:3:4:5:6:7:8"), 80));
        assertEquals("[fe80::1:0:0:2]:80", RouteTable.describe(InetAddress.getByName("fe80:0:0:0:1:0:0:2"), 80));
        assertEquals("127.0.0.1:5432", RouteTable.describe(InetAddress.getByName("::ffff:127.0.0.1"), 5432));
        assertTrue(Route.parse(RouteTable.describe(InetAddress.getByName("::1"), 5432)).isPresent());
    }
}
