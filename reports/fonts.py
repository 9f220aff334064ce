"""Print faces: the Noto CJK SC faces cut down to GB 2312 and the symbols filings use.

WeasyPrint copies each face it embeds into memory and subsets it for every PDF; from a full
CJK collection (20–27 MB, 65,535 glyphs) that cost a single filing about 35 ms per face, from
one of these (5 MB, 8,600 glyphs) about 8 ms. filing.css names them before the full Noto
faces, so a character outside GB 2312 (a rare name such as 堃) still prints, from the full face.

Built once per machine from the installed fonts: `python -m reports.fonts` (`make install`
runs it). Without them filings print the same, only slower, and the catalogue says so.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache

FONTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "static",
                         "fonts", "print")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PrintFace:
    file_name: str
    family: str  # the installed family it is cut from
    style: str


# filing.css declares one @font-face per entry, under the family name plus " GB2312".
PRINT_FACES = (
    PrintFace("serif-sc-regular.otf", "Noto Serif CJK SC", "Regular"),
    PrintFace("serif-sc-bold.otf", "Noto Serif CJK SC", "Bold"),
    PrintFace("sans-sc-regular.otf", "Noto Sans CJK SC", "Regular"),
)

# Latin, punctuation, ①, □■, ㎡, 〔〕 and the full-width forms, besides GB 2312 itself.
SYMBOL_RANGES = (
    (0x0020, 0x007E), (0x00A0, 0x017F), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x3000, 0x303F), (0x3200, 0x33FF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)


@cache
def print_repertoire() -> frozenset[int]:
    """The code points the print faces keep: GB 2312 in full and SYMBOL_RANGES."""
    code_points = {point for first, last in SYMBOL_RANGES for point in range(first, last + 1)}
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                code_points.add(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(code_points)


def _repertoire_digest() -> str:
    return hashlib.sha256(",".join(map(str, sorted(print_repertoire()))).encode()).hexdigest()


def installed_face(face: PrintFace) -> tuple[str, int]:
    """The file and collection index fontconfig has for `face`; LookupError when it has none."""
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{family}\t%{file}\t%{index}", f"{face.family}:style={face.style}"],
            capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise LookupError(f"无法查询字体 {face.family} {face.style}：{error}") from error
    families, path, index = found.split("\t")
    if face.family not in families.split(","):
        raise LookupError(f"缺少中文字体 {face.family} {face.style}（fonts-noto-cjk）。")
    return path, int(index)


def _source_stamp(face: PrintFace) -> dict:
    path, index = installed_face(face)
    return {"source": path, "index": index, "source_mtime": os.stat(path).st_mtime_ns,
            "repertoire": _repertoire_digest()}


def _read_manifest(fonts_dir: str) -> dict:
    try:
        with open(os.path.join(fonts_dir, MANIFEST), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def stale_faces(fonts_dir: str | None = None) -> list[PrintFace]:
    """The print faces missing from `fonts_dir` or cut from another font or repertoire."""
    fonts_dir = fonts_dir or FONTS_DIR
    manifest = _read_manifest(fonts_dir)
    stale = []
    for face in PRINT_FACES:
        try:
            current = _source_stamp(face)
        except LookupError:
            current = None
        if (current is None or manifest.get(face.file_name) != current
                or not os.path.exists(os.path.join(fonts_dir, face.file_name))):
            stale.append(face)
    return stale


def _cut(face: PrintFace, fonts_dir: str) -> tuple[str, dict]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    stamp = _source_stamp(face)
    font = TTFont(stamp["source"], fontNumber=stamp["index"])
    # Keep every layout feature and name: Pango shapes with them (vertical and proportional
    # punctuation); WeasyPrint drops what the PDF does not need when it embeds the face.
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"],
                             notdef_outline=True, glyph_names=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=print_repertoire())
    subsetter.subset(font)
    target = os.path.join(fonts_dir, face.file_name)
    font.save(target + ".part")
    os.replace(target + ".part", target)  # never a half-written face under static/
    return face.file_name, stamp


def build_print_fonts(fonts_dir: str | None = None, force: bool = False) -> list[str]:
    """Cut the stale print faces (all with `force`), in parallel; the file names cut."""
    fonts_dir = fonts_dir or FONTS_DIR
    faces = list(PRINT_FACES) if force else stale_faces(fonts_dir)
    if not faces:
        return []
    for face in faces:
        installed_face(face)  # a missing source font stops the build before any work
    os.makedirs(fonts_dir, exist_ok=True)
    manifest = _read_manifest(fonts_dir)
    with ProcessPoolExecutor(max_workers=min(len(faces), os.cpu_count() or 1)) as pool:
        for file_name, stamp in pool.map(_cut, faces, [fonts_dir] * len(faces)):
            manifest[file_name] = stamp
    with open(os.path.join(fonts_dir, MANIFEST), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    return [face.file_name for face in faces]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reports.fonts", description="生成文书用的打印字体子集（static/fonts/print/）。")
    parser.add_argument("--force", action="store_true", help="全部重新生成")
    arguments = parser.parse_args(argv)
    try:
        built = build_print_fonts(force=arguments.force)
    except LookupError as error:
        print(f"{error} 文书仍使用系统字体生成，只是较慢。", file=sys.stderr)
        return 1
    print(f"已生成打印字体：{'、'.join(built)}" if built else "打印字体已是最新。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
