package io.volantmq.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A self-contained HTML page: the summary and two inline SVG charts (throughput, latency per second). */
final class HtmlReport {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 240;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 28;
    private static final int BOTTOM = 40;

    private HtmlReport() {
    }

    static void write(BenchResult result, Path file) throws IOException {
        Files.writeString(file, render(result), StandardCharsets.UTF_8);
    }

    static String render(BenchResult r) {
        BenchConfig c = r.config();
        StringBuilder html = new StringBuilder();
        String title = esc(c.label() + " - " + c.caseName());
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title>\n<style>body{font:14px sans-serif;margin:2em;color:#222}"
                        + "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;"
                        + "text-align:left}td.n{text-align:right}.ok{color:#080}.bad{color:#b00}"
                        + "svg text{font:11px sans-serif}</style></head><body>\n");
        html.append("<h1>").append(title).append("</h1>\n<p>").append(esc(String.format(Locale.ROOT,
                "%s: %d publishers -> %d subscribers, MQTT %s, QoS %d, %d B payload, %s:%d",
                c.scenario().command(), r.publishers(), r.subscribers(), c.protocolName(), c.qos(), c.payloadSize(),
                c.host(), c.port()))).append("</p>\n<table>\n");
        BenchResult.Latency l = r.latency();
        BenchResult.Checks k = r.checks();
        row(html, "delivered", String.format(Locale.ROOT, "%,.0f msgs/s (%,d msgs)", r.deliveredPerSecond(), r.delivered()));
        row(html, "sent", String.format(Locale.ROOT, "%,.0f msgs/s (%,d msgs)", r.sentPerSecond(), r.sent()));
        row(html, "latency p50 / p99 / p99.9 / max", String.format(Locale.ROOT, "%,.0f / %,.0f / %,.0f / %,.0f us",
                l.p50(), l.p99(), l.p999(), l.max()));
        row(html, "lost / duplicated / out of order / packet-id reuse", String.format(Locale.ROOT,
                "%,d / %,d / %,d / %,d", k.lost(), k.duplicated(), k.outOfOrder(), k.packetIdReuse()));
        row(html, "time", String.format(Locale.ROOT, "%.1f s measured after %.1f s warm-up", r.measuredSeconds(),
                c.warmupSeconds()));
        List<String> failures = r.failures();
        html.append("<tr><th>result</th><td class=\"").append(failures.isEmpty() ? "ok\">OK" : "bad\">FAILED: "
                + esc(String.join("; ", failures))).append("</td></tr>\n</table>\n");
        List<Sample> samples = r.samples();
        html.append("<h2>Delivered messages per second</h2>\n");
        html.append(chart(samples, c.warmupSeconds(), false, List.of(
                new Series("delivered/s", "#1f77b4", Sample::deliveredPerSecond),
                new Series("sent/s", "#aaaaaa", Sample::sentPerSecond)), "msgs/s"));
        html.append("<h2>Latency per second (microseconds, log scale)</h2>\n");
        html.append(chart(samples, c.warmupSeconds(), true, List.of(
                new Series("p50", "#2ca02c", Sample::latencyP50Us),
                new Series("p99", "#ff7f0e", Sample::latencyP99Us),
                new Series("max", "#d62728", Sample::latencyMaxUs)), "us"));
        html.append("<p>Shaded: warm-up (not measured). Each point covers the second before it.</p>\n");
        html.append("<p>RESULT line:</p><pre>").append(esc(r.toJson())).append("</pre>\n</body></html>\n");
        return html.toString();
    }

    private record Series(String name, String colour, ToDoubleFunction<Sample> value) {
    }

    /** A line chart over the samples; {@code log} puts the y axis on a log10 scale (latency). */
    private static String chart(List<Sample> samples, double warmupSeconds, boolean log, List<Series> series,
                                String unit) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">%n",
                WIDTH, HEIGHT));
        if (samples.isEmpty()) {
            return svg.append("<text x=\"10\" y=\"20\">no samples</text></svg>\n").toString();
        }
        double maxX = Math.max(1, samples.get(samples.size() - 1).seconds());
        double maxY = 0;
        for (Sample s : samples) {
            for (Series line : series) {
                maxY = Math.max(maxY, line.value().applyAsDouble(s));
            }
        }
        Scale y = log ? Scale.log(maxY) : Scale.linear(maxY);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        if (warmupSeconds > 0) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f3f3f3\"/>%n",
                    LEFT, TOP, plotW * Math.min(1, warmupSeconds / maxX), plotH));
        }
        for (double v : y.ticks()) {
            double py = TOP + plotH - plotH * y.fraction(v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, WIDTH - RIGHT, py,
                    LEFT - 5, py + 4, axisLabel(v)));
        }
        double step = niceCeiling(maxX / 10);
        for (double t = 0; t <= maxX + 1e-9; t += step) {
            double px = LEFT + plotW * t / maxX;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + plotH, px,
                    TOP + plotH + 4, px, TOP + plotH + 16, JsonLine.number(t)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds</text>"
                        + "<text x=\"5\" y=\"%d\">%s</text>%n", LEFT, TOP + plotH, WIDTH - RIGHT, TOP + plotH,
                LEFT + plotW / 2, HEIGHT - 4, TOP - 6, unit));
        int legendX = LEFT + 60;
        for (Series line : series) {
            StringBuilder points = new StringBuilder();
            for (Sample s : samples) {
                double v = line.value().applyAsDouble(s);
                if (log && v <= 0) {
                    continue; // no deliveries measured in that second (e.g. the warm-up)
                }
                double px = LEFT + plotW * s.seconds() / maxX;
                double py = TOP + plotH - plotH * y.fraction(v);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    + "points=\"%s\"/>%n", line.colour(), points.toString().trim()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX, 4, line.colour(), legendX + 14, 13,
                    esc(line.name())));
            legendX += 90;
        }
        return svg.append("</svg>\n").toString();
    }

    /** Maps values to 0..1 of the plot height: linear from 0, or log10 over whole decades. */
    private record Scale(boolean log, double min, double max) {
        static Scale linear(double maxValue) {
            return new Scale(false, 0, niceCeiling(maxValue));
        }

        static Scale log(double maxValue) {
            double top = Math.pow(10, Math.ceil(Math.log10(Math.max(10, maxValue))));
            return new Scale(true, Math.min(10, top / 10), top);
        }

        double fraction(double v) {
            if (!log) {
                return max > 0 ? v / max : 0;
            }
            double clamped = Math.max(min, v);
            return Math.log10(clamped / min) / Math.log10(max / min);
        }

        List<Double> ticks() {
            List<Double> ticks = new java.util.ArrayList<>();
            if (log) {
                for (double v = min; v <= max * 1.0001; v *= 10) {
                    ticks.add(v);
                }
            } else {
                for (int i = 0; i <= 4; i++) {
                    ticks.add(max * i / 4);
                }
            }
            return ticks;
        }
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[]{1, 2, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String axisLabel(double v) {
        if (v >= 1_000_000) {
            return JsonLine.number(v / 1_000_000) + "M";
        }
        if (v >= 1_000) {
            return JsonLine.number(v / 1_000) + "k";
        }
        return JsonLine.number(v);
    }

    private static void row(StringBuilder html, String name, String value) {
        html.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
