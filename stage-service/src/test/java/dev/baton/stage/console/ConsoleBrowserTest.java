package dev.baton.stage.console;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipeline;
import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.leases;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console in a real headless Chromium, against the app on its test port, real PostgreSQL and Kafka. */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConsoleBrowserTest {

    static final String CONSOLE_TOKEN = "test-console-token";
    static final String ADMIN_TOKEN = "test-admin-token";
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @TestHTTPResource("/")
    URL base;
    @Inject
    OtherOwners others;

    Browser browser;
    final List<LivenessRegistration> owners = new ArrayList<>();

    @BeforeEach
    void openBrowser() {
        browser = new Browser(base, "en");
    }

    @AfterEach
    void closeBrowser() {
        browser.close();
        owners.forEach(owner -> owner.sever().await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aWrongTokenIsRefusedAndSetsNoCookie() {
        browser.login("not-the-token");

        assertEquals("/console/login", browser.path());
        assertTrue(browser.text("#login-error").contains("not valid"));
        assertNull(browser.driver.manage().getCookieNamed(ConsoleSessions.COOKIE));
        browser.open("/console");
        assertEquals("/console/login", browser.path(), "no session, no board");
    }

    @Test
    void loginShowsTheBoardWithItemsInTheirColumnsAndTheTokenNowhere() {
        String review = newTaskId("BRD");
        String testing = newTaskId("BRD");
        createTask(review, "acme/board", "review");
        createTask(testing, "acme/board", "testing");
        List<String> logged = new ArrayList<>();
        Handler capture = capture(logged);
        try {
            browser.login(CONSOLE_TOKEN);
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }

        assertEquals("/console", browser.path());
        assertTrue(browser.present("section[data-stage=review] [data-item='" + review + "']"));
        assertTrue(browser.present("section[data-stage=testing] [data-item='" + testing + "']"));
        assertFalse(browser.present("section[data-stage=review] [data-item='" + testing + "']"));
        var cookie = browser.driver.manage().getCookieNamed(ConsoleSessions.COOKIE);
        assertTrue(cookie.isHttpOnly());
        assertEquals("Strict", cookie.getSameSite());
        assertFalse(cookie.getValue().contains(CONSOLE_TOKEN));
        assertFalse(browser.driver.getPageSource().contains(CONSOLE_TOKEN));
        assertFalse(browser.driver.getCurrentUrl().contains(CONSOLE_TOKEN));
        assertFalse(String.join("\n", logged).contains(CONSOLE_TOKEN), "a log line carried the token");
        assertFalse(browser.present("a.button.danger"), "a read-only session is offered no action");
    }

    @Test
    void stageLabelsFollowTheBrowsersLanguage() {
        try (Browser russian = new Browser(base, "ru")) {
            russian.login(CONSOLE_TOKEN);
            assertEquals("Ревью", russian.text("section[data-stage=review] h2").replaceAll("\\s*\\d+$", ""));
        }
        browser.login(CONSOLE_TOKEN);
        assertEquals("Review", browser.text("section[data-stage=review] h2").replaceAll("\\s*\\d+$", ""));
    }

    @Test
    void theBoardMovesACardWhenATransitionCommitsWithoutAReload() {
        String task = newTaskId("LIVE");
        createTask(task, "acme/board", "created");
        browser.login(CONSOLE_TOKEN);
        assertTrue(browser.present("section[data-stage=created] [data-item='" + task + "']"));
        browser.script("window.sameDocument = 'yes';");
        // The page is subscribed before the commit it must show.
        await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(browser.script(
                "return !!document.querySelector('[sse-connect]')['htmx-internal-data'].sseEventSource"
                        + " && document.querySelector('[sse-connect]')['htmx-internal-data'].sseEventSource.readyState === 1;")));

        transition(task, "created", "analysis", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));

        await().atMost(Duration.ofSeconds(15)).until(() ->
                browser.present("section[data-stage=analysis] [data-item='" + task + "']"));
        assertFalse(browser.present("section[data-stage=created] [data-item='" + task + "']"));
        assertEquals("yes", browser.script("return window.sameDocument;"), "the page was reloaded");
    }

    @Test
    void aLiveLeaseShowsItsOwnerAndForceReleaseFromThePageRaisesTheAlert() {
        String task = newTaskId("HELD");
        createTask(task, "acme/board", "development");
        LivenessRegistration owner = others.register();
        owners.add(owner);
        long token = others.acquire(task, owner, "monitor", "development", "review");
        browser.login(ADMIN_TOKEN);

        browser.open("/console/leases");
        String row = "tr[data-item='" + task + "']";
        assertEquals("monitor", browser.text(row + " .owner"));
        assertTrue(browser.text(row).contains("other-host"));
        assertEquals("live", browser.text(row + " .m"));
        browser.find(row + " a.button.danger").click();
        String confirm = browser.text(".panel.warn");
        assertTrue(confirm.contains("monitor") && confirm.contains("development") && confirm.contains("review")
                && confirm.contains("token " + token), confirm);
        browser.find("#release-form input[name=reason]").sendKeys("owner wedged, checked by hand");
        browser.find("#confirm-release").click();

        assertTrue(browser.path().startsWith("/console/leases"));
        assertTrue(browser.text("#notice").contains("released the lease of " + task));
        String alert = browser.driver.findElements(By.cssSelector("#alerts li")).stream()
                .map(org.openqa.selenium.WebElement::getText).filter(text -> text.contains(task)).findFirst()
                .orElse("");
        assertTrue(alert.contains("LeaseReclaimed") && alert.contains("\"forced\""), alert);
        assertFalse(browser.present(row));
        assertEquals(0, leases(task));
        assertEquals(1, outbox(task, "LeaseReclaimed"));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'lease-released'"
                + " AND reason LIKE '%owner wedged%'", task));
    }

    @Test
    void anInDoubtMergeMarkedHappenedLetsTheTransitionCompleteWithoutASecondCallToGitea() {
        WireMockServer gitea = OutsideWireMock.server();
        gitea.resetAll();
        String task = newTaskId("DOUBT");
        int pr = (int) (Math.abs(task.hashCode()) % 100_000) + 1;
        String mergePath = "/api/v1/repos/acme/doubt/pulls/" + pr + "/merge";
        createTask(task, "acme/doubt", "review");
        given().contentType(ContentType.JSON).body("{\"number\":%d,\"headSha\":\"%s\"}".formatted(pr, SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        // The merge call dies mid-flight and Gitea cannot say whether it merged: in doubt.
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(500)));
        transition(task, "review", "testing", "operator").then().statusCode(409).body("outcome", equalTo("in-doubt"));
        int merges = gitea.findAll(postRequestedFor(urlEqualTo(mergePath))).size();
        int asks = gitea.findAll(getRequestedFor(urlEqualTo(mergePath))).size();
        assertEquals(1, merges);

        browser.login(ADMIN_TOKEN);
        browser.open("/console/items/" + task);
        assertTrue(browser.present("tr.in-doubt"), "the in-doubt row is highlighted");
        assertTrue(browser.text("tr.in-doubt.decide").contains("#" + pr));
        browser.find("#decide-merge_pr input[value=happened]").click();
        browser.find("#decide-merge_pr input[name=reason]").sendKeys("PR #" + pr + " shows merged in Gitea");
        browser.find("#decide-merge_pr button").click();
        assertTrue(browser.text("#notice").contains("marked happened"));
        assertFalse(browser.present("tr.in-doubt"));
        assertTrue(browser.text("#history").contains("effect merge_pr marked happened"));
        assertTrue(browser.text("#alerts").contains("EffectDecided"));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        assertEquals("testing", stageOf(task));
        gitea.verify(merges, postRequestedFor(urlEqualTo(mergePath)));
        gitea.verify(asks, getRequestedFor(urlEqualTo(mergePath)));
        assertEquals("done", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals(1, outbox(task, "EffectDecided"));
    }

    @Test
    void aScriptInATitleRendersAsText() {
        String task = newTaskId("XSS");
        String title = "<script>window.pwned = 1</script><b id=\"bold\">bold</b> & \"quotes\"";
        given().contentType(ContentType.JSON)
                .body(new io.vertx.core.json.JsonObject().put("id", task).put("repo", "acme/board")
                        .put("title", title).put("stage", "review").encode())
                .post("/tasks").then().statusCode(201);
        browser.login(CONSOLE_TOKEN);

        assertEquals(title, browser.text("[data-item='" + task + "'] .title"));
        browser.open("/console/items/" + task);
        assertTrue(browser.text("h1").contains(title));
        assertNull(browser.script("return window.pwned;"));
        assertFalse(browser.present("#bold"));
    }

    /** Every page at desktop and phone size, with something on each, written to docs/console/. */
    @Test
    void screenshotsOfEveryPage() {
        String held = newTaskId("SHOT");
        createTask(held, "acme/board", "development");
        LivenessRegistration owner = others.register();
        owners.add(owner);
        others.acquire(held, owner, "monitor", "development", "review");
        String worked = newTaskId("SHOT");
        createTask(worked, "acme/board", "created");
        dev.baton.stage.StageApi.drainQueue();
        transition(worked, "created", "analysis", "operator").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"runnerId\":\"runner-shot\",\"bootId\":\"boot-1\"}")
                .post("/runners").then().statusCode(200);
        long job = given().contentType(ContentType.JSON)
                .body("{\"runnerId\":\"runner-shot\",\"stages\":[\"analysis\"]}")
                .post("/jobs/pick").then().statusCode(200).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body("""
                {"agent":"analyst","model":"claude-sonnet","effort":"medium","attempt":1,"costUsd":0.42,
                 "tokensIn":12000,"tokensOut":3400}""").post("/jobs/" + job + "/runs").then().statusCode(201);
        for (String stage : List.of("created", "brd-approval", "architecture", "development", "review", "review",
                "testing", "deploy-staging")) {
            createTask(newTaskId("ITEM"), "acme/board", stage);
        }
        String doubtful = newTaskId("DOUBT");
        createTask(doubtful, "acme/board", "review");
        OperatorEndpointsTest.exec("""
                INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage, status, detail)
                VALUES (?, 0, 'merge_pr', 7, 'review', 'testing', 'in_doubt', 'SocketException: Connection reset')""",
                doubtful);
        String dead = "plane:" + java.util.UUID.randomUUID();
        OperatorEndpointsTest.deadEvent(dead, newTaskId("GONE"), "no task for this Plane work item after 12 attempts");

        browser.login(ADMIN_TOKEN);
        browser.screenshots("board");
        browser.open("/console/items/" + worked);
        browser.screenshots("item");
        browser.open("/console/leases");
        browser.screenshots("leases");
        browser.open("/console/leases/" + held + "/release");
        browser.screenshots("force-release");
        browser.open("/console/attention");
        assertTrue(browser.text("#dead").contains("no task for this Plane work item"));
        browser.screenshots("attention");
        browser.open("/console/runners");
        assertTrue(browser.text("table").contains("runner-shot"));
        browser.screenshots("runners");
        browser.open("/console/login");
        browser.screenshots("login");
        for (String page : List.of("board", "item", "leases", "force-release", "attention", "runners", "login")) {
            assertTrue(java.nio.file.Files.exists(Browser.SCREENSHOTS.resolve(page + "-phone.png")), page);
        }
    }

    private static Handler capture(List<String> lines) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(handler);
        return handler;
    }
}
