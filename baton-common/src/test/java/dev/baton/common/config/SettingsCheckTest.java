package dev.baton.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SettingsCheckTest {

    /** A mapping shaped like the services' own. */
    @ConfigMapping(prefix = "baton.sample")
    public interface SampleConfig {
        @WithDefault("30s")
        @DurationRange(min = "1s", max = "1h")
        Duration maxRunning();

        @WithDefault("10")
        @Min(1)
        @Max(100)
        int requestsPerMinute();

        @WithDefault("http://localhost:8081")
        @HttpUrl
        String url();

        @HttpUrl
        Optional<String> statusUrl();
    }

    private static List<String> check(Map<String, String> env) {
        return SettingsCheck.problems(env, List.of(SampleConfig.class));
    }

    @Test
    void theDefaultsAndGoodValuesPass() {
        assertEquals(List.of(), check(Map.of()));
        assertEquals(List.of(), check(Map.of("BATON_SAMPLE_MAX_RUNNING", "PT10M", "BATON_SAMPLE_REQUESTS_PER_MINUTE", "100",
                "BATON_SAMPLE_URL", "https://[::1]:8443/api", "BATON_SAMPLE_STATUS_URL", "http://rollout/{taskId}?k={key}")));
    }

    @Test
    void aValueThatDoesNotConvertIsMalformedAndNamesTheVariable() {
        assertEquals(List.of("BATON_SAMPLE_MAX_RUNNING is malformed: expected a duration such as 30s, 500ms or 2m"),
                check(Map.of("BATON_SAMPLE_MAX_RUNNING", "abc")));
        assertEquals(List.of("BATON_SAMPLE_REQUESTS_PER_MINUTE is malformed: expected a whole number"),
                check(Map.of("BATON_SAMPLE_REQUESTS_PER_MINUTE", "ten")));
    }

    @Test
    void aValueOutsideItsConstraintIsOneLineWithTheReason() {
        assertEquals(List.of("BATON_SAMPLE_MAX_RUNNING is out of range: must be between 1s and 1h"),
                check(Map.of("BATON_SAMPLE_MAX_RUNNING", "-5s")));
        assertEquals(List.of("BATON_SAMPLE_REQUESTS_PER_MINUTE is out of range: must be less than or equal to 100"),
                check(Map.of("BATON_SAMPLE_REQUESTS_PER_MINUTE", "101")));
        assertEquals(List.of("BATON_SAMPLE_URL is malformed: must be an http(s) URL such as http://host:8080"),
                check(Map.of("BATON_SAMPLE_URL", "gitea.local")));
        assertEquals(List.of("BATON_SAMPLE_STATUS_URL is malformed: must be an http(s) URL such as http://host:8080"),
                check(Map.of("BATON_SAMPLE_STATUS_URL", "ftp://rollout/{taskId}")));
    }

    @Test
    void everyBadSettingIsReportedNotOnlyTheFirst() {
        assertEquals(2, check(Map.of("BATON_SAMPLE_MAX_RUNNING", "0s", "BATON_SAMPLE_REQUESTS_PER_MINUTE", "0")).size());
    }

    @Test
    void theValueItselfIsNeverPrinted() {
        String secretLooking = "tok-3f9a1c";
        List<String> problems = check(Map.of("BATON_SAMPLE_URL", secretLooking));
        assertEquals(1, problems.size());
        assertEquals(-1, problems.get(0).indexOf(secretLooking), problems::toString);
    }
}
