#!/usr/bin/env bash
# Runs a command on another Node release: `scripts/with-node.sh 24.22.3 npm test`.
# The release comes from the npm registry (the node-linux-<arch> package: Node's own Linux binary, checked against the
# registry's integrity hash by `npm pack`), the registry CI already installs from, and is kept in a cache directory;
# the command then finds that node first on PATH (npm, jest and every `#!/usr/bin/env node` script run on it).
# node_modules is shared: nothing here builds native code, so one install serves every release.
set -euo pipefail
version="${1:?usage: with-node.sh <version> <command...>}"
shift
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
  mv -T "$work/package" "$dir" 2>/dev/null || true # another run got there first: use its copy
  rm -rf "$work"
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "with-node.sh: $dir/bin/node is not v$version" >&2; exit 1; }
PATH="$dir/bin:$PATH" exec "$@"
