"""MIDI ports: which APIs exist, listing, opening by name, the app's virtual ports.

Everything else in the app opens ports through here, so the choice of MIDI API
(ALSA or JACK on Linux, CoreMIDI on macOS, Windows MultiMedia), the naming of our
virtual ports and the translation of driver failures into ``MidiPortError`` live in
one place. Ports are plain mido ports (``send``, ``close``, context managers).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

import mido

from composer_gui import APP_NAME
from composer_gui.core.errors import MidiPortError, UnknownPortError

log = logging.getLogger(__name__)

# Short names the user types (``--api jack``) -> rtmidi's API names as mido spells them.
API_NAMES = {
    "alsa": "LINUX_ALSA",
    "jack": "UNIX_JACK",
    "coremidi": "MACOSX_CORE",
    "winmm": "WINDOWS_MM",
}

# The order tried when the user picks no API: the platform's native one first.
_PREFERRED_APIS = {
    "linux": ("alsa", "jack"),
    "darwin": ("coremidi", "jack"),
    "win32": ("winmm",),
}

CLIENT_NAME = APP_NAME
"""Our client name where the API has clients (ALSA, JACK): ports show as "Composer:...". """


def virtual_port_name(track_name: str | None = None) -> str:
    """The name of our virtual output: the app's name, or "Composer <track>" per track.

    One definition so the CLI, the app and a DAW's port list all agree.
    """
    return APP_NAME if track_name is None else f"{APP_NAME} {track_name}"


def compiled_apis() -> list[str]:
    """Short names of the MIDI APIs this python-rtmidi build supports."""
    import rtmidi

    names = {getattr(rtmidi, f"API_{long}", None): short for short, long in API_NAMES.items()}
    return [names[api] for api in rtmidi.get_compiled_api() if api in names]


def _backend(api: str) -> mido.Backend:
    return mido.Backend(f"mido.backends.rtmidi/{API_NAMES[api]}", load=True)


def _api_works(api: str) -> bool:
    """Whether the API can open a client now (ALSA without /dev/snd/seq cannot)."""
    import rtmidi

    try:
        rtmidi.MidiOut(rtapi=getattr(rtmidi, f"API_{API_NAMES[api]}")).delete()
    except (rtmidi.RtMidiError, OSError):
        return False
    return True


def resolve_api(api: str | None = None) -> str:
    """The API to use: the one asked for if it works, else the platform's first that works."""
    compiled = compiled_apis()
    if api is not None:
        if api not in API_NAMES:
            raise MidiPortError(f"Unknown MIDI API '{api}'; choose one of {', '.join(API_NAMES)}.")
        if api not in compiled:
            raise MidiPortError(
                f"This installation has no {api} MIDI support; choose one of {', '.join(compiled)}."
            )
        if not _api_works(api):
            raise MidiPortError(
                f"The {api} MIDI system is not running; start it "
                "(for JACK: start the JACK server) or choose another with --api."
            )
        return api
    preferred = _PREFERRED_APIS.get(sys.platform, ())
    ordered = [a for a in preferred if a in compiled] + [a for a in compiled if a not in preferred]
    for candidate in ordered:
        if _api_works(candidate):
            return candidate
    raise MidiPortError(
        "No MIDI system is available; start ALSA or JACK (or your OS's MIDI service) and try again."
    )


def is_own_port(name: str) -> bool:
    """Whether a listed port is one of the outputs we play into (the virtual port for
    DAWs, a track's "Composer <track>"): JACK and ALSA list them among the inputs
    ("Composer:Composer", ALSA adding "128:0"), and a keyboard chosen there would record
    what the app itself plays. Other ports of our client stay listed."""
    return name == virtual_port_name() or name.startswith(f"{CLIENT_NAME}:{virtual_port_name()}")


@dataclass(frozen=True)
class PortList:
    """The ports one API offers now."""

    api: str
    inputs: list[str]
    outputs: list[str]


