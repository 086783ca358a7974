"""kubectl-inferroute: connect a Gateway to LLM InferencePools with a verified HTTPRoute."""

__version__ = "0.1.0"
