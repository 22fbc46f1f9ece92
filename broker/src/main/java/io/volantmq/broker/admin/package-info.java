/**
 * The admin HTTP endpoint: {@link io.volantmq.broker.admin.AdminServer} binds it (plain or TLS), {@link
 * io.volantmq.broker.admin.AdminHandler} routes {@code /health}, {@code /metrics} and the {@code /api/...} calls,
 * {@link io.volantmq.broker.admin.AdminAuth} checks a bearer token or an admin user's Basic credentials, and
 * {@link io.volantmq.broker.admin.AdminApi} answers from the core, never blocking an MQTT event loop.
 */
package io.volantmq.broker.admin;
