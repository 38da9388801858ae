"""The bundle's executable: the same ``composer-gui`` command that pip installs."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must not re-run main() in worker processes
    if os.environ.get("COMPOSER_BUNDLE_SELF_TEST") == "1":
        from bundle_self_test import main as self_test

        sys.exit(self_test())
    from composer_gui.cli import main

    sys.exit(main())
