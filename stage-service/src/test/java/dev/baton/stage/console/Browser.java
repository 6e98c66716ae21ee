package dev.baton.stage.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; `.ci/run`
 * installs them) driven by Selenium. The binaries are named explicitly so Selenium never tries
 * to download a browser. Override with {@code -Dbaton.test.chromium=} / {@code -Dbaton.test.chromedriver=}.
 */
final class Browser implements AutoCloseable {

    static final Dimension DESKTOP = new Dimension(1280, 800);
    static final Dimension PHONE = new Dimension(390, 844);
    /** Where the screenshots go: the repository's docs, relative to the module directory tests run in. */
    static final Path SCREENSHOTS = Path.of("..", "docs", "console");

    final WebDriver driver;
    private final String base;

    Browser(URL base, String language) {
        this.base = base.toString().replaceAll("/$", "");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("baton.test.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--lang=" + language, "--hide-scrollbars");
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("baton.test.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    void open(String path) {
        driver.get(base + path);
    }

    /** Logs in through the form, as a person would. */
    void login(String token) {
        open("/console/login");
        driver.findElement(By.id("token")).sendKeys(token);
        driver.findElement(By.id("login")).click();
        // A click does not wait for the POST's answer: navigating on before it lands would lose the cookie.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> !path().startsWith("/console/login") || present("#login-error"));
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /**
     * The text of an element, read again if a live refresh replaced it between the find and the
     * read (the board swaps its columns whenever anything commits, from any test).
     */
    String text(String css) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                .until(() -> find(css).getText(), text -> true);
    }

    boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    String path() {
        return driver.getCurrentUrl().substring(base.length());
    }

    Object script(String js) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(js);
    }

    /** The page at desktop and phone size, written to docs/console/{name}-desktop.png and -phone.png. */
    void screenshots(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            for (var size : Map.of("desktop", DESKTOP, "phone", PHONE).entrySet()) {
                viewport(size.getValue(), size.getValue() == PHONE);
                driver.navigate().refresh();
                byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
                Files.write(SCREENSHOTS.resolve(name + "-" + size.getKey() + ".png"), png);
            }
            viewport(DESKTOP, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's viewport itself (a window size would include the browser's frame), phone-like when asked. */
    private void viewport(Dimension size, boolean mobile) {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", size.getWidth(), "height", size.getHeight(), "deviceScaleFactor", 1, "mobile", mobile));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
