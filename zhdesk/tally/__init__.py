"""Community tallies (台账): reading spreadsheets and turning them into figures.

Pure code: no Qt, no SQLAlchemy. The use cases that store the figures are in zhdesk/services/tally.py.
"""
