"""Invitations: personal links, their tokens and their timelines (no Flask routes here)."""
