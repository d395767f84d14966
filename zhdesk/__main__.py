from zhdesk.cli import main

raise SystemExit(main())
