"""Backends: the only code that talks to files and servers. One file each, one protocol (base.py)."""
