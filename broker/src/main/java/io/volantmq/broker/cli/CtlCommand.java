package io.volantmq.broker.cli;

import io.volantmq.broker.admin.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code volantmq ctl ...}: a client of a running broker's admin HTTP endpoint ({@code volantmq.adminAddr}).
 * Prints the endpoint's JSON answer on stdout; an error answer goes to stderr with exit status 1.
 * Credentials never go on the command line: the token comes from {@code --token-file} or
 * {@code VOLANTMQ_ADMIN_TOKEN}, a Basic password from {@code VOLANTMQ_ADMIN_PASSWORD} or the terminal.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Administer a running broker through its admin HTTP endpoint (volantmq.adminAddr).",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Environment: VOLANTMQ_ADMIN_URL (default http://127.0.0.1:8080), VOLANTMQ_ADMIN_TOKEN, "
            + "VOLANTMQ_ADMIN_PASSWORD (with --user)."})
final class CtlCommand implements Runnable {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final int NOT_SUPPORTED = 3;

    private final Io io;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The admin endpoint (default: $VOLANTMQ_ADMIN_URL, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "A file holding the admin token (volantmq.adminToken); default: $VOLANTMQ_ADMIN_TOKEN.")
    Path tokenFile;

    @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "USER",
            description = "Basic credentials of a user in volantmq.adminUsers; the password comes from "
                    + "$VOLANTMQ_ADMIN_PASSWORD or the terminal.")
    String user;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS",
            description = "How long to wait for an answer (default 15).")
    Integer timeoutSeconds;

    CtlCommand(Io io) {
        this.io = io;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; see 'volantmq ctl --help'");
    }

    @Command(name = "health", mixinStandardHelpOptions = true,
            description = "The broker's /health (no credentials needed); exit 1 unless it is up and ready.")
    int health() {
        return send("GET", "/health", null, false);
    }

    @Command(name = "clients", mixinStandardHelpOptions = true,
            description = "List sessions (online and persistent offline), or show one client.")
    int clients(@Parameters(arity = "0..1", paramLabel = "CLIENT_ID", description = "Show this client only.")
                String clientId,
                @Option(names = "--limit", paramLabel = "N") Integer limit,
                @Option(names = "--offset", paramLabel = "N") Integer offset) {
        if (clientId != null) {
            return send("GET", "/api/clients/" + segment(clientId), null, true);
        }
        return send("GET", "/api/clients" + query("limit", limit, "offset", offset), null, true);
    }

    @Command(name = "subscriptions", mixinStandardHelpOptions = true, description = "List subscriptions.")
    int subscriptions(@Option(names = "--client", paramLabel = "CLIENT_ID", description = "Of this client only.")
                      String clientId,
                      @Option(names = "--limit", paramLabel = "N") Integer limit,
                      @Option(names = "--offset", paramLabel = "N") Integer offset) {
        return send("GET", "/api/subscriptions" + query("client", clientId, "limit", limit, "offset", offset), null,
                true);
    }

    @Command(name = "kick", mixinStandardHelpOptions = true,
            description = "Disconnect a client (MQTT 5: DISCONNECT 0x98 administrative action); its session stays.")
    int kick(@Parameters(paramLabel = "CLIENT_ID") String clientId) {
        return send("POST", "/api/clients/" + segment(clientId) + "/disconnect", "{}", true);
    }

    @Command(name = "retained", mixinStandardHelpOptions = true,
            description = "List retained messages, or delete the one on a topic.")
    int retained(@Option(names = "--filter", paramLabel = "FILTER", description = "Only those matching it.")
                 String filter,
                 @Option(names = "--delete", paramLabel = "TOPIC", description = "Delete the message on TOPIC.")
                 String delete,
                 @Option(names = "--limit", paramLabel = "N") Integer limit,
                 @Option(names = "--offset", paramLabel = "N") Integer offset) {
        if (delete != null) {
            return send("DELETE", "/api/retained" + query("topic", delete), null, true);
        }
        return send("GET", "/api/retained" + query("filter", filter, "limit", limit, "offset", offset), null, true);
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Publish a message as the broker.")
    int publish(@Parameters(index = "0", paramLabel = "TOPIC") String topic,
                @Parameters(index = "1", paramLabel = "PAYLOAD", description = "UTF-8 text.") String payload,
                @Option(names = {"-q", "--qos"}, paramLabel = "0|1|2", defaultValue = "0") int qos,
                @Option(names = {"-r", "--retain"}) boolean retain) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("payload", payload);
        body.put("qos", qos);
        body.put("retain", retain);
        return send("POST", "/api/publish", Json.write(body), true);
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "The settings the broker runs with (secrets masked).")
    int config() {
        return send("GET", "/api/config", null, true);
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Ask the broker to re-read its configuration sources and its password, ACL and TLS files "
                    + "(as SIGHUP does); prints what was applied and what needs a restart (exit 3 from a broker "
                    + "without the reload endpoint).")
    int reload() {
        return send("POST", "/api/reload", "{}", true);
    }

    private int send(String method, String path, String json, boolean authenticated) {
        String base = base();
        int timeout = timeoutSeconds == null ? 15 : timeoutSeconds;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(timeout));
        } catch (IllegalArgumentException e) {
            io.err().println("volantmq ctl: not a URL: " + base + " (" + e.getMessage() + ")");
            return 2;
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            String authorization = authenticated ? authorization() : null;
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(Math.min(timeout, 5))).build();
            HttpResponse<String> response = client.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return answer(path, response, authenticated && authorization == null);
        } catch (IOException e) {
            io.err().println("volantmq ctl: cannot reach the admin endpoint at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (is volantmq.adminAddr set, and --url right?)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int answer(String path, HttpResponse<String> response, boolean noCredentials) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            io.out().println(response.body());
            return 0;
        }
        if (status == 404 && path.equals("/api/reload")) {
            io.err().println("volantmq ctl reload: not supported yet by this broker (it has no reload endpoint); "
                    + "password, ACL and TLS files are re-read when they change");
            return NOT_SUPPORTED;
        }
        String hint = status == 401 && noCredentials
                ? " (give --token-file FILE, VOLANTMQ_ADMIN_TOKEN, or --user USER)" : "";
        io.err().println("volantmq ctl: HTTP " + status + ": " + errorText(response.body()) + hint);
        if (path.equals("/health")) {
            io.out().println(response.body()); // a 503 still says what is down
        }
        return 1;
    }

    /** {@code {"error": "..."}} as its message, anything else as it came. */
    private static String errorText(String body) {
        try {
            if (Json.parse(body) instanceof Map<?, ?> map && map.get("error") instanceof String message) {
                return message;
            }
        } catch (RuntimeException e) {
            // not JSON: show it as it is
        }
        return body;
    }

    private String base() {
        String value = url != null ? url : io.env("VOLANTMQ_ADMIN_URL");
        value = value == null ? DEFAULT_URL : value.trim();
        if (!value.contains("://")) {
            value = "http://" + value;
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private String authorization() throws IOException {
        if (tokenFile != null) {
            return "Bearer " + Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        }
        if (user != null) {
            String password = io.env("VOLANTMQ_ADMIN_PASSWORD");
            if (password == null && io.console() != null) {
                char[] typed = io.console().readPassword("admin password for %s: ", user);
                password = typed == null ? "" : new String(typed);
            }
            if (password == null) {
                throw new IOException("--user needs VOLANTMQ_ADMIN_PASSWORD or a terminal to ask on");
            }
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
        String token = io.env("VOLANTMQ_ADMIN_TOKEN");
        return token == null ? null : "Bearer " + token.trim();
    }

    /** One path segment: the endpoint decodes each segment on its own, so '/' inside an id survives. */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} of the pairs whose value is set. */
    private static String query(Object... pairs) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.add(pairs[i] + "=" + URLEncoder.encode(String.valueOf(pairs[i + 1]), StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }
}
