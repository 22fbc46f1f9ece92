package io.volantmq.broker.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every plugin's class loader: the JDK, plus the plugin API and what its signatures use
 * (SLF4J, Micrometer) from the broker. Nothing else of the broker shows through, classes nor resources, so a
 * plugin brings its own libraries (in any version) and cannot reach broker internals.
 */
final class ApiOnlyClassLoader extends ClassLoader {
    private static final String[] SHARED = {"io.volantmq.plugin.api.", "org.slf4j.", "io.micrometer."};

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader broker;

    ApiOnlyClassLoader(ClassLoader broker) {
        super("volantmq-plugin-api", ClassLoader.getPlatformClassLoader());
        this.broker = broker;
    }

    static boolean shared(String className) {
        for (String prefix : SHARED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            return broker.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return name.startsWith("META-INF/services/") ? Collections.emptyEnumeration() : getParent().getResources(name);
    }
}
