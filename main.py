"""Start the zhdesk desktop app: `python main.py [--db URL]`."""

from ui.app import main

raise SystemExit(main())
