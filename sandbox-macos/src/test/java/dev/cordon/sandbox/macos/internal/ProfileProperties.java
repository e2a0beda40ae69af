package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.sandbox.macos.internal.SbplReader.Str;
import dev.cordon.sandbox.macos.internal.SbplReader.Sym;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of generated profiles, checked against {@link SbplEvaluator}, a small model of Seatbelt's
 * rule semantics (last match wins). The model knows these forms of a path, and every hidden path must be
 * denied in all of them: as given; resolved through {@code /tmp}, {@code /var}, {@code /etc} into
 * {@code /private}; through the data volume's firmlinks ({@code /System/Volumes/Data/...}); in any mix of
 * upper and lower case; in NFC and NFD; and, for a symbolic link inside a hidden folder, where the link
 * leads (Seatbelt judges the resolved path).
 */
class ProfileProperties {

    /** Directories and files are told apart by a stable hash, so every kind of hidden rule is exercised. */
    static final MacPaths PATHS = new MacPaths(p -> p, ProfileProperties::kind, ProfileProperties::scan);

    static final List<Path> PLATFORM = MacPaths.platformSecrets(List.of(Path.of("/Users/dev")));

    static final Set<String> DEVICE_RULES = Set.of("/dev/null", "/dev/fd", "/dev/dtracehelper");

    /** One operation of each kind a hidden path must refuse. */
    static final List<String> FILE_OPERATIONS = List.of("file-read-data", "file-read-metadata", "file-write-data",
            "file-write-unlink", "file-link", "file-clone", "process-exec");

    /** Operations a profile may allow without any filter. */
    static final Set<String> UNFILTERED_ALLOWS = Set.of("process-exec", "process-fork", "file-read*",
            "user-preference-read");

    static MacPaths.Kind kind(Path p) {
        return MacPaths.Kind.values()[Math.floorMod(p.hashCode(), 3)];
    }

    /**
     * Links the model's disk holds inside hidden folders: some lead to a dotfiles folder (to be hidden
     * too), some to {@code /}, which every build needs (to be left alone with a note).
     */
    static MacPaths.Scan scan(Path hidden) {
        if (kind(hidden) == MacPaths.Kind.FILE) {
            return MacPaths.Scan.NONE;
        }
        return switch (Math.floorMod(hidden.hashCode() / 3, 4)) {
            case 0 -> new MacPaths.Scan(List.of(Path.of("/Users/dev/dotfiles/k" + Math.floorMod(hidden.hashCode(), 97))),
                    List.of());
            case 1 -> new MacPaths.Scan(List.of(Path.of("/")), List.of());
            default -> MacPaths.Scan.NONE;
        };
    }

    /** One case: the call, the grant, a path to probe that is unrelated to either, and a seed for spellings. */
    record Case(RunnerInvocation invocation, Grant grant, Path probe, long seed) {
    }

