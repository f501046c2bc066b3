"""Checks the project's Azure Blob emulator with Microsoft's own SDK.

    python sdk_check.py ENDPOINT ACCOUNT_KEY

ENDPOINT is the emulator's path-style blob endpoint
(http://127.0.0.1:PORT/devstoreaccount1). Every check talks to the emulator
through azure-storage-blob exactly as an application would; the emulator is
trusted by the Swift tests only because all of them pass. Prints one line per
check and a closing "N passed, M failed" line; exits 1 on any failure.
"""

import datetime
import hashlib
import os
import sys
import traceback

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceExistsError
from azure.storage.blob import (
    AccountSasPermissions,
    BlobServiceClient,
    ContainerClient,
    ContainerSasPermissions,
    ResourceTypes,
    generate_account_sas,
    generate_container_sas,
)

ENDPOINT, KEY = sys.argv[1], sys.argv[2]
ACCOUNT = ENDPOINT.rstrip("/").rsplit("/", 1)[-1]
CONNECTION = f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={ENDPOINT};"
SMALL = os.urandom(1000)
BIG = os.urandom(3 * 1024 * 1024 + 17)
results = []


def check(name):
    def run(function):
        try:
            function()
            results.append((name, None))
            print(f"ok      {name}")
        except Exception:  # noqa: BLE001 - every failure is reported
            results.append((name, traceback.format_exc()))
            print(f"FAILED  {name}\n{traceback.format_exc()}")
        return function

    return run


service = BlobServiceClient.from_connection_string(
    CONNECTION, max_single_put_size=1024 * 1024, max_block_size=512 * 1024
)
container = service.get_container_client("fidelity")


@check("create a container; creating it again is a conflict")
def _():
    container.create_container()
    try:
        container.create_container()
        raise AssertionError("second create_container succeeded")
    except ResourceExistsError:
        pass


@check("upload a small blob with metadata and tags (single Put Blob)")
def _():
    container.upload_blob(
        "pictures/small.bin",
        SMALL,
        metadata={"sha256": hashlib.sha256(SMALL).hexdigest()},
        tags={"picture_uuid": "p-1", "picture_set_uuid": "s-1"},
    )


@check("upload a large blob in blocks (Put Block + Put Block List)")
def _():
    container.upload_blob("pictures/big.bin", BIG, metadata={"sha256": hashlib.sha256(BIG).hexdigest()})


@check("overwrite=False on an existing blob is refused")
def _():
    try:
        container.upload_blob("pictures/small.bin", b"other bytes", overwrite=False)
        raise AssertionError("the existing blob was overwritten")
    except ResourceExistsError:
        pass
    assert container.download_blob("pictures/small.bin").readall() == SMALL


@check("blob properties: size and metadata")
def _():
    properties = container.get_blob_client("pictures/big.bin").get_blob_properties()
    assert properties.size == len(BIG), properties.size
    assert properties.metadata == {"sha256": hashlib.sha256(BIG).hexdigest()}, properties.metadata
    assert properties.blob_type == "BlockBlob", properties.blob_type


@check("blob index tags: read, replace, read again")
def _():
    blob = container.get_blob_client("pictures/small.bin")
    assert blob.get_blob_tags() == {"picture_uuid": "p-1", "picture_set_uuid": "s-1"}, blob.get_blob_tags()
    blob.set_blob_tags({"picture_uuid": "p-2"})
    assert blob.get_blob_tags() == {"picture_uuid": "p-2"}


@check("list blobs with a prefix, one page at a time")
def _():
    container.upload_blob("other/marker.json", b"{}")
    names = [blob.name for blob in container.list_blobs(name_starts_with="pictures/")]
    assert names == ["pictures/big.bin", "pictures/small.bin"], names
    pages = container.list_blobs(results_per_page=1).by_page()
    paged = [blob.name for page in pages for blob in page]
    assert paged == ["other/marker.json", "pictures/big.bin", "pictures/small.bin"], paged


@check("walk blobs by directory (delimiter), one page at a time too, with metadata, as rclone lists")
def _():
    container.upload_blob("walk/a/one.bin", b"1", metadata={"mtime": "2026-11-25T06:00:00Z"})
    container.upload_blob("walk/a/two.bin", b"2")
    container.upload_blob("walk/top.bin", b"3")
    top = [(item.name, type(item).__name__) for item in container.walk_blobs(name_starts_with="walk/", delimiter="/")]
    assert [name for name, _ in top] == ["walk/a/", "walk/top.bin"], top
    # One entry a page: the marker of the second page follows a BlobPrefix.
    pages = container.walk_blobs(name_starts_with="walk/", delimiter="/", results_per_page=1).by_page()
    paged = [[item.name for item in page] for page in pages]
    assert paged == [["walk/a/"], ["walk/top.bin"]], paged
    inner = list(container.list_blobs(name_starts_with="walk/a/", include=["metadata"]))
    assert [blob.name for blob in inner] == ["walk/a/one.bin", "walk/a/two.bin"], inner
    assert inner[0].metadata == {"mtime": "2026-11-25T06:00:00Z"}, inner[0].metadata


