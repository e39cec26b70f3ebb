"""Shared helpers: run the `loom` binary that `make test` just built."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def loom_bin():
    path = os.environ.get("LOOM_BIN")
    if not path or not os.path.exists(path):
        pytest.fail("LOOM_BIN is not set to a built loom binary; run `make test`")
    return path


@pytest.fixture
def loom(loom_bin):
    def run(*args, stdin=None, env=None, check=True):
        full_env = dict(os.environ)
        full_env.pop("NOSTR_PRIVATE_KEY", None)
        full_env.update(env or {})
        proc = subprocess.run([loom_bin, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"loom {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc
    return run


def loads(text):
    return json.loads(text)
