"""Subcommands of ``composer-gui``, one module per group, each with ``register(sub)``."""
