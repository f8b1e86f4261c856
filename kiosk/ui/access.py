"""The citizen's accessibility settings on the window, and the keypad.

One object adds to the main window: a bar of toggles (high contrast, text
size, controls lower down, read the screen again, stop motion, screen off),
the keypad navigator with spoken labels, the 15 mm minimum for everything
touchable, the guard against double presses, and the headphone jack. Every
setting belongs to the current citizen only: the attract screen after a
session, or left untouched for a while, puts the defaults back.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.accessibility import (
    AccessPrefs,
    ScreenGeometry,
    control_speech,
)
from kiosk.config import LANGUAGES, Settings
from kiosk.i18n import N_, translations
from kiosk.session import Back, Screen, View
from kiosk.speech.speaker import (
    AdjustableSpeaker,
    PacedSpeaker,
    PausableSpeaker,
    RoutableSpeaker,
    Speaker,
)
from kiosk.speech_control import (
    SLOWER_OFF,
    SLOWER_ON,
    rate_wpm,
    toggle_pause,
)
from kiosk.ui.double_press import DoublePressFilter, PressGuard
from kiosk.ui.flow import FlowLayout
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.keypad import KeypadNavigator
from kiosk.ui.pages_entry import AttractPage
from kiosk.ui.theme import style_sheet
from kiosk.ui.unattended import UnattendedReset
from kiosk.ui.widgets import (
    StateButton,
    Texts,
    TextSizeButton,
    ToggleButton,
    TouchButton,
    Translate,
    settle_layouts,
)
from kiosk.volume import VOLUME_LEVEL, VolumeScale

if TYPE_CHECKING:
    from kiosk.ui.window import MainWindow

logger = logging.getLogger(__name__)

ATTRACT_TEXT = N_("Touch the screen to start")
HEADPHONES_IN = N_("Headphones connected. You can turn the screen off for privacy.")
HEADPHONES_OUT = N_("Headphones disconnected. Speech is on the loudspeaker.")
SCREEN_IS_OFF = N_("The screen is off. Speech and keys still work.")
FIELD_NAMES = {"phone": N_("Phone"), "email": N_("E-mail")}
"""Spoken names of the text fields that have a label beside them."""


class AccessBar(QWidget):
    """The row of accessibility toggles at the bottom of every screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("access-bar")
        self.texts = Texts()
        # One row when it fits; with large text the buttons flow onto more
        # rows rather than running off the screen.
        layout = FlowLayout(self, spacing=8)
        layout.setContentsMargins(0, 6, 0, 0)

        def toggle(source: str, name: str) -> ToggleButton:
            button = ToggleButton(source)
            button.setObjectName(name)
            layout.addWidget(button)
            return button

        self.contrast_button = toggle(N_("High contrast"), "high-contrast")
        self.large_text_button = TextSizeButton(N_("Text size"))
        self.large_text_button.setObjectName("large-text")
        layout.addWidget(self.large_text_button)
        self.low_layout_button = toggle(N_("Lower controls"), "low-layout")
        self.still_button = toggle(N_("Stop motion"), "still")
        self.screen_off_button = toggle(N_("Screen off"), "screen-off-toggle")
        self.quieter_button = self.texts.add(TouchButton(), N_("Quieter"))
        self.quieter_button.setObjectName("volume-down")
        layout.addWidget(self.quieter_button)
        self.louder_button = self.texts.add(TouchButton(), N_("Louder"))
        self.louder_button.setObjectName("volume-up")
        layout.addWidget(self.louder_button)
        self.slow_speech_button = toggle(N_("Slower speech"), "slow-speech")
        self.repeat_button = self.texts.add(TouchButton(), N_("Read aloud"))
        self.repeat_button.setObjectName("read-aloud")
        layout.addWidget(self.repeat_button)

    def retranslate(self, translate: Translate) -> None:
        """Every label and state word in the language of ``translate``."""
        self.texts.apply(translate)
        for button in self.findChildren(StateButton):
            button.retranslate(translate)


