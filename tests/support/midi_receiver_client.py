"""A JACK MIDI input in a process of its own, for ``jack_server.MidiReceiver``.

Run as ``python -m tests.support.midi_receiver_client NAME QUEUE_SIZE``: it opens the
input port ``NAME:input``, prints ``ready``, and when its stdin closes prints every
message that arrived as ``seconds byte byte ...`` (seconds from the first, from rtmidi's
JACK time stamps), then ``end``. Closing an rtmidi JACK port while another client is still
sending into it can crash the process that owns it (seen 1 to 4 times in 20 runs of the
window's live-tempo and clock tests); in its own process such a crash cannot take the
test run with it, and what arrived has been printed by then.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    import rtmidi

    name, queue_size = sys.argv[1], int(sys.argv[2])
    midi_in = rtmidi.MidiIn(rtapi=rtmidi.API_UNIX_JACK, name=name, queue_size_limit=queue_size)
    midi_in.ignore_types(sysex=True, timing=False, active_sense=True)
    midi_in.open_virtual_port("input")
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    seconds = 0.0
    lines = []
    while (event := midi_in.get_message()) is not None:
        message, delta_seconds = event
        seconds += delta_seconds
        lines.append(" ".join([repr(seconds), *(str(b) for b in message)]))
    lines.append("end")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    os._exit(0)  # leave without closing the port: the server goes when the test ends


if __name__ == "__main__":
    main()
