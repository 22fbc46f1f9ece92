package io.volantmq.broker.codec;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Property;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Converts between our records and Netty's MQTT messages, for the cross-check only. Netty keeps
 * properties in a map, so their order is not kept: {@link #sorted} puts both sides in one order.
 */
final class NettyMessages {
    private NettyMessages() {
    }

    static io.netty.handler.codec.mqtt.MqttMessage toNetty(MqttMessage message, ProtocolVersion version) {
        boolean v5 = version.isV5();
        return switch (message.type()) {
            case CONNECT -> connect((Connect) message);
            case CONNACK -> {
                ConnAck c = (ConnAck) message;
                yield new MqttConnAckMessage(header(MqttMessageType.CONNACK), new MqttConnAckVariableHeader(
                        MqttConnectReturnCode.valueOf((byte) c.reasonCode()), c.sessionPresent(),
                        toNetty(c.properties())));
            }
            case PUBLISH -> {
                Publish p = (Publish) message;
                yield new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, p.dup(),
                        MqttQoS.valueOf(p.qos()), p.retain(), 0),
                        new MqttPublishVariableHeader(p.topic(), p.qos() == 0 ? -1 : p.packetId(),
                                toNetty(p.properties())),
                        Unpooled.wrappedBuffer(p.payload()));
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> {
                PubReply r = (PubReply) message;
                Object variableHeader = v5
                        ? new MqttPubReplyMessageVariableHeader(r.packetId(), (byte) r.reasonCode(),
                        toNetty(r.properties()))
                        : MqttMessageIdVariableHeader.from(r.packetId());
                yield MqttMessageFactory.newMessage(header(nettyType(r.type())), variableHeader, null);
            }
            case SUBSCRIBE -> {
                Subscribe s = (Subscribe) message;
                List<MqttTopicSubscription> subscriptions = new ArrayList<>();
                for (Subscription sub : s.subscriptions()) {
                    subscriptions.add(new MqttTopicSubscription(sub.filter(), new MqttSubscriptionOption(
                            MqttQoS.valueOf(sub.qos()), sub.noLocal(), sub.retainAsPublished(),
                            MqttSubscriptionOption.RetainedHandlingPolicy.valueOf(sub.retainHandling()))));
                }
                yield MqttMessageFactory.newMessage(header(MqttMessageType.SUBSCRIBE),
                        idAndProperties(s.packetId(), s.properties()), new MqttSubscribePayload(subscriptions));
            }
            case SUBACK -> {
                SubAck s = (SubAck) message;
                yield MqttMessageFactory.newMessage(header(MqttMessageType.SUBACK),
                        idAndProperties(s.packetId(), s.properties()), new MqttSubAckPayload(s.reasonCodes()));
            }
            case UNSUBSCRIBE -> {
                Unsubscribe u = (Unsubscribe) message;
                yield MqttMessageFactory.newMessage(header(MqttMessageType.UNSUBSCRIBE),
                        idAndProperties(u.packetId(), u.properties()), new MqttUnsubscribePayload(u.filters()));
            }
            case UNSUBACK -> {
                UnsubAck u = (UnsubAck) message;
                List<Short> codes = u.reasonCodes().stream().map(Integer::shortValue).toList();
                yield MqttMessageFactory.newMessage(header(MqttMessageType.UNSUBACK),
                        idAndProperties(u.packetId(), u.properties()), v5 ? new MqttUnsubAckPayload(codes) : null);
            }
            case PINGREQ -> io.netty.handler.codec.mqtt.MqttMessage.PINGREQ;
            case PINGRESP -> io.netty.handler.codec.mqtt.MqttMessage.PINGRESP;
            case DISCONNECT -> {
                Disconnect d = (Disconnect) message;
                yield new io.netty.handler.codec.mqtt.MqttMessage(header(MqttMessageType.DISCONNECT), v5
                        ? new MqttReasonCodeAndPropertiesVariableHeader((byte) d.reasonCode(), toNetty(d.properties()))
                        : null);
            }
            case AUTH -> {
                Auth a = (Auth) message;
                yield new io.netty.handler.codec.mqtt.MqttMessage(header(MqttMessageType.AUTH),
                        new MqttReasonCodeAndPropertiesVariableHeader((byte) a.reasonCode(), toNetty(a.properties())));
            }
        };
    }

    static MqttMessage fromNetty(io.netty.handler.codec.mqtt.MqttMessage message) {
        Object variableHeader = message.variableHeader();
        return switch (message.fixedHeader().messageType()) {
            case CONNECT -> connect((MqttConnectMessage) message);
            case CONNACK -> {
                MqttConnAckVariableHeader h = (MqttConnAckVariableHeader) variableHeader;
                yield new ConnAck(h.isSessionPresent(), h.connectReturnCode().byteValue() & 0xFF,
                        fromNetty(h.properties()));
            }
            case PUBLISH -> {
                MqttPublishMessage p = (MqttPublishMessage) message;
                int qos = p.fixedHeader().qosLevel().value();
                yield new Publish(p.variableHeader().topicName(), qos, p.fixedHeader().isRetain(),
                        p.fixedHeader().isDup(), qos == 0 ? 0 : p.variableHeader().packetId(),
                        ByteBufUtil.getBytes(p.payload()), fromNetty(p.variableHeader().properties()));
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> {
                PacketType type = PacketType.of(message.fixedHeader().messageType().value());
                if (variableHeader instanceof MqttPubReplyMessageVariableHeader h) {
                    yield new PubReply(type, h.messageId(), h.reasonCode() & 0xFF, fromNetty(h.properties()));
                }
                yield PubReply.of(type, ((MqttMessageIdVariableHeader) variableHeader).messageId());
            }
            case SUBSCRIBE -> {
                List<Subscription> subscriptions = new ArrayList<>();
                for (MqttTopicSubscription s : ((MqttSubscribePayload) message.payload()).topicSubscriptions()) {
                    MqttSubscriptionOption o = s.option();
                    subscriptions.add(new Subscription(s.topicFilter(), o.qos().value(), o.isNoLocal(),
                            o.isRetainAsPublished(), o.retainHandling().value()));
                }
                yield new Subscribe(messageId(variableHeader), subscriptions, properties(variableHeader));
            }
            case SUBACK -> new SubAck(messageId(variableHeader), ((MqttSubAckPayload) message.payload()).reasonCodes(),
                    properties(variableHeader));
            case UNSUBSCRIBE -> new Unsubscribe(messageId(variableHeader),
                    ((MqttUnsubscribePayload) message.payload()).topics(), properties(variableHeader));
            case UNSUBACK -> {
                MqttUnsubAckPayload payload = (MqttUnsubAckPayload) message.payload();
                List<Integer> codes = payload == null ? List.of()
                        : payload.unsubscribeReasonCodes().stream().map(c -> c & 0xFF).toList();
                yield new UnsubAck(messageId(variableHeader), codes, properties(variableHeader));
            }
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> variableHeader instanceof MqttReasonCodeAndPropertiesVariableHeader h
                    ? new Disconnect(h.reasonCode() & 0xFF, fromNetty(h.properties())) : Disconnect.NORMAL;
            case AUTH -> variableHeader instanceof MqttReasonCodeAndPropertiesVariableHeader h
                    ? new Auth(h.reasonCode() & 0xFF, fromNetty(h.properties())) : new Auth(0, null);
        };
    }

    /** The same message with every property section sorted by identifier (stable: user properties keep order). */
    static MqttMessage sorted(MqttMessage m) {
        return switch (m.type()) {
            case CONNECT -> {
                Connect c = (Connect) m;
                Will w = c.will() == null ? null
                        : new Will(c.will().topic(), c.will().payload(), c.will().qos(), c.will().retain(),
                        sorted(c.will().properties()));
                yield new Connect(c.version(), c.clientId(), c.cleanSession(), c.keepAlive(), c.username(),
                        c.password(), w, sorted(c.properties()));
            }
            case CONNACK -> new ConnAck(((ConnAck) m).sessionPresent(), ((ConnAck) m).reasonCode(),
                    sorted(((ConnAck) m).properties()));
            case PUBLISH -> {
                Publish p = (Publish) m;
                yield new Publish(p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), p.payload(),
                        sorted(p.properties()));
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> {
                PubReply r = (PubReply) m;
                yield new PubReply(r.type(), r.packetId(), r.reasonCode(), sorted(r.properties()));
            }
            case SUBSCRIBE -> new Subscribe(((Subscribe) m).packetId(), ((Subscribe) m).subscriptions(),
                    sorted(((Subscribe) m).properties()));
            case SUBACK -> new SubAck(((SubAck) m).packetId(), ((SubAck) m).reasonCodes(),
                    sorted(((SubAck) m).properties()));
            case UNSUBSCRIBE -> new Unsubscribe(((Unsubscribe) m).packetId(), ((Unsubscribe) m).filters(),
                    sorted(((Unsubscribe) m).properties()));
            case UNSUBACK -> new UnsubAck(((UnsubAck) m).packetId(), ((UnsubAck) m).reasonCodes(),
                    sorted(((UnsubAck) m).properties()));
            case DISCONNECT -> new Disconnect(((Disconnect) m).reasonCode(), sorted(((Disconnect) m).properties()));
            case AUTH -> new Auth(((Auth) m).reasonCode(), sorted(((Auth) m).properties()));
            case PINGREQ, PINGRESP -> m;
        };
    }

    private static Properties sorted(Properties properties) {
        List<Property> list = new ArrayList<>(properties.asList());
        list.sort(Comparator.comparingInt(p -> p.id().id()));
        return Properties.of(list);
    }

    private static MqttConnectMessage connect(Connect c) {
        Will will = c.will();
        MqttConnectVariableHeader header = new MqttConnectVariableHeader(c.version().protocolName(),
                c.version().level(), c.username() != null, c.password() != null, will != null && will.retain(),
                will == null ? 0 : will.qos(), will != null, c.cleanSession(), c.keepAlive(), toNetty(c.properties()));
        MqttConnectPayload payload = new MqttConnectPayload(c.clientId(),
                will == null ? MqttProperties.NO_PROPERTIES : toNetty(will.properties()),
                will == null ? null : will.topic(), will == null ? null : will.payload(), c.username(), c.password());
        return new MqttConnectMessage(header(MqttMessageType.CONNECT), header, payload);
    }

    private static Connect connect(MqttConnectMessage m) {
        MqttConnectVariableHeader h = m.variableHeader();
        MqttConnectPayload p = m.payload();
        Will will = h.isWillFlag()
                ? new Will(p.willTopic(), p.willMessageInBytes(), h.willQos(), h.isWillRetain(),
                fromNetty(p.willProperties()))
                : null;
        return new Connect(ProtocolVersion.ofLevel(h.version()), p.clientIdentifier(), h.isCleanSession(),
                h.keepAliveTimeSeconds(), h.hasUserName() ? p.userName() : null,
                h.hasPassword() ? p.passwordInBytes() : null, will, fromNetty(h.properties()));
    }

    private static MqttFixedHeader header(MqttMessageType type) {
        boolean qos1 = type == MqttMessageType.PUBREL || type == MqttMessageType.SUBSCRIBE
                || type == MqttMessageType.UNSUBSCRIBE;
        return new MqttFixedHeader(type, false, qos1 ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0);
    }

    private static MqttMessageType nettyType(PacketType type) {
        return MqttMessageType.valueOf(type.value());
    }

    private static MqttMessageIdAndPropertiesVariableHeader idAndProperties(int packetId, Properties properties) {
        return new MqttMessageIdAndPropertiesVariableHeader(packetId, toNetty(properties));
    }

    private static int messageId(Object variableHeader) {
        return ((MqttMessageIdVariableHeader) variableHeader).messageId();
    }

    private static Properties properties(Object variableHeader) {
        return variableHeader instanceof MqttMessageIdAndPropertiesVariableHeader h
                ? fromNetty(h.properties()) : Properties.EMPTY;
    }

    private static MqttProperties toNetty(Properties properties) {
        MqttProperties netty = new MqttProperties();
        for (Property p : properties.asList()) {
            int id = p.id().id();
            Object value = p.value();
            switch (p.id().type()) {
                case BYTE, TWO_BYTE, VARINT -> netty.add(new MqttProperties.IntegerProperty(id, (Integer) value));
                case FOUR_BYTE -> netty.add(new MqttProperties.IntegerProperty(id, ((Long) value).intValue()));
                case UTF8 -> netty.add(new MqttProperties.StringProperty(id, (String) value));
                case BINARY -> netty.add(new MqttProperties.BinaryProperty(id, (byte[]) value));
                case UTF8_PAIR -> netty.add(new MqttProperties.UserProperty(((StringPair) value).name(),
                        ((StringPair) value).value()));
            }
        }
        return netty;
    }

    private static Properties fromNetty(MqttProperties netty) {
        List<Property> list = new ArrayList<>();
        if (netty == null) {
            return Properties.EMPTY;
        }
        for (MqttProperties.MqttProperty<?> p : netty.listAll()) {
            PropertyId id = PropertyId.of(p.propertyId());
            if (p instanceof MqttProperties.UserProperties users) {
                users.value().forEach(pair -> list.add(new Property(id, new StringPair(pair.key, pair.value))));
            } else if (p instanceof MqttProperties.UserProperty user) {
                list.add(new Property(id, new StringPair(user.value().key, user.value().value)));
            } else if (id.type() == PropertyId.Type.FOUR_BYTE) {
                list.add(new Property(id, Integer.toUnsignedLong((Integer) p.value())));
            } else {
                list.add(new Property(id, p.value()));
            }
        }
        return sorted(Properties.of(list));
    }
}
