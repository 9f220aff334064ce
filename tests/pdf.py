"""Reading rendered PDFs back: text per page, page numbers, fonts and page size."""
from __future__ import annotations

import io
import re
import subprocess

from pypdf import PdfReader

A4_POINTS = (595, 842)
PAGE_NUMBER = re.compile(r"— (\d+) —")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, in order (pdftotext ends every page with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def page_numbers(pdf: bytes) -> list[int | None]:
    """The printed page number ("— 2 —") of each page; None where a page shows none."""
    return [int(match.group(1)) if (match := PAGE_NUMBER.search(text)) else None
            for text in page_texts(pdf)]


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
