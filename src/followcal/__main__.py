"""`python -m followcal` runs the CLI."""

from followcal.cli.commands import main

main()
