"""estate/load/workbook.py: a file named .xlsx that is no workbook is named for what it
is, with how to save a workbook, not in the zip reader's words."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import invoke, no_traceback


def test_an_empty_or_non_zip_xlsx_is_named_for_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "sites.xlsx").write_text("site_id,agency_id\nS1,A\n", encoding="utf-8")
    for name, found in (("empty.xlsx", "found an empty file (0 bytes)"),
                        ("sites.xlsx", "found a file that is not an Excel workbook (.xlsx")):
        run = invoke(tmp_path, "validate", name)
        assert run.code == 1, run.output
        assert f"{name}: expected an Excel .xlsx workbook, {found}" in run.output, run.output
        assert "save it again as an Excel Workbook (.xlsx)" in run.output
        assert "BadZipFile" not in run.output and "zip file" not in run.output
        no_traceback(run)


def test_an_encrypted_workbook_keeps_its_own_message(tmp_path: Path) -> None:
    """An OLE file (what Excel writes when it encrypts) is not called 'not a workbook'."""
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    run = invoke(tmp_path, "validate", "locked.xlsx")
    assert run.code == 1 and "found an encrypted workbook" in run.output, run.output
