"""`python -m followcal` runs the CLI."""

from followcal.cli.main import main

main()
