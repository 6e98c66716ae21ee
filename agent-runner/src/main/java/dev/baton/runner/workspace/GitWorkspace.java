package dev.baton.runner.workspace;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A job's clone, with JGit (no git binary needed): shallow, at the job's branch when the remote
 * has it, otherwise the default branch with the job's branch created on top. {@link #pushIfCommitted}
 * pushes only what the agent committed; pushing the same commit again is a no-op, so a repeated
 * finalisation is safe.
 */
public final class GitWorkspace implements AutoCloseable {

    private final Git git;
    private final String branch;
    private final String baseBranch;
    private final ObjectId startedAt;
    private final CredentialsProvider credentials;

    private GitWorkspace(Git git, String branch, String baseBranch, ObjectId startedAt, CredentialsProvider credentials) {
        this.git = git;
        this.branch = branch;
        this.baseBranch = baseBranch;
        this.startedAt = startedAt;
        this.credentials = credentials;
    }

    /** Thrown when the repository cannot be cloned or pushed; the message says why, without the token. */
    public static final class GitException extends Exception {
        GitException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Clones {@code url} into the empty {@code dir}.
     *
     * @param fallbackBase the base branch when the remote does not name its default
     */
    public static GitWorkspace cloneInto(String url, Optional<String> token, Path dir, String branch,
                                         String fallbackBase) throws GitException {
        CredentialsProvider credentials = token.map(t -> new UsernamePasswordCredentialsProvider("baton", t))
                .orElse(null);
        try {
            Map<String, Ref> remote = Git.lsRemoteRepository().setRemote(url).setCredentialsProvider(credentials)
                    .callAsMap();
            Ref head = remote.get(Constants.HEAD);
            String base = head != null && head.isSymbolic()
                    ? org.eclipse.jgit.lib.Repository.shortenRefName(head.getTarget().getName()) : fallbackBase;
            boolean branchExists = remote.containsKey(Constants.R_HEADS + branch);
            Git git = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setDepth(1)
                    .setCredentialsProvider(credentials).setCloneAllBranches(false)
                    .setBranch(Constants.R_HEADS + (branchExists ? branch : base)).call();
            if (!branchExists) {
                git.checkout().setCreateBranch(true).setName(branch).call();
            }
            return new GitWorkspace(git, branch, base, git.getRepository().resolve(Constants.HEAD), credentials);
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw new GitException("clone of " + url + " failed: " + e.getMessage(), e);
        }
    }

    /** Base branch of a pull request: the remote's default branch. */
    public String baseBranch() {
        return baseBranch;
    }

    public String headSha() throws IOException {
        ObjectId head = git.getRepository().resolve(Constants.HEAD);
        return head == null ? null : head.name();
    }

    /** True if HEAD moved since the clone (the agent committed). */
    public boolean committed() throws IOException {
        ObjectId head = git.getRepository().resolve(Constants.HEAD);
        return head != null && !head.equals(startedAt);
    }

    /** @return the pushed head SHA, or empty if the agent committed nothing */
    public Optional<String> pushIfCommitted() throws GitException {
        try {
            if (!committed()) {
                return Optional.empty();
            }
            RefSpec spec = new RefSpec(Constants.R_HEADS + branch + ":" + Constants.R_HEADS + branch);
            for (PushResult result : git.push().setRemote("origin").setRefSpecs(spec)
                    .setCredentialsProvider(credentials).call()) {
                for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                    if (update.getStatus() != RemoteRefUpdate.Status.OK
                            && update.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                        throw new GitException("push of " + branch + " refused: " + update.getStatus()
                                + (update.getMessage() == null ? "" : " " + update.getMessage()), null);
                    }
                }
            }
            return Optional.of(headSha());
        } catch (GitAPIException | IOException e) {
            throw new GitException("push of " + branch + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
