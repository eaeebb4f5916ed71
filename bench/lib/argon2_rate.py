#!/usr/bin/python3
"""argon2_rate.py: raw argon2id hash rate at Gatehouse's parameters, through
libsodium (PyNaCl, Debian's python3-nacl: the same library Gatehouse links),
as the ceiling for the sign-in figure. Bounded: SECONDS (default 3) per case.
Parameters: OPSLIMIT (default 2) and MEMLIMIT_KIB (default 19456), the values
in src/crypto/password.c (OWASP: m=19 MiB, t=2, p=1).
Prints one "RESULT {json}" line per case: 1 process, then one per core
(separate processes, so no interpreter lock is in the way).
Does not touch the network or the disk."""
import json, multiprocessing as mp, os, time
from nacl import pwhash

OPS = int(os.environ.get("OPSLIMIT", "2"))
MEM = int(os.environ.get("MEMLIMIT_KIB", "19456")) * 1024
SECONDS = float(os.environ.get("SECONDS", "3"))
PW = b"Bench-pass-7f3k-Q9x"


def worker(deadline, q):
    n, lat = 0, []
    while time.monotonic() < deadline:
        a = time.monotonic()
        pwhash.argon2id.str(PW, opslimit=OPS, memlimit=MEM)
        lat.append((time.monotonic() - a) * 1000)
        n += 1
    q.put((n, lat))


def run(procs):
    q = mp.Queue()
    t0 = time.monotonic()
    ps = [mp.Process(target=worker, args=(t0 + SECONDS, q)) for _ in range(procs)]
    for p in ps:
        p.start()
    res = [q.get() for _ in ps]
    for p in ps:
        p.join()
    secs = time.monotonic() - t0
    n = sum(r[0] for r in res)
    lat = sorted(x for r in res for x in r[1])
    return {"threads": procs, "ops": n, "ops_per_s": round(n / secs, 2),
            "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "params": "argon2id t=%d m=%d KiB p=1" % (OPS, MEM // 1024)}


if __name__ == "__main__":
    pwhash.argon2id.str(PW, opslimit=OPS, memlimit=MEM)  # warm
    for k in (1, os.cpu_count() or 1):
        print("RESULT " + json.dumps(run(k)), flush=True)
