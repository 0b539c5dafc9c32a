"""Contacts: CSV import (upsert by normalised email), selection, opt-out and erasure.

Plain functions taking a session; the admin pages and the CLI are thin layers over them.
"""
