"""Storage layer: models, engine, unit of work, migrations. Qt-free."""
