"""Workbench: study demand, map flow, compare service designs."""
__version__ = "0.1.0"
