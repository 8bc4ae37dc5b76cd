"""Registers a citizen on the server under test and prints a bearer token (stdlib only)."""
import json
import sys
import urllib.request


def call(base, path, body):
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def main():
    base, nik, password = sys.argv[1], sys.argv[2], sys.argv[3]
    call(base, "/v1/accounts", {"nik": nik, "name": "Uji Kesesuaian", "phone": "081234567890", "password": password})
    print(call(base, "/v1/sessions", {"username": nik, "password": password})["token"])


if __name__ == "__main__":
    main()