    static Arbitrary<String> segment() {
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(5),
                Arbitraries.of("my project", "a\"b", "c\\d", "(x)", "y;z", "é", "日本", "🦀", "..x", ".ssh", "#h",
                        "a.b", "[x]", "^$", "a+b?", "Ärger", "Ωmega"));
    }

    static Arbitrary<Path> path(Arbitrary<String> roots) {
        return Combinators.combine(roots, segment().list().ofMinSize(0).ofMaxSize(3))
                .as((root, parts) -> Path.of(root, parts.toArray(String[]::new)));
    }

    static Arbitrary<String> roots() {
        return Arbitraries.of("/Users/dev", "/tmp", "/private/tmp", "/var/folders/zz/abc/T", "/etc", "/opt", "/",
                "/Library", "/Users/dev/Library/Keychains", "/Volumes/ext");
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Path> workspace = path(Arbitraries.of("/Users/dev", "/tmp", "/var/folders/zz/abc/T"));
        Arbitrary<Path> home = Arbitraries.of(Path.of("/Users/dev"), Path.of("/var/root"), Path.of("/Users/a b"));
        Arbitrary<NetworkAccess> network = Arbitraries.oneOf(Arbitraries.just(NetworkAccess.none()),
                Arbitraries.just(NetworkAccess.all()),
                Arbitraries.of("127.0.0.1", "localhost", "::1").flatMap(host -> Arbitraries
                        .integers().between(1, 65535).map(port -> new Route(host, port))).list().ofMinSize(1)
                        .ofMaxSize(3).map(NetworkAccess::routes));
        return Combinators.combine(workspace, Arbitraries.of("demo", "ring", "libsqlite3-sys"), home,
                path(roots()).list().ofMaxSize(4), path(roots()).list().ofMaxSize(3),
                path(roots()).list().ofMaxSize(2), network, path(roots()))
                .as((ws, crate, h, hidden, writable, readable, net, probe) -> {
                    RunnerInvocation invocation = Fixtures.invocation(ws, crate, h);
                    Grant.Builder grant = Fixtures.defaultGrant(invocation).network(net);
                    hidden.forEach(grant::hidden);
                    writable.forEach(grant::writable);
                    readable.forEach(grant::readable);
                    return new Case(invocation, grant.build(), probe, probe.hashCode() * 31L + hidden.size());
                });
    }

    static ProfileWriter.Profile written(Case c) {
        return new ProfileWriter(PATHS, PLATFORM).profile(c.invocation(), c.grant());
    }

    static String profile(Case c) {
        return written(c).text();
    }

    @Property(tries = 200)
    void profile_isWellFormedSbpl(@ForAll("cases") Case c) {
        List<Object> forms = SbplReader.readAll(profile(c));
        assertEquals(List.of(new Sym("version"), new Sym("1")), forms.get(0));
        assertEquals(List.of(new Sym("deny"), new Sym("default")), forms.get(1));
        for (Object form : forms) {
            if (!(form instanceof List<?> list) || !(list.getFirst() instanceof Sym head)
                    || !Set.of("version", "allow", "deny").contains(head.name())) {
                fail("not a rule: " + form);
            }
        }
    }

    @Property(tries = 200)
    void profile_fileDenialsComeAfterEveryFileAllow(@ForAll("cases") Case c) {
        List<Object> forms = SbplReader.readAll(profile(c));
        int lastFileAllow = -1;
        int firstFileDeny = Integer.MAX_VALUE;
        for (int i = 2; i < forms.size(); i++) {
            List<?> rule = (List<?>) forms.get(i);
            boolean touchesFiles = rule.stream().anyMatch(p -> p instanceof Sym s && (s.name().startsWith("file-")
                    || s.name().equals("process-exec")));
            if (rule.getFirst().equals(new Sym("allow")) && touchesFiles) {
                lastFileAllow = i;
            }
            if (rule.getFirst().equals(new Sym("deny")) && touchesFiles) {
                firstFileDeny = Math.min(firstFileDeny, i);
            }
        }
        assertTrue(lastFileAllow < firstFileDeny, "allow at " + lastFileAllow + " after deny at " + firstFileDeny);
    }

    @Property(tries = 100)
    void profile_noHiddenPathIsReachableInAnyFormTheModelKnows(@ForAll("cases") Case c) {
        SbplEvaluator seatbelt = new SbplEvaluator(profile(c));
        Random random = new Random(c.seed());
        for (Path hidden : sampleHidden(c, random)) {
            for (String form : knownForms(hidden, random)) {
                for (String op : FILE_OPERATIONS) {
                    assertFalse(seatbelt.allows(op, form), op + " allowed on hidden " + hidden + " as " + form);
                    if (PATHS.kind(hidden) != MacPaths.Kind.FILE) {
                        String below = form + (random.nextBoolean() ? "/id_ed25519" : "/Sub/ID_ED25519");
                        assertFalse(seatbelt.allows(op, below), op + " allowed below hidden " + hidden + ": " + below);
                    }
                }
            }
        }
    }

    @Property(tries = 100)
    void profile_noFolderHoldingAHiddenPathCanBeRenamedOrRemoved(@ForAll("cases") Case c) {
        SbplEvaluator seatbelt = new SbplEvaluator(profile(c));
        Random random = new Random(c.seed());
        for (Path hidden : sampleHidden(c, random)) {
            for (Path a = hidden.getParent(); a != null && a.getParent() != null; a = a.getParent()) {
                for (String form : knownForms(a, random)) {
                    assertFalse(seatbelt.allows("file-write-unlink", form), "rename/unlink of " + form
                            + ", which holds hidden " + hidden);
                }
            }
        }
    }

    @Property(tries = 200)
    void profile_hasNoWritableRuleThatWasNotGranted(@ForAll("cases") Case c) {
        Set<String> granted = new HashSet<>(DEVICE_RULES);
        for (Path p : grantedWritable(c)) {
            granted.addAll(PATHS.forms(p));
        }
        for (Object form : SbplReader.readAll(profile(c))) {
            List<?> rule = (List<?>) form;
            boolean writes = rule.stream().anyMatch(p -> p instanceof Sym s && (s.name().startsWith("file-write")
                    || s.name().equals("file-link") || s.name().equals("file-clone") || s.name().equals("file*")
                    || s.name().equals("default")));
            if (rule.getFirst().equals(new Sym("allow")) && writes) {
                assertTrue(rule.size() > 2 && rule.stream().anyMatch(List.class::isInstance),
                        "unrestricted write allow: " + rule);
                for (Object part : rule) {
                    if (part instanceof List<?> filter) {
                        assertTrue(filter.size() == 2 && filter.get(1) instanceof Str s && granted.contains(s.value())
                                && Set.of(new Sym("subpath"), new Sym("literal")).contains(filter.getFirst()),
                                "write allowed by an ungranted or unexpected filter " + filter);
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void profile_decidesWritesExactlyAsTheGrantSays(@ForAll("cases") Case c) {
        SbplEvaluator seatbelt = new SbplEvaluator(profile(c));
        List<Path> hidden = expectedHidden(c);
        List<String> probes = new ArrayList<>(List.of(c.probe().toString(), c.probe() + "/file"));
        for (Path p : grantedWritable(c)) {
            PATHS.forms(p).forEach(f -> probes.add(f + "/new-file"));
        }
        probes.add(c.invocation().workingDirectory().resolve("src/lib.rs").toString());
        for (String probe : probes) {
            boolean isHidden = isHidden(hidden, probe);
            boolean expected = !isHidden && (isDevice(probe)
                    || grantedWritable(c).stream().anyMatch(w -> PATHS.forms(w).stream()
                            .anyMatch(f -> probe.equals(f) || probe.startsWith(f.equals("/") ? "/" : f + "/"))));
            for (String op : List.of("file-write-data", "file-write-create")) {
                assertEquals(expected, seatbelt.allows(op, probe), op + " " + probe);
            }
            assertEquals(!isHidden, seatbelt.allows("file-read-data", probe), "read " + probe);
        }
    }

    @Property(tries = 200)
    void profile_allowsNothingUnfilteredButExecForkReadAndPreferences(@ForAll("cases") Case c) {
        for (Object form : SbplReader.readAll(profile(c))) {
            List<?> rule = (List<?>) form;
            if (rule.getFirst().equals(new Sym("allow")) && rule.stream().noneMatch(List.class::isInstance)) {
                for (Object op : rule.subList(1, rule.size())) {
                    assertTrue(UNFILTERED_ALLOWS.contains(((Sym) op).name()), "unfiltered allow: " + rule);
                }
            }
        }
    }

    @Property(tries = 200)
    void profile_keepsOtherProcessesArgumentsAndTheProcessTableClosed(@ForAll("cases") Case c) {
        String text = profile(c);
        SbplEvaluator seatbelt = new SbplEvaluator(text);
        for (String closed : List.of("kern.procargs2", "kern.procargs", "kern.proc.all", "kern.proc.pid.1",
                "kern.proc.pgrp.1", "kern.file", "security.mac.sandbox.sentinel", "vm.swapusage")) {
            assertFalse(seatbelt.allows("sysctl-read", closed), closed);
        }
        for (String open : List.of("hw.ncpu", "hw.activecpu", "hw.optional.arm.FEAT_LSE", "kern.osproductversion",
                "sysctl.proc_translated", "machdep.cpu.brand_string")) {
            assertTrue(seatbelt.allows("sysctl-read", open), open);
        }
        assertFalse(seatbelt.allows("sysctl-write", "kern.hostname"));
        // process-info*: denied for every process, then allowed only with (target same-sandbox).
        List<List<?>> infoRules = new ArrayList<>();
        for (Object form : SbplReader.readAll(text)) {
            List<?> rule = (List<?>) form;
            if (rule.stream().anyMatch(p -> p instanceof Sym s && s.name().startsWith("process-info"))) {
                infoRules.add(rule);
            }
        }
        assertEquals(List.of(List.of(new Sym("deny"), new Sym("process-info*")), List.of(new Sym("allow"),
                new Sym("process-info*"), List.of(new Sym("target"), new Sym("same-sandbox")))), infoRules);
    }

    @Property(tries = 200)
    void profile_networkRulesFollowTheGrantAndNeverOpenUnixSocketsButTheResolver(@ForAll("cases") Case c) {
        Set<String> remoteIp = new HashSet<>();
        Set<String> localIp = new HashSet<>();
        Set<List<?>> unixSockets = new HashSet<>();
        Set<List<?>> systemSockets = new HashSet<>();
        for (Object form : SbplReader.readAll(profile(c))) {
            List<?> rule = (List<?>) form;
            if (!rule.getFirst().equals(new Sym("allow"))) {
                continue;
            }
            Set<String> ops = new HashSet<>();
            rule.stream().filter(Sym.class::isInstance).forEach(s -> ops.add(((Sym) s).name()));
            assertFalse(ops.contains("network*"), "network* is too wide: " + rule);
            if (ops.contains("system-socket")) {
                systemSockets.add(rule);
            }
            if (ops.stream().anyMatch(o -> o.startsWith("network"))) {
                for (Object part : rule.subList(1, rule.size())) {
                    if (!(part instanceof List<?> filter)) {
                        continue;
                    }
                    Object kind = filter.get(1);
                    if (filter.getFirst().equals(new Sym("remote")) && kind.equals(new Sym("ip"))) {
                        remoteIp.add(((Str) filter.get(2)).value());
                    } else if (filter.getFirst().equals(new Sym("local")) && kind.equals(new Sym("ip"))) {
                        localIp.add(((Str) filter.get(2)).value());
                    } else if (filter.getFirst().equals(new Sym("remote")) && kind.equals(new Sym("unix-socket"))) {
                        unixSockets.add(filter);
                    } else {
                        fail("unexpected network filter " + filter + " in " + rule);
                    }
                }
            }
        }
        NetworkAccess network = c.grant().network();
        Set<String> expectedRemote = new HashSet<>();
        Set<String> expectedLocal = new HashSet<>();
        boolean resolver = false;
        switch (network.mode()) {
            case NONE -> { }
            case ALL -> {
                expectedRemote.add("*:*");
                expectedLocal.add("*:*");
                resolver = true;
            }
            case ROUTES -> {
                network.routes().forEach(r -> expectedRemote.add("localhost:" + r.port()));
                resolver = network.routes().stream().anyMatch(r -> r.host().equals("localhost"));
            }
        }
        assertEquals(expectedRemote, remoteIp);
        assertEquals(expectedLocal, localIp);
        List<?> resolverSocket = List.of(new Sym("remote"), new Sym("unix-socket"),
                List.of(new Sym("path-literal"), new Str(ProfileWriter.RESOLVER_SOCKET)));
        assertEquals(resolver ? Set.of(resolverSocket) : Set.of(), unixSockets);
        assertEquals(resolver ? Set.of(List.of(new Sym("allow"), new Sym("system-socket"),
                List.of(new Sym("socket-domain"), new Sym("AF_UNIX")))) : Set.of(), systemSockets);
    }

    @Provide
    Arbitrary<String> inexpressibleHosts() {
        Arbitrary<String> otherLoopback = Arbitraries.integers().between(0, 255).list().ofSize(3)
                .map(o -> "127." + o.get(0) + "." + o.get(1) + "." + o.get(2)).filter(h -> !h.equals("127.0.0.1"));
        return Arbitraries.oneOf(otherLoopback, Arbitraries.of("127.0.0.1.evil.example", "127.attacker.example",
                "db.example.com", "10.0.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1", "localhost.localdomain",
                "fe80::1", "0:0:0:0:0:0:0:1"));
    }

    @Property(tries = 200)
    void profile_refusesEveryRouteSeatbeltCannotExpressExactly(@ForAll("inexpressibleHosts") String host,
            @ForAll("cases") Case c) {
        Grant grant = c.grant().toBuilder().network(NetworkAccess.routes(List.of(new Route("127.0.0.1", 5432),
                new Route(host, 5432)))).build();
        SandboxException e = assertThrows(SandboxException.class,
                () -> new ProfileWriter(PATHS, PLATFORM).write(c.invocation(), grant));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
        assertTrue(e.getMessage().contains("route '" + new Route(host, 5432) + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot enforce exactly"), e.getMessage());
    }

    @Property(tries = 200)
    void profile_linkTargetsTheBuildNeedsAreNamedInANote(@ForAll("cases") Case c) {
        ProfileWriter.Profile profile = written(c);
        boolean rootLinked = hiddenBase(c).stream().anyMatch(h -> scan(h).linkTargets().contains(Path.of("/")));
        assertEquals(rootLinked, profile.notes().stream().anyMatch(n -> n.contains("leads to '/'")),
                profile.notes().toString());
    }

    @Example
    void profile_defaultGrantPassesTheModel() {
        RunnerInvocation invocation = Fixtures.invocation(Path.of("/Users/dev/ws"), "demo", Path.of("/Users/dev"));
        Case c = new Case(invocation, Fixtures.defaultGrant(invocation).build(), Path.of("/etc/hosts"), 1);
        profile_decidesWritesExactlyAsTheGrantSays(c);
        profile_noHiddenPathIsReachableInAnyFormTheModelKnows(c);
        profile_hasNoWritableRuleThatWasNotGranted(c);
        profile_keepsOtherProcessesArgumentsAndTheProcessTableClosed(c);
    }

    @Example
    void profile_hidesTheSshFolderEvenAsDotSSHThroughTheDataVolume() {
        RunnerInvocation invocation = Fixtures.invocation(Path.of("/Users/dev/ws"), "demo", Path.of("/Users/dev"));
        SbplEvaluator seatbelt = new SbplEvaluator(new ProfileWriter(MacPaths.stringRulesOnly(), PLATFORM)
                .write(invocation, Fixtures.defaultGrant(invocation).build()));
        for (String path : List.of("/Users/dev/.ssh/id_ed25519", "/Users/dev/.SSH/id_ed25519",
                "/users/DEV/.Ssh/ID_ED25519", "/System/Volumes/Data/Users/dev/.ssh/id_ed25519",
                "/system/volumes/data/users/dev/.ssh", "/Users/dev/Library/Keychains/login.keychain-db",
                "/Users/dev/library/keychains/login.keychain-db", "/Library/Keychains/System.keychain",
                "/private/var/db/SystemKey", "/System/Volumes/Data/private/var/db/SystemKey")) {
            assertFalse(seatbelt.allows("file-read-data", path), path);
        }
        assertTrue(seatbelt.allows("file-read-data", "/Users/dev/.sshx/config"));
        assertTrue(seatbelt.allows("file-read-data", "/Users/dev/Library/Caches/x"));
    }

    /** The grant's hidden paths and the platform's, as the writer takes them before looking inside. */
    static List<Path> hiddenBase(Case c) {
        Set<Path> base = new LinkedHashSet<>(c.grant().hidden());
        base.addAll(PLATFORM);
        return List.copyOf(base);
    }

    /** Every path the profile must hide: the base, and link targets inside it that the build does not need. */
    static List<Path> expectedHidden(Case c) {
        List<Path> needed = new ArrayList<>(grantedWritable(c));
        needed.add(c.invocation().manifestDir());
        needed.add(c.invocation().program());
        needed.addAll(c.grant().readable());
        needed.add(Path.of(c.grant().environment().get("HOME")));
        for (String dir : c.grant().environment().get("PATH").split(":")) {
            needed.add(Path.of(dir));
        }
        Set<Path> hidden = new LinkedHashSet<>(hiddenBase(c));
        for (Path base : hiddenBase(c)) {
            for (Path target : scan(base).linkTargets()) {
                if (needed.stream().noneMatch(n -> PATHS.isWithin(n, target))) {
                    hidden.add(target);
                }
            }
        }
        return List.copyOf(hidden);
    }

    /** The forms the model knows for a path: as given, /private, the data volume, and spellings of each. */
    static Set<String> knownForms(Path path, Random random) {
        Set<String> forms = new LinkedHashSet<>();
        for (String form : PATHS.forms(path)) {
            forms.addAll(spellings(form, random));
            for (String firmlink : List.of("/Users", "/private", "/Library", "/opt", "/Volumes", "/Applications",
                    "/usr/local")) {
                if (form.equals(firmlink) || form.startsWith(firmlink + "/")) {
                    forms.addAll(spellings("/System/Volumes/Data" + form, random));
                }
            }
        }
        return forms;
    }

    /** A path as given, all upper, randomly mixed, and the NFD of the mixed one. */
    static Set<String> spellings(String path, Random random) {
        Set<String> spellings = new LinkedHashSet<>();
        spellings.add(path);
        StringBuilder upper = new StringBuilder();
        StringBuilder mixed = new StringBuilder();
        path.codePoints().forEach(cp -> {
            upper.appendCodePoint(caseVariant(cp, true));
            mixed.appendCodePoint(caseVariant(cp, random.nextBoolean()));
        });
        spellings.add(upper.toString());
        spellings.add(mixed.toString());
        spellings.add(Normalizer.normalize(mixed, Normalizer.Form.NFD));
        return spellings;
    }

    /** The other case of a character when it names the same file on a case-insensitive volume. */
    static int caseVariant(int cp, boolean upper) {
        int lower = Character.toLowerCase(cp);
        return sameCaseClass(cp, lower) ? (upper ? Character.toUpperCase(lower) : lower) : cp;
    }

    /** Whether {@code cp} is {@code lower}, or its upper or title case. */
    static boolean sameCaseClass(int cp, int lower) {
        return cp == lower || cp == Character.toUpperCase(lower) || cp == Character.toTitleCase(lower);
    }

    /**
     * The hidden paths one case checks in every form: all of the grant's and of the link targets, and a
     * few of the platform's (each case picks others, so the tries together cover them all).
     */
    static List<Path> sampleHidden(Case c, Random random) {
        List<Path> platform = new ArrayList<>(PLATFORM);
        java.util.Collections.shuffle(platform, random);
        List<Path> sample = new ArrayList<>();
        for (Path h : expectedHidden(c)) {
            if (!PLATFORM.contains(h) || platform.indexOf(h) < 4) {
                sample.add(h);
            }
        }
        return sample;
    }

    static List<Path> grantedWritable(Case c) {
        List<Path> paths = new ArrayList<>(c.grant().writable());
        paths.add(c.grant().temporaryDirectory());
        c.invocation().outDir().ifPresent(paths::add);
        return paths;
    }

    static boolean isDevice(String path) {
        return path.equals("/dev/null") || path.equals("/dev/dtracehelper") || path.equals("/dev/fd")
                || path.startsWith("/dev/fd/");
    }

    /** Whether a path is a hidden path or below a hidden folder, in any case and normalisation. */
    static boolean isHidden(List<Path> hidden, String path) {
        String folded = fold(path);
        for (Path h : hidden) {
            for (String form : PATHS.hiddenForms(h)) {
                String f = fold(form);
                boolean below = folded.startsWith(f.equals("/") ? "/" : f + "/");
                if (folded.equals(f) || (below && PATHS.kind(h) != MacPaths.Kind.FILE)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String fold(String s) {
        StringBuilder out = new StringBuilder();
        Normalizer.normalize(s, Normalizer.Form.NFC).codePoints()
                .forEach(cp -> out.appendCodePoint(caseVariant(cp, false)));
        return out.toString();
    }
}
