"""A layout that puts its widgets in a row, and onto more rows when short of room."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Left to right in rows, like words in a paragraph; each row is justified.

    A widget goes to the next row when it would pass the right edge, so the
    reading order (and the keypad's, which follows the screen) stays the
    order the widgets were added in. The room left in a row is shared out
    among its widgets, which makes them larger targets rather than leaving a
    gap. A widget wider than the whole row gets the row and, if its text
    wraps, the height it needs there.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        """Take ``item`` as the last of the flow."""
        self._items.append(item)

    def count(self) -> int:
        """How many items the flow holds."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        """The item at ``index``, or None past the end."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        """Remove and return the item at ``index``."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        """Takes the width it is given; its height follows from it."""
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        """The number of rows depends on the width."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        """The height of all the rows at ``width``."""
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        """Lay the items out in ``rect``."""
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Everything on one row."""
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(item.sizeHint().width() for item in shown)
        width += self.spacing() * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(
            width + margins.left() + margins.right(),
            height + margins.top() + margins.bottom(),
        )

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as the widest item's minimum: one item a row."""
        margins = self.contentsMargins()
        size = QSize(0, 0)
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(margins)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            need = item.sizeHint().width()
            if rows[-1] and used + self.spacing() + need > width:
                rows.append([])
                used = 0
            used += need + (self.spacing() if rows[-1] else 0)
            rows[-1].append(item)
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in ``rect`` (only measure unless ``move``).

        Returns the height used, margins included.
        """
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        y = area.y()
        for row in self._rows(area.width()):
            widths = [min(item.sizeHint().width(), area.width()) for item in row]
            free = area.width() - sum(widths) - self.spacing() * (len(row) - 1)
            # The spare pixels that do not share out evenly go to the first.
            share, extra = divmod(max(free, 0), len(row))
            for index in range(len(row)):
                widths[index] += share + (1 if index < extra else 0)
            height = max(
                item.heightForWidth(w)
                if item.hasHeightForWidth()
                else item.sizeHint().height()
                for item, w in zip(row, widths, strict=True)
            )
            x = area.x()
            for item, w in zip(row, widths, strict=True):
                if move:
                    item.setGeometry(QRect(QPoint(x, y), QSize(w, height)))
                x += w + self.spacing()
            y += height + self.spacing()
        used = y - area.y() - (self.spacing() if y > area.y() else 0)
        return used + margins.top() + margins.bottom()
