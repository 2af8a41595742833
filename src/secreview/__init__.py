"""secreview: a security code reviewer for Python."""

__version__ = "0.1.0"
