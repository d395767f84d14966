"""Small reusable widgets and painting helpers."""
