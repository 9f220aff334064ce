"""The only code that touches WeasyPrint, and the checks that its fonts are usable."""
from __future__ import annotations

import atexit
import mimetypes
import os
import pathlib
import subprocess
import threading
from functools import cache, lru_cache
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


# WeasyPrint state kept for the process: a FontConfiguration per document reloads fontconfig
# and the CJK collections (~30 ms a document, ~17 MB held by each document of a batch), and
# parsing filing.css per document cost ~10 ms more. A Pango font map is not thread-safe, so
# renders take turns under the lock.
_render_lock = threading.Lock()


@cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _stylesheet(path: str):
    """static/`path`, parsed once per version of the file: an edit shows without a restart."""
    return _parsed_stylesheet(path, os.stat(os.path.join(STATIC_DIR, path)).st_mtime_ns)


@lru_cache(maxsize=8)
def _parsed_stylesheet(path: str, modified_ns: int):
    from weasyprint import CSS

    return CSS(url=pathlib.Path(STATIC_DIR, path).as_uri(), url_fetcher=_static_fetcher(),
               font_config=_font_config())


@atexit.register
def _release_weasyprint_state():
    # Free the font map while Pango is still loaded: finalised after interpreter teardown has
    # unloaded it, it crashed the exiting process (seen when this state was thread-local).
    _parsed_stylesheet.cache_clear()
    _font_config.cache_clear()


def render_pdf(*pages: str, stylesheets: tuple[str, ...] = ()) -> bytes:
    """Render HTML documents to one PDF; relative URLs resolve under static/.

    `stylesheets` (paths under static/) apply to every document as user stylesheets: the
    document's own rules win over theirs. Each document is laid out on its own, so its
    first-page rules and page numbers start afresh, then the pages are bound together
    (WeasyPrint's documented way to merge).
    """
    from weasyprint import HTML

    fetcher = _static_fetcher()
    with _render_lock:
        sheets = [_stylesheet(path) for path in stylesheets]
        rendered = [HTML(string=html, base_url=STATIC_DIR + os.sep, url_fetcher=fetcher)
                    .render(font_config=_font_config(), stylesheets=sheets)
                    for html in pages]
        all_pages = [page for document in rendered for page in document.pages]
        return rendered[0].copy(all_pages).write_pdf()


@cache
def font_problems() -> tuple[str, ...]:
    """What would make filings print as boxes or slowly; empty when all is well."""
    from weasyprint.text.ffi import harfbuzz_subset

    from reports.fonts import stale_faces

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
    if stale_faces():
        problems.append("打印字体子集未生成或已过期：文书照常生成，但每份慢约 0.1 秒。"
                        "请在服务器上运行 python -m reports.fonts。")
    return tuple(problems)
