#!/usr/bin/env bash
# `npm run vcsim`: builds the vCenter simulator if needed and runs it in the foreground, on port 8989 (VCSIM_PORT,
# or `npm run vcsim -- -port 9000`), with its certificate kept in .cache/vcsim/ca.pem so a DVMM configured with it
# once keeps trusting it. Further arguments go to the simulator (`npm run vcsim -- -help` lists them).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bash "$here/build.sh"
exec "$root/.cache/vcsim/vcsim" -port "${VCSIM_PORT:-8989}" -tls-cert "$root/.cache/vcsim/ca.pem" "$@"
