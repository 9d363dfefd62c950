from labkit.grading.cli import main

raise SystemExit(main())
