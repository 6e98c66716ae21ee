-- One sweep of a periodic actor (reaper, reconciler, finalizer) per interval across replicas:
-- correctness comes from the claims and the lease; this only keeps replicas from doubling load.
CREATE TABLE stage.sweep (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    claimed_at timestamptz NOT NULL
);
