"""``python -m grading.run``: see grading/run/__init__.py."""
import sys

from grading.run.parallel import main

sys.exit(main())
