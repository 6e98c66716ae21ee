package dev.baton.infra.test;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every service's management interface must do, run by each service's
 * {@code @QuarkusTest ManagementInterfaceTest}: health, metrics and the OpenAPI document answer on
 * the management port only, never on the API port (which the Ingress exposes); and every metric
 * docs/operations.md lists for the service is really in its scrape.
 */
public abstract class ManagementContract {

    private final String service;

    /** @param service the service's name in the metrics table of docs/operations.md */
    protected ManagementContract(String service) {
        this.service = service;
    }

    /**
     * Makes the service use what registers a metric only on first use (a counter tagged by a value),
     * so that the scrape has its series; nothing by default.
     */
    protected void exercise() throws Exception {
    }

    @Test
    void healthMetricsAndOpenApiAnswerOnTheManagementPortOnly() throws Exception {
        assertEquals(List.of(), ManagementInterface.leaks(ManagementInterface.apiUrl(), ManagementInterface.url()));
    }

    @Test
    void everyMetricTheDocsListIsExported() throws Exception {
        exercise();
        assertEquals(List.of(), MetricsCatalog.missingFrom(ManagementInterface.scrape(ManagementInterface.url()), service));
    }
}
