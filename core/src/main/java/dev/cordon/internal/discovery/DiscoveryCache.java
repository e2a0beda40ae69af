package dev.cordon.internal.discovery;

import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.spi.CacheDirectory;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Remembers what {@link ServiceLoader} found for Cordon's five SPIs on a class path of jars, so that a
 * runner JVM started per build script does not scan its class path five times: on this machine the scans
 * cost a fresh JVM about 3 ms of the 30 it spends on a build script.
 *
 * <p>An entry is used only while everything ServiceLoader could have seen is unchanged: the JDK (its
 * path, version and module image), and every jar on the class path or reached from one through a
 * {@code Class-Path} manifest attribute, each by size, modification time and inode. A class path with a
 * directory on it (the tests' {@code target/classes}), a module path or a custom system class loader is
 * never cached: those can change without any stamp changing. A missing, stale, corrupt or unreadable entry
 * means a normal scan, whose answer is written back atomically; an entry naming a class that cannot be
 * instantiated means a normal scan too, so every error message is still ServiceLoader's own.
 *
 * <p>The entries live in Cordon's cache folder ({@link CacheDirectory#path()}, mode 0700),
 * one file per class path. Whoever can write there can also edit the user's policy and Cargo
 * configuration; build scripts cannot, since the sandbox hides {@code $HOME}.
 */
public final class DiscoveryCache {
    /** The SPIs an entry answers for; any other type is always scanned. */
    static final List<Class<?>> SPIS = List.of(InvocationDecoder.class, PolicyProvider.class, SandboxBackend.class,
            SyscallFilterCompiler.class, RunListener.class);
    private static final String FORMAT = "cordon-discovery 2";

    private static DiscoveryCache systemCache;

    private final List<Path> classPath;
    private final ClassLoader loader;
    private final Optional<Path> directory;
    private final String javaIdentity;
    private Map<String, List<String>> answers;
    private boolean loaded;
    private boolean fromFile;

    /**
     * @param classPath the loader's class path, absolute
     * @param loader the class loader ServiceLoader searches
     * @param directory where entries are kept; empty for none
     * @param javaIdentity what identifies the JDK (its path and version)
     */
    DiscoveryCache(List<Path> classPath, ClassLoader loader, Optional<Path> directory, String javaIdentity) {
        this.classPath = List.copyOf(classPath);
        this.loader = loader;
        this.directory = directory;
        this.javaIdentity = javaIdentity;
    }

    /**
     * The provider classes ServiceLoader finds for {@code type} on {@code loader}, in its order, when a
     * current entry knows them.
     *
     * @param type the SPI
     * @param loader the class loader to be searched
     * @return the class names, or empty when the class path must be scanned
     */
    static Optional<List<String>> providerNames(Class<?> type, ClassLoader loader) {
        DiscoveryCache cache = forSystemLoader(loader);
        return cache == null ? Optional.empty() : cache.names(type);
    }

    private static synchronized DiscoveryCache forSystemLoader(ClassLoader loader) {
        if (loader != ClassLoader.getSystemClassLoader() || System.getProperty("jdk.module.path") != null
                || System.getProperty("java.system.class.loader") != null
                || "false".equals(System.getProperty("cordon.discoveryCache"))) {
            return null;
        }
        if (systemCache == null) {
            List<Path> entries = new ArrayList<>();
            Path here = Path.of(System.getProperty("user.dir", "/"));
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    entries.add(here.resolve(entry).normalize());
                }
            }
            String javaHome = System.getProperty("java.home", "");
            systemCache = new DiscoveryCache(entries, loader, CacheDirectory.path(),
                    javaHome + " " + System.getProperty("java.runtime.version", "") + " "
                            + CacheFiles.stamp(Path.of(javaHome, "lib", "modules")));
        }
        return systemCache;
    }

    /**
     * @param type the SPI
     * @return the provider class names in ServiceLoader's order, from a current entry or a fresh scan of all
     *     five SPIs (then written back); empty when this class path cannot be cached
     */
    synchronized Optional<List<String>> names(Class<?> type) {
        if (!SPIS.contains(type)) {
            return Optional.empty();
        }
        if (!loaded) {
            loaded = true;
            answers = load();
        }
        return answers == null ? Optional.empty() : Optional.ofNullable(answers.get(type.getName()));
    }

    /** {@return whether the answers came from an entry on disk rather than a scan (for tests)} */
    synchronized boolean answeredFromFile() {
        return fromFile;
    }

    /** Forgets the entry, after one of its classes failed to load: the next lookup scans. */
    synchronized void invalidate() {
        answers = null;
        loaded = true;
        directory.ifPresent(dir -> {
            try {
                Files.deleteIfExists(file(dir));
            } catch (IOException e) {
                // a stale entry fails the same way next time and is then scanned again
            }
        });
    }

    /** Forgets the system class loader's entry after a failure (see {@link #invalidate()}). */
    static synchronized void invalidateSystem() {
        if (systemCache != null) {
            systemCache.invalidate();
        }
    }

    private Map<String, List<String>> load() {
        for (Path entry : classPath) {
            if (!Files.isRegularFile(entry) || entry.toString().indexOf('\n') >= 0) {
                return null; // a directory or a missing entry: no stamp can tell when it changes
            }
        }
        if (directory.isEmpty()) {
            return null;
        }
        Path file = file(directory.get());
        Map<String, List<String>> read = read(file);
        if (read != null) {
            fromFile = true;
            return read;
        }
        return scanAndWrite(file);
    }

    private String header() {
        StringBuilder text = new StringBuilder(FORMAT).append('\n').append("java ").append(javaIdentity).append('\n');
        for (Path entry : classPath) {
            text.append("cp ").append(entry).append('\n');
        }
        return text.toString();
    }

    private Path file(Path dir) {
        return dir.resolve("discovery-" + Integer.toHexString(header().hashCode()));
    }

    /** An entry is its header (the whole key: a hash collision cannot pass), stamps, then answers. */
    private Map<String, List<String>> read(Path file) {
        String text;
        try {
            text = new String(CacheFiles.read(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        String header = header();
        if (!text.startsWith(header)) {
            return null;
        }
        Map<String, List<String>> read = new HashMap<>();
        int at = header.length();
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                return null; // cut short
            }
            String line = text.substring(at, end);
            at = end + 1;
            if (line.startsWith("stamp ")) {
                // "stamp SIZE TIME INODE PATH": the path last, since it may hold spaces
                String[] words = line.split(" ", 5);
                if (words.length != 5 || !CacheFiles.stamp(Path.of(words[4]))
                        .equals(words[1] + " " + words[2] + " " + words[3])) {
                    return null; // something on the class path changed
                }
            } else if (line.startsWith("spi ")) {
                String[] words = line.split(" ");
                read.put(words[1], List.of(words).subList(2, words.length));
            } else if (!line.equals("end")) {
                return null;
            }
        }
        return text.endsWith("end\n") && read.size() == SPIS.size() ? read : null;
    }

    private Map<String, List<String>> scanAndWrite(Path file) {
        Set<Path> jars = reachableJars();
        if (jars == null) {
            return null;
        }
        Map<String, List<String>> scanned = new HashMap<>();
        StringBuilder text = new StringBuilder(header());
        for (Path jar : jars) {
            text.append("stamp ").append(CacheFiles.stamp(jar)).append(' ').append(jar).append('\n');
        }
        for (Class<?> spi : SPIS) {
            List<String> names = new ArrayList<>();
            try {
                for (ServiceLoader.Provider<?> provider : ServiceLoader.load(spi, loader).stream().toList()) {
                    names.add(provider.type().getName());
                }
            } catch (java.util.ServiceConfigurationError | RuntimeException e) {
                return null; // the plain scan reports it, with ServiceLoader's message
            }
            scanned.put(spi.getName(), List.copyOf(names));
            text.append("spi ").append(spi.getName());
            names.forEach(name -> text.append(' ').append(name));
            text.append('\n');
        }
        text.append("end\n");
        write(file, text.toString());
        return scanned;
    }

    /** The class path's jars and every jar their manifests' Class-Path attributes reach, or null if a directory is among them. */
    private Set<Path> reachableJars() {
        Set<Path> seen = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>(classPath);
        while (!todo.isEmpty()) {
            Path jar = todo.removeFirst();
            if (jar.toString().indexOf('\n') >= 0) {
                return null; // cannot be written as one line of an entry
            }
            if (!seen.add(jar) || !Files.exists(jar)) {
                continue; // a missing jar is stamped "missing": creating it changes the stamp
            }
            if (!Files.isRegularFile(jar)) {
                return null;
            }
            try (JarFile opened = new JarFile(jar.toFile())) {
                Manifest manifest = opened.getManifest();
                String refs = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (refs != null) {
                    for (String ref : refs.trim().split("\\s+")) {
                        Optional<Path> target = resolve(jar, ref);
                        if (target.isEmpty()) {
                            return null; // not a local file: nothing to stamp
                        }
                        todo.addLast(target.get());
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }
        return seen;
    }

    private static Optional<Path> resolve(Path jar, String ref) {
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = jar.getParent().toUri().resolve(new URI(null, null, ref, null).getRawPath());
            return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri).normalize()) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void write(Path file, String text) {
        try {
            CacheFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
            CacheFiles.prune(file.getParent(), "discovery-");
        } catch (IOException | RuntimeException e) {
            // an entry we cannot write only costs the next run a scan
        }
    }
}
