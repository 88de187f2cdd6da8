"""The command line: click commands, prompts and everything printed to a terminal."""
