"""Recognising uploaded files by their content, never by their name or the browser's word."""

from __future__ import annotations

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 30
MAX_CASE_BYTES = 100 * 1024 * 1024
MAX_PHOTO_BYTES = 2 * 1024 * 1024

# ISO base media file brands that mean HEIF/HEIC (what iPhones save photos as).
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(data: bytes) -> str | None:
    """The content type of PDF, PNG, JPEG or HEIC data, or None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        box_size = int.from_bytes(data[:4], "big")
        brands = {data[8:12]}
        brands.update(data[i : i + 4] for i in range(16, min(box_size, len(data), 64), 4))
        if brands & _HEIF_BRANDS:
            return "image/heic"
    return None


def sniff_photo(data: bytes) -> str | None:
    kind = sniff(data)
    return kind if kind in {"image/png", "image/jpeg"} else None
