package io.volantmq.plugin.api;

/**
 * What an inbound or outbound PUBLISH interceptor decides.
 *
 * @param action     continue unchanged, continue with {@code message}, or drop
 * @param message    for {@link Action#MODIFY}: the message to continue with
 * @param reasonCode for {@link Action#DROP}: the MQTT 5 PUBACK/PUBREC reason code the publisher gets
 *                   (inbound QoS 1/2 only; e.g. 0x87 Not authorized, 0x97 Quota exceeded, 0x99 Payload format invalid)
 * @param reason     for {@link Action#DROP}: why, for the log
 */
public record InterceptResult(Action action, Message message, int reasonCode, String reason) {

    /** The three actions. */
    public enum Action { CONTINUE, MODIFY, DROP }

    private static final InterceptResult CONTINUE = new InterceptResult(Action.CONTINUE, null, 0, null);

    /** Goes on with the message as it is. */
    public static InterceptResult proceed() {
        return CONTINUE;
    }

    /** Goes on with {@code changed}. */
    public static InterceptResult modify(Message changed) {
        return new InterceptResult(Action.MODIFY, java.util.Objects.requireNonNull(changed), 0, null);
    }

    /** Drops the message; an MQTT 5 publisher of QoS 1/2 gets {@code reasonCode} (a code of 0x80 or above). */
    public static InterceptResult drop(int reasonCode, String reason) {
        if (reasonCode < 0x80 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("a drop needs a failure reason code (0x80..0xFF): " + reasonCode);
        }
        return new InterceptResult(Action.DROP, null, reasonCode, reason);
    }
}
