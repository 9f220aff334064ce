"""The print faces of reports/fonts.py: built, used by filings, and backed by the full faces."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from reports import fonts, render
from reports.render import STATIC_DIR, render_pdf

from .pdf import pdf_fonts, pdf_text

TEMPLATES = pathlib.Path(__file__).parent.parent / "reports" / "templates" / "reports"


def test_the_print_faces_are_built_and_current():
    assert fonts.stale_faces() == [], "run `python -m reports.fonts` (make install does)"


def test_the_repertoire_covers_every_character_the_filings_print_themselves():
    texts = [path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")]
    texts.append(pathlib.Path(STATIC_DIR, "css", "filing.css").read_text(encoding="utf-8"))
    used = {ord(char) for text in texts for char in text if not char.isspace()}
    assert not used - fonts.print_repertoire(), sorted(map(chr, used - fonts.print_repertoire()))
    assert ord("堃") not in fonts.print_repertoire()  # outside GB 2312: the full face prints it


def test_a_filing_prints_in_the_print_faces_and_falls_back_for_rare_characters():
    pdf = render_pdf("<h1 class='title'>关于报送备案材料的函</h1><p class='h-1'>一、基本情况</p>"
                     "<p>业主李明，建筑面积 86.5 ㎡，临建办发〔2026〕1号。</p>",
                     stylesheets=("css/filing.css",))
    assert pdf_fonts(pdf) == {"Noto-Serif-CJK-SC-GB2312", "Noto-Serif-CJK-SC-GB2312-Bold",
                              "Noto-Sans-CJK-SC-GB2312"}

    rare = render_pdf("<p>业主张堃</p>", stylesheets=("css/filing.css",))
    assert pdf_fonts(rare) == {"Noto-Serif-CJK-SC-GB2312", "Noto-Serif-CJK-SC"}
    assert "业主张堃" in pdf_text(rare)


def test_a_face_cut_from_another_font_or_repertoire_is_stale(tmp_path, monkeypatch):
    assert fonts.stale_faces(str(tmp_path)) == list(fonts.PRINT_FACES)
    built = pathlib.Path(fonts.FONTS_DIR)
    manifest = json.loads((built / fonts.MANIFEST).read_text())
    for face in fonts.PRINT_FACES:
        os.symlink(built / face.file_name, tmp_path / face.file_name)
    (tmp_path / fonts.MANIFEST).write_text(json.dumps(manifest))
    assert fonts.stale_faces(str(tmp_path)) == []

    manifest["serif-sc-bold.otf"]["source_mtime"] += 1
    (tmp_path / fonts.MANIFEST).write_text(json.dumps(manifest))
    assert fonts.stale_faces(str(tmp_path)) == [fonts.PRINT_FACES[1]]

    monkeypatch.setattr(fonts, "_repertoire_digest", lambda: "another")
    assert fonts.stale_faces(str(tmp_path)) == list(fonts.PRINT_FACES)


def test_a_missing_source_font_stops_the_build_with_a_message(tmp_path, monkeypatch, capsys):
    missing = fonts.PrintFace("x.otf", "No Such Family SC", "Regular")
    monkeypatch.setattr(fonts, "PRINT_FACES", (missing,))
    monkeypatch.setattr(fonts, "FONTS_DIR", str(tmp_path))
    with pytest.raises(LookupError, match="No Such Family SC"):
        fonts.installed_face(missing)
    assert fonts.main([]) == 1
    assert "No Such Family SC" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_catalogue_warns_when_the_print_faces_are_missing(tmp_path):
    def problems(fonts_dir):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fonts, "FONTS_DIR", fonts_dir)
            render.font_problems.cache_clear()
            try:
                return render.font_problems()
            finally:
                render.font_problems.cache_clear()

    assert any("python -m reports.fonts" in problem for problem in problems(str(tmp_path)))
    assert problems(fonts.FONTS_DIR) == ()
