#!/bin/sh
# Runs the GPU runner from an unpacked pack (bench/gpu/pack.mjs): finds the Vulkan loader and an NVIDIA Vulkan
# driver, then the pack's own Node. Results: $DISTILLERY_RESULTS_DIR (default ./bench)/results-gpu.{json,md}.
# A driver file elsewhere: DISTILLERY_VK_ICD=/path/to/icd.json (or the loader's own VK_ICD_FILENAMES).
# Extra arguments go to the runner (e.g. --models tiny-cnn --methods scratch).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${DISTILLERY_RESULTS_DIR:-$PWD/bench}

has_system_loader() {
  for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    [ -e "$dir/libvulkan.so.1" ] && return 0
  done
  return 1
}

# nvidia_icd.json in the loader's and the driver's usual places; else, where only the driver library is there
# (a container given the compute capability alone often lacks the file), a file naming that library.
find_nvidia_icd() {
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/etc/vulkan/icd.d /usr/share/nvidia /etc/nvidia /usr/lib/x86_64-linux-gnu/nvidia; do
    for file in "$dir"/nvidia_icd*.json; do
      [ -f "$file" ] && { echo "$file"; return 0; }
    done
  done
  for lib in /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 /usr/lib64/libGLX_nvidia.so.0 /usr/lib/libGLX_nvidia.so.0 /usr/local/nvidia/lib64/libGLX_nvidia.so.0; do
    if [ -f "$lib" ]; then
      printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$lib" >"$here/nvidia_icd.json"
      echo "$here/nvidia_icd.json"
      return 0
    fi
  done
  return 1
}

if ! has_system_loader; then
  LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
  echo "Vulkan loader: the pack's (Debian libvulkan1)"
fi
if [ -n "${DISTILLERY_VK_ICD:-}" ]; then
  VK_ICD_FILENAMES=$DISTILLERY_VK_ICD
elif [ -z "${VK_ICD_FILENAMES:-}" ]; then
  VK_ICD_FILENAMES=$(find_nvidia_icd || true)
fi
if [ -n "${VK_ICD_FILENAMES:-}" ]; then
  export VK_ICD_FILENAMES
  echo "Vulkan driver: $VK_ICD_FILENAMES"
else
  unset VK_ICD_FILENAMES
  echo "Vulkan driver: no NVIDIA driver file found; the loader's default search decides"
fi
"$here/node" "$here/gpu-bench.mjs" --out "$out" --torch-script "$here/python/bench_train_step.py" "$@"
