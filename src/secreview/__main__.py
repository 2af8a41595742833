from secreview.cli import main

raise SystemExit(main())
