"""Package discovery that pyproject.toml cannot express on its own.

The repository keeps shipped data in the top-level ``resources/`` folder (the user's layout);
the wheel installs it as the data package ``composer_gui.resources`` so it travels with the
code. pyproject.toml can either find packages or list them, not find them and add one mapped
folder, so the finding happens here; everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["composer_gui*", "models*"]), "composer_gui.resources"],
    package_dir={"composer_gui.resources": "resources"},
)
