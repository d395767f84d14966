"""PySide6 desktop UI of zhdesk. Talks to the core only through `zhdesk.desk.Desk` and its DTOs."""
