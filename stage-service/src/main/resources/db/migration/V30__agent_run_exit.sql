-- An agent run as the agent-runner reports it also says how the attempt ended: its exit code
-- (124 timeout, 127 program not found, 143 stopped, 128 clone failed) and why, so a failed
-- attempt is explained where its cost is. Both stay NULL for runners that do not send them.
ALTER TABLE stage.agent_run
    ADD COLUMN exit_code integer,
    ADD COLUMN reason    text;
