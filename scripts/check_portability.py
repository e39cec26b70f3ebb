#!/usr/bin/env python3
"""No Linux-only call outside the files that guard it (docs/MAC.md, "Keeping it portable").

    scripts/check_portability.py [ROOT]     (default: this repository)

Looks at the code of the tree (Swift, shell, Python, the Makefile, contrib's service files; never the
Markdown, which may name anything) for the patterns in RULES. A hit passes when
- in Swift, it sits in a `#if canImport(Glibc)` / `#if os(Linux)` branch, or
- its file and rule are in ALLOWED, with the reason the file may have it.
Swift files get two more checks: `import Glibc` only inside such a branch, and each such `#if` has a
Darwin branch (`#elseif canImport(Darwin)`, `#elseif os(macOS)` or `#else`), so a Mac build has its
counterpart. Prints `file:line: rule: what` for each finding and exits 1 if there is one. Python 3
standard library only: `make lint` runs it before anything is installed.
"""
import os
import re
import sys

# name → the pattern. The shell flags are the GNU ones BSD (macOS) tools lack or read differently;
# `sed -i.bak` (a suffix attached) works with both seds and is not matched.
RULES = {
    "import Glibc": re.compile(r"^\s*(@_exported\s+)?import\s+Glibc\b"),
    "Glibc.": re.compile(r"\bGlibc\."),
    "/proc/": re.compile(r"/proc/"),
    "/sys/": re.compile(r"/sys/"),
    "loginctl": re.compile(r"\bloginctl\b"),
    "sed -i": re.compile(r"\bsed\s+(?:-\S+\s+)*(?:-[A-Za-z]*i(?=\s|$|['\"])|--in-place\b)"),
    "readlink -f": re.compile(r"\breadlink\s+(?:-\S+\s+)*-[A-Za-z]*[fem]\b"),
    "date -d": re.compile(r"\bdate\s+(?:-\S+\s+)*(?:-[A-Za-z]*d\b|--date\b)"),
    "stat -c": re.compile(r"\bstat\s+(?:-\S+\s+)*(?:-c\b|--format\b|--printf\b)"),
}

# path (from the root) → {rule: why this file may have it}. Keep each reason true.
LINUX_READER = "the Linux sensors: roots and loginctl are parameters; PolicyService uses them only off macOS"
ALLOWED = {
    "Sources/LoomWorker/Operator/Policy/LinuxSensors.swift": {r: LINUX_READER for r in ("/proc/", "/sys/", "loginctl")},
    "Sources/LoomWorker/Operator/Policy/LinuxReadings.swift": {
        r: "parsers of Linux text, fed fake trees by tests on every platform" for r in ("/proc/", "/sys/", "loginctl")
    },
    "Tests/LoomWorkerTests/LinuxSensorsTests.swift": {
        "loginctl": "a stub loginctl; the real-machine check of /proc is under #if os(Linux)",
    },
    "Tests/LoomWorkerLiveTests/PolicyTests.swift": {"loginctl": "a comment on which sensors run where"},
    "scripts/bench_gateway.sh": {"/proc/": "exits at once unless `uname -s` is Linux"},
    "scripts/idle_rss.sh": {"/proc/": "exits at once unless `uname -s` is Linux"},
    "scripts/bench_gateway.py": {"/proc/": "refuses to read unless sys.platform is linux"},
    # The rules themselves, and the test that proves they fire.
    "scripts/check_portability.py": {r: "the rules" for r in RULES},
    "tests/interop/test_portability.py": {r: "samples the check must refuse" for r in RULES},
}

SKIP_DIRS = {".git", ".build", ".venv", ".cache", "node_modules", "__pycache__", ".swiftpm"}
CODE_SUFFIXES = {".swift", ".sh", ".bash", ".py", ".plist", ".service"}
LINUX_CONDITION = re.compile(r"(?<!!)\b(canImport\(Glibc\)|os\(Linux\))")
DARWIN_CONDITION = re.compile(r"(?<!!)\b(canImport\(Darwin\)|os\(macOS\))")
DIRECTIVE = re.compile(r"^\s*#(if|elseif|else|endif)\b(.*)")


def code_files(root):
    """Relative paths of the files the rules read: code, not prose or data."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if os.path.splitext(name)[1] in CODE_SUFFIXES or name == "Makefile" or has_shebang(path):
                yield rel


def has_shebang(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def swift_findings(rel, lines):
    """`import Glibc` outside a Linux branch; a Linux `#if` without a Darwin branch. Also returns the set
    of line numbers inside a Linux branch, where the other rules' hits are guarded."""
    findings, guarded = [], set()
    # One frame per open #if: [line of the #if, condition of the branch we are in, has a Darwin branch,
    # has a Linux branch, holds an import Glibc].
    stack = []
    for number, line in enumerate(lines, 1):
        directive = DIRECTIVE.match(line)
        if directive:
            kind, condition = directive.group(1), directive.group(2)
            if kind == "if":
                stack.append([number, condition, False, bool(LINUX_CONDITION.search(condition)), False])
            elif stack and kind in ("elseif", "else"):
                frame = stack[-1]
                frame[1] = condition if kind == "elseif" else "#else"
                frame[2] = frame[2] or kind == "else" or bool(DARWIN_CONDITION.search(condition))
                frame[3] = frame[3] or bool(LINUX_CONDITION.search(condition))
            elif stack and kind == "endif":
                start, _, darwin, linux, imports = stack.pop()
                if linux and imports and not darwin:
                    findings.append((start, "darwin branch", "this #if imports Glibc but has no #elseif "
                                     "canImport(Darwin) / os(macOS) or #else branch for macOS"))
            continue
        inside = any(LINUX_CONDITION.search(frame[1]) for frame in stack)
        if inside:
            guarded.add(number)
        if RULES["import Glibc"].search(line):
            if inside:
                for frame in stack:
                    if LINUX_CONDITION.search(frame[1]):
                        frame[4] = True
            else:
                findings.append((number, "import Glibc", "not inside #if canImport(Glibc) or #if os(Linux)"))
    return findings, guarded


def check(root):
    findings = []
    for rel in code_files(root):
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        allowed = ALLOWED.get(rel, {})
        guarded = set()
        if rel.endswith(".swift"):
            found, guarded = swift_findings(rel, lines)
            findings += [(rel, n, rule, what) for n, rule, what in found if rule not in allowed]
        for number, line in enumerate(lines, 1):
            for rule, pattern in RULES.items():
                if rule == "import Glibc" and rel.endswith(".swift"):
                    continue  # judged by swift_findings, which knows the #if around it
                if pattern.search(line) and rule not in allowed and number not in guarded:
                    findings.append((rel, number, rule, "Linux-only: guard it for macOS or make it portable"))
    return sorted(findings)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    findings = check(root)
    for rel, number, rule, what in findings:
        print(f"{rel}:{number}: {rule}: {what}")
    if findings:
        print(f"check_portability: {len(findings)} finding(s); see docs/MAC.md, \"Keeping it portable\"",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
