#!/bin/sh
# Example development agent: commits a change on the job's branch. The runner pushes the branch
# and opens (or reuses) the pull request; the agent itself never pushes.
set -eu
cd "$BATON_WORKSPACE"
printf '\n%s: %s (attempt %s)\n' "$BATON_WORK_ITEM" "$BATON_TITLE" "$BATON_ATTEMPT" >> README.md
git add README.md
git commit -q -m "$BATON_WORK_ITEM: $BATON_TITLE"
echo "committed $(git rev-parse --short HEAD) on $BATON_BRANCH"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.84, "tokensIn": 12000, "tokensOut": 3100, "summary": "Implemented $BATON_WORK_ITEM on $BATON_BRANCH."}
JSON
