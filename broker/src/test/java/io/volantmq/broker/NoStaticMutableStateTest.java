package io.volantmq.broker;

import io.volantmq.persistence.buffered.BufferedStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brokers side by side in one JVM (tests, embedders) must not share state: no static field of the broker's
 * main code may be reassignable or hold a counter or a mutable collection. (Counters once were: two brokers
 * showed each other's drops.) Checked on declared types, without initializing any class.
 */
class NoStaticMutableStateTest {
    /**
     * Known, deliberate exceptions, each with its reason. BufferedSequences.ISSUED: the highest queue seq any
     * buffered store issued in this JVM, so a store reopened within the same millisecond still counts up.
     */
    private static final Set<String> ALLOWED = Set.of("io.volantmq.persistence.buffered.BufferedSequences.ISSUED");

    @Test
    void mainCodeHasNoStaticMutableFields() throws Exception {
        List<String> found = new ArrayList<>();
        // the broker and the write-behind buffer it wraps every store in
        for (Class<?> module : List.of(Broker.class, BufferedStore.class)) {
            found.addAll(staticMutableFields(Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI())));
        }
        assertThat(found).as("static mutable fields in broker main code").isEmpty();
    }

    private static List<String> staticMutableFields(Path classes) throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                if (name.endsWith("package-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, Broker.class.getClassLoader());
                for (Field field : type.getDeclaredFields()) {
                    String id = name + "." + field.getName();
                    if (Modifier.isStatic(field.getModifiers()) && !field.isSynthetic() && mutable(field)
                            && !ALLOWED.contains(id)) {
                        found.add(id + " (" + field.getType().getSimpleName() + ")");
                    }
                }
            }
        }
        return found;
    }

    @Test
    void theCheckSeesTheKindOfFieldItForbids() throws NoSuchFieldException {
        assertThat(mutable(Example.class.getDeclaredField("COUNTER"))).isTrue();
        assertThat(mutable(Example.class.getDeclaredField("reassignable"))).isTrue();
        assertThat(mutable(Example.class.getDeclaredField("BY_NAME"))).isTrue();
        assertThat(mutable(Example.class.getDeclaredField("NAMES"))).isFalse();
    }

    private static boolean mutable(Field field) {
        Class<?> t = field.getType();
        if (!Modifier.isFinal(field.getModifiers())) {
            return true;
        }
        String pkg = t.getPackageName();
        if (pkg.equals("java.util.concurrent.atomic")) {
            return true; // AtomicX, LongAdder, LongAccumulator
        }
        // a concrete collection type is mutable; an interface-typed one is checked where it is built (List.of)
        return (Collection.class.isAssignableFrom(t) || Map.class.isAssignableFrom(t)) && !t.isInterface();
    }

    @SuppressWarnings("unused")
    private static final class Example {
        static final java.util.concurrent.atomic.LongAdder COUNTER = new java.util.concurrent.atomic.LongAdder();
        static long reassignable;
        static final java.util.HashMap<String, String> BY_NAME = new java.util.HashMap<>();
        static final List<String> NAMES = List.of();
    }
}
