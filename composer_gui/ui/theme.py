"""The dark look of a DAW: one palette, one small style sheet, and the track colours.

Colours are defined here once; the piano rolls, the track strips and the candidate list
use ``TRACK_COLOURS`` so a track has the same colour everywhere.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

BACKGROUND = QColor("#1e2024")
PANEL = QColor("#272a30")
RAISED = QColor("#32363e")
TEXT = QColor("#e3e5e8")
DIM_TEXT = QColor("#9097a3")
ACCENT = QColor("#f0a53a")  # amber, like a lit transport button
RECORD = QColor("#e5484d")
GRID_BAR = QColor("#555b66")
GRID_BEAT = QColor("#383c44")
GRID_STEP = QColor("#2c2f35")
BLACK_KEY_ROW = QColor("#23262b")
WHITE_KEY_ROW = QColor("#292c32")
PLAYHEAD = QColor("#6fd3ff")
FOCUS = QColor("#9ccfff")  # the border of the widget Tab has reached

# By track index: the melody, then the model's tracks in their order (alto, tenor, bass
# for the chorale; a band's bass, chords, drums, pad), the colours repeating past seven.
TRACK_COLOURS = (
    QColor("#f0a53a"),  # melody: amber
    QColor("#5ec8a0"),  # 2nd track (alto): green
    QColor("#6aa8ff"),  # 3rd track (tenor): blue
    QColor("#d77bd9"),  # 4th track (bass): violet
    QColor("#e8d35c"),  # 5th: yellow
    QColor("#ff7f6e"),  # 6th: coral
    QColor("#a3b0c2"),  # 7th: grey-blue
)


def track_colour(index: int) -> QColor:
    return TRACK_COLOURS[index % len(TRACK_COLOURS)]


STYLE_SHEET = f"""
QWidget {{ font-size: 10pt; }}
QMainWindow, QDialog {{ background: {BACKGROUND.name()}; }}
QToolTip {{ color: {TEXT.name()}; background: {RAISED.name()}; border: 1px solid #444; }}
QFrame#panel, QWidget#panel {{ background: {PANEL.name()}; border-radius: 6px; }}
QLabel#panelTitle {{ color: {DIM_TEXT.name()}; font-weight: bold; font-size: 9pt;
    text-transform: uppercase; letter-spacing: 1px; }}
