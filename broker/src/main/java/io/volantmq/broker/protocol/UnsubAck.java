package io.volantmq.broker.protocol;

import java.util.List;

/** UNSUBACK: one reason code per filter in 5.0; none on the wire in 3.x. */
public record UnsubAck(int packetId, List<Integer> reasonCodes, Properties properties) implements MqttMessage {
    public UnsubAck {
        reasonCodes = List.copyOf(reasonCodes);
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
