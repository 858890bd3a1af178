"""TraceHub benchmarks: measured speed and memory, never asserted in tests (``make bench``).

``bench.run`` is the entry point; ``bench.gen`` writes deterministic EPCIS documents,
``bench.capture`` measures capture end to end over HTTP beside the floor any implementation
pays (parse and bulk insert), and ``bench.report`` writes its section of docs/performance.md.
"""
