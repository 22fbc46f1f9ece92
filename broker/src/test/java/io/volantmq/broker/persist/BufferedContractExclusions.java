package io.volantmq.broker.persist;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * The two contract tests a write-behind store cannot pass by design, each replaced by a test of
 * what buffered mode does promise. Everything else in the contract runs unchanged.
 */
final class BufferedContractExclusions implements ExecutionCondition {
    private static final Map<String, String> REASONS = Map.of(
            "Durability.killDashNineLosesNothingAcknowledged",
            "buffered mode acknowledges before it writes: a kill -9 loses up to the last sync interval of acknowledged "
                    + "changes by design (BufferedStore's loss window). BufferedStoreKillTest checks that bound instead",
            "Durability.everythingSurvivesAReopen",
            "it compares queue entries before and after a reopen including their seqs: a buffered enqueue hands out its "
                    + "seq before the backend numbers the entry, and a reopen shows the backend's numbers (still positive, "
                    + "increasing, never reused). BufferedStoreReopenTest checks everything else of it");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getTestMethod()
                .map(BufferedContractExclusions::reason)
                .map(reason -> ConditionEvaluationResult.disabled("not for a buffered store: " + reason))
                .orElseGet(() -> ConditionEvaluationResult.enabled("part of the contract a buffered store keeps"));
    }

    private static String reason(Method method) {
        return REASONS.get(method.getDeclaringClass().getSimpleName() + "." + method.getName());
    }
}
