#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than the lock file.
set -euo pipefail
# onnxruntime-node (the local embedding model's runtime) would download CUDA libraries at install: offline here, unused on CPU.
export ONNXRUNTIME_NODE_INSTALL=skip
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[mdw] installing npm dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