def list_ports(api: str | None = None) -> PortList:
    """Input and output port names of the chosen (or first working) API."""
    api = resolve_api(api)
    backend = _backend(api)
    try:
        return PortList(api, backend.get_input_names(), backend.get_output_names())
    except (OSError, RuntimeError) as error:
        raise MidiPortError(f"Could not list the {api} MIDI ports: {error}.") from error


def _unknown_port(kind: str, name: str, names: list[str]) -> UnknownPortError:
    known = ", ".join(f"'{n}'" for n in names) if names else "none"
    return UnknownPortError(
        f"No MIDI {kind} named '{name}' (available: {known}); "
        "run `composer-gui ports` and pick one of those names.",
        kind,
        name,
    )


def open_output(name: str, api: str | None = None) -> mido.ports.BaseOutput:
    """Open an existing output port by its exact name."""
    api = resolve_api(api)
    backend = _backend(api)
    names = backend.get_output_names()
    if name not in names:
        raise _unknown_port("output", name, names)
    try:
        return backend.open_output(name)
    except (OSError, RuntimeError) as error:
        raise MidiPortError(f"Could not open the MIDI output '{name}': {error}.") from error


def open_input(
    name: str,
    callback: Callable[[mido.Message], None],
    api: str | None = None,
) -> mido.ports.BaseInput:
    """Open an existing input port by its exact name; ``callback`` runs on a thread of
    ours (``PolledInput``), never on the MIDI system's."""
    api = resolve_api(api)
    backend = _backend(api)
    names = backend.get_input_names()
    if name not in names:
        raise _unknown_port("input", name, names)
    try:
        return PolledInput(api, name, callback)
    except (OSError, RuntimeError) as error:
        raise MidiPortError(f"Could not open the MIDI input '{name}': {error}.") from error


# How often a polled input looks for messages: well under a 16th at any tempo, and the
# thread sleeps in between, so it costs nothing measurable.
POLL_SECONDS = 0.001


class PolledInput:
    """A MIDI input whose messages are read from rtmidi's own queue by a Python thread.

    mido's rtmidi inputs run a Python callback on the MIDI system's thread (JACK's process
    thread), which must first take Python's interpreter lock. When that client is closed
    while such a call waits for the lock, the thread is ended holding it, and the program
    hangs (seen: a deadlock in ``drop_gil``) or crashes (segfaults at close, one window
    recorder test run in five). Here the MIDI system's thread never runs Python: rtmidi
    queues the messages in C, and a thread of ours hands them to ``callback``."""

    def __init__(
        self,
        api: str,
        name: str,
        callback: Callable[[mido.Message], None],
        virtual: bool = False,
        client_name: str | None = None,
    ) -> None:
        import rtmidi
        from mido.backends.rtmidi import _get_api_id, _open_port

        self._rt = rtmidi.MidiIn(
            name=client_name, rtapi=_get_api_id(API_NAMES[api]), queue_size_limit=4096
        )
        self._rt.ignore_types(sysex=False, timing=False, active_sense=True)
        self.name = _open_port(
            self._rt, name, client_name=client_name, virtual=virtual, api=API_NAMES[api]
        )
        self.closed = False
        self._callback = callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="midi-in", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        rt = self._rt
        while not self._stop.is_set():
            event = rt.get_message()
            if event is None:
                self._stop.wait(POLL_SECONDS)
                continue
            try:
                message = mido.Message.from_bytes(event[0])
            except ValueError:
                continue  # a malformed message from the device: skip it
            try:
                self._callback(message)
            except Exception:  # noqa: BLE001 - one bad message must not stop the input
                log.exception("A MIDI input handler failed")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=1.0)
        self._rt.close_port()
        self._rt.delete()


def close_input(port) -> None:
    """Close an input opened here (kept as one call so every closer goes through it)."""
    port.close()


