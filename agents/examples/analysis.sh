#!/bin/sh
# Example analysis agent: writes a short note and reports it. A real one runs an LLM CLI here
# (docs/agent-runner.md shows Claude Code, Aider and OpenHands definitions).
set -eu
echo "analysing $BATON_WORK_ITEM: $BATON_TITLE (repo $BATON_REPO, attempt $BATON_ATTEMPT)"
note="$BATON_WORKSPACE/../analysis-note.md"
printf '# %s\n\nScope: %s\nRisks: none found by the example agent.\n' "$BATON_WORK_ITEM" "$BATON_TITLE" > "$note"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.12, "tokensIn": 1800, "tokensOut": 420, "summary": "Analysis note for $BATON_WORK_ITEM written."}
JSON
