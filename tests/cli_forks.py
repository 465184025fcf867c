"""Run many ``missions`` command lines quickly: each in its own process, forked from one warm interpreter.

Reads a JSON list of ``{"argv": [...], "cwd": "..."}`` on stdin and writes a
JSON list of ``{"code", "stdout", "stderr", "wall_s", "maxrss_mb"}``. Each
command is ``simulation.frontends.cli.main`` (what the console script runs) in a
forked child with its own working directory, standard streams and exit
status; an exception that escapes ``main`` is printed as the interpreter
would and exits 1. Forking skips the second of imports a cold start costs,
so a corpus of files takes seconds; ``maxrss_mb`` is the child's peak
resident memory (``os.wait4``), which includes what it shares with this
warm parent, so it overstates, never understates.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback


def run(argv: list[str], cwd: str) -> dict:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child: the CLI and nothing else
            code = 1
            try:
                os.chdir(cwd)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                from simulation.frontends.cli import main

                code = main(argv)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code if isinstance(code, int) else 1)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {"code": os.waitstatus_to_exitcode(status), "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace"), "wall_s": wall, "maxrss_mb": usage.ru_maxrss / 1024}


if __name__ == "__main__":
    import simulation.execution.sweep  # noqa: F401  (warm: what every command may import)

    print(json.dumps([run(case["argv"], case["cwd"]) for case in json.load(sys.stdin)]))
