"""`python -m scorer` runs the civscore CLI."""

from .cli import main

main()
