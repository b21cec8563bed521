"""Shared test set-up: a non-interactive matplotlib backend for this process only."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
