package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Will;

/** CONNECT (spec 3.1), in the version the record names; for clients and tests. */
final class ConnectEncoder {
    private ConnectEncoder() {
    }

    static int remainingLength(Connect connect) {
        ProtocolVersion version = connect.version();
        if (!version.isV5() && connect.password() != null && connect.username() == null) {
            throw new IllegalArgumentException("MQTT 3.x CONNECT with a password needs a user name [MQTT-3.1.2-22]");
        }
        // protocol name, level, connect flags, keep alive
        int size = MqttWriter.utf8Size(version.protocolName()) + 1 + 1 + 2;
        if (version.isV5()) {
            size += PropertiesEncoder.sectionSize(connect.properties(), PacketType.CONNECT);
        }
        size += MqttWriter.utf8Size(connect.clientId());
        Will will = connect.will();
        if (will != null) {
            if (version.isV5()) {
                size += PropertiesEncoder.willSectionSize(will.properties());
            }
            size += MqttWriter.utf8Size(will.topic()) + MqttWriter.binarySize(will.payload());
        }
        if (connect.username() != null) {
            size += MqttWriter.utf8Size(connect.username());
        }
        if (connect.password() != null) {
            size += MqttWriter.binarySize(connect.password());
        }
        return size;
    }

    static void write(Connect connect, ByteBuf out) {
        ProtocolVersion version = connect.version();
        MqttWriter.writeUtf8(out, version.protocolName());
        out.writeByte(version.level());
        out.writeByte(flags(connect));
        MqttWriter.writeTwoByteInt(out, connect.keepAlive());
        if (version.isV5()) {
            PropertiesEncoder.write(out, connect.properties());
        }
        MqttWriter.writeUtf8(out, connect.clientId());
        Will will = connect.will();
        if (will != null) {
            if (version.isV5()) {
                PropertiesEncoder.write(out, will.properties());
            }
            MqttWriter.writeUtf8(out, will.topic());
            MqttWriter.writeBinary(out, will.payload());
        }
        if (connect.username() != null) {
            MqttWriter.writeUtf8(out, connect.username());
        }
        if (connect.password() != null) {
            MqttWriter.writeBinary(out, connect.password());
        }
    }

    private static int flags(Connect connect) {
        int flags = 0;
        if (connect.username() != null) {
            flags |= 0x80;
        }
        if (connect.password() != null) {
            flags |= 0x40;
        }
        Will will = connect.will();
        if (will != null) {
            if (will.qos() < 0 || will.qos() > 2) {
                throw new IllegalArgumentException("will QoS out of range: " + will.qos());
            }
            flags |= (will.retain() ? 0x20 : 0) | will.qos() << 3 | 0x04;
        }
        if (connect.cleanSession()) {
            flags |= 0x02;
        }
        return flags;
    }
}
