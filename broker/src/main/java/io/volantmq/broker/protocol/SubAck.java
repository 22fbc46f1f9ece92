package io.volantmq.broker.protocol;

import java.util.List;

/** SUBACK: one reason (3.x: return) code per filter, in order. */
public record SubAck(int packetId, List<Integer> reasonCodes, Properties properties) implements MqttMessage {
    public SubAck {
        reasonCodes = List.copyOf(reasonCodes);
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
