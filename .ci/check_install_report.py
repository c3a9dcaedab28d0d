"""Read `pip install --dry-run --report` output: installing ainotes over Colab's packages must change none of them.

Usage: python .ci/check_install_report.py REPORT.json PINS.txt

Fails (exit 1) when the install would replace a package that Colab ships (a pinned one), or would
add anything but ainotes and the direct dependencies of ainotes that the environment lacks.
"""

import json
import re
import sys
from pathlib import Path


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(report_path: str, pins_path: str) -> int:
    report = json.loads(Path(report_path).read_text())
    pins = {}
    for line in Path(pins_path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonical(name)] = version
    installs = {canonical(item["metadata"]["name"]): item for item in report["install"]}
    ainotes = installs.get("ainotes")
    if ainotes is None:
        print("The report does not install ainotes: was the project passed to pip?")
        return 1
    declared = {canonical(re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0]) for req in ainotes["metadata"].get("requires_dist", [])
                if "extra ==" not in req}  # fmt: skip
    print("pip would install:", ", ".join(f"{n} {i['metadata']['version']}" for n, i in sorted(installs.items())))
    problems = [f"{name} {item['metadata']['version']} would replace Colab's {pins[name]}"
                for name, item in installs.items() if name in pins]  # fmt: skip
    problems += [f"{name} is neither ainotes nor one of its direct dependencies"
                 for name in installs if name != "ainotes" and name not in pins and name not in declared]  # fmt: skip
    for problem in problems:
        print("PROBLEM:", problem)
    if not problems:
        print(f"OK: none of the {len(pins)} Colab packages changes ({', '.join(sorted(pins))}).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
