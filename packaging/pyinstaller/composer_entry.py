"""The bundle's executable: the same ``composer-gui`` command that pip installs."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must not re-run main() in worker processes
    if os.environ.get("COMPOSER_BUNDLE_SELF_TEST") == "1":
        from bundle_self_test import main as self_test

        sys.exit(self_test())
    if len(sys.argv) > 2 and sys.argv[1] == "--run-composer-module":
        # training_plan.module_command: a child process of the app's (the Train window's
        # folder preview), which a Python run as `python -m MODULE`; the bundle has no -m
        import runpy

        module = sys.argv[2]
        if not module.startswith("composer_gui."):
            sys.exit(f"composer-gui: {module} is not one of Composer's modules.")
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    from composer_gui.cli import main

    sys.exit(main())
