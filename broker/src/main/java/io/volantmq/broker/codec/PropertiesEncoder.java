package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Property;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;

/**
 * Writes an MQTT 5 property section (spec 2.2.2). A property that its packet may not carry is a
 * programming error and is refused ({@link IllegalArgumentException}) rather than sent.
 */
final class PropertiesEncoder {
    private PropertiesEncoder() {
    }

    /** Bytes of the whole section, length prefix included, for a packet of {@code type}. */
    static int sectionSize(Properties properties, PacketType type) {
        return withLength(contentSize(properties, type, false));
    }

    /** Bytes of a CONNECT's will property section, length prefix included. */
    static int willSectionSize(Properties properties) {
        return withLength(contentSize(properties, PacketType.CONNECT, true));
    }

    /** Writes the length prefix and the properties. */
    static void write(ByteBuf out, Properties properties) {
        int length = 0;
        for (Property property : properties.asList()) {
            length += propertySize(property);
        }
        MqttWriter.writeVarInt(out, length);
        for (Property property : properties.asList()) {
            writeProperty(out, property);
        }
    }

    private static int withLength(int contentSize) {
        return MqttWriter.varIntSize(contentSize) + contentSize;
    }

    private static int contentSize(Properties properties, PacketType type, boolean will) {
        int size = 0;
        for (Property property : properties.asList()) {
            PropertyId id = property.id();
            if (will ? !id.allowedInWill() : !id.allowedIn(type)) {
                throw new IllegalArgumentException(id + " is not allowed in " + (will ? "will properties" : type));
            }
            size += propertySize(property);
        }
        return size;
    }

    private static int propertySize(Property property) {
        PropertyId id = property.id();
        Object value = property.value();
        int valueSize = switch (id.type()) {
            case BYTE -> fixed((Integer) value, 0xFF, 1, id);
            case TWO_BYTE -> fixed((Integer) value, MqttWriter.MAX_TWO_BYTE, 2, id);
            case FOUR_BYTE -> 4;
            case VARINT -> MqttWriter.varIntSize((Integer) value);
            case UTF8 -> MqttWriter.utf8Size((String) value);
            case BINARY -> MqttWriter.binarySize((byte[]) value);
            case UTF8_PAIR -> MqttWriter.utf8Size(((StringPair) value).name())
                    + MqttWriter.utf8Size(((StringPair) value).value());
        };
        return MqttWriter.varIntSize(id.id()) + valueSize;
    }

    private static int fixed(int value, int max, int size, PropertyId id) {
        MqttWriter.checkRange(value, max, id.toString());
        return size;
    }

    private static void writeProperty(ByteBuf out, Property property) {
        PropertyId id = property.id();
        Object value = property.value();
        MqttWriter.writeVarInt(out, id.id());
        switch (id.type()) {
            case BYTE -> out.writeByte((Integer) value);
            case TWO_BYTE -> MqttWriter.writeTwoByteInt(out, (Integer) value);
            case FOUR_BYTE -> MqttWriter.writeFourByteInt(out, (Long) value);
            case VARINT -> MqttWriter.writeVarInt(out, (Integer) value);
            case UTF8 -> MqttWriter.writeUtf8(out, (String) value);
            case BINARY -> MqttWriter.writeBinary(out, (byte[]) value);
            case UTF8_PAIR -> {
                MqttWriter.writeUtf8(out, ((StringPair) value).name());
                MqttWriter.writeUtf8(out, ((StringPair) value).value());
            }
        }
    }
}
