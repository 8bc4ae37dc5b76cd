"""tuspy (an independent tus 1.0 client) against ceria-server: a whole upload with per-chunk
sha1 checksums, then an upload stopped part-way and resumed by a new uploader from the
server's offset. Checks the stored blob byte for byte."""
import hashlib
import io
import os
import random
import sys

from tusclient import client


def blob(data_dir, data):
    path = os.path.join(data_dir, "blobs", hashlib.sha256(data).hexdigest())
    with open(path, "rb") as f:
        return f.read()


def main():
    base, token, data_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    tus = client.TusClient(base + "/v1/uploads", headers={"Authorization": "Bearer " + token})
    rng = random.Random(7)

    data = rng.randbytes(700_000)
    meta = {"filename": "ktp.jpg", "filetype": "image/jpeg", "sha256": hashlib.sha256(data).hexdigest()}
    up = tus.uploader(file_stream=io.BytesIO(data), chunk_size=200_000, metadata=meta, upload_checksum=True)
    up.upload()
    assert up.offset == len(data), up.offset
    assert blob(data_dir, data) == data, "whole upload stored byte for byte"
    print("tuspy: whole upload with checksums ok")

    data = rng.randbytes(450_000)
    meta = {"filename": "kk.jpg", "filetype": "image/jpeg"}
    first = tus.uploader(file_stream=io.BytesIO(data), chunk_size=100_000, metadata=meta)
    first.upload(stop_at=300_000)
    assert first.offset == 300_000, first.offset
    # A new uploader (the app restarted) asks the server where to continue.
    again = tus.uploader(file_stream=io.BytesIO(data), chunk_size=100_000, url=first.url)
    assert again.get_offset() == 300_000, again.get_offset()
    again.upload()
    assert again.offset == len(data)
    assert blob(data_dir, data) == data, "resumed upload stored byte for byte"
    print("tuspy: interrupted upload resumed ok")


if __name__ == "__main__":
    main()
