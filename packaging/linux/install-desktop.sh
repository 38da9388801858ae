#!/usr/bin/env bash
# Put Composer in the desktop's application menu, give it its icon, and offer it for .mid files.
# Installs for the current user only, into the XDG data folder (~/.local/share by default).
#
# Usage: install-desktop.sh [--default-for-midi] [COMMAND]
#        install-desktop.sh --uninstall
#   COMMAND   the composer-gui executable the menu entry starts. Default: the bundle's
#             executable when this script runs from a bundle, else `composer-gui` on PATH,
#             else the checkout's .venv/bin/composer-gui.
#   --default-for-midi   also make Composer the default application for MIDI files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_id=io.github.composer.Composer
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
sizes=(16 22 24 32 48 64 128 256 512)

installed_files() {
    echo "$data_home/applications/$app_id.desktop"
    echo "$data_home/metainfo/$app_id.metainfo.xml"
    echo "$data_home/mime/packages/$app_id.xml"
    echo "$data_home/icons/hicolor/scalable/apps/$app_id.svg"
    for size in "${sizes[@]}"; do echo "$data_home/icons/hicolor/${size}x${size}/apps/$app_id.png"; done
}

refresh_caches() {
    # Each tool is optional: desktops re-scan on their own, these only make it immediate.
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$data_home/applications" || true
    fi
    if command -v update-mime-database >/dev/null; then
        update-mime-database "$data_home/mime" >/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null && [ -f "$data_home/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    installed_files | xargs rm -f
    refresh_caches
    echo "Removed Composer's menu entry, icons and file association from $data_home"
    exit 0
fi

default_for_midi=0
if [ "${1:-}" = "--default-for-midi" ]; then
    default_for_midi=1
    shift
fi

# The files sit next to this script, in the checkout (packaging/linux) or in a bundle (desktop/).
if [ -d "$here/../../resources/icons" ]; then
    icons="$here/../../resources/icons"
elif [ -d "$here/../_internal/composer_gui/resources/icons" ]; then
    icons="$here/../_internal/composer_gui/resources/icons"
else
    echo "Cannot find Composer's icons next to $here." >&2
    exit 1
fi

command_path=${1:-}
if [ -z "$command_path" ]; then
    if [ -x "$here/../composer-gui" ]; then
        command_path="$here/../composer-gui"
    elif command -v composer-gui >/dev/null; then
        command_path=$(command -v composer-gui)
    elif [ -x "$here/../../.venv/bin/composer-gui" ]; then
        command_path="$here/../../.venv/bin/composer-gui"
    else
        echo "Cannot find the composer-gui command: pass its path as an argument." >&2
        exit 1
    fi
fi
if [ ! -x "$command_path" ]; then
    echo "$command_path is not an executable composer-gui command." >&2
    exit 1
fi
command_path=$(cd "$(dirname "$command_path")" && pwd)/$(basename "$command_path")
case "$command_path" in
    *[[:space:]\"\'\\\$\`]*)
        echo "Composer's path must not contain spaces or quotes for a menu entry: $command_path" >&2
        exit 1 ;;
esac

mkdir -p "$data_home/applications" "$data_home/metainfo" "$data_home/mime/packages" \
         "$data_home/icons/hicolor/scalable/apps"
sed "s|^Exec=composer-gui |Exec=$command_path |" "$here/composer.desktop" \
    > "$data_home/applications/$app_id.desktop"
cp "$here/$app_id.metainfo.xml" "$data_home/metainfo/"
cp "$here/composer-mime.xml" "$data_home/mime/packages/$app_id.xml"
cp "$icons/composer.svg" "$data_home/icons/hicolor/scalable/apps/$app_id.svg"
for size in "${sizes[@]}"; do
    mkdir -p "$data_home/icons/hicolor/${size}x${size}/apps"
    cp "$icons/composer-$size.png" "$data_home/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
refresh_caches
if [ "$default_for_midi" = 1 ] && command -v xdg-mime >/dev/null; then
    xdg-mime default "$app_id.desktop" audio/midi audio/x-midi
fi
echo "Installed Composer's menu entry ($command_path), icons and MIDI association into $data_home"
