#!/bin/sh
# Example testing agent: "runs the tests" and reports the coverage it measured.
set -eu
echo "testing $BATON_WORK_ITEM on $BATON_BRANCH"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.18, "tokensIn": 3000, "tokensOut": 500, "coverage": 87.5, "summary": "All tests pass; coverage 87.5%."}
JSON