@check("download and compare, whole and by range")
def _():
    assert container.download_blob("pictures/big.bin").readall() == BIG
    assert container.download_blob("pictures/big.bin", offset=10, length=100).readall() == BIG[10:110]
    assert container.download_blob("pictures/small.bin", max_concurrency=1).readall() == SMALL


@check("staged blocks stay apart from the committed blob until committed")
def _():
    blob = container.get_blob_client("pictures/staged.bin")
    blob.stage_block("YmxvY2stMDAw", b"first-")
    blob.stage_block("YmxvY2stMDAx", b"second")
    committed, uncommitted = blob.get_block_list("all")
    assert committed == [] and sorted(block.id for block in uncommitted) == ["YmxvY2stMDAw", "YmxvY2stMDAx"]
    blob.commit_block_list(["YmxvY2stMDAw", "YmxvY2stMDAx"])
    committed, uncommitted = blob.get_block_list("all")
    assert [block.id for block in committed] == ["YmxvY2stMDAw", "YmxvY2stMDAx"] and uncommitted == []
    assert blob.download_blob().readall() == b"first-second"


@check("a wrong account key gets 403 AuthenticationFailed")
def _():
    wrong = CONNECTION.replace(KEY, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk=")
    client = BlobServiceClient.from_connection_string(wrong).get_container_client("fidelity")
    try:
        client.download_blob("pictures/small.bin").readall()
        raise AssertionError("a wrong key was accepted")
    except ClientAuthenticationError as error:
        assert error.status_code == 403 and error.error_code == "AuthenticationFailed", error


@check("a container SAS made by the SDK: upload, list, download")
def _():
    sas = generate_container_sas(
        ACCOUNT,
        "fidelity",
        account_key=KEY,
        permission=ContainerSasPermissions(read=True, add=True, create=True, write=True, list=True, tag=True),
        expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
    )
    client = ContainerClient.from_container_url(f"{ENDPOINT}/fidelity?{sas}")
    client.upload_blob("sas/one.bin", SMALL, tags={"picture_uuid": "sas"})
    assert client.download_blob("sas/one.bin").readall() == SMALL
    assert [blob.name for blob in client.list_blobs(name_starts_with="sas/")] == ["sas/one.bin"]
    assert client.get_blob_client("sas/one.bin").get_blob_tags() == {"picture_uuid": "sas"}


@check("an account SAS made by the SDK works; an expired or read-only one is refused")
def _():
    def account_sas(permission, hours):
        return generate_account_sas(
            ACCOUNT,
            account_key=KEY,
            resource_types=ResourceTypes(container=True, object=True),
            permission=permission,
            expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours),
        )

    full = AccountSasPermissions(read=True, write=True, create=True, add=True, list=True, tag=True)
    client = BlobServiceClient(ENDPOINT, credential=account_sas(full, 1)).get_container_client("fidelity")
    client.upload_blob("sas/two.bin", BIG)
    assert client.download_blob("sas/two.bin").readall() == BIG
    expired = BlobServiceClient(ENDPOINT, credential=account_sas(full, -1)).get_container_client("fidelity")
    try:
        expired.download_blob("sas/two.bin").readall()
        raise AssertionError("an expired SAS was accepted")
    except (ClientAuthenticationError, HttpResponseError) as error:
        assert error.status_code == 403, error
    read_only = BlobServiceClient(ENDPOINT, credential=account_sas(AccountSasPermissions(read=True), 1))
    try:
        read_only.get_container_client("fidelity").upload_blob("sas/three.bin", SMALL)
        raise AssertionError("a read-only SAS could write")
    except HttpResponseError as error:
        assert error.status_code == 403, error


@check("x-ms-content-crc64 as the SDK computes it: a single Put Blob, and staged blocks")
def _():
    # validate_content="crc64" makes the SDK send Microsoft's own CRC-64
    # (azure-storage-extensions) of each body, which the service checks.
    container.upload_blob("crc64/small.bin", SMALL, validate_content="crc64")
    assert container.download_blob("crc64/small.bin").readall() == SMALL
    blob = container.get_blob_client("crc64/blocks.bin")
    pieces = [BIG[start : start + 1024 * 1024] for start in range(0, len(BIG), 1024 * 1024)]
    ids = [f"block-{index:04d}" for index in range(len(pieces))]
    for block_id, piece in zip(ids, pieces):
        blob.stage_block(block_id, piece, validate_content="crc64")
    blob.commit_block_list(ids)
    assert blob.download_blob().readall() == BIG


failed = [name for name, failure in results if failure]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
