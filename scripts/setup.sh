#!/usr/bin/env bash
# Create .venv and install Composer into it, with the CPU build of torch where there is no GPU.
# Usage: scripts/setup.sh [--test]   (--test also installs the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TORCH_VERSION=2.13.0
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"

if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv"
    "$PYTHON" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@"; }

if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
        echo "GPU found: installing torch $TORCH_VERSION with CUDA"
        pip install "torch==$TORCH_VERSION"
    else
        echo "No GPU found: installing the CPU build of torch $TORCH_VERSION"
        # The CPU build by its local version: a wheel this machine already has (pip's
        # find-links) wins; else PyTorch's CPU index, never the multi-GB CUDA build.
        pip install "torch==$TORCH_VERSION+cpu" \
            || pip install "torch==$TORCH_VERSION" \
                --index-url "${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}" \
                --extra-index-url "${PIP_INDEX_URL:-https://pypi.org/simple}"
    fi
fi
pip install -q -e ".$extra"
echo "Composer is installed in .venv"
