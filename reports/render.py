"""The only code that touches WeasyPrint, and the checks that its fonts are usable."""
from __future__ import annotations

import mimetypes
import os
import subprocess
from functools import cache
from urllib.parse import unquote, urlsplit

STATIC_DIR = os.path.realpath(os.path.join(os.path.dirname(__file__), os.pardir, "static"))
REQUIRED_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def _static_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves files under static/ and nothing else: no network, no other local file."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = os.path.realpath(unquote(parts.path))
            if parts.scheme != "file" or os.path.commonpath([path, STATIC_DIR]) != STATIC_DIR:
                raise ValueError(f"文书只能引用 static/ 下的文件：{url}")
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def render_pdf(*pages: str) -> bytes:
    """Render HTML documents to one PDF; relative URLs resolve under static/.

    Each document is laid out on its own, so its first-page rules and page numbers start
    afresh, then the pages are bound together (WeasyPrint's documented way to merge).
    """
    from weasyprint import HTML

    fetcher = _static_fetcher()
    rendered = [HTML(string=html, base_url=STATIC_DIR + os.sep, url_fetcher=fetcher).render()
                for html in pages]
    all_pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(all_pages).write_pdf()


@cache
def font_problems() -> tuple[str, ...]:
    """What would make filings print as boxes or slowly; empty when all is well."""
    from weasyprint.text.ffi import harfbuzz_subset

    problems = []
    if harfbuzz_subset is None:
        problems.append("缺少 HarfBuzz-Subset（libharfbuzz-subset0），生成 PDF 会很慢。")
    try:
        families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                  timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        families = ""
    for font in REQUIRED_FONTS:
        if font not in families:
            problems.append(f"缺少中文字体 {font}（fonts-noto-cjk），文书中的汉字将无法显示。")
    return tuple(problems)
