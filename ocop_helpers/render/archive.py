"""Zip archives with fixed times, so XLSX and DOCX files are byte-identical on rebuild."""

from __future__ import annotations

import datetime as dt
import io as _io
import re
import zipfile


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """An Office file (zip) rewritten with one fixed time on every entry and in its core properties
    (docProps/core.xml created/modified), so the same content gives the same bytes."""

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()
