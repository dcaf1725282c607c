"""Read `redocly lint --format=json` on stdin: print each problem, fail on any error or warning."""

import json
import sys

report = json.load(sys.stdin)
for problem in report["problems"]:
    where = ", ".join(location["pointer"] for location in problem.get("location", []))
    print(f"{problem['severity']}: {problem['ruleId']}: {problem['message']} ({where})")
totals = report["totals"]
if totals["errors"] or totals["warnings"]:
    sys.exit(f"redocly: {totals['errors']} error(s), {totals['warnings']} warning(s)")
print(f"redocly: no errors or warnings ({totals['ignored']} ignored with reasons)")
