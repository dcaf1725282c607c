"""Exit non-zero when `redocly lint --format=json` (on stdin) counts any error or warning."""

import json
import sys

totals = json.load(sys.stdin)["totals"]
if totals["errors"] or totals["warnings"]:
    sys.exit(f"redocly: {totals['errors']} error(s), {totals['warnings']} warning(s)")
