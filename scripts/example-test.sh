#!/usr/bin/env bash
# The packages as another service gets them: build and pack them (contents and declared dependencies checked), copy
# examples/host-service OUTSIDE this repository (so nothing resolves through our node_modules or workspace links),
# install the tarballs there from disk, type-check and build the host, run its e2e test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node "$root/scripts/build-packages.js" --pack
work="$(mktemp -d -t host-service-XXXXXX)"
trap 'rm -rf "$work"' EXIT
tar -C "$root/examples/host-service" --exclude=node_modules --exclude=dist -cf - . | tar -C "$work" -xf -
cd "$work"
npm install --no-save --no-package-lock --no-audit --no-fund "$root"/.packs/*.tgz
npm run build
npm test
