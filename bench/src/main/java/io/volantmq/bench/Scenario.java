package io.volantmq.bench;

/** The load shapes the tool drives; {@link Topology#of} turns one into streams and clients. */
enum Scenario {
    PAIR("pair", "N independent publisher -> subscriber pairs, each on its own topic (N: --publishers, default 1)"),
    FAN_IN("fan-in", "N publishers -> 1 subscriber on one topic (N: --publishers, default 20)"),
    FAN_OUT("fan-out", "1 publisher -> N subscribers on one topic (N: --subscribers, default 20)"),
    MESH("mesh", "N clients, each publishing to one shared topic and subscribed to it (N: --clients, default 20)"),
    CONNECTIONS("connections", "C connections each subscribed to its own topic, then one message to each"
            + " (C: --clients, default 1000; publishers: --publishers, default 1)");

    private final String command;
    private final String description;

    Scenario(String command, String description) {
        this.command = command;
        this.description = description;
    }

    String command() {
        return command;
    }

    String description() {
        return description;
    }
}
