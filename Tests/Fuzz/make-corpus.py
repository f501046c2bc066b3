#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (Tests/Fuzz/Corpus/) from the example
images and hand-made bytes. Names say the verdict the agent must give:
`complete-*` images are whole, `truncated-*` are not, `notimage-*` are no
image at all; `valid-*` metadata parses, `invalid-*` does not
(FuzzCorpusReplayTests holds them to it).

The progressive and restart-marker JPEGs need `jpegtran`
(libjpeg-turbo-progs); without it those files are kept as they are.
Run from the repository root: python3 Tests/Fuzz/make-corpus.py
"""
import os
import shutil
import struct
import subprocess
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(ROOT, "Corpus", "images")
METADATA = os.path.join(ROOT, "Corpus", "metadata")
EXAMPLES = os.path.join(ROOT, "..", "..", "examples", "drop", "canola-2026-11-03")


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(data)


def example(name):
    with open(os.path.join(EXAMPLES, name), "rb") as file:
        return file.read()


def jpeg_with_exif_thumbnail(jpeg, thumbnail):
    """SOI, an EXIF APP1 segment holding `thumbnail` (a whole JPEG), then the rest of `jpeg`."""
    tiff = bytearray(b"II*\x00" + struct.pack("<I", 8))
    tiff += struct.pack("<H", 0) + struct.pack("<I", 14)  # IFD0: no entries, IFD1 at 14
    thumbnail_offset = 14 + 2 + 2 * 12 + 4
    tiff += struct.pack("<H", 2)
    tiff += struct.pack("<HHII", 0x0201, 4, 1, thumbnail_offset)
    tiff += struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))
    tiff += struct.pack("<I", 0)
    body = b"Exif\x00\x00" + bytes(tiff) + thumbnail
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + segment + jpeg[2:], 2 + 4 + len(b"Exif\x00\x00") + thumbnail_offset + len(thumbnail)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png():
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\x00\x80")) + png_chunk(b"IEND", b"")


def tiff_entry(tag, kind, count, value, little=True):
    return struct.pack("<HHII" if little else ">HHII", tag, kind, count, value)


def tiff(entries, next_offset=0, data=b""):
    """A little-endian TIFF: header, one directory at 8, then `data`."""
    body = struct.pack("<H", len(entries)) + b"".join(entries) + struct.pack("<I", next_offset)
    return b"II*\x00" + struct.pack("<I", 8) + body + data


def images():
    jpeg = example("IMG_0002.jpg")
    write(IMAGES, "complete-baseline.jpg", jpeg)
    write(IMAGES, "complete-trailer.jpg", jpeg + b"camera trailer: not image data \x01\x02\xff\xd8")
    write(IMAGES, "complete-zero-padding.jpg", jpeg + bytes(100))
    write(IMAGES, "truncated-baseline.jpg", jpeg[: len(jpeg) * 6 // 10])
    write(IMAGES, "truncated-before-last-byte.jpg", jpeg[:-1])
    exif, thumbnail_end = jpeg_with_exif_thumbnail(jpeg, jpeg)
    write(IMAGES, "complete-exif-thumbnail.jpg", exif)
    write(IMAGES, "complete-exif-thumbnail-trailer.jpg", exif + b"\x00\x11trailer")
    write(IMAGES, "truncated-after-exif-thumbnail.jpg", exif[:thumbnail_end])
    assert exif[thumbnail_end - 2 : thumbnail_end] == b"\xff\xd9"
    write(IMAGES, "truncated-segment-length-1.jpg", b"\xff\xd8\xff\xe0\x00\x01" + jpeg[2:40])
    write(IMAGES, "truncated-fill-bytes.jpg", b"\xff\xd8" + b"\xff" * 300)
    if shutil.which("jpegtran"):
        source = os.path.join(EXAMPLES, "IMG_0002.jpg")
        progressive = subprocess.run(["jpegtran", "-progressive", source], capture_output=True, check=True).stdout
        restart = subprocess.run(["jpegtran", "-restart", "1", source], capture_output=True, check=True).stdout
        write(IMAGES, "complete-progressive.jpg", progressive)
        write(IMAGES, "complete-progressive-trailer.jpg", progressive + b"\x00\x00\x00\x00EXTRA" * 4)
        write(IMAGES, "truncated-progressive.jpg", progressive[: len(progressive) * 7 // 10])
        write(IMAGES, "complete-restart-markers.jpg", restart)
        write(IMAGES, "complete-restart-markers-trailer.jpg", restart + b"trailer")

    png = example("IMG_0001.png")
    write(IMAGES, "complete-example.png", png)
    write(IMAGES, "complete-trailer.png", png + b"\x00trailer after IEND")
    write(IMAGES, "truncated-example.png", png[: len(png) * 6 // 10])
    small = tiny_png()
    write(IMAGES, "complete-tiny.png", small)
    write(IMAGES, "truncated-chunk-past-end.png", small[:33] + struct.pack(">I", 1000) + b"IDAT" + bytes(20))
    write(IMAGES, "truncated-chunk-length-max.png", small[:33] + b"\xff\xff\xff\xffIDAT" + bytes(20))

    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    write(IMAGES, "complete.gif", gif)
    write(IMAGES, "truncated.gif", gif[:-4])

    tif = example("IMG_0003.tif")
    write(IMAGES, "complete-example.tif", tif)
    write(IMAGES, "truncated-example.tif", tif[: len(tif) * 6 // 10])
    write(IMAGES, "truncated-strip-count-2p31.tif", tiff([tiff_entry(273, 4, 1 << 31, 0)]))
    assert len(tiff([tiff_entry(273, 4, 1 << 31, 0)])) == 26
    huge = tiff([tiff_entry(273, 4, 0xFFFFFFFF, 8), tiff_entry(279, 4, 0xFFFFFFFF, 8)])
    write(IMAGES, "truncated-huge-counts.tif", huge)
    strips = struct.pack("<4I", 100, 110, 120, 130) + struct.pack("<4I", 10, 10, 10, 10)
    header_size = 8 + 2 + 2 * 12 + 4
    whole = tiff([tiff_entry(273, 4, 4, header_size), tiff_entry(279, 4, 4, header_size + 16)], data=strips)
    whole += bytes(140 - len(whole))
    write(IMAGES, "complete-four-strips.tif", whole)
    write(IMAGES, "truncated-four-strips.tif", whole[:135])
    looping = tiff([tiff_entry(273, 4, 1, 40), tiff_entry(279, 4, 1, 4)], next_offset=8, data=bytes(8))
    write(IMAGES, "complete-directory-loop.tif", looping)
    chained = tiff([tiff_entry(273, 4, 1, 60), tiff_entry(279, 4, 1, 4)], next_offset=38, data=b"")
    chained += struct.pack("<H", 2) + tiff_entry(273, 4, 1, 500) + tiff_entry(279, 4, 1, 10) + struct.pack("<I", 0)
    chained += bytes(72 - len(chained))
    write(IMAGES, "truncated-second-directory-data.tif", chained)
    big_endian = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 2)
    big_endian += tiff_entry(273, 3, 1, 0x00260000, little=False) + tiff_entry(279, 3, 1, 0x00040000, little=False)
    big_endian += struct.pack(">I", 0) + b"\x00\x01\x02\x03"
    write(IMAGES, "complete-big-endian-short.tif", big_endian)

    bmp_pixels = b"\x00\x00\xff\x00"
    bmp = b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4, 2835, 2835, 0, 0)
    bmp += bmp_pixels
    write(IMAGES, "complete.bmp", bmp)
    write(IMAGES, "truncated.bmp", bmp[:50])
    write(IMAGES, "truncated-claims-4gib.bmp", b"BM" + struct.pack("<I", 0xFFFFFFFF) + bmp[6:])

    vp8l = bytes.fromhex("2f000000100749c0fe4fffffff")  # a 1x1 lossless bitstream (shape only)
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + (b"\x00" if len(vp8l) % 2 else b"")
    webp = b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk
    write(IMAGES, "complete.webp", webp)
    write(IMAGES, "truncated.webp", webp[:-6])
    write(IMAGES, "truncated-claims-4gib.webp", b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + webp[8:])

    # Files named as images whose bytes are none: told by ImageContent.
    write(IMAGES, "notimage-text.png", b"This is a text file named as a PNG.\n" * 4)
    write(IMAGES, "notimage-bm-text.bmp", b"BM is how this text begins, with a size field of words." * 2)
    write(IMAGES, "notimage-gif-text.gif", b"GIF8 is not a GIF version: GIF87a and GIF89a are.")
    write(IMAGES, "notimage-riff-wave.webp", b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + bytes(28))
    write(IMAGES, "notimage-random.jpg", bytes((index * 97 + 13) % 256 for index in range(600)))


def metadata():
    minimal = b'{"user_email": "tech@lab.example", "seed_name": "Brassica napus"}'
    full = (
        b'{\n  "user_email": "tech@lab.example",\n  "seed_name": "Brassica napus",\n  "zoom_level": 1.5,\n'
        b'  "nb_seeds": 10,\n  "folder_name": "canola-lot-7",\n  "description": "Canola reference lot, stereo microscope",\n'
        b'  "images": {\n    "IMG_0007.tif": {"seed_name": "Bromus secalinus", "nb_seeds": 3}\n  }\n}\n'
    )
    write(METADATA, "valid-minimal.json", minimal)
    write(METADATA, "valid-readme-example.json", full)
    write(METADATA, "valid-utf8-bom.json", b"\xef\xbb\xbf" + minimal)
    write(METADATA, "valid-utf16le-bom.json", b"\xff\xfe" + minimal.decode().encode("utf-16-le"))
    write(
        METADATA,
        "valid-escapes.json",
        b'{"user_id": "3f1c2b8e-0000-4000-8000-000000000000", "seed_id": "3F1C2B8E-0000-4000-8000-000000000000",'
        b' "description": "\\u00e9t\\u00e9 \\ud83c\\udf31 \\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t", "zoom_level": 2.5e-1, "nb_seeds": 0}',
    )
    write(METADATA, "invalid-duplicate-key.json", b'{"user_email": "tech@lab.example",\n "seed_name": "a",\n "seed_name": "b"}')
    write(
        METADATA,
        "invalid-duplicate-override-key.json",
        b'{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"nb_seeds": 1, "nb_seeds": 2}}}',
    )
    write(METADATA, "invalid-nul-description.json", b'{"user_email": "a@b", "seed_name": "x", "description": "a\\u0000b"}')
    write(
        METADATA,
        "invalid-nul-override.json",
        b'{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"description": "\\u0000"}}}',
    )
    write(METADATA, "invalid-deep-nesting.json", b"[" * 200 + b"]" * 200)
    write(METADATA, "invalid-trailing-comma.json", b'{"user_email": "a@b", "seed_name": "x",}')
    write(METADATA, "invalid-missing-comma.json", b'{"user_email": "a@b"\n "seed_name": "x"}')
    write(METADATA, "invalid-lone-surrogate.json", b'{"user_email": "a@b", "seed_name": "\\ud800x"}')
    write(METADATA, "invalid-typographic-quotes.json", '{“user_email”: “a@b”}'.encode())
    write(METADATA, "invalid-leading-zero.json", b'{"user_email": "a@b", "seed_name": "x", "nb_seeds": 07}')
    write(METADATA, "invalid-latin1.json", b'{"user_email": "a@b", "seed_name": "\xe9t\xe9"}')
    write(METADATA, "invalid-not-an-object.json", b"[1, 2.5e3, -0, true, false, null]")
    write(METADATA, "invalid-unknown-field.json", b'{"user_email": "a@b", "seed_name": "x", "zoom": 2}')
    write(METADATA, "invalid-empty.json", b" \n")


images()
metadata()
