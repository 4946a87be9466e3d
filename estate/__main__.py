"""`python -m estate` runs the command line."""

from estate.cli import main

main()
