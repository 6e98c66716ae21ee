package dev.baton.runner.client;

import dev.baton.runner.config.GiteaConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.util.List;
import java.util.Optional;

/**
 * Opens the pull request of a job's branch, or reuses the open one: a repeated finalisation (a
 * runner restarted in the middle) never opens a second. The token goes in a header, never in a log.
 */
@ApplicationScoped
public class GiteaClient {

    static final int PAGE = 50;

    private final GiteaRestClient rest;
    private final GiteaConfig config;

    public GiteaClient(@RestClient GiteaRestClient rest, GiteaConfig config) {
        this.rest = rest;
        this.config = config;
    }

    /** A pull request of the job's branch. */
    public record PullRequest(int number, String url, String headSha, boolean opened) {
    }

    /** Thrown with Gitea's answer when it refuses; the job's log and run say why. */
    public static final class GiteaException extends RuntimeException {
        GiteaException(String message) {
            super(message);
        }
    }

    /**
     * The open pull request from {@code branch}, or a new one into {@code base}. A 409 from the
     * create (someone opened it in between) is answered by looking again.
     */
    public PullRequest openOrReuse(String repo, String branch, String base, String title, String body) {
        Optional<PullRequest> existing = findOpen(repo, branch);
        if (existing.isPresent()) {
            return existing.get();
        }
        String[] parts = repo.split("/", 2);
        try (Response created = Responses.of(() -> rest.create(parts[0], parts[1], authorization(),
                new GiteaRestClient.CreatePull(branch, base, title, body)))) {
            if (created.getStatus() == 201 || created.getStatus() == 200) {
                GiteaRestClient.Pull pull = created.readEntity(GiteaRestClient.Pull.class);
                return new PullRequest(pull.number(), pull.htmlUrl(), pull.head() == null ? null : pull.head().sha(),
                        true);
            }
            if (created.getStatus() == 409 || created.getStatus() == 422) {
                return findOpen(repo, branch).orElseThrow(() -> new GiteaException("Gitea answered "
                        + created.getStatus() + " to the pull request of " + branch + " but lists none open"));
            }
            throw new GiteaException("Gitea answered " + created.getStatus() + " to opening the pull request of "
                    + branch + ": " + created.readEntity(String.class));
        }
    }

    public Optional<PullRequest> findOpen(String repo, String branch) {
        String[] parts = repo.split("/", 2);
        try (Response response = Responses.of(() -> rest.open(parts[0], parts[1], "open", PAGE, authorization()))) {
            if (response.getStatus() != 200) {
                throw new GiteaException("Gitea answered " + response.getStatus() + " to listing the pull requests of "
                        + repo);
            }
            List<GiteaRestClient.Pull> pulls = response.readEntity(new GenericType<>() { });
            return pulls.stream().filter(p -> p.head() != null && branch.equals(p.head().ref())).findFirst()
                    .map(p -> new PullRequest(p.number(), p.htmlUrl(), p.head().sha(), false));
        }
    }

    private String authorization() {
        return config.token().map(token -> "token " + token).orElse(null);
    }
}
