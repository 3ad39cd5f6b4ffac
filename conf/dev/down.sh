#!/usr/bin/env bash
# ./tesoro down: stop the dev stack started by ./tesoro up (nginx, then
# tesoro-fcgi with time to drain, then MariaDB), each by its pid file.
# Data, build and logs stay in var/. TS_VAR=var/test ./tesoro down stops the
# test instance.
set -euo pipefail
# shellcheck source=conf/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ts_step "stopping ${TS_VAR#"$TS_ROOT"/}"
ts_down
ts_info "stopped"
