package io.volantmq.broker.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web dashboard's static files, served from the broker jar under {@code /dashboard/} without
 * credentials: they hold no data; the page asks {@code /api} for everything with the credentials the
 * operator typed. Only the files named here are served (read once, at start), never a path from the
 * request, and every answer carries a strict Content-Security-Policy (scripts and styles from this
 * origin only, nothing inline) and refuses framing.
 */
final class Dashboard {
    static final String PREFIX = "dashboard";
    private static final List<String> FILES = List.of("index.html", "app.js", "chart.js", "style.css", "icon.svg");
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    private final Map<String, byte[]> files = new LinkedHashMap<>();

    Dashboard() {
        for (String name : FILES) {
            try (InputStream in = Dashboard.class.getResourceAsStream(PREFIX + "/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the broker jar lacks the dashboard file " + name);
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code /dashboard/<name>}: one of the files, or 404; {@code /dashboard/} is the page itself. */
    AdminHandler.Response file(List<String> path) {
        String name = path.size() == 1 ? "index.html" : path.size() == 2 ? path.get(1) : "";
        byte[] body = files.get(name);
        if (body == null) {
            return AdminHandler.error(HttpResponseStatus.NOT_FOUND, "no such dashboard file");
        }
        return new AdminHandler.Response(HttpResponseStatus.OK, type(name), body, SECURITY_HEADERS);
    }

    /** {@code /}: to the dashboard. */
    static AdminHandler.Response redirect() {
        Map<String, String> headers = new LinkedHashMap<>(SECURITY_HEADERS);
        headers.put("Location", "/" + PREFIX + "/");
        return new AdminHandler.Response(HttpResponseStatus.FOUND, "text/plain; charset=utf-8", new byte[0], headers);
    }

    private static String type(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "image/svg+xml";
    }
}
