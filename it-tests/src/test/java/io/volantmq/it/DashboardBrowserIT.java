package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web dashboard in a real browser (headless Chromium from Debian's {@code chromium} and
 * {@code chromium-driver}, driven by Selenium) against a real broker with real MQTT clients (Paho 3.1.1
 * and 5.0): log in, see the clients, kick one, publish from the form, delete a retained message, trace,
 * and the phone layout. A screenshot of every page goes to {@code target/dashboard-screenshots/}.
 * Without Chromium the test is skipped locally and FAILS under CI ({@code CI=true}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {
    private static final String TOKEN = "dashboard-it-token";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static BrokerFixture broker;
    private static String base;
    private static WebDriver driver;
    private static MqttClient victim;
    private static PahoSupport.Recorder victimEvents;
    private static MqttClient bystander;
    private static org.eclipse.paho.mqttv5.client.MqttClient subscriber;
    private static final BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        RequiredTool.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "DashboardBrowserIT needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (apt-get install chromium chromium-driver)");
        broker = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN));
        base = "http://127.0.0.1:" + broker.broker().adminAddress().getPort();
        Files.createDirectories(SHOTS);

        victimEvents = new PahoSupport.Recorder();
        victim = PahoSupport.client(broker.uri(), "dash-victim", victimEvents);
        victim.connect(PahoSupport.options(false)); // a persistent session: it stays listed, offline, after the kick
        victim.subscribe("dash/victim/#", 1);
        bystander = PahoSupport.connect(broker.uri(), "dash-bystander", true, new PahoSupport.Recorder());
        bystander.subscribe("dash/bystander", 0);
        subscriber = new org.eclipse.paho.mqttv5.client.MqttClient(broker.uri(), "dash-subscriber",
                new MemoryPersistence());
        subscriber.setCallback(new Recording());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(false);
        subscriber.connect(options);
        subscriber.subscribe("dash/out/#", 1);

        ChromeOptions chrome = new ChromeOptions();
        chrome.setBinary(CHROMIUM.toFile());
        // root in a container: no sandbox; /dev/shm may be tiny there
        chrome.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1200", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, chrome);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        for (MqttClient c : new MqttClient[] {victim, bystander}) {
            if (c != null && c.isConnected()) {
                c.disconnect();
            }
        }
        if (subscriber != null && subscriber.isConnected()) {
            subscriber.disconnect();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The MQTT 5 subscriber's messages. */
    private static final class Recording implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(message);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    @Test
    @Order(1)
    void staticFilesAreOpenWithStrictHeadersAndTheApiIsNot() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("location")).contains("/dashboard/");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy").orElse(""))
                .contains("default-src 'self'").contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(page.body()).doesNotContain("<script>").contains("/dashboard/app.js");
        HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/api/stats"))
                .header("X-VolantMQ-Dashboard", "1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stats.statusCode()).isEqualTo(401);
        assertThat(stats.headers().firstValue("www-authenticate")).as("no browser login dialog").isEmpty();
        HttpResponse<String> traversal = http.send(HttpRequest.newBuilder(
                URI.create(base + "/dashboard/..%2F..%2FAdminHandler.class")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(traversal.statusCode()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void logsInAndSeesTheConnectedClients() throws Exception {
        driver.get(base + "/");
        waitFor(By.id("login"));
        assertThat(driver.getCurrentUrl()).endsWith("/dashboard/");
        driver.findElement(By.id("login-submit")).click();
        assertThat(text(By.cssSelector("#login .msg.error"))).contains("Enter the admin token");
        driver.findElement(By.id("login-token")).sendKeys("wrong-token");
        driver.findElement(By.id("login-submit")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.cssSelector("#login .msg.error"))
                .contains("Login failed"));
        shot("login");
        WebElement token = driver.findElement(By.id("login-token"));
        token.clear();
        token.sendKeys(TOKEN);
        driver.findElement(By.id("login-submit")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.cssSelector("#stat-connected .value"))
                .equals("3"));
        assertThat((String) js("return sessionStorage.getItem('volantmq.auth')")).isEqualTo("Bearer " + TOKEN);
        assertThat(driver.getCurrentUrl()).doesNotContain(TOKEN);
        // a few samples with some traffic, so the charts have lines
        await().atMost(WAIT).until(() -> ((Number) js("return document.querySelectorAll('canvas').length"))
                .intValue() == 4);
        int[] n = {0};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            bystander.publish("dash/bystander", ("tick " + n[0]++).getBytes(StandardCharsets.UTF_8), 0, false);
            return Integer.parseInt(driver.findElement(By.id("overview")).getAttribute("data-samples")) >= 6;
        });
        assertThat(text(By.id("bridges-off"))).isEqualTo("no bridges configured"); // DashboardPanelsIT: the panels on
        assertThat(text(By.id("cluster-off"))).isEqualTo("single node");
        shot("overview");

        driver.get(base + "/dashboard/#/clients");
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("clients")).contains("dash-victim")
                && text(By.id("clients")).contains("dash-bystander") && text(By.id("clients")).contains("dash-subscriber"));
        assertThat(text(By.cssSelector("tr[data-client='dash-subscriber']"))).contains("MQTT 5.0").contains("online");
        driver.findElement(By.id("client-search")).sendKeys("victim\n");
        await().atMost(WAIT).ignoreExceptions().until(() -> !text(By.id("clients")).contains("dash-bystander")
                && text(By.id("clients")).contains("dash-victim"));
        shot("clients");
    }

    @Test
    @Order(3)
    void kicksAClientAfterConfirmation() throws Exception {
        driver.get(base + "/dashboard/#/clients?q=victim");
        waitFor(By.linkText("dash-victim")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("client-subscriptions")).contains("dash/victim/#"));
        assertThat(text(By.id("client-details"))).contains("online").contains("MQTT 3.1.1");
        shot("client");
        driver.findElement(By.id("kick")).click();
        WebElement yes = waitFor(By.id("kick-yes"));
        assertThat(victim.isConnected()).as("nothing happens before the confirmation").isTrue();
        shot("client-kick-confirm");
        yes.click();
        await().atMost(WAIT).until(() -> !victim.isConnected());
        assertThat(victimEvents.lost).isNotEmpty();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("client-status")).contains("Disconnected dash-victim")
                && text(By.id("client-details")).contains("offline"));
        shot("client-kicked");
    }

    @Test
    @Order(4)
    void publishesFromTheFormAndRefusesBadInput() throws Exception {
        driver.get(base + "/dashboard/#/publish");
        waitFor(By.id("pub-topic")).sendKeys("dash/out/+");
        driver.findElement(By.id("pub-payload")).sendKeys("must not be sent");
        driver.findElement(By.id("pub-expiry")).sendKeys("soon");
        driver.findElement(By.id("pub-send")).click();
        String error = text(By.cssSelector("#pub-result .msg.error"));
        assertThat(error).contains("Not sent").contains("wildcards").contains("Message expiry");
        shot("publish-bad-input");

        driver.findElement(By.id("pub-topic")).clear();
        driver.findElement(By.id("pub-topic")).sendKeys("dash/out/hello");
        driver.findElement(By.id("pub-payload")).clear();
        driver.findElement(By.id("pub-payload")).sendKeys("hello from the dashboard");
        driver.findElement(By.id("pub-expiry")).clear();
        driver.findElement(By.id("pub-expiry")).sendKeys("60");
        driver.findElement(By.cssSelector("#pub-qos option[value='1']")).click();
        driver.findElement(By.id("pub-content-type")).sendKeys("text/plain");
        driver.findElement(By.id("pub-user")).sendKeys("origin=dashboard");
        driver.findElement(By.id("pub-send")).click();
        MqttMessage m = received.poll(15, TimeUnit.SECONDS);
        assertThat(m).as("the subscriber got the form's message").isNotNull();
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("hello from the dashboard");
        assertThat(m.getQos()).isEqualTo(1);
        assertThat(m.getProperties().getContentType()).isEqualTo("text/plain");
        assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("origin", "dashboard"));
        assertThat(received).as("the refused form sent nothing").isEmpty();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.cssSelector("#pub-result .msg.ok"))
                .contains("delivered to subscribers"));
        js("document.getElementById('pub-result').scrollIntoView()");
        shot("publish");
    }

    @Test
    @Order(5)
    void deletesARetainedMessage() throws Exception {
        bystander.publish("dash/retained/a", "keep me".getBytes(StandardCharsets.UTF_8), 1, true);
        bystander.publish("dash/retained/b", "delete me".getBytes(StandardCharsets.UTF_8), 1, true);
        driver.get(base + "/dashboard/#/retained?filter=dash%2Fretained%2F%23");
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("retained")).contains("delete me"));
        shot("retained");
        driver.findElement(By.cssSelector("button[data-topic='dash/retained/b']")).click();
        waitFor(By.cssSelector("button[data-confirm='dash/retained/b']")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("retained-status"))
                .contains("Deleted the retained message on dash/retained/b"));
        assertThat(text(By.id("retained"))).contains("keep me").doesNotContain("delete me");
        // a new subscriber gets only the retained message that is left
        PahoSupport.Recorder fresh = new PahoSupport.Recorder();
        MqttClient late = PahoSupport.connect(broker.uri(), "dash-late", true, fresh);
        late.subscribe("dash/retained/#", 1);
        assertThat(fresh.next().payload()).isEqualTo("keep me");
        assertThat(fresh.poll(1000)).isNull();
        late.disconnect();
        shot("retained-deleted");
    }

    @Test
    @Order(6)
    void browsesSubscriptionsAndTracesLiveMessages() throws Exception {
        driver.get(base + "/dashboard/#/subscriptions?topic=dash%2Fout%2Fx");
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("subscriptions")).contains("dash-subscriber"));
        assertThat(text(By.id("subscriptions"))).doesNotContain("dash-bystander");
        shot("subscriptions");

        driver.get(base + "/dashboard/#/trace");
        waitFor(By.id("trace-value")).sendKeys("dash/trace/#");
        driver.findElement(By.id("trace-start")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("trace-status")).contains("Tracing until"));
        bystander.publish("dash/trace/1", "traced payload".getBytes(StandardCharsets.UTF_8), 0, false);
        bystander.publish("dash/other", "not traced".getBytes(StandardCharsets.UTF_8), 0, false);
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("trace")).contains("traced payload"));
        assertThat(text(By.id("trace"))).contains("dash-bystander").doesNotContain("not traced");
        shot("trace");
        driver.findElement(By.id("trace-stop")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> text(By.id("trace-status")).contains("Stopped"));
    }

    @Test
    @Order(7)
    void fitsAPhoneScreen() throws Exception {
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String page : List.of("overview", "clients")) {
                driver.get(base + "/dashboard/#/" + page);
                await().atMost(WAIT).ignoreExceptions().until(() -> page.equals("overview")
                        ? !driver.findElements(By.cssSelector("#stat-connected")).isEmpty()
                        : text(By.id("clients")).contains("dash-subscriber"));
                long overflow = ((Number) js("return document.documentElement.scrollWidth - window.innerWidth"))
                        .longValue();
                assertThat(overflow).as("no sideways scrolling of the page on " + page).isLessThanOrEqualTo(0);
                shot(page + "-phone");
            }
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 1200));
        }
    }

    private static WebElement waitFor(By by) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> driver.findElement(by), e -> e.isDisplayed());
    }

    private static String text(By by) {
        return waitFor(by).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static void shot(String name) throws Exception {
        File file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
