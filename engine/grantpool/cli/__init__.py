"""The ``grantpool`` command line: click commands that adapt input and output only."""

from grantpool.cli.main import main

__all__ = ["main"]
