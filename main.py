"""Start the zhdesk desktop app: `python main.py [--db URL | --demo]`."""

from ui.app import main

raise SystemExit(main())
