package dev.cordon.sandbox.macos.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The path forms a Seatbelt rule must name.
 *
 * <p>Seatbelt compares a rule's path with the path the kernel resolved, with symbolic links followed.
 * On macOS {@code /tmp}, {@code /var} and {@code /etc} are links into {@code /private}, and a user's
 * {@code TMPDIR} lives under {@code /private/var/folders}. A rule for {@code /tmp/x} alone would
 * therefore never match; a rule names both the path as given and its resolved form when they differ.
 *
 * <p>The resolution has two layers: fixed string rules that hold on every macOS (so that profiles
 * planned and tested on Linux come out as they would on a Mac), and, on a Mac, the file system's own
 * answer ({@link Path#toRealPath}) for the nearest existing ancestor, which also follows links the
 * string rules do not know about.
 *
 * <p>Hidden paths get more forms than the others (see {@link #hiddenForms}): since macOS 10.15 the
 * user's data lives on a separate volume that is also reachable under {@code /System/Volumes/Data}, so a
 * denial names that form too. And because a hidden directory may hold symbolic links to files elsewhere,
 * which Seatbelt would judge by where they lead, {@link #scan} reports those targets so that they can be
 * hidden as well (issue 17).
 */
final class MacPaths {

    /** What a path names, when that is known. */
    enum Kind {
        /** An existing directory. */
        DIRECTORY,
        /** An existing file that is not a directory. */
        FILE,
        /** Missing, unreadable, or not looked at. */
        UNKNOWN
    }

    /**
     * What a look inside a hidden directory found: where its symbolic links lead, and remarks (a file
     * with several names, a directory too large to look at whole).
     *
     * @param linkTargets the resolved targets of links inside, absolute and normalised
     * @param notes remarks for the plan
     */
    record Scan(List<Path> linkTargets, List<String> notes) {
        /** Nothing found, nothing to say. */
        static final Scan NONE = new Scan(List.of(), List.of());

        /** Copies the lists. */
        Scan {
            linkTargets = List.copyOf(linkTargets);
            notes = List.copyOf(notes);
        }
    }

    private static final List<String> PRIVATE_LINKS = List.of("/tmp", "/var", "/etc");

    /** Where the data volume is mounted since macOS 10.15. */
    static final String DATA_VOLUME = "/System/Volumes/Data";

    /**
     * The firmlinks of the system volume into the data volume (macOS's {@code /usr/share/firmlinks}): a path
     * below one of these is also reachable as {@link #DATA_VOLUME} followed by the path.
     */
    static final List<String> FIRMLINKS = List.of("/AppleInternal", "/Applications", "/Library", "/Users",
            "/Volumes", "/cores", "/opt", "/private", "/usr/local", "/usr/libexec/cups", "/usr/share/snmp",
            "/System/Library/Caches", "/System/Library/Assets", "/System/Library/PreinstalledAssets",
            "/System/Library/AssetsV2", "/System/Library/PreinstalledAssetsV2", "/System/Library/Speech",
            "/System/Library/CoreServices/CoreTypes.bundle/Contents/Library");

    /**
     * macOS credential and session stores below a home directory, hidden from every build script on top
     * of the policy's hidden paths. Core's default list is shared with Linux; these exist only on a Mac,
     * so the backend adds them (issue 17). A path that does not exist costs one rule and nothing else.
     */
    static final List<String> HOME_SECRETS = List.of(
            "Library/Keychains", // login keychain: passwords, keys, tokens
            "Library/Cookies", // system-wide cookie jars
            "Library/Safari", "Library/Containers/com.apple.Safari",
            "Library/Application Support/Google/Chrome", "Library/Application Support/Chromium",
            "Library/Application Support/BraveSoftware", "Library/Application Support/Microsoft Edge",
            "Library/Application Support/Vivaldi", "Library/Application Support/com.operasoftware.Opera",
            "Library/Application Support/Arc", "Library/Application Support/Firefox",
            // Electron apps keep session cookies and tokens in a browser profile too.
            "Library/Application Support/Slack", "Library/Application Support/discord",
            "Library/Application Support/Telegram Desktop",
            "Library/Group Containers/2BUA8C4S2C.com.1password", // 1Password data and agent socket
            "Library/Application Support/Exodus", "Library/Application Support/Bitcoin"); // wallets

    /**
     * Secrets outside any home that a build running as root could read: the system keychain and the key
     * that unlocks it, local account password hashes, the auto-login password, configuration profiles.
     */
    static final List<String> SYSTEM_SECRETS = List.of("/Library/Keychains", "/private/var/db/SystemKey",
            "/private/var/db/dslocal", "/private/etc/kcpassword", "/private/var/db/ConfigurationProfiles");

    /**
     * {@return the macOS secrets for these home directories and the system's, in a stable order}
     *
     * @param homes absolute home directories (duplicates are dropped)
     */
    static List<Path> platformSecrets(List<Path> homes) {
        Set<Path> secrets = new LinkedHashSet<>();
        for (Path home : new LinkedHashSet<>(homes)) {
            HOME_SECRETS.forEach(s -> secrets.add(home.resolve(s).normalize()));
        }
        SYSTEM_SECRETS.forEach(s -> secrets.add(Path.of(s)));
        return List.copyOf(secrets);
    }

    /** How deep and how much of a hidden directory {@link #scan} looks at: it runs before every script. */
    static final int SCAN_DEPTH = 4;
    static final int SCAN_ENTRIES = 512;

    private final UnaryOperator<Path> realPath;
    private final Function<Path, Kind> kinds;
    private final Function<Path, Scan> scans;

    MacPaths(UnaryOperator<Path> realPath, Function<Path, Kind> kinds) {
        this(realPath, kinds, p -> Scan.NONE);
    }

    MacPaths(UnaryOperator<Path> realPath, Function<Path, Kind> kinds, Function<Path, Scan> scans) {
        this.realPath = realPath;
        this.kinds = kinds;
        this.scans = scans;
    }

    /** {@return string rules only; every kind unknown; no scans. Deterministic on any OS.} */
    static MacPaths stringRulesOnly() {
        return new MacPaths(UnaryOperator.identity(), p -> Kind.UNKNOWN);
    }

    /** {@return string rules plus what this machine's file system says} */
    static MacPaths fileSystem() {
        return new MacPaths(MacPaths::realPathOfNearestAncestor, MacPaths::kindOnDisk, MacPaths::scanOnDisk);
    }

    /**
     * {@return the forms a rule for this path must name: the path as given, then the resolved forms that
     * differ from it; never empty}
     *
     * @param path an absolute, normalised path
     */
    List<String> forms(Path path) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(path.toString());
        forms.add(privateForm(path.toString()));
        Path real = realPath.apply(path);
        forms.add(real.toString());
        forms.add(privateForm(real.toString()));
        return List.copyOf(forms);
    }

    /**
     * {@return the forms a denial for a hidden path must name: {@link #forms} and, for each form below a
     * firmlink, the same path under {@link #DATA_VOLUME}}
     *
     * @param path an absolute, normalised path
     */
    List<String> hiddenForms(Path path) {
        Set<String> forms = new LinkedHashSet<>(forms(path));
        for (String form : List.copyOf(forms)) {
            dataVolumeForm(form).ifPresent(forms::add);
        }
        return List.copyOf(forms);
    }

    /**
     * {@return the path as reached through the data volume, when it lies below a firmlink}
     *
     * @param path an absolute path as a string
     */
    static Optional<String> dataVolumeForm(String path) {
        for (String firmlink : FIRMLINKS) {
            if (path.equals(firmlink) || path.startsWith(firmlink + "/")) {
                return Optional.of(DATA_VOLUME + path);
            }
        }
        return Optional.empty();
    }

    /** {@return what the path names} @param path an absolute path */
    Kind kind(Path path) {
        return kinds.apply(path);
    }

    /** {@return where the symbolic links inside a hidden directory lead, and remarks} @param hidden a path */
    Scan scan(Path hidden) {
        return scans.apply(hidden);
    }

    /**
     * Applies macOS's fixed links: {@code /tmp}, {@code /var} and {@code /etc} (and what is under them)
     * live under {@code /private}.
     *
     * @param path an absolute path as a string
     * @return the path under {@code /private}, or {@code path} itself when no rule applies
     */
    static String privateForm(String path) {
        for (String link : PRIVATE_LINKS) {
            if (path.equals(link) || path.startsWith(link + "/")) {
                return "/private" + path;
            }
        }
        return path;
    }

    /**
     * {@return whether {@code path} is {@code ancestor} or lies below it, comparing every form of both}
     *
     * @param path a path
     * @param ancestor a possible ancestor
     */
    boolean isWithin(Path path, Path ancestor) {
        for (String p : forms(path)) {
            for (String a : forms(ancestor)) {
                if (Path.of(p).startsWith(Path.of(a))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Path realPathOfNearestAncestor(Path path) {
        List<Path> missing = new ArrayList<>();
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            missing.add(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            Path real = existing.toRealPath();
            for (int i = missing.size() - 1; i >= 0; i--) {
                real = real.resolve(missing.get(i));
            }
            return real;
        } catch (IOException | SecurityException e) {
            // Unresolvable (e.g. no permission to search a parent): the string rules still apply.
            return path;
        }
    }

    /**
     * Looks through a hidden directory, without following links, at most {@link #SCAN_DEPTH} levels and
     * {@link #SCAN_ENTRIES} entries deep: links are resolved (a dangling one to where it would lead), files
     * with more than one name are reported, and so is a directory too large to look at whole.
     */
    private static Scan scanOnDisk(Path hidden) {
        if (!Files.isDirectory(hidden, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(hidden)) {
            return hardLinkNote(hidden).map(n -> new Scan(List.of(), List.of(n))).orElse(Scan.NONE);
        }
        Path root;
        try {
            root = hidden.toRealPath();
        } catch (IOException | SecurityException e) {
            return Scan.NONE;
        }
        List<Path> targets = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int[] seen = {0};
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), SCAN_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                            if (++seen[0] > SCAN_ENTRIES) {
                                notes.add("hidden path '" + SbplStrings.printable(hidden.toString()) + "' has more"
                                        + " than " + SCAN_ENTRIES + " entries: symbolic links inside it were looked"
                                        + " for only among the first " + SCAN_ENTRIES);
                                return FileVisitResult.TERMINATE;
                            }
                            if (attributes.isSymbolicLink()) {
                                targets.add(realPathOfNearestAncestor(linkTarget(file)));
                            } else if (attributes.isRegularFile()) {
                                hardLinkNote(file).ifPresent(notes::add);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException | SecurityException e) {
            notes.add("hidden path '" + SbplStrings.printable(hidden.toString()) + "' could not be looked"
                    + " through for symbolic links (" + e.getMessage() + ")");
        }
        return new Scan(targets, notes);
    }

    private static Path linkTarget(Path link) {
        try {
            Path target = Files.readSymbolicLink(link);
            return link.getParent().resolve(target).toAbsolutePath().normalize();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return link;
        }
    }

    /** A file with several names may be judged by Seatbelt under a name that is not hidden. */
    private static Optional<String> hardLinkNote(Path file) {
        try {
            Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer n && n > 1 && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of("hidden file '" + SbplStrings.printable(file.toString()) + "' has " + n
                        + " names (hard links); Seatbelt may judge an access by another name, which is not"
                        + " hidden: find them with `find / -samefile` and remove or hide them");
            }
        } catch (IOException | SecurityException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view, or no such file: nothing to report
        }
        return Optional.empty();
    }

    private static Kind kindOnDisk(Path path) {
        try {
            if (Files.isDirectory(path)) {
                return Kind.DIRECTORY;
            }
            return Files.exists(path) ? Kind.FILE : Kind.UNKNOWN;
        } catch (SecurityException e) {
            return Kind.UNKNOWN;
        }
    }
}