def open_virtual_output(name: str | None = None, api: str | None = None) -> mido.ports.BaseOutput:
    """Open a virtual output other programs (a DAW) can connect to; default name "Composer".

    Windows MultiMedia has no virtual ports: rtmidi raises, and we tell the user to use
    a loopback port instead.
    """
    import rtmidi

    name = name or virtual_port_name()
    api = resolve_api(api)
    try:
        return _backend(api).open_output(name, virtual=True, client_name=CLIENT_NAME)
    except (NotImplementedError, rtmidi.RtMidiError, OSError, RuntimeError) as error:
        if api == "winmm" or isinstance(error, NotImplementedError):
            raise MidiPortError(
                f"The {api} MIDI system cannot create the virtual port '{name}'; install a "
                "loopback driver such as loopMIDI, create a port there and pick it with --port."
            ) from error
        raise MidiPortError(f"Could not create the virtual MIDI port '{name}': {error}.") from error


def open_virtual_input(
    name: str, callback: Callable[[mido.Message], None], api: str | None = None
) -> mido.ports.BaseInput:
    """Open a virtual input other programs can send to (used to follow a DAW's clock)."""
    import rtmidi

    api = resolve_api(api)
    try:
        return PolledInput(api, name, callback, virtual=True, client_name=CLIENT_NAME)
    except (NotImplementedError, rtmidi.RtMidiError, OSError, RuntimeError) as error:
        raise MidiPortError(
            f"The {api} MIDI system cannot create the virtual input '{name}'; "
            "pick an existing input with --port."
        ) from error


class PortWatch:
    """Watches whether a port is still listed, and says so once when it goes or comes back.

    Drivers do not tell us that a keyboard was unplugged (JACK keeps our side of the
    connection open and just goes quiet), so a background thread looks at the port list
    a few times a second. ``on_lost`` and ``on_back`` run on that thread.
    """

    def __init__(
        self,
        name: str,
        is_input: bool,
        api: str,
        on_lost: Callable[[], None],
        on_back: Callable[[], None] | None = None,
        interval_seconds: float = 0.25,
    ) -> None:
        import rtmidi

        self.name = name
        self._on_lost = on_lost
        self._on_back = on_back
        self._interval_seconds = interval_seconds
        rtapi = getattr(rtmidi, f"API_{API_NAMES[api]}")
        # One client for the whole watch: opening a client per look is slow on JACK.
        self._probe = (rtmidi.MidiIn if is_input else rtmidi.MidiOut)(
            rtapi=rtapi, name=f"{CLIENT_NAME} watch"
        )
        self.present = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="midi-port-watch", daemon=True)
        self._thread.start()

    def _listed(self) -> bool:
        try:
            return self.name in self._probe.get_ports()
        except Exception:  # a driver hiccup reads as "not there"; the next look decides
            return False

    def _run(self) -> None:
        while not self._stop.wait(self._interval_seconds):
            listed = self._listed()
            if self.present and not listed:
                self.present = False
                self._on_lost()
            elif not self.present and listed:
                self.present = True
                if self._on_back is not None:
                    self._on_back()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._probe.delete()


class TrackPorts:
    """One virtual output per track ("Composer melody", "Composer bass", ...), for DAWs
    that want each part on a port of its own. Looks like one output to the ``Player``:
    channel messages go to their track's port, clock and transport to every port.
    """

    def __init__(self, names_by_channel: dict[int, str], api: str | None = None) -> None:
        self.name = ", ".join(virtual_port_name(n) for n in names_by_channel.values())
        self.closed = False
        self._by_channel: dict[int, mido.ports.BaseOutput] = {}
        try:
            for channel, track_name in names_by_channel.items():
                self._by_channel[channel] = open_virtual_output(virtual_port_name(track_name), api)
        except MidiPortError:
            self.close()
            raise

    @property
    def ports(self) -> list[mido.ports.BaseOutput]:
        return list(self._by_channel.values())

    def send(self, message: mido.Message) -> None:
        channel = getattr(message, "channel", None)
        if channel is None:
            for port in self.ports:
                port.send(message)
        elif channel in self._by_channel:
            self._by_channel[channel].send(message)

    def close(self) -> None:
        for port in self.ports:
            port.close()
        self.closed = True

    def __enter__(self) -> TrackPorts:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
