"""Cold start of the `advisor` command: `--help` and a sales question, each in a new process.

    .venv/bin/python -P bench/cold_start.py [--runs 7] [--database URL] [--question TEXT]
        [--against CHECKOUT]

Without --database a demo store (one seller, 90 days) is seeded into a temporary SQLite
file first (about 15 s). Every command runs once unmeasured, which writes its bytecode
(to a temporary PYTHONPYCACHEPREFIX, as an installed program has it; the checkout is left
as it is), then --runs times; the medians of wall time and of CPU time (user + system,
steadier than wall time on a shared machine) are printed beside the targets. One more
run under `python -X importtime` gives the import time of the modules the command loads,
the largest first, and which heavy libraries it loaded.

--against another checkout of the project (e.g. `git worktree add /tmp/before HEAD~3`)
measures both, run for run in turn, so a machine whose load changes during the runs
weighs on both alike; its medians are printed on the line below this checkout's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADVISOR = "import sys; from bot.cli import main; sys.exit(main())"  # the `advisor` script
HEAVY = ("scipy", "pandas", "langchain", "chromadb", "matplotlib", "alembic", "openai")
TARGETS = {"--help": 0.3, "ask": 1.0}  # seconds, median of cold runs


def run(
    env: dict[str, str], *args: str, importtime: bool = False, root: Path = ROOT
) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stderr) of one `advisor ARGS` in a new process, with
    the code of the checkout `root` (the command's folder comes first on its path)."""
    flags = ["-X", "importtime"] if importtime else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", ADVISOR, *args],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"advisor {' '.join(args)} failed:\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stderr


def import_times(stderr: str) -> tuple[float, list[tuple[float, str]], list[str]]:
    """From `-X importtime` output: the total of the top-level imports (s), the
    modules the command imported itself with their cumulative times, and the heavy
    libraries loaded."""
    rows: list[tuple[int, float, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((depth, int(cumulative) / 1e6, name.strip()))
    top = [(seconds, name) for depth, seconds, name in rows if depth == 0]
    loaded = {name.partition(".")[0] for _, _, name in rows}
    heavy = [lib for lib in HEAVY if any(name.startswith(lib) for name in loaded)]
    return sum(seconds for seconds, _ in top), sorted(top, reverse=True), heavy


def demo_database(folder: Path, env: dict[str, str]) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    seeded = {**env, "DATABASE_URL": url}
    print(f"seeding a demo store (1 seller, 90 days) into {url} ...", flush=True)
    run(seeded, "db", "upgrade")
    run(seeded, "seed", "--sellers", "1", "--days", "90")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs per command")
    parser.add_argument("--database", help="DATABASE_URL holding seller 'demo' (default: seed one)")
    parser.add_argument("--question", default="어제 매출", help="the sales question asked")
    parser.add_argument(
        "--against", type=Path, metavar="CHECKOUT", help="another checkout, measured in turn"
    )
    args = parser.parse_args()
    roots = [ROOT, args.against.resolve()] if args.against else [ROOT]
    with tempfile.TemporaryDirectory(prefix="cold-start-") as temp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(Path(temp) / "pycache"), DATA_DIR=str(Path(temp)))
        env.pop("OPENAI_API_KEY", None)  # the offline path: no model call in the figure
        env["DATABASE_URL"] = args.database or demo_database(Path(temp), env)
        commands = {
            "--help": ("--help",),
            "ask": ("ask", args.question, "--seller", "demo"),
        }
        print(
            f"{'command':<9} {'wall median':>12} {'CPU median':>11} {'target':>8}  (of {args.runs})"
        )
        for label, command in commands.items():
            for root in roots:
                run(env, *command, root=root)  # writes the bytecode
            times: dict[Path, list[tuple[float, float]]] = {root: [] for root in roots}
            for _ in range(args.runs):
                for root in roots:
                    times[root].append(run(env, *command, root=root)[:2])
            for root in roots:
                walls, cpus = zip(*times[root], strict=True)
                print(
                    f"{label:<9} {statistics.median(walls):>10.3f} s "
                    f"{statistics.median(cpus):>9.3f} s {f'< {TARGETS[label]:.1f} s':>8}"
                    + (f"  {root}" if len(roots) > 1 else "")
                )
        for label, command in commands.items():
            total, top, heavy = import_times(run(env, *command, importtime=True)[2])
            print(f"\n{label}: imports {total:.3f} s (python -X importtime, cumulative)")
            for seconds, name in top[:8]:
                print(f"  {seconds:7.3f} s  {name}")
            print(f"  heavy libraries loaded: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
