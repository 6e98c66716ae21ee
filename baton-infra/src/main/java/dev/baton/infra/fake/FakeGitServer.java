package dev.baton.infra.fake;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.transport.resolver.RepositoryResolver;
import org.eclipse.jgit.transport.resolver.ServiceNotAuthorizedException;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real git repositories over smart HTTP, as Gitea serves them at {@code <url>/<owner>/<name>.git}:
 * JGit's {@code GitServlet} on a Jetty of its own, clone and push. Each repository starts with one
 * commit on {@code main}. With a token set, every request must carry it as the Basic password
 * (as Gitea takes an access token), else 401.
 */
public final class FakeGitServer implements AutoCloseable {

    private static final PersonIdent SEED = new PersonIdent("Baton fake", "fake@baton.invalid",
            java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);

    private final Path root;
    private final Server server;
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();
    private volatile String token;

    private FakeGitServer(Path root, int port) throws Exception {
        this.root = root;
        GitServlet git = new GitServlet();
        git.setRepositoryResolver(new Resolver());
        git.setUploadPackFactory((request, repository) -> {
            authorize(request);
            return new UploadPack(repository);
        });
        git.setReceivePackFactory((request, repository) -> {
            authorize(request);
            ReceivePack receive = new ReceivePack(repository);
            receive.setRefLogIdent(new PersonIdent("Baton fake", "fake@baton.invalid"));
            return receive;
        });
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(git), "/*");
        server.setHandler(context);
        server.start();
    }

    /** Starts on {@code port} (0: any free port) with its repositories under {@code root}. */
    public static FakeGitServer start(Path root, int port) {
        try {
            Files.createDirectories(root);
            return new FakeGitServer(root, port);
        } catch (Exception e) {
            throw new IllegalStateException("the fake git server did not start", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The clone URL template of this server, with {@code {repo}}. */
    public String urlTemplate() {
        return baseUrl() + "/{repo}.git";
    }

    /** From now on every request must carry {@code token} as its Basic password; null = no check. */
    public void requireToken(String token) {
        this.token = token;
    }

    /** Creates {@code owner/name} (if new) with one commit on {@code main} holding a README. */
    public synchronized void createRepo(String repo) {
        if (repositories.containsKey(repo)) {
            return;
        }
        Path dir = root.resolve(repo + ".git");
        Path seed = root.resolve(".seed").resolve(repo);
        try {
            try (Git bare = Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch("main").call()) {
                repositories.put(repo, bare.getRepository());
            }
            try (Git work = Git.cloneRepository().setURI(dir.toUri().toString()).setDirectory(seed.toFile()).call()) {
                Files.writeString(seed.resolve("README.md"), "# " + repo + "\n", StandardCharsets.UTF_8);
                work.add().addFilepattern("README.md").call();
                work.commit().setMessage("Initial commit").setAuthor(SEED).setCommitter(SEED).call();
                // The seed clone's own branch may be called anything: push its HEAD as main.
                work.push().setRemote("origin").setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
                        .call();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the repository " + repo, e);
        }
    }

    /** The commit {@code branch} points at, if the branch exists. */
    public Optional<String> head(String repo, String branch) {
        try (Repository repository = open(repo)) {
            ObjectId id = repository.resolve(Constants.R_HEADS + branch);
            return Optional.ofNullable(id).map(ObjectId::name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of commits on {@code branch} (0 if it does not exist). */
    public int commits(String repo, String branch) {
        try (Git git = new Git(open(repo))) {
            ObjectId id = git.getRepository().resolve(Constants.R_HEADS + branch);
            if (id == null) {
                return 0;
            }
            int count = 0;
            for (var ignored : git.log().add(id).call()) {
                count++;
            }
            return count;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Repository open(String repo) throws IOException {
        Path dir = root.resolve(repo + ".git");
        if (!Files.isDirectory(dir)) {
            throw new RepositoryNotFoundException(repo);
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    private void authorize(HttpServletRequest request) throws ServiceNotAuthorizedException {
        String required = token;
        if (required == null) {
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.startsWith("Basic ")) {
            throw new ServiceNotAuthorizedException();
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        if (!decoded.endsWith(":" + required)) {
            throw new ServiceNotAuthorizedException();
        }
    }

    /** {@code owner/name.git} → the bare repository of {@code owner/name}; unknown → 404. */
    private final class Resolver implements RepositoryResolver<HttpServletRequest> {
        @Override
        public Repository open(HttpServletRequest request, String name) throws RepositoryNotFoundException,
                ServiceNotAuthorizedException, ServiceNotEnabledException {
            authorize(request);
            String repo = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
            try {
                return FakeGitServer.this.open(repo);
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
