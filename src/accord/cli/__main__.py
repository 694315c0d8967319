"""``python -m accord.cli``: the same entry point as the ``accord`` command."""

from accord.cli import main

main()
