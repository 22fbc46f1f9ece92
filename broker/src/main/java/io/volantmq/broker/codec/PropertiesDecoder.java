package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Property;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;

import java.util.ArrayList;
import java.util.List;

/** Reads an MQTT 5 property section (spec 2.2.2): its length, then identifier/value pairs. */
final class PropertiesDecoder {
    private PropertiesDecoder() {
    }

    /** The property section of a packet of the reader's type. */
    static Properties read(MqttReader reader) {
        return read(reader, false);
    }

    /** The will properties of a CONNECT (spec 3.1.3.2). */
    static Properties readWill(MqttReader reader) {
        return read(reader, true);
    }

    private static Properties read(MqttReader reader, boolean will) {
        int length = reader.readVarInt("property length");
        if (length == 0) {
            return Properties.EMPTY;
        }
        if (length > reader.remaining()) {
            throw reader.malformed("property length " + length + " exceeds the " + reader.remaining()
                    + " bytes left in the " + reader.packetType());
        }
        MqttReader section = reader.slice(length, "properties");
        PacketType type = reader.packetType();
        String where = will ? "will properties" : type.toString();
        List<Property> properties = new ArrayList<>(4);
        long seen = 0; // identifiers are below 64: one bit each
        while (section.hasRemaining()) {
            int identifier = section.readVarInt("property identifier");
            PropertyId id = PropertyId.of(identifier);
            if (id == null) {
                throw section.malformed("unknown property identifier 0x" + Integer.toHexString(identifier)
                        + " in " + where + " (spec 2.2.2.2)");
            }
            if (will ? !id.allowedInWill() : !id.allowedIn(type)) {
                throw section.malformed(id + " is not allowed in " + where + " (spec 2.2.2.2)");
            }
            long bit = 1L << identifier;
            if ((seen & bit) != 0 && !mayRepeat(id, type, will)) {
                throw section.protocolError(id + " appears more than once in " + where + " (spec 2.2.2.2)");
            }
            seen |= bit;
            Object value = readValue(section, id);
            checkValue(section, id, value, where);
            properties.add(new Property(id, value));
        }
        return Properties.of(properties);
    }

    /** User properties always; subscription identifiers only in a PUBLISH (spec 3.3.2.3.8). */
    private static boolean mayRepeat(PropertyId id, PacketType type, boolean will) {
        if (id == PropertyId.SUBSCRIPTION_IDENTIFIER) {
            return !will && type == PacketType.PUBLISH;
        }
        return id.repeatable();
    }

    private static Object readValue(MqttReader section, PropertyId id) {
        String field = id.toString();
        return switch (id.type()) {
            case BYTE -> section.readByte(field);
            case TWO_BYTE -> section.readTwoByteInt(field);
            case FOUR_BYTE -> section.readFourByteInt(field);
            case VARINT -> section.readVarInt(field);
            case UTF8 -> section.readUtf8(field);
            case BINARY -> section.readBinary(field);
            case UTF8_PAIR -> new StringPair(section.readUtf8(field + " name"), section.readUtf8(field + " value"));
        };
    }

    private static void checkValue(MqttReader section, PropertyId id, Object value, String where) {
        // every byte-valued property (payload format indicator, request problem/response information,
        // maximum QoS, retain/wildcard/subscription identifier/shared subscription available) is 0 or 1
        if (id.type() == PropertyId.Type.BYTE && (Integer) value > 1) {
            throw section.protocolError(id + " in " + where + " must be 0 or 1, not " + value + " (spec 2.2.2.2)");
        }
        String rule = switch (id) {
            case RECEIVE_MAXIMUM -> "(spec 3.1.2.11.3, 3.2.2.3.3)";
            case TOPIC_ALIAS -> "[MQTT-3.3.2-8]";
            case SUBSCRIPTION_IDENTIFIER -> "(spec 3.8.2.1.2)";
            case MAXIMUM_PACKET_SIZE -> "(spec 3.1.2.11.4, 3.2.2.3.6)";
            default -> null;
        };
        if (rule != null && ((Number) value).longValue() == 0) {
            throw section.protocolError(id + " in " + where + " must not be 0 " + rule);
        }
    }
}
