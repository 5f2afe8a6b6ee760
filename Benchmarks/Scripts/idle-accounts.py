#!/usr/bin/env python3
"""Creates the accounts of the idle-sessions benchmark in a Prosody data dir.

    idle-accounts.py --data-dir DIR --count N [--domain D] [--prefix P]
                     [--suffix S] [--iterations I] [--cache DIR] [--jobs J]

Accounts P00001 ... P<N> on domain D (default idle00001@xmpp.test ...), each
with the password <account><S> (default suffix "-password").

`prosodyctl register` costs about 33 ms per account here (a Lua start-up
each time): 10,000 accounts take 5.5 minutes. This script writes the files
Prosody's internal_hashed authentication reads instead, in the format
`prosodyctl register` writes:

    DIR/<host>/accounts/<user>.dat:
    return {
        ["iteration_count"] = 10000;
        ["salt"] = "<uuid>";
        ["stored_key"] = "<hex>";  -- H(HMAC(SaltedPassword, "Client Key"))
        ["server_key"] = "<hex>";  -- HMAC(SaltedPassword, "Server Key")
    };

with SaltedPassword = PBKDF2-HMAC-SHA-1(password, salt, iterations)
(RFC 5802), a random UUID salt per account as Prosody makes them, and the
host and user names encoded as Prosody's datamanager does (every byte that
is not a letter or digit as %xx). Prosody's internal storage reads the file
at every login, so writing while it runs is fine (prosodyctl does the same).

The PBKDF2 runs dominate (about 2.2 ms per account), so the files are made
once into --cache (default <repo>/.test-env/idle-accounts/<domain>-<I>),
in --jobs processes, and copied from there on later runs; a cached file is
reused only for the same account, domain and iteration count.
"""
import argparse
import hashlib
import hmac
import multiprocessing
import os
import shutil
import sys
import time
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def encode(name):
    """Prosody's datamanager encoding of a node or host name."""
    return "".join(c if c.isascii() and c.isalnum() else "".join(f"%{b:02x}" for b in c.encode()) for c in name)


def account_file(args):
    """The .dat text for one account: (user, password, iterations)."""
    user, password, iterations = args
    salt = str(uuid.uuid4())
    salted = hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
    stored_key = hashlib.sha1(client_key).hexdigest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha1).hexdigest()
    return user, (
        "return {\n"
        f'\t["iteration_count"] = {iterations};\n'
        f'\t["server_key"] = "{server_key}";\n'
        f'\t["salt"] = "{salt}";\n'
        f'\t["stored_key"] = "{stored_key}";\n'
        "};\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="Prosody's data_path")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--domain", default="xmpp.test")
    parser.add_argument("--prefix", default="idle")
    parser.add_argument("--suffix", default="-password")
    parser.add_argument("--iterations", type=int, default=10000, help="Prosody 0.12's default")
    parser.add_argument("--cache")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.count < 1 or args.count > 99999:
        sys.exit("idle-accounts.py: --count must be 1...99999 (five-digit account numbers)")

    started = time.monotonic()
    cache = args.cache or os.path.join(REPO, ".test-env", "idle-accounts", f"{args.domain}-{args.iterations}")
    # The cache is keyed by the password suffix too: a file for another
    # password would let nobody in.
    cache = os.path.join(cache, encode(args.suffix))
    os.makedirs(cache, exist_ok=True)
    users = [f"{args.prefix}{i:05d}" for i in range(1, args.count + 1)]
    missing = [u for u in users if not os.path.exists(os.path.join(cache, encode(u) + ".dat"))]
    if missing:
        work = [(u, u + args.suffix, args.iterations) for u in missing]
        with multiprocessing.Pool(max(1, args.jobs)) as pool:
            for user, text in pool.imap_unordered(account_file, work, chunksize=64):
                path = os.path.join(cache, encode(user) + ".dat")
                with open(path + ".tmp", "w") as f:
                    f.write(text)
                os.replace(path + ".tmp", path)  # never a half-written file in the cache
    generated = time.monotonic() - started

    accounts = os.path.join(args.data_dir, encode(args.domain), "accounts")
    os.makedirs(accounts, exist_ok=True)
    owner = None
    if os.geteuid() == 0:
        # Prosody runs as its own user and must read (and may rewrite) them.
        import pwd

        try:
            entry = pwd.getpwnam("prosody")
            owner = (entry.pw_uid, entry.pw_gid)
        except KeyError:
            pass
    for directory in (os.path.dirname(accounts), accounts):
        if owner:
            os.chown(directory, *owner)
        os.chmod(directory, 0o750)
    for user in users:
        target = os.path.join(accounts, encode(user) + ".dat")
        shutil.copyfile(os.path.join(cache, encode(user) + ".dat"), target)
        if owner:
            os.chown(target, *owner)
        os.chmod(target, 0o640)
    print(
        f"idle-accounts: {args.count} accounts {users[0]}..{users[-1]}@{args.domain} in {accounts} "
        f"({len(missing)} hashed anew in {generated:.1f} s, {time.monotonic() - started:.1f} s in all)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
