#!/bin/sh
# Example staging deploy agent: "deploys" and reports the staging result.
set -eu
echo "deploying $BATON_WORK_ITEM to staging"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.05, "deployed": {"environment": "staging", "state": "success"}, "summary": "Staging is healthy."}
JSON
