package dev.baton.stage.job;

import dev.baton.stage.OutsideWireMock;

import java.util.List;

/**
 * {@link RealPipeline} with the fake Gitea and Plane ({@link OutsideWireMock}) as the profile's own
 * resource: the test classes that need both share one application (each resets the fake before its
 * tests) instead of starting one each, which is most of stage-service's test time.
 */
public class RealPipelineOutside extends RealPipeline {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(OutsideWireMock.class));
    }
}
