"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by run.sh): tus PATCH bodies
(`application/offset+octet-stream`) are raw bytes, serialised like application/octet-stream."""
import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
