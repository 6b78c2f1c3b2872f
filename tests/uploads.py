"""Files to upload in tests: real PDFs and images made on the spot, and the bad ones a reviewer
tried (HTML, SVG, polyglots, damaged and truncated files, pixel bombs, wrong extensions)."""

import functools
import io
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter

SCRIPT = b"<script>alert(document.cookie)</script>"


def pdf(pages: int = 1, *, password: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(
    kind: str = "PNG", size=(40, 30), mode: str = "RGB", colour=(31, 95, 168), **save
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour if mode in ("RGB", "RGBA") else 0).save(out, kind, **save)
    return out.getvalue()


def png(**kwargs) -> bytes:
    return image("PNG", **kwargs)


def jpeg(**kwargs) -> bytes:
    return image("JPEG", **kwargs)


def webp(**kwargs) -> bytes:
    return image("WEBP", **kwargs)


def jpeg_turned() -> bytes:
    """A JPEG 40 wide and 30 high whose EXIF says: turn it a quarter (a phone photo)."""
    picture = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = picture.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010E] = "Thuis, Dorpsstraat 1"  # a description, as a phone might add
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _blank_png(width: int, height: int) -> bytes:
    """A black-and-white PNG written by hand (quicker than Pillow for huge sizes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    # Every row is its filter byte and black pixels: all zeros.
    data = zlib.compress(bytes((1 + (width + 7) // 8) * height), 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@functools.cache
def pixel_bomb() -> bytes:
    """A PNG of a few kilobytes that decodes to 20,000 × 20,000 pixels."""
    return _blank_png(20000, 20000)


@functools.cache
def too_many_pixels() -> bytes:
    """A PNG of 9,000 × 5,000 pixels: under Pillow's own bomb limit, over the portal's."""
    return _blank_png(9000, 5000)


def pdf_html_polyglot() -> bytes:
    """A real PDF (pypdf reads it) whose first bytes a browser would also take for HTML."""
    body = pdf()
    return body.replace(b"\n", b"\n%<html><body>" + SCRIPT + b"</body></html>\n", 1)


def refused_samples() -> dict[str, tuple[str, bytes]]:
    """name -> (the file name the uploader gives, the bytes): none is a file the portal keeps."""
    good_pdf, good_png, good_jpeg = pdf(), png(), jpeg()
    html = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"
    return {
        "html named pdf": ("x.pdf", html),
        "html": ("logo.html", html),
        "html named png": ("logo.png", html),
        "html with leading blanks": ("x.pdf", b"\n\n   " + html),
        "html utf-16": ("x.pdf", html.decode().encode("utf-16")),
        "xhtml": ("x.xhtml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>'),
        "svg": ("logo.svg", svg),
        "svg named png": ("logo.png", svg),
        "svg with xml prolog": ("logo.svg", b'<?xml version="1.0"?>' + svg),
        "svgz": ("logo.svgz", b"\x1f\x8b\x08\x00" + b"\x00" * 40),
        "javascript": ("x.js", b"alert(document.cookie)"),
        "plain text": ("bon.txt", b"Parkeren 7,50 euro"),
        "pdf in html": ("x.pdf", html + good_pdf),
        "pdf html polyglot": ("x.pdf.html", b"%PDF-1.4\n<html>" + SCRIPT + b"</html>\n%%EOF"),
        "valid pdf with html head": ("x.pdf", pdf_html_polyglot()),
        "pdf header only": ("x.pdf", b"%PDF-"),
        "pdf without pages": ("x.pdf", pdf(pages=0)),
        "pdf truncated": ("x.pdf", good_pdf[: len(good_pdf) // 2]),
        "pdf with password": ("x.pdf", pdf(password="geheim")),
        "pdf garbage body": ("x.pdf", b"%PDF-1.7\n" + b"\xff" * 300),
        "pdf nested arrays": ("x.pdf", b"%PDF-1.4\n1 0 obj " + b"[" * 100_000 + b"\n%%EOF"),
        "postscript": ("x.pdf", b"%!PS-Adobe-3.0\n showpage"),
        "exe named pdf": ("bon.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60),
        "exe": ("bon.exe", b"MZ\x90\x00\x03" + b"\x00" * 60),
        "elf": ("bon.pdf", b"\x7fELF" + b"\x00" * 60),
        "zip named pdf": ("bon.pdf", b"PK\x03\x04" + b"\x00" * 60),
        "docx": ("bon.docx", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 60),
        "gif": ("logo.gif", image("GIF")),
        "gif named png": ("logo.png", image("GIF")),
        "gif with script": ("x.gif", b"GIF89a/*" + b"\x00" * 10 + b"*/=1;" + SCRIPT),
        "bmp": ("logo.bmp", image("BMP")),
        "tiff": ("scan.tiff", image("TIFF")),
        "ico": ("favicon.ico", image("ICO", size=(16, 16))),
        "png magic and zeros": ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        "jpeg magic and zeros": ("ik.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
        "webp magic and zeros": ("logo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32),
        "png truncated": ("logo.png", good_png[: len(good_png) - 20]),
        "jpeg truncated": ("ik.jpg", good_jpeg[: len(good_jpeg) // 2]),
        "png damaged": ("logo.png", good_png[:40] + b"\x00" * 20 + good_png[60:]),
        "png pixel bomb": ("logo.png", pixel_bomb()),
        "png too many pixels": ("logo.png", too_many_pixels()),
        "null bytes": ("x.pdf", b"\x00" * 200),
        "one byte": ("x.pdf", b"%"),
    }
