"""The clinical safety case as code: hazard log, clinical benchmarks, ablation, release gate.

The documents live in ``docs/safety/`` (intended use, hazard log, traceability, baseline);
this package reads them, checks them against the code and the tests, and gates a release.
It sits above the engine: it assesses cases, it is never imported by the engine or the web.
"""
