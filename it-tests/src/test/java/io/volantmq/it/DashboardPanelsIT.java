package io.volantmq.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The overview's Bridges and Cluster panels in a real browser (headless Chromium, as in
 * {@link DashboardBrowserIT}): a broker with one bridge to an address where nothing listens shows that
 * bridge as not connected with its last error and "single node"; a broker in cluster mode over a real
 * {@code redis-server} lists itself as a live node and "no bridges configured".
 */
class DashboardPanelsIT {
    private static final String TOKEN = "dashboard-panels-token";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static WebDriver driver;
    private BrokerFixture broker;

    @BeforeAll
    static void startBrowser() throws Exception {
        RequiredTool.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "DashboardPanelsIT needs " + CHROMIUM + " and " + CHROMEDRIVER);
        Files.createDirectories(SHOTS);
        ChromeOptions chrome = new ChromeOptions();
        chrome.setBinary(CHROMIUM.toFile());
        chrome.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1200", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, chrome);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @AfterEach
    void stopBroker() throws Exception {
        if (driver != null) {
            driver.manage().window().setSize(new Dimension(1280, 1200));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void showsABridgeThatCannotConnectAndASingleNode() throws Exception {
        String dead;
        try (ServerSocket probe = new ServerSocket(0)) {
            dead = "127.0.0.1:" + probe.getLocalPort(); // closed again: nothing listens there
        }
        broker = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN)
                .setting("bridges", "cloud")
                .setting("bridge.cloud.address", "tcp://" + dead)
                .setting("bridge.cloud.reconnectMin", "100")
                .setting("bridge.cloud.reconnectMax", "500")
                .setting("bridge.cloud.topic.1", "telemetry/# out 1"));
        logIn();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            String row = text(By.cssSelector("#bridges tr[data-bridge='cloud']"));
            assertThat(row).startsWith("cloud no").contains(dead);
        });
        assertThat(text(By.id("cluster-off"))).isEqualTo("single node");
        assertThat(driver.findElements(By.id("bridges-off"))).isEmpty();
        shot("overview-bridges");
        assertNoSidewaysScrollOnAPhone("overview-bridges-phone");
    }

    @Test
    void listsThisNodeInClusterMode(@TempDir Path dir) throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "needs " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        try (RedisServerProcess redis = RedisServerProcess.start(dir)) {
            java.util.Properties store = new java.util.Properties(); // a cluster keeps its sessions in the shared redis
            store.setProperty("volantmq.persistence.redis.uri", redis.uri());
            broker = BrokerFixture.start(b -> b.persistence("redis").persistenceProperties(store)
                    .setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN)
                    .setting("cluster", "redis").setting("cluster.redis.uri", redis.uri())
                    .nodeName("dash-node-1"));
            try {
                logIn();
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    assertThat(text(By.cssSelector("#cluster-panel p"))).isEqualTo("This node: dash-node-1");
                    assertThat(text(By.cssSelector("#cluster-nodes tr[data-node='dash-node-1']")))
                            .isEqualTo("dash-node-1 yes this node");
                });
                assertThat(text(By.id("cluster-traffic"))).contains("Forwarded in").contains("Forwarded out")
                        .contains("Inbox length");
                assertThat(text(By.id("bridges-off"))).isEqualTo("no bridges configured");
                shot("overview-cluster");
                assertNoSidewaysScrollOnAPhone("overview-cluster-phone");
            } finally {
                broker.close(); // before redis goes
                broker = null;
            }
        }
    }

    private void logIn() {
        driver.get("http://127.0.0.1:" + broker.broker().adminAddress().getPort() + "/");
        WebElement token = waitFor(By.id("login-token"));
        token.sendKeys(TOKEN);
        driver.findElement(By.id("login-submit")).click();
        waitFor(By.id("stat-connected"));
    }

    private void assertNoSidewaysScrollOnAPhone(String shotName) throws Exception {
        driver.manage().window().setSize(new Dimension(390, 844));
        await().atMost(WAIT).ignoreExceptions().until(() -> driver.findElement(By.id("bridges-panel")).isDisplayed());
        long overflow = ((Number) ((JavascriptExecutor) driver)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
        assertThat(overflow).as("no sideways scrolling of the overview on a phone").isLessThanOrEqualTo(0);
        shot(shotName);
    }

    private static WebElement waitFor(By by) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> driver.findElement(by), WebElement::isDisplayed);
    }

    private static String text(By by) {
        return waitFor(by).getText();
    }

    /** The panels are below the charts: scrolled into view first, so the screenshot shows them. */
    private static void shot(String name) throws Exception {
        ((JavascriptExecutor) driver).executeScript("document.getElementById('bridges-panel').scrollIntoView()");
        File file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
