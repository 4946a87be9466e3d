"""estate/load/workbook_kind.py: a file named .xlsx that is no workbook (not a zip, a
zip of other files, a damaged or encrypted one, Strict Open XML) is named for what it
is, with how to save a workbook, not in the zip reader's or openpyxl's words."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.fixtures import invoke, no_traceback, write_xlsx
from tests.fixtures.reference import frames
from tests.fixtures.scenario import write_scenario


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


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


def test_a_zip_that_is_no_workbook_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A zip archive named .xlsx that holds no workbook (text files, the register's
    CSV files, LibreOffice's .ods), a damaged archive and an encrypted (OLE) file: what
    the file is and how to make an .xlsx of it, through `estate validate` and `estate
    plan` alike (exit 1), never the zip reader's or openpyxl's own words."""
    _zip(tmp_path / "notes.xlsx", {"a.txt": "hello", "b.txt": "world"})
    _zip(tmp_path / "tables.xlsx", {"reg/sites.csv": "site_id\nS1\n",
                                    "reg/agencies.csv": "agency_id\nA1\n"})
    _zip(tmp_path / "calc.xlsx", {"mimetype": "application/vnd.oasis.opendocument."
                                              "spreadsheet", "content.xml": "<x/>"})
    (tmp_path / "cut.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    as_xlsx = "save the register from Excel as an Excel Workbook (.xlsx) and give that file"
    cases = {
        "notes.xlsx": "a zip archive that is not an Excel workbook (it holds a.txt, b.txt; "
                      f"a workbook holds xl/workbook.xml): {as_xlsx}",
        "tables.xlsx": "a zip archive that is not an Excel workbook (it holds reg/sites.csv, "
                       f"reg/agencies.csv; a workbook holds xl/workbook.xml): {as_xlsx}, or "
                       "unzip it and give the folder of CSV files it holds",
        "calc.xlsx": "an OpenDocument spreadsheet (.ods, as LibreOffice saves it) named "
                     ".xlsx: open it in LibreOffice Calc or Excel and save it as an Excel "
                     "Workbook (.xlsx)",
        "cut.xlsx": "a damaged Excel workbook (its zip archive cannot be read",
        "locked.xlsx": "an encrypted workbook (a password, or a sensitivity label that "
                       "encrypts) or an old Excel 97-2003 file named .xlsx",
    }
    for name, found in cases.items():
        scenario = write_scenario(tmp_path / f"{name}.toml", {
            "name": "s", "data": name, "solver": {"name": "highs", "time_limit_s": 30}})
        for args in (("validate", name), ("plan", scenario, "--out", tmp_path / "out")):
            run = invoke(tmp_path, *args)
            assert run.code == 1, run.output
            assert f"{name}: expected an Excel .xlsx workbook, found {found}" in run.output, \
                run.output
            for words in ("KeyError", "Content_Types", "There is no item", "BadZipFile",
                          "zip file", "InvalidFileException", "openpyxl"):
                assert words not in run.output, run.output
            no_traceback(run)
    assert not (tmp_path / "out").exists()


def test_a_strict_open_xml_workbook_is_named_for_what_it_is(tmp_path: Path) -> None:
    """Excel's "Strict Open XML Spreadsheet" (.xlsx too) names its parts in other
    namespaces, in which openpyxl finds no sheet: said as that, with how to save it, not
    as four sheets missing from a workbook that shows them all."""
    plain = write_xlsx(tmp_path / "plain.xlsx", frames())
    transitional = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships")
    strict = (b"http://purl.oclc.org/ooxml/spreadsheetml/main",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships")
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(tmp_path / "strict.xlsx", "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".xml"):
                for before, after in zip(transitional, strict, strict=True):
                    data = data.replace(before, after)
            new.writestr(info, data)
    run = invoke(tmp_path, "validate", "strict.xlsx")
    assert run.code == 1, run.output
    assert ('strict.xlsx: expected an Excel .xlsx workbook, found a workbook saved as "Strict '
            'Open XML Spreadsheet", whose sheets estate cannot read: open it in Excel and '
            "save it as an Excel Workbook (.xlsx)") in run.output, run.output
    assert "no such sheet" not in run.output
    no_traceback(run)
