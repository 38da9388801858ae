"""A lean replacement for pyinstaller-hooks-contrib's torch hook (user hooks take precedence).

The contrib hook adds every one of torch's ~3000 submodules as a hidden import, which makes
the build several minutes slower and drags in the compiler stack (torch._inductor, sympy,
triton glue) that inference never touches. Here torch's modules come in by ordinary import
analysis, starting from what Composer imports; its shared libraries and the data files it
reads at run time are collected as the contrib hook does.
"""

import os

from PyInstaller.utils.hooks import (
    PY_DYLIB_PATTERNS,
    collect_data_files,
    collect_dynamic_libs,
    collect_submodules,
    get_package_paths,
)

# torch reads some of its own sources (TorchScript, inspect.getsource in decorators).
module_collection_mode = "pyz+py"
warn_on_missing_hiddenimports = False

# Left out: C++ headers and build files, and torch's own C++ test programs and test data
# (torch/bin, torch/test: 130 MB), none of which a running model touches. `import torch`
# does look for one program in torch/bin, the shared-memory manager, so that one stays.
datas = collect_data_files(
    "torch",
    excludes=[
        "**/*.h",
        "**/*.hpp",
        "**/*.cuh",
        "**/*.lib",
        "**/*.cpp",
        "**/*.pyi",
        "**/*.cmake",
        "**/include/**",
        "**/share/cmake/**",
        "bin/**",
        "test/**",
    ],
)
_torch_dir = get_package_paths("torch")[1]
datas.append((os.path.join(_torch_dir, "bin", "torch_shm_manager"), "torch/bin"))
_TEST_LIBRARIES = ("_test", "test_", "backend_with_compiler", "aoti_custom_ops")
binaries = [
    (source, dest)
    for source, dest in collect_dynamic_libs(
        "torch", search_patterns=[*PY_DYLIB_PATTERNS, "*.so.*"]
    )
    if not any(part in os.path.basename(source) for part in _TEST_LIBRARIES)
]
# Symlinks from torch/lib to the top folder confuse torch's own library loading on Linux.
bindepend_symlink_suppression = ["**/torch/lib/*.so*"]
# Training needs what torch.optim imports at a first optimizer (torch._compile -> torch._dynamo
# -> sympy, torch._inductor): the Train window's `composer-gui train` runs in the bundle.
# torch._dynamo loads its polyfills by name (importlib), which import analysis cannot see.
hiddenimports = collect_submodules("torch._dynamo")
