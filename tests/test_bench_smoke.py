"""Every benchmark loads the way `make bench` starts it, and does its work only in main().

Each script is run by the interpreter with the Makefile's flags (`python -P`: bench/ is
not on sys.path, so bench/analytics.py cannot stand in for the analytics package), under
a name other than __main__: its imports resolve, it prints nothing, and it has a main().
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
BENCHES = re.search(r"^BENCHES := (.*)$", MAKEFILE, re.MULTILINE)
RUN = re.search(r"\$\(BIN\)/python((?: -\S+)*) bench/\$\$b\.py", MAKEFILE)
SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))

LOAD = """
import json, os, runpy, sys
script = sys.argv[1]
if not sys.flags.safe_path:  # as `python SCRIPT` has it: the script's folder first
    sys.path[0] = os.path.dirname(os.path.abspath(script))
names = runpy.run_path(script, run_name="bench_smoke")
print(json.dumps({"main": callable(names.get("main"))}))
"""


def test_make_bench_runs_every_listed_script_and_the_cold_start() -> None:
    assert BENCHES is not None and RUN is not None
    listed = BENCHES.group(1).split()
    assert set(listed) <= set(SCRIPTS)
    assert "cold_start" in listed


@pytest.mark.parametrize("name", SCRIPTS)
def test_bench_script_loads_as_make_bench_runs_it(name: str) -> None:
    assert RUN is not None
    flags = RUN.group(1).split()
    done = subprocess.run(
        [sys.executable, *flags, "-c", LOAD, f"bench/{name}.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [json.dumps({"main": True})]
