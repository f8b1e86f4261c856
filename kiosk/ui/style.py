"""The kiosk's look: large type, high contrast, finger-sized controls."""

STYLE_SHEET = """
QWidget {
    font-family: "DejaVu Sans";
    font-size: 24px;
    color: #141414;
    background: #f5f2eb;
}
QPushButton {
    background: #ffffff;
    border: 2px solid #24436b;
    border-radius: 12px;
    padding: 8px 18px;
}
QPushButton:pressed, QPushButton:checked { background: #cfdcef; }
QPushButton[role="primary"] {
    background: #1d5aa3;
    color: #ffffff;
    font-weight: bold;
    border-color: #123d70;
}
QPushButton[role="primary"]:pressed { background: #123d70; }
QPushButton[role="big"] { font-size: 30px; }
QPushButton[role="attract"] {
    font-size: 56px;
    font-weight: bold;
    background: #1d5aa3;
    color: #ffffff;
    border-radius: 24px;
}
QPushButton[role="key"] { font-size: 26px; padding: 0px; border-radius: 8px; }
QPushButton[role="lang"] { font-size: 22px; min-width: 150px; }
QPushButton[role="lang"]:checked {
    background: #1d5aa3;
    color: #ffffff;
    font-weight: bold;
}
QPushButton[role="choice"] { text-align: left; padding: 8px 20px; }
QLabel[role="prompt"] { font-size: 32px; font-weight: bold; }
QLabel[role="subtitle"] { font-size: 24px; font-weight: bold; color: #24436b; }
QLabel[role="ticket"] { font-size: 110px; font-weight: bold; color: #123d70; }
QLabel[role="countdown"] { font-size: 40px; }
QLabel#message {
    background: #fff1c2;
    border: 3px solid #a34d00;
    border-radius: 10px;
    padding: 12px;
    font-size: 26px;
}
QPlainTextEdit, QLineEdit {
    background: #ffffff;
    font-size: 30px;
    border: 2px solid #555555;
    border-radius: 8px;
    padding: 8px;
}
QLineEdit { min-height: 56px; }
QCheckBox { font-size: 24px; spacing: 16px; min-height: 64px; }
QCheckBox::indicator { width: 48px; height: 48px; }
QScrollBar:vertical { width: 44px; }
QProgressBar { border: 2px solid #24436b; border-radius: 10px; }
QProgressBar::chunk { background: #1d5aa3; }
QWidget#overlay { background: rgba(0, 0, 0, 150); }
QFrame#overlay-panel {
    background: #ffffff;
    border: 4px solid #1d5aa3;
    border-radius: 20px;
    min-width: 640px;
}
"""
"""Qt style sheet for the whole window."""
