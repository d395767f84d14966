"""zhdesk core: services, domain rules and the CLI. Qt-free."""

__version__ = "0.1.0"
