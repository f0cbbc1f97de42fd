"""Synthetic demo data: a whole province with its registry, built set-based and deterministically."""

from bhyt.demo.province import DemoRefused, DemoSummary, build_demo

__all__ = ["DemoRefused", "DemoSummary", "build_demo"]
