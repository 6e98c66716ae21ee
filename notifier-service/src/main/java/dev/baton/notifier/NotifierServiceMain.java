package dev.baton.notifier;

import dev.baton.common.Preflight;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.RetentionConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.config.TrackerConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.List;

/** Checks the settings the notifier cannot run without, then boots Quarkus. */
@QuarkusMain
public final class NotifierServiceMain {

    static final int DEFAULT_PORT = 8083;
    /** Every settings interface: their constraints are what a setting must satisfy. */
    static final List<Class<?>> SETTINGS = List.of(NotifierConfig.class, TelegramConfig.class, TrackerConfig.class,
            RetentionConfig.class);

    private NotifierServiceMain() {
    }

    /**
     * {@code BATON_TRACKER_MODE} is deliberately not checked: anything but {@code bump} means
     * {@code edit}, logged once at start (a typo must not take the tracker down).
     */
    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("BATON_PG_URL", "postgresql://host:port/database", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                // A plain property (application.properties), not a settings interface.
                .optional("BATON_STAGE_SERVICE_URL", "http(s)://host[:port]", Preflight::isHttpUrl)
                .optional("BATON_NOTIFIER_LOCALE", "en or ru", locale -> locale.equals("en") || locale.equals("ru"))
                .settings(SETTINGS)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("notifier-service");
        Quarkus.run(args);
    }
}