class Accessibility(QObject):
    """Applies the citizen's preferences to the window and runs the keypad."""

    prefs_changed = Signal(object)
    """The AccessPrefs now in force."""

    def __init__(self, window: MainWindow, settings: Settings, speaker: Speaker):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.speaker = speaker
        self.geometry = ScreenGeometry.from_settings(settings.screen)
        self.prefs = AccessPrefs()
        self.headphones = False
        self.volume = VolumeScale.from_settings(settings.speech)
        self._screen: Screen | None = None
        self._sentences = 0
        """Sentences said so far; tells whether a press said something."""
        self._sentences_before_press = 0
        self.bar = AccessBar()
        self._connect_bar()
        outer = window.layout()
        assert isinstance(outer, QVBoxLayout)
        self._outer = outer
        outer.addWidget(self.bar)
        self.reach_spacer = QWidget()
        self.reach_spacer.setObjectName("reach-spacer")
        self.reach_spacer.hide()
        # Under the prompt: in the low layout the texts, which are only read,
        # may fill the band out of reach, and the spacer only the rest of it.
        outer.insertWidget(outer.indexOf(window.stack), self.reach_spacer)
        self.cover = QWidget(window)
        self.cover.setObjectName("screen-off")
        self.cover.hide()
        access = settings.access
        self.presses = PressGuard(access.double_press_s, window.controller.clock)
        self.navigator = KeypadNavigator(
            window,
            content=window.stack,
            trailing=self.bar,
            modal=self._modal,
            skip=self._skip,
            guard=self.presses,
        )
        self.double_press = DoublePressFilter(window, self.presses)
        self.unattended = UnattendedReset(
            self,
            after_s=access.unattended_reset_s,
            clock=window.controller.clock,
            on_attract=lambda: self._screen is Screen.ATTRACT,
            prefs=lambda: self.prefs,
            reset=lambda: self.set_prefs(AccessPrefs()),
        )
        for keyboard in window.findChildren(OnScreenKeyboard):
            keyboard.set_repeat(
                access.backspace_repeat_delay_s, access.backspace_repeat_interval_s
            )
        self.navigator.focused.connect(self.on_navigator_focused)
        self.navigator.pressing.connect(self.on_navigator_pressing)
        self.navigator.activated.connect(self.on_navigator_activated)
        self.navigator.back_requested.connect(self.on_navigator_back_requested)
        self.navigator.repeat_requested.connect(self.on_navigator_repeat_requested)
        self.navigator.pause_requested.connect(self.on_navigator_pause_requested)
        self.navigator.key_used.connect(self.on_navigator_key_used)
        window.rendered.connect(self.on_window_rendered)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            app.installEventFilter(self.navigator)
            app.installEventFilter(self.double_press)
        self._apply()
        for widget in window.findChildren(QWidget):
            self._size_target(widget)

    def _connect_bar(self) -> None:
        bar = self.bar
        bar.contrast_button.clicked.connect(self.on_contrast_button_clicked)
        bar.large_text_button.clicked.connect(self.on_large_text_button_clicked)
        bar.low_layout_button.clicked.connect(self.on_low_layout_button_clicked)
        bar.still_button.clicked.connect(self.on_still_button_clicked)
        bar.screen_off_button.clicked.connect(self.on_screen_off_button_clicked)
        bar.repeat_button.clicked.connect(self.on_repeat_button_clicked)
        bar.quieter_button.clicked.connect(self.on_quieter_button_clicked)
        bar.louder_button.clicked.connect(self.on_louder_button_clicked)
        bar.slow_speech_button.clicked.connect(self.on_slow_speech_button_clicked)

    # Preferences ----------------------------------------------------------

    def set_prefs(self, prefs: AccessPrefs) -> None:
        """Put ``prefs`` in force (theme, text size, layout, motion, screen)."""
        if prefs == self.prefs:
            return
        logger.info(
            "a11y.prefs contrast=%s text=%s low=%s still=%s screen_off=%s slow=%s",
            prefs.high_contrast,
            prefs.text_scale,
            prefs.low_layout,
            prefs.still,
            prefs.screen_off,
            prefs.slow_speech,
        )
        self.prefs = prefs
        self._apply()
        self.prefs_changed.emit(prefs)

    def _apply(self) -> None:
        prefs = self.prefs
        self.window.setStyleSheet(
            style_sheet(
                high_contrast=prefs.high_contrast,
                text_scale=prefs.text_scale,
                target_px=self.geometry.min_target_px,
            )
        )
        bar = self.bar
        bar.contrast_button.setChecked(prefs.high_contrast)
        bar.large_text_button.set_percent(round(prefs.text_scale * 100))
        bar.low_layout_button.setChecked(prefs.low_layout)
        bar.still_button.setChecked(prefs.still)
        bar.screen_off_button.setChecked(prefs.screen_off)
        bar.slow_speech_button.setChecked(prefs.slow_speech)
        self._apply_layout(prefs.low_layout)
        self._apply_motion()
        self._apply_cover()
        self._apply_volume()
        self._apply_rate()
        settle_layouts()

    def _apply_layout(self, low: bool) -> None:
        # Low layout: the top row of buttons moves down above the bar, and a
        # spacer keeps every control below the highest point a seated person
        # reaches (the prompt, which is only read, may sit above it).
        outer = self._outer
        top = self._top_row()
        if top is not None:
            outer.removeItem(top)
            at = outer.indexOf(self.bar) if low else 0
            outer.insertLayout(at, top)
        self.reach_spacer.setVisible(low)
        self._fit_reach_spacer()

    def _fit_reach_spacer(self) -> None:
        if self.reach_spacer.isVisibleTo(self.window):
            self.reach_spacer.setFixedHeight(self.reach_spacer_px())

    def reach_spacer_px(self) -> int:
        """Height kept free of controls under the texts in the low layout.

        Every control starts below the highest point a seated person
        reaches; the prompt and message above the spacer take their share
        of that band. The window fills the configured screen on the kiosk;
        a demo window keeps the same pixels.
        """
        outer = self._outer
        spacing = outer.spacing()
        margins = outer.contentsMargins()
        width = self.window.width() - margins.left() - margins.right()
        used = margins.top() + spacing
        for label in (self.window.prompt_label, self.window.message_label):
            if label.isVisibleTo(self.window):
                used += label.heightForWidth(width) + spacing
        return max(0, self.geometry.unreachable_top_px - used)

    def _top_row(self) -> QLayout | None:
        outer = self._outer
        for index in range(outer.count()):
            item = outer.itemAt(index)
            layout = item.layout() if item is not None else None
            if layout is not None and layout.indexOf(self.window.back_button) >= 0:
                return layout
        return None

    def _apply_motion(self) -> None:
        page = self.window.page(Screen.ATTRACT)
        if not isinstance(page, AttractPage) or not page.isVisible():
            return
        if self.prefs.still:
            page.rotation_timer.stop()
            page.start_button.setText(
                "\n".join(
                    translations(lang).gettext(ATTRACT_TEXT) for lang in LANGUAGES
                )
            )
        elif not page.rotation_timer.isActive():
            page.show_view(self.window.controller.view, translations("en").gettext)

    def _apply_cover(self) -> None:
        self.bar.screen_off_button.setVisible(self.headphones or self.prefs.screen_off)
        self.cover.setGeometry(self.window.rect())
        self.cover.setVisible(self.prefs.screen_off)
        if self.prefs.screen_off:
            self.cover.raise_()

    # Speech ---------------------------------------------------------------

    def say(self, text: str, language: str | None = None) -> None:
        """Speak ``text`` in the citizen's language (or ``language``)."""
        lang = language or self.window.controller.view.language
        self._sentences += 1
        self.speaker.say(text, lang)

    def repeat(self) -> None:
        """Read the current screen again, with the keypad hint."""
        view = self.window.controller.view
        if self.window.overlay.isVisible():
            text = " ".join(
                (
                    self.window.overlay.question.text(),
                    self.window.overlay.countdown.text(),
                )
            )
            self.say(text, view.language)
            return
        # The language screen is read in every language, each in its voice.
        self._sentences += 1
        self.speaker.say_parts(
            self.window.controller.session.spoken_parts(view, hint=True)
        )

    def describe(self, widget: QWidget) -> tuple[str, str]:
        """The sentence and language that announce a focused control."""
        view = self.window.controller.view
        language = view.language
        own = widget.property("language")
        if isinstance(own, str) and own in LANGUAGES:
            # A language's name is said by a voice of that language.
            language = own
        gettext = translations(language).gettext
        if isinstance(widget, QAbstractButton):
            # An amount on a button is said in words (see pages_payment); an
            # icon-only key or a toggle names itself apart from its text.
            label = (
                widget.property("spoken") or widget.accessibleName() or widget.text()
            )
            checked = widget.isChecked() if widget.isCheckable() else None
        else:
            name = FIELD_NAMES.get(widget.objectName())
            label = gettext(name) if name else widget.property("placeholderText")
            checked = None
        controls = self.navigator.controls()
        index = controls.index(widget) + 1 if widget in controls else 0
        text = control_speech(
            str(label or ""),
            gettext,
            checked=checked,
            index=index,
            count=len(controls) if index else 0,
        )
        return text, language

    # Headphones -----------------------------------------------------------

    def set_headphones(self, connected: bool) -> None:
        """The headphone jack changed: route speech, offer the screen off."""
        if connected == self.headphones:
            return
        self.headphones = connected
        speech = self.settings.speech
        device = speech.headphones_device if connected else speech.output_device
        if isinstance(self.speaker, RoutableSpeaker) and device:
            self.speaker.set_output_device(device)
        else:
            logger.warning("a11y.headphones speaker cannot switch to %r", device)
        logger.info("a11y.headphones connected=%s device=%s", connected, device)
        self._apply_volume()
        if connected:
            self.say(translations(self._language()).gettext(HEADPHONES_IN))
        else:
            if self.prefs.screen_off:
                self.set_prefs(replace(self.prefs, screen_off=False))
            self.say(translations(self._language()).gettext(HEADPHONES_OUT))
        self._apply_cover()

    # Volume ---------------------------------------------------------------

    def gain_db(self) -> float:
        """The level of the output in use now, in dB (0: the loudest)."""
        speech, prefs = self.settings.speech, self.prefs
        if self.headphones:
            return self.volume.gain_db(
                speech.headphones_volume_db, prefs.headphones_steps
            )
        return self.volume.gain_db(speech.speaker_volume_db, prefs.speaker_steps)

    def step_volume(self, delta: int) -> None:
        """One step louder (+1) or quieter (-1) on the output in use; say it."""
        speech, prefs = self.settings.speech, self.prefs
        if self.headphones:
            steps = self.volume.step(
                speech.headphones_volume_db, prefs.headphones_steps, delta
            )
            self.set_prefs(replace(prefs, headphones_steps=steps))
        else:
            steps = self.volume.step(
                speech.speaker_volume_db, prefs.speaker_steps, delta
            )
            self.set_prefs(replace(prefs, speaker_steps=steps))
        level = self.volume.level(self.gain_db())
        logger.info(
            "a11y.volume headphones=%s gain_db=%.1f", self.headphones, self.gain_db()
        )
        text = translations(self._language()).gettext(VOLUME_LEVEL)
        self.say(text.format(level=level, count=self.volume.count))

    def _apply_volume(self) -> None:
        if isinstance(self.speaker, AdjustableSpeaker):
            self.speaker.set_gain_db(self.gain_db())

    # Rate and pause ---------------------------------------------------------

    def _apply_rate(self) -> None:
        if isinstance(self.speaker, PacedSpeaker):
            self.speaker.set_rate_wpm(
                rate_wpm(self.settings.speech, self.prefs.slow_speech)
            )

    def _language(self) -> str:
        return self.window.controller.view.language

    # Slots ----------------------------------------------------------------

    def _toggle(self, **change: bool) -> None:
        self.set_prefs(replace(self.prefs, **change))

    @Slot()
    def on_contrast_button_clicked(self) -> None:
        """High contrast on or off."""
        self._toggle(high_contrast=not self.prefs.high_contrast)

    @Slot()
    def on_large_text_button_clicked(self) -> None:
        """The next text size (100, 150, 200 %), said aloud."""
        self.set_prefs(replace(self.prefs, text_scale=self.prefs.next_text_scale()))
        gettext = translations(self._language()).gettext
        self.say(control_speech(self.bar.large_text_button.text(), gettext))

    @Slot()
    def on_low_layout_button_clicked(self) -> None:
        """Controls in the lower part of the screen, or back where they were."""
        self._toggle(low_layout=not self.prefs.low_layout)

    @Slot()
    def on_still_button_clicked(self) -> None:
        """Stop or restart the moving invitation."""
        self._toggle(still=not self.prefs.still)

    @Slot()
    def on_screen_off_button_clicked(self) -> None:
        """Blank the screen for privacy, or show it again."""
        self._toggle(screen_off=not self.prefs.screen_off)
        if self.prefs.screen_off:
            self.say(translations(self._language()).gettext(SCREEN_IS_OFF))

    @Slot()
    def on_quieter_button_clicked(self) -> None:
        """Speech one step quieter."""
        self.step_volume(-1)

    @Slot()
    def on_louder_button_clicked(self) -> None:
        """Speech one step louder."""
        self.step_volume(+1)

    @Slot()
    def on_slow_speech_button_clicked(self) -> None:
        """Slower speech on or off, said at the new rate."""
        self._toggle(slow_speech=not self.prefs.slow_speech)
        text = SLOWER_ON if self.prefs.slow_speech else SLOWER_OFF
        self.say(translations(self._language()).gettext(text))

    @Slot()
    def on_repeat_button_clicked(self) -> None:
        """Read the screen again."""
        self.repeat()

    @Slot(object)
    def on_navigator_focused(self, widget: QWidget) -> None:
        """Say the label of the control the keypad moved to."""
        text, language = self.describe(widget)
        self.say(text, language)

    @Slot(object)
    def on_navigator_pressing(self, widget: QWidget) -> None:
        """Remember how much was said before the press."""
        self._sentences_before_press = self._sentences

    @Slot(object)
    def on_navigator_activated(self, widget: QWidget) -> None:
        """After a toggle was pressed on the same screen, say its new state."""
        if (
            self._sentences == self._sentences_before_press
            and isinstance(widget, QAbstractButton)
            and widget.isCheckable()
            and widget is self.navigator.current
            and widget.isVisible()
            and self.window.controller.view.screen is self._screen
        ):
            self.on_navigator_focused(widget)

    @Slot()
    def on_navigator_back_requested(self) -> None:
        """Escape: one screen back."""
        self.window.controller.dispatch(Back())

    @Slot()
    def on_navigator_repeat_requested(self) -> None:
        """Help: read the screen again."""
        self.repeat()

    @Slot()
    def on_navigator_pause_requested(self) -> None:
        """Pause: hold the speech, or go on with it; nothing is said."""
        if isinstance(self.speaker, PausableSpeaker):
            paused = toggle_pause(self.speaker)
            logger.info("a11y.pause paused=%s", paused)
        else:
            logger.debug("a11y.pause the speaker cannot pause")

    @Slot()
    def on_navigator_key_used(self) -> None:
        """A keypad key counts as the citizen being there."""
        self.window.controller.note_activity()

    @Slot(object)
    def on_window_rendered(self, view: View) -> None:
        """A new screen: drop the focus ring; after a session, the defaults."""
        screen_changed = view.screen is not self._screen
        ended = view.screen is Screen.ATTRACT and self._screen not in (
            None,
            Screen.ATTRACT,
        )
        self._screen = view.screen
        if screen_changed:
            self.navigator.clear()
        if ended:
            self.set_prefs(AccessPrefs())
        self.bar.retranslate(translations(view.language).gettext)
        self.bar.still_button.setVisible(view.screen is Screen.ATTRACT)
        self._fit_reach_spacer()
        self._apply_motion()
        self._apply_cover()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Size every touch target; keep the spacer and cover fitted."""
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, QWidget):
            self._size_target(watched)
        elif watched is self.window and kind == QEvent.Type.Resize:
            self.cover.setGeometry(self.window.rect())
        elif watched is self.window and kind == QEvent.Type.Close:
            app = QApplication.instance()
            self.unattended.stop()
            if app is not None:
                app.removeEventFilter(self)
                app.removeEventFilter(self.navigator)
                app.removeEventFilter(self.double_press)
        return False

    def _size_target(self, widget: QWidget) -> None:
        if not isinstance(widget, QAbstractButton | QLineEdit):
            return
        if not self.window.isAncestorOf(widget):
            return
        side = self.geometry.min_target_px
        if isinstance(widget, TouchButton):
            widget.set_min_side(side)
            return
        if widget.minimumWidth() < side or widget.minimumHeight() < side:
            widget.setMinimumSize(
                max(widget.minimumWidth(), side), max(widget.minimumHeight(), side)
            )

    def _modal(self) -> QWidget | None:
        overlay = self.window.overlay
        return overlay if overlay.isVisible() else None

    def _skip(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None and parent is not self.window:
            if isinstance(parent, OnScreenKeyboard):
                return True
            parent = parent.parentWidget()
        return False
