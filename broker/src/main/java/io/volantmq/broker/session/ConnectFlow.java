package io.volantmq.broker.session;

import io.volantmq.broker.BrokerContext;

import io.volantmq.broker.LogSafe;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.auth.AuthStep;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.auth.EnhancedAuthExchange;
import io.volantmq.broker.auth.EnhancedAuthMechanism;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import java.util.List;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.PluginMessages;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.UserProperty;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * From CONNECT to CONNACK: client id rules, authentication (plain, or an MQTT 5 enhanced exchange
 * over AUTH packets), session claim with takeover, and the CONNACK with what was negotiated.
 * One per connection; runs on its event loop.
 */
final class ConnectFlow {
    private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);

    private final BrokerContext broker;
    private final MqttConnection connection;
    private Connect connect;
    private boolean assignedClientId;
    private EnhancedAuthExchange exchange;
    private String authMethod;
    private byte[] finalAuthData;
    /** An AUTH challenge is out and the broker waits for the client's answer. */
    private boolean awaitingClientAuth;
    /** Cluster: the fencing generation this node got for the client id; -1 before it has one. */
    private long clusterGeneration = -1;

    ConnectFlow(BrokerContext broker, MqttConnection connection) {
        this.broker = broker;
        this.connection = connection;
    }

    /** The CONNECT; may complete later (authentication, takeover). */
    void onConnect(Connect connect) {
        this.connect = connect;
        ProtocolVersion version = connect.version();
        if (willTooDeep(connect)) {
            return;
        }
        String serverReference = broker.config().settings().get("serverReference");
        if (serverReference != null && !serverReference.isBlank()) {
            // an operator moving clients elsewhere: 0x9C use another server, 0x9D server moved (3.x: 0x03)
            boolean moved = Boolean.parseBoolean(broker.config().settings().getOrDefault("serverMoved", "false"));
            connection.refuseConnect(moved ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER,
                    "clients are sent to " + serverReference + " (volantmq.serverReference)",
                    Properties.builder().add(PropertyId.SERVER_REFERENCE, serverReference.trim()).build());
            return;
        }
        String clientId = connect.clientId();
        if (clientId.isEmpty()) {
            // 3.1 requires 1..23 characters; 3.1.1 allows empty only with clean session [MQTT-3.1.3-7/8];
            // 5.0 assigns one either way [MQTT-3.1.3-6]
            if (version == ProtocolVersion.MQTT_3_1 || (!connect.cleanSession() && !version.isV5())) {
                connection.refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client id without clean session");
                return;
            }
            clientId = "auto-" + UUID.randomUUID();
            assignedClientId = true;
        }
        connection.connecting(clientId);
        authMethod = connect.properties().getString(PropertyId.AUTHENTICATION_METHOD);
        if (authMethod != null) {
            startEnhancedAuth(connect.properties().getBinary(PropertyId.AUTHENTICATION_DATA));
        } else {
            plainAuth();
        }
    }

    private AuthRequest authRequest() {
        return new AuthRequest(connection.listener().uri().toString(), connect.clientId(), connect.username(),
                connect.password(), connection.remoteAddress(),
                connection.peerCertificates(), connect.version());
    }

    private void plainAuth() {
        connection.listener().authenticator().authenticate(authRequest()).whenComplete((result, error) ->
                connection.eventLoop().execute(() -> {
                    if (!connection.isConnecting()) {
                        return; // closed while the authenticator worked
                    }
                    if (error != null) {
                        log.error("authentication of client {} from {} failed", LogSafe.escape(connection.clientId()),
                                connection.remoteAddress(), error);
                        connection.refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "authentication failed: " + error);
                    } else if (!result.allowed()) {
                        connection.refuseConnect(result.reasonCode(), "not authenticated: " + result.reason());
                    } else {
                        authenticated(result.username() != null ? result.username() : connect.username());
                    }
                }));
    }

    // ------------------------------------------------------------------ MQTT 5 enhanced authentication

    private void startEnhancedAuth(byte[] data) {
        // only the methods this listener's auth chain names: a certificate-only listener takes no SCRAM
        EnhancedAuthMechanism mechanism = connection.listener().authMechanisms().get(authMethod);
        if (mechanism == null) {
            connection.refuseConnect(ReasonCode.BAD_AUTHENTICATION_METHOD,
                    "authentication method '" + authMethod + "' is not enabled on this listener (volantmq.auth)");
            return;
        }
        exchange = mechanism.start(authRequest());
        runStep(data);
    }

    /** True while the handshake waits for the client's next AUTH, not for the broker. */
    boolean awaitingClientAuth() {
        return awaitingClientAuth;
    }

    /** An AUTH from the client while connecting, or to re-authenticate once connected [MQTT-4.12]. */
    void onAuth(Auth auth) {
        awaitingClientAuth = false;
        String method = auth.properties().getString(PropertyId.AUTHENTICATION_METHOD);
        if (method == null || !method.equals(authMethod)) {
            // [MQTT-4.12.0-5] the method must stay the one of the CONNECT
            connection.closeWithReason(ReasonCode.PROTOCOL_ERROR, "AUTH with another authentication method");
            return;
        }
        boolean connected = !connection.isConnecting();
        if (auth.reasonCode() == ReasonCode.REAUTHENTICATE && connected && exchange == null) {
            exchange = connection.listener().authMechanisms().get(authMethod).start(authRequest());
        } else if (auth.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION || exchange == null) {
            connection.closeWithReason(ReasonCode.PROTOCOL_ERROR, "unexpected AUTH " + auth.reasonCode());
            return;
        }
        runStep(auth.properties().getBinary(PropertyId.AUTHENTICATION_DATA));
    }

    private void runStep(byte[] clientData) {
        EnhancedAuthExchange current = exchange;
        byte[] data = clientData == null ? new byte[0] : clientData;
        CompletableFuture.supplyAsync(() -> current.step(data), broker.workers()).whenComplete((step, error) ->
                connection.eventLoop().execute(() -> afterStep(current, step, error)));
    }

    private void afterStep(EnhancedAuthExchange current, AuthStep step, Throwable error) {
        if (exchange != current || !connection.isOpen()) {
            return;
        }
        boolean reauth = !connection.isConnecting();
        if (error != null || step.outcome() == AuthStep.Outcome.FAILURE) {
            exchange = null;
            int code = error != null ? ReasonCode.UNSPECIFIED_ERROR : step.reasonCode();
            String reason = error != null ? "authentication error: " + error : "not authenticated: " + step.reason();
            if (reauth) {
                connection.closeWithReason(code, reason); // [MQTT-4.12.1-2]
            } else {
                connection.refuseConnect(code, reason);
            }
            return;
        }
        Properties.Builder props = Properties.builder().add(PropertyId.AUTHENTICATION_METHOD, authMethod)
                .addIfNotNull(PropertyId.AUTHENTICATION_DATA, step.serverData());
        if (step.outcome() == AuthStep.Outcome.CONTINUE) {
            connection.writeAndFlush(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, props.build()));
            if (!reauth) {
                awaitingClientAuth = true;
                connection.readOnce(); // reads stay paused while connecting; the client's AUTH is next
            }
            return;
        }
        exchange = null;
        if (reauth) {
            connection.writeAndFlush(new Auth(ReasonCode.SUCCESS, props.build()));
        } else {
            finalAuthData = step.serverData();
            authenticated(step.username());
        }
    }

    // ------------------------------------------------------------------ session and CONNACK

    /** CONNACK user properties the plugins' connect interceptors added (MQTT 5). */
    private List<UserProperty> connAckUserProperties = List.of();

    private void authenticated(String username) {
        ClientIdentity identity = new ClientIdentity(connection.clientId(), username,
                connection.listener().uri().toString(), connection.remoteAddress());
        connection.identity(identity);
        if (connect.will() != null && broker.acl().mayBlock() || broker.plugins().connectMayBlock()) {
            decideAsync(identity);
            return;
        }
        if (connect.will() != null) {
            // a will is a publish made later on the client's behalf: the same rules apply now, not
            // only when it goes out, so the client learns at once (v5 0x87, 3.x 0x05)
            String refusal = PublishPermission.willRefusal(broker.acl(), identity, connect.will().topic());
            if (refusal != null) {
                connection.refuseConnect(ReasonCode.NOT_AUTHORIZED, "will refused: " + refusal);
                return;
            }
        }
        if (broker.plugins().hasConnectInterceptors()) {
            ConnectResult r = broker.plugins().onConnect(identity, PluginMessages.userProperties(connect.properties()));
            if (!r.accepted()) {
                connection.refuseConnect(r.reasonCode(), "refused by a plugin: " + r.reason());
                return;
            }
            connAckUserProperties = r.userProperties();
        }
        claimSession();
    }

    /**
     * A plugin authorizer (for the will) or CONNECT interceptor may block: reads are already paused while
     * connecting; the event loop does not wait, the rest of the CONNECT runs on it once the plugins answered.
     */
    private void decideAsync(ClientIdentity identity) {
        connection.awaitPlugin();
        CompletionStage<String> willRefusal = connect.will() == null ? CompletableFuture.completedFuture(null)
                : PublishPermission.refusalAsync(broker.acl(), identity, connect.will().topic(), true);
        willRefusal.thenCompose(refusal -> refusal != null || !broker.plugins().hasConnectInterceptors()
                        ? CompletableFuture.completedFuture(new ConnectAnswers(refusal, null))
                        : broker.plugins().onConnectAsync(identity, PluginMessages.userProperties(connect.properties()))
                                .thenApply(r -> new ConnectAnswers(null, r)))
                .whenComplete((answers, error) -> connection.afterPlugin(() -> {
                    if (!connection.isConnecting()) {
                        return; // closed (or timed out) while the plugins worked
                    }
                    if (error != null) {
                        throw new IllegalStateException("a plugin's answer failed", error);
                    }
                    if (answers.willRefusal() != null) {
                        connection.refuseConnect(ReasonCode.NOT_AUTHORIZED, "will refused: " + answers.willRefusal());
                        return;
                    }
                    if (answers.intercepted() != null && !answers.intercepted().accepted()) {
                        connection.refuseConnect(answers.intercepted().reasonCode(),
                                "refused by a plugin: " + answers.intercepted().reason());
                        return;
                    }
                    if (answers.intercepted() != null) {
                        connAckUserProperties = answers.intercepted().userProperties();
                    }
                    claimSession();
                }));
    }

    /** What blocking plugins answered for a CONNECT: the will's refusal (or null), the interceptors' result. */
    private record ConnectAnswers(String willRefusal, ConnectResult intercepted) {
    }

    private long requestedExpiry() {
        if (!connect.version().isV5()) {
            return connect.cleanSession() ? 0 : SessionState.NEVER_EXPIRES;
        }
        Long expiry = connect.properties().getLong(PropertyId.SESSION_EXPIRY_INTERVAL);
        return expiry == null ? 0 : expiry;
    }

    /** The requested expiry within volantmq.maxSessionExpiry. */
    private long grantedExpiry() {
        return broker.sessions().grantedExpiry(requestedExpiry());
    }

    private void claimSession() {
        String clientId = connection.clientId();
        if (broker.sessions().reserved(clientId)) {
            // the broker's own queue (a bridge's) is under this id; internal ones are registered before
            // the listeners open, so no client can hold it already
            connection.refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client id is reserved by the broker");
            return;
        }
        ClusterLink cluster = broker.sessions().cluster();
        if (cluster.active() && clusterGeneration < 0) {
            acquireInCluster(cluster, clientId);
            return;
        }
        SessionRegistry.Claim claim;
        try {
            claim = broker.sessions().claim(clientId, connect.cleanSession(), connect.version().level(),
                    grantedExpiry(), connection.identity().username());
        } catch (PersistenceException e) {
            connection.refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "store unavailable: " + e.getMessage());
            return;
        }
        if (claim.refusedOwner() != null) {
            // the reason goes to the client too (v5 Reason String): it does not name the owner
            String user = connection.identity().username();
            connection.refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client id is bound to another user than "
                    + (user == null ? "an anonymous client" : "'" + user + "'") + " (volantmq.clientIdBinding=username)");
            return;
        }
        if (claim.refusedFull()) {
            connection.refuseConnect(ReasonCode.QUOTA_EXCEEDED, "session limit reached (volantmq.maxSessionCount)");
            return;
        }
        if (claim.previous() != null) {
            MqttConnection previous = claim.previous();
            broker.events().onDuplicateClientId(clientId, previous.remoteAddress(), connection.remoteAddress(),
                    claim.refusedDuplicate());
            if (claim.refusedDuplicate()) {
                connection.refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                        "client id in use by " + previous.remoteAddress() + " (volantmq.duplicateClientId=refuse)");
                return;
            }
            log.info("client {} from {} takes over the session connected from {}", LogSafe.escape(clientId),
                    connection.remoteAddress(), previous.remoteAddress());
            boolean keepWill = willSurvivesTakeover(previous);
            previous.eventLoop().execute(() -> {
                if (!keepWill) {
                    previous.discardWill();
                }
                previous.closeWithReason(ReasonCode.SESSION_TAKEN_OVER,
                        "session taken over by " + connection.remoteAddress());
            });
            previous.detached().whenComplete((ignored, error) -> connection.eventLoop().execute(() -> {
                if (connection.isConnecting()) {
                    claimSession();
                }
            }));
            return;
        }
        int keepAlive = effectiveKeepAlive();
        try {
            connection.connected(claim.session(), connect, keepAlive, grantedExpiry(),
                    connAck(claim.sessionPresent(), keepAlive));
            if (cluster.active()) {
                confirmInCluster(cluster, clientId);
            }
            broker.plugins().connected(connection.identity());
            if (authMethod == null) {
                // only a re-authentication [MQTT-4.12] needs this flow again, and it needs an authentication method
                connection.handshakeDone();
            }
        } catch (PersistenceException e) {
            // the resumed session's state could not be read: it stays, offline, for a later try
            connection.refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "store unavailable: " + e.getMessage());
        }
    }

    /**
     * Cluster: this node becomes the client id's owner first (the node that held it closes it and
     * hands the session over through the shared store), then the local claim runs as on one node.
     */
    private void acquireInCluster(ClusterLink cluster, String clientId) {
        StoredMessage will = null;
        long willDelay = 0;
        if (connect.will() != null) {
            Properties properties = connect.will().properties();
            Long delay = properties.getLong(PropertyId.WILL_DELAY_INTERVAL);
            willDelay = delay == null ? 0 : delay;
            will = broker.messageCodec().toStored(new Publish(connect.will().topic(), connect.will().qos(),
                    connect.will().retain(), false, 0, connect.will().payload(),
                    properties.without(PropertyId.WILL_DELAY_INTERVAL)), System.currentTimeMillis());
        }
        cluster.acquire(clientId, will, willDelay).whenComplete((generation, error) ->
                connection.eventLoop().execute(() -> {
                    if (!connection.isConnecting()) {
                        return;
                    }
                    if (error != null) {
                        connection.refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "cluster registry unavailable: "
                                + error.getMessage());
                        return;
                    }
                    clusterGeneration = generation;
                    claimSession();
                }));
    }

    /** Two nodes raced for the client id: the one with the older generation closes its connection. */
    private void confirmInCluster(ClusterLink cluster, String clientId) {
        long generation = clusterGeneration;
        cluster.confirm(clientId, generation).whenComplete((owner, error) -> {
            if (error == null && Boolean.TRUE.equals(owner)) {
                return;
            }
            connection.eventLoop().execute(() -> connection.closeWithReason(ReasonCode.SESSION_TAKEN_OVER,
                    error != null ? "cluster registry unavailable: " + error.getMessage()
                            : "client id taken over on another node (generation " + generation + ")"));
        });
    }

    /**
     * Whether the will of a connection being taken over is still sent. MQTT 3.1.1 does not list a
     * takeover among the will's triggers (3.1.2.5); like Mosquitto, a 3.x will stays unsent when the
     * session continues (neither connection asked for a clean session): a device reconnecting over a
     * half-open TCP connection must not announce itself offline. MQTT 5 decides by its own rule: the
     * will goes out on takeover unless its delay outlasts the reconnect [MQTT-3.1.3-9].
     */
    private boolean willSurvivesTakeover(MqttConnection previous) {
        if (previous.version().isV5()) {
            return true;
        }
        Session session = broker.sessions().get(connection.clientId());
        boolean continues = !connect.cleanSession() && session != null && session.persistent();
        return !continues;
    }

    /** The keep-alive the broker holds the client to; MQTT 5 clients are told when it differs. */
    private int effectiveKeepAlive() {
        BrokerConfig config = broker.config();
        int requested = connect.keepAlive();
        if (config.forceKeepAlive()) {
            return config.keepAliveSeconds();
        }
        int max = config.maxKeepAliveSeconds();
        if (connect.version().isV5() && max > 0 && (requested == 0 || requested > max)) {
            return max;
        }
        return requested;
    }

    private ConnAck connAck(boolean sessionPresent, int keepAlive) {
        if (!connect.version().isV5()) {
            return new ConnAck(sessionPresent, ReasonCode.V3_ACCEPTED, Properties.EMPTY);
        }
        BrokerConfig config = broker.config();
        Properties.Builder p = Properties.builder();
        if (assignedClientId) {
            p.add(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, connection.clientId()); // [MQTT-3.2.2-16]
        }
        if (keepAlive != connect.keepAlive()) {
            p.add(PropertyId.SERVER_KEEP_ALIVE, keepAlive); // [MQTT-3.2.2-21]
        }
        if (grantedExpiry() != requestedExpiry()) {
            // MQTT 5 3.2.2.3.2: the server tells the client when it uses another Session Expiry Interval
            p.add(PropertyId.SESSION_EXPIRY_INTERVAL, grantedExpiry());
        }
        if (config.receiveMaximum() != 65535) {
            p.add(PropertyId.RECEIVE_MAXIMUM, config.receiveMaximum());
        }
        if (config.topicAliasMaximum() > 0) {
            p.add(PropertyId.TOPIC_ALIAS_MAXIMUM, config.topicAliasMaximum());
        }
        p.add(PropertyId.MAXIMUM_PACKET_SIZE, (long) connection.listener().maxPacketSize());
        Integer requestResponse = connect.properties().getInt(PropertyId.REQUEST_RESPONSE_INFORMATION);
        if (requestResponse != null && requestResponse == 1 && config.responseInformation() != null) {
            p.add(PropertyId.RESPONSE_INFORMATION, config.responseInformation());
        }
        if (authMethod != null) {
            p.add(PropertyId.AUTHENTICATION_METHOD, authMethod);
            p.addIfNotNull(PropertyId.AUTHENTICATION_DATA, finalAuthData);
        }
        for (UserProperty u : connAckUserProperties) {
            p.add(PropertyId.USER_PROPERTY, new StringPair(u.name(), u.value()));
        }
        return new ConnAck(sessionPresent, ReasonCode.SUCCESS, p.build());
    }

    /**
     * A will topic deeper than {@code maxTopicLevels} is refused before anything else: published later
     * (by the housekeeping thread, for a delayed will) it would cost a walk as deep as the client chose.
     * MQTT 5: CONNACK 0x90 Topic Name invalid; 3.x has no return code for it, so the connection is
     * closed without CONNACK, as for any CONNECT the server does not accept [MQTT-3.1.4-1].
     */
    private boolean willTooDeep(Connect connect) {
        if (connect.will() == null || !broker.limits().tooManyLevels(connect.will().topic())) {
            return false;
        }
        broker.metrics().limitRefused(io.volantmq.broker.metrics.BrokerMetrics.Limit.TOPIC_LEVELS);
        String reason = "will topic of client '" + connect.clientId() + "' has more than "
                + broker.limits().maxTopicLevels()
                + " levels (volantmq.maxTopicLevels): "
                + io.volantmq.broker.protocol.Topics.abbreviate(connect.will().topic());
        if (connect.version().isV5()) {
            connection.refuseConnect(ReasonCode.TOPIC_NAME_INVALID, reason);
        } else {
            connection.closeWithReason(ReasonCode.TOPIC_NAME_INVALID, reason);
        }
        return true;
    }
}
