package io.volantmq.broker;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of the broker (issue 16). They read the compiled main classes only.
 * All rules are strict: nothing is frozen, a violation fails the build.
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
     * The core counts into the meter set, so the meter set reads nothing of the core: what reads the core's state
     * to show it (BrokerStats, BrokerGauges) lives in the root package above both. Packet types and the wire forms
     * it counts (codec, which itself depends on protocol only) are all it needs.
     */
    @ArchTest
    static final ArchRule metricsReadsNothingOfTheCore = noClasses()
            .that().resideInAPackage("io.volantmq.broker.metrics..")
            .should().dependOnClassesThat(resideInAPackage("io.volantmq.broker..")
                    .and(not(resideInAnyPackage("io.volantmq.broker.metrics..", "io.volantmq.broker.protocol..",
                            "io.volantmq.broker.codec.."))))
            .as("metrics depends on nothing in the broker but protocol and codec");

    /**
     * Each top-level sub-package of the broker is one slice; slices must not form a cycle. Strict: the
     * cycles frozen when the rule came in are gone (meters vs. the core, session vs. transport), so any
     * new one fails the build. The usual way out: the lower package exposes a type or interface, the
     * code that reads several packages moves up to the root package, which wires them.
     */
    @ArchTest
    static final ArchRule noCyclesBetweenBrokerPackages = slices()
            .matching("io.volantmq.broker.(*)..")
            .should().beFreeOfCycles()
            .as("no package cycles among io.volantmq.broker's sub-packages");
}
