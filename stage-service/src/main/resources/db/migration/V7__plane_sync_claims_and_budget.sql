-- Plane sync with several stage-service replicas.
--
-- 1. A due row is claimed before it is sent (FOR UPDATE SKIP LOCKED, then next_at pushed past the
--    claim window): two replicas never send the same Plane update. A replica that dies holding a
--    claim leaves the row due again when the window ends.
-- 2. Plane allows 60 requests a minute per API key, cluster-wide. Every request stage-service makes
--    is granted here first, under a per-key transaction-scoped advisory lock, against the grants of
--    the last 60 s of ALL replicas: the budget is the cluster's, not each replica's.
CREATE TABLE stage.rate_grant (
    budget     text NOT NULL,
    granted_at timestamptz NOT NULL
);
CREATE INDEX rate_grant_idx ON stage.rate_grant (budget, granted_at);
