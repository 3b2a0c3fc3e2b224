"""partnering: run a public-sector partnering arrangement the way OGC's guide describes."""

__version__ = "0.1.0"
