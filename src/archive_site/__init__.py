"""archive-site: a static site generator for right-to-left Arabic archives."""

__version__ = "0.5.0"
