package io.volantmq.broker;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.freeze.FreezingArchRule.freeze;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of the broker (issue 16). They read the compiled main classes only.
 * Where the current code breaks a rule the rule is wrapped in {@code FreezingArchRule}: the known
 * violations are stored in src/test/resources/archunit_store, so only a new one fails.
 */
@AnalyzeClasses(packages = "io.volantmq.broker", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The wire format stands alone: it can be reused (fuzz, bench, a client) without the broker. */
    @ArchTest
    static final ArchRule codecAndProtocolStandAlone = classes()
            .that().resideInAnyPackage("io.volantmq.broker.codec..", "io.volantmq.broker.protocol..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "io.volantmq.broker.codec..", "io.volantmq.broker.protocol..",
                    "java..", "io.netty..", "org.slf4j..")
            .as("codec and protocol depend only on each other, the JDK, Netty and slf4j");

    /** Stores are chosen by configuration through the SPI; the core never names one. */
    @ArchTest
    static final ArchRule coreUsesThePersistenceSpiOnly = noClasses()
            .that().resideInAPackage("io.volantmq.broker..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.volantmq.persistence.rocksdb..", "io.volantmq.persistence.mapdb..",
                    "io.volantmq.persistence.redis..", "io.volantmq.persistence.sqlite..",
                    "io.volantmq.persistence.memory..")
            .as("the broker uses the persistence SPI only, never a backend package");

    /**
     * Each top-level sub-package of the broker is one slice; slices must not form a cycle.
     * Frozen: the cycles that existed when the rule came in (issue 16) are in the store, left for the
     * architecture work; a new cycle fails. Most run through auth.PasswdTool -> cli.Cli.
     * A stored cycle is matched by its slice path only ("Slice a -> Slice b -> Slice a"), not by the
     * class-level dependencies listed under it: a new call along a known cycle is not a new cycle,
     * and the build must not break on it.
     */
    @ArchTest
    static final ArchRule noCyclesBetweenBrokerPackages = freeze(slices()
            .matching("io.volantmq.broker.(*)..")
            .should().beFreeOfCycles()
            .as("no package cycles among io.volantmq.broker's sub-packages"))
            .associateViolationLinesVia((stored, actual) -> slicePath(stored).equals(slicePath(actual)));

    /** "Cycle detected: Slice a -> Slice b -> Slice a", whitespace collapsed, without the dependency list. */
    static String slicePath(String violation) {
        int details = violation.indexOf("1. Dependencies of");
        String head = details < 0 ? violation : violation.substring(0, details);
        return head.replace("\\", " ").replaceAll("\\s+", " ").trim();
    }
}
