"""Blocks -> bytes: HTML, DOCX, PDF, XLSX, and blocks shown in a notebook. Renderers never compute or
format a figure; they lay out what the document layer gives them."""
