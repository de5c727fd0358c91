"""``python -m grantpool``: the same command line as the ``grantpool`` script."""

from grantpool.cli import main

if __name__ == "__main__":
    main()
