"""CLI commands, one module per top-level command.

Each module defines ``register(subparsers, parents)`` which adds its parser(s) and sets
``handler=<callable(args, ctx) -> int>`` as a default. Modules must import their heavy dependencies
inside the handler, never at module level: the CLI imports every module listed here at start-up.
"""

COMMAND_MODULES: tuple[str, ...] = (
    "check",
    "sentiment",
    "model",
    "init",
    "config",
    "run",
    "demo",
    "sources",
    "mentions",
    "alerts",
    "report",
    "audit",
    "serve",
    "users",
    "db",
    "doctor",
)
