package dev.cordon.internal.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a package by name the way Cargo sees the workspace: {@code cargo metadata --offline --format-version 1}
 * run in a directory, for {@code explain --crate NAME} without {@code --manifest-dir}. Workspace members and
 * dependencies (registry, git, path) are all in its {@code packages} list.
 */
final class CargoPackages {
    // A package object starts with name, version and id; a dependency object has name then source.
    private static final Pattern PACKAGE = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"version\":\"([^\"]*)\",\"id\":");
    private static final Pattern MANIFEST = Pattern.compile("\"manifest_path\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TARGET = Pattern.compile("\"target_directory\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private CargoPackages() {
    }

    /**
     * @param manifestDir the package directory
     * @param targetDir Cargo's target directory for the workspace
     */
    record Found(Path manifestDir, Path targetDir) {
    }

    static Optional<Path> targetDir(Path directory, Map<String, String> environment) {
        return metadata(directory, environment).flatMap(json -> {
            Matcher target = TARGET.matcher(json);
            return target.find() ? Optional.of(Path.of(unescape(target.group(1)))) : Optional.empty();
        });
    }

    static Optional<Found> find(String crate, Path directory, Map<String, String> environment) {
        return metadata(directory, environment).flatMap(json -> parse(crate, json));
    }

    private static Optional<String> metadata(Path directory, Map<String, String> environment) {
        String cargo = environment.getOrDefault("CARGO", "cargo");
        ProcessBuilder pb = new ProcessBuilder(cargo, "metadata", "--offline", "--format-version", "1")
                .directory(directory.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(environment);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(json);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<Found> parse(String crate, String json) {
        Matcher target = TARGET.matcher(json);
        if (!target.find()) {
            return Optional.empty();
        }
        List<Path> hits = new ArrayList<>();
        Matcher pkg = PACKAGE.matcher(json);
        while (pkg.find()) {
            if (!normalise(pkg.group(1)).equals(normalise(crate))) {
                continue;
            }
            Matcher manifest = MANIFEST.matcher(json);
            if (manifest.find(pkg.end())) {
                hits.add(Path.of(unescape(manifest.group(1))).getParent());
            }
        }
        // A name twice (two versions of one dependency): the first, as Cargo lists them; explain says which.
        return hits.isEmpty() ? Optional.empty() : Optional.of(new Found(hits.getFirst(),
                Path.of(unescape(target.group(1)))));
    }

    /**
     * The packages of the workspace and its dependencies, with whether each is a proc macro (has a target of
     * kind {@code proc-macro}), as {@code cargo metadata} run in a directory lists them.
     *
     * @param directory where to run it
     * @param environment its environment
     * @return package name to "is a proc macro", sorted; empty when cargo metadata fails there
     */
    static Optional<java.util.SortedMap<String, Boolean>> procMacros(Path directory, Map<String, String> environment) {
        return metadata(directory, environment).map(CargoPackages::procMacros);
    }

    static java.util.SortedMap<String, Boolean> procMacros(String json) {
        java.util.SortedMap<String, Boolean> packages = new java.util.TreeMap<>();
        Matcher pkg = PACKAGE.matcher(json);
        List<int[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (pkg.find()) {
            names.add(pkg.group(1));
            spans.add(new int[] {pkg.start(), json.length()});
            if (spans.size() > 1) {
                spans.get(spans.size() - 2)[1] = pkg.start();
            }
        }
        for (int i = 0; i < names.size(); i++) {
            String body = json.substring(spans.get(i)[0], spans.get(i)[1]);
            packages.merge(names.get(i), body.contains("\"kind\":[\"proc-macro\"]"), Boolean::logicalOr);
        }
        return packages;
    }

    private static String normalise(String name) {
        return name.replace('-', '_');
    }

    private static String unescape(String json) {
        return json.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
