"""Writes Shared Key signatures computed by Microsoft's azure-storage-blob SDK
for the kinds of request nachet-sync sends, so the Swift client's signing is
checked against the SDK's own (Tests/NachetSyncTests/Azure/SignatureVectorTests.swift).

Run once, and again when the requests change; commit the output:

    .venv-tests/bin/python Tests/AzureFidelity/make_signature_vectors.py \
        > Tests/NachetSyncTests/Azure/signature-vectors.json
"""

import json
import sys

from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest
from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

ACCOUNT = "nachetlab"
KEY = "bmFjaGV0LXN5bmMtdGVzdC12ZWN0b3Ita2V5LW5vdC1hLXJlYWwtc2VjcmV0LTAwMDA="
DATE = "Wed, 25 Nov 2026 03:00:00 GMT"
BASE = "https://nachetlab.blob.core.windows.net"
PATH_STYLE = "http://127.0.0.1:10000/nachetlab"

REQUESTS = [
    ("PUT", BASE + "/user-3f1c2b8e-0000-4000-8000-000000000001?restype=container", {"Content-Length": "0"}),
    (
        "PUT",
        BASE + "/user-3f1c2b8e-0000-4000-8000-000000000001/lot-7/9a1d6c2e-1111-4222-8333-444455556666",
        {
            "Content-Length": "2048",
            "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
            "If-None-Match": "*",
            "x-ms-blob-type": "BlockBlob",
            "x-ms-meta-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "x-ms-tags": "picture_set_uuid=5&picture_uuid=9",
        },
    ),
    (
        "PUT",
        BASE + "/user-1/Lot%207%20%E2%80%93%20%C3%A9t%C3%A9/abc?comp=block&blockid=bmFjaGV0LWFiYy0wMDAwMDAwMDAwNDAwMDAw",
        {"Content-Length": "4194304", "Content-MD5": "Q2hlY2sgSW50ZWdyaXR5IQ=="},
    ),
    (
        "PUT",
        BASE + "/user-1/lot/abc?comp=blocklist",
        {
            "Content-Length": "120",
            "Content-Type": "application/xml; charset=utf-8",
            "Content-MD5": "Q2hlY2sgSW50ZWdyaXR5IQ==",
            "If-None-Match": "*",
            "x-ms-meta-sha256": "ab" * 32,
        },
    ),
    ("GET", BASE + "/user-1/lot/abc?comp=blocklist&blocklisttype=uncommitted", {}),
    ("HEAD", BASE + "/user-1/lot/abc", {}),
    ("GET", BASE + "/user-1/lot/abc?comp=tags", {}),
    ("GET", PATH_STYLE + "/user-1?restype=container&comp=list&prefix=lot%2F&marker=", {}),
    ("PUT", PATH_STYLE + "/user-1/lot/lot.json", {"Content-Length": "90", "x-ms-blob-type": "BlockBlob", "If-None-Match": "*"}),
]

vectors = []
for method, url, headers in REQUESTS:
    all_headers = dict(headers)
    all_headers.update({"x-ms-date": DATE, "x-ms-version": "2021-08-06", "x-ms-client-request-id": "0f1e2d3c-aaaa-bbbb-cccc-000000000000"})
    request = HttpRequest(method, url, headers=all_headers)
    SharedKeyCredentialPolicy(ACCOUNT, KEY).on_request(PipelineRequest(request, PipelineContext(None)))
    vectors.append({"method": method, "url": url, "headers": all_headers, "authorization": request.headers["Authorization"]})

json.dump({"account": ACCOUNT, "key": KEY, "vectors": vectors}, sys.stdout, indent=2)
sys.stdout.write("\n")
