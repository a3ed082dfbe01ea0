from mwg_graph.cli import main

raise SystemExit(main())
