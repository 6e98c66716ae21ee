#!/bin/sh
# Example architecture agent: reads the repository it was given and reports a design summary.
set -eu
files=$(find "$BATON_WORKSPACE" -path "$BATON_WORKSPACE/.git" -prune -o -type f -print | wc -l)
echo "designing $BATON_WORK_ITEM over $files file(s) of $BATON_REPO"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.31, "tokensIn": 5200, "tokensOut": 900, "summary": "Design: one change in the README ($files file(s) read)."}
JSON
