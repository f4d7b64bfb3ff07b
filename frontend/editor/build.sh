#!/bin/sh
# Rebuild static/editor/ from the locked npm packages: needs Node 18+ and the npm registry.
set -eu
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
node build.mjs
