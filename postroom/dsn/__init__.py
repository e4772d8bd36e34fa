"""Delivery status notifications: composing them (and, later, parsing bounces). No I/O."""

from __future__ import annotations

from postroom.dsn.compose import Action, DSNRecipient, DSNReport, compose_dsn

__all__ = ["Action", "DSNRecipient", "DSNReport", "compose_dsn"]