QLabel#hint {{ color: {DIM_TEXT.name()}; }}
QPushButton, QToolButton {{ background: {RAISED.name()}; color: {TEXT.name()};
    border: 1px solid #40454f; border-radius: 4px; padding: 4px 10px; }}
QPushButton:hover, QToolButton:hover {{ background: #3c414b; }}
QPushButton:pressed, QToolButton:pressed {{ background: #2a2d33; }}
QPushButton:checked, QToolButton:checked {{ background: {ACCENT.name()}; color: #1b1b1b;
    border-color: {ACCENT.name()}; }}
QPushButton:disabled, QToolButton:disabled {{ color: #666b74; background: #2b2e34; }}
QToolButton#record:checked {{ background: {RECORD.name()}; border-color: {RECORD.name()};
    color: white; }}
QPushButton#primary {{ background: {ACCENT.name()}; color: #1b1b1b; font-weight: bold;
    border-color: {ACCENT.name()}; }}
QPushButton#primary:hover {{ background: #f5b65a; }}
QPushButton#primary:disabled {{ background: #5a4a30; color: #9a8a70; }}
QToolButton#mute, QToolButton#solo {{ padding: 2px 0px; font-weight: bold; }}
QToolButton#mute:checked {{ background: #c9a227; color: #1b1b1b; }}
QToolButton#solo:checked {{ background: #3fa7d6; color: #1b1b1b; }}
QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit {{ background: #1a1c20; color: {TEXT.name()};
    border: 1px solid #40454f; border-radius: 4px; padding: 2px 6px; }}
QComboBox:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled, QLineEdit:disabled {{
    color: #666b74; background: #222429; border-color: #33373f; }}
QAbstractSpinBox[arrowless="true"]::up-button,
QAbstractSpinBox[arrowless="true"]::down-button {{ width: 0px; border: none; }}
QComboBox QAbstractItemView {{ background: #1a1c20; color: {TEXT.name()};
    selection-background-color: #4a4f5a; }}
QTreeWidget, QListWidget {{ background: #1a1c20; color: {TEXT.name()};
    border: 1px solid #33373f; border-radius: 4px; alternate-background-color: #202227; }}
QTreeWidget::item {{ padding: 3px 2px; }}
QTreeWidget::item:selected {{ background: #4a3b22; color: {TEXT.name()}; }}
QHeaderView::section {{ background: {PANEL.name()}; color: {DIM_TEXT.name()};
    border: none; border-bottom: 1px solid #3a3e46; padding: 3px 6px; }}
QProgressBar {{ background: #1a1c20; border: 1px solid #40454f; border-radius: 4px;
    color: {TEXT.name()}; text-align: center; height: 14px; }}
QProgressBar::chunk {{ background: {ACCENT.name()}; border-radius: 3px; }}
QSlider::groove:horizontal {{ height: 4px; background: #444a55; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {TEXT.name()}; width: 12px; margin: -5px 0;
    border-radius: 6px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT.name()}; border-radius: 2px; }}
QMenuBar {{ background: {PANEL.name()}; color: {TEXT.name()}; }}
QMenuBar::item:selected {{ background: #3c414b; }}
QMenu {{ background: {PANEL.name()}; color: {TEXT.name()}; border: 1px solid #40454f; }}
QMenu::item:selected {{ background: #4a4f5a; }}
QStatusBar {{ background: {PANEL.name()}; color: {DIM_TEXT.name()}; }}
QSplitter::handle {{ background: {BACKGROUND.name()}; }}
QGroupBox {{ color: {DIM_TEXT.name()}; border: 1px solid #3a3e46; border-radius: 6px;
    margin-top: 12px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
QTabWidget::pane {{ border: 1px solid #3a3e46; border-radius: 4px; }}
QTabBar::tab {{ background: {PANEL.name()}; color: {DIM_TEXT.name()}; padding: 5px 12px; }}
QTabBar::tab:selected {{ background: {RAISED.name()}; color: {TEXT.name()}; }}
QPushButton:focus, QToolButton:focus, QComboBox:focus, QAbstractSpinBox:focus,
QLineEdit:focus, QTreeWidget:focus, QListWidget:focus, QPushButton#primary:focus,
QToolButton#record:focus {{ border-color: {FOCUS.name()}; }}
QSlider::handle:horizontal:focus {{ background: {FOCUS.name()}; border: 2px solid white; }}
"""
# The last two rules: the borders above replace Fusion's focus frame, so without them a
# musician working by keyboard could not see where Tab had gone (session 14, Xvfb).


def hide_spin_arrows(box: QAbstractSpinBox) -> None:
    """A number box that is typed or scrolled, as in a DAW, without arrow buttons.  Not
    ``setButtonSymbols(NoButtons)``: under this style sheet Qt 6.11 then lays the text
    field out one pixel wide and the value disappears; zero-width arrows keep it whole."""
    box.setProperty("arrowless", True)


def apply_dark_theme(app: QApplication) -> None:
    """Fusion style with a dark palette: the same look on Linux, macOS and Windows."""
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.Window, BACKGROUND)
    palette.setColor(QPalette.WindowText, TEXT)
    palette.setColor(QPalette.Base, QColor("#1a1c20"))
    palette.setColor(QPalette.AlternateBase, QColor("#202227"))
    palette.setColor(QPalette.ToolTipBase, RAISED)
    palette.setColor(QPalette.ToolTipText, TEXT)
    palette.setColor(QPalette.Text, TEXT)
    palette.setColor(QPalette.Button, RAISED)
    palette.setColor(QPalette.ButtonText, TEXT)
    palette.setColor(QPalette.BrightText, QColor("white"))
    palette.setColor(QPalette.Highlight, QColor("#4a4f5a"))
    palette.setColor(QPalette.HighlightedText, TEXT)
    palette.setColor(QPalette.PlaceholderText, DIM_TEXT)
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#666b74"))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
