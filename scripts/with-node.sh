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
dir="${NODE_RELEASES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/external-tests/node}/$version-linux-$arch"
if ! [ -x "$dir/bin/node" ]; then
  work="$(mktemp -d)"
  if ! (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf node-linux-*.tgz); then
    rm -rf "$work"
    echo "with-node.sh: could not fetch node-linux-$arch@$version from the npm registry" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir" && mv "$work/package" "$dir" && rm -rf "$work"
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "with-node.sh: $dir/bin/node is not v$version" >&2; exit 1; }
PATH="$dir/bin:$PATH" exec "$@"
