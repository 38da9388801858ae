#!/usr/bin/env bash
# Build Composer's standalone one-folder bundle with PyInstaller: dist/composer-gui/composer-gui.
#
# Usage: packaging/build_bundle.sh            (Linux; macOS builds dist/Composer.app as well)
# Environment:
#   PYTHON            the Python whose packages go into the bundle (default: .venv/bin/python,
#                     made by scripts/setup.sh). If its torch is a CUDA build, a separate
#                     build venv with the CPU build is made in build/bundle-venv, because the
#                     CUDA libraries would add gigabytes; COMPOSER_BUNDLE_CUDA=1 keeps them.
#   DIST_DIR, WORK_DIR  where the bundle and PyInstaller's work files go (dist, build/pyinstaller)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
DIST_DIR=${DIST_DIR:-dist}
WORK_DIR=${WORK_DIR:-build/pyinstaller}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
pip() { "$PYTHON" -m pip --disable-pip-version-check "$@"; }

if [ ! -x "$PYTHON" ]; then
    echo "No Python at $PYTHON: run scripts/setup.sh first, or set PYTHON." >&2
    exit 1
fi

torch_cuda=$("$PYTHON" -c "import torch; print(torch.version.cuda or '')" 2>/dev/null || echo missing)
if [ "$torch_cuda" = missing ]; then
    echo "torch is not installed in $PYTHON: run scripts/setup.sh first." >&2
    exit 1
fi
if [ -n "$torch_cuda" ] && [ "${COMPOSER_BUNDLE_CUDA:-0}" != 1 ]; then
    echo "$PYTHON has torch with CUDA $torch_cuda; building from a CPU-only venv in build/bundle-venv"
    if [ ! -x build/bundle-venv/bin/python ]; then
        "$PYTHON" -m venv build/bundle-venv
    fi
    PYTHON=build/bundle-venv/bin/python
    # A CPU wheel on this machine (pip's find-links) with its dependencies from the usual
    # index; else PyTorch's CPU index. (--no-index would also hide torch's dependencies.)
    pip install -q "torch==$TORCH_VERSION+cpu" 2>/dev/null \
        || pip install -q "torch==$TORCH_VERSION" --index-url "${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}"
    pip install -q .
fi

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller into $PYTHON"
    pip install -q "pyinstaller>=6.10"
fi

echo "Building the bundle in $DIST_DIR/composer-gui (work files in $WORK_DIR)"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" packaging/composer.spec
bundle="$DIST_DIR/composer-gui"
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
    # torch's libraries keep their full symbol tables (90 MB of libtorch_cpu.so alone);
    # --strip-unneeded drops only what the dynamic linker never reads.
    strip --strip-unneeded "$bundle"/_internal/torch/lib/*.so*
fi
if [ "$(uname -s)" = Linux ]; then
    # The menu entry, icons and MIDI association travel with the bundle:
    # composer-gui/desktop/install-desktop.sh installs them for the user who unpacked it.
    mkdir -p "$DIST_DIR/composer-gui/desktop"
    cp packaging/linux/composer.desktop packaging/linux/composer-mime.xml \
       packaging/linux/io.github.composer.Composer.metainfo.xml \
       packaging/linux/install-desktop.sh "$DIST_DIR/composer-gui/desktop/"
fi
# Import everything, run torch and show a widget inside the bundle (packaging/pyinstaller/
# bundle_self_test.py), so a library PyInstaller missed fails the build, not the user.
COMPOSER_BUNDLE_SELF_TEST=1 QT_QPA_PLATFORM=offscreen "$bundle/composer-gui"
echo "Built $DIST_DIR/composer-gui in $(( $(date +%s) - start )) s," \
     "$(du -sh "$DIST_DIR/composer-gui" | cut -f1) on disk"
