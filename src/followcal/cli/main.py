"""The console script's entry point: the CLI imported without the cyclic garbage collector.

Importing click, rich's pieces, the data classes and the rules makes about a hundred thousand
objects and no garbage; the collector's runs over them during the import were 10 ms of every
start (a twentieth of a plan). They are imported with it paused and then frozen (gc.freeze: the
collector never looks at them again); it runs as usual for the command itself, `serve` included.
"""

from __future__ import annotations

import gc


def main() -> None:
    """`followcal`: the CLI (cli/commands.py), imported with the collector paused."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from followcal.cli.commands import main as run_cli
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    run_cli()
