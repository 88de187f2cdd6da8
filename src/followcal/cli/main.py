"""The console script's entry point: one-shot commands without the cyclic garbage collector.

A command makes hundreds of thousands of objects (the CLI's import, a parsed calendar, the plan,
the drafts) and next to no reference cycles: they are freed as they go out of use either way, and
the collector's runs over them were 15 ms of every `plan` (read_calendar, detect and the planner
paused it already). The import is frozen (gc.freeze: never looked at again) and the collector
stays off for the command; `serve`, the one that runs for days, turns it back on (app/serve.py).
"""

from __future__ import annotations

import gc


def main() -> None:
    """`followcal`: the CLI (cli/commands.py) with the collector paused."""
    gc.disable()
    from followcal.cli.commands import main as run_cli

    gc.freeze()
    run_cli()
