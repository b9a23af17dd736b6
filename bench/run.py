"""Run every benchmark and print its figures (`make bench`).

    .venv/bin/python bench/run.py [--quick]

--quick uses smaller sizes (200,000 people, 50 sign-ins) for a run of a few minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    runs = [
        ["population_import.py", "--rows", "200000" if quick else "1000000"],
        ["signin.py", "--citizens", "50" if quick else "200"],
        ["signin.py", "--citizens", "50" if quick else "200", "--postgres"],
        ["signin_flood.py", *(["--seconds", "10"] if quick else [])],
        ["applications.py", *(["--citizens", "60", "--seconds", "5"] if quick else [])],
        ["payments.py", *(["--seconds", "5"] if quick else [])],
        ["vehicles.py", *(["--seconds", "5", "--http-sales", "16"] if quick else [])],
        ["notifications.py", *(["--messages", "500"] if quick else [])],
        ["faults.py", *(["--submissions", "200", "--approvals", "50"] if quick else [])],
    ]
    for script, *args in runs:
        print(f"\n=== {script} {' '.join(args)} ===", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *args], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
