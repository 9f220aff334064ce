"""Case files: allowed types and size, generated names under the instance folder, scoped
downloads served as attachments only."""
from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from models import db
from models.case_operations import ActionRefused, attachment_path, check_upload
from models.cases import MAX_ATTACHMENT_BYTES, Attachment, Case

from .factories_cases import make_case
from .test_escalation import JPEG, _act, _case_form, attachment_dir  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_intake_refuses_wrong_types_disguised_files_and_big_files(world, as_user):
    user = as_user(world.user("community_a1"))
    for name, body, message in (
            ("说明.html", b"<script>alert(1)</script>", "只能上传 JPG、PNG 照片或 PDF 扫描件"),
            ("照片.jpg", b"<html>not a photo</html>", "内容与其扩展名不符")):
        response = user.post_form("/case/new/", {**_case_form(world),
                                                 "attachments": (io.BytesIO(body), name)},
                                  form_url="/case/new/")
        assert response.status_code == 200, name
        assert message in response.get_data(as_text=True), name
    assert (_count(Case), _count(Attachment)) == (0, 0)


def test_files_over_ten_megabytes_are_refused():
    # Checked on the upload object: the test client leaks a temporary file for huge bodies.
    with pytest.raises(ActionRefused, match="超过 10 MB"):
        check_upload(FileStorage(io.BytesIO(b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES),
                                 filename="扫描.pdf"))
    mime_type, data = check_upload(FileStorage(io.BytesIO(b"%PDF-1.4"), filename="扫描.PDF"))
    assert (mime_type, data) == ("application/pdf", b"%PDF-1.4")


def test_files_are_stored_under_generated_names_and_downloaded_as_attachments(
        world, as_user, attachment_dir):
    user = as_user(world.user("community_a1"))
    response = user.post_form("/case/new/", {
        **_case_form(world), "attachments": [(io.BytesIO(JPEG), "../../现场 照片.jpg"),
                                             (io.BytesIO(PNG), "平面图.png")]},
        form_url="/case/new/")
    assert response.status_code == 302
    files = db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
    assert [f.original_filename for f in files] == ["现场 照片.jpg", "平面图.png"]
    for file in files:
        assert "/" not in file.stored_filename and len(file.stored_filename) >= 32
        path = attachment_path(file.stored_filename)
        assert os.path.dirname(path) == str(attachment_dir)
        assert os.path.exists(path)
    assert files[0].event.action == "receive" and files[0].uploaded_by_id == \
        world.user("community_a1").id

    download = user.get(f"/case/file/{files[0].id}/")
    assert download.status_code == 200 and download.data == JPEG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "image/jpeg"
    download.close()


def test_a_step_can_carry_files_and_refuses_bad_ones(world, as_user):
    case = make_case(world, world.area_a1)
    db.session.commit()
    user = as_user(world.user("community_a1"))
    _act(user, case.id, "note", note="补充现场照片。",
         attachments=(io.BytesIO(b"MZ\x90\x00"), "病毒.exe"))
    assert _count(Attachment) == 0
    db.session.expire_all()
    assert db.session.get(Case, case.id).events == []
    _act(user, case.id, "note", note="补充现场照片。", attachments=(io.BytesIO(PNG), "补充.png"))
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.event.note == "补充现场照片。"


def test_downloads_are_scoped(world, as_user):
    user = as_user(world.user("community_b1"))
    response = user.post_form("/case/new/", {
        **_case_form(world, area=str(world.area_b1.id)),
        "attachments": (io.BytesIO(JPEG), "大湖照片.jpg")}, form_url="/case/new/")
    assert response.status_code == 302
    file_id = db.session.scalar(sa.select(Attachment.id))
    own = user.get(f"/case/file/{file_id}/")
    assert own.status_code == 200
    own.close()
    for persona in ("street_a", "community_a1", "firm_a", "dept_1"):
        response = as_user(world.user(persona)).get(f"/case/file/{file_id}/")
        assert response.status_code in (403, 404), persona
        assert response.data != JPEG
    street = as_user(world.user("street_b")).get(f"/case/file/{file_id}/")
    assert street.status_code == 200
    street.close()
    assert as_user(world.user("city")).get("/case/file/999999/").status_code == 404
