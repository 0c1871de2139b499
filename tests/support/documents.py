"""A small plan document built by hand (no computation), shared by the renderer tests."""

from __future__ import annotations

from ocop_helpers.document import docmodel as D

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">'
    '<rect x="10" y="20" width="120" height="80" fill="#333"/><text x="150" y="60">Kinh phí</text></svg>'
)


def png_bytes() -> bytes:
    """A real PNG (drawn with Pillow, which the renderers' dependencies bring)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 120), "white")
    ImageDraw.Draw(image).rectangle((10, 20, 130, 100), fill=(51, 51, 51))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


TARGETS = D.Table(
    columns=(D.Column("Hình thức đánh giá"), D.Column("Số sản phẩm", "right")),
    rows=(("Đánh giá lần đầu", "237"), ("Đánh giá lại", "75"), ("Nâng hạng sao", "11"), ("Tổng", "323")),
    caption="Bảng 1. Sản phẩm đánh giá, phân hạng",
    total_row=True,
    provenance="published",
)
LONG = D.Table(
    columns=(
        D.Column("STT", "center"),
        D.Column("Tổ chức kinh tế <minh họa>"),
        D.Column("Hỗ trợ (triệu đồng)", "right"),
    ),
    rows=tuple((str(i), f"Hợp tác xã minh họa số {i}", f"{i * 3},5") for i in range(1, 91)),
    caption="Bảng 2. Hỗ trợ nhãn hiệu, bao bì theo tổ chức kinh tế",
    provenance="illustrative",
    note="Tên tổ chức là minh họa.",
)


def sample_document(draft: bool = True) -> D.Document:
    """A three-part document: header, bases, body with tables and a chart, signature, proposals, appendix."""
    return D.Document(
        header=D.Header(
            parent_body="ỦY BAN NHÂN DÂN",
            issuing_body="TỈNH MẪU",
            number_line="Số: …/KH-UBND" if draft else "Số: 01/KH-UBND",
            place_date="Mẫu, ngày … tháng … năm 2027",
        ),
        doc_type="KẾ HOẠCH",
        summary="Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2027",
        legal_bases=(
            "Căn cứ Quyết định số 148/QĐ-TTg ngày 24 tháng 02 năm 2023 của Thủ tướng Chính phủ",
            "Căn cứ văn bản mẫu",
        ),
        body=(
            D.Heading(1, "MỤC ĐÍCH, YÊU CẦU", "I."),
            D.Paragraph("Đoạn văn mục đích của kế hoạch mẫu. " * 8),
            D.Heading(1, "MỤC TIÊU, CHỈ TIÊU", "II."),
            TARGETS,
            D.Notice("warning", "Ghi chú cảnh báo mẫu."),
            D.Heading(1, "KINH PHÍ THỰC HIỆN", "III."),
            D.Chart(svg=SVG, png=png_bytes(), alt="Biểu đồ kinh phí mẫu", caption="Hình 1. Kinh phí"),
            D.Paragraph("Đoạn văn dài để kéo tài liệu sang trang sau. " * 40),
        ),
        signature=D.Signature("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Mẫu"),
        recipients=("Bộ Nông nghiệp và Môi trường (để báo cáo)", "Lưu: VT"),
        proposals=(D.Paragraph("Đề nghị chọn phương án A."),),
        appendices=(
            D.Appendix("Danh sách hỗ trợ", (LONG,), attached_line="(Kèm theo Kế hoạch số …/KH-UBND)", numbering="I"),
        ),
        draft=draft,
        date="2027-01-15",
    )
