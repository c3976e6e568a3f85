#!/usr/bin/env bash
# Installs what building and testing Anchang needs on Debian/Ubuntu, if it is
# missing: the C toolchain and X11/OpenGL headers that Fyne's cgo build uses,
# qpdf and poppler-utils, with which the PDF form tests check their output,
# and postgresql, whose server binaries the HQ store tests start as a throwaway
# cluster (its packaged cluster is not used).
# Safe to run again: it only calls apt-get when a package is absent.
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev qpdf poppler-utils postgresql)

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed; install Go 1.26 or newer from https://go.dev/dl/ and run this again." >&2
  exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
