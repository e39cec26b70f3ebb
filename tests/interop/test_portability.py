"""scripts/check_portability.py on this tree (it must pass) and on small trees made to fail it (so the
check can fail at all). Needs no server and no `loom` binary: no fixture of conftest.py is used."""
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECK = os.path.join(ROOT, "scripts", "check_portability.py")


def run_check(root):
    return subprocess.run([sys.executable, CHECK, str(root)], capture_output=True, text=True, timeout=60)


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_this_tree_has_no_unguarded_linux_only_call():
    proc = run_check(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_an_unguarded_glibc_import_and_sed_i_are_named_by_file_line_and_rule(tmp_path):
    write(tmp_path, "Sources/A/Bad.swift", "import Foundation\nimport Glibc\n")
    write(tmp_path, "scripts/bad.sh", "#!/bin/sh\nset -e\nsed -i 's/a/b/' file\n")
    proc = run_check(tmp_path)
    assert proc.returncode == 1
    assert "Sources/A/Bad.swift:2: import Glibc:" in proc.stdout
    assert "scripts/bad.sh:3: sed -i:" in proc.stdout


def test_a_guarded_import_with_its_darwin_branch_and_portable_sed_pass(tmp_path):
    write(tmp_path, "Sources/A/Good.swift",
          "#if canImport(Glibc)\n    import Glibc\n#elseif canImport(Darwin)\n    import Darwin\n#endif\n"
          "#if os(Linux)\n    let stat = \"/proc/self/stat\"\n#endif\n")
    write(tmp_path, "scripts/good.sh", "#!/bin/sh\nsed -i.bak 's/a/b/' file && rm file.bak\n")
    write(tmp_path, "docs/NOTES.md", "Prose may name sed -i and /proc/ freely.\n")
    proc = run_check(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_glibc_import_in_an_else_or_without_darwin_branch_fails(tmp_path):
    write(tmp_path, "Sources/A/Else.swift", "#if canImport(Darwin)\n    import Darwin\n#else\n    import Glibc\n#endif\n")
    write(tmp_path, "Sources/A/Alone.swift", "#if canImport(Glibc)\n    import Glibc\n#endif\n")
    write(tmp_path, "Makefile", "x:\n\treadlink -f . ; date -d yesterday ; stat -c %s f\n")
    proc = run_check(tmp_path)
    assert proc.returncode == 1
    for expected in ("Sources/A/Else.swift:4: import Glibc:", "Sources/A/Alone.swift:1: darwin branch:",
                     "Makefile:2: readlink -f:", "Makefile:2: date -d:", "Makefile:2: stat -c:"):
        assert expected in proc.stdout, proc.stdout
