"""Guards against a Qt binding that leaks references to None.

PySide6 6.12.0 on Python 3.11 took one reference from None on every Qt call
that returns nothing; a kiosk that changes screens all day then aborts with
"Fatal Python error: none_dealloc". The pinned version must not do that.
"""

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_leave_the_reference_count_of_none_alone(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for number in range(2000):
        label.setText(str(number))
        label.setVisible(number % 2 == 0)
    # Other code may take or drop a handful of references meanwhile; a leak
    # of the kind guarded here loses thousands.
    assert abs(sys.getrefcount(None) - before) < 100
