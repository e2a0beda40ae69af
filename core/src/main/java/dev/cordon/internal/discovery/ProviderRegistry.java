package dev.cordon.internal.discovery;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one SPI: found with {@link ServiceLoader} on an explicit class loader and/or added
 * by hand, keyed by unique id.
 *
 * @param <T> the SPI type
 */
public final class ProviderRegistry<T> {
    /**
     * Discovery is logged at debug level only with {@code -Dcordon.debug=true}: initialising a logging
     * backend costs tens of milliseconds, and this runs once per build script.
     */
    private static final boolean DEBUG = Boolean.getBoolean("cordon.debug");

    /** Created on first use, so the logging backend is only initialised when debugging. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);
    }

    private final Map<String, T> byId;

    private ProviderRegistry(Map<String, T> byId) {
        this.byId = byId;
    }

    /**
     * Builds a registry.
     *
     * @param <T> the SPI type
     * @param type the SPI interface
     * @param discover whether to use {@link ServiceLoader}
     * @param loader the class loader to search
     * @param explicit providers added by hand; they come first
     * @param id how to read a provider's id
     * @return the registry
     * @throws CordonException when two providers share an id, or a provider cannot be loaded
     */
    public static <T> ProviderRegistry<T> of(Class<T> type, boolean discover, ClassLoader loader, List<T> explicit,
            Function<T, String> id) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (T provider : explicit) {
            add(type, byId, provider, id, false);
        }
        if (discover && addCached(type, loader, byId, id)) {
            return new ProviderRegistry<>(byId);
        }
        if (discover) {
            ServiceLoader<T> services = ServiceLoader.load(type, loader);
            var iterator = services.iterator();
            while (true) {
                T provider;
                try {
                    if (!iterator.hasNext()) {
                        break;
                    }
                    provider = iterator.next();
                } catch (ServiceConfigurationError e) {
                    throw new CordonException("cannot load a " + type.getSimpleName() + " provider: " + e.getMessage()
                            + " (check the META-INF/services or module-info of the jar named)", ExitCodes.INTERNAL, e);
                }
                add(type, byId, provider, id, true);
            }
        }
        return new ProviderRegistry<>(byId);
    }

    /**
     * Adds the providers a {@link DiscoveryCache} entry names, instantiated as ServiceLoader would (public
     * class, public no-argument constructor). False, with nothing added, when there is no entry or one of
     * its classes fails: the caller then scans, and any error is ServiceLoader's own.
     */
    private static <T> boolean addCached(Class<T> type, ClassLoader loader, Map<String, T> byId,
            Function<T, String> id) {
        Optional<List<String>> names = DiscoveryCache.providerNames(type, loader);
        if (names.isEmpty()) {
            return false;
        }
        Map<String, T> found = new LinkedHashMap<>(byId);
        try {
            for (String name : names.get()) {
                Class<?> provider = Class.forName(name, false, loader);
                if (!type.isAssignableFrom(provider) || !java.lang.reflect.Modifier.isPublic(provider.getModifiers())) {
                    throw new ClassCastException(name);
                }
                add(type, found, type.cast(provider.getConstructor().newInstance()), id, true);
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            if (e instanceof CordonException) {
                throw (CordonException) e; // two providers with one id: the same verdict as a scan
            }
            DiscoveryCache.invalidateSystem();
            return false;
        }
        byId.clear();
        byId.putAll(found);
        return true;
    }

    private static <T> void add(Class<T> type, Map<String, T> byId, T provider, Function<T, String> id,
            boolean discovered) {
        String key = id.apply(provider);
        T previous = byId.get(key);
        if (previous != null) {
            if (previous.getClass() == provider.getClass()) {
                return; // the same provider seen twice (e.g. added by hand and discovered)
            }
            throw new CordonException("two " + type.getSimpleName() + " providers share the id '" + key + "': "
                    + previous.getClass().getName() + " and " + provider.getClass().getName()
                    + "; remove one of the jars from the class path or give one another id",
                    ExitCodes.INTERNAL);
        }
        if (DEBUG) {
            Log.LOG.debug("found {} '{}' ({}) {}", type.getSimpleName(), key, provider.getClass().getName(),
                    discovered ? where(provider) : "added by hand");
        }
        byId.put(key, provider);
    }

    private static String where(Object provider) {
        var source = provider.getClass().getProtectionDomain().getCodeSource();
        return source == null ? "" : "in " + source.getLocation();
    }

    /** {@return every provider, in the order found} */
    public List<T> all() {
        return List.copyOf(byId.values());
    }

    /** {@return the ids, in the order found} */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** @param id an id @return the provider with that id, or empty */
    public Optional<T> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Sorts providers by priority, highest first, ties by id.
     *
     * @param priority how to read a provider's priority
     * @param id how to read a provider's id
     * @return the providers in that order
     */
    public List<T> byPriority(ToIntFunction<T> priority, Function<T, String> id) {
        List<T> sorted = new ArrayList<>(byId.values());
        // A lambda of ours, not Comparator.comparingInt(..).reversed(): the JDK's combinators spin their
        // lambda classes at run time on every cold start, where ours come from the AOT cache.
        sorted.sort((a, b) -> {
            int byPriority = Integer.compare(priority.applyAsInt(b), priority.applyAsInt(a));
            return byPriority != 0 ? byPriority : id.apply(a).compareTo(id.apply(b));
        });
        return sorted;
    }
}
