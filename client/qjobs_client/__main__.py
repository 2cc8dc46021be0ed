"""`python -m qjobs_client` is the `qjobs` command line."""

import sys

from .cli import main

sys.exit(main())
