#!/usr/bin/env bash
# Debian/Ubuntu packages the tests use for real: the JACK dummy server and its clients,
# FluidSynth with a General MIDI soundfont, Qt's runtime libraries, Xvfb and PulseAudio,
# the validators of the Linux desktop files (appstream, desktop-file-utils), and MuseScore 3,
# which the tests use to check that it reads our MIDI files as we wrote them, MMA (the band
# styles' data is rendered by it) and two packages of real multi-track MIDI songs.
# With --runtime, only what the app itself needs (Qt's libraries, FluidSynth and a soundfont).
# Installs only what is missing; needs root or sudo when something is.
set -euo pipefail
packages=(libfluidsynth3 fluid-soundfont-gm libegl1 libgl1 libxkbcommon0 libfontconfig1
          libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1)
if [ "${1:-}" != "--runtime" ]; then
    packages+=(jackd2 fluidsynth xvfb pulseaudio pulseaudio-utils appstream desktop-file-utils
               musescore3 mma openttd-openmsx planetblupi-music-midi)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing system packages: ${missing[*]} (install them with your package manager)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
