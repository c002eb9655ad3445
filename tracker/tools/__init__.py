"""Developer and operations tools, run only through their commands (tracker/cli registers them
lazily, so `create_app()` never imports this package; tests/test_structure.py checks it):

    demo.py      `seed-demo`: the reference setting with demo accounts (also used by tests)
    generate.py  `generate-data`: a synthetic portfolio of any scale, the same for the same seed
    bench.py     `bench`: page times and query counts on synthetic portfolios
    loadtest.py  `load-test`: virtual ISPs against running app servers, then every write checked
"""
