"""Crash safety: the wallet is killed (SIGKILL) around the mint call; the next start settles it."""
import json
import signal

import pytest

from servers import start_mint
from test_nutshell_wallet import loom_wallet


@pytest.fixture(scope="module")
def mint(tmp_path_factory):
    with start_mint(tmp_path_factory.mktemp("mint"), input_fee_ppk=100) as url:
        yield url


def balance(loom, mint, d):
    return json.loads(loom_wallet(loom, mint, d, "balance", "--json").stdout)["balance"]


@pytest.mark.parametrize("point", ["before-swap-request", "after-swap-response"])
def test_receive_killed_mid_swap_is_recovered(loom, mint, tmp_path, point):
    loom_wallet(loom, mint, tmp_path / "alice", "mint", "100")
    token = loom_wallet(loom, mint, tmp_path / "alice", "send", "40").stdout.strip()

    res = loom_wallet(loom, mint, tmp_path / "bob", "receive", token, env={"LOOM_CRASH_AT": point}, check=False)
    assert res.returncode == -signal.SIGKILL, res.stderr

    # Next start: the journaled operation is settled, the 40 sat (less the mint's fee) are there.
    got = balance(loom, mint, tmp_path / "bob")
    assert got == 40 - 1  # two proofs (32+8) at 100 ppk: a 1 sat input fee
    loom_wallet(loom, mint, tmp_path / "bob", "audit")
    # The token is this wallet's now: receiving it again is refused before
    # the mint is asked, nothing doubles.
    res = loom_wallet(loom, mint, tmp_path / "bob", "receive", token, check=False)
    assert res.returncode == 1 and "already received by this wallet" in res.stderr
    assert balance(loom, mint, tmp_path / "bob") == got


def test_send_killed_after_swap_keeps_the_token(loom, mint, tmp_path):
    loom_wallet(loom, mint, tmp_path / "alice", "mint", "64")
    res = loom_wallet(loom, mint, tmp_path / "alice", "send", "10", env={"LOOM_CRASH_AT": "after-swap-response"}, check=False)
    assert res.returncode == -signal.SIGKILL
    left = balance(loom, mint, tmp_path / "alice")  # recovery runs here
    history = json.loads(loom_wallet(loom, mint, tmp_path / "alice", "history", "--json").stdout)
    sends = [h for h in history if h["kind"] == "send"]
    assert sends[0]["state"] == "done" and sends[0]["token"].startswith("cashuB")
    assert left == 64 - 10 - sends[0]["fee"]
    loom_wallet(loom, mint, tmp_path / "alice", "audit")
    got = json.loads(loom_wallet(loom, mint, tmp_path / "bob", "receive", sends[0]["token"], "--json").stdout)
    assert got["amount"] == 10


def test_mint_down_refuses_at_once_and_loses_nothing(loom, tmp_path):
    (tmp_path / "mint").mkdir()
    with start_mint(tmp_path / "mint", input_fee_ppk=0) as url:
        loom_wallet(loom, url, tmp_path / "alice", "mint", "32")
    # The mint is gone; keysets are cached, so the send gets as far as the swap.
    res = loom_wallet(loom, url, tmp_path / "alice", "send", "5", check=False)
    assert res.returncode == 1 and "mint unreachable" in res.stderr
    assert balance(loom, url, tmp_path / "alice") == 32
    history = json.loads(loom_wallet(loom, url, tmp_path / "alice", "history", "--json").stdout)
    assert history[0]["kind"] == "send" and history[0]["state"] == "failed"
    loom_wallet(loom, url, tmp_path / "alice", "audit")
