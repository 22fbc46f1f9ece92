package io.volantmq.broker.plugin;

import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the plugins: those an embedder gave the broker, then every jar or folder in the plugins folder,
 * each with its own class loader whose parent shows the API only ({@link ApiOnlyClassLoader}), its
 * {@link Plugin}s found by {@link ServiceLoader}. A folder is a class folder plus the jars in it (the plugin's
 * libraries). A plugin is enabled by its id in {@code volantmq.plugins} or {@code VolantMQ-Plugin-Enabled: true}
 * in its manifest. Load order: embedded plugins, then {@code volantmq.plugins} in its order, then
 * manifest-enabled plugins by id.
 */
public final class PluginLoader {
    private static final Logger log = LoggerFactory.getLogger(PluginLoader.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * A plugin to start.
     *
     * @param loader its class loader, null for an embedder's plugin
     * @param source where it came from, null for an embedder's plugin
     */
    public record Found(String id, Plugin plugin, ClassLoader loader, Path source) {
    }

    private PluginLoader() {
    }

    /**
     * The plugins to start, in load order. A plugin that cannot be loaded (bad jar, bad id, a plugin named in
     * {@code volantmq.plugins} but not found) is reported, or fails the start with {@code plugins.required}.
     */
    public static List<Found> find(PluginSettings settings, List<Plugin> embedded, ClassLoader brokerLoader) {
        Map<String, Found> byId = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Plugin p : embedded) {
            add(byId, new Found(p.id(), p, null, null), problems);
        }
        Map<String, Found> inFolder = new LinkedHashMap<>();
        Path dir = Path.of(settings.dir());
        if (Files.isDirectory(dir)) {
            for (Path entry : entries(dir)) {
                scan(entry, settings, brokerLoader, inFolder, problems);
            }
        } else if (!settings.enabled().isEmpty()) {
            problems.add("plugins folder " + dir.toAbsolutePath() + " does not exist (volantmq.pluginsDir)");
        }
        for (String id : settings.enabled()) {
            Found f = inFolder.remove(id);
            if (f != null) {
                add(byId, f, problems);
            } else if (!byId.containsKey(id)) {
                problems.add("plugin '" + id + "' (volantmq.plugins) is not in " + dir.toAbsolutePath());
            }
        }
        inFolder.values().stream().sorted(Comparator.comparing(Found::id)).forEach(f -> {
            if (manifestEnabled(f.source())) {
                add(byId, f, problems);
            } else {
                log.info("plugin {} in {} is not enabled (volantmq.plugins)", f.id(), f.source());
                close(f.loader());
            }
        });
        if (!problems.isEmpty()) {
            String all = String.join("; ", problems);
            if (settings.required()) {
                byId.values().forEach(f -> close(f.loader()));
                throw new IllegalStateException("plugins: " + all + " (volantmq.plugins.required=true)");
            }
            log.error("plugins: {}; the broker starts without them", all);
        }
        return List.copyOf(byId.values());
    }

    private static void add(Map<String, Found> byId, Found f, List<String> problems) {
        if (!ID.matcher(f.id() == null ? "" : f.id()).matches()) {
            problems.add("plugin " + f.plugin().getClass().getName() + " has an invalid id '" + f.id()
                    + "' (letters, digits, - and _)");
        } else if (byId.containsKey(f.id())) {
            problems.add("two plugins have the id '" + f.id() + "'");
        } else {
            byId.put(f.id(), f);
        }
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the plugins folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void scan(Path entry, PluginSettings settings, ClassLoader brokerLoader, Map<String, Found> found,
                             List<String> problems) {
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("plugin:" + entry.getFileName(), urls(entry), new ApiOnlyClassLoader(brokerLoader));
        } catch (IOException e) {
            problems.add(entry + ": " + e.getMessage());
            return;
        }
        int count = 0;
        try {
            for (Plugin p : ServiceLoader.load(Plugin.class, loader)) {
                count++;
                if (found.containsKey(p.id())) {
                    problems.add("two plugins have the id '" + p.id() + "' (" + found.get(p.id()).source() + ", " + entry + ")");
                    continue;
                }
                found.put(p.id(), new Found(p.id(), p, loader, entry));
            }
        } catch (Throwable e) {
            problems.add(entry + " cannot be loaded: " + e);
        }
        if (count == 0) {
            log.warn("{} holds no plugin (no META-INF/services/{})", entry, Plugin.class.getName());
            close(loader);
        }
        String api = manifest(entry) == null ? null : manifest(entry).getMainAttributes().getValue(PluginApi.MANIFEST_API_VERSION);
        if (api != null && !api.trim().equals(String.valueOf(PluginApi.VERSION))) {
            problems.add(entry + " was built for plugin API " + api.trim() + ", this broker has " + PluginApi.VERSION);
            found.values().removeIf(f -> entry.equals(f.source()));
        }
    }

    private static URL[] urls(Path entry) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(url(entry));
        if (Files.isDirectory(entry)) {
            try (Stream<Path> s = Files.list(entry)) {
                for (Path jar : s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(url(jar));
                }
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path p) throws MalformedURLException {
        return p.toAbsolutePath().toUri().toURL();
    }

    private static boolean manifestEnabled(Path source) {
        Manifest m = manifest(source);
        return m != null && "true".equalsIgnoreCase(String.valueOf(m.getMainAttributes().getValue(PluginApi.MANIFEST_ENABLED)).trim());
    }

    private static Manifest manifest(Path source) {
        if (source == null) {
            return null;
        }
        try {
            if (Files.isDirectory(source)) {
                Path mf = source.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(mf)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(mf)) {
                    return new Manifest(in);
                }
            }
            try (JarFile jar = new JarFile(source.toFile())) {
                return jar.getManifest();
            }
        } catch (IOException e) {
            return null;
        }
    }

    static void close(ClassLoader loader) {
        if (loader instanceof URLClassLoader u) {
            try {
                u.close();
            } catch (IOException e) {
                log.debug("closing {}", u.getName(), e);
            }
        }
    }
}
