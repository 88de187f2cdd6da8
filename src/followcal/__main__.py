"""`python -m followcal` runs the CLI."""

from .cli import main

main()
