"""Use cases: one function per thing a user does, each in one unit of work."""
