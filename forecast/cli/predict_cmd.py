"""Placeholder: this module's commands are not registered yet."""

from __future__ import annotations


def register(subparsers) -> None:  # noqa: ARG001
    """Register no commands (not implemented yet)."""
