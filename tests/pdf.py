"""Reading rendered PDFs back: text, fonts and page size."""
from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader

A4_POINTS = (595, 842)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def pdf_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in PdfReader(io.BytesIO(pdf)).pages}


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def assert_official_pdf(pdf: bytes, *texts: str) -> str:
    """A4 pages, SC faces only (no JP face, no DejaVu), and every text present."""
    assert pdf.startswith(b"%PDF")
    assert page_sizes(pdf) == {A4_POINTS}
    fonts = pdf_fonts(pdf)
    assert fonts and all("CJK-SC" in font for font in fonts), fonts
    text = pdf_text(pdf)
    flat = "".join(text.split())
    for expected in texts:
        assert "".join(expected.split()) in flat, expected
    return text
