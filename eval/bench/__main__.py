"""A bench worker: `python -m eval.bench ROLE SPEC OUT` (bench_size starts them)."""

import sys

from eval.bench.workers import main

sys.exit(main(sys.argv[1:]))
