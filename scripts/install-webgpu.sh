#!/usr/bin/env bash
# A WebGPU adapter for the GPU solver's tests on a machine without a GPU (docs/GPU.md): mesa's
# software Vulkan driver, lavapipe, which Dawn (the `webgpu` package) runs on. Debian 12's own mesa
# (22.3) is too old for Dawn; bookworm-backports' (25.x) works. Adds the backports suite to the
# existing Debian source, installs mesa-vulkan-drivers from it, and lists the Vulkan drivers.
# Needs root and apt. Does nothing when a lavapipe driver is already installed; safe to run twice.
set -euo pipefail
if ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  echo "lavapipe is already installed: $(ls /usr/share/vulkan/icd.d/lvp_icd*.json)"
  exit 0
fi
if ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "install-webgpu.sh needs root and apt-get (Debian); elsewhere install mesa's Vulkan drivers (lavapipe) or use a GPU" >&2
  exit 1
fi
. /etc/os-release
codename="${VERSION_CODENAME:-bookworm}"
source_file=/etc/apt/sources.list.d/debian.sources
if [ "$codename" = "bookworm" ]; then
  if [ -f "$source_file" ]; then
    if ! grep -q "bookworm-backports" "$source_file"; then
      sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$source_file"
    fi
  elif ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" >/etc/apt/sources.list.d/backports.list
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
else
  # newer Debian releases ship a mesa recent enough for Dawn
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
fi
ls /usr/share/vulkan/icd.d/
