#!/usr/bin/env bash
# ./tesoro up: install what is missing, build, and start the dev stack
# (private MariaDB, tesoro-fcgi, nginx on http://127.0.0.1:8080) under var/.
# Safe to run again at any time: finished steps are skipped, a new build is
# installed and the server restarted on it. Never asks a question.
# Another instance: TS_VAR=var/other TS_PORT=8081 TS_DB_PORT=3309 ./tesoro up
set -euo pipefail
# shellcheck source=conf/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ts_up "$TS_ROOT/conf/dev/packages.txt"

password=$(cat "$TS_VAR/demo-password" 2>/dev/null || echo '(unknown: see the warning above)')
cat <<MSG

Tesoro is up:  http://localhost:$TS_PORT/   (tenant "demo"; also http://demo.localhost:$TS_PORT/)
  login:     $TS_DEMO_EMAIL
  password:  $password   (kept in ${TS_VAR#"$TS_ROOT"/}/demo-password)
  logs:      ${TS_LOG#"$TS_ROOT"/}/
  CLI:       ./tesoro <command>     stop: ./tesoro down
MSG
