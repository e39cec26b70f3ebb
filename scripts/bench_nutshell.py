#!/usr/bin/env python3
"""The same per-proof wallet work as `loom bench --filter cashu.proof`, done by
Nutshell's Python implementation (cashu.core.crypto.b_dhke, over coincurve /
libsecp256k1): hash_to_curve + blind + unblind + DLEQ verify, on one core.

    .venv/bin/python scripts/bench_nutshell.py [seconds]
"""
import os
import sys
import time

from cashu.core.crypto import b_dhke
from cashu.core.crypto.secp import PrivateKey

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
k = PrivateKey()
K = k.public_key
items = []
for _ in range(256):
    secret = os.urandom(32).hex()
    B_, r = b_dhke.step1_alice(secret)
    C_, e, s = b_dhke.step2_bob(B_, k)
    items.append((secret, r, C_, e, s))

def one(item):
    secret, r, C_, e, s = item
    B_, _ = b_dhke.step1_alice(secret, r)          # hash_to_curve + blind
    b_dhke.step3_alice(C_, r, K)                   # unblind
    assert b_dhke.alice_verify_dleq(B_, C_, e, s, K)

for item in items[:50]:
    one(item)
n = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    for item in items[:64]:
        one(item)
    n += 64
    items.append(items.pop(0))
elapsed = time.perf_counter() - start
print(f"nutshell.proof(h2c+blind+unblind+dleq) {n / elapsed:12.0f} ops/s  {1e6 * elapsed / n:8.2f} µs/op")
