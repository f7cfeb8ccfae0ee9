"""Entry point of `python3 -m distillery_torch` and `torchrun -m distillery_torch`."""
import sys

from .cli import main

sys.exit(main())
