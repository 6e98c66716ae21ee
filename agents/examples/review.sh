#!/bin/sh
# Example review agent: waits (at most 2 minutes) until CI is green on the pull request, as a
# reviewer reads CI before approving, then approves. It asks stage-service's read-only gate view.
set -eu
url="${BATON_STAGE_SERVICE_URL:-http://127.0.0.1:8081}/tasks/$BATON_WORK_ITEM/gates"
i=0
until curl -fsS "$url" | grep -q '"name":"ci_green","passed":true'; do
  i=$((i + 1))
  if [ "$i" -ge 120 ]; then
    echo "CI is not green after 2 minutes: not approving"
    exit 1
  fi
  [ "$i" -eq 1 ] && echo "waiting for CI on pull request #$BATON_PR_NUMBER"
  sleep 1
done
echo "CI is green on #$BATON_PR_NUMBER: approved"
cat > "$BATON_RESULT_FILE" <<JSON
{"costUsd": 0.22, "tokensIn": 6400, "tokensOut": 700, "approved": true, "summary": "Reviewed #$BATON_PR_NUMBER: approved."}
JSON
