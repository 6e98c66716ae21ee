-- The operator console's decisions leave history rows of their own kind: an in-doubt effect an
-- operator marked happened / did-not-happen after checking the outside system.
ALTER TABLE stage.stage_history DROP CONSTRAINT stage_history_kind_check;
ALTER TABLE stage.stage_history ADD CONSTRAINT stage_history_kind_check
    CHECK (kind IN ('created', 'advance', 'rollback', 'cancel', 'lease-released', 'effect-decided'));
