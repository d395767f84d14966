"""A PDF preview (QtPdf) that takes bytes, and printing of PDF bytes (QtPdf has no printing: each page is
rendered at the printer's resolution and painted onto the printer).

`PdfPreview.set_pdf(data)` loads the new document beside the shown one and swaps only when it is ready,
so the old pages stay on screen while a rebuild is on its way (and stay there if the new bytes are bad).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 5.0
BAND_ROWS = 512  # a printer page is rendered in strips: a whole A4 page at 1200 dpi would be 560 MB
MAX_PRINT_DPI = 600  # beyond this a printed page looks the same and takes minutes (a PDF printer says 1200)


def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument:
    """A QPdfDocument reading `data` from a QBuffer it owns (the buffer must outlive the document)."""
    doc = QPdfDocument(parent) if parent is not None else QPdfDocument()
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    return doc


class PdfPreview(QWidget):
    """QPdfView (all pages, fit to width) with zoom buttons and 第 x / y 页."""

    loaded = Signal(int)  # a new document is on screen: its page count
    failed = Signal(str)  # the new bytes could not be read (the old pages stay)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: QPdfDocument | None = None
        self._pending: QPdfDocument | None = None
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a8d91; }")
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._show_page())

        self.zoom_out = self._button("－", "缩小", lambda: self.zoom_by(1 / ZOOM_STEP))
        self.zoom_in = self._button("＋", "放大", lambda: self.zoom_by(ZOOM_STEP))
        self.fit_width = self._button("适合宽度", "按窗口宽度显示整页", self.fit_to_width)
        self.fit_width.setCheckable(True)
        self.fit_width.setChecked(True)
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("pdf_zoom")
        self.page_label = QLabel()
        self.page_label.setObjectName("pdf_page")

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.zoom_out, self.zoom_in, self.fit_width, self.zoom_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.page_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._show_page()
        self._show_zoom()

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------ document
    def set_pdf(self, data: bytes) -> None:
        """Show `data` once it has loaded; until then (or if it fails) the current pages stay."""
        if self._pending is not None:
            self._pending.deleteLater()
        doc = load_pdf(data)
        self._pending = doc
        if doc.status() in (QPdfDocument.Status.Ready, QPdfDocument.Status.Error):
            self._settle(doc)
        else:  # a device that loads in the background
            doc.statusChanged.connect(lambda _s, d=doc: self._settle(d))

    def _settle(self, doc: QPdfDocument) -> None:
        if doc is not self._pending or doc.status() == QPdfDocument.Status.Loading:
            return
        self._pending = None
        if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
            doc.deleteLater()
            self.failed.emit("预览无法显示：生成的 PDF 无法读取")
            return
        page = self.current_page()
        old, self.document = self.document, doc
        doc.setParent(self)
        self.view.setDocument(doc)
        if old is not None:
            old.deleteLater()
        if 0 < page < doc.pageCount():  # stay on the page being read
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._show_page()
        self.loaded.emit(doc.pageCount())

    def page_count(self) -> int:
        return self.document.pageCount() if self.document is not None else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage() if self.document is not None else 0

    def _show_page(self) -> None:
        n = self.page_count()
        self.page_label.setText(f"第 {self.current_page() + 1} / {n} 页" if n else "")

    # ------------------------------------------------------------ zoom
    def zoom_by(self, factor: float) -> None:
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            # Fit-to-width computes its own factor; start from what is on screen.
            current = self._fitted_factor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(ZOOM_MAX, max(ZOOM_MIN, current * factor)))
        self.fit_width.setChecked(False)
        self._show_zoom()

    def _fitted_factor(self) -> float:
        if self.document is None or self.page_count() == 0:
            return 1.0
        width_pt = self.document.pagePointSize(0).width()
        if width_pt <= 0:
            return 1.0
        dpi = self.logicalDpiX() or 96
        margins = self.view.documentMargins()
        usable = self.view.viewport().width() - margins.left() - margins.right()
        return max(ZOOM_MIN, usable / (width_pt / 72 * dpi))

    def fit_to_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.fit_width.setChecked(True)
        self._show_zoom()

    def _show_zoom(self) -> None:
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom:
            self.zoom_label.setText(f"{self.view.zoomFactor():.0%}")
        else:
            self.zoom_label.setText("")


# ---------------------------------------------------------------- printing
def a4_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)  # the PDF has its own margins
    printer.setDocName("会议简报")
    return printer


def print_pdf(parent: QWidget | None, pdf_bytes: bytes, title: str = "打印会议简报") -> int:
    """Ask with the print dialog (A4 by default), then print. Returns the pages printed (0: cancelled)."""
    printer = a4_printer()
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return render_to_printer(pdf_bytes, printer)
    finally:
        QGuiApplication.restoreOverrideCursor()


def render_to_printer(pdf_bytes: bytes, printer: QPrinter) -> int:
    """Paint each page (or the range chosen in the dialog) onto `printer`, rendered at its resolution and
    fitted to the paper keeping the page's proportions. Returns the pages painted."""
    doc = load_pdf(pdf_bytes)
    try:
        count = doc.pageCount()
        if doc.status() != QPdfDocument.Status.Ready or count < 1:
            return 0
        first, last = 0, count - 1
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = min(count, printer.fromPage()) - 1
            last = min(count, max(printer.toPage(), printer.fromPage())) - 1
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            dpi = printer.resolution()
            paper = painter.viewport()
            for n, index in enumerate(range(first, last + 1)):
                if n and not printer.newPage():
                    return n
                _paint_page(painter, doc, index, dpi, paper)
        finally:
            painter.end()
        return last - first + 1
    finally:
        doc.deleteLater()


def _paint_page(painter: QPainter, doc: QPdfDocument, index: int, dpi: int, paper: QRect) -> None:
    size = doc.pagePointSize(index)
    if size.width() <= 0 or size.height() <= 0:
        return
    # Fit the page to the paper keeping its proportions (an A4 brief on A4 paper fills it), centred.
    scale = min(paper.width() / size.width(), paper.height() / size.height())
    out = QRectF(0, 0, size.width() * scale, size.height() * scale)
    out.moveCenter(QRectF(paper).center())
    # Rendered at the printer's resolution (capped), in strips of rows, each drawn into its part of the page.
    factor = min(1.0, MAX_PRINT_DPI / dpi) if dpi > 0 else 1.0
    whole = QSize(max(1, round(out.width() * factor)), max(1, round(out.height() * factor)))
    for y in range(0, whole.height(), BAND_ROWS):
        rows = min(BAND_ROWS, whole.height() - y)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(whole)
        options.setScaledClipRect(QRect(0, y, whole.width(), rows))
        band = doc.render(index, QSize(whole.width(), rows), options)
        # The page comes back transparent where nothing is drawn: put it on white paper (printers and PDF
        # writers handle an opaque image; a transparent one becomes a soft mask or black).
        paper_band = QImage(band.size(), QImage.Format.Format_RGB32)
        paper_band.fill(Qt.GlobalColor.white)
        onto = QPainter(paper_band)
        onto.drawImage(0, 0, band)
        onto.end()
        target = QRectF(out.x(), out.y() + y / factor, out.width(), rows / factor)
        painter.drawImage(target, paper_band)


__all__ = ["PdfPreview", "a4_printer", "load_pdf", "print_pdf", "render_to_printer"]
