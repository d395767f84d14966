"""督办通知单 / 催办单: one-page A4 notices to the unit responsible for a listed site (no Qt, no storage)."""
