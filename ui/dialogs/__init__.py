"""Dialogs opened from the pages: event entry, adding photos, the photo viewer, before/after comparison."""
