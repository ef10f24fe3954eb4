#!/usr/bin/env bash
# Builds the vCenter simulator the vSphere tests run (test/support/vcsim/main.go) into .cache/vcsim/vcsim, from
# Debian's Go toolchain and govmomi sources (golang-go, golang-github-vmware-govmomi-dev) in GOPATH mode: the
# packages put govmomi and its dependencies under /usr/share/gocode/src, and nothing is downloaded.
# Skips the build when the binary is newer than main.go and this script. As root, installs missing packages with
# apt-get; otherwise says which to install.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out_dir="$root/.cache/vcsim"
binary="$out_dir/vcsim"
gocode=/usr/share/gocode
packages=(golang-go golang-github-vmware-govmomi-dev)

if [ -x "$binary" ] && [ "$binary" -nt "$here/main.go" ] && [ "$binary" -nt "$here/build.sh" ]; then
  echo "vcsim: $binary is up to date"
  exit 0
fi

have_sources() {
  command -v go >/dev/null 2>&1 && [ -d "$gocode/src/github.com/vmware/govmomi/simulator" ]
}

if ! have_sources; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "vcsim: installing ${packages[*]} (apt-get)"
    log="$(mktemp)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"; } >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "vcsim: apt-get could not install ${packages[*]} (log above)" >&2
      rm -f "$log"
      exit 1
    fi
    rm -f "$log"
  else
    echo "vcsim: Go and govmomi's sources are missing. Install them, then run this again:" >&2
    echo "  sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
fi

mkdir -p "$out_dir"
echo "vcsim: building $binary ($(go version | cut -d' ' -f3), govmomi from $gocode)"
# GOPATH mode (modules off): imports resolve to the Debian sources; the build cache stays beside the binary so the
# build needs no writable home. CGO off: a static binary that needs no C compiler.
# GOFLAGS is cleared since -mod and the like are refused in GOPATH mode.
tmp_binary="$binary.$$.tmp"
(
  cd "$here"
  env GO111MODULE=off GOPATH="$gocode" GOFLAGS= GOCACHE="$out_dir/go-build" CGO_ENABLED=0 GOPROXY=off \
    go build -trimpath -o "$tmp_binary" .
)
mv "$tmp_binary" "$binary"
echo "vcsim: built $binary"
