package io.volantmq.broker.protocol;

/** A decoded MQTT control packet, independent of the protocol version it travelled in. */
public sealed interface MqttMessage
        permits Connect, ConnAck, Publish, PubReply, Subscribe, SubAck, Unsubscribe, UnsubAck, PingReq, PingResp,
        Disconnect, Auth {

    PacketType type();
}
