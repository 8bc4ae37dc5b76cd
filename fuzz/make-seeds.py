#!/usr/bin/env python3
"""Writes the starting seeds of every fuzz target into fuzz/corpus/<target>/, taken from the
embedded catalog, the service fixtures (core/tests/fixtures/services) and docs/protocol.md.

The committed corpus is these seeds plus what the fuzzers found, minimised with
`cargo +nightly fuzz cmin`; run this again only to start a corpus afresh (see README.md).
"""
import base64
import hashlib
import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
catalog = json.loads((ROOT / "core/catalog/catalog.json").read_text())
fixture_services = sorted((ROOT / "core/tests/fixtures/services").glob("*.json"))
fixtures = [json.loads(p.read_text()) for p in fixture_services]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# catalog_json: the catalog cut down to one small service each (still loadable), and a few
# broken ones like the loader tests use.
for keep in ["kk_hilang_rusak", "kia"]:
    small = dict(catalog)
    small["services"] = [s for s in catalog["services"] if s["id"] == keep]
    lists = {f.get("list") for s in small["services"] for f in s["fields"]}
    small["code_lists"] = [c for c in catalog["code_lists"] if c["id"] in lists]
    write("catalog_json", compact(small))
write("catalog_json", '{\n  "format": 1,\n  "version": }')
write("catalog_json", '{"format": 1, "version": "1", "services": []}')

# rule_expr: every rule of the catalog; the first byte is the type of `.` (0 none, 1 Bool,
# 2 Int, 3 Text, 4 Date), then the rule, then sample values one per line.
TYPE_OF_KIND = {"date": 4, "integer": 2, "bool": 1}
VALUES = "\n2019-04-09\n12\nSiti Aisyah\ntrue\n1305174904190002"
for service in catalog["services"]:
    for field in service["fields"]:
        for prop in ["relevant", "required_if", "calculate", "constraint"]:
            rule = field.get(prop)
            if rule:
                current = TYPE_OF_KIND.get(field["kind"], 3) if prop == "constraint" else 0
                write("rule_expr", bytes([current]) + (rule + VALUES).encode())
    for check in service.get("checks", []):
        write("rule_expr", b"\0" + (check["expr"] + VALUES).encode())

# nik_kk and form_json: the identity numbers and whole forms of the fixtures.
service_ids = [s["id"] for s in catalog["services"]]
for path, fixture in zip(fixture_services, fixtures):
    service = path.stem
    forms = [fixture["valid"]] + fixture.get("mistakes", [])[:2]
    for form in forms:
        pick = service_ids.index(service) | (0x80 if form.get("attachments") else 0)
        write("form_json", bytes([pick]) + compact(form["values"]).encode())
    for key, value in fixture["valid"]["values"].items():
        if key.startswith("nik") or key.startswith("nomor_kk") or key == "desa":
            write("nik_kk", value)
write("nik_kk", " 1305 1749 0419 0002 ")
write("nik_kk", "1305174904190002\u00a0")
write("nik_kk", "13.05.17.2001")
write("nik_kk", "1305172001")

# tus_headers: Upload-Offset, Upload-Length, Upload-Metadata, Upload-Checksum, patch body.
patch = b"%PDF-1.4 ktp"
b64 = lambda b: base64.b64encode(b).decode()
metadata = ",".join([
    "filename " + b64(b"ktp.jpg"),
    "filetype " + b64(b"image/jpeg"),
    "sha256 " + b64(hashlib.sha256(patch).hexdigest().encode()),
])
write("tus_headers", b"0\n%d\n%s\nsha256 %s\n" % (len(patch), metadata.encode(), b64(hashlib.sha256(patch).digest()).encode()) + patch)
write("tus_headers", b"262144\n10485760\nfilename a3RwLmpwZw==,is_confidential\nsha1 %s\n" % b64(hashlib.sha1(patch).digest()).encode() + patch)
write("tus_headers", b"00\n\n\nmd5 AAAA\n")

# protocol_json: each body of docs/protocol.md.
values = fixtures[0]["valid"]["values"]
payload = {"service": fixture_services[0].stem, "catalog_version": catalog["version"],
           "values": values,
           "attachments": [{"requirement": "kk", "sha256": hashlib.sha256(patch).hexdigest(),
                            "size": len(patch), "media_type": "image/jpeg"}],
           "village": "13.05.01.2001", "on_behalf_of": "1305174904190002"}
op = "0193a1b2-0000-7000-8000-000000000001"
bodies = [
    {"nik": "1305175406910003", "name": "Siti Aisyah", "phone": "081234567890", "password": "kata-sandi-panjang"},
    {"username": "1305 1754 0691 0003", "password": "kata-sandi-panjang"},
    {"operations": [
        {"type": "submit", "op_id": op, "local_id": op, "request": payload},
        {"type": "revise", "op_id": op, "request_id": op, "request": payload},
        {"type": "cancel", "op_id": op, "request_id": op}]},
    {"to": "returned", "note": "foto buram", "reasons": [{"target": "kk", "message": "foto buram"}, {"target": None, "message": "x"}]},
    {"to": "completed", "document": {"number": "1305-LU-15042019-0031", "pickup": "nagari"}},
    {"token": "abc", "expires_at_ms": 1764547200000, "user": {"id": op, "role": "citizen", "username": "1305175406910003", "name": "Siti", "village": None}},
    {"results": [{"op_id": op, "status": "accepted", "request_id": op, "tracking_code": "CR-ABCD-EFGH", "state": "submitted"},
                 {"op_id": op, "status": "catalog_outdated", "current_version": "2026.12.1"}]},
    {"changes": [{"request_id": op, "local_id": op, "tracking_code": "CR-ABCD-EFGH", "state": "returned", "at_ms": 1, "seq": 3,
                  "note": None, "reasons": [{"target": "kk", "message": "foto buram"}], "document": None}],
     "next_cursor": "3", "more": False},
    {"type": "https://ceria.invalid/problems/auth.rate_limited", "title": "Too Many Requests", "status": 429,
     "code": "auth.rate_limited", "message_id": "Terlalu banyak", "message_en": "Too many"},
]
for body in bodies:
    write("protocol_json", compact(body))
