#!/usr/bin/env python3
"""The backup benchmark's data set, generated deterministically (the same bytes and mtimes every time).

  dataset.py generate DIR      write the files (~0.9 GB) into DIR (which must not exist)
  dataset.py change DIR ROUND  change 1% of the files: rewrite 1% of the config files, append to 1% of the logs
  dataset.py size DIR          print the bytes of all regular files under DIR
  dataset.py shop-sql          print the SQL that creates the shop table (1M rows) in the current database

The files (seeded, so every run and every machine gets the same content):
  etc/    20,000 config-like text files of 0.2-16 KB in 200 directories (key = value lines)
  logs/   150 log files of 0.5-4 MB (timestamped lines, request ids, repeated messages)
  blobs/  2 compressible binaries (128 MiB each, 4 bits of entropy per byte) and
          2 incompressible ones (128 MiB each, random bytes)
"""
import os
import random
import sys

SCALE = int(os.environ.get("BENCH_DATASET_DIVISOR", "1"))  # > 1 only for a quick try of the script
MTIME = 1_767_225_600  # 2026-01-01 00:00:00 UTC: every generated file has this mtime
CONFIGS, CONFIG_DIRS = 20_000 // SCALE, 200
LOGS = 150 // SCALE
BLOB = (128 << 20) // SCALE
CHUNK = 1 << 20

WORDS = ("alpha beta gamma delta server client worker queue cache pool timeout retry backend frontend "
         "listen port host path enabled disabled level user group mode limit size max min interval").split()
COMPONENTS = "http db cache auth billing orders search mailer scheduler gateway".split()
MESSAGES = [
    "request completed status=200 duration_ms={n}",
    "request completed status=404 duration_ms={n}",
    "slow query took {n} ms on orders",
    "cache miss for key order:{n}",
    "user {n} logged in from 10.0.{a}.{b}",
    "payment {n} authorised",
    "retrying connection to backend attempt={a}",
    "queue depth {n} above threshold",
]
LEVELS = ["INFO"] * 8 + ["WARN", "ERROR", "DEBUG", "DEBUG"]


def config_text(rng, size):
    lines, total = [], 0
    section = 0
    while total < size:
        if rng.random() < 0.08:
            section += 1
            line = f"\n[{rng.choice(WORDS)}.{section}]"
        else:
            line = f"{rng.choice(WORDS)}_{rng.choice(WORDS)} = {rng.choice((rng.randint(0, 65535), rng.choice(WORDS), rng.random() < 0.5))}"
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode()


def log_text(rng, size, start):
    lines, total, t = [], 0, start
    while total < size:
        t += rng.randint(0, 900)
        message = rng.choice(MESSAGES).format(n=rng.randint(1, 99999), a=rng.randint(0, 255), b=rng.randint(0, 255))
        line = (f"2026-01-{1 + t // 86_400_000 % 28:02d}T{t // 3_600_000 % 24:02d}:{t // 60_000 % 60:02d}:"
                f"{t // 1000 % 60:02d}.{t % 1000:03d}Z {rng.choice(LEVELS)} [{rng.choice(COMPONENTS)}] "
                f"req={rng.getrandbits(64):016x} {message}")
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode(), t


def write(path, data, mtime=MTIME):
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def config_path(root, i):
    return os.path.join(root, "etc", f"d{i % CONFIG_DIRS:03d}", f"service-{i:05d}.conf")


def log_path(root, i):
    return os.path.join(root, "logs", f"app-{i:03d}.log")


def generate(root):
    os.makedirs(root)
    rng = random.Random(20261124)
    for d in range(CONFIG_DIRS):
        os.makedirs(os.path.join(root, "etc", f"d{d:03d}"))
    for i in range(CONFIGS):
        size = min(16_384, max(200, int(rng.lognormvariate(7.8, 0.9))))
        write(config_path(root, i), config_text(rng, size))
    os.makedirs(os.path.join(root, "logs"))
    for i in range(LOGS):
        data, _ = log_text(rng, rng.randint(512 << 10, 4 << 20), i * 3_600_000)
        write(log_path(root, i), data)
    os.makedirs(os.path.join(root, "blobs"))
    nibbles = bytes(range(16)) * 16  # byte -> byte % 16: 4 bits of entropy per byte
    table = bytes(0x30 + nibbles[b] for b in range(256))
    for i in range(2):
        with open(os.path.join(root, "blobs", f"compressible-{i}.bin"), "wb") as f:
            for _ in range(BLOB // CHUNK):
                f.write(rng.randbytes(CHUNK).translate(table))
        with open(os.path.join(root, "blobs", f"random-{i}.bin"), "wb") as f:
            for _ in range(BLOB // CHUNK):
                f.write(rng.randbytes(CHUNK))
    for name in os.listdir(os.path.join(root, "blobs")):
        os.utime(os.path.join(root, "blobs", name), (MTIME, MTIME))
    for top, dirs, _ in os.walk(root, topdown=False):
        os.utime(top, (MTIME, MTIME))


def change(root, round_no):
    """1% of the files: 200 configs rewritten (new content of about the same size), 2 logs appended to (256 KB each)."""
    rng = random.Random(1000 + round_no)
    mtime = MTIME + 86_400 * round_no
    for i in rng.sample(range(CONFIGS), CONFIGS // 100):
        size = os.path.getsize(config_path(root, i))
        write(config_path(root, i), config_text(rng, size), mtime)
    for i in rng.sample(range(LOGS), max(1, LOGS // 100)):
        path = log_path(root, i)
        data, _ = log_text(rng, 256 << 10, 100_000_000 + round_no * 3_600_000)
        with open(path, "ab") as f:
            f.write(data)
        os.utime(path, (mtime, mtime))
    return CONFIGS // 100 + max(1, LOGS // 100)


def size(root):
    return sum(os.path.getsize(os.path.join(top, name)) for top, _, names in os.walk(root) for name in names)


SHOP_SQL = """
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    created_at timestamptz NOT NULL,
    status text NOT NULL,
    sku text NOT NULL,
    quantity integer NOT NULL,
    total numeric(10, 2) NOT NULL,
    note text
);
INSERT INTO orders
SELECT i,
       ((i * 7919) % 50000)::integer,
       timestamptz '2025-01-01 00:00:00+00' + (i * interval '31 seconds'),
       (ARRAY['new', 'paid', 'shipped', 'delivered', 'returned'])[(1 + (i * 13) % 5)::integer],
       'SKU-' || lpad(((i * 104729) % 100000)::text, 6, '0'),
       (1 + (i * 31) % 9)::integer,
       round(((i * 2654435761) % 100000) / 100.0, 2),
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'gift wrap ' || md5(i::text) END
FROM generate_series(1::bigint, ROWS) AS i;
ANALYZE orders;
"""


def main(argv):
    match argv:
        case ["generate", root]:
            generate(root)
        case ["change", root, round_no]:
            print(change(root, int(round_no)))
        case ["size", root]:
            print(size(root))
        case ["shop-sql"]:
            sys.stdout.write(SHOP_SQL.replace("ROWS", str(1_000_000 // SCALE)))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
